"""Whole conversations over Rasa's REST channel, against the trained model, the action server
and a directory seeded from the sample: what a parent types and what they get back."""

from __future__ import annotations

from typing import Any

import pytest

# Starting Rasa counts against the first test: loading a model takes minutes on a busy machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]


def text_of(messages: list[dict[str, Any]]) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def services_in(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [m["custom"] for m in messages
             if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "services"]
    return found[-1]["services"] if found else []


def asks_for_place(messages: list[dict[str, Any]]) -> bool:
    return "town or postcode" in text_of(messages)


def asks_for_age(messages: list[dict[str, Any]]) -> bool:
    return "How old is your child" in text_of(messages)


def test_a_dad_asking_for_saturday_groups_near_darwen_gets_dads_sessions(chat):
    reply = chat("any dads groups on a sat near darwen")
    found = services_in(reply)
    assert found, text_of(reply)
    assert "father_friendly" in found[0]["taxonomy_terms"]
    assert all("Saturday" in s["schedule_text"] for s in found)
    assert any(b["payload"] == "/request_human" for m in reply for b in m.get("buttons") or [])


def test_a_missed_review_asks_where_then_finds_health_visiting_and_never_asks_again(chat):
    reply = chat("LO is 9 months and hasnt had her review")
    assert asks_for_place(reply), text_of(reply)
    reply = chat("Darwen")
    found = services_in(reply)
    assert found and all("health_visiting" in s["taxonomy_terms"] for s in found), text_of(reply)
    assert not asks_for_age(reply)  # we were told: 9 months

    reply = chat("are there any stay and play groups")
    assert not asks_for_place(reply) and not asks_for_age(reply), text_of(reply)
    assert all("stay_and_play" in s["taxonomy_terms"] for s in services_in(reply))


def test_what_about_saturday_more_and_free_ones_only_refine_the_last_search(chat):
    first = services_in(chat("stay and play in darwen"))
    assert first

    saturday = services_in(chat("what about saturday"))
    assert saturday and all("Saturday" in s["schedule_text"] for s in saturday)
    assert all("stay_and_play" in s["taxonomy_terms"] for s in saturday)

    # The sample directory has five Saturday stay-and-play services near Darwen: three are
    # shown first, so "more" must show the other two, still Saturday stay and play.
    more = services_in(chat("more"))
    assert more and all("Saturday" in s["schedule_text"] for s in more)
    assert all("stay_and_play" in s["taxonomy_terms"] for s in more)
    assert not {s["id"] for s in more} & {s["id"] for s in saturday}

    free = services_in(chat("free ones only"))
    assert free and all(s["free"] for s in free)


def test_a_question_while_asked_where_is_answered_then_the_question_comes_back(chat):
    assert asks_for_place(chat("are there any stay and play groups"))
    reply = chat("what is a health visitor")
    assert "health visitor is" in text_of(reply).lower(), text_of(reply)
    assert asks_for_place(reply)
    assert services_in(chat("Darwen"))


def test_being_asked_if_it_is_a_bot_gets_an_honest_answer_and_a_person(chat):
    reply = chat("am i talking to a robot")
    assert "chatbot" in text_of(reply)
    assert any(b["payload"] == "/request_human" for m in reply for b in m.get("buttons") or [])


def test_asking_for_a_person_gives_a_phone_number(chat):
    reply = chat("can I speak to a real person please")
    handoff = [m["custom"] for m in reply if (m.get("custom") or {}).get("type") == "handoff"]
    assert handoff and handoff[0]["phone"] in text_of(reply)


def test_a_conversation_carries_on_after_rasa_restarts(stack, chat):
    shown = services_in(chat("stay and play in darwen"))
    assert shown
    stack.restart_rasa()
    reply = chat("more")
    more = services_in(reply)
    assert more, text_of(reply)  # the last search was remembered in the tracker database
    assert not {s["id"] for s in more} & {s["id"] for s in shown}
