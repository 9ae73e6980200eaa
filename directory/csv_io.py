"""The staff spreadsheet: one row per session, read into ORUK services and written back out.

Staff keep the directory in a spreadsheet more often than in JSON. ``import_csv`` turns the
rows into full ORUK services and hands them to ``oruk.import_oruk``: the same checks, the same
single transaction, so a sheet with one bad row changes nothing. Errors name the CSV line and
column. The layout is documented in ``docs/csv.md``; ``COLUMNS`` is its one definition here.

A CSV holds only what staff edit. Importing one onto a directory that has more (contacts,
accessibility notes, other phones) keeps the rest: each service and centre starts from what
is stored and only the spreadsheet's fields are replaced.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Iterable

import sqlite_utils

from common.days import DAY_NAMES, day_code
from directory import opening_hours, oruk, shape, store
from directory.oruk import ImportRejected, ImportReport

COLUMNS: tuple[str, ...] = (
    "service_id", "service_name", "description", "needs", "min_age", "max_age", "cost",
    "phone", "email", "website", "status",
    "centre_id", "centre_name", "address", "town", "county", "postcode", "latitude", "longitude",
    "centre_opening_hours",
    "session_id", "days", "frequency", "week_of_month", "day_of_month", "interval",
    "opens_at", "closes_at", "first_date", "valid_from", "valid_to", "by_appointment",
    "session_description", "term_time_only", "bank_holidays",
)
REQUIRED = ("service_id", "service_name")
ALIASES = {"day": "days", "name": "service_name", "centre": "centre_name", "post_code": "postcode",
           "town_or_village": "town", "needs_term_ids": "needs"}
SERVICE_COLUMNS = ("service_name", "description", "needs", "min_age", "max_age", "cost", "phone",
                   "email", "website", "status")
CENTRE_COLUMNS = ("centre_name", "address", "town", "county", "postcode", "latitude", "longitude",
                  "centre_opening_hours")
SESSION_COLUMNS = ("session_id", "days", "frequency", "week_of_month", "day_of_month",
                   "interval", "opens_at", "closes_at", "first_date", "valid_from", "valid_to",
                   "by_appointment", "session_description", "term_time_only", "bank_holidays")
NUMBER_COLUMNS = frozenset({"min_age", "max_age", "latitude", "longitude", "interval"})

_ORDINAL_DAY = re.compile(r"^([+-]?[1-5])(MO|TU|WE|TH|FR|SA|SU)$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Which CSV column an ORUK field comes from, to point errors at the right cell.
_FIELD_COLUMN = {
    "name": "service_name", "description": "description", "minimum_age": "min_age",
    "maximum_age": "max_age", "email": "email", "url": "website", "status": "status",
    "attributes": "needs", "cost_options": "cost", "phones": "phone",
    "location.name": "centre_name", "location.latitude": "latitude",
    "location.longitude": "longitude", "address_1": "address", "city": "town",
    "state_province": "county", "postal_code": "postcode", "location_id": "centre_id",
    "byday": "days", "freq": "frequency", "bymonthday": "day_of_month", "interval": "interval",
    "opens_at": "opens_at", "closes_at": "closes_at", "dtstart": "first_date",
    "valid_from": "valid_from", "valid_to": "valid_to",
}


@dataclass(frozen=True)
class CsvError:
    """One problem in the spreadsheet: the line (1 is the header) and column to fix."""

    line: int
    column: str
    service_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "service_id": self.service_id,
                "message": self.message}


# --------------------------------------------------------------------------------------------
# Reading

def _read_text(source: str | Path | IO | bytes) -> str:
    if isinstance(source, bytes):
        raw = source
    elif isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                      and source.lower().endswith(".csv")):
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise oruk.ImportFileError(f"There is no file at {source}.") from None
    elif isinstance(source, str):
        return source
    else:
        data = source.read()
        if isinstance(data, str):
            return data
        raw = data
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise oruk.ImportFileError(
            f"The spreadsheet is not UTF-8 text (byte {exc.start} cannot be read). In Excel "
            f"choose Save As, then 'CSV UTF-8 (Comma delimited)', and try again.") from None


def _unguard(value: str) -> str:
    """Undo the quote ``export_csv`` puts before text that a spreadsheet would run as a formula."""
    if len(value) > 1 and value[0] == "'" and value[1] in _FORMULA_START:
        return value[1:]
    return value


def read_rows(source: str | Path | IO | bytes) -> tuple[list[tuple[int, dict[str, str]]],
                                                        list[CsvError]]:
    """(line number, row) pairs with known column names, and any layout problems."""
    text = _read_text(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [CsvError(1, "", None, "The file is empty. The first line must name the "
                                          "columns (see docs/csv.md).")]
    except csv.Error as exc:
        return [], [CsvError(1, "", None, f"The first line cannot be read as CSV: {exc}")]
    names = []
    errors: list[CsvError] = []
    for raw in header:
        key = re.sub(r"[\s\-]+", "_", raw.strip().lstrip("\ufeff").lower())
        key = ALIASES.get(key, key)
        if key and key not in COLUMNS:
            errors.append(CsvError(1, raw, None, f"'{raw}' is not a column we know. Known "
                                                 f"columns: {', '.join(COLUMNS)}"))
        names.append(key)
    for need in REQUIRED:
        if need not in names:
            errors.append(CsvError(1, need, None, f"the column {need} is missing"))
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    for d in dupes:
        errors.append(CsvError(1, d, None, f"the column {d} appears more than once"))
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(names):
                errors.append(CsvError(line, "", None, f"this line has {len(values)} cells but "
                                                       f"the header names {len(names)} columns"))
                continue
            row = {n: _unguard(v) for n, v in zip(names, values) if n in COLUMNS}
            rows.append((line, row))
    except csv.Error as exc:  # Python 3.10's csv refuses NUL bytes itself
        message = ("contains a hidden control character (code 0); please remove it"
                   if "NUL" in str(exc) else f"this line cannot be read as CSV: {exc}")
        errors.append(CsvError(reader.line_num, "", None, message))
    return rows, errors


# --------------------------------------------------------------------------------------------
# Rows -> services

def _number(value: str, column: str, line: int, errors: list[CsvError], sid: str | None):
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        errors.append(CsvError(line, column, sid, f"must be a number, not {value!r}"))
        return None
    return int(number) if number.is_integer() and column != "latitude" and \
        column != "longitude" else number


def _date(value: str, column: str, line: int, errors: list[CsvError], sid: str | None):
    """ISO dates pass through; 25/12/2026 (how UK spreadsheets show dates) becomes 2026-12-25."""
    value = value.strip()
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    errors.append(CsvError(line, column, sid, f"must be a date like 2026-12-25 or 25/12/2026, "
                                              f"not {value!r}"))
    return None


def _days(value: str, week: str, line: int, errors: list[CsvError], sid: str | None) -> str | None:
    """'Mon; Wed' -> 'MO,WE'; with week_of_month '1' -> '1MO,1WE'; '1SA' passes through."""
    tokens = [t for t in re.split(r"[;,/\s]+|\band\b", value.strip()) if t]
    weeks = [w for w in re.split(r"[;,\s]+", week.strip()) if w]
    for w in weeks:
        if not re.fullmatch(r"[+-]?[1-5]", w):
            errors.append(CsvError(line, "week_of_month", sid,
                                   f"must be 1 to 5 (or -1 for the last week), not {w!r}"))
            return None
    codes = []
    for token in tokens:
        day = day_code(token)
        if day:
            codes += [f"{w.lstrip('+')}{day}" for w in weeks] if weeks else [day]
        elif _ORDINAL_DAY.match(token.upper()):
            codes.append(token.upper().lstrip("+"))
        else:
            errors.append(CsvError(line, "days", sid,
                                   f"{token!r} is not a day. Use Monday, Tue, SA or 1SA"))
            return None
    if weeks and not codes:
        errors.append(CsvError(line, "days", sid, "week_of_month needs a day in days"))
    return ",".join(codes) or None


def _yes(value: str, column: str, line: int, errors: list[CsvError], sid: str | None) -> bool:
    v = value.strip().lower()
    if v in _YES:
        return True
    if v not in _NO:
        errors.append(CsvError(line, column, sid, f"must be yes or no, not {value!r}"))
    return False


def _cost_option(text: str, existing: list[dict], sid: str) -> list[dict]:
    """The cost cell as ORUK cost options; unchanged text keeps what is stored."""
    text = text.strip()
    if existing and _cost_text(existing) == text:
        return existing
    if not text:
        return []
    option: dict[str, Any] = {"id": existing[0]["id"] if existing else f"{sid}-cost",
                              "amount_description": text}
    lowered = text.lower()
    money = re.fullmatch(r"£?\s*(\d+(?:\.\d{1,2})?)", text)
    if "free" in lowered or text in ("0", "£0", "0.00", "£0.00"):
        option.update(option="Free", amount=0)
    elif money:
        option.update(amount=float(money.group(1)), currency="GBP")
    return [option]


def _cost_text(options: list[dict]) -> str:
    if not options:
        return ""
    first = options[0]
    if first.get("amount_description"):
        return first["amount_description"]
    if first.get("amount") == 0:
        return "Free"
    if first.get("amount") is not None:
        return f"£{first['amount']:.2f}"
    return first.get("option", "")


@dataclass
class _Built:
    services: list[dict]
    # service index -> (first line, {sal index: line}, {(sal index, schedule index): line})
    lines: dict[int, tuple[int, dict[int, int], dict[tuple[int, int], int]]]
    unchanged: list[str]


def _diff_error(line: int, column: str, sid: str, first_line: int, what: str) -> CsvError:
    return CsvError(line, column, sid, f"is different from line {first_line} for the same "
                                       f"{what}. Every row of a {what} must say the same here")


def _build(db: sqlite_utils.Database, rows: list[tuple[int, dict[str, str]]],
           errors: list[CsvError]) -> _Built:
    """Group rows by service, check repeated cells agree, and build ORUK services."""
    by_service: dict[str, list[tuple[int, dict[str, str]]]] = {}
    centres: dict[str, tuple[int, dict[str, str]]] = {}
    for line, row in rows:
        sid = row.get("service_id", "").strip()
        if not sid:
            errors.append(CsvError(line, "service_id", None, "is empty; every row needs the id "
                                                             "of its service"))
            continue
        row["service_id"] = sid
        by_service.setdefault(sid, []).append((line, row))
        cid = row.get("centre_id", "").strip()
        if cid:
            if cid in centres:
                first_line, first = centres[cid]
                for col in CENTRE_COLUMNS:
                    if row.get(col, "").strip() and row.get(col, "").strip() != \
                            first.get(col, "").strip():
                        errors.append(_diff_error(line, col, sid, first_line, "centre"))
            else:
                centres[cid] = (line, row)

    known_terms = {r[0] for r in db.execute("SELECT id FROM taxonomy_term")}
    stored_services = {s["id"]: s for s in store.get_services(db, list(by_service))}
    stored_locations = _stored_locations(db, centres)
    services: list[dict] = []
    unchanged: list[str] = []
    lines: dict[int, tuple[int, dict[int, int], dict[tuple[int, int], int]]] = {}
    for sid, service_rows in by_service.items():
        first_line, first = service_rows[0]
        for line, row in service_rows[1:]:
            for col in SERVICE_COLUMNS:
                if row.get(col, "").strip() != first.get(col, "").strip():
                    errors.append(_diff_error(line, col, sid, first_line, "service"))
        existing = stored_services.get(sid)
        service = copy.deepcopy(existing) if existing else {"id": sid, "status": "active"}
        service.pop("version", None)
        _apply_service_cells(service, first, first_line, errors, known_terms)
        sal_lines: dict[int, int] = {}
        session_lines: dict[tuple[int, int], int] = {}
        _apply_sessions(service, service_rows, centres, stored_locations, errors,
                        sal_lines, session_lines)
        if existing is not None and _normal(service) == _normal(existing):
            unchanged.append(sid)
            continue
        service.pop("last_modified", None)  # it changed: the import stamps the time
        lines[len(services)] = (first_line, sal_lines, session_lines)
        services.append(service)
    return _Built(services, lines, unchanged)


def _normal(value: Any) -> Any:
    """A service reduced to what the sheet can change, to spot rows that change nothing."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()
                if k not in ("version", "last_modified", "taxonomy_term") and v != []}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _stored_locations(db: sqlite_utils.Database, centres: dict) -> dict[str, dict]:
    """The full stored location objects of these centres (so their other details are kept)."""
    if not centres:
        return {}
    reader = store._Reader(db.conn, everything=False)
    return reader._shared(shape.LOCATION, set(centres))


