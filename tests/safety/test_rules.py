"""The safety rules over the test sets: every disclosure caught, near-misses left alone.

Pure Python, so this file runs in both environments (the web tier uses the same rules).
"""

from __future__ import annotations

import pytest

from bot.safety.evaluate import DEFAULT_DATA, evaluate, everyday_alarms, load_sets
from bot.safety.normalise import normalise
from bot.safety.rules import detect

DISCLOSURES, NEAR_MISSES = load_sets(DEFAULT_DATA)


def test_the_sets_are_big_enough_to_mean_something():
    assert len(DISCLOSURES) >= 60
    assert len(NEAR_MISSES) >= 60


def test_recall_is_100_percent_and_precision_at_least_95(capsys):
    scores = evaluate()
    print(f"recall {scores.recall:.1%} precision {scores.precision:.1%}")
    assert scores.missed == [] and scores.wrong_category == []
    assert scores.recall == 1.0
    assert scores.precision >= 0.95, scores.alarms


def test_held_out_phrasings_are_caught_too():
    scores = evaluate(DEFAULT_DATA / "heldout.yml")
    assert scores.recall == 1.0, scores.missed
    assert scores.precision >= 0.95, scores.alarms


@pytest.mark.parametrize("text,category,level", DISCLOSURES)
def test_each_disclosure_gets_the_right_category_and_level(text, category, level):
    found = detect(text)
    assert found is not None, text
    assert category in found.categories
    if level == "emergency":
        assert found.level == "emergency", f"999 must come first for: {text}"


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_each_near_miss_is_left_alone(text):
    assert detect(text) is None


def test_a_negation_in_another_clause_does_not_hide_a_disclosure():
    found = detect("I would never hurt my baby, but sometimes I'm scared I'll shake him")
    assert found is not None and found.category == "parent_fear"


def test_right_now_turns_a_disclosure_into_an_emergency():
    assert detect("my partner hits me").level == "urgent"
    assert detect("my partner is hitting me right now").level == "emergency"


def test_a_message_with_two_dangers_names_both_leading_with_the_most_serious():
    found = detect("he hits me and he hits the kids")
    assert found.category == "child_harm"
    assert "domestic_abuse" in found.categories


def test_typing_shortcuts_and_curly_apostrophes_are_understood():
    assert detect("my dh checks my phone and won\u2019t let me see my mates") is not None
    assert detect("im scared id hurt him") is not None
    assert normalise("He won't").tokens == ("he", "will", "not")


def test_payload_follows_the_contract():
    found = detect("my baby isn't breathing")
    assert found.payload() == {"type": "safety", "category": "medical", "level": "emergency"}


def test_everyday_messages_from_the_nlu_training_data_raise_no_alarm():
    count, alarms = everyday_alarms()
    assert count > 1000
    assert alarms == []


def test_an_overdose_in_the_first_person_is_self_harm_first():
    assert detect("i've taken all my tablets").category == "self_harm"
    assert detect("my toddler has taken some of my tablets").category == "medical"
