"""Turn a message into the lower-case word and lemma sequences the safety rules read.

Pure Python (no spaCy, no Rasa) so the same rules run in the Rasa tier and in the web tier.
Lemmas come from spaCy's English lookup table (``spacy-lookups-data``, MIT; the table itself is
from WordNet), copied to ``bot/safety/data`` so the web tier, which has no spaCy, reads the
very same file. A few entries are corrected below where the table is wrong for our purposes
("dying" is not "dye").
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEMMA_TABLE = Path(__file__).with_name("data") / "en_lemma_lookup.json.gz"

#: Where the lookup table is wrong or unhelpful for reading disclosures.
LEMMA_FIXES = {
    "dying": "die", "died": "die", "dies": "die",
    "does": "do", "did": "do", "done": "do",
    "better": "better", "left": "leave", "lying": "lie",
    "scared": "scared", "frightened": "frightened", "worried": "worried", "afraid": "afraid",
    "kids": "kid", "children": "child", "us": "us", "'s": "'s", "as": "as",
    "felt": "feel", "fell": "fall", "ate": "eat", "drank": "drink", "drunk": "drink",
    "shook": "shake", "shaken": "shake", "threw": "throw", "thrown": "throw",
    "saw": "see", "seen": "see", "took": "take", "taken": "take",
    "fitting": "fit", "fits": "fit", "hurt": "hurt", "hit": "hit", "cut": "cut",
}

#: Words people type for family members and states, mapped to one word the rules know.
#: Multi-word forms first; each pattern is matched on whole words.
PHRASE_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    (r"\bother half\b", "partner"),
    (r"\bmy oh\b", "my partner"),
    (r"\b(?:dh|dp|hubby|hubs|fiance|fiancee|bf|gf)\b", "partner"),
    (r"\bboy ?friend\b", "boyfriend"),
    (r"\bgirl ?friend\b", "girlfriend"),
    (r"\blittle one\b", "baby"),
    (r"\blo\b", "baby"),
    (r"\bds\b", "son"),
    (r"\bdd\b", "daughter"),
    (r"\bstep ?(dad|father|mum|mom|mother)\b", r"step\1"),
    (r"\bany ?more\b", "anymore"),
    (r"\bno ?one\b", "nobody"),
)

CONTRACTIONS: tuple[tuple[str, str], ...] = (
    (r"\bwon'?t\b", "will not"),
    (r"\bcan'?t\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bshan'?t\b", "shall not"),
    (r"\b(\w+)n't\b", r"\1 not"),
    (r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need)nt\b", r"\1 not"),
    (r"\bim\b", "i am"),
    (r"\bive\b", "i have"),
    (r"\bid\b", "i would"),
    (r"\b(i|you|we|they)'m\b", r"\1 am"),
    (r"'m\b", " am"),
    (r"'re\b", " are"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
    (r"\bu\b", "you"),
    (r"\bur\b", "your"),
    (r"\bcos\b", "because"),
)

_TOKEN = re.compile(r"[a-z0-9]+(?:'s)?|[.,!?;:\n]")
#: Tokens that end a clause: negation and other cues never reach across them.
CLAUSE_BREAKS = frozenset({".", ",", "!", "?", ";", ":", "\n", "but", "though", "although"})
SENTENCE_BREAKS = frozenset({".", "!", "?", "\n"})


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """The English lookup table, loaded once (about 42,000 word forms)."""
    with gzip.open(LEMMA_TABLE, "rt", encoding="utf-8") as handle:
        table = json.load(handle)
    table.update(LEMMA_FIXES)
    return table


def lemma(word: str) -> str:
    if word.endswith("'s"):
        return lemma(word[:-2]) if len(word) > 2 else word
    return lemma_table().get(word, word)


@dataclass(frozen=True)
class Normalised:
    """A message as tokens (words and clause punctuation) and their lemmas, position for position."""

    tokens: tuple[str, ...]
    lemmas: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def lemma_text(self) -> str:
        return " ".join(self.lemmas)


def clean(text: str) -> str:
    """Lower case, straight apostrophes, contractions and family words spelled out."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    for pattern, replacement in CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    for pattern, replacement in PHRASE_SUBSTITUTIONS:
        text = re.sub(pattern, replacement, text)
    return text


def normalise(text: str) -> Normalised:
    tokens: list[str] = []
    for token in _TOKEN.findall(clean(text)):
        if token.endswith("'s") and len(token) > 2:
            # "he's" / "baby's": keep the word, and 's as its own token the rules can allow for.
            tokens += [token[:-2], "'s"]
        else:
            tokens.append(token)
    return Normalised(tuple(tokens), tuple(lemma(t) for t in tokens))
