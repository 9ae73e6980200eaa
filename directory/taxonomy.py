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

TAXONOMY_ID = "signpost-core-offer"
DEFAULT_PATH = Path(__file__).with_name("taxonomy.yml")
MIN_PHRASES = 15

_TERM_FIELDS = ("id", "name", "description", "label", "related", "phrases")
_TOP_FIELDS = ("id", "name", "description", "terms")
_TERM_ID = re.compile(r"^[a-z][a-z0-9_]*$")


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
class Taxonomy:
    """The whole core offer: its terms in file order."""

    id: str
    name: str
    description: str
    terms: tuple[Term, ...]
    version: str = "1"

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
            universal=universal,
        ))

    for t in terms:
        for r in t.related:
            if r == t.id:
                errors.append(f"term '{t.id}' lists itself as related")
            elif r not in seen_ids:
                errors.append(f"term '{t.id}' has an unknown related term '{r}' "
                              f"(known: {', '.join(sorted(seen_ids))})")

    if errors:
        listed = "\n".join(f"  - {e}" for e in errors)
        raise TaxonomyError(f"{source} has {len(errors)} problem(s):\n{listed}")
    return Taxonomy(
        id=str(raw["id"]),
        name=str(raw["name"]),
        description=str(raw["description"]),
        terms=tuple(terms),
        version=str(raw.get("version", "1")),
    )
