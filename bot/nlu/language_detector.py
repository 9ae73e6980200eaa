"""Notice a message written in another language, so it is not misread as English.

Everything before this component reads English: "czy są grupy dla dzieci w Blackburn" ("are
there groups for children in Blackburn", in Polish) came out as three SEND services, because DIET
guessed at the letters. This component runs after the English components (config.yml). When
lingua says, with confidence, that a message is in one of the languages in
``common/languages.yml``, it

- adds a ``language`` entity (the ISO 639-1 code, such as ``pl``), which fills the ``language``
  slot, so the reply can offer an interpreter in the parent's own language;
- sets the intent to ``find_service``: a parent who writes to a directory bot in Polish is
  looking for something, and the search then asks for what it needs;
- throws away the English guesses (DIET's and the rules') and keeps only what means the same in
  any language: postcodes and the directory's own town names, a number with that language's
  word for years or months ("2 lata" is 24 months), and the need words listed for that language
  under ``other_languages`` in ``directory/taxonomy.yml`` ("grupy dla dzieci" is stay and play).
  Each kept entity says where it came from in ``source``.

Short messages stay English: "ok", "hi", "BB1" and "sunday" are too short for any detector to
be sure about, and treating them as Polish would be worse than missing a short Polish greeting.
A message in Latin letters needs ``min_letters`` letters and ``min_confidence``; one written
mostly in another script (Urdu, Bengali, Gurmukhi, Gujarati, Arabic) cannot be English, so a few
letters are enough there.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.parsers import find_places, find_postcodes
from common.languages import DEFAULT_PATH as LANGUAGES_PATH
from common.languages import Language, load_languages
from common.settings import Settings
from directory import live
from directory.taxonomy import DEFAULT_PATH as TAXONOMY_PATH
from directory.taxonomy import load_taxonomy

logger = logging.getLogger(__name__)

LANGUAGE = "language"
FIND_SERVICE = "find_service"
#: ``source`` of the entities this component keeps or adds, so a reader of the parse can tell
#: a need word from the taxonomy's ``other_languages`` from one DIET learned.
SOURCE_POSTCODE = "postcode"
SOURCE_TOWN = "directory town"
SOURCE_AGE = "languages.yml age_words"
SOURCE_NEED = "taxonomy.yml other_languages"
SOURCE_DETECTOR = "lingua"

_MAX_AGE_YEARS = 18
_MAX_AGE_MONTHS = 60


# --------------------------------------------------------------------------------------------
# Letters, words and folding: the same rules for every script
# --------------------------------------------------------------------------------------------

def _is_word_char(ch: str) -> bool:
    # Letters, combining marks (Bengali and Gujarati vowel signs) and digits, plus the zero-width
    # joiners Urdu and the Indian scripts use inside words.
    return unicodedata.category(ch)[0] in "LMN" or ch in "\u200c\u200d"


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def letter_counts(text: str) -> tuple[int, int]:
    """(letters in Latin script, letters in any other script) in ``text``."""
    latin = other = 0
    for ch in text:
        if ch.isalpha():
            if _is_latin(ch):
                latin += 1
            else:
                other += 1
    return latin, other


def fold(text: str) -> str:
    """Lower case, with accents on Latin letters taken off ("Grupę" -> "grupe", "ł" -> "l").

    Parents often type without accents on an English keyboard. Marks on other scripts are part
    of the letters (a Bengali vowel sign changes the word), so those are kept. The result has
    one character per character of ``text``, so positions found in it are positions in ``text``.
    """
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) != 1:
            low = ch
        if _is_latin(low) and not low.isascii():
            base = unicodedata.normalize("NFD", low)[0]
            low = {"ł": "l", "ø": "o", "ß": "s", "đ": "d"}.get(low, base if base.isascii() else low)
        out.append(low)
    return "".join(out)


@dataclass(frozen=True)
class Word:
    """A run of letters, marks or digits in a message, folded, with its place in the original."""

    text: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The words of ``text`` in order; punctuation and spaces split them."""
    folded = fold(text)
    out: list[Word] = []
    start = None
    for i, ch in enumerate(folded + " "):
        if i < len(folded) and _is_word_char(ch):
            if start is None:
                start = i
        elif start is not None:
            out.append(Word(folded[start:i], start, i))
            start = None
    return out


def _word_matches(pattern: str, word: str) -> bool:
    """A word of a phrase against a word of the message; "zabaw*" is "zabaw" and any ending."""
    if pattern.endswith("*"):
        return word.startswith(pattern[:-1])
    return word == pattern


@dataclass(frozen=True)
class PhraseMatch:
    """A listed phrase found in a message: what it stands for and where it is."""

    value: str
    start: int
    end: int
    text: str


