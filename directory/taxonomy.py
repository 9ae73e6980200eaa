"""The needs taxonomy: ``taxonomy.yml`` read, checked and shaped for the rest of Signpost.

One file drives directory categories, NLU synonyms and reply wording, so a mistake in it would
spread everywhere. ``load_taxonomy()`` therefore refuses a broken file with a message that names
the term and the fix, instead of letting a duplicate phrase quietly confuse the bot.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from common.days import DAY_CODES, TIMES_OF_DAY

TAXONOMY_ID = "signpost-core-offer"
DEFAULT_PATH = Path(__file__).with_name("taxonomy.yml")
MIN_PHRASES = 15

_TERM_FIELDS = ("id", "name", "description", "label", "related", "phrases")
_TOP_FIELDS = ("id", "name", "description", "terms")
_TERM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")


class TaxonomyError(ValueError):
    """``taxonomy.yml`` is broken; the message says where and how to fix it."""


@dataclass(frozen=True)
class Term:
    """One need, such as ``stay_and_play``."""

    id: str
    name: str
    description: str
    label: str
    related: tuple[str, ...]
    phrases: tuple[str, ...]
    #: The FAQ answers (``utter_ask_core_offer_info/<key>`` in domain/faq.yml) that explain this
    #: need, so an answer can go on to "find one near you" without the parent repeating it.
    faq: tuple[str, ...] = ()
    #: Need words in other languages, as (ISO 639-1 code, words) pairs: what a parent writing
    #: in Polish or Urdu types for this need ("grupy dla dzieci"). Matched only in a message the
    #: language detector has read as that language; never NLU training data.
    other_languages: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def words_in(self, code: str) -> tuple[str, ...]:
        """This need's words in the language ``code`` (none when the file has none)."""
        return dict(self.other_languages).get(code, ())
    #: Offered to every family, asked for or not (health visiting, stay and play...). When a
    #: parent has not said what they need, a search lists these first: the universal offer is
    #: the least stigmatising place to start, and the one most families use.
    universal: bool = False

    def as_oruk(self, taxonomy_id: str = TAXONOMY_ID, taxonomy_name: str = "") -> dict[str, Any]:
        """The ORUK 3.0 ``taxonomy_term`` record (also used inside a service's ``attributes``)."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "taxonomy": taxonomy_name or taxonomy_id,
            "taxonomy_id": taxonomy_id,
            "term": self.id,
        }


@dataclass(frozen=True)
class Circumstance:
    """Something about a family's life that changes what suits them, not what they need:
    "we don't drive", "I work all week", "we have twins". Parents say these instead of a need,
    and the bot answers with the services that fit, said plainly and without a label."""

    id: str
    #: What parents type (matched as whole words, case and spacing ignored).
    phrases: tuple[str, ...]
    #: Words that rank services saying them first ("outreach", "home visits").
    words: tuple[str, ...] = ()
    #: Nearest first.
    closer: bool = False
    #: Sessions on these days (RRULE codes) or at this time of day first.
    prefer_days: tuple[str, ...] = ()
    prefer_time: str | None = None
    #: One plain sentence the reply starts with, or "".
    says: str = ""

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        alternatives = sorted((re.escape(normalise_phrase(p)).replace(r"\ ", r"\s+")
                               for p in self.phrases), key=len, reverse=True)
        return re.compile(r"(?<![\w'])(?:" + "|".join(alternatives) + r")(?![\w'])", re.IGNORECASE)


@dataclass(frozen=True)
class Taxonomy:
    """The whole core offer: its terms in file order."""

    id: str
    name: str
    description: str
    terms: tuple[Term, ...]
    version: str = "1"
    circumstances: tuple[Circumstance, ...] = ()

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.terms]

    def term(self, term_id: str) -> Term:
        """The term with this id; ``KeyError`` names the known ids when it does not exist."""
        for t in self.terms:
            if t.id == term_id:
                return t
        raise KeyError(f"No need called {term_id!r} in the taxonomy. Known: {', '.join(self.ids)}")

    def __contains__(self, term_id: object) -> bool:
        return any(t.id == term_id for t in self.terms)

    def circumstances_in(self, text: str) -> list[Circumstance]:
        """The circumstances a parent's message mentions ("we don't drive" -> cant_travel)."""
        text = " ".join(text.replace("\u2019", "'").split())
        return [c for c in self.circumstances if c.pattern.search(text)]

    def has_circumstance(self, circumstance_id: str) -> bool:
        return any(c.id == circumstance_id for c in self.circumstances)

    def circumstance(self, circumstance_id: str) -> Circumstance:
        for c in self.circumstances:
            if c.id == circumstance_id:
                return c
        raise KeyError(f"No circumstance called {circumstance_id!r} in the taxonomy")
    @property
    def universal_ids(self) -> list[str]:
        """The needs marked ``universal: true``, in file order."""
        return [t.id for t in self.terms if t.universal]

    def need_of_faq(self, faq_key: str) -> str | None:
        """The need an FAQ answer explains ("what_is_portage" -> disability_send), if any."""
        for t in self.terms:
            if faq_key in t.faq:
                return t.id
        return None

    def phrase_index(self) -> dict[str, str]:
        """Every phrase (lower-cased, single-spaced) mapped to its term id."""
        return {normalise_phrase(p): t.id for t in self.terms for p in t.phrases}

    def other_language_index(self) -> dict[str, dict[str, str]]:
        """Language code -> need word (as written in the file) -> term id."""
        index: dict[str, dict[str, str]] = {}
        for t in self.terms:
            for code, words in t.other_languages:
                for word in words:
                    index.setdefault(code, {})[word] = t.id
        return index

    def as_oruk(self) -> dict[str, Any]:
        """The ORUK 3.0 ``taxonomy`` record with its ``taxonomy_terms`` nested, as ``GET /taxonomies/{id}``."""
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "version": self.version,
            "taxonomy_terms": [t.as_oruk(self.id, self.name) for t in self.terms],
        }


