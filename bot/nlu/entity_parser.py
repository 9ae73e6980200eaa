"""The Rasa component that turns ``bot.nlu.parsers`` into entities with exact, normalised values.

It runs after DIET and the synonym mapper. For the types it parses (place, child_age, pregnant,
day, time_of_day, cost, audience, access) the rules are the authority: a DIET entity over the same
words is replaced by the parsed one, and a DIET entity elsewhere is kept only if its value is one
the search understands (day "SA", not "sat"). Town names come from the live directory
(``directory.live.towns``), so a new centre's town is known without retraining. A reply that is
only a number ("2") is an age in years when the intent is ``give_child_age``: DIET learnt that from
``data/nlu/details.yml``; without DIET no rule read it.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.parsers import LONDON, Found, bare_number_age, parse_all
from common.days import DAY_CODES, TIMES_OF_DAY
from common.settings import Settings
from directory import live

logger = logging.getLogger(__name__)

GIVE_CHILD_AGE = "give_child_age"
PARSED_TYPES = frozenset({"place", "child_age", "pregnant", "day", "time_of_day", "cost", "audience", "access"})

#: The values the search understands, for checking what DIET found outside the parsers' spans.
_VALID = {
    "day": set(DAY_CODES),
    "time_of_day": set(TIMES_OF_DAY),
    "cost": {"free"},
    "audience": {"father"},
    "access": {"wheelchair"},
}


def _overlaps(ent: dict[str, Any], f: Found) -> bool:
    return ent.get("start", 0) < f.end and ent.get("end", 0) > f.start


def _checked(ent: dict[str, Any]) -> dict[str, Any] | None:
    """A DIET entity of a parsed type with its value made usable, or None to drop it."""
    kind, value = ent.get("entity"), ent.get("value")
    if kind in _VALID:
        return ent if value in _VALID[kind] else None
    if kind == "child_age":
        try:
            return {**ent, "value": int(float(str(value)))}
        except ValueError:
            return None
    if kind == "pregnant":
        return {**ent, "value": True} if str(value).lower() in ("true", "yes", "pregnant") else None
    return ent  # place: an unknown town is still worth passing on; the search suggests matches


def merge_parsed(entities: list[dict[str, Any]], found: list[Found], extractor: str) -> list[dict[str, Any]]:
    """DIET's entities reconciled with the parsers' (see the module docstring)."""
    out: list[dict[str, Any]] = []
    for ent in entities:
        if ent.get("entity") not in PARSED_TYPES:
            out.append(ent)
            continue
        if any(f.entity == ent.get("entity") and _overlaps(ent, f) for f in found):
            continue
        if ent.get("entity") == "place" and any(f.entity == "place" for f in found):
            continue  # the parsed place is exact; DIET's guess elsewhere would be a second place
        checked = _checked(ent)
        if checked is not None:
            out.append(checked)
    for f in found:
        ent = {"entity": f.entity, "value": f.value, "start": f.start, "end": f.end,
               "confidence_entity": 1.0, "extractor": extractor, "text": f.text}
        ent.update(f.extra)
        out.append(ent)
    return sorted(out, key=lambda e: (e.get("start", 0), e.get("entity", "")))


def _intent(message: Message) -> str | None:
    return (message.get(INTENT) or {}).get("name")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class SignpostEntityParser(GraphComponent, EntityExtractorMixin):
    """Places, ages, pregnancy, days, times, cost, audience and access, by rule."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # directory_db None: the directory in this process's Settings (SIGNPOST_DIRECTORY_DB).
        return {"directory_db": None, "refresh_seconds": 1.0}

    def __init__(self, config: dict[str, Any], towns: live.LiveQuery[tuple[str, ...]]) -> None:
        self._config = config
        self._places = towns

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SignpostEntityParser":
        # Rasa builds the component itself, so this is where it is given the directory.
        path = config.get("directory_db") or Settings.from_env().directory_db
        return cls(config, live.towns(path, min_interval=float(config.get("refresh_seconds", 1.0))))

    def now(self) -> datetime:
        """The time "today" and "tomorrow" are relative to (tests replace it)."""
        return datetime.now(LONDON)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = parse_all(text, known_places=self._places.get(), now=self.now())
            if not any(f.entity == "child_age" for f in found) and _intent(message) == GIVE_CHILD_AGE:
                # "2" in answer to "how old is your child?": no rule reads a bare number as an age.
                found += [f for f in [bare_number_age(text)] if f]
            message.set(ENTITIES, merge_parsed(message.get(ENTITIES, []), found, self.name),
                        add_to_output=True)
        return messages
