"""Centres (ORUK locations): address, postcode → map position, phone and accessibility."""

from __future__ import annotations

import re

from aiohttp import web

from directory import edits
from directory.centres import centre_rows
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
            "latitude": location.get("latitude"), "longitude": location.get("longitude")}


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
            "features": ACCESS_FEATURES, "fingerprint": edits.fingerprint(location) if location else "",
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
    return values, errors


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
