"""Reading the bot's replies and deciding whether the parent got a right answer.

A reply is what Rasa's REST channel returns for one message: a list of messages, each with a
``text`` (and ``buttons``) or a ``custom`` payload. The payloads are the ones the web chat reads
(``actions/replies.py``): ``{"type": "services", "services": [cards]}`` and
``{"type": "handoff", "phone": ...}``.

- **Right answer**: the first three services shown include one whose true needs (the answer
  key) meet the needs expected, or whose own name or description says one of the expected words
  (at the start of a word, so "weigh" finds "weighed" and "vice" does not find "service").
- **A person asked for** (``human``): the reply gives a phone number, in its text or in a
  hand-off payload. A service card's phone does not count: that is not a person for the parent.
- **Generic prompt**: a reply that uses nothing the parent said and asks them to start again —
  "What are you looking for?", "Sorry, I didn't quite get that", "What can I help you find?",
  "Sorry, I can't help with that", the chit-chat deflection and "What would you like to change?". The texts are read from ``domain/*.yml`` and
  ``actions/replies.py``, so rewording them does not hide them from the evaluation.
- **Dead end**: two generic prompts in a row within one conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import yaml

from actions import replies as action_replies
from evaluation.answer_key import AnswerKey
from evaluation.conversation_set import Expected

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_DIR = ROOT / "domain"
TOP = 3

#: Fixed replies (domain response names) that ask the parent to start again.
GENERIC_RESPONSES = frozenset({"utter_default", "utter_ask_need",
                               "utter_ask_what_help", "utter_chitchat", "utter_out_of_scope"})
#: Replies the actions build. Two are generic; the others only name a failure in the report.
_ACTION_REPLIES = {
    "ask_day": action_replies.ask_day().text,
    "nothing_closer": action_replies.nothing_closer().text,
    "search_failed": action_replies.search_failed().text,
}
_GENERIC_ACTION_REPLIES = frozenset({"refine_what_to_change"})
#: Replies with a parameter in the middle, known by how they start (actions/replies.py and
#: actions/search.py; the latter imports rasa_sdk, which the web environment does not have).
_ACTION_PREFIXES = (
    ("refine_what_to_change", "What would you like to change?"),
    ("unknown_place", "I couldn't find "),
    ("no_results", "Sorry, I found no "),
    ("no_more_results", "That's all I know about"),
)
#: A UK phone number: 01632 960100, 0113 496 0123, 0300 100 0212, +44 1632 960100.
PHONE = re.compile(r"(?<![\d+])(?:\+44\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)")
_PLACEHOLDER = re.compile(r"\\\{\w+\\\}")


# --- what a reply holds -----------------------------------------------------------------------

def payloads(messages: Iterable[Mapping[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages
            if isinstance(m.get("custom"), dict) and m["custom"].get("type") == kind]


def services_in(messages: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The services shown, in order (the last ``services`` payload if there are several)."""
    found = payloads(messages, "services")
    return list(found[-1].get("services") or []) if found else []


def texts_in(messages: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(m["text"]) for m in messages if m.get("text")]


def gives_phone(messages: Sequence[Mapping[str, Any]]) -> bool:
    """A number to ring: a hand-off payload's phone, or a phone number in the reply's text."""
    if any(p.get("phone") or p.get("main_line") for p in payloads(messages, "handoff")):
        return True
    return any(PHONE.search(text) for text in texts_in(messages))


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def says_word(text: str, word: str) -> bool:
    """``word`` (or a phrase) starts a word of ``text``; case, hyphens and punctuation aside."""
    wanted = _plain(word)
    return bool(wanted) and re.search(r"(?<!\w)" + re.escape(wanted), _plain(text)) is not None


# --- right answers ----------------------------------------------------------------------------

def is_right(service_id: str, expected: Expected, key: AnswerKey) -> bool:
    service = key.get(service_id)
    if service is None:
        return False
    if service.needs & expected.needs:
        return True
    text = f"{service.name} {service.description}"
    return any(says_word(text, word) for word in expected.words)


