"""Which words of a parent's message are worth searching for, and how much each one counts.

A parent writes "what's on sunday near BB2" or "anything for my 2 year old in Ossett". Searched
as it stands, that is a search for "sunday", "year" and "ossett", and the services that happen
to say "Sunday" would come first. The day, the place and the age are already understood (and
searched properly) elsewhere, so here they are dropped, with the small words of a sentence:
what is left is what the parent wants ("sensory room", "gas bill", "nappies").

Of those words only the ones the directory holds can score, so ``searchable_words`` also checks
each against the full-text index (its own tokenizer, so "nappies" is found as "nappy"). The chatbot uses that to tell
"hello" or "BB1" (nothing to search) from "sensory room" (something to search).

Each word counts for its BM25 inverse document frequency (the formula FTS5's ``bm25()`` uses,
over the same ``service_fts`` index: name, description, need names and staff phrases): a word few services use ("nappies") says more than one most use ("family"). Term
frequency and document length, BM25's other parts, are left out on purpose: among services that
say the same words, the nearest (or the soonest) is the one a parent wants, not the one that
says it most often.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from common.days import TIMES_OF_DAY, day_code
from directory.geo import Geo, normalise_postcode, place_key

#: A parent's message is short; words past this many are not searched.
MAX_WORDS = 8
#: Words of a sentence that say nothing about the service wanted.
STOPWORDS = frozenset("""
a about after all also am an and any anybody anyone anything anywhere are around as at be been
before being but by can cant could did do does doing dont for from get gets getting go going got
had has have having hello help helps hey hi how i id ill im in into is isnt it its ive just know
like local looking lot lots me might more most much my near nearby need needs no not now of off
ok okay on one or our out over please really round should so some somebody someone something
somewhere than thank thanks that thats the their them then there theres these they thing things
this those through to too under up us very want wanted wants was we were what whats when where
which while who why will with would yes you youd your youre
he she his her hers him hes shes theyre theyve weve wed youve
take takes taking took bring brings bringing brought come comes coming came went make makes made
put see say says said tell free
""".split())
#: Day, time and age words: the search frame holds these; as text they would only add noise.
WHEN_WORDS = frozenset("""
today tonight tomorrow weekend weekends weekday weekdays week weeks daily day days night nights
morning mornings afternoon afternoons evening evenings lunchtime noon midday am pm oclock
time times soon month months year years yr yrs old age aged
""".split()) | frozenset(TIMES_OF_DAY)
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_CLOCK = re.compile(r"^\d+(?:am|pm|h|hrs?|s|th|st|nd|rd)?$")
_PLACE_SPAN = 3  # a place name is at most this many words ("Blackburn with Darwen")
#: Counting a word's services stops at 1 in this many services (word_weights says why) ...
_COMMON_SHARE = 50
#: ... but never below this many.
_COMMON_FLOOR = 1000


def _tokens(text: str | None) -> list[str]:
    return [t.replace("'", "")[:40] for t in _TOKEN.findall((text or "").casefold()[:2000])]


def _place_spans(conn: sqlite3.Connection | None, geo: Geo | None,
                 tokens: list[str]) -> set[int]:
    """Positions of tokens that spell a town or local authority (one to three words)."""
    spans: dict[str, list[range]] = {}
    for size in range(1, _PLACE_SPAN + 1):
        for start in range(len(tokens) - size + 1):
            name = " ".join(tokens[start:start + size])
            if size == 1 and (name in STOPWORDS or len(name) < 3):
                continue
            spans.setdefault(name, []).append(range(start, start + size))
    if not spans:
        return set()
    known: set[str] = set()
    if conn is not None:
        names = list(spans)
        variants = {v: n for n in names for v in (n, n.replace(" ", "-"))}
        marks = ", ".join("?" * len(variants))
        for (city,) in conn.execute(
                f"SELECT DISTINCT city FROM address WHERE city COLLATE NOCASE IN ({marks})",
                list(variants)):
            known.add(variants.get(str(city).casefold(), place_key(str(city))))
    if geo is not None:
        known.update(name for name in spans if name not in known and geo.place(name))
    return {i for name in known for span in spans.get(name, ()) for i in span}


def meaningful_words(text: str | None, conn: Any = None, geo: Geo | None = None) -> list[str]:
    """The words of ``text`` that say what is wanted: no small words of a sentence, no
    postcodes, days, times, ages or numbers, and (given the directory ``conn`` and/or the
    postcode index ``geo``) no town or authority names. Lower-cased, distinct, in order."""
    tokens = _tokens(text)
    conn = getattr(conn, "conn", conn)
    places = _place_spans(conn, geo, tokens) if (conn is not None or geo is not None) else set()
    words = []
    for position, token in enumerate(tokens):
        if position in places or token in STOPWORDS or token in WHEN_WORDS:
            continue
        if len(token) < 2 or _CLOCK.match(token) or day_code(token):
            continue
        if any(c.isdigit() for c in token) and normalise_postcode(token):
            continue  # "bb2", "bb21aa"
        if re.fullmatch(r"\d[a-z]{2}", token) and position and normalise_postcode(
                tokens[position - 1]):
            continue  # the "1aa" of "BB2 1AA"
        words.append(token)
    return list(dict.fromkeys(words))[:MAX_WORDS]


@dataclass(frozen=True)
class WordWeights:
    """Each searchable word and what it counts for (BM25's IDF, in hundredths)."""
    weights: dict[str, int]

    @property
    def words(self) -> list[str]:
        return list(self.weights)


#: Per connection (held, so its id is not reused): the directory's version and word counts.
_COUNTS: "OrderedDict[int, tuple[sqlite3.Connection, tuple[int, int], dict[tuple[str, int], int]]]" \
    = OrderedDict()
_COUNTS_LOCK = threading.Lock()
_COUNTS_CONNECTIONS = 16


def _counts_for(conn: sqlite3.Connection) -> dict[tuple[str, int], int]:
    """The word counts remembered for this connection, emptied whenever the directory has
    changed since (a write by anyone moves ``data_version`` or this connection's changes)."""
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    with _COUNTS_LOCK:
        held = _COUNTS.get(id(conn))
        if held is None or held[0] is not conn or held[1] != version:
            held = (conn, version, {})
            _COUNTS[id(conn)] = held
        _COUNTS.move_to_end(id(conn))
        while len(_COUNTS) > _COUNTS_CONNECTIONS:
            _COUNTS.popitem(last=False)
        return held[2]


def _documents(conn: sqlite3.Connection, word: str, cap: int,
               counts: dict[tuple[str, int], int]) -> int:
    """How many services' full-text rows hold ``word`` (the index's tokenizer applies, so
    "nappies" counts "nappy"), counting no further than ``cap``; remembered in ``counts``."""
    found = counts.get((word, cap))
    if found is None:
        phrase = '"' + word.replace('"', '""') + '"'
        found = conn.execute("SELECT count(*) FROM (SELECT 1 FROM service_fts WHERE "
                             "service_fts MATCH ? LIMIT ?)", [phrase, cap]).fetchone()[0]
        if len(counts) < 10_000:
            counts[(word, cap)] = found
    return found


def word_weights(db: Any, words: list[str]) -> WordWeights:
    """The words the directory's full-text index holds, each with its IDF weight (hundredths;
    at least 1). Words it does not hold are left out: they cannot find anything.

    Counting the services that hold a word means reading its list of services, which for "play"
    in a directory of 100,000 is tens of thousands of entries (milliseconds, per word, per
    search). So counting stops at a fiftieth of the directory (and never below 1,000): a word
    that common weighs the least a word can, whatever its exact count. In a council's directory
    of a few hundred services every count is exact. Counts are remembered per connection until
    the directory changes: parents' words repeat ("play", "dads", "baby").
    """
    conn = getattr(db, "conn", db)
    if not words:
        return WordWeights({})
    total = conn.execute("SELECT max(rowid) FROM service").fetchone()[0] or 0
    cap = max(_COMMON_FLOOR, total // _COMMON_SHARE)
    counts = _counts_for(conn)
    weights = {}
    for word in words:
        n = _documents(conn, word, cap, counts)
        if not n:
            continue  # a word the directory never uses
        idf = math.log(1 + (max(total, n) - n + 0.5) / (n + 0.5))
        weights[word] = max(1, round(idf * 100))
    return WordWeights(weights)


def searchable_words(db: Any, text: str | None, geo: Geo | None = None) -> list[str]:
    """The words of a parent's message that a search would actually score: not small words,
    places, postcodes, days, times or ages, and held by the directory's full-text index.

    ``[]`` means there is nothing to search for in the message ("hello", "BB1", "sunday").
    ``db`` is the directory (sqlite-utils ``Database`` or ``sqlite3.Connection``); ``geo`` the
    postcode index, if at hand, so local authority names are known as places too.
    """
    return word_weights(db, meaningful_words(text, db, geo)).words
