"""The days a session does not happen: bank holidays, days out of term, and closures.

One place decides it, so search, the chat, ``/search`` and the command line all agree:
``search`` asks ``Calendar.days_off`` for each schedule row and hands the answer's ``skips``
to ``schedules.next_occurrences``.

- **Bank holidays** are those of the authority's nation (``NATIONS``: the setting
  ``SIGNPOST_NATION``), from the ``holidays`` library, which works offline and counts
  substitute days (Boxing Day 2026 is a Saturday, so Monday 28 December is a bank holiday
  too). A session on a bank holiday is skipped unless its schedule row says
  ``runs_on_bank_holidays``.
- **Term dates** are the authority's (staff enter each term, or half term, as a period of kind
  ``term``). A row marked ``term_time_only`` has sessions only on days inside a term. With no
  term dates entered for a day, a term-time session is not offered that day: a guess could send
  a family to a locked door.
- **Closures** are periods of kind ``closure`` for the whole authority, one centre
  (``location_id``) or one service (``service_id``). A session is skipped on a day its service
  is closed, its centre is closed (the centre of its ``service_at_location``, or any centre of
  the service for a row held on the service itself), or everything is closed.

Periods live in the ``calendar_period`` table (migration ``m006_calendar``); their dates use
the ORUK schedule field names ``valid_from`` and ``valid_to`` (both days included).
Writes go through ``directory.edits`` (audited); this module only reads and checks.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable, Mapping

import holidays
import sqlite_utils

from common import settings
from directory import schedules as sched

_WORDS_AND_CODES = {"england-and-wales": ("England and Wales", "ENG"),
                    "scotland": ("Scotland", "SCT"),
                    "northern-ireland": ("Northern Ireland", "NIR")}
#: Setting value (``common.settings.NATIONS``) -> (name in words, the ``holidays`` library's
#: UK subdivision; England's list is Wales's too).
NATIONS: dict[str, tuple[str, str]] = {n: _WORDS_AND_CODES[n] for n in settings.NATIONS}
DEFAULT_NATION = settings.DEFAULT_NATION
KINDS = ("term", "closure")
SCOPES = ("authority", "centre", "service")
PERIOD_COLUMNS = ("id", "kind", "valid_from", "valid_to", "description", "location_id",
                  "service_id")
#: Longest period staff may enter: a typing slip (2062 for 2026) should not hide a year.
MAX_DAYS = 400


class UnknownNation(ValueError):
    """A nation that is not one of ``NATIONS``."""


def check_nation(nation: str) -> str:
    """The nation's setting value, or ``UnknownNation`` naming the ones that work."""
    if nation not in NATIONS:
        raise UnknownNation(f"{nation!r} is not a nation we know; use one of "
                            f"{', '.join(NATIONS)}")
    return nation


@functools.lru_cache(maxsize=128)
def _holidays_in(nation: str, year: int) -> dict[date, str]:
    subdivision = NATIONS[check_nation(nation)][1]
    found = holidays.country_holidays("GB", subdiv=subdivision, years=year)
    return {day: name for day, name in sorted(found.items()) if day.year == year}


def bank_holidays(nation: str, start: date, end: date) -> dict[date, str]:
    """The nation's bank holidays from ``start`` to ``end`` (both included), day -> name."""
    found: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        found.update({d: n for d, n in _holidays_in(nation, year).items() if start <= d <= end})
    return found


def is_bank_holiday(nation: str, day: date) -> bool:
    return day in _holidays_in(nation, day.year)


@dataclass(frozen=True)
class Period:
    """A term, or a closure of the whole authority, one centre or one service."""

    id: str
    kind: str
    valid_from: date
    valid_to: date
    description: str = ""
    location_id: str | None = None
    service_id: str | None = None

    @property
    def scope(self) -> str:
        if self.service_id:
            return "service"
        return "centre" if self.location_id else "authority"

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to

    def as_dict(self) -> dict[str, Any]:
        """The stored row (dates as ISO text, blanks left out as None)."""
        return {"id": self.id, "kind": self.kind, "valid_from": self.valid_from.isoformat(),
                "valid_to": self.valid_to.isoformat(), "description": self.description or None,
                "location_id": self.location_id, "service_id": self.service_id}


