"""Turning slot values and a parent's latest words into the fields of a directory search.

NLU fills the slots (``bot/nlu`` extracts the entities); this module only reads them defensively,
because a slot may hold ``"free"``, ``True`` or ``["SA"]`` depending on how it was filled, and
notices the few refinements that carry no entity ("anything closer", "for my baby instead").
"""

from __future__ import annotations

import re
from typing import Any, Iterable

from common.days import DAY_CODES, TIMES_OF_DAY, days_in

FATHER = "father"
FATHER_TERM = "father_friendly"
#: Python's weekday() of each RRULE day code: MO -> 0 ... SU -> 6.
DAY_INDEX = {code: i for i, code in enumerate(DAY_CODES)}

_FALSE_WORDS = {"", "false", "no", "0", "none", "null"}
_CLOSER = re.compile(r"\b(closer|nearer|nearest|closest|near me|nearby|not so far|less far)\b",
                     re.IGNORECASE)
_BABY = re.compile(r"\b(my )?(baby|newborn|new born)\b", re.IGNORECASE)
_ANY_DAY = re.compile(r"\b(any ?day|any time|anytime|don'?t mind (which|what) day)\b",
                      re.IGNORECASE)
_PLACE_PREFIX = re.compile(
    r"^\s*(?:(?:i'?m|i am|we'?re|we are|we live|i live|live|it'?s|its)\s+)?"
    r"(?:(?:in|at|near|around|by|from)\s+)?", re.IGNORECASE)


#: A need NLU found at least this sure of is one the parent asked for (``frame.need_weights``).
SURE_NEED = 0.8


def sure_needs(fields: dict[str, Any]) -> list[str]:
    """The needs asked for that NLU was sure of (``weights``: 1 unless said otherwise)."""
    weights = fields.get("weights") or {}
    return [t for t in fields.get("terms") or [] if float(weights.get(t, 1.0)) >= SURE_NEED]


def truthy(value: Any) -> bool:
    """A slot filled from an entity counts as yes unless it plainly says no."""
    if isinstance(value, (list, tuple)):
        return any(truthy(v) for v in value)
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE_WORDS
    return bool(value)


def as_list(value: Any) -> list:
    """A slot value as a list (a list slot can arrive as one string from a button payload)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [v for v in value if v not in (None, "")]
    return [value]


def need_terms(value: Any, known: Iterable[str]) -> list[str]:
    """The term ids in ``value`` that the taxonomy knows, in order, without repeats."""
    known_set = set(known)
    out: list[str] = []
    for v in as_list(value):
        term = str(v).strip()
        if term in known_set and term not in out:
            out.append(term)
    return out


def day_codes(value: Any) -> list[str]:
    """``["SA"]``, ``"saturday"`` or ``"weekend"`` as RRULE day codes in week order."""
    return days_in(as_list(value))


def age_in_months(value: Any) -> int | None:
    """A child's age in whole months, or ``None`` when it is not a sensible age."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if value is None or isinstance(value, bool):
        return None
    try:
        months = float(str(value).strip())
    except ValueError:
        return None
    if months < 0 or months > 240:
        return None
    return int(months)


def time_of_day(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    text = str(value or "").strip().lower()
    return text if text in TIMES_OF_DAY else None


def is_father(value: Any) -> bool:
    return any(str(v).strip().lower() in (FATHER, "dad", "dads", "male carer")
               for v in as_list(value))


def clean_place(text: Any) -> str | None:
    """The place itself from an answer like "we live in Darwen." (or ``None`` if nothing left)."""
    if isinstance(text, (list, tuple)):
        text = text[0] if text else None
    if text is None:
        return None
    place = _PLACE_PREFIX.sub("", str(text), count=1).strip(" .,!?\t\n")
    return place[:80] or None


def asks_for_closer(text: str | None) -> bool:
    return bool(text and _CLOSER.search(text))


def mentions_baby(text: str | None) -> bool:
    return bool(text and _BABY.search(text))


def asks_any_day(text: str | None) -> bool:
    return bool(text and _ANY_DAY.search(text))


def query_fields(slots: dict[str, Any], known_terms: Iterable[str]) -> dict[str, Any]:
    """The ``SearchQuery`` fields the slots describe (JSON-safe, so it can be kept in a slot).

    A parent who said "dads" but named no need is looking for father-friendly sessions.
    """
    terms = need_terms(slots.get("need"), known_terms)
    if not terms and is_father(slots.get("audience")):
        terms = [FATHER_TERM]
    pregnant = truthy(slots.get("pregnant"))
    return {
        "terms": terms,
        "near": clean_place(slots.get("place")),
        "radius_km": None,
        "age_months": None if pregnant else age_in_months(slots.get("age_months")),
        "pregnant": pregnant,
        "days": day_codes(slots.get("days")),
        "time_of_day": time_of_day(slots.get("time_of_day")),
        "free": truthy(slots.get("free_only")),
        "accessible": truthy(slots.get("accessible")),
    }