class PhraseFinder:
    """Phrases (with ``*`` endings) -> a value each, found as whole words in any script."""

    def __init__(self, phrases: Mapping[str, str]) -> None:
        self._phrases: list[tuple[tuple[str, ...], str]] = []
        for phrase, value in phrases.items():
            parts: list[str] = []
            for token in phrase.split():
                token_words = [w.text for w in words(token)]
                if token.endswith("*") and token_words:
                    token_words[-1] += "*"
                parts.extend(token_words)
            if parts:
                self._phrases.append((tuple(parts), value))
        # Longest phrases first, so "grupy dla dzieci" wins over a one-word phrase inside it.
        self._phrases.sort(key=lambda p: -len(p[0]))

    def find(self, text: str) -> list[PhraseMatch]:
        """Non-overlapping phrases in ``text``, longest first, then in order."""
        ws = words(text)
        taken: set[int] = set()
        found: list[PhraseMatch] = []
        for parts, value in self._phrases:
            n = len(parts)
            for i in range(len(ws) - n + 1):
                if any(j in taken for j in range(i, i + n)):
                    continue
                if all(_word_matches(p, ws[i + k].text) for k, p in enumerate(parts)):
                    taken.update(range(i, i + n))
                    start, end = ws[i].start, ws[i + n - 1].end
                    found.append(PhraseMatch(value, start, end, text[start:end]))
        return sorted(found, key=lambda m: m.start)


# --------------------------------------------------------------------------------------------
# What is kept from a message in another language
# --------------------------------------------------------------------------------------------

def find_ages(text: str, language: Language, extractor: str) -> list[dict[str, Any]]:
    """``child_age`` entities (months) for a number followed by the language's years or months
    word ("2 lata", "18 miesięcy", "২ বছর"); any script's digits count."""
    units = PhraseFinder({**{w: "years" for w in language.years}, **{w: "months" for w in language.months}})
    ws = words(text)
    out = []
    for unit in units.find(text):
        before = [w for w in ws if w.end <= unit.start]
        if not before or not before[-1].text.isdecimal() or len(before[-1].text) > 2:
            continue
        number_word = before[-1]
        if text[number_word.end:unit.start].strip(" -") != "":
            continue
        number = int(number_word.text)
        if unit.value == "years" and number <= _MAX_AGE_YEARS:
            months = number * 12
        elif unit.value == "months" and number <= _MAX_AGE_MONTHS:
            months = number
        else:
            continue
        out.append({"entity": "child_age", "value": months, "start": number_word.start,
                    "end": unit.end, "text": text[number_word.start:unit.end],
                    "confidence_entity": 1.0, "extractor": extractor, "source": SOURCE_AGE})
    return out


def find_neutral_places(text: str, known_places: Iterable[str], extractor: str) -> list[dict[str, Any]]:
    """Postcodes and the directory's town names: the same in a message in any language.

    A place found only after an English cue word ("in X") is left out: in Romanian "in zona"
    would become a town called Zona.
    """
    known = {p.strip() for p in known_places if p and p.strip()}
    postcodes = {(f.start, f.end) for f in find_postcodes(text)}
    out = []
    for f in find_places(text, known):
        if (f.start, f.end) in postcodes:
            source = SOURCE_POSTCODE
        elif f.value in known:
            source = SOURCE_TOWN
        else:
            continue
        out.append({"entity": "place", "value": f.value, "start": f.start, "end": f.end,
                    "text": f.text, "confidence_entity": 1.0, "extractor": extractor, "source": source})
    return out


def find_needs(text: str, finder: PhraseFinder | None, code: str, extractor: str) -> list[dict[str, Any]]:
    """``need`` entities from the taxonomy's words in this language, one per need."""
    if finder is None:
        return []
    out, seen = [], set()
    for m in finder.find(text):
        if m.value in seen:
            continue
        seen.add(m.value)
        out.append({"entity": "need", "value": m.value, "start": m.start, "end": m.end,
                    "text": m.text, "confidence_entity": 1.0, "extractor": extractor,
                    "source": SOURCE_NEED, "language": code})
    return out


# --------------------------------------------------------------------------------------------
# The detector
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Detection:
    """A message's language, when it is not English: its code and lingua's confidence."""

    code: str
    confidence: float


class LanguageGuesser:
    """lingua, built once, limited to English and the languages we can answer, plus the rules
    that keep short English messages English (see the module docstring)."""

    def __init__(self, codes: Iterable[str], *, min_letters: int = 10, min_confidence: float = 0.8,
                 min_other_script_letters: int = 2, min_other_script_confidence: float = 0.5,
                 preload: bool = True) -> None:
        from lingua import IsoCode639_1, Language as LinguaLanguage, LanguageDetectorBuilder

        wanted = {"en", *codes}
        self._by_lingua: dict[Any, str] = {}
        chosen = []
        for code in sorted(wanted):
            try:
                lang = LinguaLanguage.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
            except (AttributeError, ValueError):
                raise ValueError(f"The language detector (lingua) does not know the language "
                                 f"{code!r}; see docs/extending.md, 'Adding a language'.") from None
            self._by_lingua[lang] = code
            chosen.append(lang)
        builder = LanguageDetectorBuilder.from_languages(*chosen)
        if preload:
            builder = builder.with_preloaded_language_models()
        self._detector = builder.build()
        self.min_letters = min_letters
        self.min_confidence = min_confidence
        self.min_other_script_letters = min_other_script_letters
        self.min_other_script_confidence = min_other_script_confidence

    def detect(self, text: str) -> Detection | None:
        """The language of ``text`` when it is confidently not English; None otherwise."""
        latin, other = letter_counts(text)
        if other >= self.min_other_script_letters and other >= latin:
            needed = self.min_other_script_confidence
        elif latin >= self.min_letters:
            needed = self.min_confidence
        else:
            return None
        values = self._detector.compute_language_confidence_values(text)
        if not values:
            return None
        best = values[0]
        code = self._by_lingua.get(best.language)
        if code is None or code == "en" or best.value < needed:
            return None
        return Detection(code, round(float(best.value), 3))