def _date(value: Any, field: str, problems: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        problems.append(f"{field} is needed (a date like 2026-12-24)")
        return None
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else date.fromisoformat(text)
    except ValueError:
        problems.append(f"{field} must be a date like 2026-12-24, not {text!r}")
        return None


def read_period(data: Mapping[str, Any]) -> tuple[Period | None, list[str]]:
    """A period from a dict (form, CSV or ORUK), and every problem with it."""
    problems: list[str] = []
    kind = str(data.get("kind") or "closure").strip().lower()
    if kind not in KINDS:
        problems.append(f"kind must be term or closure, not {data.get('kind')!r}")
    start = _date(data.get("valid_from"), "valid_from", problems)
    end = _date(data.get("valid_to"), "valid_to", problems)
    if start and end:
        if end < start:
            problems.append(f"valid_to {end} is before valid_from {start}")
        elif (end - start).days >= MAX_DAYS:
            problems.append(f"{start} to {end} is more than {MAX_DAYS} days; enter each term "
                            "or closure on its own")
    location_id = str(data.get("location_id") or "").strip() or None
    service_id = str(data.get("service_id") or "").strip() or None
    if kind == "term" and (location_id or service_id):
        problems.append("term dates are for the whole authority: leave the centre and "
                        "service empty")
    if location_id and service_id:
        problems.append("a closure is for a centre or a service, not both")
    description = str(data.get("description") or "").strip()
    if len(description) > 500:
        problems.append("description must be 500 characters or fewer")
    period_id = str(data.get("id") or "").strip()
    if problems or start is None or end is None:
        return None, problems
    return Period(period_id, kind, start, end, description, location_id, service_id), []


def _row_period(row: Mapping[str, Any]) -> Period:
    return Period(row["id"], row["kind"], date.fromisoformat(row["valid_from"]),
                  date.fromisoformat(row["valid_to"]), row.get("description") or "",
                  row.get("location_id"), row.get("service_id"))


def list_periods(db: sqlite_utils.Database, *, kind: str | None = None,
                 service_id: str | None = None) -> list[Period]:
    """Periods by start date; ``service_id``: only those that can close that service."""
    where, params = ["1"], []
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if service_id:
        where.append("(service_id = ? OR (service_id IS NULL AND (location_id IS NULL OR "
                     "location_id IN (SELECT location_id FROM service_at_location "
                     "WHERE service_id = ?))))")
        params += [service_id, service_id]
    rows = db.query(f"SELECT * FROM calendar_period WHERE {' AND '.join(where)} "
                    f"ORDER BY valid_from, valid_to, id", params)
    return [_row_period(row) for row in rows]


def get_period(db: sqlite_utils.Database, period_id: str) -> Period | None:
    rows = list(db.query("SELECT * FROM calendar_period WHERE id = ?", [period_id]))
    return _row_period(rows[0]) if rows else None


def missing_links(db: sqlite_utils.Database, period: Period) -> list[str]:
    """Problems with the centre or service a period names (it must be in the directory)."""
    problems = []
    if period.location_id and not db.execute("SELECT 1 FROM location WHERE id = ?",
                                             [period.location_id]).fetchone():
        problems.append(f"there is no centre with id {period.location_id!r}")
    if period.service_id and not db.execute("SELECT 1 FROM service WHERE id = ?",
                                            [period.service_id]).fetchone():
        problems.append(f"there is no service with id {period.service_id!r}")
    return problems


@dataclass(frozen=True)
class DaysOff:
    """The days one schedule row has no session. Hashable, so search can remember answers."""

    #: The nation whose bank holidays are skipped (None: the row runs on bank holidays).
    nation: str | None
    #: Term periods, for a term-time-only row (None: it runs in the holidays too).
    terms: tuple[tuple[date, date], ...] | None
    closures: tuple[tuple[date, date], ...] = ()

    def skips(self, day: date) -> bool:
        if self.nation is not None and is_bank_holiday(self.nation, day):
            return True
        if self.terms is not None and not any(a <= day <= b for a, b in self.terms):
            return True
        return any(a <= day <= b for a, b in self.closures)


def _spans(periods: Iterable[Period]) -> tuple[tuple[date, date], ...]:
    return tuple(sorted((p.valid_from, p.valid_to) for p in periods))


class Calendar:
    """The authority's terms and closures, read once per search."""

    def __init__(self, periods: Iterable[Period], nation: str = DEFAULT_NATION):
        self.nation = check_nation(nation)
        periods = list(periods)
        self.terms = _spans(p for p in periods if p.kind == "term")
        closures = [p for p in periods if p.kind == "closure"]
        self.everywhere = _spans(p for p in closures if p.scope == "authority")
        self.by_centre: dict[str, list[Period]] = {}
        self.by_service: dict[str, list[Period]] = {}
        for p in closures:
            if p.service_id:
                self.by_service.setdefault(p.service_id, []).append(p)
            elif p.location_id:
                self.by_centre.setdefault(p.location_id, []).append(p)

    @classmethod
    def load(cls, db: sqlite_utils.Database, nation: str = DEFAULT_NATION) -> "Calendar":
        return cls(list_periods(db), nation)

    def days_off(self, schedule: Mapping[str, Any], centre_ids: Iterable[str]) -> DaysOff:
        """The days off of one schedule row of a service held at ``centre_ids``."""
        rule_flags = sched.flags(schedule)
        term_time = rule_flags.get("term_time_only") is True
        on_holidays = rule_flags.get("runs_on_bank_holidays") is True
        closed = list(self.everywhere)
        closed += _spans(self.by_service.get(str(schedule.get("service_id")), []))
        for centre in centre_ids:
            closed += _spans(self.by_centre.get(centre, []))
        return DaysOff(None if on_holidays else self.nation,
                       self.terms if term_time else None, tuple(sorted(set(closed))))
