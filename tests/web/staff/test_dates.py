"""Staff enter term dates and closures; families are offered no session on those days.

Through the real staff pages (sign in, CSRF), then read back as the chat, /search and the
ORUK API would read them.
"""

from __future__ import annotations

from datetime import datetime

from directory import closed_days, store
from directory.schedules import LONDON
from directory.search import SearchQuery, search
from tests.web.staff.helpers import page_token, sign_in

EDDIE_SERVICE_DAY = datetime(2026, 12, 19, 8, tzinfo=LONDON)


def eddies_service(db, centres) -> dict:
    """A weekly service at Eddie's centre only."""
    for row in store.service_summaries(db):
        service = store.get_service(db, row["id"])
        sals = service["service_at_locations"]
        schedules = service.get("schedules") or []
        if ([s["location_id"] for s in sals] == [centres[0]] and schedules
                and schedules[0].get("freq") == "WEEKLY"):
            return service
    raise AssertionError("no weekly service at Eddie's centre")


def first_session(db, service_id: str) -> str:
    found = search(db, SearchQuery(limit=100), now=EDDIE_SERVICE_DAY)
    return next(r for r in found if r["id"] == service_id)["next_sessions"][0][:10]


async def add(client, token: str, **fields):
    return await client.post("/staff/dates", data={"csrf_token": token, **fields},
                             allow_redirects=False)


async def test_an_editor_closes_their_centre_for_christmas_and_search_skips_it(client, db,
                                                                              centres):
    service = eddies_service(db, centres)
    before = first_session(db, service["id"])
    assert before < "2026-12-26"
    await sign_in(client, "eddie")
    token = await page_token(client, "/staff/dates")
    response = await add(client, token, kind="closure", applies_to="centre",
                         location_id=centres[0], valid_from="2026-12-19",
                         valid_to="2027-01-03", description="Christmas closure")
    assert response.status == 302, await response.text()
    assert first_session(db, service["id"]) >= "2027-01-04"
    page = await (await client.get("/staff/dates?saved=added")).text()
    assert "Christmas closure" in page and "19 Dec 2026" in page
    audit = list(db.query("SELECT actor, action FROM audit_log WHERE table_name = "
                          "'calendar_period'"))
    assert audit == [{"actor": "eddie", "action": "create"}]
    # The ORUK API says so too.
    api = await (await client.get(f"/oruk/services/{service['id']}")).json()
    assert [(c["applies_to"], c["valid_from"]) for c in api["closures"]] == [
        ("centre", "2026-12-19")]


async def test_an_editor_cannot_close_another_centre_or_set_term_dates(client, db, centres):
    await sign_in(client, "eddie")
    token = await page_token(client, "/staff/dates")
    other = await add(client, token, kind="closure", applies_to="centre",
                      location_id=centres[1], valid_from="2026-12-19", valid_to="2027-01-03")
    assert other.status == 403
    term = await add(client, token, kind="term", valid_from="2026-09-02",
                     valid_to="2026-12-18")
    assert term.status == 403
    everything = await add(client, token, kind="closure", applies_to="authority",
                           valid_from="2026-12-19", valid_to="2027-01-03")
    assert everything.status == 403
    assert closed_days.list_periods(db) == []


async def test_an_admin_enters_term_dates_and_a_term_time_session_follows_them(client, db,
                                                                              centres):
    service = eddies_service(db, centres)
    await sign_in(client, "ada")
    token = await page_token(client, f"/staff/services/{service['id']}")
    schedule = service["schedules"][0]
    form = await (await client.get(
        f"/staff/services/{service['id']}/sessions/{schedule['id']}")).text()
    assert "Term time only" in form
    day = schedule["byday"]
    data = [("csrf_token", token), ("version", str(service["version"])), ("kind", "weekly"), ("days", day), ("interval", "1"),
            ("opens_at", schedule["opens_at"][:5]), ("closes_at", schedule["closes_at"][:5]),
            ("location", ""), ("when", "term_time_only")]
    saved = await client.post(f"/staff/services/{service['id']}/sessions/{schedule['id']}",
                              data=data, allow_redirects=False)
    assert saved.status == 302, await saved.text()
    stored = store.get_service(db, service["id"])
    assert all(s.get("term_time_only") is True for s in stored["schedules"]
               if s["id"] == schedule["id"])
    response = await add(client, token, kind="term", valid_from="2027-01-05",
                         valid_to="2027-02-12", description="Spring 1")
    assert response.status == 302, await response.text()
    assert first_session(db, service["id"]) >= "2027-01-05"


async def test_bad_dates_get_a_message_and_nothing_is_saved(client, db):
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/dates")
    response = await add(client, token, kind="closure", applies_to="authority",
                         valid_from="2027-01-03", valid_to="2026-12-19")
    assert response.status == 400
    assert "The last day must be on or after the first day." in await response.text()
    missing = await add(client, token, kind="closure", applies_to="authority",
                        valid_from="", valid_to="")
    assert "Enter the first day" in await missing.text()
    assert closed_days.list_periods(db) == []


async def test_an_admin_removes_a_closure_and_sessions_come_back(client, db, centres):
    service = eddies_service(db, centres)
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/dates")
    await add(client, token, kind="closure", applies_to="service", service_id=service["id"],
              valid_from="2026-12-19", valid_to="2027-01-03")
    closed = first_session(db, service["id"])
    period = closed_days.list_periods(db)[0]
    assert period.scope == "service"
    response = await client.post(f"/staff/dates/{period.id}/delete",
                                 data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 302
    assert first_session(db, service["id"]) < closed


async def test_an_admin_loads_a_dates_spreadsheet_all_or_nothing(client, db, centres):
    import aiohttp

    await sign_in(client, "ada")
    token = await page_token(client, "/staff/dates")

    async def upload(text: str):
        form = aiohttp.FormData()
        form.add_field("csrf_token", token)
        form.add_field("file", text.encode(), filename="dates.csv", content_type="text/csv")
        return await client.post("/staff/dates/import", data=form, allow_redirects=False)

    bad = await upload("kind,valid_from,valid_to,centre_id\r\n"
                       "term,2027-01-05,2027-02-12,\r\n"
                       "closure,2026-12-24,2027-01-01,no-such-centre\r\n")
    assert bad.status == 400
    assert "there is no centre with id &#39;no-such-centre&#39;" in await bad.text()
    assert closed_days.list_periods(db) == []
    good = await upload("kind,valid_from,valid_to,centre_id,description\r\n"
                        "term,2027-01-05,2027-02-12,,Spring 1\r\n"
                        f"closure,24/12/2026,01/01/2027,{centres[0]},Christmas\r\n")
    assert good.status == 302, await good.text()
    assert [p.description for p in closed_days.list_periods(db)] == ["Christmas", "Spring 1"]
    sheet = await (await client.get("/staff/dates.csv")).text()
    assert "Spring 1" in sheet and centres[0] in sheet
    assert list(db.query("SELECT actor, action FROM audit_log WHERE table_name = "
                         "'calendar_period'")) == [{"actor": "ada", "action": "import"}]
