"""One safety verdict per message: the rules and the learned detector, either can raise the alarm.

- The **rules** (``bot.safety.rules``) are precise: when one matches, its category and level
  stand (the detector may still raise the level to an emergency), unless the detector is all
  but sure the message is nothing (risk below ``rules_overruled``: a joke, a denial, a story from
  years ago). Then the message gets the calm question, not the full alarm.
- The **detector** (``bot.safety.detector``) generalises to phrasings nobody wrote a rule for:
  when its risk reaches ``alarm``, its category is used. When the rules read the message as a
  near miss (a negation, someone else's story: ``rules.vetoed``) it needs ``alarm_when_vetoed``.
- Between ``check`` and ``alarm``, or when a message the bot did not understand carries a risk
  word (``RISK_CUES``), the bot asks a calm question ("Are you and your children safe right
  now?") with 999 one tap away, instead of "Sorry, I didn't get that".

The thresholds live in ``bot/safety/thresholds.yml`` and are chosen on the development set
only (``python -m bot.safety.evaluate --tune``), never on the held-out set.

    >>> checker = SafetyCheck.load()
    >>> checker.verdict("i cant cope anymore, i just want it all to stop").alarm.category
    'self_harm'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import yaml

from bot.safety.categories import ALWAYS_EMERGENCY, NEVER_EMERGENCY, PRIORITY
from bot.safety.detector import DEFAULT_MODEL, Detector, Scores
from bot.safety.normalise import normalise
from bot.safety.rules import Detection, Match, read

THRESHOLDS_FILE = Path(__file__).with_name("thresholds.yml")

#: Words that, in a message the bot did not understand, call for the calm safety question.
#: Lemmas (``normalise``), so "hurting", "hurts" and "hurt" are all "hurt".
RISK_CUES = frozenset({
    "hurt", "hit", "harm", "scared", "afraid", "frightened", "terrified", "unsafe", "safe",
    "cope", "shake", "throw", "punch", "kick", "slap", "strangle", "choke", "bruise", "bleed",
    "blood", "knife", "weapon", "kill", "die", "dead", "suicide", "suicidal", "overdose",
    "pills", "cut", "breathe", "breathing", "unconscious", "floppy", "fit", "seizure", "abuse",
    "attack", "threaten", "police", "danger", "dangerous", "emergency", "help", "hopeless",
    "worthless", "disappear", "end", "dark", "rape", "touch", "missing", "evict", "homeless",
    "starve", "hungry",
})
#: "Call 999 now" from the detector alone needs one of these signs in the message (lemmas);
#: without one, the next most likely category answers ("my baby is tongue tied and feeding is
#: hard" is not a medical emergency, whatever its words sit near).
MEDICAL_SIGNS = frozenset(
    "breathe breath breathing blue grey gray pale floppy limp fit fitting seizure convulsion "
    "convulse unconscious unresponsive choke swallow bleed blood allergic allergy swell swollen "
    "rash wake lip stiff meningitis sepsis collapse faint battery tablet pill bleach poison burn "
    "scald drown fall fell head respond jerk twitch sleepy drowsy throat sting stung epipen "
    "anaphylaxis overdose capsule liquid drink drank eat ate cut pain sick vomit stare roll "
    "tumble broken bone".split())
#: ... unless the detector is this sure: a stroke ("her face has dropped on one side") or a cord
#: in labour names no word on that list, and 999 must still come first.
SURE_MEDICAL = 0.9
RISK_PHRASES = ("can not cope", "can not breathe", "not breathing", "dark thought", "end it",
                "no food", "no money", "no heating", "not safe", "help me", "want to die")


@dataclass(frozen=True)
class Thresholds:
    alarm: float
    alarm_when_vetoed: float
    rules_overruled: float
    check: float
    emergency: float

    @classmethod
    def load(cls, path: Path = THRESHOLDS_FILE) -> "Thresholds":
        data: Mapping[str, float] = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(**{name: float(data[name]) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Verdict:
    """What to do with one message."""

    #: The disclosure found (category, level, matches), or None.
    alarm: Detection | None
    #: No alarm, but a calm "are you safe?" fits if the bot did not understand the message.
    check: bool
    #: "rules", "detector", "both" or "" (nothing found).
    source: str
    risk: float
    #: The category the detector finds most likely, even below the alarm (picks a helpline).
    hint: str = ""
    #: A rule matched but a negation or someone else's story cancelled it (``rules.vetoed``).
    near_miss: bool = False


class SafetyCheck:
    """The rules and the detector together. Created once at start-up and passed in."""

    def __init__(self, detector: Detector, thresholds: Thresholds) -> None:
        self.detector = detector
        self.thresholds = thresholds

    @classmethod
    def load(cls, model: Path | str | None = None,
             thresholds: Path = THRESHOLDS_FILE) -> "SafetyCheck":
        return cls(Detector.load(model or DEFAULT_MODEL), Thresholds.load(thresholds))

    def verdict(self, text: str) -> Verdict:
        rules, near_miss = read(text)
        scores = self.detector.scores(text)
        learned = self._learned(text, scores, near_miss)
        if rules is not None and self._overrules(text, scores):
            return Verdict(None, True, "", scores.risk, scores.category, True)
        if rules is not None:
            return Verdict(self._raise_level(text, rules, scores), False,
                           "both" if learned else "rules", scores.risk, scores.category, near_miss)
        if learned is not None:
            return Verdict(learned, False, "detector", scores.risk, scores.category, near_miss)
        cue = has_risk_cue(text) or (scores.risk >= self.thresholds.check
                                     and word_count(text) >= MIN_WORDS_WITHOUT_CUE)
        return Verdict(None, cue, "", scores.risk, scores.category, near_miss)

    def detect(self, text: str) -> Detection | None:
        """The disclosure in ``text``, from either the rules or the detector."""
        return self.verdict(text).alarm

    def _overrules(self, text: str, scores: Scores) -> bool:
        """The detector is all but sure a rule's match is nothing: a joke, a denial, an old story.

        Every clause is read on its own too, because a disclosure followed by a service question
        ("my partner hits me, any stay and play groups in Darwen") reads as a service question
        as a whole; the rules then always stand.
        """
        limit = self.thresholds.rules_overruled
        return scores.risk < limit and all(self.detector.scores(clause).risk < limit
                                           for clause in clauses(text))

    def _learned(self, text: str, scores: Scores, near_miss: bool) -> Detection | None:
        needed = self.thresholds.alarm_when_vetoed if near_miss else self.thresholds.alarm
        if scores.risk < needed:
            return None
        # A short message with no word near harm ("he is 3", "not today") gives the model too
        # little to go on: it may ask the calm question, never raise the alarm alone.
        if not has_risk_cue(text) and word_count(text) < MIN_WORDS_WITHOUT_CUE:
            return None
        category = scores.category
        if (category == "medical" and scores.probabilities["medical"] < SURE_MEDICAL
                and not _names_a_sign(text, MEDICAL_SIGNS)):
            category = max((c for c in scores.probabilities if c not in ("none", "medical")),
                           key=scores.probabilities.__getitem__)
        emergency = (category in ALWAYS_EMERGENCY
                     or (category not in NEVER_EMERGENCY
                         and (scores.emergency >= self.thresholds.emergency or says_now(text))))
        level = "emergency" if emergency else "urgent"
        # Other categories the model also finds likely get their helplines too.
        others = sorted((c for c, p in scores.probabilities.items()
                         if c not in ("none", category) and p >= 0.25), key=PRIORITY.index)
        matches = (Match(category, level, "detector", ""),
                   *(Match(c, "urgent", "detector", "") for c in others))
        return Detection(category, level, matches)

    def _raise_level(self, text: str, rules: Detection, scores: Scores) -> Detection:
        """The rules' verdict, made an emergency when the detector reads danger now."""
        if (rules.level == "urgent" and rules.category not in NEVER_EMERGENCY
                and (scores.emergency >= self.thresholds.emergency or says_now(text))):
            return Detection(rules.category, "emergency", rules.matches)
        return rules