def _apply_service_cells(service: dict, row: dict[str, str], line: int,
                         errors: list[CsvError], known_terms: set[str]) -> None:
    sid = service["id"]
    service["name"] = row.get("service_name", "").strip()
    if not service["name"]:
        errors.append(CsvError(line, "service_name", sid, "is empty; every service needs a name"))
    for column, key in (("description", "description"), ("email", "email"),
                        ("website", "url"), ("status", "status")):
        if column in row:
            value = row[column].strip()
            if value:
                service[key] = value
            elif key != "status":
                service.pop(key, None)
    for column, key in (("min_age", "minimum_age"), ("max_age", "maximum_age")):
        if column in row:
            value = _number(row[column], column, line, errors, sid)
            if value is None:
                service.pop(key, None)
            else:
                service[key] = value
    if "needs" in row:
        wanted = [t.strip() for t in re.split(r"[;,]", row["needs"]) if t.strip()]
        unknown = [t for t in wanted if t not in known_terms]
        if unknown:
            errors.append(CsvError(line, "needs", sid,
                                   f"{', '.join(unknown)} {'is not a need' if len(unknown) == 1 else 'are not needs'} "
                                   f"we know. Use term ids such as "
                                   f"{', '.join(sorted(known_terms)[:4]) or 'stay_and_play'} "
                                   f"(`python -m directory terms` lists them all)"))
        old = {a.get("taxonomy_term_id"): a for a in service.get("attributes", [])}
        service["attributes"] = [
            old.get(t) or {"id": f"{sid}-{t}", "taxonomy_term_id": t, "link_type": "need"}
            for t in dict.fromkeys(wanted)]
        for a in service["attributes"]:
            a.pop("taxonomy_term", None)  # filled in from the directory on read
    if "cost" in row:
        service["cost_options"] = _cost_option(row["cost"], service.get("cost_options", []), sid)
    if "phone" in row:
        number = row["phone"].strip()
        phones = service.get("phones", [])
        if number:
            first = dict(phones[0]) if phones else {"id": f"{sid}-phone"}
            first["number"] = number
            service["phones"] = [first] + phones[1:]
        else:
            service["phones"] = phones[1:]


