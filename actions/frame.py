"""The search frame: one picture of what the parent wants, which every turn adds to.

A parent says things in any order and over several turns: "is there anything on Sunday", then
"we're in Darwen", then "she's 2". The slots hold the frame (need, place, age or pregnancy, days,
time, free, access, audience, language) and Rasa fills them from the entities of any turn.
This module adds what slots cannot: the parent's **own words** (``words``: the message minus the
place, day, age and cost it gave, kept for ranking), their **circumstances** (``circumstances``:
"we don't drive", "I work all week", from ``directory/taxonomy.yml``) and **what the bot asked
last** (``asked``), and then decides one thing per turn:

1. No place yet: ask where, saying what we will look for ("Where should I look for baby
   groups?"). A bare answer to that question is taken as the place.
2. A place but nothing at all to go on: ask "What are you looking for?" once. If the next turn
   still names nothing, show what is on nearby (everyday services first) and say how to narrow.
3. Otherwise search: needs (weighted by how sure NLU was), the parent's words, circumstances,
   then distance and the next session. Results first; the age question, if ages matter, after.

A turn that gave nothing this can use gets "didn't get that" once; twice in a row, a person.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any, Iterable, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing, replies
from actions.callback import with_callback_offer
from actions.context import ActionContext
from actions.languages import interpreter_sentence, message_language
from actions.parsing import SURE_NEED
from actions.search import answer, find, nearest_contact, say, slot_fields, starts_from
from common.dates import When, when_in
from common.logsafe import log_fault
from directory.search import UnknownPlace
from directory.taxonomy import Circumstance

logger = logging.getLogger(__name__)

#: Words that ask for something to go to without saying what ("any groups for my grandson?"):
#: too general to rank by (they would put a far "Saturday Group" before a near "Breakfast
#: Club"), but the parent has asked, so the bot shows what is on rather than asking again.
_ASKS_GENERALLY = frozenset("""
group groups class classes club clubs activity activities session sessions playgroup
playgroups something anything somewhere things stuff
""".split())

#: What the bot asked last turn (the ``asked`` slot): so a bare "BB1" or "2" answers it, and a
#: question is never asked twice in a row.
ASKED_PLACE, ASKED_NEED, ASKED_AGE, NOT_UNDERSTOOD = "place", "need", "age", "not_understood"

#: Entity types that are not the parent's own words about what they want: they filter or place
#: the search, so they are cut out before the words are used to rank.
_NOT_WORDS = frozenset({"place", "child_age", "pregnant", "day", "time_of_day", "cost", "access",
                        "audience", "language", "refine", "safety"})
#: Words that say a parent wants something without saying what ("anything for us?"). The
#: directory's own stop words are dropped too (``directory.words.searchable_words``).
_FILLER = frozenset("""
a about activities activity after again also am an and any anybody anyone anything anywhere are around as ask at
available be been being best but by can cant class classes club clubs could day days did do does doing dont else even
find for free from get go going good got group groups had has have having hello help helpful hey hi how i
id if ill im in info information is isnt it its ive just kind kids know like little live lives
living local look
looking lot lots make maybe me mine more much my near nearby need needs new nice no not now of
off ok okay on one only or other our out over place places please recommend round see service
services session sessions should show so some someone something somewhere sort stuff suggest
sure tell than thank thanks that the them then there theres these they thing things think
this those to today tomorrow try up us use very want wanted wanting was way we week were what
whats when where which who will with would yeah yes you your
""".split())
#: Answers to "Where should I look?" that are not places.
_NOT_A_PLACE = frozenset("""
i im dont know no not sure why what whats yes ok okay idk dunno anywhere nowhere help me you
where here there it is are the a
""".split())
_WORD = re.compile(r"[^\W\d_]{2,}(?:'[^\W\d_]+)?")
_BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*(?:years?|yrs?|y/?o)?\s*(?:old)?\s*[.!]?\s*$",
                          re.IGNORECASE)
#: How many of the parent's words are kept: enough for a sentence, not an essay.
MAX_WORDS = 12


def own_words(message: Mapping[str, Any]) -> str:
    """The parent's words that say what they want: the text without the place, day, age, cost
    and access it gave, and without filler ("anything", "near", "please")."""
    text = str(message.get("text") or "")
    if text.startswith("/"):
        return ""  # a button's payload, not words
    spans = sorted((int(e.get("start") or 0), int(e.get("end") or 0))
                   for e in message.get("entities") or []
                   if e.get("entity") in _NOT_WORDS and (e.get("end") or 0) > (e.get("start") or 0))
    kept, at = [], 0
    for start, end in spans:
        if start >= at:
            kept.append(text[at:start])
        at = max(at, end)
    kept.append(text[at:])
    words = [w.casefold().replace("'", "") for w in _WORD.findall(" ".join(kept))]
    words = [w for w in words if w not in _FILLER]
    return " ".join(dict.fromkeys(words[:MAX_WORDS]))


def need_weights(message: Mapping[str, Any], terms: Iterable[str]) -> dict[str, float]:
    """How sure NLU was of each need this turn (1.0 for a need from an earlier turn or a
    button), so a weak second need never outranks a strong one."""
    weights = {t: 1.0 for t in terms}
    found: dict[str, float] = {}
    for e in message.get("entities") or []:
        if e.get("entity") == "need" and e.get("value") in weights:
            confidence = e.get("confidence_entity")
            value = 1.0 if confidence is None else float(confidence)
            found[e["value"]] = max(found.get(e["value"], 0.0), value)
    for term, confidence in found.items():
        weights[term] = 1.0 if confidence >= SURE_NEED else max(0.2, confidence)
    return weights


def in_said_order(terms: Iterable[str], message: Mapping[str, Any]) -> list[str]:
    """The needs in the order this message said them (earlier turns' needs after): the reply
    names them, and the first page shows them, in the parent's own order."""
    said: dict[str, int] = {}
    for e in message.get("entities") or []:
        if e.get("entity") == "need" and e.get("end"):
            said[e["value"]] = min(said.get(e["value"], 10**6), int(e.get("start") or 0))
    terms = list(terms)
    return sorted(terms, key=lambda t: (said.get(t, 10**6), terms.index(t)))


def _looks_like_a_place(text: str) -> bool:
    """A few words, none of them filler: "Belthorn" or "Lower Darwen", not "I don't know"."""
    words = [w.casefold().replace("'", "") for w in _WORD.findall(text)]
    return 0 < len(words) <= 3 and not any(w in _NOT_A_PLACE for w in words)


def _has(message: Mapping[str, Any], *kinds: str) -> bool:
    return any(e.get("entity") in kinds for e in message.get("entities") or [])


def _circumstances(context: ActionContext, kept: Iterable[str],
                   text: str) -> list[Circumstance]:
    taxonomy = context.directory.taxonomy
    ids = list(dict.fromkeys([*kept, *(c.id for c in taxonomy.circumstances_in(text))]))
    return [taxonomy.circumstance(i) for i in ids if taxonomy.has_circumstance(i)]


def apply_circumstances(fields: dict[str, Any], circumstances: Iterable[Circumstance]) -> str:
    """Add circumstances to the search: their words rank services that say so, "can't travel"
    puts the nearest first. Returns the sentence that says so to the parent."""
    said = []
    for c in circumstances:
        if c.words:
            fields["text"] = " ".join(filter(None, [fields.get("text"), *c.words]))
        if c.closer:
            fields["closer"] = True
        if c.prefer_days or c.prefer_time:
            fields["prefer_days"] = list(c.prefer_days)
            fields["prefer_time"] = c.prefer_time
        if c.says:
            said.append(c.says)
    return " ".join(said)


def ages_matter(context: ActionContext, fields: dict[str, Any]) -> bool:
    """Are the services found for different ages, so that no one child fits them all?

    Funded childcare for 2 year olds and for 3 and 4 year olds: yes, ask. Baby groups (0-1)
    next to toddler groups (0-4): no, a baby fits both, so the question would only slow the
    parent down.
    """
    try:
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


def _asked_age_before(tracker: Tracker) -> bool:
    return any(e.get("event") == "slot" and e.get("name") == "asked" and e.get("value") == ASKED_AGE
               for e in tracker.events)


class Frame:
    """One turn of the frame: read what the parent said, decide, answer."""

    def __init__(self, context: ActionContext, dispatcher: CollectingDispatcher,
                 tracker: Tracker) -> None:
        self.context = context
        self.dispatcher = dispatcher
        self.tracker = tracker
        self.message: Mapping[str, Any] = tracker.latest_message or {}
        self.text = str(self.message.get("text") or "")
        self.intent = str((self.message.get("intent") or {}).get("name") or "")
        self.asked = tracker.get_slot("asked")
        self.language = message_language(self.message)
        self.events: list[EventType] = []

    def set(self, slot: str, value: Any) -> None:
        self.events.append(SlotSet(slot, value))

    def respond(self) -> list[EventType]:
        events = self._respond()
        # A parent writing in another language gets the answer in English and one sentence in
        # their own language: how to get an interpreter through the family hubs' main line.
        sentence = interpreter_sentence(self.language, self.context.settings.family_hubs_phone)
        if sentence:
            self.dispatcher.utter_message(text=sentence)
        return events

    def _fields(self) -> dict[str, Any]:
        fields = slot_fields(self.context, self.tracker)
        fields["prefer_language"] = self.tracker.get_slot("language") or None
        return fields

    def _read_circumstances(self) -> list[Circumstance]:
        """The circumstances kept and any this message adds; the slot keeps them all."""
        circumstances = _circumstances(self.context, self.tracker.get_slot("circumstances") or [],
                                       self.text)
        if circumstances:
            self.set("circumstances", [c.id for c in circumstances])
        return circumstances

    def _respond(self) -> list[EventType]:
        fields = self._fields()
        self._read_when(fields)
        if not self._take_bare_answer(fields):
            return self.events
        words = self._words()
        circumstances = self._read_circumstances()
        if self.asked == ASKED_NEED and fields["near"]:
            # "What are you looking for?" was asked; it is not asked again in a row.
            return self._search(fields, words, circumstances)
        has_terms = bool(fields["terms"])
        gave_something = (has_terms or bool(words) or bool(circumstances) or self._gave_details()
                          or self._asks_generally())
        if not gave_something and self.intent in ("nlu_fallback", "out_of_scope"):
            return self._not_understood()
        if not (gave_something or fields["near"]) and self.intent == "affirm":
            self.dispatcher.utter_message(response="utter_ask_what_help")
            return self.events
        if not fields["near"]:
            return self._ask_place(fields)
        if not (has_terms or words or circumstances or self._narrows(fields)
                or self._asks_generally()) and self.asked != ASKED_NEED:
            self.dispatcher.utter_message(response="utter_ask_need")
            self.set("asked", ASKED_NEED)
            return self.events
        return self._search(fields, words, circumstances)

    def answer_after_safety(self) -> list[EventType]:
        """The search a parent asked for in the same message as a safety answer.

        "The cupboards are empty till Friday, anything in Blackburn?" gets the same-day help
        first and then the services near Blackburn, so the parent never has to ask twice. Only
        when this message named a place, a need or a circumstance and the frame can search; an
        emergency never gets here (999 stands alone). Nothing is asked afterwards.
        """
        fields = self._fields()
        said_here = (_has(self.message, "place", "need")
                     or bool(self.context.directory.taxonomy.circumstances_in(self.text)))
        if not (said_here and fields["near"]):
            return []
        self._read_when(fields)
        words = self._words()
        circumstances = self._read_circumstances()
        if not (fields["terms"] or words or circumstances):
            return []  # the events so far are dropped with the answer
        return self._search(fields, words, circumstances, ask_age=False)

    # --- reading the turn -----------------------------------------------------------------

    def _take_bare_answer(self, fields: dict[str, Any]) -> bool:
        """A bare "Little Harwood" after "Where should I look?", or "2" after "How old?".

        Returns False when the answer was a place we could not find (the reply is sent).
        """
        if self.asked == ASKED_PLACE and not self._gave_any_entity() \
                and self.intent in ("nlu_fallback", "give_location", "out_of_scope", "find_service"):
            place = parsing.clean_place(self.text)
            if place and len(place.split()) <= 4:
                try:
                    self.context.directory.resolve_place(place)
                except UnknownPlace as err:
                    suggestions = list(err.suggestions or [])
                    if not suggestions and not _looks_like_a_place(place):
                        return True  # "I don't know", "why?": not an attempt at a place
                    say(self.dispatcher, replies.unknown_place(place, suggestions))
                    self.set("asked", ASKED_PLACE)
                    return False
                except Exception as error:  # noqa: BLE001 - no postcode index: not a place we can use
                    log_fault(logger, "Could not check a bare place answer", error, logging.INFO)
                    return True
                fields["near"] = place
                self.set("place", place)
                self._bare_place = True
        if self.asked == ASKED_AGE and not _has(self.message, "child_age", "pregnant"):
            match = _BARE_NUMBER.match(self.text)
            if match and int(match.group(1)) <= 18:
                fields["age_months"] = int(match.group(1)) * 12
                self.set("age_months", fields["age_months"])
        return True

    def _read_when(self, fields: dict[str, Any]) -> None:
        """A date the parent named ("Christmas week", "next week", "on the 28th"): the search
        starts from it (``fields["after"]``) and the reply names it (``fields["when"]``).

        Said this turn, or in a turn since the last search ("what's on in Christmas week?",
        "Where should I look?", "BB3"), or kept from the last search ("free ones only").
        """
        now = self.context.clock()
        when = None if self.text.startswith("/") else when_in(self.text, now)
        if when is not None:
            self._date_span = when.span
        else:
            when = self._earlier_when(now)
        if when is not None:
            fields["after"], fields["when"] = when.start.isoformat(), when.words
            if when.days and not fields["days"]:
                fields["days"] = list(when.days)
            return
        last = self.tracker.get_slot("last_query")
        if isinstance(last, dict) and starts_from(last, now) is not None:
            fields["after"], fields["when"] = last["after"], last.get("when")

    def _earlier_when(self, now: datetime) -> When | None:
        """A date phrase in the parent's earlier turns since the last search was answered."""
        this_turn = True
        for event in reversed(self.tracker.events):
            if event.get("event") == "slot" and event.get("name") == "last_query":
                return None
            if event.get("event") != "user":
                continue
            text = str(event.get("text") or "")
            if this_turn and text == self.text:
                this_turn = False
                continue  # this turn's own message, already read
            this_turn = False
            when = None if text.startswith("/") else when_in(text, now)
            if when is not None:
                return when
        return None

    def _gave_any_entity(self) -> bool:
        return bool(self.message.get("entities"))

    def _gave_details(self) -> bool:
        """A place, age, day or time this turn: never "didn't get that"."""
        return _has(self.message, "place", "child_age", "pregnant", "day", "time_of_day", "cost",
                    "access", "audience", "need", "language") or getattr(self, "_bare_place", False) \
            or getattr(self, "_date_span", None) is not None

    def _asks_generally(self) -> bool:
        return any(w.casefold() in _ASKS_GENERALLY for w in _WORD.findall(self.text))

    def _narrows(self, fields: dict[str, Any]) -> bool:
        """A child's age, pregnancy, days, a date, a time, free only, access or a language: enough
        to show what is on ("anything for my 2 year old in Darwen" is a question, not a blank)."""
        return bool(fields["days"] or fields.get("after") or fields["time_of_day"] or fields["free"]
                    or fields["accessible"] or fields.get("prefer_language")
                    or fields["age_months"] is not None or fields["pregnant"])

    def _words(self) -> str:
        """The parent's own words to rank by: this turn's, if it said anything that the
        directory could match; otherwise the words kept from before."""
        # Words in another language would be searched as English: the detector's need words
        # (entities) stand for them.
        skip = getattr(self, "_bare_place", False) or self.language
        message = self.message
        if getattr(self, "_date_span", None):
            # "Christmas week" says when, not what: it is not searched as words.
            start, end = self._date_span
            message = {**message, "text": self.text[:start] + " " * (end - start) + self.text[end:]}
        mine = "" if skip else own_words(message)
        # "we don't drive" is a circumstance, with words of its own: not a search for "drive".
        circumstances = self.context.directory.taxonomy.circumstances
        said = {w.casefold().replace("'", "") for c in circumstances
                for m in c.pattern.finditer(self.text) for w in _WORD.findall(m.group(0))}
        mine = " ".join(w for w in mine.split() if w not in said)
        usable = " ".join(self.context.directory.searchable_words(mine)) if mine else ""
        if usable or _has(self.message, "need"):
            if usable != (self.tracker.get_slot("words") or ""):
                self.set("words", usable or None)
            return usable
        return str(self.tracker.get_slot("words") or "")

    # --- answering ------------------------------------------------------------------------

    def _not_understood(self) -> list[EventType]:
        if self.asked == NOT_UNDERSTOOD:
            # Twice in a row: a person, not a third "say it another way".
            last = self.tracker.get_slot("last_query")
            place = parsing.clean_place(self.tracker.get_slot("place")) or (
                last.get("near") if isinstance(last, dict) else None)
            contact = nearest_contact(self.context, place)
            settings = self.context.settings
            say(self.dispatcher, with_callback_offer(
                replies.not_understood_twice(centre=contact and contact.get("centre"),
                                             phone=contact and contact.get("phone"),
                                             main_line=settings.family_hubs_phone,
                                             hours=settings.family_hubs_hours),
                email=contact and contact.get("email")))
            self.set("asked", None)
            return self.events
        if self.intent == "out_of_scope":
            self.dispatcher.utter_message(response="utter_out_of_scope")
        else:
            self.dispatcher.utter_message(response="utter_default")
        self.set("asked", NOT_UNDERSTOOD)
        return self.events

    def _ask_place(self, fields: dict[str, Any]) -> list[EventType]:
        say(self.dispatcher, replies.ask_place(self.context.directory.taxonomy, fields["terms"]))
        self.set("asked", ASKED_PLACE)
        return self.events

    def _search(self, fields: dict[str, Any], words: str,
                circumstances: list[Circumstance], *, ask_age: bool = True) -> list[EventType]:
        fields["terms"] = in_said_order(fields["terms"], self.message)
        fields["weights"] = need_weights(self.message, fields["terms"])
        fields["text"] = words or None
        said = apply_circumstances(fields, circumstances)
        nothing_asked = not (fields["terms"] or words or circumstances)
        events = answer(self.context, self.dispatcher, fields,
                        before=said or None,
                        after=replies.how_to_narrow() if nothing_asked else None)
        self.events += events
        searched = any(e.get("name") == "last_query" and (e.get("value") or {}).get("shown")
                       for e in events)
        asked = None
        if ask_age and searched and fields["age_months"] is None and not fields["pregnant"] \
                and not _asked_age_before(self.tracker) and ages_matter(self.context, fields):
            self.dispatcher.utter_message(response="utter_ask_age")
            asked = ASKED_AGE
        self.set("asked", asked)
        return self.events


class ActionSearchServices(Action):
    """Every turn that says what the parent wants, where, when or for whom (``Frame``)."""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_search_services"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        return Frame(self.context, dispatcher, tracker).respond()


class ActionAfterExplaining(Action):
    """After an FAQ answer: the need it explained joins the frame, and the parent is offered
    "find one near you" (or shown the nearest, when we know where they are)."""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_after_explaining"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        selected = ((tracker.latest_message or {}).get("response_selector") or {}).get(
            "ask_core_offer_info", {}).get("response", {})
        key = str(selected.get("intent_response_key") or "").split("/")[-1]
        taxonomy = self.context.directory.taxonomy
        # The answer's own need; for a general answer ("do I need to book?"), the need the
        # question named ("...to get baby weighed").
        need = taxonomy.need_of_faq(key) or next(
            (e.get("value") for e in (tracker.latest_message or {}).get("entities") or []
             if e.get("entity") == "need" and e.get("value") in taxonomy), None)
        if not need:
            return []
        events: list[EventType] = [SlotSet("need", [need]), SlotSet("words", None)]
        fields = {**slot_fields(self.context, tracker), "terms": [need], "text": None}
        if fields["near"]:
            return events + answer(self.context, dispatcher, fields,
                                   before=replies.nearest_intro(taxonomy, need))
        say(dispatcher, replies.offer_to_find(taxonomy, need))
        return events + [SlotSet("asked", ASKED_PLACE)]
