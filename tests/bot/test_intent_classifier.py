"""The light intent classifier: trained on data/nlu, saved, loaded back, and setting the intent
and ranking the rest of the pipeline (FallbackClassifier, the safety component) reads."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_classifier import IntentClassifier
from tests.bot.trained import train_and_load


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> IntentClassifier:
    """Trained and persisted, then loaded back as the running server does."""
    return train_and_load(IntentClassifier, tmp_path_factory.mktemp("model"))


def classify(classifier: IntentClassifier, text: str) -> dict:
    [message] = classifier.process([Message(data={"text": text})])
    return message.as_dict_nlu()


@pytest.mark.parametrize("text, intent", [
    ("hiya", "greet"),
    ("nah", "deny"),
    ("show me more", "more_results"),
    ("any baby groups near darwen", "find_service"),
    ("wat is portige", "ask_core_offer_info"),
])
def test_a_message_gets_its_intent(loaded, text, intent):
    assert classify(loaded, text)["intent"]["name"] == intent


def test_the_ranking_leads_with_the_intent_and_is_sorted(loaded):
    result = classify(loaded, "is there a dads group on saturday")
    ranking = result["intent_ranking"]
    assert ranking[0] == result["intent"]
    confidences = [r["confidence"] for r in ranking]
    assert confidences == sorted(confidences, reverse=True) and len(ranking) == 10
