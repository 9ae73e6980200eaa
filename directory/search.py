"""Finding the few services that fit a family: what they need, near where, when they are free.

One library function, ``search(db, SearchQuery(...), geo=...)``, used by the bot's actions, the
no-JS search page and ``python -m directory search`` (through ``Directory.search``, which passes
the process's postcode index).

How a search runs, and why it stays fast at 100,000 services:

Results are ranked by a key: the weighted needs met (``weights``: a need the bot is less sure
of counts less, so it never lifts its services above those of the need it is sure of; for
``pregnant``, antenatal services count one more), then the words of ``text`` held, each worth
its inverse document frequency (``directory.words``: a rare word says more), then preferences
(``prefer_language``; and, when nothing at all was asked, the universal needs of
``taxonomy.yml``, the least stigmatising place to start), then distance, then the soonest
session, then id. A service with no Signpost need term meets a need through the words of its
name, description or council categories (``inferred_need``, ``directory.needs``), as many
councils' feeds carry none.
A service that meets none of the needs asked comes in only through words the needs' own
phrases don't already say: "stay and play" does not bring in every service that mentions play,
but "stay and play with a sensory room" brings in a sensory room.
The expensive part is the session (dates come from ``schedules.next_occurrences``), so SQL
hands over candidates *in order of a lower bound of their key*, and Python works out the real
sessions only for candidates that reach the top of a queue; it stops as soon as nothing still
unread could beat the page it holds (``search``'s loop, over a stream with a "floor").

- With ``near``: rings around the place (3, 6, 12 ... km, or just the radius), each starting
  from the locations in a bounding box (``location`` latitude/longitude index) and sorted in
  SQL by needs, words and distance. Most searches stop after the first ring or two.
- Without ``near``: a walk through the week ahead, day by day, over the timed schedules in
  opening-time order (one partial index per day, from migration ``m004_search_indexes``),
  keeping only services that match every need and word asked for; the rest (fewer matches,
  or no timed sessions) come last, ranked in SQL.

Words are searched with FTS5, each one double-quoted so that nothing a parent types (quotes,
``*``, ``NEAR(``, ``OR``) is read as query syntax. Only the words worth searching are searched:
no small words, places, postcodes, days, times or ages (``directory.words``), so "what's on
sunday near BB2" asks for nothing and lists the universal offer near BB2.

Definitions the rest of Signpost relies on:

- **Ages** are ORUK years. A child of N months is ``N / 12`` years old: a 3-month-old does not
  see a service with ``minimum_age`` 1, and a child who is 4 years 11 months still fits a
  ``maximum_age`` of 4. Services with no ages fit everyone. ``pregnant`` keeps antenatal
  services and services without a minimum age of 1 or more.
- **Free**: no cost option charges money (``amount`` above 0, or a cost with no amount that
  does not say "free"), and either a cost option says it is free (``amount`` 0 or the word
  "free"), or there are no cost options and ``fees`` is empty or says "free". Children's centre
  sessions are free unless the directory says otherwise.
- **Accessible**: an ``accessibility`` row at one of the service's locations mentions wheelchair,
  step-free or level access, and does not say "no"/"not" to it.
- **Language**: a ``language`` row on the service or its location with that code or name
  (``pl`` or ``Polish``). English matches services that list no language (the default) too.
- **Days**: a schedule fits a day when its pattern can fall on it (``schedules.weekdays``) and it
  still has a session on that day; by-appointment schedules fit every day and time.
- **Days off**: no session is offered on a bank holiday of the authority's nation (unless the
  row runs on bank holidays), out of term for a term-time-only row, or on a day the authority,
  the centre or the service is closed: ``directory.closed_days`` decides, for every caller.
"""

from __future__ import annotations

import functools
import heapq
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Iterator, Mapping, Sequence

import sqlite_utils

from common.days import DAY_CODES, DAY_NAMES, TIME_OF_DAY_MINUTES, TIMES_OF_DAY
from directory import schedules as sched
from directory.closed_days import DEFAULT_NATION, Calendar, DaysOff
from directory.geo import Geo, UnknownPlace, haversine_km, resolve_place
from directory.opening_hours import describe_hours, location_schedules
from directory.taxonomy import Taxonomy, load_taxonomy
from directory.words import meaningful_words, word_weights

__all__ = ["SearchQuery", "search", "UnknownPlace", "DAY_CODES", "TIMES_OF_DAY"]

MAX_LIMIT = 100
MAX_OFFSET = 1000
SESSIONS_SHOWN = 3
#: A day filter matches a schedule only when it has a session on that day this soon.
DAY_HORIZON_DAYS = 92

# One degree of latitude, in km, on the sphere haversine_km uses.
_KM_PER_DEGREE = 6371.0088 * math.pi / 180
# "No session coming up" sorts after every real session: minutes, far beyond any horizon.
_NO_SESSION = 1.0e9
_FAR = 1.0e18
_DAY_NAMES_PLURAL = {code: f"{name}s" for code, name in DAY_NAMES.items()}


@dataclass
class SearchQuery:
    """What a family is looking for. Every field is optional; an empty query lists everything."""

    terms: list[str] = field(default_factory=list)
    text: str | None = None
    near: str | None = None
    radius_km: float | None = None
    age_months: int | None = None
    pregnant: bool = False
    days: list[str] = field(default_factory=list)
    time_of_day: str | None = None
    free: bool = False
    accessible: bool = False
    language: str | None = None
    limit: int = 10
    offset: int = 0
    #: How sure the bot is of each need (term id -> 0..1; a need without a weight counts 1).
    #: A service's need score is the sum of the weights of the needs it meets, so a need the
    #: bot only half heard never lifts its services above those of the need it is sure of.
    weights: dict[str, float] = field(default_factory=dict)
    #: A language to list first without leaving out the rest (code or name: "pl", "Polish").
    prefer_language: str | None = None

    def __post_init__(self) -> None:
        self.terms = [t for t in dict.fromkeys(self.terms or []) if t]
        self.weights = dict(self.weights or {})
        days = (d.strip().upper() for d in self.days or [] if d and d.strip())
        self.days = list(dict.fromkeys(days))
        problems = [f"{d!r} is not a day; use MO, TU, WE, TH, FR, SA or SU"
                    for d in self.days if d not in DAY_CODES]
        if self.time_of_day is not None and self.time_of_day not in TIMES_OF_DAY:
            problems.append(f"time_of_day must be morning, afternoon or evening, "
                            f"not {self.time_of_day!r}")
        if self.age_months is not None and not 0 <= self.age_months <= 12 * 25:
            problems.append(f"age_months must be between 0 and 300, not {self.age_months!r}")
        if self.radius_km is not None and not self.radius_km > 0:
            problems.append(f"radius_km must be more than 0, not {self.radius_km!r}")
        if not 1 <= self.limit <= MAX_LIMIT:
            problems.append(f"limit must be between 1 and {MAX_LIMIT}, not {self.limit!r}")
        if not 0 <= self.offset <= MAX_OFFSET:
            problems.append(f"offset must be between 0 and {MAX_OFFSET}, not {self.offset!r}")
        for term, weight in self.weights.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) \
                    or not 0 <= weight <= 1:
                problems.append(f"the weight of {term!r} must be a number from 0 to 1, "
                                f"not {weight!r}")
        if problems:
            raise ValueError("; ".join(problems))

    def weight(self, term: str) -> float:
        """How much a need counts (1 unless ``weights`` says otherwise)."""
        return float(self.weights.get(term, 1.0))


