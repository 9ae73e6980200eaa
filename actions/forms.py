"""The search form's questions: ask only for what is missing and matters, and never twice.

``search_form`` needs a need and a place. The child's age is asked only when the services that
would be shown have different age limits (so the answer changes what the parent sees), and only
once in a conversation: a parent who skips it is not asked again. Saying "I'm pregnant" answers
the age question too.

One search per turn: a place is checked by looking the place up, not by searching, and the
age check's search is the one the answer then uses (``RecentSearches``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import parsing, replies
from actions.context import ActionContext
from actions.search import find, say, slot_fields
from directory.search import UnknownPlace


def asked_before(tracker: Tracker, slot: str) -> bool:
    """Has the bot already asked for ``slot`` in this conversation?"""
    return any(e.get("event") == "slot" and e.get("name") == "requested_slot"
               and e.get("value") == slot for e in tracker.events)


def ages_matter(context: ActionContext, fields: dict[str, Any]) -> bool:
    """Are the services found for different ages, so that no one child fits them all?

    Funded childcare for 2 year olds and for 3 and 4 year olds: yes, ask. Baby groups (0-1)
    next to toddler groups (0-4): no, a baby fits both, so the question would only slow the
    parent down.
    """
    try:
        # The form asks for its required slots three times a turn: the same search each time,
        # run once (``find`` keeps recent results).
        results = find(context, {**fields, "age_months": None})
    except UnknownPlace:
        results = []
    shown = results[:replies.PAGE_SIZE * 3]
    youngest_upper = min((r["max_age"] for r in shown if r.get("max_age") is not None),
                         default=None)
    oldest_lower = max((r["min_age"] for r in shown if r.get("min_age") is not None),
                       default=None)
    return (youngest_upper is not None and oldest_lower is not None
            and oldest_lower > youngest_upper)


class ValidateSearchForm(FormValidationAction):
    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "validate_search_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = list(domain_slots)
        if parsing.truthy(tracker.get_slot("pregnant")):
            # Being pregnant answers "how old is your child?"; listed so it counts as an answer.
            return slots + ["pregnant"]
        if tracker.get_slot("age_months") is not None:
            return slots + ["age_months"]
        if any(tracker.get_slot(s) is None for s in slots) or asked_before(tracker, "age_months"):
            return slots
        if ages_matter(self.context, slot_fields(self.context, tracker)):
            return slots + ["age_months"]
        return slots

    def extract_need(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     domain: DomainDict) -> dict[str, Any]:
        """ "Anything for dads?" names no need, but father-friendly sessions are what is meant."""
        if not tracker.get_slot("need") and parsing.is_father(tracker.get_slot("audience")):
            return {"need": [parsing.FATHER_TERM]}
        return {}

    def extract_age_months(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> dict[str, Any]:
        return {}  # filled from the child_age entity by the domain's slot mapping

    def extract_pregnant(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> dict[str, Any]:
        return {}  # filled from the pregnant entity by the domain's slot mapping

    def validate_need(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> dict[str, Any]:
        terms = parsing.need_terms(value, self.context.directory.taxonomy.ids)
        return {"need": terms or None}

    def validate_place(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
        place = parsing.clean_place(value)
        if not place:
            return {"place": None}
        try:
            self.context.directory.resolve_place(place)
        except UnknownPlace as err:
            say(dispatcher, replies.unknown_place(place, list(err.suggestions or [])))
            return {"place": None}
        return {"place": place}

    def validate_age_months(self, value: Any, dispatcher: CollectingDispatcher,
                            tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {"age_months": parsing.age_in_months(value)}

    def validate_pregnant(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> dict[str, Any]:
        return {"pregnant": True if parsing.truthy(value) else None}
