"""The NLU safety component on messages as DIET left them."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

import pytest

from bot.nlu.safety_component import SafetyCheckComponent
from bot.safety.check import SafetyCheck


def message(text: str, intent: str, confidence: float, entities: list | None = None) -> Message:
    msg = Message(data={"text": text})
    msg.set("intent", {"name": intent, "confidence": confidence})
    msg.set("intent_ranking", [{"name": intent, "confidence": confidence},
                               {"name": "find_service", "confidence": 1 - confidence}])
    msg.set("entities", entities or [])
    return msg


@pytest.fixture(scope="module")
def checker() -> SafetyCheck:
    return SafetyCheck.load()


@pytest.fixture
def run(checker):
    def run(msg: Message, **config) -> Message:
        component = SafetyCheckComponent({**SafetyCheckComponent.get_default_config(), **config}, checker)
        return component.process([msg])[0]
    return run


def test_a_disclosure_becomes_a_safety_intent_at_full_confidence_even_from_fallback(run):
    out = run(message("she's gone floppy and blue", "nlu_fallback", 0.2))
    assert out.get("intent") == {"name": "safety_medical", "confidence": 1.0}
    assert out.get("intent_ranking")[0]["name"] == "safety_medical"
    [entity] = out.get("entities")
    assert (entity["entity"], entity["value"], entity["level"]) == ("safety", "medical", "emergency")


def test_danger_now_drops_the_other_entities_so_999_stands_alone(run):
    text = "he's got a knife and he's coming for me, we live in Darwen"
    place = {"entity": "place", "value": "Darwen", "start": text.index("Darwen"), "end": len(text)}
    out = run(message(text, "give_location", 0.9, [place]))
    assert out.get("intent")["name"] == "safety_domestic_abuse"
    assert [e["entity"] for e in out.get("entities")] == ["safety"]


def test_without_danger_now_the_place_is_kept_for_the_search_after_the_safety_reply(run):
    text = "nothing in the cupboards for the kids tea and no money till friday, anything in Darwen"
    place = {"entity": "place", "value": "Darwen", "start": text.index("Darwen"), "end": len(text)}
    out = run(message(text, "find_service", 0.9, [place]))
    assert out.get("intent")["name"] == "safety_urgent_need"
    assert [e["entity"] for e in out.get("entities")] == ["safety", "place"]


def test_a_weak_diet_safety_guess_without_the_rules_gives_way(run):
    out = run(message("my toddler hits other kids at nursery", "safety_child_harm", 0.5))
    assert out.get("intent")["name"] == "find_service"


def test_a_weak_diet_safety_guess_with_no_sure_intent_behind_it_is_not_understood(run):
    """Not "affirm" at 0.02: a message not understood, so a word near harm gets the calm check."""
    msg = message("the bruises", "safety_domestic_abuse", 0.6)
    msg.set("intent_ranking", [{"name": "safety_domestic_abuse", "confidence": 0.6},
                               {"name": "affirm", "confidence": 0.02}])
    out = run(msg)
    assert out.get("intent")["name"] == "safety_check"


def test_a_confident_diet_safety_guess_is_kept_for_recall(run):
    out = run(message("everything is too much and I want out for good", "safety_self_harm", 0.93))
    assert out.get("intent")["name"] == "safety_self_harm"
    assert out.get("entities")[0]["value"] == "self_harm"


def test_ordinary_messages_pass_untouched(run):
    out = run(message("stay and play near Darwen", "find_service", 0.97))
    assert out.get("intent") == {"name": "find_service", "confidence": 0.97}


def test_a_confident_diet_guess_the_rules_read_as_a_near_miss_gives_way(run):
    out = run(message("i'm not suicidal, just very tired", "safety_self_harm", 0.5))
    assert out.get("intent")["name"] == "find_service"
    # With nothing else sure enough (find_service at 0.03), it is a message not understood:
    # never the alarm, at most the calm check.
    out = run(message("i'm not suicidal, just very tired", "safety_self_harm", 0.97))
    assert out.get("intent")["name"] == "safety_check"


def test_the_other_intents_fall_far_enough_behind_that_fallback_never_wins(run):
    out = run(message("he checks my phone and won't let me see my friends", "find_service", 0.96))
    first, second = out.get("intent_ranking")[:2]
    assert first["name"] == "safety_domestic_abuse" and first["confidence"] - second["confidence"] > 0.1


def test_the_learned_detector_catches_words_no_rule_was_written_for(run):
    out = run(message("i cant cope anymore, i just want it all to stop", "nlu_fallback", 0.3))
    assert out.get("intent") == {"name": "safety_self_harm", "confidence": 1.0}
    [entity] = out.get("entities")
    assert entity["source"] in ("detector", "both")


def test_a_message_not_understood_near_harm_gets_the_calm_check_not_a_fallback(run):
    out = run(message("the bruises", "nlu_fallback", 0.3))
    assert out.get("intent") == {"name": "safety_check", "confidence": 1.0}
    [entity] = out.get("entities")
    assert entity["value"] == "check"


def test_an_understood_message_with_a_risky_word_is_left_to_the_bot(run):
    out = run(message("is there a first aid course for when your baby chokes", "find_service", 0.95))
    assert out.get("intent") == {"name": "find_service", "confidence": 0.95}


def test_a_message_not_understood_with_no_word_near_harm_stays_a_fallback(run):
    out = run(message("blue cheese and pickle", "nlu_fallback", 0.3))
    assert out.get("intent")["name"] == "nlu_fallback"
