"""Centres (ORUK locations): address, postcode → map position, phone, accessibility and opening
hours (day by day; stored as weekly location schedules, ``directory/opening_hours.py``)."""

from __future__ import annotations

import re
from datetime import time

from aiohttp import web

from common.days import DAY_CODES, DAY_NAMES
from directory import edits
from directory import opening_hours as hours
from directory.centres import centre_rows
from directory.schedules import describe
from directory.geo import GeoIndexMissing, UnknownPlace
from directory.store import new_id
from web.staff import auth
from web.staff.base import render
from web.staff.directory import run, run_directory

routes = web.RouteTableDef()
# (stored description, what the form says). "Wheelchair access" is what the chat's
# "step-free" search looks for (directory.search: wheelchair, step-free or level access).
ACCESS_FEATURES = [
    ("Wheelchair access", "Wheelchair access (step-free way in)"),
    ("Accessible toilet", "Accessible toilet"),
    ("Baby changing", "Baby changing"),
    ("Hearing loop", "Hearing loop"),
    ("Parking", "Parking close to the door"),
    ("Buggy parking", "Buggy parking"),
]
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
# "9", "09:00", "9.30", "9am", "5:30pm", "17:00": what staff type for a time.
_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)
DAYS = [(code, DAY_NAMES[code]) for code in DAY_CODES]


