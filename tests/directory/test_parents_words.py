"""The parent's own words rank the results (issue 11, part 3).

On the sample directory (Blackburn and Darwen) and on the second directory with no Signpost need
terms at all (Wakefield, ``tests/conversations/directories``): what a parent types finds the
services whose text says it, first; a need the bot is less sure of never outranks the one it is
sure of; a service with no need term is still found by need and by words; place, day and time
words are not searched for; with nothing asked, the universal offer comes first; a preferred
language comes first without leaving anyone out; and ``searchable_words`` tells "BB1" or
"hello" (nothing to search) from "sensory room".

Neither directory mentions nappies or gas, so "nappies" is stood in for by "prams and cots"
(the Wakefield baby bank's own words), and "gas bill" finds the services that talk about bills.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml

from directory.db import Directory
from directory.oruk import import_oruk, load_json_file
from directory.search import SearchQuery
from directory.taxonomy import load_taxonomy
from directory.words import searchable_words

ROOT = Path(__file__).resolve().parents[2]
SECOND = ROOT / "tests" / "conversations" / "directories"
NO_TERMS = SECOND / "second_directory_no_terms.json"
KEY = yaml.safe_load((SECOND / "second_answer_key.yml").read_text(encoding="utf-8"))["services"]
#: Thursday 26 November 2026, 08:00: the order of equal matches (next session) is then fixed.
NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)
UNIVERSAL = set(load_taxonomy().universal_ids)


@pytest.fixture(scope="module")
def sample(sample_directory_file: Path, geo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("sample") / "directory.db"
    shutil.copy(sample_directory_file, path)
    directory = Directory.open(path, geo_db)
    yield directory
    directory.close()


@pytest.fixture(scope="module")
def untagged(geo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """Wakefield's directory as a council might publish it: its own categories, or none."""
    directory = Directory.open(tmp_path_factory.mktemp("wakefield") / "directory.db", geo_db)
    import_oruk(directory.db, load_json_file(NO_TERMS))
    yield directory
    directory.close()


def find(directory: Directory, **fields) -> list[dict]:
    fields.setdefault("limit", 100)
    return directory.search(SearchQuery(**fields), now=NOW)


def names(results: list[dict]) -> list[str]:
    return [r["name"] for r in results]


# --- the parent's words find what their text says, first ---------------------------------------

@pytest.mark.parametrize("text, first", [
    ("is there a sensory room", "Inclusive Play in the Sensory Room"),
    ("help with my gas bill", "Money and Universal Credit Childcare Advice"),
    ("help with my CV", "Job Club with Free Creche"),
])
def test_the_sample_finds_what_the_words_say_first(sample, text, first):
    assert names(find(sample, text=text, near="Blackburn"))[0] == first


@pytest.mark.parametrize("text, first", [
    ("is there a sensory room", "Sensory Room Sessions"),
    ("help with my gas bill", "Money and Debt Advice"),
    ("help with my CV", "Job Search and CV Help"),
    ("we need prams and cots", "Baby Bank"),  # stands in for "nappies": nobody says nappies
])
def test_a_directory_with_no_need_terms_is_found_from_text_alone(untagged, text, first):
    found = find(untagged, text=text, near="Wakefield")
    assert names(found)[0] == first
    assert not set(found[0]["taxonomy_terms"]) & set(load_taxonomy().ids)


def test_a_service_holding_more_of_the_words_comes_before_a_nearer_one(sample):
    # "Baby Sensory" (one word) is at the same hubs; the sensory room session says both words.
    found = names(find(sample, text="sensory room", near="Darwen"))
    assert found[0] == "Inclusive Play in the Sensory Room"
    assert "Baby Sensory" in found[1:]


def test_a_rare_word_counts_for_more_than_a_common_one(sample):
    # "cv" is in one service; "play" in a great many. The CV service wins.
    assert names(find(sample, text="play cv"))[0] == "Job Club with Free Creche"


