"""The order results come back in: needs matched, then distance, then the soonest session.

The directory is ``search_fixtures``, with the clock pinned to Thursday 26 November 2026, 08:00.
"""

from __future__ import annotations

import itertools

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
