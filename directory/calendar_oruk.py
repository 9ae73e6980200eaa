"""Term dates and closures in ORUK JSON: the ``closures`` and ``term_dates`` extension keys.

ORUK 3.0 has no place for an authority's term dates or a closure, so a service object carries
two extension keys (``docs/csv.md``, "In ORUK JSON"), each a list of periods written with the
ORUK schedule field names ``valid_from``, ``valid_to`` and ``description``:

- ``closures``: every closure that stops the service: ``applies_to`` ``service`` (its own),
  ``centre`` (with ``location_id``) or ``authority`` (everything);
- ``term_dates``: the authority's terms, on a service with a ``term_time_only`` schedule.

So ``GET /oruk/services/{id}`` and an ORUK export say what search knows. On import
(``directory.oruk.import_oruk``) a service with a ``closures`` key gets exactly those as its
own closures; centre and authority closures and terms are added or updated by ``id`` (listed
on many services, they are never deleted by one). A file without the keys changes no dates.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Iterable

import sqlite_utils

from directory import closed_days
from directory.closed_days import Period, read_period
from directory.validation import RowError

EXTENSION_KEYS = ("closures", "term_dates")


def _oruk_period(period: Period, with_scope: bool) -> dict[str, Any]:
    item: dict[str, Any] = {"id": period.id, "valid_from": period.valid_from.isoformat(),
                            "valid_to": period.valid_to.isoformat()}
    if period.description:
        item["description"] = period.description
    if with_scope:
        item["applies_to"] = period.scope
        if period.location_id:
            item["location_id"] = period.location_id
    return item


def _term_time(service: dict[str, Any]) -> bool:
    rows = list(service.get("schedules") or [])
    for sal in service.get("service_at_locations") or []:
        rows += sal.get("schedules") or []
    return any(row.get("term_time_only") is True for row in rows)


def add_to_services(db: sqlite_utils.Database, services: list[dict[str, Any]]) -> None:
    """Put each service's ``closures`` (and ``term_dates`` when term-time) on it, in place."""
    terms = closed_days.list_periods(db, kind="term")
    for service in services:
        closures = closed_days.list_periods(db, kind="closure", service_id=service["id"])
        if closures:
            service["closures"] = [_oruk_period(p, True) for p in closures]
        if terms and _term_time(service):
            service["term_dates"] = [_oruk_period(p, False) for p in terms]


def take_from_services(services: list[dict[str, Any]]) -> tuple[
        dict[str, list[Period]], list[Period], list[RowError]]:
    """Pop the extension keys off ``services`` (so the store never sees them) and check them.

    Returns each service's own closures (for services that carried ``closures``), the shared
    periods (centre and authority closures, terms) and every problem.
    """
    own: dict[str, list[Period]] = {}
    shared: dict[str, Period] = {}
    errors: list[RowError] = []
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            continue
        sid = str(service.get("id") or "")
        for key in EXTENSION_KEYS:
            if key not in service:
                continue
            items = service.pop(key)
            if not isinstance(items, list):
                errors.append(RowError(sid or None, index, key, "must be a list of periods"))
                continue
            if key == "closures":
                own[sid] = []
            for number, item in enumerate(items):
                path = f"{key}[{number}]"
                if not isinstance(item, dict):
                    errors.append(RowError(sid or None, index, path, "must be an object"))
                    continue
                scope = item.get("applies_to", "service") if key == "closures" else None
                if key == "closures" and scope not in closed_days.SCOPES:
                    errors.append(RowError(sid or None, index, f"{path}.applies_to",
                                           "must be service, centre or authority"))
                    continue
                data = {"id": item.get("id"), "valid_from": item.get("valid_from"),
                        "valid_to": item.get("valid_to"),
                        "description": item.get("description"),
                        "kind": "term" if key == "term_dates" else "closure",
                        "service_id": sid if scope == "service" else None,
                        "location_id": item.get("location_id") if scope == "centre" else None}
                if scope == "centre" and not data["location_id"]:
                    errors.append(RowError(sid or None, index, f"{path}.location_id",
                                           "a centre closure needs the centre's location_id"))
                    continue
                if not str(item.get("id") or "").strip():
                    errors.append(RowError(sid or None, index, f"{path}.id", "is missing"))
                    continue
                period, problems = read_period(data)
                errors += [RowError(sid or None, index, path, p) for p in problems]
                if period is None:
                    continue
                if scope == "service":
                    own[sid].append(period)
                else:
                    shared[period.id] = period
    return own, list(shared.values()), errors


def upsert_period(conn: sqlite3.Connection, period: Period) -> None:
    row = period.as_dict()
    columns = closed_days.PERIOD_COLUMNS
    conn.execute(f"INSERT OR REPLACE INTO calendar_period ({', '.join(columns)}) "
                 f"VALUES ({', '.join('?' * len(columns))})", [row[c] for c in columns])


def write_from_services(conn: sqlite3.Connection, own: dict[str, list[Period]],
                        shared: Iterable[Period]) -> None:
    """Write what ``take_from_services`` read, inside the import's transaction."""
    for service_id, periods in own.items():
        conn.execute("DELETE FROM calendar_period WHERE service_id = ?", [service_id])
        for period in periods:
            upsert_period(conn, period)
    for period in shared:
        upsert_period(conn, period)


def link_problems(conn: sqlite3.Connection, own: dict[str, list[Period]],
                  shared: Iterable[Period]) -> list[RowError]:
    """A shared period naming a centre the directory (with the import) does not have."""
    errors = []
    for period in shared:
        if period.location_id and not conn.execute("SELECT 1 FROM location WHERE id = ?",
                                                    [period.location_id]).fetchone():
            errors.append(RowError(None, 0, "closures",
                                   f"closure {period.id!r} names centre "
                                   f"{period.location_id!r}, which is not in the directory"))
    return errors
