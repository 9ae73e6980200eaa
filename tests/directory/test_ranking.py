"""The order results come back in: needs matched, then distance, then the soonest session.

The directory is ``search_fixtures``, with the clock pinned to Thursday 26 November 2026, 08:00.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timezone

import pytest

from directory.search import SearchQuery, search
from tests.directory.search_fixtures import NOW, build_directory


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_directory(str(tmp_path_factory.mktemp("ranking") / "directory.db"))


def names(results: list[dict]) -> list[str]:
    return [r["name"] for r in results]


def find(db, **fields) -> list[dict]:
    fields.setdefault("limit", 50)
    return search(db, SearchQuery(**fields), now=NOW)


def test_services_matching_more_needs_come_first(db):
    found = names(find(db, terms=["stay_and_play", "father_friendly"]))
    assert found[0] == "Saturday Dads Stay and Play"  # both needs
    assert set(found[1:]) == {"First Saturday Dads Club", "Evening Dads Course", "Stay and Play",
                              "Baby Sensory Play", "Toddler Music and Movement",
                              "Inclusive Play and Sensory Room"}


def test_more_needs_beat_a_shorter_distance(db):
    # The Blackburn dads club is further from Hoddlesden than the village's own play session,
    # but a dads' stay and play matches both needs.
    found = names(find(db, terms=["stay_and_play", "father_friendly"], near="Hoddlesden"))
    assert found[0] == "Saturday Dads Stay and Play"


def test_nearer_services_come_first_when_needs_match_equally(db):
    found = find(db, terms=["stay_and_play"], near="Blackburn")
    distances = [r["distance_km"] for r in found]
    assert distances == sorted(distances)
    assert found[0]["name"] == "Stay and Play"  # the one in Blackburn


def test_the_soonest_session_breaks_a_tie(db):
    # Every stay and play in Darwen is at the same hub: the Thursday afternoon one is first.
    found = find(db, terms=["stay_and_play"], near="Darwen", radius_km=1)
    assert names(found) == ["Baby Sensory Play", "Saturday Dads Stay and Play"]


def test_without_a_place_the_soonest_session_comes_first(db):
    found = find(db, terms=["stay_and_play"])
    firsts = [r["next_sessions"][0] for r in found]
    assert firsts == sorted(firsts)
    assert found[0]["name"] == "Baby Sensory Play"  # this afternoon


def test_services_without_sessions_come_after_those_with_sessions(db):
    found = names(find(db, terms=["jobcentre_plus"]))
    assert found == ["Last Friday Job Club", "Jobcentre Plus Work Coach"]


def test_the_order_changes_with_the_clock(db):
    from datetime import datetime, timezone

    saturday_noon = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
    found = search(db, SearchQuery(terms=["stay_and_play"], limit=50), now=saturday_noon)
    assert found[0]["name"] == "Stay and Play"  # Monday 10am is now the soonest


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_pages_follow_on_without_gaps_or_repeats(db, limit):
    everything = names(find(db))
    pages = []
    for offset in itertools.count(0, limit):
        page = names(search(db, SearchQuery(limit=limit, offset=offset), now=NOW))
        if not page:
            break
        assert len(page) <= limit
        pages.extend(page)
    assert pages == everything


def test_a_page_past_the_end_is_empty(db):
    assert find(db, terms=["infant_feeding"], offset=1) == []


def test_the_same_search_gives_the_same_order(db):
    query = dict(terms=["stay_and_play", "father_friendly", "parent_wellbeing"], near="Darwen")
    assert names(find(db, **query)) == names(find(db, **query))


def test_limit_keeps_the_best(db):
    everything = names(find(db, terms=["stay_and_play"], near="Darwen"))
    assert names(find(db, terms=["stay_and_play"], near="Darwen", limit=2)) == everything[:2]


def test_needs_no_service_has_together_rank_by_distance(db):
    found = find(db, terms=["antenatal", "jobcentre_plus"], near="Hoddlesden")
    assert names(found)[:2] == ["Last Friday Job Club", "Bump to Baby Group"]
    assert set(names(found)[2:]) == {"Antenatal Classes", "Jobcentre Plus Work Coach"}
    distances = [r["distance_km"] for r in found]
    assert distances == sorted(distances)


def test_pregnancy_and_a_need_rank_services_with_both_first(db):
    found = find(db, terms=["parent_wellbeing"], pregnant=True)
    assert names(found)[0] == "Bump to Baby Group"  # wellbeing and antenatal


# --- the fast path gives exactly the order a slow, obvious ranking gives -------------------------

@pytest.fixture(scope="module")
def generated_db(tmp_path_factory):
    """1,000 generated services (bench/generate.py) at random places in England."""
    from bench.generate import generate
    from directory.db import open_db
    from directory.oruk import import_oruk
    from directory.store import sync_taxonomy

    db = open_db(tmp_path_factory.mktemp("generated") / "directory.db")
    sync_taxonomy(db)
    import_oruk(db, list(generate(1000, seed=11)))
    db.execute("ANALYZE")
    return db


def obvious_ranking(db, query: SearchQuery, now=NOW) -> list[str]:
    """Every candidate's exact key, sorted: what search() must return, computed the slow way."""
    from directory import search as s
    from directory.geo import resolve_place
    from directory.taxonomy import load_taxonomy

    today = now.astimezone(s.sched.LONDON).date()
    place = resolve_place(db, query.near) if query.near else None
    ask = s._ask(db, query, None, load_taxonomy())
    if ask is None:  # only words the directory never uses
        return []
    plan = s._ranked_sql(ask, ask.words, place, today)
    keyed = []
    for service_id, matched, word_hits, prefer, dist2, _bound in db.execute(plan.text,
                                                                            plan.params):
        if query.radius_km is not None and (
                dist2 is None or dist2 > (query.radius_km / s._KM_PER_DEGREE) ** 2):
            continue
        fit = s._fit(s._schedules(db, service_id), query, now)
        if fit is None:
            continue
        soonest = s._wall_minutes(fit.sessions[0], today) if fit.sessions else s._NO_SESSION
        keyed.append(((-matched, -word_hits, -prefer, s._FAR if dist2 is None else dist2,
                       soonest, service_id), service_id))
    return [service_id for _, service_id in sorted(keyed)]