# --- SQL pieces -------------------------------------------------------------------------------

@dataclass
class _Ask:
    """A query worked out once per search: what each part of the ranking key counts.

    Scores are integers, so SQL and Python compare them exactly: a need counts its weight in
    thousandths, a word its IDF in hundredths (``directory.words``).
    """
    query: SearchQuery
    #: (need, weight in thousandths); pregnant adds antenatal at full weight.
    needs: list[tuple[str, int]]
    words: list[str]
    word_weight: dict[str, int]
    #: The directory holds needs read from untagged services' words (``inferred_need``).
    inferred: bool
    #: Nothing asked: these (universal) needs are listed first.
    universal: list[str]
    prefer_language: str | None
    #: The words that may bring in any service meeting none of the needs asked: the parent's
    #: words minus those of the needs' own phrases. Those ("stay and play" asks for the need)
    #: bring in only services with no Signpost need: a tagged service is not second-guessed,
    #: or "more" would list every clinic that mentions play.
    widening: list[str] = field(default_factory=list)
    #: The Signpost need ids (a service with none of them is "untagged").
    core: list[str] = field(default_factory=list)

    @property
    def need_ids(self) -> list[str]:
        return list(dict.fromkeys(term for term, _ in self.needs))


def _ask(db: sqlite_utils.Database, query: SearchQuery, geo: Geo | None,
         taxonomy: Taxonomy) -> _Ask | None:
    """The query's scores worked out; None when its words cannot find anything (every word the
    parent meant is one the directory never uses, and no need was asked for)."""
    needs = [(term, round(1000 * query.weight(term))) for term in query.terms]
    if query.pregnant:
        needs.append(("antenatal", 1000))
    meant = meaningful_words(query.text, db, geo)
    weighted = word_weights(db, meant).weights
    if meant and not weighted and not needs:
        return None
    inferred = db.execute("SELECT 1 FROM inferred_need LIMIT 1").fetchone() is not None
    nothing_asked = not needs and not weighted
    prefer = (query.prefer_language or "").strip().casefold() or None
    said = _need_vocabulary(db.conn, taxonomy, query.terms)
    widening = [w for w in weighted if _stem(w) not in said]
    return _Ask(query, needs, list(weighted), weighted, inferred,
                taxonomy.universal_ids if nothing_asked else [], prefer, widening,
                taxonomy.ids)


def _stem(word: str) -> str:
    """Enough stemming to hear "groups" in "group": plural and possessive endings."""
    return word.removesuffix("'s").removesuffix("s") if len(word) > 3 else word


def _need_vocabulary(conn: Any, taxonomy: Taxonomy, term_ids: Sequence[str]) -> frozenset[str]:
    """The words of the asked needs' own phrases (the taxonomy's and staff's), stemmed."""
    if not term_ids:
        return frozenset()
    asked = [t for t in term_ids if t in taxonomy]
    phrases = [p for t in asked for p in (*taxonomy.term(t).phrases, taxonomy.term(t).name)]
    if asked:  # and the phrases staff added (``directory.needs.core_phrases`` reads the same)
        phrases += [row[0] for row in conn.execute(
            f"SELECT phrase FROM taxonomy_term_phrase WHERE taxonomy_term_id IN "
            f"({', '.join('?' * len(asked))}) AND coalesce(phrase, '') != ''", asked)]
    return frozenset().union(*(_phrase_words(p.strip()) for p in phrases))


@functools.lru_cache(maxsize=4096)
def _phrase_words(phrase: str) -> frozenset[str]:
    """A need phrase's words, stemmed: worked out once per phrase, not on every search."""
    return frozenset(_stem(w) for w in meaningful_words(phrase))


def _has_need(ask: _Ask, service: str, terms: Sequence[str]) -> _Sql:
    """SQL: the service (an id expression) meets one of ``terms``, by a tag or, for a service
    with no Signpost term, by its own words (``inferred_need``)."""
    marks = ", ".join("?" * len(terms))
    text = (f"EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = {service} "
            f"AND a.taxonomy_term_id IN ({marks}))")
    params = list(terms)
    if ask.inferred:
        text = (f"({text} OR EXISTS (SELECT 1 FROM inferred_need i WHERE i.service_id = "
                f"{service} AND i.taxonomy_term_id IN ({marks})))")
        params += list(terms)
    return _Sql(text, params)


def _untagged(ask: _Ask, service: str) -> _Sql:
    """SQL: the service (an id expression) carries no Signpost need term."""
    marks = ", ".join("?" * len(ask.core))
    return _Sql(f"NOT EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = {service} "
                f"AND a.taxonomy_term_id IN ({marks}))", list(ask.core))


def _language_sql(lang: str) -> _Sql:
    """SQL over ``s``: a ``language`` row on the service or one of its locations names ``lang``
    (a code, ``pl`` or ``pl-PL``, or a name)."""
    return _Sql("EXISTS (SELECT 1 FROM language lg WHERE (lg.service_id = s.id OR lg.location_id "
                "IN (SELECT location_id FROM service_at_location WHERE service_id = s.id)) AND "
                "(lower(lg.code) = ? OR lower(lg.code) LIKE ? OR lower(lg.name) = ?))",
                [lang, f"{lang}-%", lang])


def _fts_phrase(word: str) -> str:
    # A double-quoted FTS5 string is always a plain token, whatever it spells (NEAR, OR, *).
    return '"' + word.replace('"', '""') + '"'


def _blank(column: str) -> str:
    return f"coalesce(trim({column}), '') = ''"


def _present(column: str) -> str:
    return f"coalesce(trim({column}), '') != ''"


def minutes_sql(column: str = "opens_at") -> str:
    """SQL for a "HH:MM[:SS]" column as minutes after midnight.

    The day indexes of ``directory.schema`` (``m004_search_indexes``) are built on exactly this
    expression over ``opens_at``; a query must spell it the same way to walk them in order.
    """
    return (f"(CAST(trim({column}) AS INTEGER) * 60 + "
            f"CAST(substr(trim({column}), instr(trim({column}), ':') + 1, 2) AS INTEGER))")


def day_test_sql(code: str, column: str = "byday") -> str:
    """SQL: the schedule's ``byday`` names this day (``SA``, ``1SA``, ``-1SA``...)."""
    return f"instr(upper({column}), '{code}') > 0"




def _schedule_predicate(days: Sequence[str], time_of_day: str | None) -> str:
    """SQL over ``sc``: can this schedule fit the days and time asked for? (A superset.)"""
    parts = []
    if days:
        tests = " OR ".join(day_test_sql(d, "sc.byday") for d in days)
        parts.append(f"({_blank('sc.byday')} OR {tests})")
    if time_of_day:
        low, high = TIME_OF_DAY_MINUTES[time_of_day]
        parts.append(f"(NOT {_blank('sc.opens_at')} AND "
                     f"{minutes_sql('sc.opens_at')} BETWEEN {low} AND {high})")
    if not parts:
        return "1"
    return f"({_blank('sc.freq')} OR ({' AND '.join(parts)}))"


