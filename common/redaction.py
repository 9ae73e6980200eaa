"""Take personal details out of conversation records before they are written anywhere.

Pure functions over strings and Rasa's event dicts, so they are easy to test and the tracker
store (``bot.tracker_store``) stays thin. What goes: phone numbers, email addresses, the last
half of a full postcode ("BB3 1AB" becomes "BB3 ***", so the area a parent searched in still
makes sense), a name after "my name is", "I'm called" or "call me", and anything typed in
answer to the call-back form's name and contact questions. What stays: needs, ages, days,
the outward postcode and the bot's own wording (minus any of the above).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Iterable

PHONE_MARK = "[phone]"
EMAIL_MARK = "[email]"
NAME_MARK = "[name]"
ANSWER_MARK = "[redacted]"

#: Slots that hold a parent's name or contact while the call-back form runs. Their values, and
#: whatever was typed while the form asked for them, are never stored.
SENSITIVE_SLOTS = frozenset({"callback_first_name", "callback_contact"})

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
#: UK numbers as people type them: 07700 900123, +44 7700 900 123, (01254) 666 400, 0800 1111,
#: 116 123 is a helpline so too short to count. Ten or eleven digits with spaces, dashes, dots
#: or brackets between them; international numbers from + and eight or more digits.
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?44\s?\(?0?\)?(?:[\s.-]?\d){9,10}"
    r"|\(?0\d{2,4}\)?(?:[\s.-]?\d){6,8}"
    r"|\+\d(?:[\s.-]?\d){7,14}"
    r")(?!\d)")
#: A full UK postcode: the outward code (kept) and the inward code (hidden).
POSTCODE = re.compile(
    r"\b(?P<outward>(?:GIR|[A-PR-UWYZ](?:\d[A-HJKPSTUW\d]?|[A-HK-Y]\d[ABEHMNPRV-Y\d]?)))"
    r"\s*(?P<inward>\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE)
#: Words that follow "call me" without being a name ("call me back", "call me on ...").
_NOT_NAMES = frozenset("""
    back on at in after before when tomorrow today tonight later please if about now soon
    a an the any anytime some sometime first asap then morning afternoon evening before
    between from around between this next monday tuesday wednesday thursday friday saturday
    sunday weekend weekday and or but so because to with for
