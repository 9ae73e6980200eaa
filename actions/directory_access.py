"""The actions' one door into the directory library.

The database is opened on first use, never at import, so the action server starts even before
the directory is seeded and tests can point ``SIGNPOST_DIRECTORY_DB`` at a temporary file.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import sqlite_utils

from directory.db import open_db
from directory.taxonomy import Taxonomy, load_taxonomy

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_db: sqlite_utils.Database | None = None
_db_path: Path | None = None


def directory_db() -> sqlite_utils.Database:
    """The directory, opened once per path (re-opened if ``SIGNPOST_DIRECTORY_DB`` changes)."""
    global _db, _db_path
    path = Path(os.environ.get("SIGNPOST_DIRECTORY_DB", "var/directory.db"))
    with _lock:
        if _db is None or _db_path != path:
            _db = open_db(path)
            _db_path = path
        return _db


def reset() -> None:
    """Forget the open database (tests switch between temporary directories)."""
    global _db, _db_path
    with _lock:
        if _db is not None:
            _db.conn.close()
        _db, _db_path = None, None


def taxonomy() -> Taxonomy:
    """The needs taxonomy (cached by the taxonomy module)."""
    return load_taxonomy()


def record_search(query: Any, result_count: int) -> None:
    """Count this search for staff (anonymised) if the demand helper is installed.

    A failure here must never cost a parent their answer, so it is logged and swallowed.
    """
    try:
        from directory.demand import record_search as _record
    except ImportError:  # the staff tables are optional for the bot
        return
    try:
        _record(directory_db(), query, result_count, "bot")
    except Exception:  # noqa: BLE001 - counting is best effort
        logger.warning("Could not record the search for the demand report", exc_info=True)
