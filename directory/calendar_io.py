"""Term dates and closures in and out: the ORUK extension keys and the dates spreadsheet.

ORUK 3.0 has no place for an authority's term dates or a closure, so a service object carries
two extension keys (``docs/csv.md``, "Term dates and closures"), each a list of periods written
with the ORUK schedule field names ``valid_from``, ``valid_to`` and ``description``:

- ``closures``: every closure that stops the service: ``applies_to`` ``service`` (its own),
  ``centre`` (with ``location_id``) or ``authority`` (everything);
- ``term_dates``: the authority's terms, on a service with a ``term_time_only`` schedule.

So ``GET /oruk/services/{id}`` and an ORUK export say what search knows. On import a service
with a ``closures`` key gets exactly those as its own closures; centre and authority closures
and terms are added or updated by ``id`` (listed on many services, they are never deleted by
one). A file without the keys changes no dates.

The dates spreadsheet (``DATE_COLUMNS``) holds every period, one a row; its import is all or
nothing, with line and column in every problem, like the service sheet (``csv_io``).
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from pathlib import Path
from typing import IO, Any, Iterable

import sqlite_utils

from directory import closed_days, csv_io
from directory.closed_days import Period, read_period
from directory.csv_io import CsvError
from directory.oruk import ImportRejected
from directory.store import new_id, write_transaction
from directory.validation import RowError

EXTENSION_KEYS = ("closures", "term_dates")
DATE_COLUMNS = ("period_id", "kind", "valid_from", "valid_to", "centre_id", "service_id",
                "description")
_DATE_ALIASES = {"id": "period_id", "from": "valid_from", "to": "valid_to",
                 "location_id": "centre_id", "what": "kind"}


# --- ORUK ------------------------------------------------------------------------------------

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


def _upsert(conn: sqlite3.Connection, period: Period) -> None:
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
            _upsert(conn, period)
    for period in shared:
        _upsert(conn, period)


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


# --- the dates spreadsheet --------------------------------------------------------------------

def _header_key(raw: str) -> str:
    key = re.sub(r"[\s\-]+", "_", raw.strip().lstrip("\ufeff").lower())
    return _DATE_ALIASES.get(key, key)


def periods_from_csv(db: sqlite_utils.Database, source: str | Path | IO | bytes
                     ) -> list[Period]:
    """The periods in a dates sheet, checked; ``ImportRejected`` (``CsvError``s) if any is wrong."""
    text = csv_io._read_text(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    errors: list[CsvError] = []
    try:
        header = [_header_key(h) for h in next(reader)]
    except StopIteration:
        raise ImportRejected([CsvError(1, "", None, "The file is empty. The first line must "
                                                    "name the columns (see docs/csv.md).")])
    for raw, key in zip(header, header):
        if key and key not in DATE_COLUMNS:
            errors.append(CsvError(1, raw, None, f"'{raw}' is not a column we know. Known "
                                                 f"columns: {', '.join(DATE_COLUMNS)}"))
    for need in ("valid_from", "valid_to"):
        if need not in header:
            errors.append(CsvError(1, need, None, f"the column {need} is missing"))
    periods: list[Period] = []
    seen: dict[str, int] = {}
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            row = {k: csv_io._unguard(v).strip() for k, v in zip(header, values) if k}
            cell_errors: list[CsvError] = []
            dates = {c: csv_io._date(row.get(c, ""), c, line, cell_errors, None)
                     for c in ("valid_from", "valid_to")}
            errors += cell_errors
            if cell_errors:
                continue
            period_id = row.get("period_id") or new_id()
            if period_id in seen:
                errors.append(CsvError(line, "period_id", None, f"{period_id!r} is already on "
                                                                f"line {seen[period_id]}"))
                continue
            seen[period_id] = line
            period, problems = read_period({
                "id": period_id, "kind": row.get("kind") or "closure", **dates,
                "location_id": row.get("centre_id"), "service_id": row.get("service_id"),
                "description": row.get("description")})
            if period is not None:
                problems = closed_days.missing_links(db, period)
            for problem in problems:
                column = next((c for c in DATE_COLUMNS if problem.startswith(c)), "")
                if "centre" in problem and not column:
                    column = "centre_id"
                elif "service" in problem and not column:
                    column = "service_id"
                errors.append(CsvError(line, column, None, problem))
            if period is not None and not problems:
                periods.append(period)
    except csv.Error as exc:
        errors.append(CsvError(reader.line_num, "", None, f"this line cannot be read as CSV: "
                                                          f"{exc}"))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return periods


def import_dates_csv(db: sqlite_utils.Database, source: str | Path | IO | bytes, *,
                     replace: bool = False) -> int:
    """Add or update the sheet's periods by ``period_id`` (``replace``: drop all others first),
    in one transaction; returns how many rows were read."""
    periods = periods_from_csv(db, source)
    with write_transaction(db) as conn:
        if replace:
            conn.execute("DELETE FROM calendar_period")
        for period in periods:
            _upsert(conn, period)
    return len(periods)


def export_dates_csv(db: sqlite_utils.Database, out: IO[str] | None = None) -> str | None:
    """Every period in the dates layout; returns the text when ``out`` is None."""
    target = out if out is not None else io.StringIO(newline="")
    writer = csv.DictWriter(target, fieldnames=DATE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for p in closed_days.list_periods(db):
        writer.writerow({"period_id": csv_io._guard(p.id), "kind": p.kind,
                         "valid_from": p.valid_from.isoformat(),
                         "valid_to": p.valid_to.isoformat(),
                         "centre_id": csv_io._guard(p.location_id or ""),
                         "service_id": csv_io._guard(p.service_id or ""),
                         "description": csv_io._guard(p.description)})
    return target.getvalue() if out is None else None


def write_dates_csv(db: sqlite_utils.Database, path: str | Path) -> int:
    """Export to a file (UTF-8 with a byte-order mark, for Excel); returns how many periods."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        export_dates_csv(db, fh)
    tmp.replace(path)
    return len(closed_days.list_periods(db))
