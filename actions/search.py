"""Find and refine: the actions that answer a parent from the directory.

Thin on purpose: slots become a ``SearchQuery`` (``actions.parsing``), ``directory.search`` does
the finding (through the ``Directory`` in the ``ActionContext``), ``actions.replies`` does the
talking. What is kept between turns is the last query (``last_query``, JSON) and how far the
parent has paged (``results_offset``), so "what about Saturday", "free ones only", "anything
closer" and "more" all apply to the last search.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Callable, Sequence

from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing, replies
from actions.context import ActionContext
from actions.replies import PAGE_SIZE, Reply
from common.logsafe import log_fault
from directory.demand import record_search
from directory.search import SearchQuery, UnknownPlace

logger = logging.getLogger(__name__)

#: How many matches one search fetches: four pages, enough to sort and compare age limits.
#: Each extra match costs the directory about 1 ms (it works out the next sessions).
MAX_RESULTS = 12
#: When nothing is close, look this far instead.
WIDER_RADIUS_KM = 40.0
_QUERY_FIELDS = {f.name for f in dataclasses.fields(SearchQuery)}


def say(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """Send a ``Reply``; the REST channel delivers text+buttons and the payload together."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None,
                             json_message=reply.custom)


def to_query(fields: dict[str, Any], *, limit: int = MAX_RESULTS) -> SearchQuery:
    """A ``SearchQuery`` from kept fields (extra keys such as ``closer`` are ours, not its)."""
    kwargs = {k: v for k, v in fields.items() if k in _QUERY_FIELDS}
    kwargs.update(limit=limit, offset=0)
    return SearchQuery(**kwargs)


def starts_from(fields: dict[str, Any], now: datetime) -> datetime | None:
    """When the search starts: the date the parent named (``fields["after"]``, kept in
    ``last_query``), or None for now. A named date that has passed is dropped."""
    try:
        after = datetime.fromisoformat(str(fields.get("after") or ""))
    except ValueError:
        return None
    return after if after.tzinfo is not None and after > now else None


def find(context: ActionContext, fields: dict[str, Any], *,
         limit: int = MAX_RESULTS) -> list[dict[str, Any]]:
    """All matches for ``fields`` in the order a parent should see them.

    Dads' sessions come first when the parent is a dad; "anything closer" sorts by distance.
    The same search again within a turn (the form's age check, then the answer) is not re-run
    (``RecentSearches``).
    """
    query = to_query(fields, limit=limit)
    after = starts_from(fields, context.clock())
    results = _search(context, query, after)
    results = cover_each_need(results, fields, lambda term: _search(
        context, dataclasses.replace(query, terms=[term], weights={}, limit=PAGE_SIZE), after))
    if fields.get("prefer_days") or fields.get("prefer_time"):
        results = prefer_times(results, fields.get("prefer_days") or [], fields.get("prefer_time"))
    if fields.get("father"):
        results.sort(key=lambda r: parsing.FATHER_TERM not in (r.get("taxonomy_terms") or []))
    if fields.get("closer"):
        results.sort(key=lambda r: (r.get("distance_km") is None, r.get("distance_km") or 0))
    return results


def _search(context: ActionContext, query: SearchQuery,
            after: datetime | None) -> list[dict[str, Any]]:
    """``query`` from ``after`` (None: now), not run again within the turn (``RecentSearches``)."""
    return list(context.searches.get_or_run(
        context.directory, (repr(query), after),
        lambda: context.directory.search(query, now=after)))


