"""The public conversation set (``tests/conversations/``) and the places that fill it.

The set was written once, by someone who had not read the bot, with place placeholders
(``{town}``, ``{postcode}``, ``{district}``, ``{village}``, ``{other_town}``) so that the same
sentences run over any directory; ``places.yml`` gives each directory's values. This module only
reads and fills: it never changes what the set says a right answer is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

ROOT = Path(__file__).resolve().parents[1]
SET_DIR = ROOT / "tests" / "conversations"
SINGLES_FILE = SET_DIR / "single_needs.yml"
MULTI_FILE = SET_DIR / "multi_turn.yml"
PLACES_FILE = SET_DIR / "directories" / "places.yml"

PLACEHOLDERS = ("town", "postcode", "district", "village", "other_town")
#: A message that names no place is answered with this one when the bot asks (or shows nothing):
#: a parent asked "Where should I look?" gives their town.
FOLLOW_UP_PLACE = "town"
ENGLISH = "en"
_DAYS = {"mon": "MO", "tue": "TU", "wed": "WE", "thu": "TH", "fri": "FR", "sat": "SA",
         "sun": "SU"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_PATTERN_COMMENT = re.compile(r"^#\s*pattern:\s*(\S+)")
_ITEM_ID = re.compile(r"^-\s+id:\s*(\S+)")


@dataclass(frozen=True)
class Expected:
    """What a right final answer is: a service for one of ``needs`` (or whose own text says one
    of ``words``); for ``human``, a phone number to talk to a person."""

    needs: frozenset[str]
    words: tuple[str, ...] = ()
    days: frozenset[str] = frozenset()  # MO..SU: the parent asked for these days
    human: bool = False


@dataclass(frozen=True)
class Conversation:
    """One item of the set: a single message (``kind`` "single") or a conversation ("multi")."""

    id: str
    kind: str
    turns: tuple[str, ...]  # templates, with placeholders
    expected: Expected
    language: str = ENGLISH
    pattern: str | None = None  # multi: the set's "# pattern:" comment
    age_months: float | None = None
    pregnant: bool = False

    @property
    def names_place(self) -> bool:
        return any(_PLACEHOLDER.search(turn) for turn in self.turns)

    @property
    def last_place(self) -> str | None:
        """The placeholder the parent named last (where they want to look in the end)."""
        found = [m.group(1) for turn in self.turns for m in _PLACEHOLDER.finditer(turn)]
        return found[-1] if found else None


@dataclass(frozen=True)
class Directory:
    """A directory the set runs over: its ORUK file, its place values and its answer key."""

    name: str
    title: str
    oruk_file: Path
    places: Mapping[str, str] = field(default_factory=dict)
    answer_key_file: Path | None = None  # None: the services' own Signpost terms are the key


# --- filling placeholders ---------------------------------------------------------------------

def fill(template: str, places: Mapping[str, str]) -> str:
    """The message a parent of this directory would type: every placeholder replaced.

    An unknown placeholder, or one this directory has no value for, is an error (never left in
    the text for the bot to puzzle over).
    """
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            raise ValueError(f"Unknown place placeholder {{{name}}} in {template!r}; "
                             f"known: {', '.join(PLACEHOLDERS)}")
        if not places.get(name):
            raise ValueError(f"No value for {{{name}}} in this directory's places")
        return str(places[name])

    return _PLACEHOLDER.sub(value, template)


def without_places(template: str) -> str:
    """The words of a message with its places taken out (a search box has a separate place)."""
    text = _PLACEHOLDER.sub(" ", template)
    text = re.sub(r"\s+([,.?!;:])", r"\1", text)
    return " ".join(text.split())


# --- reading the set --------------------------------------------------------------------------

def _days(values: Any) -> frozenset[str]:
    days = set()
    for value in values or []:
        code = _DAYS.get(str(value).strip().lower()[:3])
        if code is None:
            raise ValueError(f"{value!r} is not a day (mon, tue ... sun)")
        days.add(code)
    return frozenset(days)


def _expected(item: Mapping[str, Any]) -> Expected:
    return Expected(needs=frozenset(item.get("needs") or []),
                    words=tuple(str(w) for w in item.get("words") or []),
                    days=_days(item.get("days")), human=bool(item.get("human")))


def load_singles(path: Path = SINGLES_FILE) -> list[Conversation]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    singles = []
    for item in items:
        conversation = Conversation(
            id=str(item["id"]), kind="single", turns=(str(item["text"]),),
            expected=_expected(item), language=str(item.get("language") or ENGLISH),
            pattern=item.get("circumstance"), age_months=item.get("age_months"),
            pregnant=bool(item.get("pregnant")))
        said = item.get("place", "none")
        if (said != "none") != conversation.names_place or (
                said != "none" and conversation.last_place != said):
            raise ValueError(f"{path.name} {item['id']}: place: {said} does not match the text")
        singles.append(conversation)
    return singles


def _patterns(path: Path) -> dict[str, str]:
    """Each conversation's "# pattern:" comment (YAML drops comments, so read the lines)."""
    patterns, current = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        comment, item = _PATTERN_COMMENT.match(line), _ITEM_ID.match(line)
        if comment:
            current = comment.group(1)
        elif item and current:
            patterns[item.group(1)] = current
    return patterns


def load_multi(path: Path = MULTI_FILE) -> list[Conversation]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    patterns = _patterns(path)
    return [Conversation(id=str(item["id"]), kind="multi",
                         turns=tuple(str(t) for t in item["turns"]),
                         expected=_expected(item["expect"]), pattern=patterns.get(str(item["id"])))
            for item in items]


def load_set() -> list[Conversation]:
    """Every single message, then every conversation."""
    return load_singles() + load_multi()


# --- the directories --------------------------------------------------------------------------

def directories(places_file: Path = PLACES_FILE) -> list[Directory]:
    """The sample, the second directory and its copy with no Signpost terms, in that order."""
    config = yaml.safe_load(places_file.read_text(encoding="utf-8"))
    found = []
    for name, entry in config.items():
        places = {k: str(entry[k]) for k in PLACEHOLDERS if entry.get(k)}
        key = ROOT / entry["answer_key"] if entry.get("answer_key") else None
        found.append(Directory(name, f"{name} ({places.get('town')})", ROOT / entry["directory"],
                               places, key))
        if entry.get("directory_no_terms"):
            found.append(Directory(f"{name}_no_terms",
                                   f"{name}, no Signpost terms ({places.get('town')})",
                                   ROOT / entry["directory_no_terms"], places, key))
    return found
