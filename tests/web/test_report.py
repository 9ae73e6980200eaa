""""This is wrong" from a result card (``/report``, ``/api/report``), the "last checked" warning on
``/search``, the access and language filters, and the accessibility statement."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from directory import reports
from directory.db import open_db


@pytest.fixture
def db(directory_db: Path):
    connection = open_db(directory_db)
    yield connection
    connection.close()


async def _first_card_form(client) -> dict[str, str]:
    html = await (await client.get("/search", params={"need": "stay_and_play", "near": "Darwen"})).text()
    form = html.split('<form method="post" action="/report"', 1)[1].split("</form>", 1)[0]
    return {name: unescape(value) for name, value in
            re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form)}


async def test_every_result_card_can_say_this_is_wrong_with_a_plain_privacy_note(client):
    html = unescape(await (await client.get("/search", params={"need": "stay_and_play",
                                                               "near": "Darwen"})).text())
    cards = html.count('<article class="sp-card">')
    assert cards and html.count('<details class="govuk-details sp-report">') == cards
    for words in ("The day or time is wrong", "The place is wrong", "The cost is wrong",
                  "It has stopped or closed"):
        assert html.count(words) == cards
    assert "Please do not write your name or phone number, unless you want the centre to contact you." in html
    assert "I agree that Signpost can keep my note" in html


async def test_two_taps_send_a_report_to_the_centre_and_say_thank_you(client, db):
    fields = await _first_card_form(client)
    assert fields["back"].startswith("/search?need=stay_and_play")
    response = await client.post("/report", data={**fields, "reason": "time", "details": ""},
                                 allow_redirects=False)
    assert response.status == 303
    page = unescape(await (await client.get(response.headers["Location"])).text())
    assert "Report sent" in page and "We have told the staff at " in page
    assert f'href="{fields["back"]}"' in page.replace("&amp;", "&")
    [row] = reports.list_reports(db)
    assert (row["service_id"], row["location_id"], row["reason"]) == (
        fields["service_id"], fields["location_id"], "time")
    assert row["details"] is None


async def test_a_note_without_the_box_ticked_is_not_kept_and_the_parent_keeps_their_words(client, db):
    fields = await _first_card_form(client)
    response = await client.post("/report", data={**fields, "reason": "cost",
                                                  "details": "It is £3 now"})
    assert response.status == 400
    html = unescape(await response.text())
    assert "Please tick the box" in html and ">It is £3 now</textarea>" in html
    assert reports.list_reports(db) == []
    response = await client.post("/report", data={**fields, "reason": "cost", "consent": "1",
                                                  "details": "It is £3 now"}, allow_redirects=False)
    assert response.status == 303
    assert reports.list_reports(db)[0]["details"] == "It is £3 now"


async def test_another_site_cannot_file_reports_and_back_links_stay_on_signpost(client, db):
    fields = await _first_card_form(client)
    response = await client.post("/report", data={**fields, "reason": "time"},
                                 headers={"Origin": "https://evil.example"})
    assert response.status == 403 and "Signpost's own pages" in unescape(await response.text())
    response = await client.post("/api/report", json={**fields, "reason": "time"},
                                 headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status == 403
    assert reports.list_reports(db) == []
    sent = await client.get("/report/sent", params={"back": "//evil.example/search"})
    assert 'href="/search"' in await sent.text()


async def test_the_chat_card_reports_through_the_api(client, db):
    fields = await _first_card_form(client)
    response = await client.post("/api/report", json={
        "service_id": fields["service_id"], "location_id": fields["location_id"],
        "reason": "closed", "details": "Closed since October", "consent": True})
    assert response.status == 200
    body = await response.json()
    assert body["sent"] is True and body["message"].startswith("Thank you. We have told the staff at ")
    assert reports.list_reports(db)[0]["details"] == "Closed since October"


async def test_hostile_or_oversized_reports_are_refused_politely(client, db):
    fields = await _first_card_form(client)
    for body, status, words in (
        (b"not json", 400, "Send JSON like"),
        (b'{"service_id": "x' + b"x" * 20000 + b'"}', 413, "too long"),
    ):
        response = await client.post("/api/report", data=body,
                                     headers={"Content-Type": "application/json"})
        assert response.status == status and words in (await response.json())["message"]
    response = await client.post("/api/report", json={**fields, "reason": "drop table"})
    assert response.status == 400 and "choose what is wrong" in (await response.json())["message"]
    response = await client.post("/api/report", json={**fields, "reason": "other", "consent": True,
                                                      "details": "x" * 1001})
    assert response.status == 400 and "1,000 characters" in (await response.json())["message"]
    assert reports.list_reports(db) == []


async def test_one_address_can_send_only_a_few_reports_an_hour(client):
    fields = await _first_card_form(client)
    statuses = [(await client.post("/api/report", json={**fields, "reason": "time"})).status
                for _ in range(11)]
    assert statuses == [200] * 10 + [429]
    response = await client.post("/report", data={**fields, "reason": "time"}, allow_redirects=False)
    assert response.status == 429 and response.headers["Retry-After"]
    assert "Please wait" in await response.text()


async def test_a_listing_not_checked_for_3_months_tells_parents_to_phone_first(client, db):
    db.execute("UPDATE service SET assured_date = '2020-08-14'")
    db.conn.commit()
    html = unescape(await (await client.get("/search", params={"need": "stay_and_play",
                                                               "near": "Darwen"})).text())
    assert "Last checked in August 2020. Phone to check before you go." in html
    db.execute("UPDATE service SET assured_date = date('now')")
    db.conn.commit()
    html = unescape(await (await client.get("/search", params={"need": "stay_and_play",
                                                               "near": "Darwen"})).text())
    assert "Phone to check before you go" not in html


async def test_search_filters_by_step_free_access_and_language(client, db):
    html = unescape(await (await client.get("/search")).text())
    assert 'for="access"' in html and '<option value="pl">Polish</option>' in html
    everything = unescape(await (await client.get("/search", params={"near": "Darwen"})).text())
    polish = unescape(await (await client.get("/search", params={"near": "Darwen",
                                                                 "language": "pl"})).text())
    step_free = unescape(await (await client.get("/search", params={"near": "Darwen",
                                                                    "access": "1"})).text())
    names = lambda page: re.findall(r'<h3 class="sp-card__title">([^<]+)</h3>', page)  # noqa: E731
    polish_services = {r[0] for r in db.execute(
        "SELECT s.name FROM service s JOIN language l ON l.service_id = s.id OR l.location_id IN "
        "(SELECT location_id FROM service_at_location WHERE service_id = s.id) WHERE l.code = 'pl'")}
    assert names(polish) and set(names(polish)) <= polish_services
    assert names(everything) != names(polish)
    assert names(step_free) and 'name="access" type="checkbox" value="1" checked' in step_free
    assert (await client.get("/search", params={"language": "xx"})).status == 200
    assert "Choose a language from the list" in await (await client.get(
        "/search", params={"language": "xx"})).text()


async def test_the_accessibility_statement_is_in_every_footer_with_the_main_line(client, settings):
    for path in ("/", "/search", "/privacy"):
        assert 'href="/accessibility"' in await (await client.get(path)).text()
    html = unescape(await (await client.get("/accessibility")).text())
    assert "What does not work yet" in html and "Tell us about a problem" in html
    assert settings.family_hubs_phone in html and settings.family_hubs_hours in html