def _session_bound(today: date, days: Sequence[str]) -> str:
    """SQL over ``sc``: minutes from today's midnight (wall clock) to the earliest this
    schedule's next session could start. Never later than the true next session."""
    cases = []
    for ahead in range(7):
        code = DAY_CODES[(today.weekday() + ahead) % 7]
        if not days or code in days:
            cases.append(f"WHEN {day_test_sql(code, 'sc.byday')} THEN {ahead * 1440}")
    no_sessions = f"{_blank('sc.freq')} OR {_blank('sc.opens_at')}"
    return (f"CASE WHEN {no_sessions} THEN {_NO_SESSION} "
            f"ELSE (CASE WHEN {_blank('sc.byday')} THEN 0 {' '.join(cases)} ELSE 0 END)"
            f" + coalesce({minutes_sql('sc.opens_at')}, 0) END")


_ACCESS_TEXT = ("lower(coalesce(a.description, '') || ' ' || coalesce(a.details, '') || ' ' || "
                "coalesce(a.accessibility, ''))")
_ACCESS_YES = ("wheelchair", "step-free", "step free", "level access")
_ACCESS_NO = ("no wheelchair", "not wheelchair", "no step", "not step", "not suitable",
              "no level access", "not accessible", "no disabled access")
_ENGLISH = {"en", "eng", "english"}
_FREE_SQL = """(
    NOT EXISTS (SELECT 1 FROM cost_option c WHERE c.service_id = s.id AND (c.amount > 0 OR
        (c.amount IS NULL AND lower(coalesce(c.option, '') || ' ' ||
                                    coalesce(c.amount_description, '')) NOT LIKE '%free%')))
    AND (EXISTS (SELECT 1 FROM cost_option c WHERE c.service_id = s.id)
         OR coalesce(trim(s.fees), '') = '' OR lower(s.fees) LIKE '%free%')
)"""
_FTS_HIT = ("EXISTS (SELECT 1 FROM service_fts WHERE service_fts MATCH ? "
            "AND service_fts.rowid = s.rowid)")


@dataclass
class _Sql:
    """A piece of SQL and its positional parameters, in text order."""
    text: str
    params: list[Any]


def _matched_sql(ask: _Ask) -> _Sql:
    """SQL over ``s``: the weighted needs met (thousandths).

    One look at the covering ``attribute`` index for all the needs asked (the weights summed
    over the distinct needs found), not one per need; the same in ``inferred_need`` when the
    directory has any. Pregnancy's antenatal is counted on its own, as a need asked for as well
    counts twice.
    """
    query = ask.query
    parts: list[_Sql] = []
    if query.terms:
        marks = ", ".join("?" * len(query.terms))
        weights = " ".join(f"WHEN ? THEN {round(1000 * query.weight(t))}" for t in query.terms)
        sources = [("attribute", "link_id")] + ([("inferred_need", "service_id")]
                                                if ask.inferred else [])
        for table, service in sources:
            parts.append(_Sql(
                f"(SELECT coalesce(sum(CASE n.taxonomy_term_id {weights} END), 0) FROM "
                f"(SELECT DISTINCT taxonomy_term_id FROM {table} WHERE {service} = s.id AND "
                f"taxonomy_term_id IN ({marks})) n)", list(query.terms) + list(query.terms)))
    if query.pregnant:
        antenatal = _has_need(ask, "s.id", ["antenatal"])
        parts.append(_Sql(f"1000 * {antenatal.text}", antenatal.params))
    return _join(parts, " + ") if parts else _Sql("0", [])


def _prefer_sql(ask: _Ask) -> _Sql:
    """SQL over ``s``: 2 for the preferred language, plus 1 for a universal need (only when
    nothing was asked)."""
    parts = []
    if ask.prefer_language:
        lang = _language_sql(ask.prefer_language)
        parts.append(_Sql(f"2 * {lang.text}", lang.params))
    if ask.universal:
        parts.append(_has_need(ask, "s.id", ask.universal))
    return _join(parts, " + ") if parts else _Sql("0", [])


def _scores(ask: _Ask, words: list[str]) -> list[_Sql]:
    """``matched`` (weighted needs, plus antenatal when pregnant), ``words`` (IDF of the words
    held) and ``prefer`` (language, universal needs) columns over ``s``."""
    matched, prefer = _matched_sql(ask), _prefer_sql(ask)
    # One IN list per word: FTS5 is asked once per word, not once per row.
    word_sql = " + ".join(f"{ask.word_weight.get(w, 1)} * (s.rowid IN (SELECT rowid FROM "
                          "service_fts WHERE service_fts MATCH ?))" for w in words) or "0"
    return [_Sql(f"({matched.text}) AS matched", matched.params),
            _Sql(f"({word_sql}) AS words", [_fts_phrase(w) for w in words]),
            _Sql(f"({prefer.text}) AS prefer", prefer.params)]


def _service_filters(ask: _Ask, words: list[str], *, drive: bool) -> list[_Sql]:
    """WHERE clauses over ``s`` for everything but place and schedule.

    A service passes by meeting a need asked for, by holding a word that the needs' own
    phrases do not say (``_Ask.widening``), or, with no Signpost need of its own, by holding
    any of ``words``.
    ``drive``: the query starts from the needs/words (an IN list SQLite can walk); otherwise
    each candidate row is checked with a correlated EXISTS, cheap when something else drives.
    """
    query = ask.query
    filters = [_Sql("s.status = 'active'", [])]
    widening = [w for w in words if w in ask.widening]
    narrow = [w for w in words if w not in ask.widening]
    if query.terms or words:
        marks = ", ".join("?" * len(query.terms))
        if drive:
            sources, params = [], []
            if query.terms:
                sources.append(f"SELECT link_id FROM attribute WHERE taxonomy_term_id IN ({marks})")
                params.extend(query.terms)
                if ask.inferred:
                    sources.append("SELECT service_id FROM inferred_need WHERE "
                                   f"taxonomy_term_id IN ({marks})")
                    params.extend(query.terms)
            if widening:
                sources.append("SELECT s2.id FROM service s2 WHERE s2.rowid IN (SELECT rowid "
                               "FROM service_fts WHERE service_fts MATCH ?)")
                params.append(" OR ".join(_fts_phrase(w) for w in widening))
            if narrow:
                untagged = _untagged(ask, "s2.id")
                sources.append("SELECT s2.id FROM service s2 WHERE s2.rowid IN (SELECT rowid "
                               f"FROM service_fts WHERE service_fts MATCH ?) AND {untagged.text}")
                params += [" OR ".join(_fts_phrase(w) for w in narrow), *untagged.params]
            filters.append(_Sql(f"s.id IN ({' UNION '.join(sources)})", params))
        else:
            tests, params = [], []
            if query.terms:
                has = _has_need(ask, "s.id", query.terms)
                tests.append(has.text)
                params.extend(has.params)
            if widening:
                tests.append(_FTS_HIT)
                params.append(" OR ".join(_fts_phrase(w) for w in widening))
            if narrow:
                untagged = _untagged(ask, "s.id")
                tests.append(f"({_FTS_HIT} AND {untagged.text})")
                params += [" OR ".join(_fts_phrase(w) for w in narrow), *untagged.params]
            filters.append(_Sql(f"({' OR '.join(tests)})", params))
    if query.age_months is not None:
        exact, whole = query.age_months / 12, query.age_months // 12
        filters.append(_Sql("(s.minimum_age IS NULL OR s.minimum_age <= ?)", [exact]))
        filters.append(_Sql("(s.maximum_age IS NULL OR s.maximum_age >= ? OR "
                            "(s.maximum_age = CAST(s.maximum_age AS INTEGER) "
                            "AND s.maximum_age >= ?))", [exact, whole]))
    if query.pregnant:
        antenatal = _has_need(ask, "s.id", ["antenatal"])
        filters.append(_Sql(f"(coalesce(s.minimum_age, 0) < 1 OR {antenatal.text})",
                            antenatal.params))
    if query.free:
        filters.append(_Sql(_FREE_SQL, []))
    if query.accessible:
        yes = " OR ".join(f"{_ACCESS_TEXT} LIKE '%{w}%'" for w in _ACCESS_YES)
        no = " AND ".join(f"{_ACCESS_TEXT} NOT LIKE '%{w}%'" for w in _ACCESS_NO)
        filters.append(_Sql(
            "EXISTS (SELECT 1 FROM service_at_location sal JOIN accessibility a "
            f"ON a.location_id = sal.location_id WHERE sal.service_id = s.id "
            f"AND ({yes}) AND {no})", []))
    if query.language:
        lang = query.language.strip().casefold()
        clause = _language_sql(lang)
        if lang in _ENGLISH:
            rows_of = ("FROM language lg WHERE (lg.service_id = s.id OR lg.location_id IN "
                       "(SELECT location_id FROM service_at_location WHERE service_id = s.id))")
            clause = _Sql(f"({clause.text} OR NOT EXISTS (SELECT 1 {rows_of}))", clause.params)
        filters.append(clause)
    return filters


