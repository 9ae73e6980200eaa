"""When sessions happen: ORUK schedule rows turned into dates, times and plain English.

A schedule row uses the Open Referral UK columns, which are a subset of iCalendar (RFC 5545):
``freq`` (WEEKLY or MONTHLY), ``interval``, ``byday`` (``SA``, ``1SA``, ``2TU,4TU``, ``-1FR``),
``bymonthday`` (``2,15``, ``-1``), ``dtstart``, ``until``, ``valid_from``/``valid_to``,
``opens_at``/``closes_at`` and a free-text ``description``. The recurrence itself is
``dateutil.rrule``; this module only translates the row and keeps the clock right.

All times are Europe/London wall-clock times. Recurrences are expanded on naive local times and
the zone is attached afterwards, so a 10:00 session stays at 10:00 on both sides of the March and
October clock changes. A time with a zone suffix (``10:00:00Z``, ``10:00+01:00``) is read as the
local time written: centres write the time on their door, not a UTC instant.

Two keys are Signpost's own (ORUK has none for them; ``docs/csv.md`` and ``docs/staff.md``
describe them): ``term_time_only`` (true: sessions only on days inside the authority's term
dates) and ``runs_on_bank_holidays`` (true: sessions go ahead on bank holidays, which are
otherwise skipped). They travel in an ORUK schedule object as extension keys and are stored in
the row's ``extra`` JSON (``directory.store``); ``flags()`` reads either. Which days those are
is ``directory.closed_days``: ``next_occurrences`` only takes a ``skip`` test for a day.

A row with no ``freq`` is "by appointment": it has no occurrences and is described by its own
``description``. A row with a ``freq`` but no ``opens_at`` has a pattern of days but no times, so
it is described ("Every Monday") but has no occurrences either.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Callable, Mapping
from zoneinfo import ZoneInfo

from dateutil import rrule
from dateutil.relativedelta import relativedelta

from common.days import DAY_CODES, DAY_NAMES
from common.days import time_of_day as _time_of_day_at

LONDON = ZoneInfo("Europe/London")

_RRULE_DAYS = {"MO": rrule.MO, "TU": rrule.TU, "WE": rrule.WE, "TH": rrule.TH,
               "FR": rrule.FR, "SA": rrule.SA, "SU": rrule.SU}
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth",
                  -1: "last", -2: "second to last", -3: "third to last",
                  -4: "fourth to last", -5: "fifth to last"}
_FREQS = {"WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY}
# How far ahead next_occurrences looks: a session years away is no help to a family.
HORIZON = timedelta(days=3 * 366)
_BYDAY_TOKEN = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$")


class ScheduleError(ValueError):
    """A schedule row that cannot be turned into sessions; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class _Rule:
    """A validated schedule row, in Python types."""
    freq: str | None
    interval: int
    byday: tuple[tuple[int | None, str], ...]
    bymonthday: tuple[int, ...]
    dtstart: date | None
    until: date | None
    valid_from: date | None
    valid_to: date | None
    opens_at: time | None
    closes_at: time | None
    wkst: str
    description: str
    term_time_only: bool = False
    runs_on_bank_holidays: bool = False


# --- parsing ------------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_date(value: Any, field: str, problems: list[str]) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        problems.append(f"{field} must be a date like 2026-01-31, not {text!r}")
        return None


def parse_time(value: Any, field: str = "time") -> time | None:
    """Read "HH:MM" or "HH:MM:SS" (any zone suffix is ignored: it is the local time written)."""
    if _blank(value):
        return None
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    match = _TIME.match(str(value).strip())
    if not match:
        raise ScheduleError([f"{field} must be a time like 10:00 or 13:30:00, not {value!r}"])
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ScheduleError([f"{field} must be a time like 10:00 or 13:30:00, not {value!r}"])
    return time(hour, minute, second)


FLAG_KEYS = ("term_time_only", "runs_on_bank_holidays")


def _flag(value: Any, key: str, problems: list[str]) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    problems.append(f"{key} must be true or false, not {value!r}")
    return False


def flags(schedule: Mapping[str, Any]) -> dict[str, Any]:
    """The row's ``term_time_only`` and ``runs_on_bank_holidays``, as given: the object's own
    keys, or (for a stored row) the ones kept in its ``extra`` JSON."""
    found = {key: schedule[key] for key in FLAG_KEYS if key in schedule}
    extra = schedule.get("extra")
    if isinstance(extra, str) and extra.strip():
        try:
            kept = json.loads(extra)
        except ValueError:
            kept = {}
        if isinstance(kept, dict):
            for key in FLAG_KEYS:
                if key in kept and key not in found:
                    found[key] = kept[key]
    return found


