"""The baseline: a search box with no conversation, to show what the conversation adds.

A parent types their words into "what" and their place (and, where they gave it, the child's
age or a pregnancy) into a form. The box keeps the services within ``RADIUS_KM`` of the place
that fit that age (``directory.search``, the same filters the bot uses), scores them with Okapi
BM25 over each service's own name and description (``directory.text_rank``: SQLite FTS5's
``bm25()``; no Signpost terms, no phrases, no synonyms), and shows the best three, nearest first
among equal scores. Services with none of the parent's words are not shown.

Staff phrases are not used: in Signpost they belong to needs, not to services, so they could
only reach a service through its Signpost terms, which is the knowledge the baseline is without.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from directory.db import Directory
from directory.search import MAX_LIMIT, MAX_OFFSET, SearchQuery
from directory.text_rank import bm25_scores

#: The family's area: every centre of either evaluation directory is well inside it, and a
#: service further away than this is not one a family without a car could use.
RADIUS_KM = 20.0


def candidates(directory: Directory, *, near: str, age_months: float | None = None,
               pregnant: bool = False,
               radius_km: float = RADIUS_KM) -> dict[str, float | None]:
    """Every active service within ``radius_km`` of ``near`` that fits the age -> distance."""
    age = None if age_months is None else int(round(age_months))
    found: dict[str, float | None] = {}
    offset = 0
    while offset <= MAX_OFFSET:
        page = directory.search(SearchQuery(near=near, radius_km=radius_km, age_months=age,
                                            pregnant=pregnant, limit=MAX_LIMIT, offset=offset))
        for result in page:
            found.setdefault(result["id"], result.get("distance_km"))
        if len(page) < MAX_LIMIT:
            break
        offset += MAX_LIMIT
    return found


def rank(directory: Directory, text: str,
         distances: Mapping[str, float | None]) -> list[str]:
    """The ``candidates`` (id -> distance) best first: BM25 score, then distance, then id.
    Candidates with none of the words are left out."""
    scores = bm25_scores(directory.db, text, distances)
    return sorted(scores, key=lambda sid: (-scores[sid], _far(distances.get(sid)), sid))


def _far(distance: float | None) -> float:
    return float("inf") if distance is None else float(distance)


def conversation_text(turns: Sequence[str]) -> str:
    """A conversation typed into the box at once: every turn, in order."""
    return " ".join(t.strip() for t in turns if t.strip())