def _location(cid: str, row: dict[str, str], line: int, stored: dict | None,
              errors: list[CsvError], sid: str) -> dict:
    location = copy.deepcopy(stored) if stored else {"id": cid, "location_type": "physical"}
    if row.get("centre_name", "").strip():
        location["name"] = row["centre_name"].strip()
    for column in ("latitude", "longitude"):
        if column in row:
            value = _number(row[column], column, line, errors, sid)
            if value is None:
                location.pop(column, None)
            else:
                location[column] = value
    address_cells = {k: row.get(c, "").strip() for k, c in (
        ("address_1", "address"), ("city", "town"), ("state_province", "county"),
        ("postal_code", "postcode"))}
    if any(address_cells.values()):
        addresses = location.get("addresses") or []
        first = dict(addresses[0]) if addresses else {
            "id": f"{cid}-address", "country": "GB", "address_type": "physical"}
        first.update(address_cells)
        location["addresses"] = [first] + addresses[1:]
    if "centre_opening_hours" in row:
        days, problems = opening_hours.read_hours_cell(row["centre_opening_hours"])
        errors.extend(CsvError(line, "centre_opening_hours", sid, problem) for problem in problems)
        # The cell holds the weekly hours; other patterns (from an ORUK import) are kept.
        kept = opening_hours.editable(location.get("schedules") or [])
        others = [s for s in location.get("schedules") or [] if not any(s is k for k in kept)]
        location["schedules"] = others + [
            opening_hours.same_row(kept, hours) or {"id": f"{cid}-hours-{n}", **hours}
            for n, hours in enumerate(opening_hours.hours_from_days(days), 1)]
    return location


