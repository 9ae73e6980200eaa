"""Every /staff route is closed to the wrong people: proved by walking the router, not by a list.

A new page added without an access rule is refused by the guard (default deny), and this test
fails for it until it is classified, so nobody can add an open page by accident.
"""

from __future__ import annotations

import re

import pytest
from aiohttp import web

from web.staff import auth, create_staff_app
from directory import callbacks, edits
from directory.db import open_db
from tests.web.staff.helpers import page_token, sign_in

# Routes any signed-in account may use: they show or change nothing tied to one centre.
OPEN_TO_EVERY_ROLE = {
    ("GET", "/"), ("GET", "/services"), ("GET", "/services/new"), ("POST", "/services/new"),
    ("GET", "/centres"), ("GET", "/needs"), ("GET", "/needs/{term_id}"), ("POST", "/needs/{term_id}"),
    ("POST", "/needs/{term_id}/phrases/{phrase_id}/delete"), ("GET", "/callbacks"),
    ("GET", "/reports"), ("GET", "/demand"), ("GET", "/demand.csv"), ("GET", "/password"), ("POST", "/password"),
    ("POST", "/sign-out"), ("POST", "/session/extend"),
    # One's own second factor.
    ("GET", "/second-factor"), ("POST", "/second-factor"),
    # Term dates and closures: the page lists them all; what one may add or remove is checked
    # per period (removing Olive's centre's closure is refused below).
    ("GET", "/dates"), ("POST", "/dates"),
    # Council feeds: what a feed's category means, like the words parents use, is for everyone.
    ("GET", "/feeds"), ("POST", "/feeds/terms/{term_id}"),
}


def staff_routes(settings) -> list[tuple[str, str, str]]:
    """(method, path template, access) for every route of the staff sub-app."""
    app = create_staff_app(settings)
    found = []
    for route in app.router.routes():
        if route.method == "HEAD":
            continue
        info = route.resource.get_info()
        path = info.get("path") or info.get("formatter")
        found.append((route.method, path, getattr(route.handler, "staff_access", None)))
    return found


@pytest.fixture
def ids(directory_db, centres, sample_services) -> dict[str, str]:
    """Real ids to put in the URLs: things at Olive's centre, which Eddie must not touch."""
    olive_centre = centres[1]
    service = next(s for s in sample_services
                   if any(sal["location_id"] == olive_centre for sal in s["service_at_locations"])
                   and not any(sal["location_id"] == centres[0] for sal in s["service_at_locations"]))
    schedules = service.get("schedules") or [
        sc for sal in service["service_at_locations"] for sc in sal.get("schedules") or []]
    db = open_db(directory_db)
    callback_id = callbacks.create_callback(db, first_name="Sam", phone="01632 960111",
                                            centre_id=olive_centre)
    report_id = edits.file_report(db, service_id=service["id"], location_id=olive_centre,
                                  reason="time")
    db["taxonomy_term_phrase"].insert({"taxonomy_term_id": "stay_and_play", "phrase": "messy fun",
                                       "source": "staff"})
    phrase_id = db.execute("SELECT id FROM taxonomy_term_phrase WHERE phrase = 'messy fun'").fetchone()[0]
    period_id = edits.save_period(db, {"kind": "closure", "location_id": olive_centre,
                                       "valid_from": "2026-12-24", "valid_to": "2027-01-01"},
                                  actor="test")
    db.close()
    return {"id": service["id"], "schedule_id": schedules[0]["id"], "username": "olive",
            "term_id": "stay_and_play", "phrase_id": str(phrase_id), "callback_id": str(callback_id),
            "report_id": str(report_id), "centre_id": olive_centre, "period_id": period_id}


def fill(path: str, ids: dict[str, str]) -> str:
    if path.startswith("/callbacks/{id}"):
        path = path.replace("{id}", ids["callback_id"])
    if path.startswith("/reports/{id}"):
        path = path.replace("{id}", ids["report_id"])
    if path.startswith("/centres/{id}"):
        path = path.replace("{id}", ids["centre_id"])
    if path.startswith("/dates/{id}"):
        path = path.replace("{id}", ids["period_id"])
    return "/staff" + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)


def test_every_staff_route_declares_who_may_use_it(settings):
    routes = staff_routes(settings)
    assert len(routes) > 30
    undeclared = [(m, p) for m, p, access in routes if access is None]
    assert undeclared == []
    public = {(m, p) for m, p, access in routes if access == auth.PUBLIC}
    assert public == {("GET", "/sign-in"), ("POST", "/sign-in"), ("POST", "/sign-in/code"),
                      ("GET", "/session.js"), ("GET", "/staff.css")}


async def test_every_route_refuses_a_request_without_a_session(client, settings, ids):
    checked = 0
    for method, path, access in staff_routes(settings):
        if access == auth.PUBLIC:
            continue
        response = await client.request(method, fill(path, ids), allow_redirects=False)
        if method == "GET":
            assert response.status == 302, (method, path)
            assert response.headers["Location"].startswith("/staff/sign-in?next=")
        else:
            assert response.status == 401, (method, path, response.status)
        checked += 1
    assert checked > 30


async def test_every_route_refuses_the_wrong_role(client, settings, ids):
    """Admin pages refuse editors; centre pages refuse an editor from another centre."""
    await sign_in(client, "eddie")
    token = await page_token(client)
    refused = []
    for method, path, access in staff_routes(settings):
        if access == auth.PUBLIC or (method, path) in OPEN_TO_EVERY_ROLE:
            continue
        data = {"csrf_token": token, "version": "1"}
        response = await client.request(method, fill(path, ids), data=data if method == "POST" else None,
                                        allow_redirects=False)
        assert response.status == 403, (method, path, response.status, (await response.text())[:200])
        refused.append((method, path))
    admin_only = [(m, p) for m, p, a in staff_routes(settings) if a == auth.ADMIN]
    assert set(admin_only) <= set(refused)
    assert ("POST", "/services/{id}") in refused and ("GET", "/callbacks/{id}") in refused
    assert ("GET", "/reports/{id}") in refused and ("POST", "/reports/{id}/done") in refused
    assert ("POST", "/callbacks/{id}/delete") in refused


