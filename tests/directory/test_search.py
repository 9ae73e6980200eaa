"""What a family gets back from a search: the right services, filtered the way they asked.

The directory is ``search_fixtures``: 16 services at Darwen, Blackburn and Hoddlesden, with the
clock pinned to Thursday 26 November 2026, 08:00 (London).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from directory.language import stigma_phrases_in
from directory.search import SearchQuery, UnknownPlace, search
from directory.store import save_service
from tests.directory.search_fixtures import NOW, build_directory, service_object, sid


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_directory(str(tmp_path_factory.mktemp("search") / "directory.db"))


def names(results: list[dict]) -> list[str]:
    return [r["name"] for r in results]


def find(db, **fields) -> list[dict]:
    fields.setdefault("limit", 50)
    return search(db, SearchQuery(**fields), now=NOW)


# --- needs ------------------------------------------------------------------------------------

def test_a_need_finds_only_services_that_offer_it(db):
    found = find(db, terms=["infant_feeding"])
    assert names(found) == ["Breastfeeding Cafe"]
    assert found[0]["taxonomy_terms"] == ["infant_feeding"]


def test_any_of_several_needs_matches(db):
    found = names(find(db, terms=["antenatal", "jobcentre_plus"]))
    assert set(found) == {"Antenatal Classes", "Bump to Baby Group", "Jobcentre Plus Work Coach",
                          "Last Friday Job Club"}


def test_inactive_services_are_never_shown(db):
    found = names(find(db, terms=["stay_and_play"], days=["SA"]))
    assert "Old Saturday Stay and Play" not in found
    assert "Saturday Dads Stay and Play" in found


def test_an_empty_query_lists_every_active_service(db):
    assert len(find(db)) == 15


# --- ages -------------------------------------------------------------------------------------

def test_a_three_month_old_does_not_see_sessions_for_one_year_olds_and_up(db):
    found = names(find(db, terms=["stay_and_play"], age_months=3))
    assert "Toddler Music and Movement" not in found  # minimum age 1
    assert {"Baby Sensory Play", "Saturday Dads Stay and Play"} <= set(found)


def test_a_twelve_month_old_does_see_sessions_for_one_year_olds(db):
    assert "Toddler Music and Movement" in names(find(db, terms=["stay_and_play"],
                                                      age_months=12))


def test_a_child_keeps_fitting_until_the_year_after_the_maximum_age(db):
    # Baby Sensory is for ages 0 to 1: a child of 23 months is still 1.
    assert "Baby Sensory Play" in names(find(db, terms=["stay_and_play"], age_months=23))
    assert "Baby Sensory Play" not in names(find(db, terms=["stay_and_play"], age_months=24))


def test_services_without_ages_are_open_to_every_age(db):
    found = find(db, terms=["jobcentre_plus"], age_months=40)
    assert len(found) == 2
    assert all(r["age_text"] == "Open to all ages" for r in found)


def test_pregnancy_finds_antenatal_services_and_drops_sessions_for_older_children(db):
    found = find(db, pregnant=True)
    assert names(found)[:2] == ["Bump to Baby Group", "Antenatal Classes"]
    assert "For parents-to-be" in found[0]["why"]
    assert "Toddler Music and Movement" not in names(found)  # minimum age 1
    assert "Funded Two Year Old Places" not in names(found)  # minimum age 2
    assert "Polish Parents Coffee Morning" in names(found)  # no age limits


def test_age_text_says_who_a_service_is_for(db):
    by_name = {r["name"]: r for r in find(db)}
    assert by_name["Stay and Play"]["age_text"] == "For children aged 0 to 4"
    assert by_name["Antenatal Classes"]["age_text"] == "For parents-to-be"
    assert by_name["Funded Two Year Old Places"]["age_text"] == "For children aged 2"
    assert (by_name["Stay and Play"]["min_age"], by_name["Stay and Play"]["max_age"]) == (0, 4)
    assert json.dumps(by_name["Stay and Play"]["max_age"]) == "4"


# --- places -----------------------------------------------------------------------------------

def test_distance_is_measured_from_the_place_given(db):
    found = find(db, terms=["jobcentre_plus"], near="Hoddlesden")
    assert names(found) == ["Last Friday Job Club", "Jobcentre Plus Work Coach"]
    assert found[0]["distance_km"] == 0.0
    assert found[1]["distance_km"] == pytest.approx(7.2, abs=0.3)
    assert "In Hoddlesden" in found[0]["why"]
    assert any(w.endswith("km from Hoddlesden") for w in found[1]["why"])


def test_place_names_ignore_case_and_spacing(db):
    assert names(find(db, terms=["jobcentre_plus"], near="  hoddlesden ")) == \
        names(find(db, terms=["jobcentre_plus"], near="Hoddlesden"))


def test_a_radius_leaves_out_services_further_away(db):
    found = find(db, terms=["stay_and_play"], near="Darwen", radius_km=4)
    assert set(names(found)) == {"Saturday Dads Stay and Play", "Baby Sensory Play",
                                 "Toddler Music and Movement", "Inclusive Play and Sensory Room"}
    assert all(r["distance_km"] <= 4 for r in found)


def test_an_unknown_place_raises_with_close_matches(db):
    with pytest.raises(UnknownPlace) as error:
        find(db, terms=["stay_and_play"], near="Darwn")
    assert "Darwen" in error.value.suggestions
    assert "Darwen" in str(error.value)


def test_an_outward_code_is_a_place(db, geo):
    found = search(db, SearchQuery(terms=["father_friendly"], near="bb3", radius_km=10,
                                   limit=50), geo=geo, now=NOW)
    assert found and all(r["distance_km"] is not None for r in found)
    assert any("from BB3" in w for w in found[0]["why"])


# --- days and times ---------------------------------------------------------------------------

def test_a_day_finds_weekly_and_monthly_sessions_on_that_day(db):
    found = find(db, terms=["father_friendly"], days=["SA"])
    assert set(names(found)) == {"Saturday Dads Stay and Play", "First Saturday Dads Club"}
    by_name = {r["name"]: r for r in found}
    assert by_name["Saturday Dads Stay and Play"]["next_sessions"][0] == "2026-11-28T10:00:00+00:00"
    # "1SA": the first Saturday of December, then of January and February.
    assert by_name["First Saturday Dads Club"]["next_sessions"] == [
        "2026-12-05T09:30:00+00:00", "2027-01-02T09:30:00+00:00", "2027-02-06T09:30:00+00:00"]
    assert "On Saturdays" in by_name["First Saturday Dads Club"]["why"]


def test_a_day_leaves_out_services_that_never_fall_on_it(db):
    assert "Evening Dads Course" not in names(find(db, terms=["father_friendly"], days=["SA"]))
    assert names(find(db, terms=["health_visiting"], days=["TU"])) == ["Health Visitor Clinic"]
    assert names(find(db, terms=["health_visiting"], days=["WE"])) == []


def test_sessions_shown_are_on_the_days_asked_for(db):
    found = find(db, terms=["stay_and_play"], days=["WE"])
    assert names(found) == ["Stay and Play"]
    assert found[0]["next_sessions"] == ["2026-12-02T10:00:00+00:00",
                                         "2026-12-09T10:00:00+00:00",
                                         "2026-12-16T10:00:00+00:00"]


def test_by_appointment_services_fit_any_day_and_say_so(db):
    found = find(db, terms=["jobcentre_plus"], days=["SU"])
    assert names(found) == ["Jobcentre Plus Work Coach"]
    assert found[0]["by_appointment"] is True
    assert found[0]["next_sessions"] == []
    assert "By appointment, so you can pick a day and time" in found[0]["why"]


def test_last_friday_of_the_month_is_found_on_fridays_but_not_on_christmas_day(db):
    found = find(db, terms=["jobcentre_plus"], days=["FR"])
    by_name = {r["name"]: r for r in found}
    # The last Friday of December 2026 is Christmas Day, a bank holiday: no session.
    assert by_name["Last Friday Job Club"]["next_sessions"][:2] == [
        "2026-11-27T10:00:00+00:00", "2027-01-29T10:00:00+00:00"]


def test_evening_finds_sessions_that_start_after_five(db):
    found = find(db, time_of_day="evening")
    assert set(names(found)) == {"Antenatal Classes", "Evening Dads Course",
                                 "Jobcentre Plus Work Coach"}
    dads = next(r for r in found if r["name"] == "Evening Dads Course")
    assert "Open in the evening" in dads["why"]


def test_day_and_time_must_fit_the_same_session(db):
    assert names(find(db, terms=["stay_and_play"], days=["SA"], time_of_day="afternoon")) == []
    assert names(find(db, terms=["stay_and_play"], days=["TH"], time_of_day="afternoon")) == [
        "Baby Sensory Play"]


def test_next_sessions_are_london_times_soonest_first(db):
    found = find(db, terms=["infant_feeding"])
    sessions = [datetime.fromisoformat(s) for s in found[0]["next_sessions"]]
    assert sessions == sorted(sessions) and len(sessions) == 3
    assert all(s > NOW for s in sessions)
    assert found[0]["schedule_text"] == "Every Friday, 10am to 11:30am"


def test_sessions_after_the_clocks_change_keep_their_wall_clock_time(db):
    spring = datetime(2027, 3, 13, 12, 0, tzinfo=timezone.utc)  # clocks go forward on the 28th
    found = search(db, SearchQuery(terms=["infant_feeding"]), now=spring)
    # Friday 26 March 2027 is Good Friday, a bank holiday: no session that day.
    assert found[0]["next_sessions"][:2] == ["2027-03-19T10:00:00+00:00",
                                             "2027-04-02T10:00:00+01:00"]


# --- cost, access, language --------------------------------------------------------------------

def test_free_leaves_out_services_that_charge(db):
    found = names(find(db, terms=["stay_and_play"], free=True))
    assert "Stay and Play" not in found  # £2 per family
    assert "Toddler Music and Movement" not in found  # fees: £1.50 per child
    assert {"Saturday Dads Stay and Play", "Baby Sensory Play"} <= set(found)


def test_cost_text_is_plain(db):
    by_name = {r["name"]: r for r in find(db, terms=["stay_and_play"])}
    assert by_name["Stay and Play"]["cost_text"] == "£2 per family"
    assert by_name["Stay and Play"]["free"] is False
    assert by_name["Toddler Music and Movement"]["cost_text"] == "£1.50 per child"
    assert by_name["Saturday Dads Stay and Play"]["cost_text"] == "Free"
    assert by_name["Baby Sensory Play"]["free"] is True  # no cost options, no fees


def test_accessible_means_wheelchair_or_step_free_and_not_a_no(db):
    found = find(db, terms=["stay_and_play"], accessible=True)
    assert set(names(found)) == {"Saturday Dads Stay and Play", "Baby Sensory Play",
                                 "Stay and Play"}  # not Hoddlesden: "no wheelchair access"


def test_language_by_code_or_name(db):
    assert set(names(find(db, language="pl"))) == {"Breastfeeding Cafe",
                                                   "Polish Parents Coffee Morning"}
    assert set(names(find(db, language="Polish"))) == {"Breastfeeding Cafe",
                                                       "Polish Parents Coffee Morning"}
    assert "Offered in Polish" in find(db, language="pl")[0]["why"]


def test_english_includes_services_that_list_no_language(db):
    found = names(find(db, language="en"))
    assert "Breastfeeding Cafe" in found and "Stay and Play" in found
    assert "Polish Parents Coffee Morning" not in found


# --- text -------------------------------------------------------------------------------------

def test_text_finds_words_in_names_and_descriptions(db):
    assert names(find(db, text="football")) == ["First Saturday Dads Club"]
    found = find(db, text="instruments brew")
    assert names(found) == ["Saturday Dads Stay and Play", "Toddler Music and Movement"]
    assert found[0]["why"] == ['Mentions "brew"']


def test_text_also_finds_the_words_parents_use_for_a_need(db):
    # "weigh in" is one of health visiting's phrases in taxonomy.yml.
    assert "Health Visitor Clinic" in names(find(db, text="weigh in"))


def test_services_matching_more_of_the_words_come_first(db):
    found = names(find(db, text="sensory room"))
    assert found[0] == "Inclusive Play and Sensory Room"
    assert "Baby Sensory Play" in found[1:]


def test_text_matches_word_forms(db):
    assert "Breastfeeding Cafe" in names(find(db, text="breastfeeding cafes"))


@pytest.mark.parametrize("hostile", [
    '"', '""', "*", "dads*", "NEAR(", "NEAR(dads play)", "dads OR", "AND", "-", "^play",
    "'; DROP TABLE service; --", "1=1) OR (1=1", "\x00\x1f", "play:col", "{name}: dads",
    "x" * 5000, "🙂 dads",
])
def test_hostile_text_is_searched_as_plain_words(db, hostile):
    found = find(db, text=hostile)
    assert isinstance(found, list)
    assert len(find(db)) == 15  # nothing was dropped


def test_hostile_text_still_finds_the_plain_words_in_it(db):
    found = names(find(db, text='NEAR("dads" * OR'))
    assert "Saturday Dads Stay and Play" in found


def test_text_and_needs_together_rank_services_with_both_first(db):
    found = find(db, terms=["stay_and_play"], text="textures")
    assert names(found)[0] == "Baby Sensory Play"
    assert found[0]["why"] == ["Stay and play sessions", 'Mentions "textures"']
    assert len(found) == 5


# --- what a result holds ----------------------------------------------------------------------

def test_a_result_has_everything_a_reply_needs(db):
    result = find(db, terms=["father_friendly"], near="Darwen", days=["SA"])[0]
    assert result["id"] == sid("dads_saturday")
    assert result["centre"] == "Darwen Family Hub"
    assert result["address"] == "Union Street, Darwen, BB3 1PU"
    assert result["postcode"] == "BB3 1PU"
    assert result["phone"] == "01254 222 333"
    assert result["email"] == "dads.saturday@darwen-family.example.org"
    assert result["url"].startswith("https://")
    assert result["assured_date"] == "2026-09-01"
    assert result["schedule_text"] == "Every Saturday, 10am to 12pm"
    assert (result["latitude"], result["longitude"]) == (53.6982, -2.4651)
    assert result["location_id"] == sid("loc-darwen")


def test_reasons_are_plain_and_free_of_stigma(db):
    results = find(db, terms=["father_friendly", "stay_and_play"], near="Darwen", days=["SA"],
                   time_of_day="morning", free=True, accessible=True, age_months=20)
    assert results
    for result in results:
        for reason in result["why"]:
            assert not stigma_phrases_in(reason)
    first = results[0]
    assert first["why"] == ["Sessions for dads and male carers", "Stay and play sessions",
                            "Suits 1 year olds", "On Saturdays", "Open in the morning",
                            "In Darwen", "Free", "Wheelchair and step-free access"]


def test_schedules_stored_on_the_location_are_found(db):
    found = find(db, terms=["disability_send"], days=["SA"])
    assert names(found) == ["Inclusive Play and Sensory Room"]
    assert found[0]["next_sessions"][0] == "2026-11-28T11:00:00+00:00"


def test_an_edit_shows_up_in_the_next_search(tmp_path):
    db = build_directory(str(tmp_path / "edited.db"))
    assert "Stay and Play" not in names(find(db, terms=["stay_and_play"], free=True))
    service = service_object("stay_play_blackburn")
    service["cost_options"] = []
    save_service(db, service)
    assert "Stay and Play" in names(find(db, terms=["stay_and_play"], free=True))


# --- bad queries ------------------------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    {"days": ["Saturday"]}, {"time_of_day": "night"}, {"limit": 0}, {"limit": 1000},
    {"offset": -1}, {"offset": 5000}, {"age_months": -3}, {"radius_km": 0},
])
def test_a_malformed_query_is_refused_with_a_clear_message(fields):
    with pytest.raises(ValueError) as error:
        SearchQuery(**fields)
    assert str(error.value)


def test_now_must_be_timezone_aware(db):
    with pytest.raises(ValueError):
        search(db, SearchQuery(), now=datetime(2026, 11, 26, 8, 0))


# --- staying fast -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bigger_db(tmp_path_factory):
    """1,000 generated services (bench/generate.py), imported and analysed like a real one."""
    from bench.generate import generate
    from directory.db import open_db
    from directory.oruk import import_oruk
    from directory.store import sync_taxonomy

    db = open_db(tmp_path_factory.mktemp("bigger") / "directory.db")
    sync_taxonomy(db)
    import_oruk(db, list(generate(1000, seed=7)))
    db.execute("ANALYZE")
    return db


@pytest.mark.parametrize("code, index", [("SA", "idx_schedule_on_sa"), ("MO", "idx_schedule_on_mo"),
                                         (None, "idx_schedule_timed_no_byday")])
def test_the_walk_through_sessions_uses_the_day_indexes(bigger_db, code, index):
    # The day indexes are built on an expression; SQLite only uses them if search.py spells it
    # exactly as the m004 migration does. Without them a 100k directory is read end to end.
    from directory.search import _ask, _day_pass_sql
    from directory.taxonomy import load_taxonomy

    ask = _ask(bigger_db, SearchQuery(terms=["stay_and_play"], time_of_day="morning"), None,
               load_taxonomy())
    plan = _day_pass_sql(ask, code)
    steps = " ".join(row[3] for row in bigger_db.execute("EXPLAIN QUERY PLAN " + plan.text,
                                                         plan.params))
    assert f"USING INDEX {index}" in steps
    assert "TEMP B-TREE FOR ORDER BY" not in steps


def test_a_generated_directory_gives_sensible_answers(bigger_db):
    found = search(bigger_db, SearchQuery(terms=["father_friendly"], days=["SA"], limit=5),
                   now=NOW)
    assert len(found) == 5
    assert all("father_friendly" in r["taxonomy_terms"] for r in found)
    assert all(datetime.fromisoformat(r["next_sessions"][0]).weekday() == 5 for r in found)
    firsts = [r["next_sessions"][0] for r in found]
    assert firsts == sorted(firsts)


def test_cost_text_uses_the_words_staff_wrote():
    from directory.search import cost_text

    assert cost_text(None, [{"amount": 3, "option": "Paid",
                             "amount_description": "£3 per session"}]) == "£3 per session"
    assert cost_text(None, [{"amount": 5.5, "option": "Paid"}]) == "£5.50"
    assert cost_text(None, [{"amount": 0, "option": "Free"}]) == "Free"
    assert cost_text("Donations welcome", []) == "Donations welcome"
    assert cost_text(None, [{"option": "Donations welcome"}]) == "Donations welcome"


def test_a_day_means_a_session_on_that_day_soon(tmp_path):
    # The 15th of the month falls on a Saturday only in May 2027: no help for "Saturdays".
    db = build_directory(str(tmp_path / "monthly.db"))
    service = service_object("job_club")
    service["id"] = sid("money_advice")
    service["name"] = "Money Advice on the 15th"
    service["service_at_locations"][0]["id"] = sid("sal-money_advice")
    service["attributes"] = [{"id": sid("attr-money"), "taxonomy_term_id": "jobcentre_plus"}]
    service["phones"] = [{"id": sid("phone-money"), "number": "01254 222 444"}]
    service["schedules"] = [{"id": sid("schedule-money"), "freq": "MONTHLY", "bymonthday": "15",
                             "dtstart": "2026-01-15", "opens_at": "10:00", "closes_at": "12:00"}]
    save_service(db, service)
    assert "Money Advice on the 15th" not in names(find(db, terms=["jobcentre_plus"], days=["SA"]))
    # 15 December 2026 is a Tuesday.
    tuesday = find(db, terms=["jobcentre_plus"], days=["TU"])
    money = next(r for r in tuesday if r["name"] == "Money Advice on the 15th")
    assert money["next_sessions"][0] == "2026-12-15T10:00:00+00:00"


def test_days_are_read_in_any_case():
    assert SearchQuery(days=["sa", "SA", " su "]).days == ["SA", "SU"]


def test_sessions_move_on_as_time_passes(db):
    # Same service, asked about before and after its Saturday session: never a stale date.
    from datetime import timedelta

    def dads_next(now):
        found = search(db, SearchQuery(terms=["father_friendly"], days=["SA"]), now=now)
        return next(r for r in found if r["name"] == "Saturday Dads Stay and Play")[
            "next_sessions"]

    assert dads_next(NOW)[0] == "2026-11-28T10:00:00+00:00"
    assert dads_next(NOW + timedelta(days=2, hours=3))[0] == "2026-12-05T10:00:00+00:00"
    assert dads_next(NOW)[0] == "2026-11-28T10:00:00+00:00"
    assert dads_next(NOW - timedelta(days=7))[0] == "2026-11-21T10:00:00+00:00"


def test_words_nobody_uses_find_nothing(db):
    assert find(db, text="zzzzqx") == []
    assert set(names(find(db, text="zzzzqx", terms=["antenatal"]))) == {
        "Antenatal Classes", "Bump to Baby Group"}


def test_words_that_never_meet_still_find_each_service(db):
    # No service mentions both: each one that mentions either comes back, soonest first.
    found = find(db, text="football textures")
    assert names(found) == ["Baby Sensory Play", "First Saturday Dads Club"]
    assert found[0]["why"] == ['Mentions "textures"']


def test_a_session_years_ahead_is_found_once_it_comes_near(tmp_path):
    db = build_directory(str(tmp_path / "future.db"))
    service = service_object("polish_parents")
    service["schedules"] = [{"id": sid("schedule-future"), "freq": "WEEKLY", "byday": "MO",
                             "dtstart": "2031-01-06", "opens_at": "10:00", "closes_at": "11:00"}]
    save_service(db, service)
    query = SearchQuery(language="pl", limit=5)
    search(db, query, now=NOW)  # far off: schedules may not look that far ahead
    later = datetime(2030, 12, 20, 9, 0, tzinfo=timezone.utc)
    found = {r["name"]: r for r in search(db, query, now=later)}
    assert found["Polish Parents Coffee Morning"]["next_sessions"][0] == "2031-01-06T10:00:00+00:00"
