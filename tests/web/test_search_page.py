"""/search: the no-JavaScript search gives the same facts as the chat cards, as HTML."""

from __future__ import annotations

import json
from html import unescape

from directory.taxonomy import load_taxonomy


async def test_the_form_offers_every_need_in_the_taxonomy(client):
    html = unescape(await (await client.get("/search")).text())
    for term in load_taxonomy().terms:
        assert f'<option value="{term.id}">{term.name}</option>' in html
    for label in ('for="near"', 'for="age"', 'for="day"', 'for="free"'):
        assert label in html


async def test_results_show_when_where_cost_who_phone_and_checked_on(client):
    response = await client.get("/search", params={"need": "stay_and_play", "near": "Darwen"})
    assert response.status == 200
    html = unescape(await response.text())
    assert "services found" in html
    assert "Stay and play" in html or "Stay and Play" in html
    for fact in ("<dt>When</dt>", "<dt>Where</dt>", "<dt>Cost</dt>", "<dt>Who it is for</dt>",
                 "<dt>Phone</dt>", "<dt>Checked on</dt>"):
        assert fact in html
    assert 'href="tel:01632' in html
    assert "https://www.openstreetmap.org/?mlat=" in html
    assert "miles away" in html
    assert "Next: " in html and ("am to " in html or "pm to " in html)


async def test_free_only_shows_only_free_services(client):
    html = unescape(await (await client.get("/search", params={"free": "1"})).text())
    costs = [part.split("</dd>")[0] for part in html.split("<dt>Cost</dt><dd>")[1:]]
    assert costs and all("Free" in cost for cost in costs)


async def test_an_unknown_place_gets_a_clear_message_with_suggestions(client):
    response = await client.get("/search", params={"need": "stay_and_play", "near": "Darwn"})
    html = unescape(await response.text())
    assert "There is a problem" in html
    assert "I couldn't find 'Darwn'" in html
    assert "Did you mean" in html
    assert 'href="/search?need=stay_and_play&near=Darwen"' in html.replace("&amp;", "&")


async def test_a_need_not_in_the_list_is_an_error_not_a_crash(client):
    response = await client.get("/search", params={"need": "<script>"})
    html = await response.text()
    assert response.status == 200
    assert "Choose what you are looking for from the list" in html
    assert "<script>" not in html.split("</head>")[1].replace('<script src=', '')


async def test_directory_text_is_shown_as_text_not_html(make_client, directory_db):
    from directory.db import open_db
    from directory.store import get_service, save_service

    db = open_db(directory_db)
    rows = db.execute("select id from service where name like 'Stay and Play%' limit 1").fetchall()
    service = get_service(db, rows[0][0])
    service["name"] = 'Stay <script>alert("x")</script> and play'
    save_service(db, service)
    db.close()
    client = await make_client()
    html = await (await client.get("/search", params={"text": "alert"})).text()
    assert "&lt;script&gt;alert(" in html
    assert '<script>alert("x")' not in html


async def test_each_search_is_counted_anonymously_for_demand(client, directory_db):
    import sqlite_utils

    await client.get("/search", params={"need": "stay_and_play", "near": "BB3 1NG", "age": "2"})
    rows = list(sqlite_utils.Database(directory_db).query("select * from search_demand"))
    assert len(rows) == 1
    assert "BB3" in json.dumps(rows[0]) and "1NG" not in json.dumps(rows[0])


async def test_postcodes_are_looked_up_in_the_postcode_index_the_web_tier_was_given(
        make_client, tmp_path, monkeypatch):
    """The page reads ``Settings.geo_db``, not whatever ``SIGNPOST_GEO_DB`` says in this process."""
    from directory.geo import write_index

    index = tmp_path / "configured-geo.db"
    # A postcode only this index has, in Darwen (next to the sample's centres).
    write_index(index, [("BB39ZZ", 5_369_634, -246_993)], {"package_version": "test", "letters": "B"})
    monkeypatch.setenv("SIGNPOST_GEO_DB", str(tmp_path / "not-this-one.db"))
    client = await make_client(geo_db=index)
    response = await client.get("/search", params={"need": "stay_and_play", "near": "BB3 9ZZ"})
    assert response.status == 200
    html = unescape(await response.text())
    assert "services found" in html
    assert "miles away" in html or "very close to you" in html


async def test_the_page_shows_the_same_card_words_as_the_chat(client, directory_db):
    """Both lay out ``directory.cards.card``: the words are built once, in the library."""
    from directory.cards import card
    from directory.db import Directory
    from directory.search import SearchQuery

    directory = Directory.open(directory_db, None)
    try:
        first = directory.search(SearchQuery(terms=["stay_and_play"], near="Darwen", limit=10))[0]
    finally:
        directory.close()
    words = card(first)
    html = unescape(await (await client.get(
        "/search", params={"need": "stay_and_play", "near": "Darwen"})).text())
    shown = [key for key in ("name", "next", "schedule", "where", "distance", "cost", "who",
                             "phone", "checked") if words[key]]
    assert len(shown) >= 7
    for key in shown:
        assert words[key] in html, key


async def test_a_closure_of_every_centre_is_kept_by_the_search_page(client, directory_db):
    """Staff close everything until the end of next month: /search offers no day before."""
    from datetime import date, timedelta

    from directory import edits
    from directory.db import open_db

    today = date.today()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    last_day = (next_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    db = open_db(directory_db)
    edits.save_period(db, {"kind": "closure", "valid_from": today.isoformat(),
                           "valid_to": last_day.isoformat()}, actor="test")
    db.close()
    html = unescape(await (await client.get("/search", params={"near": "Darwen"})).text())
    nexts = [part.split("<")[0] for part in html.split("Next: ")[1:]]
    assert nexts, "the page shows no next sessions at all"
    for closed_month in (f"{today:%B}", f"{next_month:%B}"):
        assert not any(closed_month in text for text in nexts), nexts


async def test_results_show_when_the_centre_is_open(client):
    response = await client.get("/search", params={"need": "stay_and_play", "near": "Darwen"})
    html = unescape(await response.text())
    assert "<dt>Centre open</dt><dd>Monday to Friday, 9am to 5pm and Saturday, 10am to 1pm</dd>" in html \
        or "<dt>Centre open</dt><dd>Monday to Friday, 9am to 4:30pm</dd>" in html