def _parse(schedule: Mapping[str, Any]) -> tuple[_Rule, list[str]]:
    problems: list[str] = []
    freq_raw = schedule.get("freq")
    freq = None if _blank(freq_raw) else str(freq_raw).strip().upper()
    if freq is not None and freq not in _FREQS:
        problems.append(f"freq must be WEEKLY or MONTHLY, not {freq_raw!r}")

    interval = 1
    raw_interval = schedule.get("interval")
    if not _blank(raw_interval):
        try:
            as_float = float(raw_interval)
            if as_float != int(as_float) or as_float < 1:
                raise ValueError
            interval = int(as_float)
        except (TypeError, ValueError):
            problems.append(f"interval must be a whole number of 1 or more, not {raw_interval!r}")

    byday: list[tuple[int | None, str]] = []
    raw_byday = schedule.get("byday")
    if not _blank(raw_byday):
        for token in str(raw_byday).upper().replace(" ", "").split(","):
            match = _BYDAY_TOKEN.match(token)
            if not match:
                problems.append(f"byday has {token!r}, which is not a day like MO, SA, 1SA or -1FR")
                continue
            ordinal = int(match[1]) if match[1] else None
            if ordinal is not None and freq == "WEEKLY":
                problems.append(f"byday {token!r} has a week number, which only works with "
                                "freq MONTHLY")
            byday.append((ordinal, match[2]))

    bymonthday: list[int] = []
    raw_bymonthday = schedule.get("bymonthday")
    if not _blank(raw_bymonthday):
        for token in str(raw_bymonthday).replace(" ", "").split(","):
            try:
                day = int(token)
                if day == 0 or not -31 <= day <= 31:
                    raise ValueError
                bymonthday.append(day)
            except ValueError:
                problems.append(f"bymonthday has {token!r}, which is not a day of the month "
                                "(1 to 31, or -1 for the last day)")
        if bymonthday and freq == "WEEKLY":
            problems.append("bymonthday only works with freq MONTHLY")

    dtstart = _parse_date(schedule.get("dtstart"), "dtstart", problems)
    until = _parse_date(schedule.get("until"), "until", problems)
    valid_from = _parse_date(schedule.get("valid_from"), "valid_from", problems)
    valid_to = _parse_date(schedule.get("valid_to"), "valid_to", problems)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(f"valid_to {valid_to} is before valid_from {valid_from}")

    opens_at = closes_at = None
    for field in ("opens_at", "closes_at"):
        try:
            parsed = parse_time(schedule.get(field), field)
        except ScheduleError as error:
            problems.extend(error.problems)
            continue
        if field == "opens_at":
            opens_at = parsed
        else:
            closes_at = parsed
    if closes_at is not None and _blank(schedule.get("opens_at")):
        problems.append("closes_at is given without opens_at")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        problems.append(f"closes_at {closes_at:%H:%M} is not after opens_at {opens_at:%H:%M}")

    wkst_raw = schedule.get("wkst")
    wkst = "MO" if _blank(wkst_raw) else str(wkst_raw).strip().upper()
    if wkst not in DAY_CODES:
        problems.append(f"wkst must be a day like MO, not {wkst_raw!r}")
        wkst = "MO"

    if freq in _FREQS:
        if not byday and not bymonthday and dtstart is None:
            problems.append(f"a {freq} schedule needs byday, bymonthday or dtstart to say "
                            "which day it is on")
        if interval > 1 and dtstart is None and valid_from is None:
            problems.append(f"interval {interval} needs dtstart (the date of the first "
                            "session) to say which weeks or months it is on")

    description = "" if _blank(schedule.get("description")) else str(schedule["description"]).strip()
    given = flags(schedule)
    term_time_only = _flag(given.get("term_time_only"), "term_time_only", problems)
    on_bank_holidays = _flag(given.get("runs_on_bank_holidays"), "runs_on_bank_holidays",
                             problems)
    rule = _Rule(freq if freq in _FREQS else None, interval, tuple(byday), tuple(bymonthday),
                 dtstart, until, valid_from, valid_to, opens_at, closes_at, wkst, description,
                 term_time_only, on_bank_holidays)
    if not problems and rule.freq == "MONTHLY" and not _can_happen(rule):
        problems.append("this pattern never happens: no month it repeats in has a day that "
                        "matches both byday and bymonthday")
    return rule, problems


