"""Talking to a person: the nearest centre's number when we know the area, else the main line.

The safety work adds the call-back form on top of this; the first answer must always work, so a
directory problem falls back to the family hubs' main line instead of failing.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing, replies
from actions.callback import with_callback_offer
from actions.search import find, say

logger = logging.getLogger(__name__)


def nearest_contact(place: str | None, terms: list[str] | None = None) -> dict[str, Any] | None:
    """The nearest service with a phone number (for the parent's need if we know it)."""
    if not place:
        return None
    for wanted in ([terms] if terms else []) + [[]]:
        try:
            results = find({"terms": wanted, "near": place, "closer": True})
        except Exception:  # noqa: BLE001 - an unknown place or a directory fault: use the main line
            logger.info("No nearest centre for the hand-off; using the main line", exc_info=True)
            return None
        for result in results:
            if result.get("phone"):
                return result
    return None


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        last = tracker.get_slot("last_query")
        place = parsing.clean_place(tracker.get_slot("place")) or (
            last.get("near") if isinstance(last, dict) else None)
        terms = last.get("terms") if isinstance(last, dict) else None
        contact = nearest_contact(place, terms)
        say(dispatcher, with_callback_offer(replies.handoff(centre=contact and contact.get("centre"),
                                                            phone=contact and contact.get("phone")),
                                            email=contact and contact.get("email")))
        return []
