"""Opening the directory: one place that sets SQLite up the same way for everyone, and the
``Directory`` a process opens once at start-up and passes to whatever needs it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from directory.closed_days import DEFAULT_NATION, check_nation
from directory.geo import Geo, Place, open_geo, resolve_place
from directory.schema import migrate
from directory.search import SearchQuery, search
from directory.taxonomy import Taxonomy, load_taxonomy
from directory.words import searchable_words


def open_db(path: str | Path, *, create: bool = True,
            check_same_thread: bool = True) -> sqlite_utils.Database:
    """Open (and migrate) the directory at ``path``.

    WAL lets the bot read while staff write; the busy timeout means a writer waits for another
    writer instead of showing anyone "database is locked". ``check_same_thread=False`` is for a
    connection that one worker thread uses and another closes (``web.directory_pool``).
    """
    path = Path(path)
    if not create and not path.exists():
        raise FileNotFoundError(f"No directory database at {path}. Run `make run` or "
                                f"`python -m directory import FILE` to create one.")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(sqlite3.connect(str(path), check_same_thread=check_same_thread))
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA synchronous = NORMAL")
    migrate(db)
    return db


@dataclass
class Directory:
    """The directory as a process holds it: the connection, the postcode index and the taxonomy.

    Opened once at start-up (``Directory.open``) and passed in, so nothing reads settings or
    opens a database behind a caller's back. ``geo`` is None when the postcode index has not
    been built: town names still work, postcodes raise ``GeoIndexMissing`` naming ``geo_path``.
    One ``Directory`` belongs to one thread at a time (SQLite connections do), except its
    ``geo`` and ``taxonomy``, which are read-only and may be shared.
    """

    db: sqlite_utils.Database
    geo: Geo | None
    taxonomy: Taxonomy
    geo_path: Path | None = None
    #: Whose bank holidays have no sessions (``directory.closed_days.NATIONS``).
    nation: str = DEFAULT_NATION

    @classmethod
    def open(cls, path: str | Path, geo_path: str | Path | None, *, geo: Geo | None = None,
             taxonomy: Taxonomy | None = None, create: bool = True,
             check_same_thread: bool = True, nation: str = DEFAULT_NATION) -> "Directory":
        """Open the database at ``path``; use ``geo`` (or open the index at ``geo_path``)."""
        check_nation(nation)
        db = open_db(path, create=create, check_same_thread=check_same_thread)
        geo_path = Path(geo_path) if geo_path is not None else None
        return cls(db=db, geo=geo if geo is not None else open_geo(geo_path),
                   taxonomy=taxonomy or load_taxonomy(), geo_path=geo_path, nation=nation)

    def search(self, query: SearchQuery, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """``directory.search.search`` with this directory's postcode index and nation."""
        return search(self.db, query, geo=self.geo, geo_path=self.geo_path, now=now,
                      nation=self.nation)

    def searchable_words(self, text: str | None) -> list[str]:
        """``directory.words.searchable_words`` with this directory's postcode index: the words
        of a message a search would score ([] for "hello", "BB1", "what's on sunday")."""
        return searchable_words(self.db, text, self.geo)

    def resolve_place(self, text: str, *, towns: bool = True) -> Place:
        """A postcode, outward code or place, or ``UnknownPlace`` with close matches.
        ``towns=False`` leaves out the directory's own towns (the postcode index alone)."""
        return resolve_place(self.db if towns else None, text, self.geo, geo_path=self.geo_path)

    def data_version(self) -> int:
        """Changes whenever another connection commits (SQLite's ``data_version``): what a
        cache of directory reads checks to stay correct after a staff edit."""
        return self.db.execute("PRAGMA data_version").fetchone()[0]

    def close(self, *, geo: bool = True) -> None:
        """Close the connection (and the index, unless another ``Directory`` shares it)."""
        self.db.close()
        if geo and self.geo is not None:
            self.geo.close()
