"""The need classifier: a need read from a whole paraphrased search, and never over a phrase,
on a refinement or when unsure."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.need_classifier import NeedClassifier
from tests.bot.trained import train_and_load


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> NeedClassifier:
    """Trained on data/nlu and persisted, then loaded back as the running server does."""
    return train_and_load(NeedClassifier, tmp_path_factory.mktemp("model"))


def needs(classifier: NeedClassifier, text: str, intent: str = "find_service",
          entities: list[dict] | None = None) -> list[str]:
    message = Message(data={"text": text, "intent": {"name": intent, "confidence": 0.9},
                            "entities": entities or []})
    [message] = classifier.process([message])
    return [e["value"] for e in message.get("entities") if e["entity"] == "need"]


def test_a_paraphrased_need_is_read_from_the_whole_message(loaded):
    # A statistical reader near its threshold: most paraphrases, not every one (the generated
    # examples shift whenever the taxonomy's phrases change).
    said = ["my LO is 2 and hasnt had his review", "LO is 9 months and hasnt had her review",
            "hasnt had his review yet, hes 2"]
    read = [needs(loaded, text) for text in said]
    assert sum(r == ["health_visiting"] for r in read) >= 2, read
    assert all(r in ([], ["health_visiting"]) for r in read), read


def test_a_found_phrase_is_kept_and_nothing_is_added(loaded):
    phrase = {"entity": "need", "value": "stay_and_play", "start": 0, "end": 10}
    assert needs(loaded, "baby review and stay and play", entities=[phrase]) == ["stay_and_play"]


def test_no_need_on_a_refinement_or_a_message_without_one(loaded):
    assert needs(loaded, "hasnt had his review", intent="refine_search") == []
    assert needs(loaded, "anything near darwen on saturday") == []
