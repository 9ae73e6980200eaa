"""What a parent sees when the bot can't answer (Rasa or the action server down or too slow).

Never an error page: a short apology, then people they can ring — the family hubs team and
every centre in the directory with its phone number and the days and hours it runs sessions.
Read straight from the directory, so it works with the whole Rasa tier down.
"""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

import sqlite_utils
from aiohttp import web

from web import keys
from directory import schedules as sched

log = logging.getLogger("signpost.web.fallback")

#: More centres than this and the message gets too long to read on a phone.
MAX_CENTRES = 12

APOLOGY = ("Sorry, the chat is not working right now. You can still talk to a person. "
           "Or try again in a few minutes.")


def _day_range(codes: set[str]) -> str:
    ordered = [c for c in sched.DAY_CODES if c in codes]
    if not ordered:
        return ""
    if len(ordered) == 7:
        return "every day"
    indexes = [sched.DAY_CODES.index(c) for c in ordered]
    if len(ordered) > 2 and indexes == list(range(indexes[0], indexes[-1] + 1)):
        return f"{sched.DAY_NAMES[ordered[0]]} to {sched.DAY_NAMES[ordered[-1]]}"
    names = [sched.DAY_NAMES[c] for c in ordered]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def centre_hours(schedules: list[dict[str, Any]]) -> str | None:
    """"Monday to Friday, 9am to 4pm": the days and the span of hours a centre runs sessions."""
    days: set[str] = set()
    opens: list[time] = []
    closes: list[time] = []
    for schedule in schedules:
        try:
            if sched.is_by_appointment(schedule):
                continue
            days |= sched.weekdays(schedule)
            start = sched.parse_time(schedule.get("opens_at"))
            end = sched.parse_time(schedule.get("closes_at"))
        except sched.ScheduleError:
            continue
        if start:
            opens.append(start)
        if end:
            closes.append(end)
    if not days:
        return None
    text = _day_range(days)
    if opens and closes:
        text += f", {sched.format_time(min(opens))} to {sched.format_time(max(closes))}"
    return text


def centres(db: sqlite_utils.Database, limit: int = MAX_CENTRES) -> list[dict[str, Any]]:
    """Every centre hosting an active service: name, phone, hours, postcode."""
    rows = db.execute(
        "SELECT l.id, l.name, (SELECT postal_code FROM address a WHERE a.location_id = l.id "
        "  ORDER BY a.rowid LIMIT 1) AS postcode "
        "FROM location l WHERE EXISTS (SELECT 1 FROM service_at_location sal "
        "  JOIN service s ON s.id = sal.service_id WHERE sal.location_id = l.id "
        "  AND coalesce(s.status, 'active') = 'active') "
        "ORDER BY l.name LIMIT ?", [limit]).fetchall()
    found = []
    for location_id, name, postcode in rows:
        phone = db.execute(
            "SELECT number FROM phone WHERE location_id = ? AND coalesce(trim(number), '') != '' "
            "UNION ALL SELECT p.number FROM phone p JOIN service_at_location sal "
            "  ON p.service_at_location_id = sal.id WHERE sal.location_id = ? "
            "UNION ALL SELECT p.number FROM phone p JOIN service_at_location sal "
            "  ON p.service_id = sal.service_id WHERE sal.location_id = ? "
            "  AND coalesce(trim(p.number), '') != '' LIMIT 1",
            [location_id, location_id, location_id]).fetchone()
        cursor = db.execute(
            "SELECT sc.* FROM schedule sc JOIN service_at_location sal "
            "  ON sc.service_at_location_id = sal.id OR "
            "     (sc.service_at_location_id IS NULL AND sc.service_id = sal.service_id) "
            "JOIN service s ON s.id = sal.service_id "
            "WHERE sal.location_id = ? AND coalesce(s.status, 'active') = 'active'",
            [location_id])
        names = [d[0] for d in cursor.description]
        schedules = [dict(zip(names, row)) for row in cursor.fetchall()]
        found.append({"name": name, "postcode": postcode, "phone": phone[0] if phone else None,
                      "hours": centre_hours(schedules)})
    return found


def fallback_text(settings_phone: str, settings_hours: str, found: list[dict[str, Any]]) -> str:
    lines = [APOLOGY, "", f"Family hubs team: {settings_phone}, {settings_hours}."]
    for centre in found:
        if not centre["phone"]:
            continue
        line = f"{centre['name']}: {centre['phone']}"
        if centre["hours"]:
            line += f". Sessions {centre['hours']}"
        lines.append(line + ".")
    lines += ["", "If you or a child are in danger now, call 999."]
    return "\n".join(lines)


async def fallback_messages(app: web.Application) -> list[dict[str, Any]]:
    """The friendly reply, in the chat contract's shape."""
    settings = app[keys.SETTINGS]
    try:
        found = await app[keys.DIRECTORY].run(centres)
    except Exception:  # the directory failing too must still not give the parent an error page
        log.exception("Could not read the centres for the fallback reply")
        found = []
    text = fallback_text(settings.family_hubs_phone, settings.family_hubs_hours, found)
    return [{"text": text, "buttons": [],
             "custom": {"type": "unavailable", "centres": found,
                        "main_line": settings.family_hubs_phone,
                        "hours": settings.family_hubs_hours}}]
