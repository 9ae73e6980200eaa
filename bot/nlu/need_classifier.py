"""Read a need from the whole message when no need phrase was found ("hasnt had her review").

The taxonomy phrases (``TaxonomyMatcher``) and the rules find needs that are named. DIET also
tagged needs in paraphrases, from the ``need`` annotations in ``data/nlu``; without DIET those
were lost. This component learns the same annotations as a text classifier: each training
message is labelled with its first need's term id, or ``none``, and a logistic regression over
word and character n-grams (the intent classifier's recipe) reads the whole message. It adds one
``need`` entity, spanning the message, only when no component found a need, the message is a
new search (``find_service``) and the model is at least ``threshold`` sure (0.5: on the held-out
split 63 of 66 guesses at C=20 were right). Never on a refinement: "any on a wednesday?" names no
need, and a guessed one would replace the need being searched. It never overrides a phrase.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import TextModelComponent

NEED = "need"
NONE = "none"


def need_label(message: Message) -> str:
    """The term id of the message's first annotated need, or ``none``."""
    needs = sorted((e for e in message.get(ENTITIES) or [] if e.get("entity") == NEED),
                   key=lambda e: e.get("start", 0))
    return str(needs[0]["value"]) if needs else NONE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class NeedClassifier(TextModelComponent, EntityExtractorMixin):
    """Adds a ``need`` entity from the whole message when nothing else found one."""

    model_file = "need_classifier.skops"

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"C": 20.0, "threshold": 0.5, "intents": ["find_service"]}

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        labels = [need_label(m) for m in examples]
        if len(set(labels)) < 2:
            raise ValueError("NeedClassifier needs messages with `need` entities in data/nlu.")
        return self.fit([m.get(TEXT) for m in examples], labels)

    def guess(self, text: str) -> tuple[str, float]:
        """The most likely need (or ``none``) for the whole text, and its probability."""
        probabilities = self.classifier.predict_proba([text])[0]
        best = int(np.argmax(probabilities))
        return str(self.classifier.classes_[best]), float(probabilities[best])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            entities = message.get(ENTITIES) or []
            intent = (message.get(INTENT) or {}).get("name")
            if (not text or self.classifier is None or intent not in self.config["intents"]
                    or any(e.get("entity") == NEED for e in entities)):
                continue
            need, confidence = self.guess(text)
            if need != NONE and confidence >= float(self.config["threshold"]):
                entity = {"entity": NEED, "value": need, "start": 0, "end": len(text),
                          "confidence_entity": confidence, "extractor": self.__class__.__name__}
                message.set(ENTITIES, [*entities, entity], add_to_output=True)
        return messages