def random_queries(count: int):
    import random

    from bench.generate import TERMS

    rng = random.Random(2026)
    places = ["Blackburn", "Leeds", "York", "Derby", "Exeter", "Carlisle", "Norwich"]
    for _ in range(count):
        fields: dict = {"limit": rng.choice([1, 3, 5]), "offset": rng.choice([0, 0, 2])}
        if rng.random() < 0.8:
            fields["terms"] = rng.sample(TERMS, rng.choice([1, 1, 2, 3]))
        if rng.random() < 0.25:
            fields["text"] = rng.choice(["messy play", "football", "sensory room", "job club",
                                         "nursery wellbeing", "zzz dads"])
        if rng.random() < 0.5:
            fields["near"] = rng.choice(places)
            if rng.random() < 0.5:
                fields["radius_km"] = rng.choice([5, 20, 60])
        if rng.random() < 0.4:
            fields["days"] = rng.sample(["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
                                        rng.choice([1, 2]))
        if rng.random() < 0.3:
            fields["time_of_day"] = rng.choice(["morning", "afternoon", "evening"])
        if rng.random() < 0.3:
            fields["age_months"] = rng.randint(0, 60)
        elif rng.random() < 0.1:
            fields["pregnant"] = True
        fields["free"] = rng.random() < 0.2
        if fields.get("terms") and rng.random() < 0.3:  # the bot is less sure of some needs
            fields["weights"] = {t: rng.choice([0.2, 0.5, 0.9]) for t in fields["terms"][1:]}
        if rng.random() < 0.15:
            fields["prefer_language"] = rng.choice(["pl", "Urdu", "ro"])
        yield SearchQuery(**fields)


@pytest.mark.parametrize("query", list(random_queries(120)), ids=lambda q: "")
def test_search_returns_exactly_the_obvious_ranking(generated_db, query):
    expected = obvious_ranking(generated_db, query)[query.offset:query.offset + query.limit]
    got = [r["id"] for r in search(generated_db, query, now=NOW)]
    assert got == expected


#: Later in the day, when many of today's sessions have already started (Thursday lunchtime,
#: Thursday evening, and a minute before midnight on Sunday).
LATER = [datetime(2026, 11, 26, 13, 30, tzinfo=timezone.utc),
         datetime(2026, 11, 26, 20, 45, tzinfo=timezone.utc),
         datetime(2026, 11, 29, 23, 59, tzinfo=timezone.utc)]


@pytest.mark.parametrize("now", LATER, ids=lambda t: t.strftime("%a %H:%M"))
@pytest.mark.parametrize("query", [q for q in random_queries(120) if not q.near][:30],
                         ids=lambda q: "")
def test_later_in_the_day_sessions_already_started_come_next_week(generated_db, query, now):
    expected = obvious_ranking(generated_db, query, now)[query.offset:query.offset + query.limit]
    got = [r["id"] for r in search(generated_db, query, now=now)]
    assert got == expected


@pytest.mark.parametrize("text", [None, "nursery", "messy play"])
def test_late_in_the_day_only_the_services_shown_have_their_sessions_worked_out(
        generated_db, monkeypatch, text):
    # Working out a service's sessions is the dear part of a search. In the evening, sessions
    # that ran earlier today must not each be worked out before the page fills.
    from directory import search as s

    worked_out = []
    real_fit = s._fit
    monkeypatch.setattr(s, "_fit", lambda *a, **k: worked_out.append(1) or real_fit(*a, **k))
    found = search(generated_db, SearchQuery(text=text, limit=3), now=LATER[1])
    assert len(found) == 3
    assert len(worked_out) <= 6
