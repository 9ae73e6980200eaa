"""Everything the actions say to a parent, in one place.

Each function returns a ``Reply`` (text, buttons, custom payload) and never talks to Rasa, so the
wording can be read, tested for reading age and stigma words, and changed without touching the
dialogue logic. Needs are named with the taxonomy's ``label``; no need names are written here.
Voice: short sentences, plain words, "mums, dads and carers", open to everyone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable, Sequence

from common.days import DAY_NAMES, TIME_OF_DAY_WORDS, WEEKEND, days_words
from directory.cards import card as card_words, is_stale
from directory.opening_hours import CentreHours, when_words
from actions.parsing import sure_needs
from directory.taxonomy import Taxonomy

PAGE_SIZE = 3
FATHER_TERM = "father_friendly"

#: The payload fields of each service (docs/architecture.md); ``card`` adds the card's words.
CARD_FIELDS = ("id", "name", "taxonomy_terms", "centre", "address", "postcode", "distance_km",
               "next_sessions", "schedule_text", "cost_text", "free", "age_text", "phone", "url",
               "assured_date", "latitude", "longitude")

MORE = {"title": "More", "payload": "/more_results"}
DIFFERENT_DAY = {"title": "Different day", "payload": '/refine_search{"refine": "day"}'}
TALK = {"title": "Talk to someone", "payload": "/request_human"}


@dataclass
class Reply:
    """One bot message: what ``dispatcher.utter_message`` is given."""

    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] | None = None


# --- small wording helpers ---------------------------------------------------------------

def need_label(taxonomy: Taxonomy, terms: Sequence[str]) -> str:
    """How to name what was asked for: "stay and play sessions", or "services" for nothing."""
    labels = []
    for term_id in terms:
        try:
            labels.append(taxonomy.term(term_id).label)
        except KeyError:
            continue
    if not labels:
        return "services"
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _what(label: str, free: bool) -> str:
    """ "free stay and play sessions" / "places for free family support". """
    plural_nouns = ("sessions", "classes", "courses", "groups", "checks", "clinics", "services")
    if label.split()[-1] in plural_nouns or label.split()[0] in plural_nouns:
        return f"free {label}" if free else label
    return f"places for free {label}" if free else f"places for {label}"


_POSTCODE_LIKE = re.compile(r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?( ?[0-9][A-Za-z]{2})?$")


def place_name(near: str | None) -> str:
    """A place as a parent would write it on an envelope: "darwen" → "Darwen", "bb3" → "BB3"."""
    near = (near or "").strip()
    if _POSTCODE_LIKE.match(near):
        return near.upper()
    return near.title() if near.islower() else near


def _where(near: str | None) -> str:
    return f"near {place_name(near)}" if near else ""


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def service_card(result: dict[str, Any]) -> dict[str, Any]:
    """One search result for the services payload: its fields, and the card's words
    (``directory.cards``) that the web chat lays out."""
    card = {key: result.get(key) for key in CARD_FIELDS}
    card["taxonomy_terms"] = list(card["taxonomy_terms"] or [])
    card["next_sessions"] = [str(s) for s in (card["next_sessions"] or [])]
    card["free"] = bool(card["free"])
    if card["distance_km"] is not None:
        card["distance_km"] = round(float(card["distance_km"]), 1)
    card["card"] = card_words(result)
    return card


def services_payload(results: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "services", "services": [service_card(r) for r in results]}


# --- replies ---------------------------------------------------------------------------

def results(taxonomy: Taxonomy, query: dict[str, Any], page: Sequence[dict[str, Any]], *,
            total: int, offset: int = 0, widened: str | None = None,
            then: str | None = None, today: date | None = None) -> Reply:
    """A page of up to three services, with a text that makes sense without the cards.

    Short sentences keep the reading age low even with long need labels: what and where first,
    then cost and time in a sentence of their own.
    """
    # A need NLU was unsure of still ranks, weakly, but is not named: "my partner and me lost
    # our jobs" is not "sessions for dads and male carers and work advice".
    named = sure_needs(query) or query.get("terms") or []
    label = need_label(taxonomy, named)
    where = _where(query.get("near"))
    sentences: list[str] = []
    if query.get("when") and offset == 0:
        # The date the parent named: "Here is what is on in the week of 21 December."
        sentences.append(f"Here is what is on {query['when']}.")
    if widened:
        sentences.append(widened)
    if offset:
        sentences.append(_join("Here are some more", _what(label, False), where) + ".")
    elif len(page) == 1:
        sentences.append(_join("Here is a match for", label, where) + ".")
    else:
        sentences.append(_join(f"Here are {len(page)}", _what(label, False), where) + ".")
    when = _join(days_words(query.get("days") or []), TIME_OF_DAY_WORDS.get(query.get("time_of_day") or "", ""))
    facts = [f for f in ("free" if query.get("free") else "", when) if f]
    if facts:
        subject = "It is" if len(page) == 1 else "They are all"
        sentences.append(f"{subject} {' and '.join(facts)}.")
    if offset == 0:
        if query.get("father") or FATHER_TERM in named:
            sentences.append("Dads and male carers are very welcome.")
        else:
            sentences.append("They are open to all mums, dads and carers.")
    stale = sum(1 for r in page if is_stale(r.get("assured_date"), today))
    if stale:
        which = "this" if len(page) == 1 else ("these" if stale == len(page)
                                                else f"{stale} of these")
        sentences.append(f"We last checked {which} over 3 months ago. "
                         "Please phone to check before you go.")
    remaining = total - offset - len(page)
    buttons = []
    if remaining > 0:
        sentences.append("There are more. Tap More to see them.")
        buttons.append(MORE)
    if then:
        sentences.append(then)
    buttons += [DIFFERENT_DAY, TALK]
    return Reply(text=" ".join(sentences), buttons=buttons, custom=services_payload(page))


def widened_days(query: dict[str, Any]) -> str:
    return _join("I couldn't find any", days_words(query.get("days") or []),
                 TIME_OF_DAY_WORDS.get(query.get("time_of_day") or "", "")) + ", so I looked at other times."


def widened_distance() -> str:
    return "There was nothing close by, so I looked a bit further away."


def widened_cost() -> str:
    return "I couldn't find any free ones, so some of these may cost a little."


def widened_related(taxonomy: Taxonomy, query: dict[str, Any]) -> str:
    label = need_label(taxonomy, query.get("terms") or [])
    return _join("I couldn't find any", label, _where(query.get("near"))) + \
        ". These might help instead."


def no_results(taxonomy: Taxonomy, query: dict[str, Any]) -> Reply:
    """Nothing found even after widening: say so kindly and offer a person and home visits."""
    label = need_label(taxonomy, query.get("terms") or [])
    text = (_join("Sorry, I found no", label, _where(query.get("near")), query.get("when") or "")
            + ". Some family workers can visit you at home. "
            "A person from the family hubs team can help you. "
            "Would you like to talk to someone?")
    return Reply(text=text, buttons=[TALK])


def search_failed() -> Reply:
    return Reply(text="Sorry, I can't look that up just now. Please try again in a minute, "
                      "or talk to a person from the family hubs team.", buttons=[TALK])


def no_more_results(taxonomy: Taxonomy, query: dict[str, Any]) -> Reply:
    text = (_join("That's all I know about", _where(query.get("near"))) + ". "
            "You could try a different day. Or you can talk to someone.")
    return Reply(text=text, buttons=[DIFFERENT_DAY, TALK])


def nothing_closer() -> Reply:
    return Reply(text="Those are the closest ones I know about. Would you like to talk to someone "
                      "about getting there?", buttons=[TALK])


def unknown_place(place: str, suggestions: Sequence[str]) -> Reply:
    """ "I couldn't find X. Did you mean A or B?" — the suggestions become buttons."""
    suggestions = [s for s in suggestions if s][:3]
    place = place_name(place)
    if suggestions:
        if len(suggestions) == 1:
            options = suggestions[0]
        else:
            options = ", ".join(suggestions[:-1]) + " or " + suggestions[-1]
        text = f"I couldn't find {place}. Did you mean {options}?"
    else:
        text = (f"I couldn't find {place}. Could you check the spelling, "
                "or give me a postcode like BB3?")
    buttons = [{"title": s, "payload": "/give_location" + _json_entities({"place": s})}
               for s in suggestions]
    return Reply(text=text, buttons=buttons)


def ask_day() -> Reply:
    """Asked after "Different day": one tap sets the day and searches again."""
    buttons = [{"title": name, "payload": "/refine_search" + _json_entities({"day": code})}
               for code, name in DAY_NAMES.items()]
    buttons.append({"title": "Weekend", "payload": "/refine_search" +
                    _json_entities({"day": list(WEEKEND)})})
    return Reply(text="Which day suits you best?", buttons=buttons)


def ask_place(taxonomy: Taxonomy, terms: Sequence[str]) -> Reply:
    """ "Where should I look for baby groups?": the parent sees we kept what they said."""
    label = need_label(taxonomy, terms)
    what = "" if label == "services" else f" for {label}"
    return Reply(text=f"Where should I look{what}? Tell me your town or postcode, "
                      "like Darwen or BB3.")


def how_to_narrow() -> str:
    """Said under "what's on nearby" when the parent has not said what they want."""
    return ("To see fewer, tell me what you want, like 'baby groups', 'help with money' "
            "or 'Saturday'.")


def offer_to_find(taxonomy: Taxonomy, need: str) -> Reply:
    """After explaining a need: one tap or a place finds it nearby."""
    label = need_label(taxonomy, [need])
    return Reply(text=f"I can find {label} near you. Tell me your town or postcode, "
                      "like Darwen or BB3.",
                 buttons=[{"title": "Find one near you",
                           "payload": "/find_service" + _json_entities({"need": need})}])


def nearest_intro(taxonomy: Taxonomy, need: str) -> str:
    return f"These are the nearest {need_label(taxonomy, [need])}."


def not_understood_twice(*, centre: str | None, phone: str | None, main_line: str,
                         hours: str) -> Reply:
    """The second "didn't get that" in a row is a person instead: no third try."""
    person = handoff(centre=centre, phone=phone, main_line=main_line, hours=hours)
    return Reply(text="Sorry, I'm only a chatbot and I still didn't get that. " + (person.text or ""),
                 buttons=person.buttons, custom=person.custom)


def handoff(*, centre: str | None, phone: str | None, main_line: str, hours: str,
            centre_hours: CentreHours | None = None, now: datetime | None = None) -> Reply:
    """A person to talk to: the nearest centre if we know the area, else the family hubs'
    main line (``Settings.family_hubs_phone`` and ``family_hubs_hours``).

    With the centre's opening hours (``directory.opening_hours``): when it is open, and when it
    is closed, when it opens next and what to do now (the main line, or a call back, which
    ``actions.callback.with_callback_offer`` adds).
    """
    payload: dict[str, Any] = {"type": "handoff", "centre": centre if phone else None,
                               "phone": phone or main_line, "main_line": main_line,
                               "hours": hours}
    if centre and phone and centre_hours is not None:
        now = now or datetime.now(timezone.utc)
        sentences = [f"{centre} is open {centre_hours.text}."]
        if centre_hours.open_now:
            sentences.append(f"It is open now. Call them on {phone}.")
            sentences.append(f"Or call the family hubs team on {main_line}, {hours}.")
        elif centre_hours.opens_next is not None:
            sentences.append(f"It is closed now. It opens {when_words(centre_hours.opens_next, now)}.")
            sentences.append(f"Then you can call them on {phone}.")
            sentences.append(f"To talk to someone before then, call the family hubs team on "
                             f"{main_line}, {hours}.")
        else:
            sentences.append(f"It is closed for now. Call the family hubs team on {main_line}, "
                             f"{hours}.")
        payload.update(centre_hours=centre_hours.text, open_now=centre_hours.open_now,
                       opens_next=centre_hours.opens_next.isoformat()
                       if centre_hours.opens_next else None)
        return Reply(text=" ".join(sentences), custom=payload)
    if centre and phone:
        text = (f"You can talk to a person at {centre}. Call them on {phone}. "
                f"Or call the family hubs team on {main_line}, {hours}.")
    else:
        text = (f"You can talk to a person from the family hubs team. "
                f"Call {main_line}, {hours}.")
    return Reply(text=text, custom=payload)


def _json_entities(entities: dict[str, Any]) -> str:
    return json.dumps(entities, ensure_ascii=False)
