"""What families ask for: anonymised counts of searches, for commissioners and centre staff.

Every search (by the bot or the ``/search`` page) adds one row holding only coarse facts — the
needs asked for, the postcode *district* (``BB3``, never ``BB3 1AB``), the days and time of day
wanted, an age band and how many services were found. There is no message text, no free-text
place, no session id and no time finer than the day, so a row cannot be traced to a family.
Searches that found nothing are the unmet need a commissioner wants to see.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

import sqlite_utils

from common.days import DAY_CODES as DAYS
from common.days import DAY_NAMES, TIMES_OF_DAY
from directory.store import write_transaction

from directory.taxonomy import load_taxonomy

AGE_BANDS = ("pregnant", "under 1", "1 year", "2 years", "3 to 4 years", "5 and over")
CSV_COLUMNS = ("date", "needs", "district", "days", "time_of_day", "age_band", "result_count",
               "source")

# A full postcode or an outward code alone (``BB3``, ``M1``, ``SW1A``), spaces optional.
_POSTCODE = re.compile(r"^\s*([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})?\s*$", re.IGNORECASE)
_SOURCE = re.compile(r"^[a-z_]{1,20}$")


def postcode_district(place: str | None) -> str | None:
    """The outward code of a postcode (``"bb3 1ab"`` → ``"BB3"``); ``None`` for anything else.

    A town name or a sentence is never stored: it is free text a parent typed.
    """
    if not place:
        return None
    match = _POSTCODE.match(place)
    return match.group(1).upper() if match else None


def age_band(age_months: int | None, pregnant: bool = False) -> str | None:
    """Coarse bands: exact ages, with a postcode district and a date, could identify a child."""
    if pregnant:
        return "pregnant"
    if age_months is None:
        return None
    if age_months < 12:
        return "under 1"
    if age_months < 24:
        return "1 year"
    if age_months < 36:
        return "2 years"
    if age_months < 60:
        return "3 to 4 years"
    return "5 and over"


def _known_needs(terms: Iterable[str]) -> list[str]:
    known = set(load_taxonomy().ids)
    return sorted({t for t in terms if t in known})


def record_search(db: sqlite_utils.Database, query: Any, result_count: int, source: str,
                  *, today: date | None = None) -> int:
    """Store one anonymised row for a search; returns its id.

    ``query`` is a ``directory.search.SearchQuery``; only its needs, place, days, time of day,
    age and pregnancy are read, and each is reduced to a value from a fixed list.
    """
    if not _SOURCE.match(source or ""):
        raise ValueError(f"source must be a short code like 'bot' or 'search_page', not {source!r}")
    needs = _known_needs(getattr(query, "terms", None) or [])
    days = [d for d in DAYS if d in set(getattr(query, "days", None) or [])]
    time_of_day = getattr(query, "time_of_day", None)
    row = {
        "date": (today or datetime.now(timezone.utc).date()).isoformat(),
        "needs": ",".join(needs),
        "district": postcode_district(getattr(query, "near", None)),
        "days": ",".join(days),
        "time_of_day": time_of_day if time_of_day in TIMES_OF_DAY else None,
        "age_band": age_band(getattr(query, "age_months", None), bool(getattr(query, "pregnant", False))),
        "result_count": max(0, int(result_count)),
        "source": source,
    }
    with write_transaction(db):
        cursor = db.conn.execute(
            f"INSERT INTO search_demand ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()))
    return int(cursor.lastrowid)


def rows_between(db: sqlite_utils.Database, start: date, end: date) -> list[dict]:
    """Demand rows from ``start`` to ``end`` inclusive, oldest first."""
    return list(db.query(
        f"SELECT {', '.join(CSV_COLUMNS)} FROM search_demand WHERE date BETWEEN ? AND ? "
        "ORDER BY date, id", [start.isoformat(), end.isoformat()]))


@dataclass
class DemandSummary:
    """Counts over a period, each a list of (label, count) largest first (days in week order)."""

    start: date
    end: date
    total: int = 0
    found_nothing: int = 0
    by_need: list[tuple[str, int]] = field(default_factory=list)
    by_district: list[tuple[str, int]] = field(default_factory=list)
    by_day: list[tuple[str, int]] = field(default_factory=list)
    by_time: list[tuple[str, int]] = field(default_factory=list)
    by_age: list[tuple[str, int]] = field(default_factory=list)
    unmet_by_need: list[tuple[str, int]] = field(default_factory=list)
    unmet_by_district: list[tuple[str, int]] = field(default_factory=list)


def summarise(db: sqlite_utils.Database, start: date, end: date) -> DemandSummary:
    """Everything ``/staff/demand`` shows, computed from the anonymised rows."""
    taxonomy = load_taxonomy()
    names = {t.id: t.name for t in taxonomy.terms}
    rows = rows_between(db, start, end)
    need, district, day, tod, age = Counter(), Counter(), Counter(), Counter(), Counter()
    unmet_need, unmet_district = Counter(), Counter()
    for row in rows:
        needs = [n for n in (row["needs"] or "").split(",") if n] or ["(no need given)"]
        where = row["district"] or "(no postcode given)"
        for n in needs:
            need[names.get(n, n)] += 1
        district[where] += 1
        for d in (row["days"] or "").split(","):
            if d:
                day[DAY_NAMES.get(d, d)] += 1
        tod[row["time_of_day"] or "(any time)"] += 1
        age[row["age_band"] or "(no age given)"] += 1
        if row["result_count"] == 0:
            for n in needs:
                unmet_need[names.get(n, n)] += 1
            unmet_district[where] += 1
    return DemandSummary(
        start=start, end=end, total=len(rows),
        found_nothing=sum(1 for r in rows if r["result_count"] == 0),
        by_need=need.most_common(), by_district=district.most_common(),
        by_day=[(DAY_NAMES[d], day[DAY_NAMES[d]]) for d in DAYS if day[DAY_NAMES[d]]],
        by_time=[(t, tod[t]) for t in (*TIMES_OF_DAY, "(any time)") if tod[t]],
        by_age=[(a, age[a]) for a in (*AGE_BANDS, "(no age given)") if age[a]],
        unmet_by_need=unmet_need.most_common(), unmet_by_district=unmet_district.most_common(),
    )


def to_csv(rows: Iterable[dict]) -> str:
    """The anonymised rows as CSV (the same columns as the table, nothing more)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