def normalise_phrase(phrase: str) -> str:
    """Compare phrases the way a parent's message is compared: case and spacing don't matter."""
    return " ".join(phrase.casefold().split())


def _other_languages(raw: Any, where: str, term_id: str, owner: dict[tuple[str, str], str],
                     errors: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A term's ``other_languages`` checked: two-letter codes, lists of words, each word in one
    term per language (a word that meant two needs would pick one at random)."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        errors.append(f"{where}: 'other_languages' must map language codes (like 'pl') to lists of words")
        return ()
    out = []
    for code, words in raw.items():
        if not isinstance(code, str) or not _LANGUAGE_CODE.match(code) or code == "en":
            errors.append(f"{where}: {code!r} in 'other_languages' is not a two-letter language "
                          f"code other than 'en' (like 'pl')")
            continue
        if not isinstance(words, list) or not words or not all(
                isinstance(w, str) and w.strip() for w in words):
            errors.append(f"{where}: 'other_languages.{code}' must be a list of words")
            continue
        kept = []
        for word in words:
            key = (code, normalise_phrase(word))
            if owner.get(key) == term_id:
                errors.append(f"{where} lists the {code} word '{word}' twice")
            elif key in owner:
                errors.append(f"the {code} word '{word}' in '{term_id}' is already in "
                              f"'{owner[key]}'; a word may belong to one term only")
            else:
                owner[key] = term_id
                kept.append(" ".join(word.split()))
        out.append((code, tuple(kept)))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _load_cached(path: str) -> Taxonomy:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"Cannot read the taxonomy file {path}: {exc.strerror or exc}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path} is not valid YAML: {exc}") from exc
    return parse_taxonomy(raw, source=path)


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and check ``taxonomy.yml`` (next to this module by default). Cached per path."""
    resolved = Path(path) if path is not None else DEFAULT_PATH
    return _load_cached(str(resolved.resolve()))


load_taxonomy.cache_clear = _load_cached.cache_clear  # type: ignore[attr-defined]


def parse_taxonomy(raw: Any, source: str = "taxonomy.yml") -> Taxonomy:
    """Build a ``Taxonomy`` from parsed YAML, collecting every problem before raising."""
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{source}: expected a mapping with {', '.join(_TOP_FIELDS)} at the top.")
    errors: list[str] = []
    for field in _TOP_FIELDS:
        if field not in raw or raw[field] in (None, "", []):
            errors.append(f"the taxonomy is missing '{field}'")
    raw_terms = raw.get("terms") or []
    if not isinstance(raw_terms, list):
        errors.append("'terms' must be a list of terms")
        raw_terms = []

    seen_ids: set[str] = set()
    phrase_owner: dict[str, tuple[str, str]] = {}  # normalised phrase -> (term id, as written)
    word_owner: dict[tuple[str, str], str] = {}  # (language, normalised word) -> term id
    terms: list[Term] = []
    for position, entry in enumerate(raw_terms, start=1):
        where = f"term {position}"
        if not isinstance(entry, dict):
            errors.append(f"{where} must be a mapping with {', '.join(_TERM_FIELDS)}")
            continue
        term_id = entry.get("id")
        if not isinstance(term_id, str) or not _TERM_ID.match(term_id):
            errors.append(f"{where}: 'id' must be lower case letters, digits and underscores "
                          f"(like 'stay_and_play'), not {term_id!r}")
            continue
        where = f"term '{term_id}'"
        if term_id in seen_ids:
            errors.append(f"{where}: the id '{term_id}' is used by more than one term")
            continue
        seen_ids.add(term_id)
        missing = [f for f in _TERM_FIELDS if f not in entry or entry[f] in (None, "")]
        if missing:
            errors.append(f"{where} is missing {', '.join(repr(m) for m in missing)}")
            continue
        for field in ("name", "description", "label"):
            if not isinstance(entry[field], str) or not entry[field].strip():
                errors.append(f"{where}: '{field}' must be some text")
        related = entry["related"] or []
        phrases = entry["phrases"] or []
        if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
            errors.append(f"{where}: 'related' must be a list of term ids")
            related = []
        if not isinstance(phrases, list) or not all(isinstance(p, (str, int)) for p in phrases):
            errors.append(f"{where}: 'phrases' must be a list of text")
            phrases = []
        phrases = [str(p).strip() for p in phrases]
        if len(phrases) < MIN_PHRASES:
            errors.append(f"{where} has {len(phrases)} phrases; it needs at least {MIN_PHRASES} "
                          f"things parents really type")
        for phrase in phrases:
            key = normalise_phrase(phrase)
            if not key:
                errors.append(f"{where} has an empty phrase")
                continue
            owner, written = phrase_owner.get(key, (None, ""))
            if owner == term_id:
                errors.append(f"{where} lists the phrase '{phrase}' twice")
            elif owner is not None:
                errors.append(f"the phrase '{phrase}' in '{term_id}' is already in '{owner}' "
                              f"(as '{written}'); a phrase may belong to one term only")
            else:
                phrase_owner[key] = (term_id, phrase)
        faq = entry.get("faq") or []
        if not isinstance(faq, list) or not all(isinstance(f, str) for f in faq):
            errors.append(f"{where}: 'faq' must be a list of FAQ answer keys")
            faq = []
        other_languages = _other_languages(entry.get("other_languages"), where, term_id,
                                           word_owner, errors)
        universal = entry.get("universal", False)
        if not isinstance(universal, bool):
            errors.append(f"{where}: 'universal' must be true or false, not {universal!r}")
            universal = False
        terms.append(Term(
            id=term_id,
            name=str(entry["name"]).strip(),
            description=str(entry["description"]).strip(),
            label=str(entry["label"]).strip(),
            related=tuple(related),
            phrases=tuple(phrases),
            faq=tuple(faq),
            other_languages=other_languages,
            universal=universal,
        ))

    for t in terms:
        for r in t.related:
            if r == t.id:
                errors.append(f"term '{t.id}' lists itself as related")
            elif r not in seen_ids:
                errors.append(f"term '{t.id}' has an unknown related term '{r}' "
                              f"(known: {', '.join(sorted(seen_ids))})")

    circumstances = _parse_circumstances(raw.get("circumstances") or [], errors)
    if errors:
        listed = "\n".join(f"  - {e}" for e in errors)
        raise TaxonomyError(f"{source} has {len(errors)} problem(s):\n{listed}")
    return Taxonomy(
        circumstances=circumstances,
        id=str(raw["id"]),
        name=str(raw["name"]),
        description=str(raw["description"]),
        terms=tuple(terms),
        version=str(raw.get("version", "1")),
    )


_CIRCUMSTANCE_FIELDS = {"id", "phrases", "words", "closer", "prefer_days", "prefer_time", "says"}


def _strings(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        return None
    return tuple(v.strip() for v in value)


def _parse_circumstances(raw: Any, errors: list[str]) -> tuple[Circumstance, ...]:
    """The ``circumstances:`` section, every problem added to ``errors``."""
    if not isinstance(raw, list):
        errors.append("'circumstances' must be a list")
        return ()
    out: list[Circumstance] = []
    for n, entry in enumerate(raw, start=1):
        where = f"circumstance #{n}"
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            errors.append(f"{where}: needs an 'id'")
            continue
        where = f"circumstance '{entry['id']}'"
        unknown = set(entry) - _CIRCUMSTANCE_FIELDS
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        phrases, words, days = (_strings(entry.get(k)) for k in ("phrases", "words", "prefer_days"))
        if not phrases:
            errors.append(f"{where}: 'phrases' must be a non-empty list of what parents type")
            continue
        if words is None or days is None:
            errors.append(f"{where}: 'words' and 'prefer_days' must be lists of text")
            continue
        if any(d not in DAY_CODES for d in days):
            errors.append(f"{where}: 'prefer_days' uses day codes {', '.join(DAY_CODES)}")
        time = entry.get("prefer_time")
        if time is not None and time not in TIMES_OF_DAY:
            errors.append(f"{where}: 'prefer_time' must be morning, afternoon or evening")
        out.append(Circumstance(id=entry["id"], phrases=phrases, words=words,
                                closer=bool(entry.get("closer")), prefer_days=days,
                                prefer_time=time, says=str(entry.get("says") or "").strip()))
    return tuple(out)