def test_the_words_of_the_need_asked_do_not_bring_in_other_services(sample):
    # "stay and play" names the need: every service found meets it, however many other
    # services mention play (the 2 year check does), so "more" never lists a clinic.
    found = find(sample, terms=["stay_and_play"], text="stay play", near="Darwen", days=["SA"])
    assert found and all("stay_and_play" in r["taxonomy_terms"] for r in found)
    mentions_play = find(sample, text="play", near="Darwen", days=["SA"])
    assert any("stay_and_play" not in r["taxonomy_terms"] for r in mentions_play)


def test_the_words_of_the_need_still_find_a_council_service_with_no_need_term(untagged):
    # Wakefield's feed says "autism" in the text, not in a category: with no Signpost need of
    # its own, a service is found by the need's words (the inferred needs missed it).
    found = find(untagged, terms=["disability_send"], text="diagnosed autistic",
                 near="Wakefield", limit=3)
    assert "Relaxed Library Hour" in names(found)


def test_words_beyond_the_need_still_bring_in_a_service_that_says_them(sample):
    found = find(sample, terms=["father_friendly"], text="dads sensory room", near="Darwen")
    assert "Inclusive Play in the Sensory Room" in names(found)
    assert "father_friendly" not in next(r for r in found if r["name"] ==
                                         "Inclusive Play in the Sensory Room")["taxonomy_terms"]


# --- weighted needs -----------------------------------------------------------------------------

def _first_index(results: list[dict], test) -> int:
    return next(i for i, r in enumerate(results) if test(r))


def _last_index(results: list[dict], test) -> int:
    return max(i for i, r in enumerate(results) if test(r))


@pytest.mark.parametrize("strong, weak", [("father_friendly", "parent_wellbeing"),
                                          ("parent_wellbeing", "father_friendly")])
def test_a_weak_second_need_never_outranks_the_strong_one(sample, strong, weak):
    found = find(sample, terms=[weak, strong], weights={weak: 0.3, strong: 0.9},
                 near="Blackburn")
    only_strong = lambda r: strong in r["taxonomy_terms"] and weak not in r["taxonomy_terms"]
    only_weak = lambda r: weak in r["taxonomy_terms"] and strong not in r["taxonomy_terms"]
    assert any(map(only_strong, found)) and any(map(only_weak, found))
    assert _last_index(found, only_strong) < _first_index(found, only_weak)


def test_without_weights_two_needs_still_rank_by_how_many_are_met(sample):
    found = find(sample, terms=["father_friendly", "stay_and_play"])
    both = [r for r in found if {"father_friendly", "stay_and_play"} <= set(r["taxonomy_terms"])]
    assert both and found[:len(both)] == both


def test_a_weight_outside_0_to_1_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="weight of 'stay_and_play' must be a number from 0 to 1"):
        SearchQuery(terms=["stay_and_play"], weights={"stay_and_play": 2})


# --- a service with no need term is found by need ------------------------------------------------

def test_an_untagged_service_is_found_by_need_from_its_own_words(untagged):
    found = find(untagged, terms=["stay_and_play"], near="Wakefield")
    assert len(found) >= 5
    assert all("stay_and_play" not in r["taxonomy_terms"] for r in found)  # no tag anywhere
    assert all("Stay and play sessions" in r["why"] for r in found)
    # Everything found really is stay and play (the answer key says so). Services whose words
    # use none of the need's phrases ("Messy Makers": "gloop, paint...") are found by text.
    really = {e["name"] for e in KEY.values() if "stay_and_play" in e["needs"]}
    assert set(names(found)) <= really


def test_a_council_category_maps_to_a_need(untagged):
    # Wakefield files its dads' sessions under its own category "Dads".
    found = names(find(untagged, terms=["father_friendly"], near="Ossett"))
    assert "Dads' Walk and Talk" in found[:3]


def test_a_service_tagged_by_staff_is_not_second_guessed(sample):
    # The sample's services carry Signpost terms: only their tags count.
    found = find(sample, terms=["antenatal"])
    assert found and all("antenatal" in r["taxonomy_terms"] for r in found)


