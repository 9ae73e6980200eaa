"""Plain full-text ranking: Okapi BM25 over what a service says about itself, nothing else.

The conversation evaluation (``evaluation/``) compares the bot with a search box that has no
conversation and no taxonomy: the parent's words, scored by SQLite FTS5's own ``bm25()`` over the
service's ``name`` and ``description`` only.

``service_fts`` cannot be used for this: its ``terms`` column holds the need names and the
phrases parents use for them (Signpost's knowledge, which a council feed without Signpost terms
lacks), and FTS5's BM25 normalises by the length of the whole row, so even a column filter would
let that column shift the scores. So the first call on a connection copies every active
service's name and description into a temporary FTS5 table (``temp.service_own_text``, same
tokenizer) and ranks there. It is a snapshot: fine for an evaluation or an offline comparison,
not for a directory that staff are editing at the same time (``refresh=True`` copies again).

English stop words (Lucene's ``EnglishAnalyzer`` default set, the usual choice for a BM25
baseline) are dropped. Every other word is double-quoted, so nothing a parent types is read as
FTS5 query syntax; the words are joined with OR, as BM25 scores any document holding any of
them. The tokenizer (``porter unicode61``) applies to the query too, so "weighed" finds "weigh".
"""

from __future__ import annotations

import re
from typing import Iterable

import sqlite_utils

TABLE = "service_own_text"
#: A parent's message is short; a pasted essay is cut here rather than sent to FTS5 whole.
MAX_WORDS = 64
#: Lucene's ``EnglishAnalyzer.ENGLISH_STOP_WORDS_SET``.
STOPWORDS = frozenset("""
a an and are as at be but by for if in into is it no not of on or such that the their then there
these they this to was will with
""".split())


def query_words(text: str | None) -> list[str]:
    """The distinct words of ``text`` that are not stop words, lower-cased, in the order
    written (at most MAX_WORDS)."""
    words = [w for w in re.findall(r"\w+", (text or "").casefold()) if w not in STOPWORDS]
    return list(dict.fromkeys(w[:40] for w in words))[:MAX_WORDS]


def _index(db: sqlite_utils.Database, refresh: bool) -> None:
    exists = db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = ?", [TABLE]).fetchone()
    if exists and not refresh:
        return
    with db.conn:
        db.execute(f"DROP TABLE IF EXISTS temp.{TABLE}")
        db.execute(f"CREATE VIRTUAL TABLE temp.{TABLE} USING fts5(service_id UNINDEXED, name, "
                   "description, tokenize='porter unicode61')")
        db.execute(f"INSERT INTO temp.{TABLE} (service_id, name, description) "
                   "SELECT id, coalesce(name, ''), coalesce(description, '') FROM service "
                   "WHERE status = 'active'")


def bm25_scores(db: sqlite_utils.Database, text: str | None,
                service_ids: Iterable[str] | None = None, *,
                refresh: bool = False) -> dict[str, float]:
    """Each active service whose name or description holds a word of ``text`` -> its BM25
    score (higher is better: FTS5's ``bm25()`` is negated).

    ``service_ids`` keeps only those services; None scores the whole directory.
    """
    words = query_words(text)
    if not words:
        return {}
    _index(db, refresh)
    match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    rows = db.execute(f"SELECT service_id, -bm25({TABLE}) FROM temp.{TABLE} "
                      f"WHERE {TABLE} MATCH ?", [match]).fetchall()
    wanted = None if service_ids is None else set(service_ids)
    return {sid: float(score) for sid, score in rows if wanted is None or sid in wanted}