# --------------------------------------------------------------------------------------------
# The Rasa component
# --------------------------------------------------------------------------------------------

@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageDetector(GraphComponent):
    """Tags a message in another language and keeps only what the search can use; see the
    module docstring."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # None: common/languages.yml and directory/taxonomy.yml.
            "languages_path": None,
            "taxonomy_path": None,
            # None: the directory in this process's Settings (SIGNPOST_DIRECTORY_DB), for towns.
            "directory_db": None,
            "refresh_seconds": 1.0,
            # A message in Latin letters needs this many letters and this confidence to count as
            # another language; one mostly in another script needs far less (module docstring).
            "min_letters": 10,
            "min_confidence": 0.8,
            "min_other_script_letters": 2,
            "min_other_script_confidence": 0.5,
            # Load every language's model at start-up (about 250 MB, bench/README.md) rather than
            # when the first message in that script arrives (a pause of about a second then).
            "preload_models": True,
        }

    def __init__(self, config: Mapping[str, Any], towns: live.LiveQuery[tuple[str, ...]] | Iterable[str],
                 guesser: LanguageGuesser | None = None) -> None:
        self._config = {**self.get_default_config(), **config}
        self.languages = load_languages(self._config.get("languages_path") or LANGUAGES_PATH)
        taxonomy = load_taxonomy(self._config.get("taxonomy_path") or TAXONOMY_PATH)
        self._needs = {code: PhraseFinder(index)
                       for code, index in taxonomy.other_language_index().items()}
        unknown = set(self._needs) - set(self.languages)
        if unknown:
            logger.warning("taxonomy.yml has need words for %s, which common/languages.yml does "
                           "not list; they are not used", ", ".join(sorted(unknown)))
        self._towns = towns
        self.guesser = guesser or LanguageGuesser(
            self.languages,
            min_letters=int(self._config["min_letters"]),
            min_confidence=float(self._config["min_confidence"]),
            min_other_script_letters=int(self._config["min_other_script_letters"]),
            min_other_script_confidence=float(self._config["min_other_script_confidence"]),
            preload=bool(self._config["preload_models"]),
        )

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageDetector":
        # Rasa builds the component itself, so this is where it is given the directory.
        path = config.get("directory_db") or Settings.from_env().directory_db
        return cls(config, live.towns(Path(path), min_interval=float(config.get("refresh_seconds", 1.0))))

    @property
    def name(self) -> str:
        return type(self).__name__

    def _known_towns(self) -> Iterable[str]:
        towns = self._towns
        return towns.get() if isinstance(towns, live.LiveQuery) else towns

    def entities_for(self, text: str, detection: Detection) -> list[dict[str, Any]]:
        """The entities a message in another language keeps (module docstring), language first."""
        language = self.languages[detection.code]
        # The whole message is in the language; its text is not copied again into the entity.
        tag = {"entity": LANGUAGE, "value": detection.code, "start": 0, "end": len(text),
               "confidence_entity": detection.confidence, "extractor": self.name,
               "source": SOURCE_DETECTOR, "language_name": language.name}
        found = [*find_neutral_places(text, self._known_towns(), self.name),
                 *find_ages(text, language, self.name),
                 *find_needs(text, self._needs.get(detection.code), detection.code, self.name)]
        spans = [(e["start"], e["end"]) for e in found if e["entity"] == "child_age"]
        # "2 lata" is an age; a "2" inside it is no outward postcode.
        found = [e for e in found if e["entity"] != "place"
                 or all(e["end"] <= s or e["start"] >= t for s, t in spans)]
        return [tag, *sorted(found, key=lambda e: (e["start"], e["entity"]))]

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # buttons send "/intent{...}" payloads, which are no language
            detection = self.guesser.detect(text)
            if detection is None:
                continue
            logger.debug("Message read as %s (%.2f)", detection.code, detection.confidence)
            intent = {"name": FIND_SERVICE, "confidence": 1.0}
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent], add_to_output=True)
            message.set(ENTITIES, self.entities_for(text, detection), add_to_output=True)
        return messages
