"""Centres (ORUK locations) as the web tier and staff lists show them.

``centres_to_call`` is what a parent sees when the bot can't answer: every centre hosting an
active service, with its phone number, its opening hours and the days and hours it runs
sessions. The staff area's
lists (``centre_names``, ``centre_rows``) read from here too, so SQL stays in the library.
"""

from __future__ import annotations

from datetime import time
from typing import Any

import sqlite_utils

from directory import schedules as sched
from directory.opening_hours import day_range, describe_hours, location_schedules


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
    text = day_range(days)
    if opens and closes:
        text += f", {sched.format_time(min(opens))} to {sched.format_time(max(closes))}"
    return text


def centres_to_call(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """Every centre hosting an active service: name, phone, postcode, ``hours`` (the days and
    span of hours it runs sessions) and ``opening_hours`` (when staff entered them), by name."""
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
                      "hours": centre_hours(schedules),
                      "opening_hours": describe_hours(location_schedules(db, location_id))})
    return found


def centre_names(db: sqlite_utils.Database) -> dict[str, str]:
    """Every centre's id -> name."""
    return dict(db.execute("SELECT id, name FROM location").fetchall())


def centre_list(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every centre's id and name, by name (for pick lists)."""
    return list(db.query("SELECT id, name FROM location ORDER BY name"))


def centre_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every centre with its first address and how many services run there (the staff list)."""
    return list(db.query(
        "SELECT l.id, l.name, a.address_1, a.city, a.postal_code, "
        "(SELECT count(*) FROM service_at_location sal WHERE sal.location_id = l.id) AS services "
        "FROM location l LEFT JOIN address a ON a.location_id = l.id GROUP BY l.id ORDER BY l.name"))


def unknown_centres(db: sqlite_utils.Database, ids: list[str]) -> list[str]:
    """The ids in ``ids`` that are not centres in the directory."""
    return [i for i in ids
            if db.execute("SELECT 1 FROM location WHERE id = ?", [i]).fetchone() is None]
