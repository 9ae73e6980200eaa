"""Home page, services, sessions and "mark as checked"."""

from __future__ import annotations

import copy

from aiohttp import web

from directory import audit, callbacks, edits, reports, store
from directory.cards import is_stale
from directory.centres import centre_list, centre_names
from directory.store import ServiceInvalid, VersionConflict
from web.staff import auth
from web.staff import views_reports
from web.staff.views_callbacks import callback_visible
from web.staff.base import render
from web.staff import service_form as sf
from web.staff.directory import run

routes = web.RouteTableDef()


def _own_centres(rows: list[dict], user) -> list[dict]:
    return rows if user.is_admin else [r for r in rows if r["id"] in user.centre_ids]


def _service_rows(rows: list[dict], user) -> list[dict]:
    """Services the account may change, with centre names and when they were last checked."""
    if not user.is_admin:
        rows = [r for r in rows if any(f'"{c}"' in r["location_ids"] for c in user.centre_ids)]
    for r in rows:
        r["stale"] = is_stale(r["assured_date"])
    return rows


def _own_only(request: web.Request) -> tuple[str, ...] | None:
    """An editor's centres (their saves may not touch other centres' parts); None for admins."""
    user = auth.current_user(request)
    return None if user.is_admin else user.centre_ids


async def _load(request: web.Request) -> dict:
    """The service in the URL, if this account may change it (404 / 403 otherwise)."""
    service = await run(request, store.get_service, request.match_info["id"])
    if service is None:
        raise web.HTTPNotFound(text="There is no service with that id. It may have been removed.")
    if not auth.current_user(request).may_edit_service(service):
        raise web.HTTPForbidden(text="You can only change services at your own centres.")
    return service


