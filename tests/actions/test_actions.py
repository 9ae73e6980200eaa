"""Each custom action, run on a tracker from ``tests/bot/data/*.json`` against a temporary
directory seeded from the sample, checked by what the parent would see and what is remembered."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff
from actions.frame import ActionSearchServices
from actions.refine import ActionMoreResults, ActionRefineSearch
from common.settings import Settings
from directory.db import open_db
from common.days import DAY_NAMES

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")


@pytest.fixture(scope="module")
def domain() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((ROOT / "domain").glob("*.yml")):
        for key, value in (yaml.safe_load(path.read_text()) or {}).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


def tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((DATA / f"{name}.json").read_text()))


def run(action, name: str, domain: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, tracker(name), domain)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, dispatcher.messages


def slot_sets(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def services(messages: list[dict]) -> list[dict]:
    payloads = [m["custom"] for m in messages if m.get("custom")]
    assert payloads, f"no services payload in {messages}"
    assert payloads[-1]["type"] == "services"
    return payloads[-1]["services"]


def texts(messages: list[dict]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def payloads_of_buttons(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in (m.get("buttons") or [])]


# --- finding ---------------------------------------------------------------------------------

def test_dads_asking_for_saturday_near_darwen_get_dads_sessions_on_saturday(context, domain):
    events, messages = run(ActionSearchServices(context), "dads_saturday_darwen", domain)
    found = services(messages)
    assert 1 <= len(found) <= 3
    assert "father_friendly" in found[0]["taxonomy_terms"]
    assert all("Saturday" in s["schedule_text"] for s in found)
    assert "near darwen" in texts(messages).lower()
    assert "Dads and male carers are very welcome" in texts(messages)
    kept = slot_sets(events)
    assert kept["last_query"]["days"] == ["SA"]
    assert kept["last_query"]["shown"] == [s["id"] for s in found]
    assert kept["results_offset"] == len(found)


def test_every_card_carries_the_fields_the_web_chat_reads(context, domain):
    _, messages = run(ActionSearchServices(context), "dads_saturday_darwen", domain)
    for card in services(messages):
        assert set(card) == {"id", "name", "taxonomy_terms", "centre", "address", "postcode",
                             "distance_km", "next_sessions", "schedule_text", "cost_text",
                             "free", "age_text", "phone", "url", "assured_date",
                             "latitude", "longitude", "card"}
        assert card["id"] and card["name"] and card["centre"]
        assert isinstance(card["distance_km"], float)
        # The card's words, built by the library, for the chat to lay out as they are.
        words = card["card"]
        assert words["name"] == card["name"] and card["centre"] in words["where"]
        assert words["next"].startswith("Saturday ") and words["distance"].endswith("away")
        assert words["map"].startswith("https://www.openstreetmap.org/")
    json.dumps(messages)  # everything must travel over the REST channel


def test_results_offer_more_a_different_day_and_a_person(context, domain):
    _, messages = run(ActionSearchServices(context), "dads_sunday_nothing", domain)
    buttons = payloads_of_buttons(messages)
    assert "/request_human" in buttons
    assert '/refine_search{"refine": "day"}' in buttons


def test_nothing_on_sunday_for_dads_says_so_and_shows_other_days(context, domain):
    events, messages = run(ActionSearchServices(context), "dads_sunday_nothing", domain)
    said = texts(messages)
    assert "couldn't find any on Sunday" in said
    found = services(messages)
    assert found and all("father_friendly" in s["taxonomy_terms"] for s in found)
    assert slot_sets(events)["last_query"]["days"] == []  # "more" pages the wider search


# --- one search per turn ----------------------------------------------------------------------

def test_a_turn_searches_the_directory_once(context, domain):
    """The "do ages matter?" check uses the answer's own search: one search per turn."""
    searches = []
    search = context.directory.search
    context.directory.search = lambda query, **kw: searches.append(query) or search(query, **kw)
    _, messages = run(ActionSearchServices(context), "stay_and_play_no_age", domain)
    assert services(messages)
    assert len(searches) == 1


# --- refining and paging ---------------------------------------------------------------------

def test_what_about_saturday_keeps_the_need_and_place(context, domain):
    events, messages = run(ActionRefineSearch(context), "after_search_saturday", domain)
    found = services(messages)
    assert found and all("stay_and_play" in s["taxonomy_terms"] for s in found)
    assert all("Saturday" in s["schedule_text"] for s in found)
    assert slot_sets(events)["last_query"]["near"] == "Darwen"


def test_more_shows_the_next_three(context, domain):
    first, first_messages = run(ActionSearchServices(context), "after_search_more", domain)
    first_ids = [s["id"] for s in services(first_messages)]
    events, messages = run(ActionMoreResults(context), "after_search_more", domain)
    more_ids = [s["id"] for s in services(messages)]
    assert more_ids and not set(more_ids) & set(first_ids)
    assert slot_sets(events)["results_offset"] == 3 + len(more_ids)
    assert texts(messages).startswith("Here are some more")