def _schedule(row: dict[str, str], line: int, sid: str, existing: dict | None,
              errors: list[CsvError], session_id: str) -> dict | None:
    """The session cells as an ORUK schedule (None when the row has no session)."""
    cells = {c: row.get(c, "").strip() for c in SESSION_COLUMNS}
    appointment = _yes(cells["by_appointment"], "by_appointment", line, errors, sid)
    # Signpost's own schedule keys (docs/csv.md): a column left out keeps what is stored.
    given_flags = {key: _yes(cells[column], column, line, errors, sid)
                   for column, key in (("term_time_only", "term_time_only"),
                                       ("bank_holidays", "runs_on_bank_holidays"))
                   if column in row}
    has_pattern = any(cells[c] for c in ("days", "frequency", "week_of_month", "day_of_month",
                                         "opens_at", "closes_at", "first_date"))
    if not appointment and not has_pattern and not cells["session_description"]:
        return None
    schedule: dict[str, Any] = {"id": session_id}
    if existing:  # keep fields the sheet does not show (notes, links...)
        schedule.update({k: v for k, v in existing.items() if k in (
            "notes", "schedule_link", "attending_type", "timezone", "wkst", "until")
            or (k not in shape.SCHEDULE.columns
                and k != "service_at_location_id")})
    if cells["session_description"]:
        schedule["description"] = cells["session_description"]
    for key, value in given_flags.items():
        if value:
            schedule[key] = True
        else:
            schedule.pop(key, None)
    if appointment:
        if has_pattern:
            errors.append(CsvError(line, "by_appointment", sid,
                                   "says yes, but the row also gives days or times. Leave "
                                   "by_appointment empty for a regular session"))
        return schedule
    frequency = cells["frequency"].lower() or ("monthly" if cells["week_of_month"]
                                               or cells["day_of_month"] else "weekly")
    if frequency not in ("weekly", "monthly"):
        errors.append(CsvError(line, "frequency", sid, f"must be weekly or monthly, not "
                                                       f"{cells['frequency']!r}"))
    else:
        schedule["freq"] = frequency.upper()
    byday = _days(cells["days"], cells["week_of_month"], line, errors, sid)
    if byday:
        schedule["byday"] = byday
    if cells["day_of_month"]:
        schedule["bymonthday"] = cells["day_of_month"].replace(";", ",").replace(" ", "")
    interval = _number(cells["interval"], "interval", line, errors, sid)
    if interval is not None:
        schedule["interval"] = interval
    for column, key in (("opens_at", "opens_at"), ("closes_at", "closes_at")):
        if cells[column]:
            schedule[key] = cells[column]
    for column, key in (("first_date", "dtstart"), ("valid_from", "valid_from"),
                        ("valid_to", "valid_to")):
        value = _date(cells[column], column, line, errors, sid)
        if value:
            schedule[key] = value
    return schedule


