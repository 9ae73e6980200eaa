"""The safety reply, before anything else, whenever a message discloses danger.

The rules (``bot.safety.rules``) read the parent's words again here, so the category and level
are exact even when the intent came from DIET or a button. The wording is shared with the web
tier (``bot.safety.replies``). Any call-back in progress is dropped, with the details the action
server was holding, so nothing half-finished is kept.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.callback import forget_callback
from bot.safety.replies import reply_for, safety_reply
from bot.safety.rules import CATEGORIES, detect

logger = logging.getLogger(__name__)


def category_and_level(tracker: Tracker) -> tuple[str, str]:
    """From the ``safety`` entity (set by the NLU component), else the intent name."""
    latest = tracker.latest_message or {}
    for entity in latest.get("entities") or []:
        if entity.get("entity") == "safety" and entity.get("value") in CATEGORIES:
            level = entity.get("level") if entity.get("level") in ("emergency", "urgent") else None
            return entity["value"], level or default_level(entity["value"])
    intent = ((latest.get("intent") or {}).get("name") or "")
    category = intent[len("safety_"):] if intent.startswith("safety_") else ""
    if category not in CATEGORIES:
        category = "child_harm"  # asked to answer safely without knowing why: the widest helplines
    return category, default_level(category)


def default_level(category: str) -> str:
    return "emergency" if category == "medical" else "urgent"


class ActionSafetyReply(Action):
    def name(self) -> str:
        return "action_safety_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        detection = detect((tracker.latest_message or {}).get("text") or "")
        if detection is not None:
            reply = reply_for(detection)
        else:
            category, level = category_and_level(tracker)
            reply = safety_reply(category, level)
        logger.info("Safety reply: %s/%s", reply.custom["category"], reply.custom["level"])
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons, json_message=reply.custom)
        return forget_callback(tracker)
