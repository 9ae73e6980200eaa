"""A service card's words, built once for every place that shows one.

The chat (``web/static/chat.js``, from the bot's ``services`` payload), the no-JavaScript search
page (``web/templates/search.html``) and the bot's replies all show a search result as the same
facts: when, where (and how far), cost, who it is for, phone, when it was last checked. This
module turns a result of ``directory.search`` into those words; the pages only lay them out.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from directory import schedules as sched

_RANGE = re.compile(r"(\d{1,2}(?::\d{2})?[ap]m) to (\d{1,2}(?::\d{2})?[ap]m)")
KM_PER_MILE = 1.609344
#: A listing not checked for this long is flagged to parents (and to staff as "Check now").
#: The check is ORUK ``assured_date``: staff set it with "Mark as checked" (docs/staff.md).
STALE_AFTER = relativedelta(months=3)
LONDON = ZoneInfo("Europe/London")


def next_session_words(result: dict[str, Any]) -> str | None:
    """"Saturday 5 December, 10am to 12pm" for the soonest session, when there is one.

    A session may be an ISO start or a "start/end" interval; without an end, the end time comes
    from the schedule's words ("Every Saturday, 10am to 12pm") when they match the start.
    """
    sessions = result.get("next_sessions") or []
    if not sessions:
        return None
    start_text, _, end_text = str(sessions[0]).partition("/")
    try:
        start = datetime.fromisoformat(start_text)
        end = datetime.fromisoformat(end_text) if end_text else None
    except ValueError:
        return None
    if end is not None:
        return sched.describe_occurrence(start, end)
    words = sched.describe_occurrence(start)
    match = _RANGE.search(result.get("schedule_text") or "")
    if match and words.endswith(", " + match[1]):
        words += f" to {match[2]}"
    return words


def distance_words(km: float | None) -> str | None:
    """"about 2.5 miles away", "very close to you"."""
    if km is None:
        return None
    miles = km / KM_PER_MILE
    if miles < 0.2:
        return "very close to you"
    rounded = f"{miles:.1f}".removesuffix(".0") if miles < 10 else str(round(miles))
    return f"about {rounded} {'mile' if rounded == '1' else 'miles'} away"


def checked_on(value: str | None) -> str | None:
    """"4 December 2026" from an ORUK ``assured_date``."""
    if not value:
        return None
    try:
        day = datetime.fromisoformat(str(value)[:10])
    except ValueError:
        return None
    return f"{day.day} {day:%B %Y}"


def _checked_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def is_stale(assured_date: str | None, today: date | None = None) -> bool:
    """True when the listing was last checked over 3 months ago, or we don't know when."""
    checked = _checked_date(assured_date)
    today = today or datetime.now(LONDON).date()
    return checked is None or checked < today - STALE_AFTER


def stale_words(assured_date: str | None, today: date | None = None) -> str | None:
    """"Last checked in August 2026. Phone to check before you go." for an old listing."""
    if not is_stale(assured_date, today):
        return None
    checked = _checked_date(assured_date)
    if checked is None:
        return "We do not know when this was last checked. Phone to check before you go."
    return f"Last checked in {checked:%B %Y}. Phone to check before you go."


def where_words(result: dict[str, Any]) -> str | None:
    """The centre and its address (with the postcode, when the address lacks it)."""
    parts = [p for p in (result.get("centre"), result.get("address")) if p]
    postcode = result.get("postcode")
    if postcode and postcode not in str(result.get("address") or ""):
        parts.append(postcode)
    return ", ".join(parts) or None


def map_link(result: dict[str, Any]) -> str | None:
    """OpenStreetMap at the centre (or a search for its address when it has no coordinates)."""
    lat, lon = result.get("latitude"), result.get("longitude")
    if lat is not None and lon is not None:
        return (f"https://www.openstreetmap.org/?mlat={lat:.5f}&mlon={lon:.5f}"
                f"#map=17/{lat:.5f}/{lon:.5f}")
    where = ", ".join(p for p in (result.get("address"), result.get("postcode")) if p)
    return f"https://www.openstreetmap.org/search?query={quote(where)}" if where else None


def card(result: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    """The facts a results card shows, already in words (None for a fact that is unknown).

    ``service_id`` and ``location_id`` say which listing a "This is wrong" report is about.
    """
    phone = result.get("phone")
    return {
        "service_id": result.get("id"),
        "location_id": result.get("location_id"),
        "name": result.get("name") or "A service",
        "description": result.get("description"),
        "next": next_session_words(result),
        "schedule": result.get("schedule_text"),
        "by_appointment": bool(result.get("by_appointment")),
        "where": where_words(result),
        "distance": distance_words(result.get("distance_km")),
        "map": map_link(result),
        "hours": result.get("centre_hours"),
        "cost": result.get("cost_text") or ("Free" if result.get("free") else None),
        "who": result.get("age_text"),
        "phone": phone,
        "tel": re.sub(r"[^\d+]", "", phone or "") or None,
        "email": result.get("email"),
        "checked": checked_on(result.get("assured_date")),
        "stale": stale_words(result.get("assured_date"), today),
        "why": list(result.get("why") or []),
    }