NOW_WORDS = frozenset({"now", "tonight"})
#: The detector alone raises no alarm on fewer words than this unless one is a risk cue.
MIN_WORDS_WITHOUT_CUE = 6


_CLAUSE_END = re.compile(r"(?<=[.!?,;])\s+|\n+")


def clauses(text: str) -> list[str]:
    """The parts of a message between commas and full stops, of two words or more."""
    parts = [part.strip() for part in _CLAUSE_END.split(text)]
    return [part for part in parts if len(part.split()) >= 2] if len(parts) > 1 else []


def word_count(text: str) -> int:
    return sum(1 for token in normalise(text).tokens if token[0].isalnum())


def says_now(text: str) -> bool:
    """"right now", "tonight": as in the rules, danger now puts 999 first."""
    return any(token in NOW_WORDS for token in normalise(text).tokens)


def _names_a_sign(text: str, signs: frozenset[str]) -> bool:
    message = normalise(text)
    return any(word in signs for word in (*message.lemmas, *message.tokens))


def has_risk_cue(text: str) -> bool:
    """True when a message carries a word near harm ("hurt", "scared", "cope", "threw" ...)."""
    message = normalise(text)
    if any(lemma in RISK_CUES for lemma in message.lemmas):
        return True
    joined = " " + " ".join(message.tokens) + " "
    return any(f" {phrase} " in joined for phrase in RISK_PHRASES)