""".split())
NAME_INTRO = re.compile(
    r"\b(?P<intro>(?i:my name(?:'s| is)|i'?\s?a?m called|call me|name(?:'s)? is|this is))"
    r"\s+(?P<name>[A-Za-z][A-Za-z'-]*(?:\s+[A-Z][A-Za-z'-]*)?)")
_INTRO_NEEDS_CAPITAL = frozenset({"this is"})


def _redact_name(match: re.Match) -> str:
    intro, name = match.group("intro"), match.group("name")
    first = name.split()[0]
    if first.lower() in _NOT_NAMES:
        return match.group(0)
    if intro.lower() in _INTRO_NEEDS_CAPITAL:
        # "it's Sam here" is a name, "it's fine" is not: only a capitalised word counts here.
        if not first[:1].isupper() or first.lower() in _NOT_NAMES:
            return match.group(0)
    return f"{intro} {NAME_MARK}"


def outward_code(postcode: str) -> str | None:
    """ "BB3 1AB" → "BB3"; None when ``postcode`` is not a full postcode."""
    found = POSTCODE.fullmatch(postcode.strip())
    return found.group("outward").upper() if found else None


def redact_text(text: str) -> str:
    """Free text (what a parent typed) with personal details replaced by markers."""
    if not text:
        return text
    text = EMAIL.sub(EMAIL_MARK, text)
    text = POSTCODE.sub(lambda m: f"{m.group('outward').upper()} ***", text)
    text = PHONE.sub(PHONE_MARK, text)
    return NAME_INTRO.sub(_redact_name, text)


def redact_value(value: Any) -> Any:
    """A slot or entity value: a full postcode keeps only its outward code, so the search can
    still use it ("BB3"); strings get ``redact_text``; lists and dicts are redacted inside."""
    if isinstance(value, str):
        outward = outward_code(value)
        if outward:
            return outward
        return POSTCODE.sub(lambda m: m.group("outward").upper(), redact_text(value)) \
            if POSTCODE.search(value) else redact_text(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    return value


def _redact_parse_data(parse_data: dict[str, Any]) -> dict[str, Any]:
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = redact_text(parse_data["text"])
    for entity in parse_data.get("entities") or []:
        if isinstance(entity, dict):
            for key in ("value", "text"):
                if key in entity:
                    entity[key] = redact_value(entity[key])
    return parse_data


def redact_event(event: dict[str, Any], *, answering: str | None = None) -> dict[str, Any]:
    """A copy of one serialised Rasa event, safe to store.

    ``answering`` is the slot the bot had just asked for when this event happened; a parent's
    message in answer to a sensitive question is not kept at all.
    """
    event = copy.deepcopy(event)
    kind = event.get("event")
    if kind == "user":
        if answering in SENSITIVE_SLOTS:
            event["text"] = ANSWER_MARK
            parse = event.get("parse_data") or {}
            parse["text"] = ANSWER_MARK
            parse["entities"] = []
            event["parse_data"] = parse
        else:
            if isinstance(event.get("text"), str):
                event["text"] = redact_text(event["text"])
            if isinstance(event.get("parse_data"), dict):
                _redact_parse_data(event["parse_data"])
    elif kind == "slot":
        if event.get("name") in SENSITIVE_SLOTS and event.get("value") is not None:
            event["value"] = ANSWER_MARK
        else:
            event["value"] = redact_value(event.get("value"))
    elif kind == "bot":
        if isinstance(event.get("text"), str):
            event["text"] = redact_text(event["text"])
        # A reply's payload can echo what the parent typed ("0.4 km from BB3 1AB" on a card).
        if isinstance(event.get("data"), dict):
            event["data"] = redact_value(event["data"])
    elif kind == "user_featurization":
        pass
    elif kind == "entities":
        event["entities"] = redact_value(event.get("entities"))
    return event


#: Six or more digits in a row in a slot or entity value: a fragment of a phone number read as
#: something else (an age of "900123" months), never a real value.
_LONG_NUMBER = re.compile(r"\d{6,}")


def _numeric_leak(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return abs(value) >= 100000
    if isinstance(value, str):
        return bool(_LONG_NUMBER.search(value.replace(" ", "")))
    return False


def redact_events(events: list[dict[str, Any]], start: int = 0) -> list[dict[str, Any]]:
    """``events[start:]`` made safe to store, in order.

    On top of ``redact_event``: in the turn that answers a sensitive question (from the
    parent's answer to the next message), any other slot the answer happened to fill (a phone
    number read as a child's age, say) is stored with the value it had before, so neither the
    record nor the conversation keeps it.

    The events before ``start`` (already stored) are read only for that context, and only their
    slot values are redacted again, so saving a turn costs the new events, not the whole
    conversation.
    """
    asking = requested_slots(events)
    values: dict[str, Any] = {}
    sensitive_turn = False
    out = []
    for index, (event, answering) in enumerate(zip(events, asking)):
        kind = event.get("event")
        if kind == "user":
            sensitive_turn = answering in SENSITIVE_SLOTS
        if index < start and kind != "slot":
            if kind in ("restart", "session_started"):
                values = {}
            continue
        safe = redact_event(event, answering=answering)
        if kind == "slot":
            name = safe.get("name")
            if sensitive_turn and name not in SENSITIVE_SLOTS and name != "requested_slot" \
                    and not str(name).startswith("callback_"):
                safe["value"] = values.get(name)
            elif _numeric_leak(safe.get("value")) and name != "requested_slot":
                safe["value"] = None
            values[name] = safe.get("value")
        elif kind == "user" and isinstance(safe.get("parse_data"), dict):
            entities = safe["parse_data"].get("entities") or []
            safe["parse_data"]["entities"] = [e for e in entities
                                              if not _numeric_leak(e.get("value"))]
        elif kind in ("restart", "session_started"):
            values = {}
        if index >= start:
            out.append(safe)
    return out


def requested_slots(events: Iterable[dict[str, Any]]) -> list[str | None]:
    """For each event, the slot the bot was asking for when it happened (``requested_slot``
    as it stood just before the event)."""
    asking: str | None = None
    out: list[str | None] = []
    for event in events:
        out.append(asking)
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            asking = event.get("value")
        elif event.get("event") in ("active_loop", "restart", "session_started") and \
                not (event.get("event") == "active_loop" and event.get("name")):
            asking = None
    return out
