"""The needs a service meets when its feed never said: read from the service's own words.

Many councils publish their directory without Signpost's need terms: some use their own
categories ("Dads", "SEND Local Offer", "Early Help"), some none at all. A parent asking for
stay and play should still find the council's "Toddler Time" whose description says "stay and
play". So when a service carries no Signpost need term, its needs are inferred once, when it is
written, from the phrases parents use for each need (``taxonomy.yml`` plus the phrases staff
added) found in its name, the names of the council's own categories on it and its description,
read for the service and not its venue (``infer_service_needs`` says how): a baby massage class
"held at the family hub" is not family support.
They are kept in ``inferred_need``, apart from the service's ``attribute`` rows, so an export
gives back exactly what was imported and a service tagged by staff is never second-guessed.
``write_inferred_needs`` keeps that table in step: ``directory.store`` calls it whenever a
service's search text is rebuilt, and migration ``m005_parents_words`` fills it once.

Phrases match whole words, case-insensitively, with an optional plural ``s``. A phrase written
in capitals in the taxonomy (``SEND``, ``HV``, ``FNP``) is an abbreviation and matches only in
capitals, so "we send a reminder" is not special educational needs.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from directory.shape import _chunks
from directory.taxonomy import Taxonomy, load_taxonomy


def core_phrases(conn: sqlite3.Connection, taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Each need -> its phrases: the taxonomy file's and any staff added in the directory."""
    phrases = {t.id: list(t.phrases) + [t.name] for t in taxonomy.terms}
    for term_id, phrase in conn.execute(
            "SELECT taxonomy_term_id, phrase FROM taxonomy_term_phrase ORDER BY id"):
        if term_id in phrases and phrase:
            phrases[term_id].append(phrase)
    return {term_id: tuple(dict.fromkeys(p.strip() for p in found if p.strip()))
            for term_id, found in phrases.items()}


