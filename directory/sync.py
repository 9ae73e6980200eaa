"""Sync a council's Open Referral UK 3.0 feed into the directory: all of it, or nothing.

``sync_feed(db, url)`` reads the feed (``directory.feed_client``: paged ``/services``, then
``/services/{id}`` for every item the list gives only in compact form), checks every service
with the same rules as a file import (``directory.validation``), and writes the result in one
transaction: a feed that fails half way (a 500 on page 3, a timeout, a page that never ends)
changes nothing.

- **Ids are kept apart per feed.** Two councils can both have a service "1", so every id in a
  feed's service (service, centre, organization, schedule, phone...) is stored as a UUID made
  from the feed's address and the feed's own id (``uuid5``); ``feed_service`` remembers the
  feed's id. Taxonomy terms keep their own ids: a national taxonomy's term is the same term in
  every feed, and the feed's terms are exported unchanged.
- **Rejected services** (not ORUK, a bad schedule...) are listed with their reasons and left
  out; a service that was already stored keeps its last good version.
- **Withdrawn services**: a service a full sync no longer sees is set ``status = 'inactive'``,
  so no search shows it; it comes back if the feed lists it again.
- **Incremental, only when the feed is seen to filter**: after the first sync, the probe's
  ``modified_after`` check (``directory.probe.probe_modified_after``: two small requests) runs
  first. Only if it passed is ``modified_after`` (the newest ``last_modified`` seen) sent; then
  only those services are read and nothing is withdrawn. A feed that ignores the filter (or
  whose data cannot show it: every service has the same ``last_modified``) gets a full sync,
  so a service it drops is always withdrawn. (If an answer to the filter still holds older
  items, it is treated as the full list.)

  Why check at every sync rather than keep the last probe result in the ``feed`` table: the
  check costs two requests against the hundreds of a sync, needs no migration, and is never
  stale: a council that changes its server is believed only after it is seen to filter again.
- **One page at a time**: each page is checked as it arrives and staged in a temporary SQLite
  file (``StagedFeed``), then written in chunks inside the one transaction, so a sync's memory
  does not grow with the feed (a feed of 10,000 services once cost 18 MB per 1,000 in Python
  objects). The checks give the same answers as for the whole list at once: ids are compared
  across pages, and a service naming a centre that only a later page carries in full is fine.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

import aiohttp

import sqlite_utils

from directory import store
from directory.feed_client import FeedClient, FeedError, FeedLimits
from directory.needs import write_inferred_needs
from directory.probe import probe_modified_after
from directory.shape import existing_ids
from directory.store import write_transaction
from directory.term_mapping import refresh_mappings
from directory.validation import RowError, ServiceChecker, missing_reference, references

# Keys that name a taxonomy (term) rather than a record of the feed's own: never renamed.
_TERM_KEYS = frozenset({"taxonomy_term_id", "taxonomy_id", "parent_id"})


@dataclass
class SyncReport:
    """What one sync did, in words staff can read."""

    feed: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: list[RowError] = field(default_factory=list)
    incremental: bool = False
    seconds: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error:
            return f"Sync of {self.feed} failed, nothing was changed: {self.error}"
        kind = "Incremental sync" if self.incremental else "Synced"
        return (f"{kind} {self.feed}: {self.added} added, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.withdrawn} withdrawn, "
                f"{len(self.rejected)} rejected.")

    def as_dict(self) -> dict[str, Any]:
        return {"added": self.added, "changed": self.changed, "unchanged": self.unchanged,
                "withdrawn": self.withdrawn, "incremental": self.incremental,
                "rejected": [e.as_dict() | {"text": str(e)} for e in self.rejected],
                "error": self.error, "seconds": round(self.seconds, 2)}


def local_id(feed_url: str, remote_id: Any) -> str:
    """The id a feed's record is stored under: a UUID from the feed and the feed's own id.

    The same as ``str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, feed_url), str(remote_id)))``,
    worked out without building ``UUID`` objects: a sync makes one for every record of every
    service, and ``uuid5`` was a quarter of a sync's time."""
    digest = bytearray(hashlib.sha1(_feed_namespace(feed_url.rstrip("/"))
                                    + str(remote_id).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50     # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80     # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@functools.lru_cache(maxsize=64)
def _feed_namespace(feed_url: str) -> bytes:
    return uuid.uuid5(uuid.NAMESPACE_URL, feed_url).bytes


def namespaced(feed_url: str, value: Any, *, in_term: bool = False) -> Any:
    """A copy of a feed's service with every record id (and reference to one) made local."""
    if isinstance(value, list):
        return [namespaced(feed_url, v, in_term=in_term) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if key == "taxonomy_term" or in_term:
            out[key] = namespaced(feed_url, item, in_term=True)
        elif (key == "id" or key.endswith("_id")) and key not in _TERM_KEYS \
                and isinstance(item, (str, int)) and not isinstance(item, bool) and item != "":
            out[key] = local_id(feed_url, item)
        else:
            out[key] = namespaced(feed_url, item)
    return out


# A service's own top-level fields staff may correct locally (``feed_override``).
OVERRIDABLE = ("name", "description", "url", "email", "fees", "minimum_age", "maximum_age",
               "alert", "assured_date", "assurer_email")


def is_feed_service(conn: sqlite3.Connection, service_id: str) -> bool:
    """The service came from a council's feed (``feed_service``), not from staff or a file."""
    return conn.execute("SELECT 1 FROM feed_service WHERE service_id = ?",
                        [service_id]).fetchone() is not None


def record_overrides(conn: sqlite3.Connection, before: dict | None, after: dict | None,
                     actor: str) -> list[str]:
    """Keep a staff edit to a feed's service as overrides (inside the caller's transaction);
    returns the fields kept. A service staff keep here (no feed) needs none."""
    if not before or not after or not is_feed_service(conn, after["id"]):
        return []
    changed = [f for f in OVERRIDABLE if before.get(f) != after.get(f)]
    conn.executemany(
        "INSERT INTO feed_override (service_id, field, value, changed_by, changed_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(service_id, field) DO UPDATE SET value = "
        "excluded.value, changed_by = excluded.changed_by, changed_at = excluded.changed_at",
        [(after["id"], f, json.dumps(after.get(f)), actor, _now()) for f in changed])
    return changed


def _overrides(conn: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    """Staff corrections to feed services: service id -> field -> value."""
    found: dict[str, dict[str, Any]] = {}
    for sid, fld, value in conn.execute("SELECT service_id, field, value FROM feed_override"):
        found.setdefault(sid, {})[fld] = json.loads(value)
    return found


def _lay_overrides(found: dict[str, dict[str, Any]], services: list[Any]) -> None:
    """Lay staff corrections over the feed's versions (the feed's own value is not stored)."""
    for service in services:
        if isinstance(service, dict) and service.get("id") in found:
            for fld, value in found[service["id"]].items():
                if value is None:
                    service.pop(fld, None)
                else:
                    service[fld] = value


def _is_compact(item: dict) -> bool:
    """A list item without its centres is the compact form: the full object must be fetched."""
    return "service_at_locations" not in item


_CHUNK = 500   # staged services written at a time


class StagedFeed:
    """A feed's services as read so far, in a temporary SQLite file rather than in memory.

    ``add`` takes each page as it arrives: the services get local ids, staff corrections, and
    the same checks as a file import (``ServiceChecker`` remembers ids between pages). What is
    left for the end stays small: the feed's ids go to the file too, and only the services that
    name a shared record (a centre, an organization) by its id alone are kept in memory, for
    the reference check once every page is in (``reference_errors``).
    """

    def __init__(self, url: str, overrides: dict[str, dict[str, Any]]):
        self.url = url
        self.overrides = overrides
        self.rejected: list[RowError] = []      # with local ids until the report
        self._provided: Counter[tuple[str, str]] = Counter()   # shared records carried in full
        self._naming: list[tuple[int, str, set, list]] = []    # (row, id, carried, named)
        handle, self.path = tempfile.mkstemp(prefix="signpost-sync-", suffix=".db")
        os.close(handle)
        # Used by one thread at a time: the page reader's worker, then the writer's.
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
            "CREATE TABLE staged (n INTEGER PRIMARY KEY, body TEXT NOT NULL);"
            "CREATE TABLE seen (id TEXT PRIMARY KEY, remote_id TEXT NOT NULL);")
        self.checker = ServiceChecker(self.conn)

    def __enter__(self) -> "StagedFeed":
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def add(self, items: list[Any]) -> None:
        """Check and stage the next page of the feed (full service objects, the feed's ids)."""
        start = self.checker.count
        services, seen = [], []
        for item in items:
            local = namespaced(self.url, item)
            if isinstance(item, dict) and isinstance(item.get("id"), (str, int)) \
                    and isinstance(local.get("id"), str):
                seen.append((local["id"], str(item["id"])))
            services.append(local)
        _lay_overrides(self.overrides, services)
        self.conn.execute("BEGIN")
        errors = self.checker.check(services)
        self.rejected += errors
        bad = {e.index for e in errors}
        rows = []
        for n, service in enumerate(services, start):
            if n in bad:
                continue
            carried, named = references(service)
            self._provided.update(carried)
            if named:
                self._naming.append((n, service["id"], carried, named))
            rows.append((n, json.dumps(service, ensure_ascii=False, separators=(",", ":"))))
        self.conn.executemany("INSERT OR REPLACE INTO seen (id, remote_id) VALUES (?, ?)", seen)
        self.conn.executemany("INSERT INTO staged (n, body) VALUES (?, ?)", rows)
        self.conn.execute("COMMIT")

    def reference_errors(self, conn: sqlite3.Connection) -> list[RowError]:
        """Services naming a record that no accepted service carries and the directory lacks.
        Leaving one out can strand another that named a record only it carried, so repeat."""
        named = {(t, ref) for _n, _sid, _c, refs in self._naming for t, ref, _p in refs}
        stored: set[tuple[str, str]] = set()
        for table in {t for t, _ref in named}:
            stored |= {(table, i) for i in existing_ids(conn, table,
                                                        {r for t, r in named if t == table})}
        provided = Counter(self._provided)
        dropped: set[int] = set()
        errors: list[RowError] = []
        while True:
            found = [missing_reference(sid, n, path, t, ref)
                     for n, sid, _c, refs in self._naming if n not in dropped
                     for t, ref, path in refs if provided[(t, ref)] <= 0 and (t, ref) not in stored]
            if not found:
                return errors
            errors += found
            now_dropped = {e.index for e in found}
            for n, _sid, carried, _refs in self._naming:
                if n in now_dropped:
                    provided.subtract(carried)
            dropped |= now_dropped

    def services(self, leave_out: set[int]) -> Iterator[list[dict]]:
        """The staged services in feed order, a chunk at a time, without ``leave_out`` rows."""
        cursor = self.conn.execute("SELECT n, body FROM staged ORDER BY n")
        while rows := cursor.fetchmany(_CHUNK):
            yield [json.loads(body) for n, body in rows if n not in leave_out]

    def remote_id(self, local: str | None) -> str | None:
        row = self.conn.execute("SELECT remote_id FROM seen WHERE id = ?", [local]).fetchone()
        return row[0] if row else local

    def seen(self) -> Iterator[tuple[str, str]]:
        """(local id, feed's id) of every service the feed listed, rejected ones too."""
        return iter(self.conn.execute("SELECT id, remote_id FROM seen"))

    def has_seen(self, local: str) -> bool:
        return self.conn.execute("SELECT 1 FROM seen WHERE id = ?", [local]).fetchone() is not None


async def read_feed(url: str, staged: StagedFeed, *, modified_after: str | None = None,
                    limits: FeedLimits = FeedLimits(), progress: bool = False) -> bool:
    """Read every service of the feed into ``staged``, a page at a time (the next page is read
    while the last one is checked); returns whether the list was the incremental one.
    Raises ``FeedError``."""
    bar = None
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=limits.timeout_s)
    staging: asyncio.Future | None = None
    async with aiohttp.ClientSession(timeout=timeout) as session:
        client = FeedClient(url, session, limits)
        if modified_after and not (await probe_modified_after(client)).supports(
                "modified_after"):
            modified_after = None     # the feed ignores the filter: read it all, withdraw gone
        incremental = bool(modified_after)
        try:
            async for items, total in client.pages(modified_after=modified_after):
                incremental = incremental and all(
                    isinstance(i, dict) and str(i.get("last_modified") or "") >= modified_after
                    for i in items)
                compact = [n for n, item in enumerate(items) if isinstance(item, dict)
                           and _is_compact(item) and isinstance(item.get("id"), (str, int))]
                if progress and compact and bar is None:
                    from tqdm import tqdm
                    bar = tqdm(total=total, desc="Reading services", unit=" services",
                               file=sys.stderr, leave=False)

                async def full(n: int, items: list[Any] = items) -> None:
                    items[n] = await client.service(items[n]["id"])
                    if bar is not None:
                        bar.update(1)

                await asyncio.gather(*(full(n) for n in compact))
                if staging is not None:
                    await staging
                staging = asyncio.ensure_future(asyncio.to_thread(staged.add, items))
            if staging is not None:
                await staging
        finally:
            if staging is not None and not staging.done():
                await asyncio.wait([staging])   # the file is closed next: let the page finish
            if bar is not None:
                bar.close()
    return incremental


def _feed_row(db: sqlite_utils.Database, url: str) -> dict | None:
    row = db.execute("SELECT url, watermark FROM feed WHERE url = ?", [url]).fetchone()
    return {"url": row[0], "watermark": row[1]} if row else None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _record(conn: sqlite3.Connection, url: str, report: SyncReport,
            watermark: str | None) -> None:
    conn.execute(
        "INSERT INTO feed (url, last_sync_at, last_result, report, watermark) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET last_sync_at = excluded."
        "last_sync_at, last_result = excluded.last_result, report = excluded.report, "
        "watermark = coalesce(excluded.watermark, feed.watermark)",
        [url, _now(), "ok" if report.ok else "failed", json.dumps(report.as_dict()), watermark])


def record_failure(db: sqlite_utils.Database, url: str, report: SyncReport) -> None:
    """Note a failed sync (its own small write: the directory itself is untouched)."""
    with write_transaction(db) as conn:
        _record(conn, url, report, None)


def apply_staged(db: sqlite_utils.Database, staged: StagedFeed, *, incremental: bool = False,
                 started: float | None = None) -> SyncReport:
    """Write a staged feed in one transaction, a chunk at a time (see the module docstring)."""
    started = time.perf_counter() if started is None else started
    url = staged.url
    report = SyncReport(url, incremental=incremental)
    terms: set[str] = set()
    shared: set[tuple[str, str]] = set()     # centres... already written: once is enough
    newest: str | None = None
    with write_transaction(db) as conn:
        overrides = _overrides(conn)     # again: staff may have corrected one while we read
        late = staged.reference_errors(conn)
        rejected = staged.rejected + late
        # Staff read problems against the feed's own ids.
        report.rejected = [RowError(str(staged.remote_id(e.service_id)), e.index, e.path,
                                    e.message) for e in rejected]
        for chunk in staged.services({e.index for e in late}):
            _lay_overrides(overrides, chunk)
            stored = existing_ids(conn, "service", [s["id"] for s in chunk],
                                  value="last_modified")
            fresh = [s for s in chunk if s["id"] not in stored or s.get("last_modified") is None
                     or s.get("last_modified") != stored[s["id"]]]
            added = sum(1 for s in fresh if s["id"] not in stored)
            report.added += added
            report.changed += len(fresh) - added
            report.unchanged += len(chunk) - len(fresh)
            newest = max([newest or ""] + [str(s["last_modified"]) for s in chunk
                                           if s.get("last_modified")]) or None
            if fresh:
                # Needs are worked out once, below, when every category's meaning is known.
                store.write_services(conn, fresh, infer_needs=False, shared_written=shared)
                terms |= {t for s in fresh for a in s.get("attributes") or [] for t in (
                    a.get("taxonomy_term_id"), (a.get("taxonomy_term") or {}).get("id")
                    if isinstance(a.get("taxonomy_term"), dict) else None) if t}
        written = report.added + report.changed
        if written:
            # New categories get their meaning worked out, then every service of this feed
            # is read again with it (directory/term_mapping.py).
            refresh_mappings(conn, terms)
        conn.executemany(
            "INSERT INTO feed_service (service_id, feed_url, remote_id) VALUES (?, ?, ?) "
            "ON CONFLICT(service_id) DO UPDATE SET feed_url = excluded.feed_url, "
            "remote_id = excluded.remote_id",
            ((sid, url, remote) for sid, remote in staged.seen()))
        if not incremental:
            gone = [r[0] for r in conn.execute(
                "SELECT f.service_id FROM feed_service f JOIN service s ON s.id = f.service_id "
                "WHERE f.feed_url = ? AND coalesce(s.status, 'active') != 'inactive'", [url])
                .fetchall() if not staged.has_seen(r[0])]
            conn.executemany("UPDATE service SET status = 'inactive' WHERE id = ?",
                             [(sid,) for sid in gone])
            report.withdrawn = len(gone)
        if written:
            write_inferred_needs(conn, [r[0] for r in conn.execute(
                "SELECT service_id FROM feed_service WHERE feed_url = ?", [url])])
        report.seconds = time.perf_counter() - started
        _record(conn, url, report, newest)
    return report


def sync_feed(db: sqlite_utils.Database, url: str, *, full: bool = False,
              limits: FeedLimits = FeedLimits(), progress: bool = False) -> SyncReport:
    """Read the feed at ``url`` and apply it atomically; a failure is reported, not raised."""
    url = url.rstrip("/")
    known = _feed_row(db, url)
    since = None if full or not known else known["watermark"]
    started = time.perf_counter()
    with StagedFeed(url, _overrides(db.conn)) as staged:
        try:
            incremental = asyncio.run(
                read_feed(url, staged, modified_after=since, limits=limits, progress=progress))
        except FeedError as exc:
            report = SyncReport(url, error=str(exc), seconds=time.perf_counter() - started)
            record_failure(db, url, report)
            return report
        return apply_staged(db, staged, incremental=incremental, started=started)


async def sync_feed_async(db_call: Any, url: str, *, limits: FeedLimits = FeedLimits()
                          ) -> SyncReport:
    """For a process already running an event loop: fetch here, write through ``db_call``
    (a function that runs ``fn(db)`` on a worker thread, like ``web.directory_pool``)."""
    url = url.rstrip("/")
    known = await db_call(lambda db: _feed_row(db, url))
    overrides = await db_call(lambda db: _overrides(db.conn))
    since = known["watermark"] if known else None
    started = time.perf_counter()
    with StagedFeed(url, overrides) as staged:
        try:
            incremental = await read_feed(url, staged, modified_after=since, limits=limits)
        except FeedError as exc:
            report = SyncReport(url, error=str(exc), seconds=time.perf_counter() - started)
            await db_call(lambda db: record_failure(db, url, report))
            return report
        return await db_call(lambda db: apply_staged(db, staged, incremental=incremental,
                                                     started=started))


def feed_status(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every feed with its last sync, result and report, for the staff page."""
    rows = db.execute("SELECT url, last_sync_at, last_result, report, "
                      "(SELECT count(*) FROM feed_service f JOIN service s ON s.id = f.service_id "
                      " WHERE f.feed_url = feed.url AND coalesce(s.status, 'active') = 'active') "
                      "FROM feed ORDER BY url").fetchall()
    return [{"url": u, "last_sync_at": at, "last_result": result,
             "report": json.loads(rep or "{}"), "active_services": n}
            for u, at, result, rep, n in rows]


def feed_of(db: sqlite_utils.Database, service_id: str) -> str | None:
    """The feed a service comes from (None for a service staff keep here)."""
    row = db.execute("SELECT feed_url FROM feed_service WHERE service_id = ?",
                     [service_id]).fetchone()
    return row[0] if row else None


def feed_urls(text: str | None) -> list[str]:
    """``SIGNPOST_FEED_URLS`` as a list (comma separated, blanks dropped)."""
    return [u.strip().rstrip("/") for u in (text or "").split(",") if u.strip()]