def _apply_sessions(service: dict, rows: list[tuple[int, dict[str, str]]],
                    centres: dict, stored_locations: dict[str, dict], errors: list[CsvError],
                    sal_lines: dict[int, int], session_lines: dict[tuple[int, int], int]) -> None:
    """Rebuild where and when the service runs from its rows, reusing stored ids and details."""
    sid = service["id"]
    old_sals = {s.get("location_id") or (s.get("location") or {}).get("id"): s
                for s in service.get("service_at_locations", [])}
    old_schedules = {s["id"]: s for s in service.get("schedules", [])}
    for sal in service.get("service_at_locations", []):
        old_schedules.update({("sal", s["id"]): s for s in sal.get("schedules", [])})
    service_level: list[dict] = []
    sals: dict[str, dict] = {}
    counter = 0
    for line, row in rows:
        cid = row.get("centre_id", "").strip()
        sal = None
        if cid:
            if cid not in sals:
                centre_line, centre_row = centres[cid]
                base = old_sals.get(cid)
                sal = copy.deepcopy(base) if base else {"id": f"{sid}@{cid}"}
                sal["location_id"] = cid
                sal["location"] = _location(cid, centre_row, centre_line,
                                            stored_locations.get(cid), errors, sid)
                sal["schedules"] = []
                sals[cid] = sal
                sal_lines[len(sals) - 1] = line
            sal = sals[cid]
        counter += 1
        session_id = row.get("session_id", "").strip() or f"{sid}-session-{counter}"
        stored_here = old_schedules.get(session_id)
        stored_at_sal = old_schedules.get(("sal", session_id))
        schedule = _schedule(row, line, sid, stored_here or stored_at_sal, errors, session_id)
        if schedule is None:
            continue
        sal_index = list(sals).index(cid) if cid else None
        if sal is None or (stored_here is not None and stored_at_sal is None):
            # No centre, or a session that was stored on the service itself: keep it there.
            service_level.append(schedule)
            session_lines[(-1, len(service_level) - 1)] = line
        else:
            sal["schedules"].append(schedule)
            session_lines[(sal_index, len(sal["schedules"]) - 1)] = line
    service["schedules"] = service_level
    service["service_at_locations"] = list(sals.values())