def _is_abbreviation(phrase: str) -> bool:
    letters = [c for c in phrase if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(phrase) <= 6


def _alternatives(phrases: Iterable[str]) -> str:
    # Words may be joined by spaces or a hyphen: "bottle-feeding", "Tax-Free Childcare".
    spelled = sorted({r"[\s-]+".join(re.escape(w) for w in p.split()) for p in phrases},
                     key=len, reverse=True)
    return "|".join(spelled)


@functools.lru_cache(maxsize=32)
def _patterns(phrases: tuple[tuple[str, tuple[str, ...]], ...]
              ) -> tuple[tuple[str, re.Pattern[str] | None, re.Pattern[str] | None], ...]:
    """One case-insensitive and one exact-case pattern per need, built once per phrase set."""
    built = []
    for term_id, said in phrases:
        plain = [p for p in said if not _is_abbreviation(p)]
        capitals = [p for p in said if _is_abbreviation(p)]
        loose = (re.compile(rf"(?<!\w)(?:{_alternatives(plain)})(?:'?s)?(?!\w)", re.IGNORECASE)
                 if plain else None)
        exact = re.compile(rf"(?<!\w)(?:{_alternatives(capitals)})(?!\w)") if capitals else None
        built.append((term_id, loose, exact))
    return tuple(built)


@dataclass(frozen=True)
class Mention:
    """One need phrase found in a text, at ``start:end``."""

    need: str
    start: int
    end: int
    said: str

    @property
    def words(self) -> int:
        return len(self.said.replace("-", " ").split())


def mentions(text: str, phrases: Mapping[str, Sequence[str]]) -> list[Mention]:
    """Every need phrase in ``text``, in order. Where phrases of two needs overlap, the longer
    one is what the text says: "Universal Credit childcare" is money help, not childcare."""
    if not text.strip():
        return []
    key = tuple((term_id, tuple(said)) for term_id, said in phrases.items())
    found = [Mention(term_id, m.start(), m.end(), m.group(0))
             for term_id, loose, exact in _patterns(key)
             for pattern in (loose, exact) if pattern is not None
             for m in pattern.finditer(text)]
    return sorted((m for m in found if not any(
        o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
        for o in found)), key=lambda m: m.start)


#: Words that end the name of a place: "family hub", "children's centre", "sensory room" name
#: where a service is, not what it does.
_PLACE_WORDS = frozenset({"centre", "center", "hub", "hall", "library", "room", "building"})
#: A word of a place's name, or a word such as "the" or "our" before it.
_NAMING = r"(?:(?:the|our|your|a|an|any|one|of|local|nearest|their|its|all)|[A-Z0-9][\w'’-]*)"
#: "at" (or "inside"), then only such words: what follows is the venue.
_AT = re.compile(rf"(?<![\w'’-])(?i:at|inside)\s+(?:{_NAMING}\s+)*$")
#: "in" needs one such word between ("in the sensory room"): "help in pregnancy" is no venue.
_IN = re.compile(rf"(?<![\w'’-])(?i:in)\s+(?:{_NAMING}\s+)+$")
#: "our early years team", "an Early Years Advisor" name who runs or helps at a service, not
#: what it is.
_TEAM = re.compile(r"^\s+(?:team|practitioner|advis[eo]r|consultant|officer|lead)",
                   re.IGNORECASE)
#: A sentence about how to get to a service or where else to go ("Referral via your GP,
#: midwife or health visitor", "ask your health visitor", "our volunteers can signpost you to
#: breastfeeding support") names other services, not this one.
_ELSEWHERE = re.compile(r"\brefer(?:s|red|ring|rals?)?\b|\bsignpost|\b(?:ask|via|speak to|talk "
                        r"to|contact|through) your\b", re.IGNORECASE)
#: "parents can also have a chat with the health visitors": an extra, not the service.
_ALSO = re.compile(r"\balso\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;](?:\s|$)|\n")


def _sentence(text: str, m: "Mention") -> tuple[str, str]:
    """The words of ``m``'s sentence before and after it."""
    starts = [e.end() for e in _SENTENCE_END.finditer(text, 0, m.start)]
    start = starts[-1] if starts else 0
    end_match = _SENTENCE_END.search(text, m.end)
    return text[start:m.start], text[m.end:end_match.start() if end_match else len(text)]


def _is_place(m: Mention) -> bool:
    last = m.said.replace("-", " ").split()[-1].casefold().rstrip("s").rstrip("'’")
    return last in _PLACE_WORDS


def _at_venue(text: str, m: Mention) -> bool:
    """The phrase follows "at"/"held at" (or "in the", "in our"), with nothing but "the",
    "our" and a place's own name between: "at the family hub", "at Darwen Family Hub"."""
    before = text[max(0, m.start - 80):m.start]
    return bool(_AT.search(before) or _IN.search(before))


#: How much one mention says. A need is read from a service when its mentions add up to
#: ``ENOUGH``: one clear mention, or two different weak ones.
CLEAR, WEAK, ENOUGH = 2, 1, 2


def _weight(text: str, m: Mention, in_name: bool) -> int:
    """What one mention says about the service itself."""
    if _is_place(m) or _at_venue(text, m):
        return 0
    if _TEAM.match(text[m.end:]):
        return WEAK
    if not in_name:
        before, after = _sentence(text, m)
        if _ELSEWHERE.search(before + " " + after):
            return 0
        if _ALSO.search(before):
            return WEAK
    if in_name:
        # "Job Club with Free Creche": what comes after "with" is an extra, not the service.
        return WEAK if re.search(r"\bwith\b", text[:m.start], re.IGNORECASE) and m.words == 1 \
            else CLEAR
    return CLEAR if m.words >= 2 else WEAK


def infer_needs(texts: Sequence[str], phrases: Mapping[str, Sequence[str]]) -> list[str]:
    """The needs whose phrases appear in any of ``texts`` (a service's name, category names),
    in the taxonomy's order, not counting a place's name ("Darwen Family Hub")."""
    return infer_service_needs(None, None, list(texts), phrases)


def infer_service_needs(name: str | None, description: str | None, categories: Sequence[str],
                        phrases: Mapping[str, Sequence[str]]) -> list[str]:
    """A service's needs from its own words, read for the service and not its venue.

    A phrase in the name or a category name, or a phrase of two words or more in the
    description, is a clear mention. A single word in the description ("no childcare", "for
    your wellbeing"), a phrase naming the team or person that runs it ("our early years
    team"), one in a sentence after "also" and a one-word extra after "with" in the name
    ("ESOL with Creche") are weak: a need takes two different ones. A place's name ("family
    hub", "Little Harwood Children's Centre"), anything after "at" ("held at the family hub")
    and a sentence about referral or signposting ("ask your health visitor") do not count.
    """
    said: dict[str, dict[str, int]] = defaultdict(dict)
    for text, in_name in [(name or "", True), *((c, True) for c in categories),
                          (description or "", False)]:
        for m in mentions(text, phrases):
            weight = _weight(text, m, in_name)
            if weight:
                key = re.sub(r"[\s-]+", " ", m.said.casefold()).removesuffix("s").rstrip("'’")
                said[m.need][key] = max(weight, said[m.need].get(key, 0))
    return [term_id for term_id in phrases if sum(said[term_id].values()) >= ENOUGH]


#: An automatic mapping of a feed's category to a need counts from this score
#: (``directory/term_mapping.py``).
USE_FROM = 0.5


def mapped_needs(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """A feed's category (term id) -> the needs it counts as in search
    (``directory/term_mapping.py`` keeps ``term_mapping``)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'term_mapping'").fetchone():
        return {}
    out: dict[str, list[str]] = defaultdict(list)
    for term_id, need in conn.execute(
            "SELECT taxonomy_term_id, need_id FROM term_mapping WHERE need_id != '' AND "
            "(status = 'accepted' OR source = 'shipped' OR (status = 'proposed' AND score >= ?)) "
            "ORDER BY score DESC", [USE_FROM]):
        out[term_id].append(need)
    return dict(out)


def write_inferred_needs(conn: sqlite3.Connection, service_ids: list[str] | None) -> None:
    """Rebuild ``inferred_need`` for some services (all when None), inside the caller's
    transaction: the needs read from the words of each service that carries no Signpost term."""
    if service_ids is None:
        conn.execute("DELETE FROM inferred_need")
        chunks: Iterable[list[str]] = [[]]
    else:
        chunks = list(_chunks(list(service_ids)))
        for chunk in chunks:
            conn.execute(f"DELETE FROM inferred_need WHERE service_id IN "
                         f"({','.join('?' * len(chunk))})", chunk)
    taxonomy = load_taxonomy()
    core = taxonomy.ids
    # A feed's own categories that mean one of our needs (directory/term_mapping.py).
    mapped = mapped_needs(conn)
    phrases: dict[str, tuple[str, ...]] | None = None
    category_names = {tid: name or "" for tid, name in
                      conn.execute("SELECT id, name FROM taxonomy_term")}
    for chunk in chunks:
        where = (f"WHERE s.id IN ({','.join('?' * len(chunk))})" if service_ids is not None
                 else "")
        rows = conn.execute(
            f"SELECT s.id, s.name, s.description, (SELECT group_concat(a.taxonomy_term_id, "
            f"char(31)) FROM attribute a WHERE a.link_id = s.id) FROM service s {where}",
            chunk if service_ids is not None else []).fetchall()
        inferred = []
        for sid, name, description, linked in rows:
            terms = [t for t in (linked or "").split("\x1f") if t]
            if any(t in core for t in terms):
                continue
            if phrases is None:
                phrases = core_phrases(conn, taxonomy)
            categories = [category_names.get(t, "") for t in terms]
            inferred += [(sid, need) for need in
                         infer_service_needs(name, description, categories, phrases)]
            inferred += [(sid, need) for t in terms for need in mapped.get(t, ())]
        conn.executemany("INSERT OR IGNORE INTO inferred_need (service_id, taxonomy_term_id) "
                         "VALUES (?, ?)", inferred)
