"""Every staff write to the directory, each in ONE transaction with its audit row.

The staff area (``web/staff``) calls these on the directory's worker threads; ``actor`` is the
staff account's username. ``directory.store.write_transaction`` nests as a savepoint, so
``save_service`` runs inside our transaction: the change and its audit row are committed
together or not at all, and a version conflict rolls both back.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

import sqlite_utils

from directory import (audit, calendar_csv, callbacks, closed_days, csv_io, opening_hours, oruk,
                       reports, store, sync)
from directory.opening_hours import location_schedules
from directory.store import new_id, strip_shared


def service_version(db: sqlite_utils.Database, service_id: str) -> int:
    row = db.execute("SELECT version FROM service WHERE id = ?", [service_id]).fetchone()
    return int(row[0] or 0) if row else 0


def _snapshot(service: dict | None) -> dict | None:
    if service is None:
        return None
    return {k: v for k, v in service.items() if k not in ("organization",)}


class PartNotYours(PermissionError):
    """A save would change a part of a service that someone else keeps."""


class OtherCentresPart(PartNotYours):
    """An editor's save would drop or change the part of a service another centre runs."""


class FeedsPart(PartNotYours):
    """A save would change what only a council's feed can change: its sessions, places,
    phones or needs (a sync would put the feed's version back, and the edit would be lost)."""


def feeds_part(service: dict | None) -> str:
    """What only a feed changes on its service, in a comparable form: its sessions, places,
    phone numbers and needs (order and ids the staff form may add do not count)."""
    found = service or {}

    def sessions(items: Any) -> list[str]:
        return sorted(json.dumps(x, sort_keys=True, default=str) for x in items or [])

    return json.dumps({
        "sessions": sessions(found.get("schedules")),
        "places": sorted(json.dumps({"location_id": sal.get("location_id"),
                                     "sessions": sessions(sal.get("schedules"))}, sort_keys=True)
                         for sal in found.get("service_at_locations") or []),
        "phones": sorted(str(p.get("number") or "") for p in found.get("phones") or []),
        "needs": sorted({str(a.get("taxonomy_term_id")) for a in found.get("attributes") or []}),
    }, sort_keys=True)


def others_part(service: dict | None, own_centres: tuple[str, ...] | list[str]) -> str:
    """What of ``service`` belongs to centres not in ``own_centres``, in a comparable form: their
    places and sessions, and the service-wide sessions when any other centre runs the service
    (those are shared, so one centre's editor may not change them for everyone)."""
    places = (service or {}).get("service_at_locations") or []
    foreign = [
        json.dumps({"location_id": sal.get("location_id"),
                    "schedules": sorted(json.dumps(sc, sort_keys=True, default=str)
                                        for sc in sal.get("schedules") or [])}, sort_keys=True)
        for sal in places if sal.get("location_id") not in own_centres]
    if foreign:
        foreign.append(json.dumps(sorted(json.dumps(sc, sort_keys=True, default=str)
                                         for sc in (service or {}).get("schedules") or [])))
    return json.dumps(sorted(foreign))


def save_service(db: sqlite_utils.Database, service: dict, *, expected_version: int, actor: str,
                 action: str, own_centres: tuple[str, ...] | None = None) -> int:
    """Save through ``store.save_service`` with a version check, audited; returns the new version.

    ``own_centres``: the saver is an editor of these centres only, so the save must leave every
    other centre's places and sessions of the service as they were (``OtherCentresPart``).
    """
    with store.write_transaction(db):
        before = store.get_service(db, service["id"])
        version = store.save_service(db, service, expected_version=expected_version)
        after = store.get_service(db, service["id"])
        if own_centres is not None and others_part(before, own_centres) != others_part(after, own_centres):
            raise OtherCentresPart("You can only change this service at your own centres. "
                                   "Another centre's places and sessions must stay as they are.")
        if sync.is_feed_service(db.conn, service["id"]) and feeds_part(before) != feeds_part(after):
            raise FeedsPart("This service comes from the council's feed. Here you can correct "
                            "its name, description, web address, email, cost, ages, alert and "
                            "checked date. Ask the council to change its sessions, places, "
                            "phones or needs in their directory, or they would change back at "
                            "the next sync.")
        audit.record(db, actor=actor, action=action, table="service", record_id=service["id"],
                     before=_snapshot(before), after=_snapshot(after))
        # A correction to a council feed's service outlives the next sync (docs/feeds.md).
        sync.record_overrides(db.conn, before, after, actor)
    return version