@routes.get("/")
@auth.requires(auth.EDITOR)
async def home(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    summaries, open_rows, centres, open_reports = await run(request, lambda db: (
        store.service_summaries(db), callbacks.list_callbacks(db, "open"), centre_list(db),
        reports.list_reports(db, "open")))
    services = _service_rows(summaries, user)
    open_callbacks = [c for c in open_rows if callback_visible(user, c)]
    return render("home.html", request, {
        # Oldest first: what has gone longest without a check is most likely wrong.
        "stale": sorted((s for s in services if s["stale"]), key=lambda s: s["assured_date"] or ""),
        "service_count": len(services),
        "open_callbacks": len(open_callbacks), "centres": _own_centres(centres, user),
        "open_reports": sum(1 for r in open_reports if views_reports.visible(user, r))})


@routes.get("/services")
@auth.requires(auth.EDITOR)
async def services(request: web.Request) -> web.Response:
    rows = await run(request, store.service_summaries)
    return render("services.html", request, {
        "services": _service_rows(rows, auth.current_user(request)),
        "removed": request.query.get("removed")})


async def _terms_and_centres(request) -> tuple[list[dict], list[dict]]:
    """Our needs, and the centres this account looks after."""
    terms, centres = await run(request, lambda db: (store.core_terms(db), centre_list(db)))
    return terms, _own_centres(centres, auth.current_user(request))


async def _form_context(request, service, values, errors, **extra) -> dict:
    terms, centres = await _terms_and_centres(request)
    own = {c["id"] for c in centres}
    if service:  # keep showing centres the service already runs at, even if not the editor's
        for sal in service.get("service_at_locations") or []:
            if sal.get("location_id") not in own:
                centres.append({"id": sal["location_id"],
                                "name": (sal.get("location") or {}).get("name", sal["location_id"])})
    sessions = [{"id": s.get("id"), "text": sf.describe_schedule(s), "valid_from": s.get("valid_from"),
                 "valid_to": s.get("valid_to"),
                 "centre": next((c["name"] for c in centres if c["id"] == loc), None)}
                for s, loc in sf.all_schedules(service)] if service else []
    return {"service": service, "values": values, "errors": errors, "terms": terms,
            "centres": centres, "sessions": sessions, "statuses": sf.STATUSES,
            "conflict": None, "saved": request.query.get("saved"), **extra}


def _allowed_locations(centres: list[dict], service) -> list[str]:
    allowed = [c["id"] for c in centres]
    if service:
        allowed += [sal.get("location_id") for sal in service.get("service_at_locations") or []]
    return allowed


@routes.get("/services/new")
@auth.requires(auth.EDITOR)
async def new_service_form(request: web.Request) -> web.Response:
    values = {"status": "active", "cost": "free", "needs": [], "locations": []}
    return render("service.html", request, await _form_context(request, None, values, {}, version=0))


@routes.post("/services/new")
@auth.requires(auth.EDITOR)
async def create_service(request: web.Request) -> web.Response:
    form = await request.post()
    terms, centres = await _terms_and_centres(request)
    values, errors = sf.read_service_form(form, term_ids=[t["id"] for t in terms],
                                          allowed_locations=_allowed_locations(centres, None))
    if errors:
        return render("service.html", request,
                      await _form_context(request, None, values, errors, version=0), status=400)
    service: dict = {"id": sf.new_id()}
    org = await run(request, store.organization_for_new_service, values["locations"][0])
    if org:
        service["organization_id"] = org
    service = sf.apply_service_values(service, values, terms={t["id"]: t for t in terms})
    try:
        await run(request, edits.save_service, service, expected_version=0,
                  actor=auth.current_user(request).username, action="create")
    except ServiceInvalid as invalid:
        errors = {"name": "; ".join(e.message if hasattr(e, "message") else str(e) for e in invalid.errors)}
        return render("service.html", request,
                      await _form_context(request, None, values, errors, version=0), status=400)
    raise web.HTTPFound(f"/staff/services/{service['id']}?saved=created")


@routes.get("/services/{id}")
@auth.requires(auth.EDITOR)
async def service_page(request: web.Request) -> web.Response:
    service = await _load(request)
    return render("service.html", request, await _form_context(
        request, service, sf.service_values(service), {}, version=service.get("version") or 0))


def _conflict(last: list[dict], service: dict, values: dict) -> dict:
    """What the other person saved (``last``: its newest audit entry), next to what this
    person typed."""
    saved = sf.service_values(service)
    rows = [{"label": sf.FIELD_LABELS[k], "theirs": saved[k], "yours": values.get(k)}
            for k in sf.SERVICE_FIELDS if saved.get(k) != values.get(k)]
    return {"rows": rows, "by": last[0]["actor"] if last else "someone",
            "at": last[0]["at"] if last else ""}


@routes.post("/services/{id}")
@auth.requires(auth.EDITOR)
async def save_service(request: web.Request) -> web.Response:
    service = await _load(request)
    form = await request.post()
    try:
        expected = int(str(form.get("version", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="The form is missing its version. Reload the page and try again.")
    terms, centres = await _terms_and_centres(request)
    values, errors = sf.read_service_form(form, term_ids=[t["id"] for t in terms],
                                          allowed_locations=_allowed_locations(centres, service))
    if errors:
        return render("service.html", request, await _form_context(
            request, service, values, errors, version=expected), status=400)
    updated = sf.apply_service_values(copy.deepcopy(service), values,
                                      terms={t["id"]: t for t in terms})
    try:
        await run(request, edits.save_service, updated, expected_version=expected,
                  actor=auth.current_user(request).username, action="update",
                  own_centres=_own_only(request))
    except VersionConflict:
        current, last = await run(request, _current_and_last_edit, service["id"])
        context = await _form_context(request, current, values, {},
                                      version=current.get("version") or 0)
        context["conflict"] = _conflict(last, current, values)
        return render("service.html", request, context, status=409)
    except ServiceInvalid as invalid:
        errors = {"name": "; ".join(getattr(e, "message", str(e)) for e in invalid.errors)}
        return render("service.html", request, await _form_context(
            request, service, values, errors, version=expected), status=400)
    raise web.HTTPFound(f"/staff/services/{service['id']}?saved=details")


@routes.post("/services/{id}/checked")
@auth.requires(auth.EDITOR)
async def mark_checked(request: web.Request) -> web.Response:
    service = await _load(request)
    form = await request.post()
    try:
        expected = int(str(form.get("version", "")))
    except ValueError:
        expected = service.get("version") or 0
    try:
        await run(request, edits.mark_checked, service["id"], expected_version=expected,
                  actor=auth.current_user(request).username)
    except VersionConflict:
        raise web.HTTPFound(f"/staff/services/{service['id']}?saved=reload")
    back = str(form.get("back", ""))
    raise web.HTTPFound(back if back in ("/staff/", "/staff/services") else
                        f"/staff/services/{service['id']}?saved=checked")


# --- sessions ------------------------------------------------------------------------------

def _current_and_last_edit(db, service_id: str) -> tuple[dict, list[dict]]:
    """The service as saved now, and the audit entry of whoever saved it last."""
    return (store.get_service(db, service_id),
            audit.list_entries(db, table="service", record_id=service_id, limit=1))


async def _session_context(request, service, values, errors, schedule_id=None, **extra) -> dict:
    names = await run(request, centre_names)
    centres = [(sal.get("location_id"), names.get(sal.get("location_id"), sal.get("location_id")))
               for sal in service.get("service_at_locations") or []]
    return {"service": service, "values": values, "errors": errors, "schedule_id": schedule_id,
            "centres": centres, "days": sf.DAYS, "weeks": sf.WEEKS, "kinds": sf.KINDS,
            "version": service.get("version") or 0, "conflict": None, **extra}


@routes.get("/services/{id}/sessions/new")
@auth.requires(auth.EDITOR)
async def new_session_form(request: web.Request) -> web.Response:
    service = await _load(request)
    first = (service.get("service_at_locations") or [{}])[0].get("location_id", "")
    values = {"kind": "weekly", "days": [], "week": "1", "interval": "1", "location": first or ""}
    return render("session.html", request, await _session_context(request, service, values, {}))


@routes.get("/services/{id}/sessions/{schedule_id}")
@auth.requires(auth.EDITOR)
async def session_form(request: web.Request) -> web.Response:
    service = await _load(request)
    for schedule, location_id in sf.all_schedules(service):
        if schedule.get("id") == request.match_info["schedule_id"]:
            return render("session.html", request, await _session_context(
                request, service, sf.schedule_values(schedule, location_id), {},
                schedule_id=schedule["id"]))
    raise web.HTTPNotFound(text="That session is not part of this service any more.")


async def _save_session(request: web.Request, schedule_id: str | None) -> web.Response:
    service = await _load(request)
    if schedule_id and not any(s.get("id") == schedule_id for s, _ in sf.all_schedules(service)):
        raise web.HTTPNotFound(text="That session is not part of this service any more.")
    form = await request.post()
    try:
        expected = int(str(form.get("version", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="The form is missing its version. Reload the page and try again.")
    locations = [sal.get("location_id") for sal in service.get("service_at_locations") or []]
    values, fields, errors = sf.read_schedule_form(form, locations=locations)
    if errors:
        return render("session.html", request, await _session_context(
            request, service, values, errors, schedule_id, version=expected), status=400)
    updated = sf.strip_shared(copy.deepcopy(service))
    sf.put_schedule(updated, schedule_id, fields, values["location"] or None)
    try:
        await run(request, edits.save_service, updated, expected_version=expected,
                  actor=auth.current_user(request).username,
                  action="update session" if schedule_id else "add session",
                  own_centres=_own_only(request))
    except VersionConflict:
        current, last = await run(request, _current_and_last_edit, service["id"])
        context = await _session_context(request, current, values, {}, schedule_id)
        context["conflict"] = {"by": last[0]["actor"] if last else "someone",
                               "at": last[0]["at"] if last else "",
                               "sessions": [sf.describe_schedule(s) for s, _ in sf.all_schedules(current)]}
        return render("session.html", request, context, status=409)
    except ServiceInvalid as invalid:
        errors = {"kind": "; ".join(getattr(e, "message", str(e)) for e in invalid.errors)}
        return render("session.html", request, await _session_context(
            request, service, values, errors, schedule_id, version=expected), status=400)
    raise web.HTTPFound(f"/staff/services/{service['id']}?saved=session")


@routes.post("/services/{id}/sessions/new")
@auth.requires(auth.EDITOR)
async def create_session(request: web.Request) -> web.Response:
    return await _save_session(request, None)


@routes.post("/services/{id}/sessions/{schedule_id}")
@auth.requires(auth.EDITOR)
async def update_session(request: web.Request) -> web.Response:
    return await _save_session(request, request.match_info["schedule_id"])


@routes.post("/services/{id}/sessions/{schedule_id}/delete")
@auth.requires(auth.EDITOR)
async def delete_session(request: web.Request) -> web.Response:
    service = await _load(request)
    form = await request.post()
    try:
        expected = int(str(form.get("version", "")))
    except ValueError:
        raise web.HTTPBadRequest(text="The form is missing its version. Reload the page and try again.")
    updated = sf.strip_shared(copy.deepcopy(service))
    if not sf.remove_schedule(updated, request.match_info["schedule_id"]):
        raise web.HTTPNotFound(text="That session is not part of this service any more.")
    try:
        await run(request, edits.save_service, updated, expected_version=expected,
                  actor=auth.current_user(request).username, action="remove session",
                  own_centres=_own_only(request))
    except VersionConflict:
        raise web.HTTPFound(f"/staff/services/{service['id']}?saved=reload")
    raise web.HTTPFound(f"/staff/services/{service['id']}?saved=removed")