def cover_each_need(results: list[dict[str, Any]], fields: dict[str, Any],
                    search_one: Callable[[str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The first page shows every need the parent is sure of, in the order they said them.

    "Free antenatal classes? We can't afford private ones" names two needs; ranked together, the
    three nearest money services can fill the page and hide the antenatal classes. So each sure
    need's best service comes first (from these results, or from a search for that need alone),
    then the rest in their order. A weak need (``parsing.sure_needs``) is not lifted.
    """
    sure = parsing.sure_needs(fields)
    if len(sure) < 2:
        return results
    picked: list[dict[str, Any]] = []
    for term in sure[:PAGE_SIZE]:
        if any(term in (r.get("needs_met") or []) for r in picked):
            continue
        best = next((r for r in results if term in (r.get("needs_met") or []) and r not in picked),
                    None)
        if best is None:
            best = next((r for r in search_one(term)
                         if r["id"] not in {p["id"] for p in picked}), None)
        if best is not None:
            picked.append(best)
    chosen = {r["id"] for r in picked}
    return picked + [r for r in results if r["id"] not in chosen]


def prefer_times(results: list[dict[str, Any]], days: Sequence[str],
                 time_of_day: str | None) -> list[dict[str, Any]]:
    """Services with a session on the wanted days or at the wanted time first, the order
    otherwise kept: "I work all week" still shows the nearest weekday service, after these."""
    wanted_days = {parsing.DAY_INDEX[d] for d in days if d in parsing.DAY_INDEX}

    def fits(result: dict[str, Any]) -> bool:
        for iso in result.get("next_sessions") or []:
            try:
                start = datetime.fromisoformat(iso)
            except ValueError:
                continue
            if start.weekday() in wanted_days or (time_of_day == "evening" and start.hour >= 17):
                return True
        return False
    return sorted(results, key=lambda r: not fits(r))


def nearest_contact(context: ActionContext, place: str | None,
                    terms: list[str] | None = None) -> dict[str, Any] | None:
    """The nearest service with a phone number (for the parent's need if we know it): who a
    parent can talk to, and which centre a call-back goes to."""
    if not place:
        return None
    for wanted in ([terms] if terms else []) + [[]]:
        try:
            results = find(context, {"terms": wanted, "near": place, "closer": True})
        except Exception as error:  # noqa: BLE001 - an unknown place or a directory fault: use the main line
            # Never exc_info: UnknownPlace carries the place the parent typed.
            log_fault(logger, "No nearest centre for the hand-off; using the main line", error,
                      logging.INFO)
            return None
        for result in results:
            if result.get("phone"):
                return result
    return None


def record(context: ActionContext, query: SearchQuery, result_count: int) -> None:
    """Count this search for staff (anonymised, ``directory.demand``).

    A failure here must never cost a parent their answer, so it is logged and swallowed.
    """
    try:
        record_search(context.directory.db, query, result_count, "bot")
    except Exception as error:  # noqa: BLE001 - counting is best effort
        log_fault(logger, "Could not record the search for the demand report", error)


def meet_a_need(results: Sequence[dict[str, Any]], fields: dict[str, Any]) -> bool:
    """Does any result meet a need asked for, by its own terms or by what its text says
    (``needs_met``: a council feed's services carry the council's categories, not ours)? A
    service found only by a word ("dads" in the Family Nurse Partnership's description) is not
    an answer to "dads' groups on Sunday"."""
    terms = set(fields.get("terms") or [])
    return any(not terms or terms & set(r.get("needs_met") or r.get("taxonomy_terms") or [])
               for r in results)


def find_widening(context: ActionContext, fields: dict[str, Any]
                  ) -> tuple[list[dict[str, Any]], dict[str, Any], str | None]:
    """Search, and when nothing matches, widen one step at a time: other days and times, further
    away, not only free, then related needs from the taxonomy.

    Returns the results, the fields that found them and a sentence saying what was widened.
    """
    results = find(context, fields)
    if meet_a_need(results, fields):
        return results, fields, None
    # Only services that merely mention the parent's words: widen first, and show these only
    # if widening finds no service for the need either.
    only_words = results
    taxonomy = context.directory.taxonomy
    steps: list[tuple[dict[str, Any], str]] = []
    if fields.get("days") or fields.get("time_of_day"):
        steps.append(({"days": [], "time_of_day": None}, replies.widened_days(fields)))
    if fields.get("near"):
        steps.append(({"radius_km": WIDER_RADIUS_KM, "closer": False}, replies.widened_distance()))
    if fields.get("free"):
        steps.append(({"free": False}, replies.widened_cost()))
    related: list[str] = []
    for term_id in fields.get("terms") or []:
        try:
            related += [r for r in taxonomy.term(term_id).related if r not in related]
        except KeyError:
            continue
    if related:
        steps.append(({"terms": related}, replies.widened_related(taxonomy, fields)))
    widened = dict(fields)
    notes: list[str] = []
    for change, note in steps:
        widened.update(change)
        notes = [note] if change.get("terms") else notes + [note]
        results = find(context, widened)
        if meet_a_need(results, widened):
            return results, widened, " ".join(notes)
    return only_words, fields, None


def answer(context: ActionContext, dispatcher: CollectingDispatcher, fields: dict[str, Any], *,
           before: str | None = None, after: str | None = None) -> list[EventType]:
    """Search for ``fields`` and send the first page (or the kind "nothing found").

    ``before`` and ``after`` are sentences around the results ("Some services can come to
    you.", "You can tell me more, like a day.")."""
    taxonomy = context.directory.taxonomy
    try:
        results, used, note = find_widening(context, fields)
    except UnknownPlace as err:
        say(dispatcher, replies.unknown_place(err.place or fields.get("near") or "that place",
                                               list(err.suggestions or [])))
        return [SlotSet("place", None)]
    except Exception as error:  # noqa: BLE001 - a parent must always get an answer and a person
        log_fault(logger, "The directory search failed", error, logging.ERROR)
        say(dispatcher, replies.search_failed())
        return []
    record(context, to_query(fields), 0 if note else len(results))
    if not results:
        say(dispatcher, replies.no_results(taxonomy, fields))
        return [SlotSet("last_query", {**fields, "shown": []}), SlotSet("results_offset", 0)]
    page = results[:PAGE_SIZE]
    widened = " ".join(filter(None, [before, note])) or None
    say(dispatcher, replies.results(taxonomy, used, page, total=len(results), widened=widened,
                                    then=after))
    return [SlotSet("last_query", {**used, "shown": [r["id"] for r in page],
                                   "shown_max_km": max_distance(page)}),
            SlotSet("results_offset", len(page))]


def max_distance(page: Sequence[dict[str, Any]]) -> float | None:
    distances = [r["distance_km"] for r in page if r.get("distance_km") is not None]
    return max(distances) if distances else None


def slot_fields(context: ActionContext, tracker: Tracker) -> dict[str, Any]:
    """What the parent has told us so far, as search fields."""
    fields = parsing.query_fields(tracker.current_slot_values(), context.directory.taxonomy.ids)
    fields["father"] = parsing.is_father(tracker.get_slot("audience"))
    return fields