def _csv_error(error: oruk.RowError, built: _Built) -> CsvError:
    """Point an ORUK validation error at the spreadsheet cell it came from."""
    first_line, sal_lines, session_lines = built.lines.get(error.index, (0, {}, {}))
    line, column = first_line, ""
    path = error.path
    m = re.match(r"service_at_locations\[(\d+)\](?:\.schedules\[(\d+)\])?", path)
    if m and m.group(2) is not None:
        line = session_lines.get((int(m.group(1)), int(m.group(2))), first_line)
    elif m:
        line = sal_lines.get(int(m.group(1)), first_line)
    m2 = re.match(r"schedules\[(\d+)\]", path)
    if m2:
        line = session_lines.get((-1, int(m2.group(1))), first_line)
    last = path.split(".")[-1].split("[")[0] if path else ""
    if "location." + last in _FIELD_COLUMN and "location" in path and "addresses" not in path:
        column = _FIELD_COLUMN["location." + last]
    elif last in _FIELD_COLUMN:
        column = _FIELD_COLUMN[last]
    elif "schedules" in path:
        mentioned = re.match(r"(\w+)", error.message)
        column = _FIELD_COLUMN.get(mentioned.group(1), "") if mentioned else ""
        message_fields = [f for f in ("byday", "freq", "bymonthday", "interval", "opens_at",
                                      "closes_at", "dtstart", "valid_from", "valid_to")
                          if f in error.message]
        if not column and message_fields:
            column = _FIELD_COLUMN[message_fields[0]]
    message = error.message
    for field, col in _FIELD_COLUMN.items():
        if "." not in field and re.search(rf"\b{field}\b", message) and col != field:
            message = re.sub(rf"\b{field}\b", col, message)
    return CsvError(line, column, error.service_id, message)


def services_from_csv(db: sqlite_utils.Database, source: str | Path | IO | bytes
                      ) -> tuple[list[dict], _Built]:
    """ORUK services built from the spreadsheet (merged onto what is stored); raises on errors."""
    rows, errors = read_rows(source)
    if errors:
        raise ImportRejected(errors)
    built = _build(db, rows, errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.line))
    return built.services, built


def import_csv(db: sqlite_utils.Database, source: str | Path | IO | bytes, *,
               replace: bool = False, progress: bool = False) -> ImportReport:
    """Import the staff spreadsheet: same checks and single transaction as ``import_oruk``.

    ``source`` is a path, an open file, bytes or the CSV text itself. ``ImportRejected.errors``
    are ``CsvError`` with line and column.
    """
    services, built = services_from_csv(db, source)
    if replace:  # everything is rewritten, so services that did not change go in too
        services = services + [s for s in store.get_services(db, built.unchanged)]
        for s in services:
            s.pop("version", None)
    try:
        report = oruk.import_oruk(db, services, replace=replace, progress=progress)
    except ImportRejected as rejected:
        errors = [_csv_error(e, built) if isinstance(e, oruk.RowError) else e
                  for e in rejected.errors]
        raise ImportRejected(sorted(errors, key=lambda e: e.line)) from None
    report.unchanged = 0 if replace else len(built.unchanged)
    return report


# --------------------------------------------------------------------------------------------
# Services -> rows

