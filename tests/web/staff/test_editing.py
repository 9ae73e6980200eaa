"""Keeping the directory right: forms, checks, conflicts, checked dates, and the bot sees it at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from web.staff.service_form import all_schedules, service_values
from directory import store
from directory.search import SearchQuery, search
from tests.web.staff.helpers import page_token, sign_in


def service_at(sample_services, centre: str, *, only: bool = True) -> dict:
    return next(s for s in sample_services
                if any(sal["location_id"] == centre for sal in s["service_at_locations"])
                and (not only or len(s["service_at_locations"]) == 1))


def form_for(service: dict, token: str, **changes) -> dict:
    values = service_values(service)
    data: list[tuple[str, str]] = [("csrf_token", token), ("version", str(service["version"]))]
    for key, value in {**values, **changes}.items():
        if isinstance(value, list):
            data += [(key, v) for v in value]
        else:
            data.append((key, value))
    return data


@pytest.fixture
def eddies_service(db, sample_services, centres) -> dict:
    return store.get_service(db, service_at(sample_services, centres[0])["id"])


async def test_editor_changes_a_service_and_the_bot_finds_it_by_its_new_name(client, db, eddies_service):
    await sign_in(client, "eddie")
    token = await page_token(client, f"/staff/services/{eddies_service['id']}")
    response = await client.post(f"/staff/services/{eddies_service['id']}", allow_redirects=False,
                                 data=form_for(eddies_service, token, name="Zebra Crossing Play Club"))
    assert response.status == 302, await response.text()
    saved = store.get_service(db, eddies_service["id"])
    assert saved["name"] == "Zebra Crossing Play Club"
    assert saved["version"] == eddies_service["version"] + 1
    found = search(db, SearchQuery(text="zebra crossing", limit=3))
    assert any(r["id"] == eddies_service["id"] for r in found)


async def test_bad_values_get_a_message_next_to_the_field_and_nothing_is_saved(client, db, eddies_service):
    await sign_in(client, "eddie")
    token = await page_token(client, f"/staff/services/{eddies_service['id']}")
    response = await client.post(f"/staff/services/{eddies_service['id']}", data=form_for(
        eddies_service, token, name="", minimum_age="three", email="not-an-email", needs=[]))
    assert response.status == 400
    page = await response.text()
    for field in ("name", "minimum_age", "email", "needs"):
        assert f'id="{field}-error"' in page, field
    assert "Enter the name families will see" in page
    assert "There is a problem" in page
    assert store.get_service(db, eddies_service["id"])["version"] == eddies_service["version"]


async def test_two_people_editing_the_same_service_never_overwrite_each_other(
        aiohttp_client, client, settings, db, eddies_service):
    from web.app import create_app

    other = await aiohttp_client(create_app(settings))
    await sign_in(client, "eddie")
    await sign_in(other, "ada")
    token_e = await page_token(client, f"/staff/services/{eddies_service['id']}")
    token_a = await page_token(other, f"/staff/services/{eddies_service['id']}")
    # Both opened version N. Ada saves first.
    first = await other.post(f"/staff/services/{eddies_service['id']}", allow_redirects=False,
                             data=form_for(eddies_service, token_a, name="Ada's New Name"))
    assert first.status == 302
    # Eddie saves his change on top of the old version: refused, with Ada's change shown.
    second = await client.post(f"/staff/services/{eddies_service['id']}",
                               data=form_for(eddies_service, token_e, description="Eddie's words."))
    assert second.status == 409
    page = await second.text()
    assert "Someone else saved this service while you were editing it" in page
    assert "ada saved it" in page and "Ada&#39;s New Name" in page
    assert "Your changes have not been saved yet" in page
    assert "Eddie&#39;s words." in page  # his typing is kept in the form
    saved = store.get_service(db, eddies_service["id"])
    assert saved["name"] == "Ada's New Name" and saved["description"] == eddies_service["description"]
    # Having seen Ada's change, Eddie saves again (the form now carries the new version).
    retry = form_for(saved, token_e, description="Eddie's words.")
    assert (await client.post(f"/staff/services/{eddies_service['id']}", data=retry,
                              allow_redirects=False)).status == 302
    final = store.get_service(db, eddies_service["id"])
    assert final["name"] == "Ada's New Name" and final["description"] == "Eddie's words."


async def test_changing_a_session_time_shows_in_the_next_search(client, db, eddies_service):
    await sign_in(client, "eddie")
    schedule, location = next((s, loc) for s, loc in all_schedules(eddies_service) if s.get("freq"))
    path = f"/staff/services/{eddies_service['id']}/sessions/{schedule['id']}"
    token = await page_token(client, path)
    page = await (await client.get(path)).text()
    assert 'name="opens_at"' in page
    days = [d for d in ("MO", "TU", "WE", "TH", "FR", "SA", "SU") if d in (schedule.get("byday") or "")]
    data = [("csrf_token", token), ("version", str(eddies_service["version"])), ("kind", "weekly"),
            ("interval", "1"), ("opens_at", "16:05"), ("closes_at", "17:25"), ("location", location or "")]
    data += [("days", d) for d in days[:1]]
    response = await client.post(path, data=data, allow_redirects=False)
    assert response.status == 302, await response.text()
    results = search(db, SearchQuery(text=eddies_service["name"], limit=5))
    mine = next(r for r in results if r["id"] == eddies_service["id"])
    assert "4:05pm" in mine["schedule_text"] or "16:05" in mine["schedule_text"], mine["schedule_text"]
    assert any("T16:05" in s for s in mine["next_sessions"])


async def test_a_monthly_first_saturday_session_and_a_by_appointment_one(client, db, eddies_service):
    await sign_in(client, "eddie")
    base = f"/staff/services/{eddies_service['id']}/sessions/new"
    token = await page_token(client, base)
    location = eddies_service["service_at_locations"][0]["location_id"]
    monthly = await client.post(base, allow_redirects=False, data=[
        ("csrf_token", token), ("version", str(eddies_service["version"])), ("kind", "monthly"),
        ("week", "1"), ("days", "SA"), ("opens_at", "10:00"), ("closes_at", "12:00"),
        ("valid_from", "2026-01-01"), ("valid_to", "2027-12-31"), ("location", location)])
    assert monthly.status == 302, await monthly.text()
    saved = store.get_service(db, eddies_service["id"])
    added = [s for s, _ in all_schedules(saved) if s.get("byday") == "1SA"]
    assert added and added[0]["freq"] == "MONTHLY" and added[0]["opens_at"].startswith("10:00")
    page = await (await client.get(f"/staff/services/{eddies_service['id']}")).text()
    assert "First Saturday of the month, 10am to 12pm" in page
    appointment = await client.post(base, allow_redirects=False, data=[
        ("csrf_token", token), ("version", str(saved["version"])), ("kind", "appointment"),
        ("description", "Ring the centre to book a time."), ("location", location)])
    assert appointment.status == 302
    saved = store.get_service(db, eddies_service["id"])
    assert any(not s.get("freq") and s.get("description") == "Ring the centre to book a time."
               for s, _ in all_schedules(saved))


async def test_session_form_explains_what_is_wrong(client, eddies_service):
    await sign_in(client, "eddie")
    base = f"/staff/services/{eddies_service['id']}/sessions/new"
    token = await page_token(client, base)
    response = await client.post(base, data=[
        ("csrf_token", token), ("version", str(eddies_service["version"])), ("kind", "weekly"),
        ("opens_at", "25:00"), ("closes_at", "")])
    page = await response.text()
    assert response.status == 400
    assert 'id="days-error"' in page and 'id="opens_at-error"' in page and 'id="closes_at-error"' in page
    appointment = await client.post(base, data=[
        ("csrf_token", token), ("version", str(eddies_service["version"])), ("kind", "appointment")])
    assert "Tell families how to book" in await appointment.text()


async def test_mark_as_checked_sets_today_and_clears_it_from_the_dashboard(client, db, eddies_service):
    old = (date.today() - timedelta(days=200)).isoformat()
    db.execute("UPDATE service SET assured_date = ? WHERE id = ?", [old, eddies_service["id"]])
    db.conn.commit()
    await sign_in(client, "eddie")
    home = await (await client.get("/staff/")).text()
    assert "Listings to check" in home and eddies_service["name"].replace("'", "&#39;") in home
    token = await page_token(client, f"/staff/services/{eddies_service['id']}")
    response = await client.post(f"/staff/services/{eddies_service['id']}/checked", allow_redirects=False,
                                 data={"csrf_token": token, "version": str(eddies_service["version"])})
    assert response.status == 302
    assert store.get_service(db, eddies_service["id"])["assured_date"] == date.today().isoformat()
    home = await (await client.get("/staff/")).text()
    assert f'/staff/services/{eddies_service["id"]}"' not in home.split('id="to-check"')[1]


async def test_editors_only_see_and_choose_their_own_centres(client, sample_services, centres):
    await sign_in(client, "eddie")
    listing = await (await client.get("/staff/services")).text()
    olive_only = service_at(sample_services, centres[1])
    assert olive_only["id"] not in listing
    form = await (await client.get("/staff/services/new")).text()
    assert centres[0] in form and centres[1] not in form


async def test_a_new_service_is_created_with_needs_and_found_by_the_bot(client, db, centres):
    await sign_in(client, "eddie")
    token = await page_token(client, "/staff/services/new")
    response = await client.post("/staff/services/new", allow_redirects=False, data=[
        ("csrf_token", token), ("version", "0"), ("name", "Quokka Rhyme Time"),
        ("description", "Songs and rhymes for babies. Open to all mums, dads and carers."),
        ("needs", "stay_and_play"), ("minimum_age", "0"), ("maximum_age", "2"), ("cost", "free"),
        ("status", "active"), ("locations", centres[0]), ("phone", "01632 960123")])
    assert response.status == 302, await response.text()
    new_id = response.headers["Location"].split("/")[3].split("?")[0]
    saved = store.get_service(db, new_id)
    assert saved["name"] == "Quokka Rhyme Time"
    assert [a["taxonomy_term_id"] for a in saved["attributes"]] == ["stay_and_play"]
    results = search(db, SearchQuery(terms=["stay_and_play"], text="quokka", limit=3))
    assert results and results[0]["id"] == new_id and results[0]["free"]


async def test_a_centre_postcode_becomes_a_map_position(client, db, centres):
    await sign_in(client, "eddie")
    path = f"/staff/centres/{centres[0]}"
    page = await (await client.get(path)).text()
    token = await page_token(client, path)
    import re
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    data = [("csrf_token", token), ("fingerprint", fingerprint), ("name", "Renamed Family Hub"),
            ("address_1", "1 Test Street"), ("city", "Darwen"), ("postal_code", "bb3 1ab"),
            ("features", "Wheelchair access"), ("features", "Hearing loop")]
    bad = await client.post(path, data=[*data[:-3], ("postal_code", "ZZ9 9ZZ")])
    assert bad.status == 400 and 'id="postal_code-error"' in await bad.text()
    response = await client.post(path, data=data, allow_redirects=False)
    assert response.status == 302, await response.text()
    row = db.execute("SELECT name, latitude, longitude FROM location WHERE id = ?", [centres[0]]).fetchone()
    assert row[0] == "Renamed Family Hub"
    assert 53.6 < row[1] < 53.8 and -2.6 < row[2] < -2.4  # Darwen
    access = {r[0] for r in db.execute("SELECT description FROM accessibility WHERE location_id = ?", [centres[0]])}
    assert {"Wheelchair access", "Hearing loop"} <= access and "Baby changing" not in access
    # A second save with the old fingerprint (someone else's stale form) is refused.
    stale = await client.post(path, data=[*data[:2], ("name", "Stale Name"), *data[3:]])
    assert stale.status == 409
    assert "Someone else saved this centre" in await stale.text()


async def test_staff_phrases_reach_search_at_once(client, db):
    await sign_in(client, "eddie")
    token = await page_token(client, "/staff/needs/stay_and_play")
    assert not search(db, SearchQuery(text="wigglywoo", limit=3))
    response = await client.post("/staff/needs/stay_and_play", data={"csrf_token": token,
                                                                    "phrase": "wigglywoo"},
                                 allow_redirects=False)
    assert response.status == 302
    assert db.execute("SELECT source FROM taxonomy_term_phrase WHERE phrase = 'wigglywoo'").fetchone()[0] == "staff"
    assert search(db, SearchQuery(text="wigglywoo", limit=3))
    again = await client.post("/staff/needs/stay_and_play", data={"csrf_token": token, "phrase": "wigglywoo"})
    assert again.status == 400 and "already on the list" in await again.text()


async def test_a_feed_service_keeps_a_name_correction_and_refuses_a_new_phone(client, db,
                                                                              eddies_service):
    # As if a council's feed had sent this service (directory.sync keeps the link).
    db["feed_service"].insert({"service_id": eddies_service["id"],
                               "feed_url": "https://families.example.gov.uk/api",
                               "remote_id": "42"})
    await sign_in(client, "eddie")
    path = f"/staff/services/{eddies_service['id']}"
    token = await page_token(client, path)
    named = await client.post(path, allow_redirects=False,
                              data=form_for(eddies_service, token, name="Baby clinic (upstairs)"))
    assert named.status == 302, await named.text()
    assert db.execute("SELECT field FROM feed_override WHERE service_id = ?",
                      [eddies_service["id"]]).fetchall() == [("name",)]

    saved = store.get_service(db, eddies_service["id"])
    token = await page_token(client, path)
    phoned = await client.post(path, data=form_for(saved, token, phone="01254 000111"))
    assert phoned.status == 403
    assert "Ask the council" in await phoned.text()
    assert store.get_service(db, eddies_service["id"])["version"] == saved["version"]