@dataclass(frozen=True)
class Verdict:
    """How one final answer was judged."""

    right: bool
    shown: tuple[str, ...] = ()  # the ids of the first three services shown
    right_id: str | None = None
    on_a_day_asked: bool | None = None  # a right service runs on a day asked (None: none asked)


def judge_services(shown_ids: Sequence[str], expected: Expected, key: AnswerKey) -> Verdict:
    """A ranked list of service ids (the bot's cards, or a baseline's ranking) against the set."""
    top = tuple(str(i) for i in shown_ids[:TOP])
    right = [sid for sid in top if is_right(sid, expected, key)]
    on_day = None
    if expected.days and right:
        on_day = any(key[sid].runs_on(expected.days) for sid in right)
    return Verdict(bool(right), top, right[0] if right else None, on_day)


def judge_reply(messages: Sequence[Mapping[str, Any]], expected: Expected,
                key: AnswerKey) -> Verdict:
    """The bot's final reply against the set: services for a need, a phone for a person."""
    shown = [str(s.get("id")) for s in services_in(messages)]
    if expected.human:
        return Verdict(gives_phone(messages), tuple(shown[:TOP]))
    return judge_services(shown, expected, key)


# --- kinds of reply ---------------------------------------------------------------------------

class ReplyKinds:
    """Names each reply by what it is: services, a hand-off, an FAQ answer, a question, a
    generic prompt... from the domain's own responses and the actions' wording."""

    def __init__(self, domain_dir: Path = DOMAIN_DIR) -> None:
        self.exact: dict[str, str] = {}
        self.patterns: list[tuple[re.Pattern, str]] = []
        for path in sorted(domain_dir.glob("*.yml")):
            responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses")
            for name, variations in (responses or {}).items():
                for variation in variations or []:
                    if isinstance(variation, dict) and variation.get("text"):
                        self._add(str(variation["text"]), str(name))
        for name, text in _ACTION_REPLIES.items():
            self._add(str(text), name)

    def _add(self, text: str, name: str) -> None:
        if "{" in text:  # a template with slots: any value fills them
            self.patterns.append((re.compile(
                _PLACEHOLDER.sub(".+?", re.escape(_plain_space(text))) + "$"), name))
        else:
            self.exact.setdefault(_plain_space(text), name)

    def name_of(self, text: str) -> str:
        """The response or action reply this text is; "other" if it is none of them."""
        plain = _plain_space(text)
        if plain in self.exact:
            return self.exact[plain]
        for pattern, name in self.patterns:
            if pattern.match(plain):
                return name
        for name, prefix in _ACTION_PREFIXES:
            if plain.startswith(_plain_space(prefix)):
                return name
        return "other"

    def is_generic(self, messages: Sequence[Mapping[str, Any]]) -> bool:
        """Every text is a generic prompt and nothing else was given (no services, no person)."""
        if any(isinstance(m.get("custom"), dict) for m in messages):
            return False
        names = [self.name_of(t) for t in texts_in(messages)]
        return bool(names) and all(n in GENERIC_RESPONSES or n in _GENERIC_ACTION_REPLIES
                                   for n in names)

    def kind(self, messages: Sequence[Mapping[str, Any]]) -> str:
        """A short name for a reply, for counting how conversations fail."""
        if services_in(messages):
            return "services"
        for payload_type in ("handoff", "safety", "callback", "summary"):
            if payloads(messages, payload_type):
                return payload_type
        names = [self.name_of(t) for t in texts_in(messages)]
        if not names:
            return "nothing"
        named = [n for n in names if n != "other"] or names
        faq = [n for n in named if n.startswith("utter_ask_core_offer_info/")]
        if faq:
            return "faq_answer"
        return named[-1]


def _plain_space(text: str) -> str:
    return " ".join(text.split())


def has_dead_end(generic_turns: Sequence[bool]) -> bool:
    """Two generic prompts in a row."""
    return any(a and b for a, b in zip(generic_turns, generic_turns[1:]))