async def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(client, settings, ids):
    await sign_in(client, "ada")
    real = await page_token(client)
    checked = 0
    for method, path, _access in staff_routes(settings):
        if method == "GET":
            continue
        url = fill(path, ids)
        for data in ({"version": "1"}, {"version": "1", "csrf_token": "forged-" + real[7:]}):
            response = await client.request(method, url, data=data, allow_redirects=False)
            assert response.status == 403, (method, path, data, response.status)
            assert "out of date" in await response.text()
        checked += 1
    assert checked >= 15
    # The session still works: refusing forged forms did not sign anyone out.
    assert (await client.get("/staff/", allow_redirects=False)).status == 200


async def test_a_route_without_an_access_rule_is_closed(aiohttp_client, settings):
    app = create_staff_app(settings)

    async def forgot_the_decorator(request: web.Request) -> web.Response:
        return web.Response(text="secret")

    app.router.add_get("/oops", forgot_the_decorator)
    root = web.Application()
    root.add_subapp("/staff", app)
    client = await aiohttp_client(root)
    response = await client.get("/staff/oops", allow_redirects=False)
    assert response.status == 403
    assert "secret" not in await response.text()


async def test_sign_in_form_needs_its_csrf_token(client):
    response = await client.post("/staff/sign-in", data={"username": "ada", "password": "x"},
                                 allow_redirects=False)
    assert response.status == 403


async def test_oruk_routes_send_cors_and_staff_routes_do_not(client):
    oruk = await client.get("/oruk/services")
    assert oruk.headers["Access-Control-Allow-Origin"] == "*"
    staff = await client.get("/staff/sign-in")
    assert "Access-Control-Allow-Origin" not in staff.headers
    home = await client.get("/healthz")
    assert "Access-Control-Allow-Origin" not in home.headers


def _shared_service(db, centres) -> dict:
    """A service of Olive's centre with service-wide sessions, that an admin also puts on at
    Eddie's centre with a session of its own there."""
    import copy

    from directory import store
    from web.staff import service_form as sf
    eddie_centre, olive_centre = centres
    for (service_id,) in db.execute("SELECT id FROM service ORDER BY rowid").fetchall():
        service = store.get_service(db, service_id)
        places = {sal["location_id"] for sal in service["service_at_locations"]}
        if olive_centre in places and eddie_centre not in places and service.get("schedules"):
            break
    else:
        raise AssertionError("the sample has no service of Olive's centre with sessions")
    shared = sf.strip_shared(copy.deepcopy(service))
    sal_id = store.new_id()
    session = {k: v for k, v in service["schedules"][0].items()
               if k not in ("id", "service_id", "service_at_location_id")}
    shared["service_at_locations"].append({
        "id": sal_id, "location_id": eddie_centre,
        "schedules": [{**session, "id": store.new_id()}]})
    edits.save_service(db, shared, expected_version=service.get("version") or 0, actor="ada",
                       action="update")
    return store.get_service(db, service["id"])


def _session_ids(service: dict) -> set[str]:
    return ({sc["id"] for sc in service.get("schedules") or []}
            | {sc["id"] for sal in service["service_at_locations"] for sc in sal.get("schedules") or []})


async def test_an_editor_cannot_drop_or_change_another_centres_part_of_a_shared_service(
        client, db, centres):
    from directory import store
    service = _shared_service(db, centres)
    shared_session = service["schedules"][0]["id"]  # Olive's centre runs it too
    eddie_session = next(sc["id"] for sal in service["service_at_locations"]
                         if sal["location_id"] == centres[0] for sc in sal["schedules"])
    await sign_in(client, "eddie")
    page = f"/staff/services/{service['id']}"
    token = await page_token(client, page)
    version = str(service["version"] or 0)

    dropped = await client.post(f"{page}/sessions/{shared_session}/delete",
                                data={"csrf_token": token, "version": version},
                                allow_redirects=False)
    assert dropped.status == 403
    assert "your own centres" in await dropped.text()
    assert shared_session in _session_ids(store.get_service(db, service["id"]))

    own = await client.post(f"{page}/sessions/{eddie_session}/delete",
                            data={"csrf_token": token, "version": version},
                            allow_redirects=False)
    assert own.status == 302
    after = _session_ids(store.get_service(db, service["id"]))
    assert eddie_session not in after and shared_session in after


def test_the_library_refuses_an_editors_save_that_drops_another_centres_place(db, centres):
    """The check is in the library, so every way of saving (form, session pages) gets it."""
    import copy

    from directory import store
    from directory.edits import OtherCentresPart
    from web.staff import service_form as sf
    service = _shared_service(db, centres)
    without_olive = sf.strip_shared(copy.deepcopy(service))
    without_olive["service_at_locations"] = [sal for sal in without_olive["service_at_locations"]
                                             if sal["location_id"] != centres[1]]
    with pytest.raises(OtherCentresPart):
        edits.save_service(db, without_olive, expected_version=service["version"],
                           actor="eddie", action="update", own_centres=(centres[0],))
    assert {sal["location_id"] for sal in store.get_service(db, service["id"])["service_at_locations"]} \
        == {centres[0], centres[1]}
    # An admin (no own_centres) may.
    edits.save_service(db, without_olive, expected_version=service["version"], actor="ada",
                       action="update")
