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
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import aiohttp

import sqlite_utils

from directory import store
from directory.feed_client import FeedClient, FeedError, FeedLimits
from directory.needs import write_inferred_needs
from directory.probe import probe_modified_after
from directory.shape import existing_ids
from directory.store import write_transaction
from directory.term_mapping import refresh_mappings
from directory.validation import RowError, check_references, validate_services

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
    """The id a feed's record is stored under: a UUID from the feed and the feed's own id."""
    return str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, feed_url.rstrip("/")), str(remote_id)))


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


def _apply_overrides(conn: sqlite3.Connection, services: list[Any]) -> None:
    """Lay staff corrections over the feed's versions (the feed's own value is not stored)."""
    found: dict[str, dict[str, Any]] = {}
    for sid, fld, value in conn.execute("SELECT service_id, field, value FROM feed_override"):
        found.setdefault(sid, {})[fld] = json.loads(value)
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


async def fetch_feed(url: str, *, modified_after: str | None = None,
                     limits: FeedLimits = FeedLimits(), progress: bool = False
                     ) -> tuple[list[Any], bool]:
    """Every service of the feed as full objects (the feed's own ids), and whether the list
    was the incremental one. Raises ``FeedError``."""
    bar = None
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=limits.timeout_s)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        client = FeedClient(url, session, limits)
        if modified_after and not (await probe_modified_after(client)).supports(
                "modified_after"):
            modified_after = None     # the feed ignores the filter: read it all, withdraw gone
        items = await client.list_services(modified_after=modified_after)
        incremental = bool(modified_after) and all(
            isinstance(i, dict) and str(i.get("last_modified") or "") >= modified_after
            for i in items)
        compact = [n for n, item in enumerate(items) if isinstance(item, dict)
                   and _is_compact(item) and isinstance(item.get("id"), (str, int))]
        if progress and compact:
            from tqdm import tqdm
            bar = tqdm(total=len(compact), desc="Reading services", unit=" services",
                       file=sys.stderr, leave=False)

        async def full(n: int) -> None:
            items[n] = await client.service(items[n]["id"])
            if bar is not None:
                bar.update(1)

        try:
            await asyncio.gather(*(full(n) for n in compact))
        finally:
            if bar is not None:
                bar.close()
    return items, incremental


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


def _accepted(conn: sqlite3.Connection, services: list[Any],
              rejected: list[RowError]) -> list[dict]:
    """The services that pass every check, in order; the others' problems go to ``rejected``."""
    errors = validate_services(services)
    rejected += errors
    bad = {e.index for e in errors}
    good = [(n, s) for n, s in enumerate(services) if n not in bad]
    while good:
        errors = check_references(conn, [s for _n, s in good])
        if not errors:
            break
        drop = {e.index for e in errors}
        rejected += [RowError(e.service_id, good[e.index][0], e.path, e.message) for e in errors]
        good = [g for i, g in enumerate(good) if i not in drop]
    return [s for _n, s in good]


def apply_sync(db: sqlite_utils.Database, url: str, items: list[Any], *,
               incremental: bool = False) -> SyncReport:
    """Write a fetched feed in one transaction (see the module docstring)."""
    started = time.perf_counter()
    report = SyncReport(url, incremental=incremental)
    remote_ids: dict[str, Any] = {}
    services = []
    for item in items:
        local = namespaced(url, item)
        if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
            remote_ids[local["id"]] = item["id"]
        services.append(local)
    with write_transaction(db) as conn:
        _apply_overrides(conn, services)
        accepted = _accepted(conn, services, report.rejected)
        # Staff read problems against the feed's own ids.
        report.rejected = [RowError(str(remote_ids.get(e.service_id, e.service_id)), e.index,
                                    e.path, e.message) for e in report.rejected]
        stored = existing_ids(conn, "service", [s["id"] for s in accepted], value="last_modified")
        fresh = [s for s in accepted if s["id"] not in stored
                 or s.get("last_modified") is None or s.get("last_modified") != stored[s["id"]]]
        report.unchanged = len(accepted) - len(fresh)
        report.added = sum(1 for s in fresh if s["id"] not in stored)
        report.changed = len(fresh) - report.added
        if fresh:
            store.write_services(conn, fresh)
            # New categories get their meaning worked out, then every service of this feed
            # is read again with it (directory/term_mapping.py).
            refresh_mappings(conn, {a["taxonomy_term_id"] for s in fresh
                                    for a in s.get("attributes") or []
                                    if a.get("taxonomy_term_id")} | {
                a["taxonomy_term"]["id"] for s in fresh for a in s.get("attributes") or []
                if isinstance(a.get("taxonomy_term"), dict) and a["taxonomy_term"].get("id")})
        seen = {s["id"] for s in services if isinstance(s, dict) and "id" in s}
        conn.executemany(
            "INSERT INTO feed_service (service_id, feed_url, remote_id) VALUES (?, ?, ?) "
            "ON CONFLICT(service_id) DO UPDATE SET feed_url = excluded.feed_url, "
            "remote_id = excluded.remote_id",
            [(sid, url, str(remote_ids.get(sid, ""))) for sid in seen if sid in remote_ids])
        if not incremental:
            gone = [r[0] for r in conn.execute(
                "SELECT f.service_id FROM feed_service f JOIN service s ON s.id = f.service_id "
                "WHERE f.feed_url = ? AND coalesce(s.status, 'active') != 'inactive'", [url])
                if r[0] not in seen]
            conn.executemany("UPDATE service SET status = 'inactive' WHERE id = ?",
                             [(sid,) for sid in gone])
            report.withdrawn = len(gone)
        if fresh:
            write_inferred_needs(conn, [r[0] for r in conn.execute(
                "SELECT service_id FROM feed_service WHERE feed_url = ?", [url])])
        newest = max((str(s.get("last_modified")) for s in accepted if s.get("last_modified")),
                     default=None)
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
    try:
        items, incremental = asyncio.run(
            fetch_feed(url, modified_after=since, limits=limits, progress=progress))
    except FeedError as exc:
        report = SyncReport(url, error=str(exc), seconds=time.perf_counter() - started)
        record_failure(db, url, report)
        return report
    return apply_sync(db, url, items, incremental=incremental)


async def sync_feed_async(db_call: Any, url: str, *, limits: FeedLimits = FeedLimits()
                          ) -> SyncReport:
    """For a process already running an event loop: fetch here, write through ``db_call``
    (a function that runs ``fn(db)`` on a worker thread, like ``web.directory_pool``)."""
    url = url.rstrip("/")
    known = await db_call(lambda db: _feed_row(db, url))
    since = known["watermark"] if known else None
    try:
        items, incremental = await fetch_feed(url, modified_after=since, limits=limits)
    except FeedError as exc:
        report = SyncReport(url, error=str(exc))
        await db_call(lambda db: record_failure(db, url, report))
        return report
    return await db_call(lambda db: apply_sync(db, url, items, incremental=incremental))


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