def _month_days(rule: _Rule, first_weekday: int, length: int) -> set[int]:
    """The days of one month (its 1st on ``first_weekday``, 0 = Monday) a MONTHLY rule picks."""
    picked: set[int] | None = None
    if rule.byday:
        picked = set()
        for ordinal, code in rule.byday:
            first = 1 + (DAY_CODES.index(code) - first_weekday) % 7
            days = list(range(first, length + 1, 7))
            if ordinal is None:
                picked.update(days)
            elif ordinal <= len(days) and -ordinal <= len(days):
                picked.add(days[ordinal - 1] if ordinal > 0 else days[ordinal])
    monthdays = rule.bymonthday or (() if rule.byday else (_anchor(rule).day,))
    if monthdays:
        by_number = {n if n > 0 else length + 1 + n for n in monthdays}
        by_number = {n for n in by_number if 1 <= n <= length}
        picked = by_number if picked is None else picked & by_number
    return picked or set()


def _can_happen(rule: _Rule) -> bool:
    """False for a MONTHLY pattern that no month can satisfy (rrule would search forever)."""
    lengths = {1: (31,), 2: (28, 29), 3: (31,), 4: (30,), 5: (31,), 6: (30,), 7: (31,),
               8: (31,), 9: (30,), 10: (31,), 11: (30,), 12: (31,)}
    start_month = _anchor(rule).month
    months = {(start_month - 1 + k * rule.interval) % 12 + 1 for k in range(12)}
    return any(_month_days(rule, weekday, length)
               for month in months for length in lengths[month] for weekday in range(7))


def validate_schedule(schedule: Mapping[str, Any]) -> list[str]:
    """Every problem with a schedule row, as plain messages (empty when it is fine)."""
    return _parse(schedule)[1]


def _rule(schedule: Mapping[str, Any]) -> _Rule:
    rule, problems = _parse(schedule)
    if problems:
        raise ScheduleError(problems)
    return rule


def is_term_time_only(schedule: Mapping[str, Any]) -> bool:
    """True when sessions happen only in the authority's term dates."""
    return _rule(schedule).term_time_only


def runs_on_bank_holidays(schedule: Mapping[str, Any]) -> bool:
    """True when sessions go ahead on bank holidays (the default is that they do not)."""
    return _rule(schedule).runs_on_bank_holidays


def is_by_appointment(schedule: Mapping[str, Any]) -> bool:
    """True when the row has no repeating pattern: families book a time instead."""
    return _blank(schedule.get("freq"))


# --- expanding ------------------------------------------------------------------------------