def read_time(text: str) -> time | None:
    """A time as staff type it, or None when it is not one."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), (match[3] or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _hours_values(location: dict | None) -> dict[str, str]:
    days = hours.weekly_days((location or {}).get("schedules") or [])
    values = {}
    for code, (opens, closes) in days.items():
        values[f"opens_{code}"] = opens.strftime("%H:%M")
        values[f"closes_{code}"] = closes.strftime("%H:%M") if closes else ""
    return values


def _other_hours(location: dict | None) -> list[str]:
    """Opening-hours rows the form cannot show (from an import), in words; they are kept."""
    rows = (location or {}).get("schedules") or []
    shown = {id(row) for row in hours.editable(rows)}
    words = []
    for row in rows:
        if id(row) not in shown:
            try:
                words.append(describe(row))
            except ValueError:
                words.append(str(row.get("description") or "A pattern we cannot read"))
    return words


def _values(location: dict | None) -> dict:
    location = location or {}
    address = (location.get("addresses") or [{}])[0]
    have = {row.get("description") for row in location.get("accessibility") or []}
    features = [f for f, _ in ACCESS_FEATURES if f in have]
    others = [row for row in location.get("accessibility") or []
              if row.get("description") not in dict(ACCESS_FEATURES)]
    return {"name": location.get("name") or "", "description": location.get("description") or "",
            "address_1": address.get("address_1") or "", "city": address.get("city") or "",
            "postal_code": address.get("postal_code") or "",
            "phone": ((location.get("phones") or [{}])[0]).get("number") or "",
            "features": features, "other_access": others,
            "latitude": location.get("latitude"), "longitude": location.get("longitude"),
            "hours": _hours_values(location), "other_hours": _other_hours(location),
            "hours_text": hours.describe_hours(location.get("schedules") or [])}


def _may_edit(request: web.Request, location_id: str) -> None:
    if not auth.current_user(request).may_edit_location(location_id):
        raise web.HTTPForbidden(text="You can only change your own centres.")


@routes.get("/centres")
@auth.requires(auth.EDITOR)
async def centres(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    rows = await run(request, centre_rows)
    for row in rows:
        row["mine"] = user.may_edit_location(row["id"])
    return render("centres.html", request, {"centres": rows})


def _context(request, location_id, location, values, errors, **extra) -> dict:
    return {"location_id": location_id, "location": location, "values": values, "errors": errors,
            "features": ACCESS_FEATURES, "days": DAYS, "fingerprint": edits.fingerprint(location) if location else "",
            "saved": request.query.get("saved"), "conflict": None, **extra}


@routes.get("/centres/new")
@auth.requires(auth.ADMIN)
async def new_centre_form(request: web.Request) -> web.Response:
    return render("centre.html", request, _context(request, None, None, _values(None), {}))


@routes.get("/centres/{id}")
@auth.requires(auth.EDITOR)
async def centre_form(request: web.Request) -> web.Response:
    location_id = request.match_info["id"]
    _may_edit(request, location_id)
    location = await run(request, edits.get_location, location_id)
    if location is None:
        raise web.HTTPNotFound(text="There is no centre with that id.")
    return render("centre.html", request, _context(request, location_id, location, _values(location), {}))


def _read(form) -> tuple[dict, dict[str, str]]:
    text = {k: " ".join(str(form.get(k, "")).split()) for k in
            ("name", "address_1", "city", "postal_code", "phone")}
    values = {**text, "description": str(form.get("description", "")).strip(),
              "features": [str(f) for f in form.getall("features", [])]}
    values["postal_code"] = values["postal_code"].upper()
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter the centre's name, like 'Darwen Family Hub'."
    elif len(values["name"]) > 150:
        errors["name"] = "The name must be 150 characters or fewer."
    if not values["address_1"]:
        errors["address_1"] = "Enter the first line of the address."
    if not values["city"]:
        errors["city"] = "Enter the town or village."
    if not _POSTCODE.match(values["postal_code"]):
        errors["postal_code"] = "Enter a full postcode, like BB3 1AB."
    if values["phone"] and not re.match(r"^[0-9+() -]{6,25}$", values["phone"]):
        errors["phone"] = "Enter a phone number like 01254 666444, using numbers and spaces."
    if len(values["description"]) > 2000:
        errors["description"] = "The description must be 2,000 characters or fewer."
    if any(f not in dict(ACCESS_FEATURES) for f in values["features"]):
        errors["features"] = "Choose from the list."
    values["hours"], values["open_days"] = _read_hours(form, errors)
    return values, errors


def _read_hours(form, errors: dict[str, str]) -> tuple[dict[str, str], dict[str, tuple[time, time]]]:
    """The opening-hours boxes: what was typed (to show again) and the days that are open."""
    typed: dict[str, str] = {}
    open_days: dict[str, tuple[time, time]] = {}
    for code, name in DAYS:
        opens_text = " ".join(str(form.get(f"opens_{code}", "")).split())
        closes_text = " ".join(str(form.get(f"closes_{code}", "")).split())
        typed[f"opens_{code}"], typed[f"closes_{code}"] = opens_text, closes_text
        if not opens_text and not closes_text:
            continue  # closed that day
        if not opens_text or not closes_text:
            errors[f"opens_{code}"] = (f"Enter the time it opens and the time it closes on {name}, "
                                       "or leave both empty if it is closed.")
            continue
        opens, closes = read_time(opens_text), read_time(closes_text)
        if opens is None or closes is None:
            errors[f"opens_{code}"] = f"Enter times on {name} like 9:00 or 17:30."
        elif closes <= opens:
            errors[f"opens_{code}"] = f"On {name} the closing time must be after the opening time."
        else:
            open_days[code] = (opens, closes)
    return typed, open_days


async def _save(request: web.Request, location_id: str | None) -> web.Response:
    creating = location_id is None
    location = None if creating else await run(request, edits.get_location, location_id)
    if not creating and location is None:
        raise web.HTTPNotFound(text="There is no centre with that id.")
    form = await request.post()
    values, errors = _read(form)
    if "postal_code" not in errors:
        try:
            place = await run_directory(request, lambda d: d.resolve_place(values["postal_code"]))
            values["latitude"], values["longitude"] = round(place.latitude, 6), round(place.longitude, 6)
        except UnknownPlace:
            errors["postal_code"] = "We cannot find that postcode. Check it and try again."
        except GeoIndexMissing:
            errors["postal_code"] = ("Postcode look-up is not set up on this server, so the map "
                                     "position cannot be found. Ask your admin to run 'make run' once.")
    if errors:
        return render("centre.html", request, _context(request, location_id, location, values, errors),
                      status=400)
    location_id = location_id or new_id()
    changes = {
        "location": {"name": values["name"], "description": values["description"] or None,
                     "location_type": "physical", "latitude": values["latitude"],
                     "longitude": values["longitude"]},
        "address": {"address_1": values["address_1"], "city": values["city"], "region": None,
                    "postal_code": values["postal_code"], "country": "GB", "address_type": "physical"},
        "accessibility": {"features": values["features"], "offered": [f for f, _ in ACCESS_FEATURES]},
        "phone": {"number": values["phone"] or None},
    }
    if any(key.startswith(("opens_", "closes_")) for key in form):
        # A form without the hours boxes (an older page) leaves the hours as they are.
        changes["hours"] = hours.hours_from_days(values["open_days"])
    try:
        await run(request, edits.save_location, location_id, changes,
                  expected_fingerprint=None if creating else str(form.get("fingerprint", "")),
                  actor=auth.current_user(request).username,
                  new_ids={"address": new_id(), "accessibility": new_id(), "phone": new_id()})
    except edits.CentreConflict as conflict:
        context = _context(request, location_id, conflict.current, values, {})
        context["conflict"] = _values(conflict.current)
        return render("centre.html", request, context, status=409)
    raise web.HTTPFound(f"/staff/centres/{location_id}?saved=1")


@routes.post("/centres/new")
@auth.requires(auth.ADMIN)
async def create_centre(request: web.Request) -> web.Response:
    return await _save(request, None)


@routes.post("/centres/{id}")
@auth.requires(auth.EDITOR)
async def save_centre(request: web.Request) -> web.Response:
    _may_edit(request, request.match_info["id"])
    return await _save(request, request.match_info["id"])
