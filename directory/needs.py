"""The needs a service meets when its feed never said: read from the service's own words.

Many councils publish their directory without Signpost's need terms: some use their own
categories ("Dads", "SEND Local Offer", "Early Help"), some none at all. A parent asking for
stay and play should still find the council's "Toddler Time" whose description says "stay and
play". So when a service carries no Signpost need term, its needs are inferred once, when it is
written, from the phrases parents use for each need (``taxonomy.yml`` plus the phrases staff
added) found in its name or the names of the council's own categories on it, or (phrases of two
words or more, which say more than "childcare" or "wellbeing" in passing) in its description.
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
    spelled = sorted({r"\s+".join(re.escape(w) for w in p.split()) for p in phrases},
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


def infer_needs(texts: Sequence[str], phrases: Mapping[str, Sequence[str]]) -> list[str]:
    """The needs whose phrases appear in any of ``texts`` (name, description, category names),
    in the taxonomy's order."""
    text = "\n".join(t for t in texts if t)
    if not text.strip():
        return []
    key = tuple((term_id, tuple(said)) for term_id, said in phrases.items())
    return [term_id for term_id, loose, exact in _patterns(key)
            if (loose is not None and loose.search(text))
            or (exact is not None and exact.search(text))]


def infer_service_needs(name: str | None, description: str | None, categories: Sequence[str],
                        phrases: Mapping[str, Sequence[str]]) -> list[str]:
    """A service's needs from its own words: any phrase in its name or category names, and
    phrases of two words or more in its description (a single word there is often said in
    passing: "no childcare", "for your wellbeing")."""
    found = set(infer_needs([name or "", *categories], phrases))
    longer = {term_id: [p for p in said if len(p.split()) >= 2] for term_id, said in phrases.items()}
    found.update(infer_needs([description or ""], longer))
    return [term_id for term_id in phrases if term_id in found]


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