def mark_checked(db: sqlite_utils.Database, service_id: str, *, expected_version: int,
                 actor: str, today: date | None = None) -> int:
    """"Mark as checked": the listing is still right today (ORUK ``assured_date``)."""
    service = store.get_service(db, service_id)
    if service is None:
        raise KeyError(service_id)
    service = strip_shared(service)
    service["assured_date"] = (today or date.today()).isoformat()
    return save_service(db, service, expected_version=expected_version, actor=actor,
                        action="checked")


# --- centres (ORUK locations) ----------------------------------------------------------------

LOCATION_COLUMNS = ("name", "description", "location_type", "latitude", "longitude")
ADDRESS_COLUMNS = ("address_1", "city", "region", "postal_code", "country", "address_type")


def get_location(db: sqlite_utils.Database, location_id: str) -> dict | None:
    """A centre with its first address and accessibility note, as the centre form needs it."""
    rows = list(db.query("SELECT * FROM location WHERE id = ?", [location_id]))
    if not rows:
        return None
    location = {k: v for k, v in rows[0].items() if k != "extra"}
    location["addresses"] = [{k: v for k, v in r.items() if k != "extra"} for r in db.query(
        "SELECT * FROM address WHERE location_id = ? ORDER BY rowid", [location_id])]
    location["accessibility"] = [{k: v for k, v in r.items() if k != "extra"} for r in db.query(
        "SELECT * FROM accessibility WHERE location_id = ? ORDER BY rowid", [location_id])]
    location["phones"] = [{k: v for k, v in r.items() if k != "extra"} for r in db.query(
        "SELECT * FROM phone WHERE location_id = ? ORDER BY rowid", [location_id])]
    location["schedules"] = [{k: v for k, v in r.items() if k != "extra" and v is not None}
                             for r in location_schedules(db, location_id)]
    return location


def fingerprint(location: dict | None) -> str:
    """Changes whenever the centre changes: the centre form's conflict check."""
    return hashlib.sha256(json.dumps(location, sort_keys=True, default=str).encode()).hexdigest()[:16]


class CentreConflict(Exception):
    """Someone saved this centre after you opened it."""

    def __init__(self, current: dict):
        self.current = current
        super().__init__("Someone else saved this centre while you were editing it.")


