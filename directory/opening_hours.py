"""A centre's opening hours: when its doors are open, in words, and whether they are open now.

Opening hours are ORUK ``schedule`` rows that belong to a location (``schedule.location_id``,
the HSDS 3.0 column; see ``docs/staff.md``). They are read with ``directory.schedules``, so
they are Europe/London wall-clock times on both sides of the clock change: a centre open at
9am is open at 9am in March and in November.

Staff enter hours day by day (``web/staff/views_centres.py``); ``hours_from_days`` turns those
days into as few weekly rows as it can ("Monday to Friday, 9am to 5pm" is one row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Callable, Iterable, Mapping

import sqlite_utils

from common.days import DAY_CODES, DAY_NAMES, day_code
from directory import schedules as sched
from directory.closed_days import DEFAULT_NATION, Calendar, DaysOff

# How far ahead to look for the next opening: a centre shut for longer says "call the main line".
LOOK_AHEAD = 21


@dataclass(frozen=True)
class CentreHours:
    """A centre's hours at one moment: the words, whether it is open, when it next opens."""

    text: str
    open_now: bool
    closes: datetime | None  # today's closing time, when open now
    opens_next: datetime | None  # the next opening, when closed now


def day_range(codes: Iterable[str]) -> str:
    """"Monday to Friday", "Saturday", "Monday, Wednesday and Friday", "every day"."""
    ordered = [c for c in DAY_CODES if c in set(codes)]
    if not ordered:
        return ""
    if len(ordered) == 7:
        return "every day"
    indexes = [DAY_CODES.index(c) for c in ordered]
    if len(ordered) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{DAY_NAMES[ordered[0]]} to {DAY_NAMES[ordered[-1]]}"
    names = [DAY_NAMES[c] for c in ordered]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def location_schedules(db: sqlite_utils.Database, location_id: str | None) -> list[dict[str, Any]]:
    """The opening-hours rows of one centre (none for an unknown id)."""
    if not location_id:
        return []
    cursor = db.execute("SELECT * FROM schedule WHERE location_id = ? AND service_id IS NULL "
                        "ORDER BY rowid", [location_id])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _usable(schedules: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows that say a day and a time (a broken or by-appointment row is left out, not fatal)."""
    usable = []
    for row in schedules:
        try:
            if sched.is_by_appointment(row) or sched.parse_time(row.get("opens_at")) is None:
                continue
            sched.weekdays(row)
        except sched.ScheduleError:
            continue
        usable.append(row)
    return usable


def weekly_days(schedules: Iterable[Mapping[str, Any]]) -> dict[str, tuple[time, time | None]]:
    """Each day code -> (opens, closes) for the plain weekly rows: what the staff form shows."""
    days: dict[str, tuple[time, time | None]] = {}
    for row in editable(schedules):
        opens = sched.parse_time(row.get("opens_at"))
        closes = sched.parse_time(row.get("closes_at"))
        for code in sched.weekdays(row):
            days[code] = (opens, closes)
    return days


def editable(schedules: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows the staff form can show and change: every week, named days, a time, no date limits."""
    rows = []
    for row in _usable(schedules):
        if (str(row.get("freq") or "").upper() == "WEEKLY"
                and int(float(row.get("interval") or 1)) == 1
                and row.get("byday") and not any(ch.isdigit() for ch in str(row["byday"]))
                and not any(row.get(k) for k in ("valid_from", "valid_to", "dtstart", "until",
                                                 "bymonthday"))):
            rows.append(row)
    return rows


def hours_from_days(days: Mapping[str, tuple[time, time]]) -> list[dict[str, Any]]:
    """Weekly ORUK schedule rows for these days, one row per distinct opening time."""
    by_times: dict[tuple[time, time], list[str]] = {}
    for code in DAY_CODES:
        if code in days:
            by_times.setdefault(days[code], []).append(code)
    return [{"freq": "WEEKLY", "interval": 1, "byday": ",".join(codes),
             "opens_at": opens.strftime("%H:%M"), "closes_at": closes.strftime("%H:%M"),
             "description": "Opening hours"}
            for (opens, closes), codes in by_times.items()]


def same_row(rows: Iterable[Mapping[str, Any]], wanted: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The stored row that already says ``wanted`` (same days and times), so an unchanged
    import keeps its ids and words."""
    def key(row: Mapping[str, Any]) -> tuple:
        return (frozenset(sched.weekdays(row)), sched.parse_time(row.get("opens_at")),
                sched.parse_time(row.get("closes_at")))
    return next((row for row in rows if key(row) == key(wanted)), None)


def describe_hours(schedules: Iterable[Mapping[str, Any]]) -> str | None:
    """"Monday to Friday, 9am to 5pm, and Saturday, 10am to 12pm" (None when unknown)."""
    groups: dict[tuple[time, time | None], set[str]] = {}
    for row in _usable(schedules):
        key = (sched.parse_time(row.get("opens_at")), sched.parse_time(row.get("closes_at")))
        groups.setdefault(key, set()).update(sched.weekdays(row))
    if not groups:
        return None
    first_day = {key: min(DAY_CODES.index(c) for c in codes) for key, codes in groups.items()}
    parts = []
    for key in sorted(groups, key=lambda k: (first_day[k], k[0])):
        opens, closes = key
        times = (f"{sched.format_time(opens)} to {sched.format_time(closes)}" if closes
                 else f"from {sched.format_time(opens)}")
        parts.append(f"{day_range(groups[key])}, {times}")
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _spells(schedules: list[Mapping[str, Any]], now: datetime,
            days_off: Callable[[Mapping[str, Any]], DaysOff | None] = lambda row: None,
            ) -> list[tuple[datetime, datetime | None]]:
    """Each opening (start, end) from a day before ``now`` to ``LOOK_AHEAD`` days after it."""
    spells = []
    since = now - timedelta(days=1)
    for row in schedules:
        off = days_off(row)
        skip = off.skips if off else None
        for start in sched.next_occurrences(row, since, count=LOOK_AHEAD * 2 + 2, skip=skip):
            if start > now + timedelta(days=LOOK_AHEAD):
                break
            spells.append((start, sched.session_end(row, start)))
    return sorted(spells, key=lambda spell: spell[0])


def hours_at(schedules: Iterable[Mapping[str, Any]], now: datetime,
             calendar: Calendar | None = None, location_id: str | None = None) -> CentreHours | None:
    """The centre's hours in words and whether it is open at ``now`` (None when unknown).

    With a ``calendar``, a centre is shut on bank holidays (unless a row runs on them) and on
    the closures of the authority and of the centre, as its sessions are."""
    rows = _usable(schedules)
    text = describe_hours(rows)
    if text is None:
        return None
    now = now.astimezone(sched.LONDON)
    spells = _spells(rows, now, (lambda row: calendar.days_off(row, [location_id] if location_id else []))
                     if calendar else (lambda row: None))
    for start, end in spells:
        if start <= now and end is not None and now < end:
            return CentreHours(text, True, end, None)
    upcoming = next((start for start, _ in spells if start > now), None)
    return CentreHours(text, False, None, upcoming)


def centre_hours_at(db: sqlite_utils.Database, location_id: str | None, now: datetime,
                    nation: str = DEFAULT_NATION) -> CentreHours | None:
    """``hours_at`` for a centre in the directory, with its bank holidays and closures."""
    return hours_at(location_schedules(db, location_id), now, Calendar.load(db, nation),
                    location_id)


def when_words(moment: datetime, now: datetime) -> str:
    """"today at 9am", "tomorrow at 9am", "on Monday at 9am", "on Monday 4 January at 9am"."""
    moment, now = moment.astimezone(sched.LONDON), now.astimezone(sched.LONDON)
    at = sched.format_time(moment.time())
    days = (moment.date() - now.date()).days
    if days == 0:
        return f"today at {at}"
    if days == 1:
        return f"tomorrow at {at}"
    name = DAY_NAMES[DAY_CODES[moment.weekday()]]
    if days < 7:
        return f"on {name} at {at}"
    return f"on {name} {moment.day} {moment:%B} at {at}"


# --- the staff CSV's ``centre_opening_hours`` cell: "Mon-Fri 09:00-17:00; Sat 10:00-13:00" ---

_CELL_PART = re.compile(r"^(?P<days>.+?)\s+(?P<opens>\d{1,2}(?:[:.]\d{2})?)\s*(?:-|–|to)\s*"
                        r"(?P<closes>\d{1,2}(?:[:.]\d{2})?)$", re.IGNORECASE)
_DAY_RANGE = re.compile(r"^(?P<first>[a-z]+)\s*(?:-|–|to)\s*(?P<last>[a-z]+)$", re.IGNORECASE)


def hours_cell(schedules: Iterable[Mapping[str, Any]]) -> str:
    """The weekly opening hours as one CSV cell: "Mon-Fri 09:00-17:00; Sat 10:00-13:00"."""
    by_times: dict[tuple[time, time | None], list[str]] = {}
    for code, times in weekly_days(schedules).items():
        by_times.setdefault(times, []).append(code)
    parts = []
    for (opens, closes), codes in sorted(by_times.items(),
                                         key=lambda item: min(map(DAY_CODES.index, item[1]))):
        codes = sorted(codes, key=DAY_CODES.index)
        indexes = [DAY_CODES.index(c) for c in codes]
        if len(codes) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
            days = f"{DAY_NAMES[codes[0]][:3]}-{DAY_NAMES[codes[-1]][:3]}"
        else:
            days = ",".join(DAY_NAMES[c][:3] for c in codes)
        if closes is not None:
            parts.append(f"{days} {opens:%H:%M}-{closes:%H:%M}")
    return "; ".join(parts)


def _cell_time(text: str) -> time | None:
    try:
        return sched.parse_time(text.replace(".", ":") if ":" in text or "." in text
                                else f"{text}:00")
    except sched.ScheduleError:
        return None


def read_hours_cell(text: str) -> tuple[dict[str, tuple[time, time]], list[str]]:
    """The days and times in a ``centre_opening_hours`` cell, and every problem with it."""
    days: dict[str, tuple[time, time]] = {}
    problems: list[str] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        match = _CELL_PART.match(part)
        if not match:
            problems.append(f"{part!r} should be days then times, like 'Mon-Fri 09:00-17:00'")
            continue
        opens, closes = _cell_time(match["opens"]), _cell_time(match["closes"])
        if opens is None or closes is None:
            problems.append(f"{part!r} has a time that is not a 24-hour time like 09:00")
            continue
        if closes <= opens:
            problems.append(f"in {part!r} the closing time is not after the opening time")
            continue
        codes: list[str] = []
        for piece in re.split(r"\s*(?:,|&|\band\b)\s*", match["days"].strip()):
            ranged = _DAY_RANGE.match(piece)
            ends = [ranged["first"], ranged["last"]] if ranged else [piece]
            found = [day_code(end) for end in ends]
            if None in found:
                problems.append(f"{piece!r} is not a day like Mon, Saturday or Mon-Fri")
                continue
            first, last = DAY_CODES.index(found[0]), DAY_CODES.index(found[-1])
            codes += list(DAY_CODES[first:last + 1]) if first <= last else []
            if first > last:
                problems.append(f"{piece!r} runs backwards; write it like Mon-Fri")
        for code in codes:
            if code in days:
                problems.append(f"{DAY_NAMES[code]} is given twice")
            days[code] = (opens, closes)
    return days, problems
