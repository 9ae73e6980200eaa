"""Changing and paging the last search: "what about Saturday", "free ones only", "closer", "more".

The last search is kept whole in ``last_query`` (JSON), so a refinement changes one thing and
keeps the rest, the parent's own words and circumstances too. Before there is a search to
change, a refinement is just another turn of the frame (``actions.frame``).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing, replies
from actions.context import ActionContext
from actions.frame import Frame
from actions.replies import PAGE_SIZE, Reply
from actions.search import MAX_RESULTS, max_distance, answer, find, say, slot_fields
from directory.search import UnknownPlace


def latest_entity_types(tracker: Tracker) -> set[str]:
    return {e.get("entity") for e in (tracker.latest_message or {}).get("entities", [])}


class ActionRefineSearch(Action):
    """Change the last search: another day, free only, closer, another age, place or need."""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_refine_search"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        last = tracker.get_slot("last_query")
        text = (tracker.latest_message or {}).get("text") or ""
        entities = latest_entity_types(tracker)
        refine = [e.get("value") for e in (tracker.latest_message or {}).get("entities", [])
                  if e.get("entity") == "refine"]
        if "day" in refine and "day" not in entities:
            say(dispatcher, replies.ask_day())
            return []

        fields = slot_fields(self.context, tracker)
        events: list[EventType] = []
        if parsing.asks_any_day(text) and "day" not in entities:
            fields.update(days=[], time_of_day=None)
            events += [SlotSet("days", None), SlotSet("time_of_day", None)]
        if "child_age" in entities:
            fields["pregnant"] = False
            events.append(SlotSet("pregnant", None))
        elif parsing.mentions_baby(text) and "pregnant" not in entities:
            fields.update(age_months=0, pregnant=False)
            events += [SlotSet("age_months", 0), SlotSet("pregnant", None)]

        if not isinstance(last, dict) or not fields["near"]:
            # No search to refine yet, or no place: the frame takes it from here, with what
            # this turn said ("free ones on Saturday" before any search is a search).
            return events + Frame(self.context, dispatcher, tracker).respond()

        if parsing.asks_for_closer(text):
            return events + self._closer(dispatcher, last, fields)

        for kept in ("text", "weights", "prefer_days", "prefer_time", "closer"):
            if kept in last and kept not in fields:
                fields[kept] = last[kept]
        comparable = {k: last.get(k) for k in fields}
        if fields == comparable and not entities:
            say(dispatcher, Reply(
                text="What would you like to change? You can tell me a day, a place, "
                     "or say 'free ones only'.",
                buttons=[replies.DIFFERENT_DAY, replies.TALK]))
            return events
        return events + answer(self.context, dispatcher, fields)

    def _closer(self, dispatcher: CollectingDispatcher, last: dict[str, Any],
                fields: dict[str, Any]) -> list[EventType]:
        fields = {**fields, "closer": True}
        if last.get("shown_max_km"):
            fields["radius_km"] = float(last["shown_max_km"])
        try:
            results = find(self.context, fields)
        except UnknownPlace as err:
            say(dispatcher, replies.unknown_place(err.place, list(err.suggestions or [])))
            return [SlotSet("place", None)]
        page = results[:PAGE_SIZE]
        if not page or {r["id"] for r in page} <= set(last.get("shown") or []):
            # Nothing nearer than what the parent has already seen.
            say(dispatcher, replies.nothing_closer())
            return []
        say(dispatcher, replies.results(self.context.directory.taxonomy, fields, page,
                                        total=len(results)))
        return [SlotSet("last_query", {**fields, "shown": [r["id"] for r in page],
                                       "shown_max_km": max_distance(page)}),
                SlotSet("results_offset", len(page))]


class ActionMoreResults(Action):
    """The next page of the last search."""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_more_results"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        last = tracker.get_slot("last_query")
        taxonomy = self.context.directory.taxonomy
        if not isinstance(last, dict):
            # "More" before any search, or a message NLU took for "more": the frame reads it.
            return Frame(self.context, dispatcher, tracker).respond()
        offset = int(tracker.get_slot("results_offset") or 0)
        try:
            results = find(self.context, last, limit=max(MAX_RESULTS, offset + 2 * PAGE_SIZE))
        except UnknownPlace:
            results = []
        page = results[offset:offset + PAGE_SIZE]
        if not page:
            say(dispatcher, replies.no_more_results(taxonomy, last))
            return []
        say(dispatcher, replies.results(taxonomy, last, page, total=len(results), offset=offset))
        return [SlotSet("last_query", {**last, "shown": [r["id"] for r in page],
                                       "shown_max_km": max_distance(page)}),
                SlotSet("results_offset", offset + len(page))]