def save_location(db: sqlite_utils.Database, location_id: str, changes: dict[str, Any], *,
                  expected_fingerprint: str | None, actor: str, new_ids: dict[str, str]) -> None:
    """Create or update a centre, its first address, accessibility note and phone; audited.

    ``changes`` holds ``location``, ``address``, ``accessibility`` and ``phone`` dicts of
    columns, and optionally ``hours``: the opening hours as weekly schedule rows
    (``opening_hours.hours_from_days``), which replace the rows the form shows; rows it cannot
    show (a seasonal or monthly pattern from an import) are kept. ``new_ids`` gives ids for
    rows that do not exist yet.
    """
    with store.write_transaction(db) as conn:
        before = get_location(db, location_id)
        if expected_fingerprint is not None and fingerprint(before) != expected_fingerprint:
            raise CentreConflict(before)
        loc = changes["location"]
        if before is None:
            columns = ("id", *LOCATION_COLUMNS)
            conn.execute(f"INSERT INTO location ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                         [location_id, *(loc.get(c) for c in LOCATION_COLUMNS)])
        else:
            conn.execute(f"UPDATE location SET {', '.join(f'{c} = ?' for c in LOCATION_COLUMNS)} WHERE id = ?",
                         [*(loc.get(c) for c in LOCATION_COLUMNS), location_id])
        for table, key, columns in (("address", "address", ADDRESS_COLUMNS),
                                    ("phone", "phone", ("number",))):
            values = changes[key]
            existing = (before or {}).get("addresses" if table == "address" else "phones") or []
            empty = not any(values.get(c) for c in columns if c not in ("country", "address_type"))
            if existing:
                if empty and table != "address":
                    conn.execute(f"DELETE FROM [{table}] WHERE id = ?", [existing[0]["id"]])
                else:
                    conn.execute(f"UPDATE [{table}] SET {', '.join(f'[{c}] = ?' for c in columns)} WHERE id = ?",
                                 [*(values.get(c) for c in columns), existing[0]["id"]])
            elif not empty:
                cols = ("id", "location_id", *columns)
                conn.execute(f"INSERT INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             [new_ids[table], location_id, *(values.get(c) for c in columns)])
        # Accessibility: one row per feature. Features the form offers are added or removed as
        # ticked; rows describing anything else (from an import) are kept as they are.
        wanted, offered = changes["accessibility"]["features"], changes["accessibility"]["offered"]
        have = {row["description"]: row for row in (before or {}).get("accessibility") or []}
        for description, row in have.items():
            if description in offered and description not in wanted:
                conn.execute("DELETE FROM accessibility WHERE id = ?", [row["id"]])
        for description in wanted:
            if description not in have:
                conn.execute("INSERT INTO accessibility (id, location_id, description) VALUES (?, ?, ?)",
                             [new_id(), location_id, description])
        if "hours" in changes:
            for row in opening_hours.editable((before or {}).get("schedules") or []):
                conn.execute("DELETE FROM schedule WHERE id = ?", [row["id"]])
            for row in changes["hours"]:
                cols = ("id", "location_id", *row)
                conn.execute(f"INSERT INTO schedule ({', '.join(cols)}) "
                             f"VALUES ({', '.join('?' * len(cols))})",
                             [new_id(), location_id, *row.values()])
        after = get_location(db, location_id)
        audit.record(db, actor=actor, action="create" if before is None else "update",
                     table="location", record_id=location_id, before=before, after=after)


# --- words parents use (taxonomy_term_phrase, source "staff") --------------------------------

def add_phrase(db: sqlite_utils.Database, term_id: str, phrase: str, *, actor: str) -> bool:
    """Add a staff phrase (search sees it at once); audited. True if it was new."""
    with store.write_transaction(db):
        added = store.add_phrase(db, term_id, phrase)
        if added:
            audit.record(db, actor=actor, action="create", table="taxonomy_term_phrase",
                         record_id=term_id, after={"taxonomy_term_id": term_id,
                                                   "phrase": " ".join(phrase.split())})
    return added


def remove_phrase(db: sqlite_utils.Database, phrase_id: int, *, actor: str) -> dict | None:
    """Remove a phrase staff added (phrases from taxonomy.yml stay); audited."""
    with store.write_transaction(db) as conn:
        rows = list(db.query("SELECT * FROM taxonomy_term_phrase WHERE id = ? AND source = 'staff'",
                             [phrase_id]))
        if not rows:
            return None
        conn.execute("DELETE FROM taxonomy_term_phrase WHERE id = ?", [phrase_id])
        audit.record(db, actor=actor, action="delete", table="taxonomy_term_phrase",
                     record_id=rows[0]["taxonomy_term_id"], before=rows[0])
        ids = [r[0] for r in conn.execute(
            "SELECT link_id FROM attribute WHERE link_entity = 'service' AND taxonomy_term_id = ?",
            [rows[0]["taxonomy_term_id"]])]
        store.reindex_services(db, ids)
    return rows[0]


# --- term dates and closures (calendar_period, directory.closed_days) ----------------------

class PeriodInvalid(ValueError):
    """A term or closure that cannot be saved; ``problems`` says why, in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def save_period(db: sqlite_utils.Database, data: dict[str, Any], *, actor: str) -> str:
    """Add a term or closure (or change one, when ``data`` has the ``id`` of one); audited.
    Returns its id; raises ``PeriodInvalid``."""
    period, problems = closed_days.read_period({**data, "id": data.get("id") or new_id()})
    if period is not None:
        problems = closed_days.missing_links(db, period)
    if problems or period is None:
        raise PeriodInvalid(problems)
    row = period.as_dict()
    with store.write_transaction(db) as conn:
        before = closed_days.get_period(db, period.id)
        columns = closed_days.PERIOD_COLUMNS
        conn.execute(f"INSERT OR REPLACE INTO calendar_period ({', '.join(columns)}) "
                     f"VALUES ({', '.join('?' * len(columns))})", [row[c] for c in columns])
        audit.record(db, actor=actor, action="create" if before is None else "update",
                     table="calendar_period", record_id=period.id,
                     before=before.as_dict() if before else None, after=row)
    return period.id


def delete_period(db: sqlite_utils.Database, period_id: str, *, actor: str) -> bool:
    """Remove a term or closure; audited. False when there was none."""
    with store.write_transaction(db) as conn:
        before = closed_days.get_period(db, period_id)
        if before is None:
            return False
        conn.execute("DELETE FROM calendar_period WHERE id = ?", [period_id])
        audit.record(db, actor=actor, action="delete", table="calendar_period",
                     record_id=period_id, before=before.as_dict())
    return True


def import_dates(db: sqlite_utils.Database, raw: bytes | str, *, actor: str,
                 filename: str) -> int:
    """Import the dates sheet (all or nothing, ``oruk.ImportRejected``) with its audit row."""
    with store.write_transaction(db):
        before = len(closed_days.list_periods(db))
        count = calendar_csv.import_dates_csv(db, raw)
        audit.record(db, actor=actor, action="import", table="calendar_period", record_id="*",
                     before={"periods": before},
                     after={"file": filename, "rows": count,
                            "periods": len(closed_days.list_periods(db))})
    return count


# --- call-backs ------------------------------------------------------------------------------

def close_callback(db: sqlite_utils.Database, callback_id: int, *, actor: str) -> dict:
    """Close a call-back request; the close and its audit row together, or neither."""
    with store.write_transaction(db):
        before = callbacks.get_callback(db, callback_id)
        closed = callbacks.close_callback(db, callback_id, actor)
        audit.record(db, actor=actor, action="close", table="callback", record_id=str(callback_id),
                     before={"status": before["status"]},
                     after={"status": closed["status"], "closed_by": closed["closed_by"],
                            "closed_at": closed["closed_at"]})
    return closed


def delete_callback(db: sqlite_utils.Database, callback_id: int, *, actor: str) -> None:
    """Delete a call-back request now (a parent asked us to); audited without contact details."""
    with store.write_transaction(db):
        row = callbacks.delete_callback(db, callback_id)
        audit.record(db, actor=actor, action="delete", table="callback", record_id=str(callback_id),
                     before={"status": row["status"], "centre_id": row["centre_id"]},
                     after={"deleted": True})


# --- "this is wrong" reports ----------------------------------------------------------------

#: The audit log's actor for something a parent did (parents have no account).
PARENT = "parent"


def file_report(db: sqlite_utils.Database, *, service_id: str, reason: str,
                location_id: str | None = None, details: str | None = None,
                consent: bool = False, source: str = "search_page") -> int:
    """A parent's report with its audit row; the audit row never holds the parent's words
    (the audit log is kept for ever), only whether there were any."""
    with store.write_transaction(db):
        report_id = reports.create_report(db, service_id=service_id, reason=reason,
                                          location_id=location_id, details=details,
                                          consent=consent)
        row = reports.get_report(db, report_id)
        audit.record(db, actor=PARENT, action="report", table="listing_report",
                     record_id=str(report_id),
                     after={"service_id": row["service_id"], "location_id": row["location_id"],
                            "reason": row["reason"], "has_details": bool(row["details"]),
                            "source": source})
    return report_id


def close_report(db: sqlite_utils.Database, report_id: int, *, actor: str) -> dict:
    """Mark a report done (the listing is put right, or was right); audited."""
    with store.write_transaction(db):
        before = reports.get_report(db, report_id)
        done = reports.mark_done(db, report_id, actor)
        audit.record(db, actor=actor, action="close", table="listing_report",
                     record_id=str(report_id), before={"status": before["status"]},
                     after={"status": done["status"], "done_by": done["done_by"],
                            "done_at": done["done_at"]})
    return done


# --- imports ---------------------------------------------------------------------------------

def _run_import(db: sqlite_utils.Database, kind: str, payload: Any,
                replace: bool) -> oruk.ImportReport:
    if kind == "csv":
        return csv_io.import_csv(db, payload, replace=replace)
    return oruk.import_oruk(db, payload, replace=replace)


class _DryRun(Exception):
    """Raised to roll back a trial import once its report is known."""


def trial_import(db: sqlite_utils.Database, kind: str, payload: Any,
                 replace: bool) -> tuple[oruk.ImportReport, int]:
    """``(report, services before)`` of the real import, run inside a transaction that is always
    rolled back: an exact preview. ``kind`` is "json" (a list of services) or "csv" (bytes)."""
    before = store.service_count(db)
    try:
        with store.write_transaction(db):
            report = _run_import(db, kind, payload, replace)
            raise _DryRun(report)
    except _DryRun as done:
        return done.args[0], before


def apply_import(db: sqlite_utils.Database, payload: Any, *, replace: bool, actor: str,
                 filename: str, kind: str = "json") -> oruk.ImportReport:
    """Import in ONE transaction with its audit row: all of it, or (on any failure or crash) none."""
    with store.write_transaction(db):
        before = store.service_count(db)
        report = _run_import(db, kind, payload, replace)
        audit.record(db, actor=actor, action="import", table="service", record_id="*",
                     before={"services": before},
                     after={"file": filename, "services": store.service_count(db),
                            "created": report.created, "updated": report.updated,
                            "replaced": replace, "service_ids": report.service_ids})
    return report
