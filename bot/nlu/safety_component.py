"""The Rasa side of the safety layer: the rules of ``bot.safety.rules`` on every message.

Runs after DIET and the entity components and before ``FallbackClassifier`` (config.yml). When
the rules find a disclosure, the intent becomes ``safety_<category>`` with confidence 1.0 and a
``safety`` entity carries the category and level, so:

- the rules in ``data/rules/safety.yml`` answer it first, in or out of a form;
- the message's other entities are dropped, so no form slot is filled by it: in the middle of a
  form question the form then rejects the turn and the safety rule runs instead of the next
  question (Rasa runs an active form before any rule unless the form rejects);
- a disclosure is never turned into ``nlu_fallback``.

DIET also learns the safety intents (``data/nlu/safety.yml``). Its guess is kept when it is
confident (``diet_threshold``, 0.9) and the rules have not read the message as a near-miss
(a negation, someone else's story: ``rules.vetoed``); otherwise it gives way to the next
intent, so everyday messages are not met with helplines.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.safety.rules import CATEGORIES, detect, vetoed

logger = logging.getLogger(__name__)

SAFETY_INTENTS = tuple(f"safety_{category}" for category in CATEGORIES)
SAFETY_ENTITY = "safety"


def is_safety_intent(name: str | None) -> bool:
    return bool(name) and name in SAFETY_INTENTS


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyRules(GraphComponent):
    """Sets a safety intent and entity when a message discloses danger."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"diet_threshold": 0.9}

    def __init__(self, config: dict[str, Any]) -> None:
        self.diet_threshold = float(config.get("diet_threshold", 0.9))

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyRules":
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._check(message, text)
        return messages

    def _check(self, message: Message, text: str) -> None:
        detection = detect(text)
        intent = message.get(INTENT) or {}
        ranking = [r for r in (message.get(INTENT_RANKING_KEY) or [])]
        if detection is None:
            if is_safety_intent(intent.get("name")) and (
                    float(intent.get("confidence") or 0) < self.diet_threshold or vetoed(text)):
                self._demote(message, ranking)
                return
            if is_safety_intent(intent.get("name")):
                self._only_safety_entity(message, category=intent["name"][len("safety_"):],
                                         level="urgent", source="diet")
            return
        name = f"safety_{detection.category}"
        new_intent = {"name": name, "confidence": 1.0}
        # The rules outrank the model: other intents are halved, so FallbackClassifier's
        # ambiguity check (top two within 0.1) can never turn a disclosure into nlu_fallback.
        ranking = [new_intent] + [{**r, "confidence": float(r.get("confidence") or 0) / 2}
                                  for r in ranking if r.get("name") != name]
        message.set(INTENT, new_intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        self._only_safety_entity(message, category=detection.category, level=detection.level,
                                 source="rules", rule=detection.matches[0].rule)
        # The category only: logs must not carry what the parent wrote (rule names paraphrase it).
        logger.info("Safety rules: %s/%s", detection.category, detection.level)

    def _demote(self, message: Message, ranking: list[dict[str, Any]]) -> None:
        others = [r for r in ranking if not is_safety_intent(r.get("name"))]
        if not others:
            return
        message.set(INTENT, dict(others[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, others, add_to_output=True)

    def _only_safety_entity(self, message: Message, **safety: Any) -> None:
        message.set(ENTITIES, [{"entity": SAFETY_ENTITY, "value": safety["category"],
                                "start": 0, "end": 0, "confidence_entity": 1.0,
                                "extractor": self.__class__.__name__, **safety}],
                    add_to_output=True)