def _join(pieces: list[_Sql], separator: str) -> _Sql:
    return _Sql(separator.join(p.text for p in pieces), [x for p in pieces for x in p.params])


@dataclass(frozen=True)
class _Ring:
    """Services whose nearest location is further than ``inner`` and no further than ``outer``
    (squared degrees, latitude-scaled); ``outer`` None means any distance, or none."""
    inner: float
    outer: float | None


def _ranked_sql(ask: _Ask, words: list[str], place: Any, today: date,
                ring: _Ring | None = None) -> _Sql:
    """Every candidate (in ``ring``) with its ranking key, sorted by it.

    Each key part is computed once per service (a MATERIALIZED CTE), and a bounded ring starts
    from the locations in its box, so a small ring reads a few hundred rows at 100k services.
    """
    query = ask.query
    columns = [_Sql("s.id", []), *_scores(ask, words)]
    source = _Sql("service s", [])
    where: list[_Sql] = []
    outer_where: list[_Sql] = []
    if place is None:
        columns.append(_Sql("NULL", []))
    else:
        scale = math.cos(math.radians(place.latitude))
        d2 = _Sql("((l.latitude - ?) * (l.latitude - ?) + "
                  "((l.longitude - ?) * ?) * ((l.longitude - ?) * ?))",
                  [place.latitude, place.latitude, place.longitude, scale, place.longitude,
                   scale])
        if ring is not None and ring.outer is not None:
            dlat = math.sqrt(ring.outer)
            dlon = dlat / max(scale, 0.01)
            # The box holds the ring's circle, so a service's nearest location in the box is
            # its nearest location anywhere, whenever that is inside the circle.
            # With needs (and no words), drop other services on the covering attribute index
            # before reading any service row.
            needs = _Sql("", [])
            if query.terms and not words:
                has = _has_need(ask, "sal.service_id", query.terms)
                needs = _Sql(f" AND {has.text}", has.params)
            source = _Sql(
                f"(SELECT sal.service_id AS service_id, min({d2.text}) AS d2 FROM location l "
                "JOIN service_at_location sal ON sal.location_id = l.id "
                f"WHERE l.latitude BETWEEN ? AND ? AND l.longitude BETWEEN ? AND ?{needs.text} "
                "GROUP BY sal.service_id) near JOIN service s ON s.id = near.service_id",
                d2.params + [place.latitude - dlat, place.latitude + dlat,
                             place.longitude - dlon, place.longitude + dlon] + needs.params)
            columns.append(_Sql("near.d2", []))
            where.append(_Sql("near.d2 > ? AND near.d2 <= ?", [ring.inner, ring.outer]))
        else:
            columns.append(_Sql(f"(SELECT min({d2.text}) FROM service_at_location sal "
                                "JOIN location l ON l.id = sal.location_id "
                                "WHERE sal.service_id = s.id AND l.latitude IS NOT NULL)",
                                d2.params))
            if ring is not None:
                outer_where.append(_Sql("(dist2 IS NULL OR dist2 > ?)", [ring.inner]))
    # directory.store gives every schedule its service's id, even one nested in a location.
    predicate = _schedule_predicate(query.days, query.time_of_day)
    if place is None:
        columns.append(_Sql(f"(SELECT min({_session_bound(today, query.days)}) FROM schedule sc "
                            f"WHERE sc.service_id = s.id AND {predicate})", []))
        if query.days or query.time_of_day:
            outer_where.append(_Sql("bound IS NOT NULL", []))
    else:
        # Near a place, distances almost never tie, so the session's lower bound would only
        # cost time: 0 is a valid lower bound, and the exact session is worked out in Python.
        columns.append(_Sql("0", []))
        if query.days or query.time_of_day:
            where.append(_Sql(f"EXISTS (SELECT 1 FROM schedule sc WHERE sc.service_id = s.id "
                              f"AND {predicate})", []))
    where += _service_filters(ask, words, drive=ring is None or ring.outer is None)
    select, condition = _join(columns, ", "), _join(where, " AND ")
    outer = _join(outer_where, " AND ") if outer_where else _Sql("1", [])
    return _Sql(
        "WITH candidate(id, matched, words, prefer, dist2, bound) AS MATERIALIZED "
        f"(SELECT {select.text} FROM {source.text} WHERE {condition.text}) "
        f"SELECT id, matched, words, prefer, dist2, bound FROM candidate WHERE {outer.text} "
        f"ORDER BY matched DESC, words DESC, prefer DESC, coalesce(dist2, {_FAR}) ASC, "
        f"coalesce(bound, {_NO_SESSION}) ASC, id ASC",
        select.params + source.params + condition.params + outer.params)


