"""Opening the directory database: one place that sets SQLite up the same way for everyone."""

from __future__ import annotations

import os
from pathlib import Path

import sqlite_utils

from directory.schema import migrate

DEFAULT_DIRECTORY_DB = "var/directory.db"


def directory_path() -> Path:
    """Where the directory lives: ``SIGNPOST_DIRECTORY_DB`` or ``var/directory.db``."""
    return Path(os.environ.get("SIGNPOST_DIRECTORY_DB", DEFAULT_DIRECTORY_DB))


def open_db(path: str | Path | None = None, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the directory at ``path``.

    WAL lets the bot read while staff write; the busy timeout means a writer waits for another
    writer instead of showing anyone "database is locked".
    """
    path = Path(path) if path is not None else directory_path()
    if not create and not path.exists():
        raise FileNotFoundError(f"No directory database at {path}. Run `make run` or "
                                f"`python -m directory import FILE` to create one.")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db
