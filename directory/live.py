"""The directory as Rasa's NLU components see it: towns and need phrases, kept current.

Staff add a phrase ("bumps and babies") or a new town in the staff area while the bot runs. The
NLU components (``bot/nlu``) must see it on the next message without retraining, but must not
query SQLite on every message either. ``LiveQuery`` keeps one read-only connection, checks
``PRAGMA data_version`` (which changes whenever another connection commits) at most once per
``min_interval`` seconds, and only then re-runs its query. ``towns`` and ``need_phrases`` are
the two the components use.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Generic, TypeVar

from directory.taxonomy import normalise_phrase

logger = logging.getLogger(__name__)

T = TypeVar("T")


class LiveQuery(Generic[T]):
    """The result of one SQL query, kept current with the database at ``path``.

    ``transform`` turns the rows into what the caller keeps (a set of phrases, a list of towns).
    A missing database or table gives ``empty`` (the bot still works from its trained data) and
    is looked for again on a later call.
    """

    def __init__(self, path: str | Path, sql: str, transform: Callable[[list[tuple]], T], empty: T,
                 *, min_interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.path = Path(path)
        self.sql = sql
        self.transform = transform
        self.empty = empty
        self.min_interval = min_interval
        self.clock = clock
        self._value: T = empty
        self._conn: sqlite3.Connection | None = None
        self._data_version: int | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        """The current result; queries the database only when it may have changed."""
        now = self.clock()
        if self._checked_at is not None and now - self._checked_at < self.min_interval:
            return self._value
        with self._lock:
            self._checked_at = now
            try:
                self._refresh()
            except sqlite3.Error as exc:
                logger.warning("Could not read %s from the directory at %s: %s", self.sql.split()[1:3],
                               self.path, exc)
                self.close()
        return self._value

    def _refresh(self) -> None:
        if self._conn is None:
            if not self.path.exists():
                self._value = self.empty
                return
            # check_same_thread=False: Rasa may call from its worker threads; the lock serialises us.
            self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._data_version = None
        version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        if version == self._data_version:
            return
        try:
            rows = self._conn.execute(self.sql).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):
                raise
            rows = None
        self._value = self.empty if rows is None else self.transform(rows)
        self._data_version = version

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._data_version = None


_TOWNS_SQL = "SELECT DISTINCT city FROM address WHERE city IS NOT NULL AND trim(city) != ''"
_PHRASES_SQL = "SELECT phrase, taxonomy_term_id FROM taxonomy_term_phrase"


def towns(path: str | Path, *, min_interval: float = 1.0) -> LiveQuery[tuple[str, ...]]:
    """The towns and villages of the directory's addresses, A to Z."""
    return LiveQuery(path, _TOWNS_SQL, lambda rows: tuple(sorted({r[0].strip() for r in rows})),
                     (), min_interval=min_interval)


def need_phrases(path: str | Path, *, min_interval: float = 1.0) -> LiveQuery[dict[str, str]]:
    """Every need phrase in the directory (the taxonomy's and those staff added), normalised,
    -> its term id."""
    def transform(rows: list[tuple]) -> dict[str, str]:
        return {normalise_phrase(p): t for p, t in rows if p and t and normalise_phrase(p)}

    return LiveQuery(path, _PHRASES_SQL, transform, {}, min_interval=min_interval)
