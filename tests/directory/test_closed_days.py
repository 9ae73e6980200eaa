"""No session on a bank holiday, out of term for a term-time session, or on a closed day.

The sample directory's own services are used, so what a family would be offered is what is
checked: "Stay and Play at Mill Hill" is every Monday at 10am, "Lone Parent Adviser" the last
Friday of the month ("not on bank holidays").
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from directory import closed_days, edits, store
from directory.closed_days import Calendar, DaysOff, bank_holidays, read_period
from directory.db import open_db
from directory.schedules import LONDON, describe, next_occurrences, validate_schedule
from directory.search import SearchQuery, search

MILL_HILL_PLAY = "Stay and Play at Mill Hill Children's Centre"      # Mondays 10am
MILL_HILL_CLINIC = "Baby Clinic at Mill Hill Children's Centre"      # Wednesdays 9:30am
CENTRAL_CLINIC = "Baby Clinic at Blackburn Central Family Hub"       # Mondays 9:30am
LONE_PARENT = "Lone Parent Adviser"                                  # last Friday, 10am


def at(day: str, hour: int = 8) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=LONDON)


def days_of(result: dict) -> list[str]:
    return [s[:10] for s in result["next_sessions"]]


def offered(db, name: str, now: datetime, nation: str = "england-and-wales") -> list[str]:
    found = search(db, SearchQuery(limit=100), now=now, nation=nation)
    return days_of(next(r for r in found if r["name"] == name))


@pytest.fixture
def db(directory_db):
    connection = open_db(directory_db)
    yield connection
    connection.close()


def service_named(db, name: str) -> dict:
    service_id = db.execute("SELECT id FROM service WHERE name = ?", [name]).fetchone()[0]
    return store.get_service(db, service_id)


def mark_schedules(db, name: str, **flags) -> dict:
    service = service_named(db, name)
    for schedule in service.get("schedules") or []:
        schedule.update(flags)
    for sal in service.get("service_at_locations") or []:
        for schedule in sal.get("schedules") or []:
            schedule.update(flags)
    store.save_service(db, store.strip_shared(service))
    return service


def centre_of(db, name: str) -> str:
    return service_named(db, name)["service_at_locations"][0]["location_id"]


# --- bank holidays, by nation and year ---------------------------------------------------------

@pytest.mark.parametrize("nation, day, is_holiday", [
    # Boxing Day 2026 is a Saturday: Monday 28 December is the substitute day everywhere.
    ("england-and-wales", "2026-12-28", True),
    ("scotland", "2026-12-28", True),
    ("northern-ireland", "2026-12-28", True),
    # Christmas Day 2027 is a Saturday, Boxing Day a Sunday: both Monday and Tuesday off.
    ("england-and-wales", "2027-12-27", True),
    ("england-and-wales", "2027-12-28", True),
    # New Year's Day 2028 is a Saturday: Monday 3 January.
    ("england-and-wales", "2028-01-03", True),
    # Scotland alone: 2 January, its substitute (Monday 4 January 2027), St Andrew's Day.
    ("scotland", "2027-01-04", True),
    ("england-and-wales", "2027-01-04", False),
    ("scotland", "2026-11-30", True),
    ("england-and-wales", "2026-11-30", False),
    # Scotland has its summer bank holiday in early August, and no Easter Monday.
    ("scotland", "2026-08-03", True),
    ("scotland", "2026-04-06", False),
    ("england-and-wales", "2026-04-06", True),
    # Northern Ireland alone: St Patrick's Day; the Twelfth (a Sunday in 2026) moves to the 13th.
    ("northern-ireland", "2026-03-17", True),
    ("northern-ireland", "2026-07-13", True),
    ("england-and-wales", "2026-07-13", False),
])
def test_bank_holidays_of_each_nation_include_substitute_days(nation, day, is_holiday):
    assert closed_days.is_bank_holiday(nation, date.fromisoformat(day)) is is_holiday


def test_bank_holidays_in_christmas_week_2026_have_names():
    found = bank_holidays("england-and-wales", date(2026, 12, 21), date(2027, 1, 3))
    assert {d.isoformat() for d in found} == {"2026-12-25", "2026-12-26", "2026-12-28",
                                              "2027-01-01"}
    assert "Boxing Day" in found[date(2026, 12, 28)]


def test_an_unknown_nation_is_refused_with_the_ones_that_work():
    with pytest.raises(closed_days.UnknownNation, match="scotland"):
        Calendar([], "wales")


# --- schedules -----------------------------------------------------------------------------------

MONDAYS = {"freq": "WEEKLY", "byday": "MO", "opens_at": "10:00", "closes_at": "11:30"}


def test_next_occurrences_leave_out_the_days_skipped():
    off = DaysOff("england-and-wales", None, ())
    found = next_occurrences(MONDAYS, at("2026-12-20"), 3, skip=off.skips)
    assert [d.date().isoformat() for d in found] == ["2026-12-21", "2027-01-04", "2027-01-11"]


def test_the_flags_must_be_true_or_false_and_term_time_is_said_in_words():
    assert validate_schedule({**MONDAYS, "term_time_only": "sometimes"}) == [
        "term_time_only must be true or false, not 'sometimes'"]
    assert describe({**MONDAYS, "term_time_only": True}) == \
        "Every Monday, 10am to 11:30am, in term time only"


def test_a_period_with_its_days_the_wrong_way_round_is_refused():
    period, problems = read_period({"kind": "closure", "valid_from": "2027-01-01",
                                    "valid_to": "2026-12-24"})
    assert period is None and problems == ["valid_to 2026-12-24 is before valid_from 2027-01-01"]
    _, problems = read_period({"kind": "term", "valid_from": "2026-09-02",
                               "valid_to": "2026-12-18", "location_id": "x"})
    assert problems == ["term dates are for the whole authority: leave the centre and service "
                        "empty"]


# --- search: bank holidays -------------------------------------------------------------------------

def test_the_lone_parent_adviser_is_not_offered_on_christmas_day(db):
    # Nor on Good Friday: the last Friday of March 2027 is 26 March.
    assert offered(db, LONE_PARENT, at("2026-12-01")) == ["2027-01-29", "2027-02-26",
                                                          "2027-04-30"]


def test_a_service_that_runs_on_bank_holidays_is_offered_on_christmas_day(db):
    mark_schedules(db, LONE_PARENT, runs_on_bank_holidays=True)
    assert offered(db, LONE_PARENT, at("2026-12-01"))[0] == "2026-12-25"


def test_the_substitute_bank_holiday_has_no_monday_session(db):
    assert offered(db, MILL_HILL_PLAY, at("2026-12-20")) == ["2026-12-21", "2027-01-04",
                                                             "2027-01-11"]


def test_the_nation_decides_which_mondays_are_bank_holidays(db):
    # 4 January 2027 is a bank holiday in Scotland only (2 January falls on a Saturday).
    assert offered(db, MILL_HILL_PLAY, at("2026-12-29"), nation="scotland")[:2] == [
        "2027-01-11", "2027-01-18"]
    assert offered(db, MILL_HILL_PLAY, at("2026-12-29"), nation="northern-ireland")[:2] == [
        "2027-01-04", "2027-01-11"]


# --- search: term time ----------------------------------------------------------------------------

def add_terms(db) -> None:
    for start, end, name in (("2026-09-02", "2026-10-23", "Autumn 1"),
                             ("2026-11-02", "2026-12-18", "Autumn 2"),
                             ("2027-01-05", "2027-02-12", "Spring 1")):
        edits.save_period(db, {"kind": "term", "valid_from": start, "valid_to": end,
                               "description": name}, actor="test")


def test_a_term_time_service_runs_in_term_and_stops_in_the_holidays(db):
    add_terms(db)
    mark_schedules(db, MILL_HILL_PLAY, term_time_only=True)
    # In term: the next Mondays. Then nothing until the spring term starts on Tuesday 5 January.
    assert offered(db, MILL_HILL_PLAY, at("2026-12-06")) == ["2026-12-07", "2026-12-14",
                                                             "2027-01-11"]
    # Half term (26 to 30 October) has no session either.
    assert offered(db, MILL_HILL_PLAY, at("2026-10-17"))[:2] == ["2026-10-19", "2026-11-02"]
    result = next(r for r in search(db, SearchQuery(limit=100), now=at("2026-12-06"))
                  if r["name"] == MILL_HILL_PLAY)
    assert result["schedule_text"] == "Every Monday, 10am to 11:30am, in term time only"


def test_a_term_time_service_is_not_offered_when_no_term_dates_are_known(db):
    mark_schedules(db, MILL_HILL_PLAY, term_time_only=True)
    assert offered(db, MILL_HILL_PLAY, at("2026-12-06")) == []
    # A family asking for Mondays is not sent to it.
    found = search(db, SearchQuery(days=["MO"], limit=100), now=at("2026-12-06"))
    assert MILL_HILL_PLAY not in {r["name"] for r in found}


# --- search: closures over Christmas ----------------------------------------------------------------

CHRISTMAS = {"kind": "closure", "valid_from": "2026-12-19", "valid_to": "2027-01-03",
             "description": "Christmas closure"}


def test_an_authority_closure_stops_every_session(db):
    edits.save_period(db, CHRISTMAS, actor="test")
    found = search(db, SearchQuery(limit=100), now=at("2026-12-19"))
    firsts = [r["next_sessions"][0][:10] for r in found if r["next_sessions"]]
    assert firsts and min(firsts) >= "2027-01-04"


def test_a_centre_closure_stops_only_that_centres_sessions(db):
    edits.save_period(db, {**CHRISTMAS, "location_id": centre_of(db, MILL_HILL_PLAY)},
                      actor="test")
    assert offered(db, MILL_HILL_PLAY, at("2026-12-19"))[0] == "2027-01-04"
    assert offered(db, MILL_HILL_CLINIC, at("2026-12-19"))[0] == "2027-01-06"
    assert offered(db, CENTRAL_CLINIC, at("2026-12-19"))[0] == "2026-12-21"


def test_a_service_closure_stops_only_that_service(db):
    edits.save_period(db, {**CHRISTMAS, "service_id": service_named(db, MILL_HILL_PLAY)["id"]},
                      actor="test")
    assert offered(db, MILL_HILL_PLAY, at("2026-12-19"))[0] == "2027-01-04"
    assert offered(db, MILL_HILL_CLINIC, at("2026-12-19"))[0] == "2026-12-23"


def test_every_change_to_the_dates_is_audited(db):
    period_id = edits.save_period(db, CHRISTMAS, actor="ada")
    assert edits.delete_period(db, period_id, actor="ada") is True
    rows = list(db.query("SELECT actor, action, record_id FROM audit_log "
                         "WHERE table_name = 'calendar_period' ORDER BY id"))
    assert rows == [{"actor": "ada", "action": "create", "record_id": period_id},
                    {"actor": "ada", "action": "delete", "record_id": period_id}]
    assert offered(db, MILL_HILL_PLAY, at("2026-12-19"))[0] == "2026-12-21"
