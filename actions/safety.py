"""The safety reply, before anything else, whenever a message discloses danger.

The NLU component (``bot.nlu.safety_component``) has already read the message with the rules and
the learned detector: its ``safety`` entity carries the category, the level and any other
categories found, so nothing is read twice. A button or a DIET guess without that entity gets
the intent's category. The wording is shared with the web tier (``bot.safety.replies``). Any
call-back in progress is dropped, with the details the action server was holding, so nothing
half-finished is kept. When the same message asked for a service somewhere ("the cupboards
are empty till Friday, anything in Darwen?") and there is no danger now, the services follow
the safety answer in the same turn (``Frame.answer_after_safety``): a parent should not have to
ask twice.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.callback import forget_callback
from actions.context import ActionContext, PendingContacts
from actions.frame import Frame, own_words
from bot.safety.categories import ALWAYS_EMERGENCY, CATEGORIES
from bot.safety.replies import LocalLines, check_reply, safety_reply

logger = logging.getLogger(__name__)


def safety_entity(tracker: Tracker) -> dict:
    latest = tracker.latest_message or {}
    return next((e for e in latest.get("entities") or [] if e.get("entity") == "safety"), {})


def category_and_level(tracker: Tracker) -> tuple[str, str]:
    """From the ``safety`` entity (set by the NLU component), else the intent name."""
    latest = tracker.latest_message or {}
    entity = safety_entity(tracker)
    if entity.get("value") in CATEGORIES:
        level = entity.get("level") if entity.get("level") in ("emergency", "urgent") else None
        return entity["value"], level or default_level(entity["value"])
    intent = ((latest.get("intent") or {}).get("name") or "")
    category = intent[len("safety_"):] if intent.startswith("safety_") else ""
    if category not in CATEGORIES:
        category = "child_harm"  # asked to answer safely without knowing why: the widest helplines
    return category, default_level(category)


def default_level(category: str) -> str:
    return "emergency" if category in ALWAYS_EMERGENCY else "urgent"


class _WithLocalLines(Action):
    """The council's own numbers come from the action server's Settings (or, without a
    context, as in a test, from this process's environment)."""

    def __init__(self, context: ActionContext | None = None) -> None:
        self.local = (LocalLines.from_settings(context.settings) if context is not None
                      else LocalLines.from_env())
        # A call-back in progress is dropped when a safety answer takes over.
        self.pending = context.pending if context is not None else PendingContacts()
        self.context = context
        self.directory = context.directory if context is not None else None

    def keep_words(self, tracker: Tracker) -> list[EventType]:
        """What the parent needs is in what they wrote ("can't afford the gas bill"): kept, so
        that "BB1" next finds it, instead of "what are you looking for?"."""
        if self.directory is None:
            return []
        text = str((tracker.latest_message or {}).get("text") or "")
        words = self.directory.searchable_words(own_words({"text": text, "entities": []}))
        return [SlotSet("words", " ".join(words))] if words else []


class ActionSafetyReply(_WithLocalLines):
    def name(self) -> str:
        return "action_safety_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        category, level = category_and_level(tracker)
        also = [c for c in safety_entity(tracker).get("also") or [] if c in CATEGORIES]
        reply = safety_reply(category, level, also=also, local=self.local)
        logger.info("Safety reply: %s/%s", reply.custom["category"], reply.custom["level"])
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons, json_message=reply.custom)
        events = forget_callback(self.pending, tracker)
        if self.context is not None and level != "emergency":
            # "Cupboards empty till Friday, anything in Blackburn?": the services near it follow.
            found = Frame(self.context, dispatcher, tracker).answer_after_safety()
            if found:
                return events + found
        if level != "emergency":
            events += self.keep_words(tracker)
        return events


class ActionSafetyCheck(_WithLocalLines):
    """"Are you and your children safe right now?" for a message not understood near harm."""

    def name(self) -> str:
        return "action_safety_check"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        hint = safety_entity(tracker).get("hint")
        reply = check_reply(hint if hint in CATEGORIES else None, local=self.local)
        logger.info("Safety check asked")
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons, json_message=reply.custom)
        if self.context is None:
            return []
        # The conversation carries on: a service asked for in the same message is shown too,
        # or, with no place yet, the words are kept for when the place comes.
        return (Frame(self.context, dispatcher, tracker).answer_after_safety()
                or self.keep_words(tracker))
