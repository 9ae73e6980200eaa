"""Term dates and closures: when sessions do not happen (``directory.closed_days``).

Admins enter the authority's term dates and closures of everything; an editor enters closures
of their own centres and of the services at them. Every change is audited
(``directory.edits.save_period`` / ``delete_period``) and search uses it at once.
"""

from __future__ import annotations

import json

from aiohttp import web

from directory import calendar_csv, closed_days, edits, oruk, store
from directory.centres import centre_rows
from web.staff import auth
from web.staff.base import render
from web.staff.directory import run

routes = web.RouteTableDef()
_FIELDS = ("kind", "applies_to", "location_id", "service_id", "valid_from", "valid_to",
           "description")


def _may_change(user, period: closed_days.Period, services: dict[str, dict]) -> bool:
    """Admins: anything. Editors: closures of their centres, and of services at them."""
    if user.is_admin:
        return True
    if period.kind != "closure":
        return False
    if period.location_id:
        return user.may_edit_location(period.location_id)
    if period.service_id and period.service_id in services:
        return any(c in user.centre_ids for c in services[period.service_id]["location_ids"])
    return False


def _lists(db) -> dict:
    services = {}
    for row in store.service_summaries(db):
        row["location_ids"] = [i for i in json.loads(row["location_ids"] or "[]") if i]
        services[row["id"]] = row
    return {"periods": closed_days.list_periods(db), "centres": centre_rows(db),
            "services": services}


async def _page(request: web.Request, values: dict, errors: dict[str, str],
                status: int = 200, problems: list | None = None) -> web.Response:
    user = auth.current_user(request)
    data = await run(request, _lists)
    centres = {c["id"]: c["name"] for c in data["centres"]}
    services = data["services"]
    rows = []
    for p in data["periods"]:
        if p.scope == "centre":
            where = centres.get(p.location_id, p.location_id)
        elif p.scope == "service":
            where = services.get(p.service_id, {}).get("name", p.service_id)
        else:
            where = "Every centre and service"
        rows.append({"period": p, "where": where,
                     "may_change": _may_change(user, p, services)})
    context = {
        "terms": [r for r in rows if r["period"].kind == "term"],
        "closures": [r for r in rows if r["period"].kind == "closure"],
        "centres": [(c["id"], c["name"]) for c in data["centres"]
                    if user.may_edit_location(c["id"])],
        "services": [(s["id"], s["name"]) for s in services.values()
                     if user.is_admin or any(c in user.centre_ids for c in s["location_ids"])],
        "values": values, "errors": errors, "saved": request.query.get("saved"),
        "is_admin": user.is_admin, "problems": problems or [],
    }
    return render("dates.html", request, context, status=status)


@routes.get("/dates")
@auth.requires(auth.EDITOR)
async def dates(request: web.Request) -> web.Response:
    return await _page(request, {"kind": "closure", "applies_to": "centre"}, {})


def _read(form) -> tuple[dict, dict]:
    """The form's values, and the period they describe for ``edits.save_period``."""
    values = {k: str(form.get(k, "")).strip() for k in _FIELDS}
    kind = values["kind"] if values["kind"] in closed_days.KINDS else "closure"
    scope = values["applies_to"] if kind == "closure" else "authority"
    data = {"kind": kind, "valid_from": values["valid_from"], "valid_to": values["valid_to"],
            "description": values["description"],
            "location_id": values["location_id"] if scope == "centre" else None,
            "service_id": values["service_id"] if scope == "service" else None}
    return values, data


def _field(problem: str) -> str:
    for name in ("valid_from", "valid_to", "kind", "description"):
        if problem.startswith(name):
            return name
    if "service" in problem:
        return "service_id"
    return "location_id" if "centre" in problem else "valid_from"


def _words(problem: str) -> str:
    """The library's problem in the words of the form."""
    if problem.startswith("valid_from") and ("needed" in problem or "must be" in problem):
        return "Enter the first day, like 2026-12-24."
    if problem.startswith("valid_to") and "is before" in problem:
        return "The last day must be on or after the first day."
    if problem.startswith("valid_to"):
        return "Enter the last day, like 2027-01-01."
    if "more than" in problem and "days" in problem:
        return "That is more than a year. Enter each term or closure on its own."
    return problem[:1].upper() + problem[1:] + "."


@routes.post("/dates")
@auth.requires(auth.EDITOR)
async def add_period(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    form = await request.post()
    values, data = _read(form)
    errors: dict[str, str] = {}
    if values["applies_to"] not in closed_days.SCOPES and data["kind"] == "closure":
        errors["applies_to"] = "Choose what is closed"
    elif data["kind"] == "closure" and values["applies_to"] == "centre" and not data["location_id"]:
        errors["location_id"] = "Choose the centre that is closed"
    elif data["kind"] == "closure" and values["applies_to"] == "service" and not data["service_id"]:
        errors["service_id"] = "Choose the service that is not running"
    if not errors:
        period, problems = closed_days.read_period({**data, "id": "new"})
        if period is not None and not _may_change(user, period,
                                                  (await run(request, _lists))["services"]):
            raise web.HTTPForbidden(text="You can only add closures for your own centres and "
                                         "their services. Ask an admin for term dates.")
        try:
            await run(request, edits.save_period, data, actor=user.username)
        except edits.PeriodInvalid as invalid:
            for problem in invalid.problems:
                errors.setdefault(_field(problem), _words(problem))
    if errors:
        return await _page(request, values, errors, status=400)
    raise web.HTTPFound("/staff/dates?saved=added")


@routes.get("/dates.csv")
@auth.requires(auth.ADMIN)
async def dates_csv(request: web.Request) -> web.Response:
    body = "\ufeff" + await run(request, calendar_csv.export_dates_csv)  # Excel reads accents
    return web.Response(text=body, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": 'attachment; filename="signpost-term-dates-and-closures.csv"'})


@routes.post("/dates/import")
@auth.requires(auth.ADMIN)
async def import_dates(request: web.Request) -> web.Response:
    form = await request.post()
    upload = form.get("file")
    if not isinstance(upload, web.FileField):
        return await _page(request, {"kind": "closure", "applies_to": "authority"},
                           {"file": "Choose the spreadsheet (CSV) to load."}, status=400)
    try:
        await run(request, edits.import_dates, upload.file.read(),
                  actor=auth.current_user(request).username, filename=upload.filename)
    except oruk.ImportFileError as error:
        return await _page(request, {"kind": "closure", "applies_to": "authority"},
                           {"file": str(error)}, status=400)
    except oruk.ImportRejected as rejected:
        return await _page(request, {"kind": "closure", "applies_to": "authority"},
                           {"file": "Nothing was loaded: fix the lines below and try again."},
                           status=400, problems=rejected.errors)
    raise web.HTTPFound("/staff/dates?saved=imported")


@routes.post("/dates/{id}/delete")
@auth.requires(auth.EDITOR)
async def remove_period(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    period = await run(request, closed_days.get_period, request.match_info["id"])
    if period is None:
        raise web.HTTPNotFound(text="There are no such dates.")
    if not _may_change(user, period, (await run(request, _lists))["services"]):
        raise web.HTTPForbidden(text="You can only remove closures of your own centres.")
    await run(request, edits.delete_period, period.id, actor=user.username)
    raise web.HTTPFound("/staff/dates?saved=removed")