# --- nothing asked ------------------------------------------------------------------------------

def test_with_nothing_asked_the_universal_offer_comes_first_then_the_rest_by_distance(sample):
    found = find(sample, near="Darwen")
    universal = [bool(UNIVERSAL & set(r["taxonomy_terms"])) for r in found]
    first_other = universal.index(False)
    assert all(universal[:first_other]) and not any(universal[first_other:])
    for group in (found[:first_other], found[first_other:]):
        distances = [r["distance_km"] for r in group]
        assert distances == sorted(distances)
    assert len(found) == len(find(sample, terms=[], text=None))


def test_the_universal_needs_are_marked_in_the_taxonomy():
    assert set(load_taxonomy().universal_ids) == {"health_visiting", "stay_and_play",
                                                  "family_support"}


# --- words that are not what the parent wants ----------------------------------------------------

@pytest.mark.parametrize("text", ["what's on sunday near BB2", "anything on saturday morning?",
                                  "hello", "is there anything in Darwen for my 2 year old",
                                  "BB3 1AB", "where could we take her on friday",
                                  "anything free he could come to with us",
                                  "is there somewhere she could bring him"])
def test_place_day_and_time_words_are_not_searched_for(sample, text):
    assert names(find(sample, text=text, near="Darwen")) == names(find(sample, near="Darwen"))


def test_a_place_in_the_words_does_not_change_what_they_find(sample):
    assert names(find(sample, text="sensory room in Darwen on Saturday", near="Darwen")) == \
        names(find(sample, text="sensory room", near="Darwen"))


def test_words_the_directory_never_uses_find_nothing(sample):
    assert find(sample, text="zzzzqx flibbertigibbet") == []


# --- preferred language -------------------------------------------------------------------------

def test_a_preferred_language_comes_first_without_leaving_anyone_out(sample):
    everyone = find(sample, terms=["stay_and_play"], near="Blackburn")
    found = find(sample, terms=["stay_and_play"], near="Blackburn", prefer_language="Polish")
    assert sorted(names(found)) == sorted(names(everyone))
    assert found[0]["name"] == "Stay and Play in Polish and English"
    assert "Offered in Polish" in found[0]["why"]
    by_code = find(sample, terms=["stay_and_play"], near="Blackburn", prefer_language="pl")
    assert names(by_code) == names(found)


def test_language_as_a_filter_still_leaves_the_others_out(sample):
    found = find(sample, language="pl")
    assert found and all(r["name"] in {"Stay and Play in Polish and English",
                                       "English Classes (ESOL) with Creche"} for r in found)


# --- searchable_words ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["BB1", "hello", "hi there, thanks", "", None, "   ",
                                  "what's on sunday near BB2", "Darwen", "tomorrow at 10am"])
def test_nothing_to_search_for(sample, text):
    assert searchable_words(sample.db, text, sample.geo) == []


def test_the_directory_object_asks_with_its_own_postcode_index(sample):
    assert sample.searchable_words("Blackburn with Darwen") == []
    assert sample.searchable_words("messy play in Blackburn with Darwen") == ["messy", "play"]


def test_words_worth_searching_for(sample):
    assert searchable_words(sample.db, "is there a sensory room near BB2?") == ["sensory", "room"]
    assert searchable_words(sample.db, "help with my CV") == ["cv"]
    # "gas" is in no service, so only "bill" would score.
    assert searchable_words(sample.db, "gas bill") == ["bill"]
    assert searchable_words(sample.db, "zzzzqx") == []


def test_a_word_staff_have_just_added_is_searchable_at_once(directory_db, sample_services):
    from directory.store import save_service

    directory = Directory.open(directory_db, None)
    try:
        assert searchable_words(directory.db, "trampoline") == []
        service = sample_services[0]
        service["description"] += " Now with a trampoline."
        save_service(directory.db, service)
        assert searchable_words(directory.db, "trampoline") == ["trampoline"]
        assert names(find(directory, text="trampoline"))[0] == service["name"]
    finally:
        directory.close()
