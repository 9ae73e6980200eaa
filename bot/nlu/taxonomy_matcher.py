"""Find need phrases ("baby massage", "dads groups") in a message, from the taxonomy AND the live directory.

DIET learns needs from the generated examples, but it only knows the phrases it was trained on.
Staff add phrases in the directory (``taxonomy_term_phrase``) while the bot runs; this component
reads that table (re-reading when it changes) and the taxonomy file, and matches every phrase
with a spaCy ``PhraseMatcher`` on lower-cased words and on lemmas ("dads groups" matches
"dads group"). It adds ``need`` entities (value = term id) that DIET missed, never a duplicate,
turns any DIET need whose value is not a term id into one, or drops it, and makes a DIET need
sure (confidence 1.0) where one of that need's phrases is in the message.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import SPACY_DOCS
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from common.settings import Settings
from directory import live
from directory.taxonomy import DEFAULT_PATH as TAXONOMY_PATH
from directory.taxonomy import load_taxonomy, normalise_phrase

logger = logging.getLogger(__name__)

NEED = "need"


@dataclass(frozen=True)
class NeedMatch:
    """A need phrase found in a message."""

    term_id: str
    start: int
    end: int
    text: str


class NeedMatcher:
    """A spaCy PhraseMatcher over a set of phrase -> term id pairs, rebuilt when the set changes."""

    def __init__(self, nlp, phrases: dict[str, str]) -> None:
        from spacy.matcher import PhraseMatcher

        self.nlp = nlp
        self.phrases = dict(phrases)
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._lemma = PhraseMatcher(nlp.vocab, attr="LEMMA")
        by_term: dict[str, list[str]] = {}
        for phrase, term_id in self.phrases.items():
            by_term.setdefault(term_id, []).append(phrase)
        for term_id, term_phrases in sorted(by_term.items()):
            self._lower.add(term_id, [nlp.make_doc(p) for p in term_phrases])
            self._lemma.add(term_id, list(nlp.pipe(term_phrases)))

    def find(self, doc) -> list[NeedMatch]:
        """Longest, non-overlapping need phrases in ``doc`` (made by the same ``nlp``)."""
        from spacy.util import filter_spans

        spans = []
        for match_id, start, end in self._lower(doc):
            spans.append(_label(doc, start, end, match_id))
        for match_id, start, end in self._lemma(doc):
            span = _label(doc, start, end, match_id)
            # A one-word phrase matched only through its lemma must be a noun form: "nurseries" is
            # a nursery, but "bumped" (her head) is not a bump.
            if end - start == 1 and doc[start].lower_.endswith(("ed", "ing")):
                continue
            spans.append(span)
        return [NeedMatch(self.nlp.vocab.strings[s.label], s.start_char, s.end_char, s.text)
                for s in sorted(filter_spans(spans), key=lambda s: s.start)]


def _label(doc, start: int, end: int, match_id: int):
    from spacy.tokens import Span

    return Span(doc, start, end, label=match_id)


def taxonomy_phrases(path: str | Path | None = None) -> dict[str, str]:
    """Every taxonomy phrase (normalised) -> term id."""
    return load_taxonomy(path).phrase_index()


def merge_needs(entities: list[dict[str, Any]], matches: Iterable[NeedMatch], phrases: dict[str, str],
                term_ids: set[str], extractor: str) -> list[dict[str, Any]]:
    """Entities with DIET's needs checked and the matcher's needs added where DIET had none.

    A DIET need keeps its value when it is a term id; otherwise it takes the term of the phrase it
    covers, or is dropped (a need the search cannot use would only confuse the reply).
    """
    matches = list(matches)
    out: list[dict[str, Any]] = []
    for ent in entities:
        if ent.get("entity") != NEED or ent.get("value") in term_ids:
            out.append(ent)
            continue
        value = phrases.get(normalise_phrase(str(ent.get("value", ""))))
        if value is None:
            inside = [m for m in matches if m.start < ent.get("end", 0) and m.end > ent.get("start", 0)]
            value = inside[0].term_id if inside else None
        if value is not None:
            out.append({**ent, "value": value})
        else:
            logger.debug("Dropped a need DIET found that is not a known term: %r", ent.get("value"))
    # A need DIET found where the parent used one of its phrases ("antenatal classes") is sure,
    # however unsure DIET was: otherwise a weaker guess elsewhere in the message could outrank it.
    for index, ent in enumerate(out):
        if ent.get("entity") == NEED and any(
                m.term_id == ent.get("value") and m.start < ent.get("end", 0)
                and m.end > ent.get("start", 0) for m in matches):
            out[index] = {**ent, "confidence_entity": 1.0}
    needs = [e for e in out if e.get("entity") == NEED]
    for m in matches:
        overlaps = any(m.start < e.get("end", 0) and m.end > e.get("start", 0) for e in needs)
        same_value = any(e.get("value") == m.term_id for e in needs)
        if overlaps or same_value:
            continue
        new = {"entity": NEED, "value": m.term_id, "start": m.start, "end": m.end,
               "confidence_entity": 1.0, "extractor": extractor, "text": m.text}
        out.append(new)
        needs.append(new)
    return sorted(out, key=lambda e: (e.get("start", 0), e.get("entity", "")))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False,
                          model_from="SpacyNLP")
class TaxonomyMatcher(GraphComponent, EntityExtractorMixin):
    """Adds ``need`` entities from taxonomy and directory phrases; see the module docstring."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [SpacyNLP]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # None: directory/taxonomy.yml. The directory db: None means the directory in this
            # process's Settings (SIGNPOST_DIRECTORY_DB).
            "taxonomy_path": None,
            "directory_db": None,
            # How often, at most, to ask the directory whether its phrases changed.
            "refresh_seconds": 1.0,
        }

    def __init__(self, config: dict[str, Any], phrases: live.LiveQuery[dict[str, str]]) -> None:
        self._config = config
        self._static = taxonomy_phrases(config.get("taxonomy_path") or TAXONOMY_PATH)
        self._term_ids = set(load_taxonomy(config.get("taxonomy_path") or TAXONOMY_PATH).ids)
        self._live = phrases
        self._matcher: NeedMatcher | None = None
        self._live_seen: dict[str, str] | None = None

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "TaxonomyMatcher":
        # Rasa builds the component itself, so this is where it is given the directory.
        path = config.get("directory_db") or Settings.from_env().directory_db
        return cls(config, live.need_phrases(
            path, min_interval=float(config.get("refresh_seconds", 1.0))))

    def _current_matcher(self, nlp) -> NeedMatcher:
        live = self._live.get()
        if self._matcher is None or live is not self._live_seen:
            phrases = {**live, **self._static}  # the file wins if staff re-used a phrase
            if self._matcher is None or phrases != self._matcher.phrases:
                self._matcher = NeedMatcher(nlp, phrases)
                logger.info("Need matcher ready with %d phrases (%d from the directory)",
                            len(phrases), len(live))
            self._live_seen = live
        return self._matcher

    def process(self, messages: list[Message], model: SpacyModel) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            matcher = self._current_matcher(model.model)
            doc = message.get(SPACY_DOCS[TEXT]) or model.model(text.lower())
            term_ids = self._term_ids | set(matcher.phrases.values())
            entities = merge_needs(message.get(ENTITIES, []), matcher.find(doc), matcher.phrases,
                                   term_ids, self.name)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