def _day_pass_sql(ask: _Ask, code: str | None, all_words: str | None = None,
                  count_words: Sequence[str] = (), starts: tuple[int, int] | None = None) -> _Sql:
    """Timed schedules on one day (or with no ``byday`` when ``code`` is None), in start-time
    order; walks a partial index of ``schedule`` (``m004_search_indexes``), so reading stops as
    soon as the page is full.

    Every row read comes back, with ``matched`` -1 when the service fails a filter, so the
    walk can count what it reads and hand over to SQL's ranking when that gets long.
    """
    query = ask.query
    minutes = minutes_sql("sc.opens_at")
    where = [_Sql(day_test_sql(code, "sc.byday") if code else _blank("sc.byday"), []),
             _Sql(f"{_present('sc.freq')} AND {_present('sc.opens_at')}", [])]
    if query.time_of_day:
        where.append(_Sql(f"{minutes} BETWEEN ? AND ?", list(TIME_OF_DAY_MINUTES[query.time_of_day])))
    if starts is not None:  # [from, before) minutes after midnight
        where.append(_Sql(f"{minutes} >= ? AND {minutes} < ?", list(starts)))
    filters = _service_filters(ask, [], drive=False)
    if all_words:
        filters.append(_Sql(_FTS_HIT, [all_words]))
    passes = _join(filters, " AND ")
    matched, prefer = _matched_sql(ask), _prefer_sql(ask)
    counted = _Sql(" + ".join(f"{ask.word_weight.get(w, 1)} * {_FTS_HIT}" for w in count_words)
                   or "0", [_fts_phrase(w) for w in count_words])

    def when_passing(score: _Sql) -> _Sql:
        # Each CASE evaluates the filters again (a full-text probe among them), so a score that
        # is always 0 is written as 0: a failing row's -1 in ``matched`` already rules it out.
        if score.text == "0":
            return score
        return _Sql(f"CASE WHEN {passes.text} THEN {score.text} ELSE 0 END",
                    passes.params + score.params)

    columns = _join([_Sql("sc.service_id", []), _Sql(f"{minutes}", []), _Sql("s.rowid", []),
                     _Sql(f"CASE WHEN {passes.text} THEN {matched.text} ELSE -1 END",
                          passes.params + matched.params),
                     when_passing(counted), when_passing(prefer)], ", ")
    condition = _join(where, " AND ")
    return _Sql(f"SELECT {columns.text} FROM schedule sc JOIN service s ON s.id = sc.service_id "
                f"WHERE {condition.text} ORDER BY {minutes}, sc.service_id",
                columns.params + condition.params)


# --- candidate streams in ranking order --------------------------------------------------------
#
# A stream yields (floor, key, service_id, matched, words). ``key`` is the candidate's ranking
# key, (-needs, -words, -prefer, distance, session, id), with the *lower bound* of its next
# session; ``floor`` is no greater than the key of this
# candidate or of any candidate after it, so the search can stop reading as soon as the page it
# holds is better than the floor. ``key`` None is a floor-only marker.

Stream = Iterator[tuple[tuple, "tuple | None", str, int, int]]
_RINGS_KM = (3, 6, 12, 25, 50, 100, 200)
_FEW_HITS = 1000
_SMALL_AREA_KM = 25
_MINUTES_PER_DAY = 1440
# Rows the walk in time order may read before it hands over to SQL's ranking.
_WALK_BUDGET = 2000


def _near_stream(db: sqlite_utils.Database, ask: _Ask, place: Any, today: date,
                 best: _Best) -> Stream:
    """Rings around the place, nearest first; each ring sorted in SQL by the whole key."""
    query, words = ask.query, ask.words
    top_m, top_w, top_p = best.needs, best.words, best.prefer
    limit_km = query.radius_km
    # A small area is read in one go: one ring is cheaper than several.
    small = limit_km is not None and limit_km <= _SMALL_AREA_KM
    radii = [r for r in _RINGS_KM if not small and (limit_km is None or r < limit_km / 2)]
    radii.append(limit_km)  # None: everything beyond the last ring, and services with no place
    inner = -1.0
    for radius in radii:
        outer = None if radius is None else (radius / _KM_PER_DEGREE) ** 2
        plan = _ranked_sql(ask, words, place, today, _Ring(inner, outer))
        ring_floor = (-top_m, -top_w, -top_p, _FAR if outer is None else outer)
        for service_id, matched, word_hits, prefer, dist2, bound in db.execute(plan.text,
                                                                               plan.params):
            key = (-matched, -word_hits, -prefer, _FAR if dist2 is None else dist2,
                   _NO_SESSION if bound is None else bound, service_id)
            yield min(key, ring_floor), key, service_id, matched, word_hits
        yield ring_floor, None, "", 0, 0
        if outer is None:
            return
        inner = outer


def _time_stream(db: sqlite_utils.Database, ask: _Ask, today: date, best: _Best,
                 now_minute: int = 0) -> Stream:
    """Timed sessions in start order over the week ahead, then everything else ranked in SQL.

    The walk in start order only yields services that match *every* need and word asked for
    (the best anyone can do), so its floor is exact; the rest come from the ranked SQL after.
    Words are matched once, as one FTS5 AND query, rather than row by row.

    A session that started earlier today (before ``now_minute``) is next on at the earliest
    tomorrow (no fixed day) or a week today: it is walked there, not today. Walked as today, its
    lower bound was too low, so by evening every session of the day was worked out in Python
    before the page could be filled (half a second at 100,000 services).
    """
    query, words = ask.query, ask.words
    top_m, top_w, top_p = best.needs, best.words, best.prefer
    if words and not top_w and not ask.needs:
        return  # words nobody uses, and no needs: nothing matches
    every_word: set[int] | None = None
    all_words = " AND ".join(_fts_phrase(w) for w in words) if top_w else None
    count_words: list[str] = []
    if top_w and not best.words_together:
        # No service holds every word: count each row's words instead (dearer per row).
        all_words, count_words = None, words
    if all_words:
        hits = [rowid for (rowid,) in db.execute(
            "SELECT rowid FROM service_fts WHERE service_fts MATCH ? LIMIT ?",
            [all_words, _FEW_HITS + 1])]
        if len(hits) <= _FEW_HITS:  # rare words: check rows against the list
            every_word, all_words = set(hits), None
        # common words: most rows match, so SQL checks each row it reads instead

    read, budget = 0, _WALK_BUDGET

    def day_pass(code: str | None, ahead: int,
                 starts: tuple[int, int] | None = None) -> Iterator[tuple]:
        nonlocal read
        plan = _day_pass_sql(ask, code, all_words, count_words, starts)
        for service_id, start, rowid, matched, counted, prefer in db.execute(plan.text,
                                                                             plan.params):
            read += 1
            if read > budget:
                return
            if (matched == top_m and prefer == top_p
                    and (every_word is None or rowid in every_word)
                    and (not count_words or counted == top_w)):
                yield (ahead * _MINUTES_PER_DAY + (start or 0), service_id)

    # Passes by the day their bounds fall on (0 = today ... 7 = a week today); each is sorted by
    # (start, id). Chaining the days keeps the order, and a later day's statement only starts
    # when the earlier days did not fill the page. Rows with no byday are bounded by today (from
    # now on) or by tomorrow (earlier starts), and merge into that day's passes.
    later, earlier = (now_minute, _MINUTES_PER_DAY), (0, now_minute)
    by_day: list[list[tuple[str | None, tuple[int, int] | None]]] = [[] for _ in range(8)]
    by_day[0].append((None, later))
    by_day[1].append((None, earlier))
    for ahead in range(7):
        code = DAY_CODES[(today.weekday() + ahead) % 7]
        if not query.days or code in query.days:
            if ahead == 0:
                by_day[0].append((code, later))
                by_day[7].append((code, earlier))
            else:
                by_day[ahead].append((code, None))

    def walk() -> Iterator[tuple]:
        # day_pass is a generator: its statement runs only when the walk reaches that day.
        for ahead, passes in enumerate(by_day):
            yield from heapq.merge(*(day_pass(code, ahead, starts) for code, starts in passes))

    for bound, service_id in walk():
        key = (-top_m, -top_w, -top_p, _FAR, bound, service_id)
        yield key, key, service_id, top_m, top_w
    if read <= budget:
        # Left: services matching fewer needs or words, and those with no timed session.
        yield (-top_m, -top_w, -top_p, _FAR, _NO_SESSION), None, "", 0, 0
    # else: the best services are rare (needs and words that seldom meet), so reading on in
    # time order would read everything: the ranked SQL below orders all that is left.
    plan = _ranked_sql(ask, words, None, today)
    for service_id, matched, word_hits, prefer, _dist2, bound in db.execute(plan.text,
                                                                            plan.params):
        key = (-matched, -word_hits, -prefer, _FAR, _NO_SESSION if bound is None else bound,
               service_id)
        yield key, key, service_id, matched, word_hits


