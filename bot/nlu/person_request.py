"""A parent who asks for a person gets one, whatever else the message says.

"I've been on this for ages, can I just talk to a real person" reads to DIET as a search or as
nothing at all, and the parent gets services or "didn't get that" instead of a phone number.
This component runs after the classifiers and before the safety check (which still wins: a
disclosure gets its safety answer, with a person in it): when the message asks for a person in
so many words, the intent becomes ``request_human``.

The patterns are about people, never about needs: "speak to a health visitor" is a search for
health visiting, "speak to someone" is a request for a person.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

REQUEST_HUMAN = "request_human"
_PERSON = (r"(?:a\s+|an\s+|some\s+|the\s+)?(?:real\s+|actual\s+|live\s+|proper\s+)?"
           r"(?:person|human(?:\s+being)?|someone|somebody|member\s+of\s+staff|staff|"
           r"adviser|advisor|worker|operator|people)")
ASKS_FOR_A_PERSON = re.compile(
    r"\b(?:talk|speak|chat|speaking|talking)\s+(?:to|with)\s+" + _PERSON + r"\b"
    r"|\b(?:want|need|get(?:\s+me)?|give\s+me|put\s+me\s+through\s+to|is\s+there)\s+" + _PERSON +
    r"\s*(?:please|pls|now|instead|\?|!|\.|,|$|to\s+talk|i\s+can\s+(?:talk|speak))"
    r"|\b(?:real|actual|live)\s+(?:person|human)\b"
    r"|\bnot\s+a\s+(?:bot|robot|chatbot|computer|machine)\b"
    r"|\b(?:phone\s+)?number\s+(?:i|we)\s+can\s+(?:call|ring|phone)\b",
    re.IGNORECASE)


#: "Are you a real person?", "r u human", "is this a bot", "am I talking to a real person" ask
#: what the bot is (``bot_challenge``, whose answer offers a person).
_ASKS_WHAT_THE_BOT_IS = re.compile(
    r"(?:\b(?:are|r)\s+(?:you|u|ya)|\bis\s+(?:this|it|that)|\bam\s+i\s+(?:talking|speaking|chatting)"
    r"\s+(?:to|with))\s+(?:a\s+|an\s+)?(?:real\s+|actual\s+|live\s+)?"
    r"(?:person|human(?:\s+being)?|bot|robot|chatbot|computer|machine)\b", re.IGNORECASE)


def asks_for_a_person(text: str) -> bool:
    text = " ".join(text.replace("\u2019", "'").split())
    return bool(ASKS_FOR_A_PERSON.search(text)) and not _ASKS_WHAT_THE_BOT_IS.search(text)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequest(GraphComponent):
    """Sets ``request_human`` when the message asks for a person in so many words."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PersonRequest":
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/") or not asks_for_a_person(text):
                continue
            if (message.get(INTENT) or {}).get("name") == REQUEST_HUMAN:
                continue
            ranking = [{"name": REQUEST_HUMAN, "confidence": 1.0}] + [
                {**r, "confidence": float(r.get("confidence") or 0) / 2}
                for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != REQUEST_HUMAN]
            message.set(INTENT, {"name": REQUEST_HUMAN, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
