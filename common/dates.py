"""The dates parents write: "Christmas week", "next week", "this weekend", "on the 28th".

``when_in(text, now)`` finds the first such phrase and says where a search should start from
(``When.start``, an aware Europe/London time, never before ``now``), which days it covers
when the phrase says ("this weekend": Saturday and Sunday) and how a reply names it ("in the
week of 21 December"). Dates are read the British way: "5/1" is 5 January. A date that has
passed this year means next year ("28 December" said on 2 January).

Weekday names alone ("on Saturday") are days, not dates: ``common/days.py`` reads those.
No network and no locale: the month names are written here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from common.days import DAY_CODES, DAY_NAMES, WEEKEND

LONDON = ZoneInfo("Europe/London")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
_MONTH = r"(?P<{name}>" + "|".join(f"{m[:3]}(?:{m[3:]})?" for m in MONTHS) + r"|sept)\.?"
_ORDINAL = r"(?P<{name}>[0-3]?\d)(?P<{name}_th>st|nd|rd|th)?"


def _ordinal(name: str) -> str:
    return _ORDINAL.replace("{name}", name)


def _month(name: str) -> str:
    return _MONTH.replace("{name}", name)


#: "the 2nd one", "my 3rd child": an ordinal that is not a date.
_NOT_A_DAY = (r"(?!\s+(?:one|ones|child|children|baby|kid|kids|son|daughter|boy|girl|time|"
              r"birthday|option|result|place|group|session|week|month|year))")

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in [
    ("christmas", r"\b(?:christmas|xmas|crimbo)(?:\s+(?:week|holidays?|hols))?\b"),
    ("next_weekend", r"\bnext\s+week\s*-?\s*end\b"),
    ("this_weekend", r"\b(?:this|the|at\s+the|over\s+the)\s+week\s*-?\s*end\b"),
    ("next_week", r"\bnext\s+week\b"),
    ("this_week", r"\bthis\s+week\b"),
    ("tomorrow", r"\b(?:tomorrow|tomorow|tmrw|tmw)\b"),
    ("day_month", rf"\b{_ordinal('day')}\s*(?:of\s+)?{_month('month')}(?![a-z])"),
    ("month_day", rf"\b{_month('month')}\s+(?:the\s+)?{_ordinal('day')}\b"),
    ("numeric", r"(?<![\d/])(?!24/7\b)(?P<day>[0-3]?\d)/(?P<month>[01]?\d)"
                r"(?:/(?P<year>\d{4}|\d{2}))?(?![\d/])"),
    ("the_nth", rf"\b(?:on\s+)?the\s+(?P<day>[0-3]?\d)(?P<day_th>st|nd|rd|th)\b{_NOT_A_DAY}"),
    ("nth", rf"\bon\s+(?P<day>[0-3]?\d)(?P<day_th>st|nd|rd|th)\b{_NOT_A_DAY}"),
]]
_WEEK_OF = re.compile(r"\bweek\s+(?:of|beginning|commencing|starting)\s+(?:the\s+)?$",
                      re.IGNORECASE)


@dataclass(frozen=True)
class When:
    """Where a search starts, the days a phrase covers, and how a reply names it."""

    start: datetime
    days: tuple[str, ...]
    words: str
    span: tuple[int, int]


def day_words(day: date) -> str:
    """"Monday 28 December"."""
    return f"{DAY_NAMES[DAY_CODES[day.weekday()]]} {day.day} {MONTHS[day.month - 1].title()}"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_of(day: date) -> str:
    return f"in the week of {_monday(day).day} {MONTHS[_monday(day).month - 1].title()}"


def _month_number(text: str) -> int:
    word = text.casefold().rstrip(".")
    return next(i for i, m in enumerate(MONTHS, 1) if m.startswith(word[:3]))


def _next_date(day: int, month: int | None, today: date) -> date | None:
    """The next ``day`` (of ``month``, when given) on or after ``today``; None if no such day."""
    if month is not None:
        for year in (today.year, today.year + 1):
            try:
                found = date(year, month, day)
            except ValueError:
                continue
            if found >= today:
                return found
        return None
    year, month_now = today.year, today.month
    for _ in range(13):
        try:
            found = date(year, month_now, day)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month_now = (year + 1, 1) if month_now == 12 else (year, month_now + 1)
    return None


def _start(day: date, now: datetime) -> datetime:
    return max(datetime.combine(day, time(0, 0), tzinfo=LONDON), now)


def _read(kind: str, match: re.Match[str], text: str, now: datetime) -> When | None:
    today = now.date()
    span = match.span()
    if kind == "christmas":
        week = _monday(date(today.year, 12, 25))
        if today > week + timedelta(days=6):
            week = _monday(date(today.year + 1, 12, 25))
        return When(_start(week, now), (), _week_of(week), span)
    if kind in ("this_weekend", "next_weekend"):
        saturday = today + timedelta(days=(5 - today.weekday()) % 7)
        if today.weekday() == 6:  # on a Sunday, "this weekend" is today
            saturday = today - timedelta(days=1)
        if kind == "next_weekend":
            saturday += timedelta(days=7)
        words = "this weekend" if kind == "this_weekend" else f"next weekend, from {day_words(saturday)}"
        return When(_start(saturday, now), WEEKEND, words, span)
    if kind == "next_week":
        monday = _monday(today) + timedelta(days=7)
        return When(_start(monday, now), (), _week_of(monday), span)
    if kind == "this_week":
        return When(now, (), "this week", span)
    if kind == "tomorrow":
        day = today + timedelta(days=1)
        return When(_start(day, now), (), f"from tomorrow, {day_words(day)}", span)

    number = int(match["day"])
    if not 1 <= number <= 31:
        return None
    month = None
    if kind in ("day_month", "month_day"):
        if match["month"].casefold() == "may" and not match["day_th"] and kind == "day_month" \
                and " of " not in match[0].casefold():
            return None  # "she is 2 may be..." is not 2 May; "2nd May" and "2 of May" are
        month = _month_number(match["month"])
    elif kind == "numeric":
        month = int(match["month"])
        if not 1 <= month <= 12:
            return None
        if match["year"]:
            year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
            try:
                day = date(year, month, number)
            except ValueError:
                return None
            return None if day < today else _dated(day, match, text, now)
    day = _next_date(number, month, today)
    return None if day is None else _dated(day, match, text, now)


def _dated(day: date, match: re.Match[str], text: str, now: datetime) -> When:
    """A named date; "the week of 21 December" names the week, not the day."""
    start = match.start()
    before = _WEEK_OF.search(text[:start])
    if before:
        monday = _monday(day)
        return When(_start(monday, now), (), _week_of(monday), (before.start(), match.end()))
    year = f" {day.year}" if day.year != now.year else ""
    return When(_start(day, now), (), f"from {day_words(day)}{year}", match.span())


def when_in(text: str, now: datetime) -> When | None:
    """The first date phrase in ``text`` (the earliest in the text), or None."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(LONDON)
    found: list[tuple[re.Match[str], str]] = []
    for kind, pattern in _PATTERNS:
        found += [(match, kind) for match in pattern.finditer(text or "")]
    # The earliest phrase; of phrases that overlap it, the longest ("the 5th of January").
    found.sort(key=lambda item: (item[0].start(), -len(item[0][0])))
    while found:
        first = found[0][0]
        overlapping = [item for item in found if item[0].start() < first.end()]
        overlapping.sort(key=lambda item: -len(item[0][0]))
        for match, kind in overlapping:
            when = _read(kind, match, text, now)
            if when is not None:
                return when
        found = [item for item in found if item[0].start() >= first.end()]
    return None