@dataclass(frozen=True)
class _Best:
    """The highest scores any one service could reach: the floor rings and passes use."""
    needs: int
    words: int
    prefer: int
    words_together: bool


def _together(db: sqlite_utils.Database, table: str, service: str, term: str,
              needs: list[str]) -> bool:
    """Some one service in ``table`` carries every need (stops at the first)."""
    joins = " ".join(f"JOIN {table} a{n} ON a{n}.{service} = a0.{service} "
                     f"AND a{n}.{term} = ?" for n in range(1, len(needs)))
    return db.execute(f"SELECT 1 FROM {table} a0 {joins} WHERE a0.{term} = ? LIMIT 1",
                      needs[1:] + needs[:1]).fetchone() is not None


def _ceiling(db: sqlite_utils.Database, ask: _Ask) -> _Best:
    """The most any one service could score for needs, words and preferences.

    When no service carries every need asked for (or holds every word), the ceiling drops by
    the smallest need's (word's) weight, so a search for two needs that never meet stops at the
    first ring instead of reading the whole country. Each check stops at the first service that
    has it all. A service's needs are either its tags or, with no Signpost tag, the needs read
    from its words, never both, so the two tables are checked one after the other.
    """
    query = ask.query
    top_m = sum(milli for _, milli in ask.needs)
    top_w = sum(ask.word_weight.values())
    needs = ask.need_ids
    small_area = query.near and query.radius_km is not None and query.radius_km <= _SMALL_AREA_KM
    if len(needs) >= 2 and not small_area:  # a small area is read whole anyway
        if not (_together(db, "attribute", "link_id", "taxonomy_term_id", needs) or (
                ask.inferred and _together(db, "inferred_need", "service_id",
                                           "taxonomy_term_id", needs))):
            top_m -= min(milli for _, milli in ask.needs)
    together = True
    if ask.words:
        together = db.execute("SELECT 1 FROM service_fts WHERE service_fts MATCH ? LIMIT 1",
                              [" AND ".join(_fts_phrase(w) for w in ask.words)]
                              ).fetchone() is not None
        if not together:
            top_w -= min(ask.word_weight.values())
    top_p = (2 if ask.prefer_language else 0) + (1 if ask.universal else 0)
    return _Best(top_m, top_w, top_p, together)


# --- Python: exact sessions for the rows that can still make the page -------------------------

def _schedules(db: sqlite_utils.Database, service_id: str) -> list[dict[str, Any]]:
    rows = db.execute("SELECT * FROM schedule WHERE service_id = ? ORDER BY rowid", [service_id])
    names = [d[0] for d in rows.description]
    return [dict(zip(names, row)) for row in rows.fetchall()]


def _days_off(db: sqlite_utils.Database, calendar: Calendar, service_id: str,
              schedules: list[dict[str, Any]]) -> list[DaysOff]:
    """Each row's days off; a row at one service-at-location is at that centre, a row held on
    the service itself at every centre of the service."""
    centres = dict(db.execute("SELECT id, location_id FROM service_at_location "
                              "WHERE service_id = ?", [service_id]).fetchall())
    return [calendar.days_off(row, [centres[row["service_at_location_id"]]]
                              if row.get("service_at_location_id") in centres
                              else list(centres.values()))
            for row in schedules]


def _wall_minutes(moment: datetime, today: date) -> float:
    local = moment.astimezone(sched.LONDON)
    return (local.date() - today).days * 1440 + local.hour * 60 + local.minute


@dataclass
class _Fit:
    """How one service's schedules fit the days and time asked for."""
    sessions: list[datetime]
    days: set[str]
    by_appointment: bool
    times: set[str]
    schedules: list[dict[str, Any]]


@dataclass(frozen=True)
class _Pattern:
    """What a schedule row says, parsed once per distinct row content."""
    by_appointment: bool
    time_of_day: str | None
    weekdays: frozenset[str]
    text: str


def _row_key(schedule: Mapping[str, Any]) -> tuple:
    return tuple(sorted(schedule.items()))


@functools.lru_cache(maxsize=16_384)
def _pattern(key: tuple) -> _Pattern | None:
    """None for a row ``schedules`` rejects (it is skipped, never shown wrongly)."""
    schedule = dict(key)
    if sched.is_by_appointment(schedule):
        text = str(schedule.get("description") or "").strip() or "By appointment"
        return _Pattern(True, None, frozenset(), text)
    try:
        return _Pattern(False, sched.time_of_day(schedule), frozenset(sched.weekdays(schedule)),
                        sched.describe(schedule))
    except sched.ScheduleError:
        return None


_OCCURRENCES: "OrderedDict[tuple, tuple[datetime, list[datetime]]]" = OrderedDict()
_OCCURRENCES_LOCK = threading.Lock()
_OCCURRENCES_MAX = 16_384


def _occurrences(key: tuple, schedule: Mapping[str, Any], now: datetime,
                 count: int, days_off: DaysOff | None = None) -> list[datetime]:
    """``next_occurrences``, remembered by row content. A full answer worked out at ``then``
    still holds at ``now`` while no session has started in between. A short one (the pattern
    ends, or lies beyond how far ``schedules`` looks ahead) is only trusted for an hour."""
    with _OCCURRENCES_LOCK:
        hit = _OCCURRENCES.get((key, days_off, count))
        if hit is not None:
            then, found = hit
            fresh = then <= now and (not found or now < found[0])
            if fresh and (len(found) >= count or now - then < timedelta(hours=1)):
                _OCCURRENCES.move_to_end((key, days_off, count))
                return found
    found = sched.next_occurrences(schedule, now, count,
                                   skip=days_off.skips if days_off is not None else None)
    with _OCCURRENCES_LOCK:
        _OCCURRENCES[(key, days_off, count)] = (now, found)
        while len(_OCCURRENCES) > _OCCURRENCES_MAX:
            _OCCURRENCES.popitem(last=False)
    return found