def _local(value: datetime) -> datetime:
    """An aware Europe/London datetime; naive input is taken to be London time already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=LONDON)
    return value.astimezone(LONDON)


def _attach_zone(naive: datetime) -> datetime:
    """Give a wall-clock time its London offset, moving a time that the spring change skips."""
    aware = naive.replace(tzinfo=LONDON)
    round_trip = aware.astimezone(timezone.utc).astimezone(LONDON)
    return round_trip if round_trip.replace(tzinfo=None) != naive else aware


def _anchor(rule: _Rule) -> date:
    """The phase of the recurrence: which weeks (or months) an interval counts from."""
    return rule.dtstart or rule.valid_from or date(2000, 1, 3)  # 3 Jan 2000 was a Monday


def _start_near(rule: _Rule, anchor: date, target: date) -> date:
    """The latest start on or before ``target`` that keeps the anchor's phase.

    rrule walks from its dtstart, so a rule first written years ago would be walked week by
    week up to today. Jumping ahead by whole intervals gives the same dates, faster.
    """
    if target <= anchor:
        return anchor
    if rule.freq == "WEEKLY":
        week_start = anchor - timedelta(days=(anchor.weekday() - DAY_CODES.index(rule.wkst)) % 7)
        step = 7 * rule.interval
        periods = (target - week_start).days // step
        start = week_start + timedelta(days=periods * step)
        return max(start, anchor)
    months = (target.year - anchor.year) * 12 + (target.month - anchor.month)
    periods = months // rule.interval
    if periods <= 0:
        return anchor
    return (anchor.replace(day=1) + relativedelta(months=periods * rule.interval))


def _rrule(rule: _Rule, start: date, last_day: date | None) -> rrule.rrule:
    kwargs: dict[str, Any] = {
        "freq": _FREQS[rule.freq], "interval": rule.interval,
        "dtstart": datetime.combine(start, rule.opens_at),
        "wkst": _RRULE_DAYS[rule.wkst],
    }
    anchor = _anchor(rule)
    if rule.byday:
        kwargs["byweekday"] = [_RRULE_DAYS[code](ordinal) if ordinal else _RRULE_DAYS[code]
                               for ordinal, code in rule.byday]
    if rule.bymonthday:
        kwargs["bymonthday"] = list(rule.bymonthday)
    if not rule.byday and not rule.bymonthday:
        # rrule would take the day from dtstart, which _start_near may have moved.
        if rule.freq == "WEEKLY":
            kwargs["byweekday"] = [_RRULE_DAYS[DAY_CODES[anchor.weekday()]]]
        else:
            kwargs["bymonthday"] = [anchor.day]
    if last_day is not None:
        kwargs["until"] = datetime.combine(last_day, time(23, 59, 59))
    return rrule.rrule(**kwargs)


def next_occurrences(schedule: Mapping[str, Any], after: datetime, count: int = 3, *,
                     skip: Callable[[date], bool] | None = None) -> list[datetime]:
    """Session starts strictly after ``after``, soonest first, as aware London datetimes.

    Honours ``dtstart``, ``until``, ``valid_from`` and ``valid_to`` (all inclusive dates), and
    looks no more than three years ahead. By-appointment rows and rows without an ``opens_at``
    have no occurrences. ``skip(day)`` is true for a day with no session (a bank holiday, a
    closure, a day out of term: ``directory.closed_days.DaysOff.skips``).
    Raises ``ScheduleError`` for a row that ``validate_schedule`` would reject.
    """
    rule = _rule(schedule)
    if rule.freq is None or rule.opens_at is None or count <= 0:
        return []
    after_local = _local(after)
    last_day = min((d for d in (rule.until, rule.valid_to) if d is not None), default=None)
    first_day = max((d for d in (rule.dtstart, rule.valid_from) if d is not None), default=None)
    if last_day is not None and last_day < after_local.date():
        return []
    # Look from a day early: the hour the clocks go back happens twice in naive wall time.
    search_from = after_local.date() - timedelta(days=1)
    if first_day is not None:
        search_from = max(search_from, first_day)
    # Measured from where sessions can begin, so asking again from any session gives the rest.
    horizon = search_from + HORIZON
    last_day = horizon if last_day is None else min(last_day, horizon)
    anchor = _anchor(rule)
    start = _start_near(rule, anchor, search_from - timedelta(days=7))
    recurrence = _rrule(rule, start, last_day)
    found: list[datetime] = []
    for naive in recurrence.xafter(datetime.combine(search_from, time(0, 0)), inc=True):
        if first_day is not None and naive.date() < first_day:
            continue
        aware = _attach_zone(naive)
        if aware <= after_local or (skip is not None and skip(naive.date())):
            continue
        found.append(aware)
        if len(found) >= count:
            break
    return found


def session_end(schedule: Mapping[str, Any], start: datetime) -> datetime | None:
    """When the session that begins at ``start`` ends (None when no ``closes_at`` is known)."""
    rule = _rule(schedule)
    if rule.closes_at is None:
        return None
    local_start = _local(start)
    return _attach_zone(datetime.combine(local_start.date(), rule.closes_at))


def time_of_day(schedule: Mapping[str, Any]) -> str | None:
    """"morning" (starts before 12:00), "afternoon" (12:00–16:59) or "evening" (17:00 on)."""
    rule = _rule(schedule)
    if rule.opens_at is None:
        return None
    return _time_of_day_at(rule.opens_at.hour * 60 + rule.opens_at.minute)


def weekdays(schedule: Mapping[str, Any]) -> set[str]:
    """The days (MO..SU) a session can fall on, so a search can filter by day."""
    rule = _rule(schedule)
    if rule.freq is None:
        return set()
    if rule.byday:
        return {code for _, code in rule.byday}
    if rule.bymonthday or rule.freq == "MONTHLY":
        return set(DAY_CODES)
    return {DAY_CODES[_anchor(rule).weekday()]}


# --- describing -------------------------------------------------------------------------------

def format_time(value: time) -> str:
    """10:00 -> "10am", 13:30 -> "1:30pm", 12:00 -> "12pm"."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    if value.minute:
        return f"{hour}:{value.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _ordinal_day(day: int) -> str:
    if day == -1:
        return "last day"
    if day < 0:
        return f"{_ORDINAL_WORDS.get(day, f'{-day}th to last')} day"
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _day_list(codes: list[str]) -> str:
    ordered = sorted(set(codes), key=DAY_CODES.index)
    if ordered == list(DAY_CODES[:5]):
        return "weekday (Monday to Friday)"
    if ordered == list(DAY_CODES):
        return "day"
    return _join([DAY_NAMES[code] for code in ordered])


