"""The light intent classifier: trained on data/nlu, saved, loaded back, and setting the intent
and ranking the rest of the pipeline (FallbackClassifier, the safety component) reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.intent_classifier import IntentClassifier

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> IntentClassifier:
    """Trained and persisted, then loaded back as the running server does."""
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain"), training_data_paths=[str(ROOT / "data" / "nlu")])
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("intent_classifier")
    context = ExecutionContext(GraphSchema({}), "test")
    IntentClassifier.create({}, storage, resource, context).train(importer.get_nlu_data())
    return IntentClassifier.load({}, storage, resource, context)


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