def _fit(schedules: list[dict[str, Any]], query: SearchQuery, now: datetime,
         days_off: list[DaysOff] | None = None) -> _Fit | None:
    """The sessions that fit the query, or None when the service doesn't fit it at all.
    ``days_off`` (one per row) says which days each row has no session."""
    sessions: list[datetime] = []
    days: set[str] = set()
    times: set[str] = set()
    by_appointment = False
    filtered = bool(query.days or query.time_of_day)
    for index, schedule in enumerate(schedules):
        key = _row_key(schedule)
        pattern = _pattern(key)
        if pattern is None:
            continue
        if pattern.by_appointment:
            by_appointment = True
            continue
        if query.time_of_day and pattern.time_of_day != query.time_of_day:
            continue
        if query.days and not pattern.weekdays & set(query.days):
            continue
        # Enough occurrences to find SESSIONS_SHOWN on the asked-for days.
        spread = 1 if not query.days else (7 if schedule.get("bymonthday") else
                                           max(1, len(pattern.weekdays)))
        try:
            found = _occurrences(key, schedule, now, SESSIONS_SHOWN * min(spread, 10),
                                 days_off[index] if days_off else None)
        except sched.ScheduleError:
            continue
        if query.days:
            # "On Saturdays" should mean soon: the 15th of the month is a Saturday only
            # now and then, which is no help to a family asking for Saturdays.
            horizon = now + timedelta(days=DAY_HORIZON_DAYS)
            found = [o for o in found
                     if DAY_CODES[o.weekday()] in query.days and o <= horizon]
        if filtered and not found:
            continue
        sessions.extend(found)
        days.update(DAY_CODES[o.weekday()] for o in found)
        if pattern.time_of_day:
            times.add(pattern.time_of_day)
    if filtered and not sessions and not by_appointment:
        return None
    sessions = sorted(set(sessions))[:SESSIONS_SHOWN]
    return _Fit(sessions, days, by_appointment, times, schedules)


# --- the public function ----------------------------------------------------------------------

def search(db: sqlite_utils.Database, query: SearchQuery, *, geo: Geo | None = None,
           geo_path: Any = None, taxonomy: Taxonomy | None = None,
           now: datetime | None = None, nation: str = DEFAULT_NATION) -> list[dict[str, Any]]:
    """The services that fit ``query``, best first, as plain dicts (see docs/architecture.md).

    ``geo`` is the postcode index (town names work without it; a postcode without it raises
    ``GeoIndexMissing`` naming ``geo_path``). ``taxonomy`` names the needs in ``why``
    (default: ``directory/taxonomy.yml``). ``nation`` (``closed_days.NATIONS``) says whose
    bank holidays have no sessions. Raises ``UnknownPlace`` (with close matches) when
    ``query.near`` cannot be found.
    """
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = now.astimezone(sched.LONDON).date()
    place = (resolve_place(db, query.near, geo, geo_path=geo_path)
             if query.near and query.near.strip() else None)
    taxonomy = taxonomy or load_taxonomy()
    ask = _ask(db, query, geo, taxonomy)
    if ask is None:
        return []
    best = _ceiling(db, ask)
    calendar = Calendar.load(db, nation)
    if place is not None:
        stream = _near_stream(db, ask, place, today, best)
    else:
        local = now.astimezone(sched.LONDON)
        stream = _time_stream(db, ask, today, best, local.hour * 60 + local.minute)

    wanted = query.offset + query.limit
    page: list[dict[str, Any]] = []
    queue: list[tuple] = []  # (key, exact?, service_id, fit): exact keys and lower bounds mixed
    seen: set[str] = set()
    pending = next(stream, None)
    while len(page) < wanted:
        # Read on while something not yet read could still beat the best key queued.
        while pending is not None and (not queue or pending[0] < queue[0][0]):
            _floor, key, service_id, matched, word_hits = pending
            if key is not None and service_id not in seen:
                seen.add(service_id)
                heapq.heappush(queue, (key, False, service_id, None))
            pending = next(stream, None)
        if not queue:
            break
        key, exact, service_id, fit = heapq.heappop(queue)
        if exact:
            page.append({"id": service_id, "fit": fit})
            continue
        rows = _schedules(db, service_id)
        fit = _fit(rows, query, now, _days_off(db, calendar, service_id, rows))
        if fit is None:
            continue
        soonest = _wall_minutes(fit.sessions[0], today) if fit.sessions else _NO_SESSION
        heapq.heappush(queue, (key[:4] + (soonest, service_id), True, service_id, fit))
    labels = _term_labels(db, query.terms, taxonomy)
    return [_result(db, item["id"], item["fit"], query, ask.words, place, labels, ask.inferred)
            for item in page[query.offset:wanted]]


# --- building a result ------------------------------------------------------------------------

