"""A parent who asks for a person, in any sentence, is put through (``bot/nlu/person_request.py``)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.person_request import PersonRequest, asks_for_a_person


@pytest.mark.parametrize("text", [
    "I want a human",
    "ive been on this for ages can i just talk to a real person",
    "speak to someone please",
    "is there someone i can talk to",
    "I want to speak to a human about childcare",
    "get me a human now",
    "no, not a bot, a person",
    "is there a phone number i can ring",
    "can i talk to someone at the centre about my sons speech",
])
def test_asking_for_a_person_inside_any_sentence_is_heard(text):
    assert asks_for_a_person(text)


@pytest.mark.parametrize("text", [
    "can I speak to a health visitor",  # a search for health visiting
    "are you a real person?",           # questions about the bot (its answer offers a person)
    "r u a real person",
    "is this a real person or a bot",
    "am i talking to a real human",
    "I need someone to look after my kids",
    "stay and play near BB1",
    "people skills course",
])
def test_needs_and_questions_about_the_bot_are_not_requests_for_a_person(text):
    assert not asks_for_a_person(text)


def test_the_component_sets_request_human_and_keeps_the_rest_of_the_ranking():
    message = Message(data={TEXT: "stay and play in darwen, or can I talk to a real person"})
    message.set(INTENT, {"name": "find_service", "confidence": 0.8})
    message.set(INTENT_RANKING_KEY, [{"name": "find_service", "confidence": 0.8}])
    PersonRequest().process([message])
    assert message.get(INTENT)["name"] == "request_human"
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["request_human", "find_service"]


def test_a_button_payload_is_left_alone():
    message = Message(data={TEXT: '/find_service{"need": "stay_and_play"}'})
    message.set(INTENT, {"name": "find_service", "confidence": 1.0})
    PersonRequest().process([message])
    assert message.get(INTENT)["name"] == "find_service"