def _guard(value: Any) -> str:
    """Text a spreadsheet would run as a formula gets a leading quote (undone on import)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _days_cells(byday: str | None) -> tuple[str, str]:
    """'1SA,1SU' -> ('Saturday;Sunday', '1'); mixed week numbers stay as codes."""
    if not byday:
        return "", ""
    tokens = [t.strip().upper() for t in byday.split(",") if t.strip()]
    parsed = [re.fullmatch(r"([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)", t) for t in tokens]
    if not all(parsed):
        return byday, ""
    ordinals = {p.group(1) for p in parsed}
    days = list(dict.fromkeys(p.group(2) for p in parsed))
    if ordinals == {None}:
        return ";".join(DAY_NAMES[d] for d in days), ""
    if None not in ordinals and len(tokens) == len(days) * len(ordinals):
        order = sorted(ordinals, key=lambda o: (int(o) < 0, abs(int(o))))
        expected = {f"{o}{d}" for o in ordinals for d in days}
        if expected == set(tokens):
            return ";".join(DAY_NAMES[d] for d in days), ";".join(o.lstrip("+") for o in order)
    return ",".join(tokens), ""


def _rows_for(service: dict) -> Iterable[dict[str, str]]:
    base = {
        "service_id": service["id"], "service_name": service.get("name", ""),
        "description": service.get("description", ""),
        "needs": ";".join(a.get("taxonomy_term_id", "") for a in service.get("attributes", [])),
        "min_age": _fmt(service.get("minimum_age")), "max_age": _fmt(service.get("maximum_age")),
        "cost": _cost_text(service.get("cost_options", [])),
        "phone": (service.get("phones") or [{}])[0].get("number", ""),
        "email": service.get("email", ""), "website": service.get("url", ""),
        "status": service.get("status", ""),
    }
    sals = service.get("service_at_locations", [])
    emitted = False
    for index, sal in enumerate(sals):
        location = sal.get("location") or {}
        address = (location.get("addresses") or [{}])[0]
        centre = {
            "centre_id": location.get("id", sal.get("location_id", "")),
            "centre_name": location.get("name", ""), "address": address.get("address_1", ""),
            "town": address.get("city", ""), "county": address.get("state_province", ""),
            "postcode": address.get("postal_code", ""),
            "latitude": _fmt(location.get("latitude")),
            "longitude": _fmt(location.get("longitude")),
            "centre_opening_hours": opening_hours.hours_cell(location.get("schedules") or []),
        }
        sessions = list(sal.get("schedules", []))
        if index == 0:
            sessions += service.get("schedules", [])
        if not sessions:
            emitted = True
            yield {**base, **centre}
        for schedule in sessions:
            emitted = True
            yield {**base, **centre, **_session_cells(schedule)}
    if not sals:
        for schedule in service.get("schedules", []):
            emitted = True
            yield {**base, **_session_cells(schedule)}
    if not emitted:
        yield base


def _session_cells(schedule: dict) -> dict[str, str]:
    days, week = _days_cells(schedule.get("byday"))
    freq = schedule.get("freq")
    return {
        "session_id": schedule["id"], "days": days,
        "frequency": freq.lower() if freq else "", "week_of_month": week,
        "day_of_month": schedule.get("bymonthday", ""),
        "interval": _fmt(schedule.get("interval")),
        "opens_at": schedule.get("opens_at", ""), "closes_at": schedule.get("closes_at", ""),
        "first_date": schedule.get("dtstart", ""), "valid_from": schedule.get("valid_from", ""),
        "valid_to": schedule.get("valid_to", ""),
        "by_appointment": "" if freq else "yes",
        "session_description": schedule.get("description", ""),
        "term_time_only": "yes" if schedule.get("term_time_only") is True else "",
        "bank_holidays": "yes" if schedule.get("runs_on_bank_holidays") is True else "",
    }


def export_csv(db: sqlite_utils.Database, out: IO[str] | None = None) -> str | None:
    """Write every service in the staff layout to ``out``; return the text when ``out`` is None."""
    target = out if out is not None else io.StringIO(newline="")
    writer = csv.DictWriter(target, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for service in store.get_services(db):
        for row in _rows_for(service):
            writer.writerow({k: v if k in NUMBER_COLUMNS else _guard(v) for k, v in row.items()})
    return target.getvalue() if out is None else None


def write_csv(db: sqlite_utils.Database, path: str | Path) -> int:
    """Export to a file (UTF-8 with a byte-order mark so Excel reads accents); returns services."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        export_csv(db, fh)
    tmp.replace(path)
    return store.service_count(db)


__all__ = ["COLUMNS", "CsvError", "import_csv", "export_csv", "write_csv", "read_rows",
           "services_from_csv"]
