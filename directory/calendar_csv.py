"""Term dates and closures in the dates spreadsheet (``docs/csv.md``): one period a row.

Its import is all or nothing, with line and column in every problem, like the service sheet
(``directory.csv_io``). ``DATE_COLUMNS`` is the layout's one definition.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import IO

import sqlite_utils

from directory import closed_days, csv_io
from directory.calendar_oruk import upsert_period
from directory.closed_days import Period, read_period
from directory.csv_io import CsvError
from directory.oruk import ImportRejected
from directory.store import new_id, write_transaction

DATE_COLUMNS = ("period_id", "kind", "valid_from", "valid_to", "centre_id", "service_id",
                "description")
_DATE_ALIASES = {"id": "period_id", "from": "valid_from", "to": "valid_to",
                 "location_id": "centre_id", "what": "kind"}


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
            upsert_period(conn, period)
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