def _rows(db: sqlite_utils.Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _money(amount: float) -> str:
    return f"£{amount:,.0f}" if float(amount).is_integer() else f"£{amount:,.2f}"


def _says_free(*texts: Any) -> bool:
    return any("free" in str(t).casefold() for t in texts if t)


def is_free(fees: str | None, cost_options: Iterable[Mapping[str, Any]]) -> bool:
    """The module docstring's definition of free, in Python (the SQL filter mirrors it)."""
    options = list(cost_options)
    for option in options:
        amount = option.get("amount")
        if amount is not None and amount > 0:
            return False
        if amount is None and not _says_free(option.get("option"),
                                             option.get("amount_description")):
            return False
    if options:
        return True
    return not (fees or "").strip() or _says_free(fees)


def cost_text(fees: str | None, cost_options: Iterable[Mapping[str, Any]]) -> str:
    """"Free", "£2 per family", or what the directory says about cost."""
    options = list(cost_options)
    if is_free(fees, options):
        return "Free"
    parts = []
    for option in options:
        amount = option.get("amount")
        described = str(option.get("amount_description") or "").strip()
        label = str(option.get("option") or "").strip()
        if label.casefold() in ("paid", "cost", "fee", "charge", "free"):
            label = ""  # says nothing the amount doesn't
        words = described or label
        if amount is not None and amount > 0:
            parts.append(words if "£" in words else f"{_money(amount)} {words}".strip())
        elif amount == 0:
            parts.append(f"Free {words}".strip() if words and "free" not in words.casefold()
                         else words or "Free")
        elif words:
            parts.append(words)
    if not parts and (fees or "").strip():
        parts.append(str(fees).strip())
    text = "; ".join(dict.fromkeys(parts)) or "Ask the centre about cost"
    return text[:1].upper() + text[1:]


def _whole(value: float | None) -> float | int | None:
    """4.0 -> 4, so ages read naturally in JSON; 1.5 stays 1.5."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _age(value: float) -> str:
    return f"{value:g}"


def age_text(minimum: float | None, maximum: float | None, antenatal: bool = False) -> str:
    """"For children aged 0 to 4", "For parents-to-be", "Open to all ages"."""
    if minimum is None and maximum is None:
        return "For parents-to-be" if antenatal else "Open to all ages"
    low = minimum or 0
    who = "children" if (maximum is not None and maximum <= 18) or (
        maximum is None and low < 16) else "people"
    if maximum is None:
        return f"For {who} aged {_age(low)} and over"
    if minimum is None and who == "people":
        return f"For people aged up to {_age(maximum)}"
    if low == maximum:
        return f"For {who} aged {_age(low)}"
    return f"For {who} aged {_age(low)} to {_age(maximum)}"


def _age_reason(age_months: int) -> str:
    if age_months < 12:
        return "Suits babies"
    years = age_months // 12
    return f"Suits {years} year olds"


def _day_reason(days: Iterable[str]) -> str:
    names = [_DAY_NAMES_PLURAL[d] for d in DAY_CODES if d in set(days)]
    if len(names) > 1:
        return "On " + ", ".join(names[:-1]) + " and " + names[-1]
    return "On " + names[0]


def _term_labels(db: sqlite_utils.Database, term_ids: Sequence[str],
                 taxonomy: Taxonomy) -> dict[str, str]:
    """How a reason names each need: the taxonomy label, or the term's name for other terms."""
    core = {t.id: t.label for t in taxonomy.terms}
    labels = {t: core[t] for t in term_ids if t in core}
    missing = [t for t in term_ids if t not in labels]
    if missing:
        marks = ", ".join("?" * len(missing))
        for row in db.execute(f"SELECT id, name FROM taxonomy_term WHERE id IN ({marks})",
                              missing).fetchall():
            labels[row[0]] = row[1] or row[0]
    return {t: labels.get(t, t.replace("_", " ")) for t in term_ids}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _one_line(address: Mapping[str, Any] | None) -> str | None:
    if not address:
        return None
    parts = [address.get(k) for k in ("address_1", "city", "postal_code")]
    return ", ".join(str(p).strip() for p in parts if p and str(p).strip()) or None


def _result(db: sqlite_utils.Database, service_id: str, fit: _Fit, query: SearchQuery,
            words: list[str], place: Any, labels: Mapping[str, str],
            inferred: bool = False) -> dict[str, Any]:
    service = _rows(db, "SELECT rowid, * FROM service WHERE id = ?", [service_id])[0]
    terms = [r["taxonomy_term_id"] for r in _rows(
        db, "SELECT DISTINCT taxonomy_term_id FROM attribute WHERE link_id = ? "
            "AND taxonomy_term_id IS NOT NULL ORDER BY rowid", [service_id])]
    locations = _rows(db, "SELECT sal.id AS sal_id, l.* FROM service_at_location sal "
                          "JOIN location l ON l.id = sal.location_id WHERE sal.service_id = ? "
                          "ORDER BY sal.rowid", [service_id])
    location = None
    distance = None
    if locations:
        location = locations[0]
        if place is not None:
            placed = [(haversine_km(place.latitude, place.longitude, loc["latitude"],
                                    loc["longitude"]), loc)
                      for loc in locations if loc["latitude"] is not None
                      and loc["longitude"] is not None]
            if placed:
                distance, location = min(placed, key=lambda pair: pair[0])
    address = None
    if location is not None:
        addresses = _rows(db, "SELECT * FROM address WHERE location_id = ? "
                              "ORDER BY address_type = 'physical' DESC, rowid", [location["id"]])
        address = addresses[0] if addresses else None
    options = _rows(db, "SELECT * FROM cost_option WHERE service_id = ? ORDER BY rowid",
                    [service_id])
    phone = db.execute(
        "SELECT number FROM phone WHERE service_id = ? AND coalesce(trim(number), '') != '' "
        "UNION ALL SELECT p.number FROM phone p JOIN service_at_location sal "
        "ON p.service_at_location_id = sal.id WHERE sal.service_id = ? "
        "UNION ALL SELECT p.number FROM phone p JOIN contact c ON p.contact_id = c.id "
        "WHERE c.service_id = ? UNION ALL SELECT number FROM phone WHERE location_id = ? "
        "LIMIT 1", [service_id, service_id, service_id,
                    location["id"] if location else None]).fetchone()
    email = service.get("email") or (db.execute(
        "SELECT email FROM contact WHERE service_id = ? AND coalesce(email, '') != '' LIMIT 1",
        [service_id]).fetchone() or [None])[0]
    schedule_rows = fit.schedules
    patterns = [_pattern(_row_key(row)) for row in schedule_rows]
    described = list(dict.fromkeys(
        p.text if p else str(row.get("description") or "").strip()
        for p, row in zip(patterns, schedule_rows)))
    described = [text for text in described if text]
    free = is_free(service.get("fees"), options)
    by_appointment = bool(patterns) and all(p is not None and p.by_appointment
                                            for p in patterns)

    met = terms + ([row[0] for row in db.execute(
        "SELECT taxonomy_term_id FROM inferred_need WHERE service_id = ?", [service_id])]
        if inferred else [])
    why = [_capital(labels[t]) for t in query.terms if t in met]
    if query.pregnant and "antenatal" in met:
        why.append("For parents-to-be")
    for word in words:
        hit = db.execute("SELECT 1 FROM service_fts WHERE service_fts MATCH ? AND rowid = ?",
                         [_fts_phrase(word), service["rowid"]]).fetchone()
        if hit:
            why.append(f'Mentions "{word}"')
    if query.age_months is not None and (service["minimum_age"] is not None
                                         or service["maximum_age"] is not None):
        why.append(_age_reason(query.age_months))
    if query.days or query.time_of_day:
        if fit.days and query.days:
            why.append(_day_reason(fit.days))
        if query.time_of_day and fit.sessions:
            why.append(f"Open in the {query.time_of_day}")
        if fit.by_appointment and not fit.sessions:
            why.append("By appointment, so you can pick a day and time")
    if distance is not None:
        why.append(f"{distance:.1f} km from {place.name}" if distance >= 0.05
                   else f"In {place.name}")
    if query.free and free:
        why.append("Free")
    if query.accessible:
        why.append("Wheelchair and step-free access")
    for asked in dict.fromkeys(x for x in (query.language, query.prefer_language) if x):
        lang = asked.strip().casefold()
        row = db.execute("SELECT name, code FROM language WHERE (service_id = ? OR location_id "
                         "IN (SELECT location_id FROM service_at_location WHERE service_id = ?)) "
                         "AND (lower(code) = ? OR lower(code) LIKE ? OR lower(name) = ?) LIMIT 1",
                         [service_id, service_id, lang, f"{lang}-%", lang]).fetchone()
        if row:
            why.append(f"Offered in {row[0] or row[1]}")

    return {
        "id": service_id,
        "name": service["name"],
        "description": service["description"],
        "taxonomy_terms": terms,
        # Which of the needs asked this service meets (its own terms, or inferred from its text).
        "needs_met": [t for t in query.terms if t in met],
        "centre": location["name"] if location else None,
        "location_id": location["id"] if location else None,
        "centre_hours": describe_hours(location_schedules(db, location["id"])) if location else None,
        "address": _one_line(address),
        "postcode": address.get("postal_code") if address else None,
        "latitude": location["latitude"] if location else None,
        "longitude": location["longitude"] if location else None,
        "distance_km": round(distance, 1) if distance is not None else None,
        "next_sessions": [s.isoformat() for s in fit.sessions],
        "schedule_text": "; ".join(described) or None,
        "by_appointment": by_appointment,
        "cost_text": cost_text(service.get("fees"), options),
        "free": free,
        "min_age": _whole(service["minimum_age"]),
        "max_age": _whole(service["maximum_age"]),
        "age_text": age_text(service["minimum_age"], service["maximum_age"],
                             antenatal="antenatal" in terms),
        "phone": phone[0] if phone else None,
        "email": email,
        "url": service.get("url"),
        "assured_date": service.get("assured_date"),
        "why": why,
    }