def test_free_ones_only_shows_only_free_services(context, domain):
    events, messages = run(ActionRefineSearch(context), "after_search_free", domain)
    found = services(messages)
    assert found and all(s["free"] for s in found)
    assert slot_sets(events)["last_query"]["free"] is True
    assert "free" in texts(messages)


def test_the_different_day_button_asks_which_day(context, domain):
    events, messages = run(ActionRefineSearch(context), "after_search_different_day_button", domain)
    assert texts(messages) == "Which day suits you best?"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert titles[:7] == list(DAY_NAMES.values())
    assert events == []


def test_for_my_baby_instead_searches_for_a_baby(context, domain):
    events, messages = run(ActionRefineSearch(context), "after_search_baby", domain)
    kept = slot_sets(events)
    assert kept["age_months"] == 0
    assert kept["last_query"]["age_months"] == 0
    assert services(messages)


# --- a person --------------------------------------------------------------------------------

def test_asking_for_a_person_near_darwen_gives_a_centre_phone(context, domain):
    _, messages = run(ActionHandoff(context), "handoff_with_place", domain)
    payload = messages[0]["custom"]
    assert payload["type"] == "handoff"
    assert payload["centre"] and payload["phone"]
    assert payload["phone"] in texts(messages)


def _handoff_at(context, domain, moment):
    from datetime import datetime, timezone
    context.clock = lambda: datetime(*moment, tzinfo=timezone.utc)
    context.settings = Settings(family_hubs_phone="01254 000111")
    _, messages = run(ActionHandoff(context), "handoff_with_place", domain)
    return messages[0]["custom"], texts(messages)


def test_a_person_inside_opening_hours_says_the_centre_is_open(context, domain):
    payload, text = _handoff_at(context, domain, (2026, 12, 2, 10, 0))  # a Wednesday, 10am
    assert text.startswith(f"{payload['centre']} is open Monday to Friday, 9")
    assert "It is open now. Call them on " + payload["phone"] in text
    assert payload["open_now"] is True
    assert "I can ask someone to call you back" in text


def test_a_person_outside_opening_hours_says_when_it_opens_and_what_to_do_now(context, domain):
    payload, text = _handoff_at(context, domain, (2026, 12, 6, 14, 0))  # a Sunday afternoon
    assert payload["open_now"] is False
    assert "It is closed now. It opens tomorrow at 9" in text
    assert f"Then you can call them on {payload['phone']}." in text
    assert "before then, call the family hubs team on 01254 000111" in text
    assert "I can ask someone to call you back" in text
    assert "999" not in text and "111." not in text


def test_opening_hours_in_the_handoff_follow_the_clock_change(context, domain):
    # Monday 30 March 2026, the day after the clocks go forward: 08:15 UTC is 9:15am.
    payload, text = _handoff_at(context, domain, (2026, 3, 30, 8, 15))
    assert payload["open_now"] is True, text
    # 07:45 UTC is 8:45am: closed, opening today.
    payload, text = _handoff_at(context, domain, (2026, 3, 30, 7, 45))
    assert "It is closed now. It opens today at 9" in text


def test_asking_for_a_person_with_no_place_gives_the_main_line(context, domain):
    context.settings = Settings(family_hubs_phone="01254 000111")
    _, messages = run(ActionHandoff(context), "handoff_no_place", domain)
    assert messages[0]["custom"]["phone"] == "01254 000111"
    assert "01254 000111" in texts(messages)


def test_searches_are_counted_for_staff_without_the_place_name(context, domain, directory_db):
    run(ActionSearchServices(context), "dads_saturday_darwen", domain)
    db = open_db(directory_db)
    rows = list(db.query("select * from search_demand"))
    assert rows and rows[-1]["needs"] == "father_friendly"
    assert rows[-1]["district"] is None  # "darwen" is free text, never stored


def test_anything_closer_says_so_when_the_nearest_are_already_shown(context, domain):
    events, shown = run(ActionSearchServices(context), "dads_saturday_darwen", domain)
    state = json.loads((DATA / "after_search_more.json").read_text())
    state["slots"].update(need=["father_friendly"], days=["SA"], audience="father",
                          last_query=slot_sets(events)["last_query"])
    state["latest_message"] = {"text": "anything closer", "entities": [],
                               "intent": {"name": "refine_search", "confidence": 0.9}}
    dispatcher = CollectingDispatcher()
    ActionRefineSearch(context).run(dispatcher, Tracker.from_dict(state), domain)
    assert "closest ones I know" in texts(dispatcher.messages)
    assert not any(m.get("custom") for m in dispatcher.messages)
