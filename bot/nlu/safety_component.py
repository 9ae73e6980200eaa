"""The Rasa side of the safety layer: the rules and the learned detector on every message.

Runs last in the pipeline, after ``FallbackClassifier`` (config.yml), so nothing after it can turn
a disclosure into ``nlu_fallback``. ``bot.safety.check.SafetyCheck`` gives one verdict:

- **an alarm** (from the rules, the detector or both): the intent becomes ``safety_<category>``
  with confidence 1.0, other intents are halved, and a ``safety`` entity carries the category and
  level. When there is danger now, the message's other entities are dropped: 999 stands alone.
  Otherwise they are kept, so that "the cupboards are empty till Friday, anything in Darwen?" is answered with
  the services near Darwen after the safety reply (``actions/safety.py``). The call-back form's
  slots are never filled from a safety turn (their mappings exclude the safety intents), so the
  form rejects the turn and the rules in ``data/rules/safety.yml`` answer first.
- **a check**: the message was not understood (``nlu_fallback``, ``out_of_scope``,
  ``chitchat``) and carries a word near harm. The intent becomes
  ``safety_check`` and the bot asks "Are you and your children safe right now?" rather than
  "Sorry, I didn't get that".

DIET also learns the safety intents (``data/nlu/safety.yml``). Its guess is kept when it is
confident (``diet_threshold``) and the rules have not read the message as a near miss
(``rules.vetoed``); otherwise it gives way to the next intent.
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

from bot.safety.categories import CATEGORIES
from bot.safety.check import SafetyCheck
from common.settings import Settings

logger = logging.getLogger(__name__)

SAFETY_INTENTS = tuple(f"safety_{category}" for category in CATEGORIES)
CHECK_INTENT = "safety_check"
SAFETY_ENTITY = "safety"
NLU_FALLBACK = "nlu_fallback"


def is_safety_intent(name: str | None) -> bool:
    return bool(name) and name in SAFETY_INTENTS


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyCheckComponent(GraphComponent):
    """Sets a safety intent and entity when a message discloses danger, or asks if all is well."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "diet_threshold": 0.9,
            # FallbackClassifier's threshold (config.yml): when a weak safety guess gives way,
            # an intent below it is "not understood", as FallbackClassifier would have said.
            "fallback_threshold": 0.45,
            # Intents that give no real answer: with a word near harm, ask the safety question.
            "not_understood": [NLU_FALLBACK, "out_of_scope", "chitchat"],
            # The detector's model file; None: this process's Settings (SIGNPOST_SAFETY_MODEL,
            # else var/safety/detector.json, which scripts/prepare.sh builds).
            "model": None,
        }

    def __init__(self, config: dict[str, Any], checker: SafetyCheck) -> None:
        self.diet_threshold = float(config["diet_threshold"])
        self.fallback_threshold = float(config["fallback_threshold"])
        self.not_understood = frozenset(config["not_understood"])
        self.checker = checker

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyCheckComponent":
        config = {**cls.get_default_config(), **config}
        model = config["model"] or Settings.from_env().safety_model
        return cls(config, SafetyCheck.load(model))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                self._check(message, text)
        return messages

    def _check(self, message: Message, text: str) -> None:
        verdict = self.checker.verdict(text)
        intent = message.get(INTENT) or {}
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        if verdict.alarm is not None:
            detection = verdict.alarm
            self._set_intent(message, f"safety_{detection.category}", ranking)
            self._with_safety_entity(message, category=detection.category, level=detection.level,
                                     source=verdict.source, also=list(detection.categories[1:]),
                                     hint=detection.category)
            # The category only: logs must not carry what the parent wrote.
            logger.info("Safety: %s/%s (%s)", detection.category, detection.level, verdict.source)
            return
        if is_safety_intent(intent.get("name")):
            if float(intent.get("confidence") or 0) >= self.diet_threshold and not verdict.near_miss:
                self._with_safety_entity(message, category=intent["name"][len("safety_"):],
                                         level="urgent", source="diet")
                return
            intent = self._demote(message, ranking)
        if verdict.check and intent.get("name") in self.not_understood:
            self._set_intent(message, CHECK_INTENT, ranking)
            # The detector's best guess picks the one helpline the check offers.
            self._with_safety_entity(message, category="check", level="check", source="check",
                                     hint=verdict.hint)
            logger.info("Safety: a calm check for a message not understood")

    def _set_intent(self, message: Message, name: str, ranking: list[dict[str, Any]]) -> None:
        new_intent = {"name": name, "confidence": 1.0}
        # Other intents are halved, so the safety intent always leads the ranking.
        ranking = [new_intent] + [{**r, "confidence": float(r.get("confidence") or 0) / 2}
                                  for r in ranking if r.get("name") != name]
        message.set(INTENT, new_intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _demote(self, message: Message, ranking: list[dict[str, Any]]) -> dict[str, Any]:
        """Give way to the best non-safety intent, or ``nlu_fallback`` when none is sure enough:
        "the bruises" read as a weak safety guess must not become "affirm" at 0.02 (and so miss
        the calm check)."""
        others = [r for r in ranking if not is_safety_intent(r.get("name"))]
        if others and float(others[0].get("confidence") or 0) >= self.fallback_threshold:
            best = dict(others[0])
        else:
            best = {"name": NLU_FALLBACK, "confidence": self.fallback_threshold}
            others = [best, *others]
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, others, add_to_output=True)
        return best

    def _with_safety_entity(self, message: Message, **safety: Any) -> None:
        """The ``safety`` entity first; the others too unless there is danger now."""
        others = [] if safety.get("level") == "emergency" else [
            e for e in message.get(ENTITIES) or [] if e.get("entity") != SAFETY_ENTITY]
        message.set(ENTITIES, [{"entity": SAFETY_ENTITY, "value": safety["category"],
                                "start": 0, "end": 0, "confidence_entity": 1.0,
                                "extractor": self.__class__.__name__, **safety}, *others],
                    add_to_output=True)
