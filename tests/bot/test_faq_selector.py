"""The FAQ selector: trained on data/nlu/faq.yml, saved, loaded back, and answering as Rasa's
retrieval action expects (``response_selector`` in the parse data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_selector import FaqSelector

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {"retrieval_intent": "ask_core_offer_info"}


@pytest.fixture(scope="module")
def training_data() -> TrainingData:
    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / "domain"), training_data_paths=[str(ROOT / "data" / "nlu")])
    return importer.get_nlu_data()


@pytest.fixture(scope="module")
def loaded(training_data, tmp_path_factory) -> FaqSelector:
    """Trained and persisted, then loaded back as the running server does."""
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    resource = Resource("faq_selector")
    context = ExecutionContext(GraphSchema({}), "test")
    FaqSelector.create(CONFIG, storage, resource, context).train(training_data)
    return FaqSelector.load(CONFIG, storage, resource, context)


def select(selector: FaqSelector, text: str) -> dict:
    [message] = selector.process([Message(data={"text": text})])
    return message.as_dict_nlu()["response_selector"]["ask_core_offer_info"]["response"]


@pytest.mark.parametrize("text, answer", [
    ("wat is portige", "what_is_portage"),
    ("who gets the 2 year old funding", "two_year_funding"),
    ("do dads go to the childrens centre", "dads_welcome"),
    ("whats an ehcp and how do i get one", "what_is_ehcp"),
])
def test_a_question_gets_its_answer_and_the_answer_text(loaded, text, answer):
    response = select(loaded, text)
    assert response["intent_response_key"] == f"ask_core_offer_info/{answer}"
    assert response["utter_action"] == f"utter_ask_core_offer_info/{answer}"
    assert response["responses"] and response["responses"][0]["text"]


def test_every_answer_in_the_domain_can_be_picked(loaded, training_data):
    answers = {key for key in training_data.responses if key.startswith("utter_ask_core_offer_info/")}
    assert {f"utter_{label}" for label in loaded.classifier.classes_} == answers


def test_too_few_answers_to_choose_between_is_a_clear_error(tmp_path):
    one = TrainingData([Message(data={"text": "what is portage", "intent": "ask_core_offer_info",
                                      "intent_response_key": "ask_core_offer_info/portage"})])
    selector = FaqSelector.create(CONFIG, LocalModelStorage(tmp_path), Resource("faq"),
                                  ExecutionContext(GraphSchema({}), "test"))
    with pytest.raises(ValueError, match="at least two answers"):
        selector.train(one)
