"""A service card's words (``directory.cards``): the chat, the search page and the bot's replies
all show these, built once."""

from __future__ import annotations

from pathlib import Path

from directory.cards import card, checked_on, distance_words, next_session_words

ROOT = Path(__file__).resolve().parents[2]
RESULT = {
    "id": "svc-1", "name": "Stay and Play", "description": "Play, songs and a brew.",
    "centre": "Darwen Family Hub", "address": "1 School Street, Darwen, BB3 1NG",
    "postcode": "BB3 1NG", "latitude": 53.6981, "longitude": -2.4612, "distance_km": 1.6,
    "next_sessions": ["2026-12-05T10:00:00+00:00"], "schedule_text": "Every Saturday, 10am to 12pm",
    "cost_text": None, "free": True, "age_text": "Children up to 5 years old",
    "phone": "01632 960180", "email": None, "assured_date": "2026-10-20", "why": ["Near you"],
}


def test_a_card_says_when_where_cost_who_phone_and_checked_on_in_words():
    words = card(RESULT)
    assert words["next"] == "Saturday 5 December, 10am to 12pm"
    assert words["where"] == "Darwen Family Hub, 1 School Street, Darwen, BB3 1NG"
    assert words["distance"] == "about 1 mile away"
    assert words["map"] == ("https://www.openstreetmap.org/?mlat=53.69810&mlon=-2.46120"
                            "#map=17/53.69810/-2.46120")
    assert words["cost"] == "Free" and words["who"] == "Children up to 5 years old"
    assert (words["phone"], words["tel"]) == ("01632 960180", "01632960180")
    assert words["checked"] == "20 October 2026"
    assert words["why"] == ["Near you"]


def test_a_session_with_an_end_time_says_it():
    assert next_session_words({"next_sessions": ["2026-06-06T09:30:00+01:00/2026-06-06T11:00:00+01:00"]}) \
        == "Saturday 6 June, 9:30am to 11am"


def test_unknown_facts_are_left_out_not_guessed():
    words = card({"name": "Bare"})
    assert words["name"] == "Bare"
    assert all(words[k] is None for k in ("next", "where", "distance", "map", "cost", "who",
                                          "phone", "tel", "checked"))
    assert distance_words(0.1) == "very close to you" and checked_on("not a date") is None


def test_the_postcode_is_added_when_the_address_lacks_it_and_a_map_found_by_address():
    words = card({"centre": "Hall", "address": "Queen Street", "postcode": "BB3 3NH"})
    assert words["where"] == "Hall, Queen Street, BB3 3NH"
    assert words["map"] == "https://www.openstreetmap.org/search?query=Queen%20Street%2C%20BB3%203NH"


def test_the_chat_page_script_lays_out_words_and_works_out_none_itself():
    script = (ROOT / "web" / "static" / "chat.js").read_text(encoding="utf-8")
    for rendering in ("Intl.DateTimeFormat", "1.609344", "toFixed(", "MONTHS"):
        assert rendering not in script, f"chat.js builds card words itself ({rendering})"
    assert "service.card" in script


def test_a_card_says_when_the_centre_is_open():
    from directory.cards import card
    assert card({"name": "Rhyme time", "centre_hours": "Monday to Friday, 9am to 5pm"})["hours"] \
        == "Monday to Friday, 9am to 5pm"
    assert card({"name": "Rhyme time"})["hours"] is None


def test_a_listing_checked_over_3_months_ago_tells_parents_to_phone_first():
    from datetime import date

    today = date(2026, 12, 5)
    assert card({**RESULT, "assured_date": "2026-09-05"}, today)["stale"] is None
    assert card({**RESULT, "assured_date": "2026-08-20"}, today)["stale"] == (
        "Last checked in August 2026. Phone to check before you go.")
    assert card({**RESULT, "assured_date": None}, today)["stale"] == (
        "We do not know when this was last checked. Phone to check before you go.")


def test_a_card_says_which_listing_and_centre_a_report_is_about():
    words = card({**RESULT, "location_id": "loc-9"})
    assert (words["service_id"], words["location_id"]) == ("svc-1", "loc-9")