def _times(rule: _Rule) -> str:
    if rule.opens_at is None:
        return ""
    if rule.closes_at is None:
        return f"from {format_time(rule.opens_at)}"
    return f"{format_time(rule.opens_at)} to {format_time(rule.closes_at)}"


def _pattern(rule: _Rule) -> str:
    plain_days = [code for ordinal, code in rule.byday if ordinal is None]
    ordinal_days = [(ordinal, code) for ordinal, code in rule.byday if ordinal is not None]
    if rule.freq == "WEEKLY":
        codes = sorted(set(plain_days or [DAY_CODES[_anchor(rule).weekday()]]),
                       key=DAY_CODES.index)
        if rule.interval == 1:
            return f"Every {_day_list(codes)}"
        if rule.interval == 2 and len(codes) == 1:
            return f"Every other {DAY_NAMES[codes[0]]}"
        # "Every other Monday and Wednesday" could be read two ways: say "week".
        every = "Every other week" if rule.interval == 2 else f"Every {rule.interval} weeks"
        if codes == list(DAY_CODES):
            return f"{every}, every day"
        if codes == list(DAY_CODES[:5]):
            return f"{every}, Monday to Friday"
        return f"{every} on {_day_list(codes)}"

    # MONTHLY
    month = {1: "the month", 2: "every other month"}.get(rule.interval,
                                                         f"every {rule.interval} months")
    parts: list[str] = []
    if ordinal_days:
        by_code: dict[str, list[int]] = {}
        for ordinal, code in ordinal_days:
            by_code.setdefault(code, []).append(ordinal)
        phrases = []
        for code, ordinals in by_code.items():
            ordinals.sort(key=lambda n: (n < 0, abs(n)))
            phrases.append(f"{_join([_ORDINAL_WORDS[n] for n in ordinals])} {DAY_NAMES[code]}")
        text = _join(phrases)
        parts.append(f"{text[0].upper()}{text[1:]} of {month}")
    if plain_days:
        text = f"Every {_day_list(plain_days)}"
        parts.append(text if rule.interval == 1 else f"{text}, {month}")
    if rule.bymonthday and not rule.byday:
        days = sorted(rule.bymonthday, key=lambda n: (n < 0, abs(n)))
        parts.append(f"On the {_join([_ordinal_day(n) for n in days])} of {month}")
    if rule.bymonthday and rule.byday:
        days = sorted(rule.bymonthday, key=lambda n: (n < 0, abs(n)))
        joined = _join([_ordinal_day(n) for n in days])
        text = " and ".join(parts[:1] + [part[0].lower() + part[1:] for part in parts[1:]])
        return f"{text}, when it falls on the {joined}"
    if not parts:
        parts.append(f"On the {_ordinal_day(_anchor(rule).day)} of {month}")
    return " and ".join(parts[:1] + [part[0].lower() + part[1:] for part in parts[1:]])


def describe(schedule: Mapping[str, Any]) -> str:
    """The schedule in plain English: "Every Saturday, 10am to 12pm", "By appointment"."""
    rule = _rule(schedule)
    if rule.freq is None:
        return rule.description or "By appointment"
    times = _times(rule)
    pattern = _pattern(rule)
    text = f"{pattern}, {times}" if times else pattern
    return f"{text}, in term time only" if rule.term_time_only else text


def describe_occurrence(start: datetime, end: datetime | None = None) -> str:
    """One session in plain English: "Saturday 5 December, 10am to 12pm"."""
    local_start = _local(start)
    day = f"{DAY_NAMES[DAY_CODES[local_start.weekday()]]} {local_start.day} {local_start:%B}"
    if end is None:
        return f"{day}, {format_time(local_start.time())}"
    return f"{day}, {format_time(local_start.time())} to {format_time(_local(end).time())}"
