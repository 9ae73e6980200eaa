"""Talking to a person: the nearest centre's number when we know the area, else the main line.

The safety work adds the call-back form on top of this; the first answer must always work, so a
directory problem falls back to the family hubs' main line instead of failing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing, replies
from actions.callback import with_callback_offer
from actions.context import ActionContext
from actions.search import nearest_contact, say
from common.logsafe import log_fault
from directory.opening_hours import CentreHours, centre_hours_at

logger = logging.getLogger(__name__)


class ActionHandoff(Action):
    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        last = tracker.get_slot("last_query")
        place = parsing.clean_place(tracker.get_slot("place")) or (
            last.get("near") if isinstance(last, dict) else None)
        terms = last.get("terms") if isinstance(last, dict) else None
        contact = nearest_contact(self.context, place, terms)
        settings = self.context.settings
        now = self.context.clock()
        say(dispatcher, with_callback_offer(replies.handoff(centre=contact and contact.get("centre"),
                                                            phone=contact and contact.get("phone"),
                                                            main_line=settings.family_hubs_phone,
                                                            hours=settings.family_hubs_hours,
                                                            centre_hours=self._hours(contact, now),
                                                            now=now),
                                            email=contact and contact.get("email")))
        return []

    def _hours(self, contact: dict | None, now: datetime) -> CentreHours | None:
        """The centre's opening hours now; a directory problem only loses the hours."""
        if not contact or not contact.get("location_id"):
            return None
        try:
            return centre_hours_at(self.context.directory.db, contact["location_id"], now,
                                   self.context.directory.nation)
        except Exception as error:  # noqa: BLE001 - the first answer must always work
            log_fault(logger, "Could not read the centre's opening hours", error)
            return None
