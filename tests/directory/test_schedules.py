"""Sessions land on the right days, at the right local time, and read naturally."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from directory.schedules import (
    DAY_CODES, LONDON, ScheduleError, describe, describe_occurrence, is_by_appointment,
    next_occurrences, session_end, time_of_day, validate_schedule, weekdays,
)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def weekly(byday: str = "SA", opens: str = "10:00", closes: str = "12:00", **extra) -> dict:
    return {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes, **extra}


def monthly(byday: str | None = None, opens: str = "10:00", closes: str = "12:00", **extra) -> dict:
    row = {"freq": "MONTHLY", "opens_at": opens, "closes_at": closes, **extra}
    if byday:
        row["byday"] = byday
    return row


# --- which days -------------------------------------------------------------------------------

def test_weekly_saturday_session_falls_on_each_saturday():
    starts = next_occurrences(weekly("SA"), at(2026, 12, 1, 9), count=3)
    assert starts == [at(2026, 12, 5, 10), at(2026, 12, 12, 10), at(2026, 12, 19, 10)]


def test_first_saturday_of_the_month():
    starts = next_occurrences(monthly("1SA"), at(2026, 11, 26), count=3)
    assert [s.date() for s in starts] == [date(2026, 12, 5), date(2027, 1, 2), date(2027, 2, 6)]


def test_second_and_fourth_tuesday():
    starts = next_occurrences(monthly("2TU,4TU", "18:00", "19:30"), at(2026, 12, 1), count=4)
    assert [s.date() for s in starts] == [date(2026, 12, 8), date(2026, 12, 22),
                                          date(2027, 1, 12), date(2027, 1, 26)]
    assert all(s.time() == time(18, 0) for s in starts)


def test_last_friday_of_the_month():
    starts = next_occurrences(monthly("-1FR"), at(2027, 1, 1), count=3)
    assert [s.date() for s in starts] == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)]


def test_day_31_skips_months_that_are_shorter():
    starts = next_occurrences(monthly(bymonthday="31"), at(2027, 1, 1), count=3)
    assert [s.date() for s in starts] == [date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]


def test_last_day_of_the_month_includes_february():
    starts = next_occurrences(monthly(bymonthday="-1"), at(2028, 1, 1), count=3)
    assert [s.date() for s in starts] == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


def test_several_days_of_the_month():
    starts = next_occurrences(monthly(bymonthday="2,15"), at(2027, 1, 3), count=3)
    assert [s.date() for s in starts] == [date(2027, 1, 15), date(2027, 2, 2), date(2027, 2, 15)]


def test_every_other_week_keeps_to_the_weeks_counted_from_dtstart():
    row = weekly("TU", "13:30", "15:00", interval=2, dtstart="2026-01-06")
    starts = next_occurrences(row, at(2026, 11, 26), count=3)
    # 6 Jan 2026 plus whole fortnights: 1 Dec is 47 weeks later, so the next is 8 Dec.
    assert [s.date() for s in starts] == [date(2026, 12, 8), date(2026, 12, 22), date(2027, 1, 5)]
    assert all((s.date() - date(2026, 1, 6)).days % 14 == 0 for s in starts)


def test_a_schedule_starting_years_ago_still_gives_this_weeks_session():
    row = weekly("WE", interval=3, dtstart="2011-03-02")
    starts = next_occurrences(row, at(2026, 11, 26), count=2)
    assert all((s.date() - date(2011, 3, 2)).days % 21 == 0 for s in starts)
    assert starts[0].date() - date(2026, 11, 26) < timedelta(days=21)


def test_every_other_month_on_the_first_saturday():
    row = monthly("1SA", interval=2, dtstart="2026-01-03")
    starts = next_occurrences(row, at(2026, 11, 26), count=2)
    assert [s.date() for s in starts] == [date(2027, 1, 2), date(2027, 3, 6)]


def test_weekly_row_without_byday_takes_the_day_of_dtstart():
    row = {"freq": "WEEKLY", "dtstart": "2026-11-04", "opens_at": "09:00"}  # a Wednesday
    starts = next_occurrences(row, at(2026, 11, 26), count=2)
    assert [s.date() for s in starts] == [date(2026, 12, 2), date(2026, 12, 9)]
    assert weekdays(row) == {"WE"}


# --- clock changes -----------------------------------------------------------------------------

@pytest.mark.parametrize("clock_change", [date(2026, 3, 29), date(2026, 10, 25),
                                          date(2027, 3, 28), date(2027, 10, 31)])
def test_sessions_keep_their_local_time_across_the_clock_change(clock_change: date):
    row = weekly("SU,MO", "10:00", "12:00")
    starts = next_occurrences(row, at(clock_change.year, clock_change.month,
                                      clock_change.day - 8), count=4)
    assert [s.time() for s in starts] == [time(10, 0)] * 4
    offsets = {s.utcoffset() for s in starts}
    assert len(offsets) == 2, "the sessions should straddle the change"
    assert clock_change in [s.date() for s in starts]
    ends = [session_end(row, s) for s in starts]
    assert all(e - s == timedelta(hours=2) for s, e in zip(starts, ends))


def test_hour_skipped_in_spring_moves_forward_rather_than_vanishing():
    row = weekly("SU", "01:30", "02:30")
    starts = next_occurrences(row, at(2026, 3, 27), count=1)
    assert starts[0].date() == date(2026, 3, 29)
    assert starts[0].isoformat() == "2026-03-29T02:30:00+01:00"


def test_after_given_in_utc_is_compared_as_the_same_instant():
    from datetime import timezone
    row = weekly("SA", "10:00")
    # 09:30 UTC on 6 June is 10:30 in London, so that day's 10am session has already started.
    starts = next_occurrences(row, datetime(2026, 6, 6, 9, 30, tzinfo=timezone.utc), count=1)
    assert starts == [at(2026, 6, 13, 10)]


# --- validity dates -----------------------------------------------------------------------------

def test_valid_to_stops_sessions_after_that_day():
    row = weekly("SA", valid_to="2026-12-12")
    assert next_occurrences(row, at(2026, 12, 1), count=5) == [at(2026, 12, 5, 10),
                                                                at(2026, 12, 12, 10)]
    assert next_occurrences(row, at(2026, 12, 13), count=5) == []


def test_valid_from_holds_sessions_back_until_that_day():
    row = weekly("SA", valid_from="2027-01-09")
    assert next_occurrences(row, at(2026, 12, 1), count=2) == [at(2027, 1, 9, 10),
                                                               at(2027, 1, 16, 10)]


def test_until_is_the_last_possible_day():
    row = monthly("1SA", until="2027-02-06")
    starts = next_occurrences(row, at(2026, 11, 26), count=5)
    assert [s.date() for s in starts] == [date(2026, 12, 5), date(2027, 1, 2), date(2027, 2, 6)]


def test_dtstart_in_the_future_is_the_first_session():
    row = weekly("TH", dtstart="2027-01-07")
    assert next_occurrences(row, at(2026, 11, 26), count=1) == [at(2027, 1, 7, 10)]


def test_a_session_at_exactly_after_is_not_included():
    row = weekly("SA")
    assert next_occurrences(row, at(2026, 12, 5, 10), count=1) == [at(2026, 12, 12, 10)]


@pytest.mark.parametrize("row", [
    monthly("5MO", bymonthday="1"),                                   # a fifth Monday is never the 1st
    monthly(bymonthday="30", interval=12, dtstart="2026-02-01"),      # February every year
    monthly(bymonthday="31", interval=12, dtstart="2026-04-01"),     # April has no 31st
])
def test_a_pattern_that_can_never_happen_is_rejected(row: dict):
    assert any("never happens" in problem for problem in validate_schedule(row))
    with pytest.raises(ScheduleError):
        next_occurrences(row, at(2026, 11, 26))


def test_a_rare_but_possible_pattern_is_accepted():
    friday_13th = monthly("FR", bymonthday="13")
    assert validate_schedule(friday_13th) == []
    assert [s.date() for s in next_occurrences(friday_13th, at(2026, 1, 1), count=2)] == [
        date(2026, 2, 13), date(2026, 3, 13)]


def test_sessions_more_than_three_years_ahead_are_not_listed():
    row = monthly("1MO", bymonthday="2", interval=12, dtstart="2026-01-01")  # Jan 2034, 2040
    assert next_occurrences(row, at(2026, 11, 26)) == []
    assert next_occurrences(row, at(2032, 6, 1), count=1) == [at(2034, 1, 2, 10)]


# --- by appointment -----------------------------------------------------------------------------

def test_by_appointment_has_no_sessions_and_says_so():
    row = {"description": None, "freq": None}
    assert is_by_appointment(row)
    assert next_occurrences(row, at(2026, 11, 26)) == []
    assert describe(row) == "By appointment"
    assert weekdays(row) == set()
    assert time_of_day(row) is None


def test_by_appointment_uses_the_centres_own_words():
    row = {"description": "Ring the centre to book a home visit"}
    assert describe(row) == "Ring the centre to book a home visit"


def test_a_pattern_without_times_is_described_but_has_no_sessions():
    row = {"freq": "WEEKLY", "byday": "MO"}
    assert describe(row) == "Every Monday"
    assert next_occurrences(row, at(2026, 11, 26)) == []


# --- wording ----------------------------------------------------------------------------------

@pytest.mark.parametrize("row, text", [
    (weekly("SA"), "Every Saturday, 10am to 12pm"),
    (weekly("TU", "13:30", "15:00", interval=2, dtstart="2026-01-06"),
     "Every other Tuesday, 1:30pm to 3pm"),
    (weekly("MO,WE"), "Every Monday and Wednesday, 10am to 12pm"),
    (weekly("WE,MO,FR", "09:30:00", "11:30:00"), "Every Monday, Wednesday and Friday, 9:30am to 11:30am"),
    (weekly("MO,TU,WE,TH,FR", "09:00", "17:00"), "Every weekday (Monday to Friday), 9am to 5pm"),
    (weekly("TH", "18:00", None), "Every Thursday, from 6pm"),
    (weekly("TH", interval=3, dtstart="2026-01-01"), "Every 3 weeks on Thursday, 10am to 12pm"),
    (monthly("1SA"), "First Saturday of the month, 10am to 12pm"),
    (monthly("2TU,4TU", "13:00", "14:30"), "Second and fourth Tuesday of the month, 1pm to 2:30pm"),
    (monthly("-1FR"), "Last Friday of the month, 10am to 12pm"),
    (monthly("1SA", interval=2, dtstart="2026-01-03"),
     "First Saturday of every other month, 10am to 12pm"),
    (monthly(bymonthday="2,15"), "On the 2nd and 15th of the month, 10am to 12pm"),
    (monthly(bymonthday="-1"), "On the last day of the month, 10am to 12pm"),
    (monthly(bymonthday="31"), "On the 31st of the month, 10am to 12pm"),
    (weekly("SA", "12:00", "12:45"), "Every Saturday, 12pm to 12:45pm"),
    (weekly("MO,TU,WE,TH,FR,SA,SU"), "Every day, 10am to 12pm"),
    (weekly("MO,WE", interval=2, dtstart="2026-01-05"),
     "Every other week on Monday and Wednesday, 10am to 12pm"),
    (weekly("MO,TU,WE,TH,FR", interval=2, dtstart="2026-01-05"),
     "Every other week, Monday to Friday, 10am to 12pm"),
    (monthly("1SA,SU"), "First Saturday of the month and every Sunday, 10am to 12pm"),
    (monthly("FR", bymonthday="13"), "Every Friday, when it falls on the 13th, 10am to 12pm"),
])
def test_describe_reads_like_a_person_wrote_it(row: dict, text: str):
    assert describe(row) == text


def test_describe_occurrence_names_the_day_and_times():
    start = at(2026, 12, 5, 10)
    assert describe_occurrence(start, at(2026, 12, 5, 12)) == "Saturday 5 December, 10am to 12pm"
    assert describe_occurrence(at(2026, 12, 8, 13, 30), None) == "Tuesday 8 December, 1:30pm"


@pytest.mark.parametrize("opens, part", [("09:59", "morning"), ("11:30", "morning"),
                                         ("12:00", "afternoon"), ("16:59", "afternoon"),
                                         ("17:00", "evening"), ("19:00:00", "evening")])
def test_time_of_day_goes_by_the_start_time(opens: str, part: str):
    assert time_of_day(weekly("MO", opens, None)) == part


def test_weekdays_lists_every_day_a_session_can_fall_on():
    assert weekdays(monthly("2TU,4TH")) == {"TU", "TH"}
    assert weekdays(monthly(bymonthday="15")) == set(DAY_CODES)


# --- bad rows ---------------------------------------------------------------------------------

@pytest.mark.parametrize("row, phrase", [
    (weekly("SA", freq="DAILY"), "freq must be WEEKLY or MONTHLY"),
    (weekly("SAT"), "'SAT'"),
    (weekly("1SA"), "only works with freq MONTHLY"),
    (monthly("6SA"), "'6SA'"),
    (monthly(bymonthday="32"), "'32'"),
    (weekly("SA", "10am"), "opens_at must be a time"),
    (weekly("SA", "12:00", "10:00"), "not after opens_at"),
    (weekly("SA", interval=0), "interval must be a whole number"),
    (weekly("SA", interval=2), "needs dtstart"),
    (weekly("SA", valid_from="2026-12-01", valid_to="2026-11-01"), "before valid_from"),
    (weekly("SA", dtstart="5th June"), "dtstart must be a date"),
    ({"freq": "MONTHLY", "opens_at": "10:00"}, "which day"),
])
def test_invalid_rows_are_reported_in_plain_words(row: dict, phrase: str):
    problems = validate_schedule(row)
    assert any(phrase in problem for problem in problems), problems
    with pytest.raises(ScheduleError) as error:
        next_occurrences(row, at(2026, 11, 26))
    assert phrase in str(error.value)


def test_a_good_row_has_no_problems():
    assert validate_schedule(monthly("2TU,4TU", "10:00:00", "11:30:00", interval="1",
                                     dtstart="2026-01-01", valid_to="2027-12-31")) == []


def test_every_problem_in_a_row_is_listed_at_once():
    problems = validate_schedule({"freq": "YEARLY", "byday": "XX", "opens_at": "25:00"})
    assert len(problems) == 3


# --- properties -------------------------------------------------------------------------------

byday_tokens = st.sampled_from(DAY_CODES)
ordinals = st.sampled_from([1, 2, 3, 4, -1, -2])


@st.composite
def schedules(draw) -> dict:
    freq = draw(st.sampled_from(["WEEKLY", "MONTHLY"]))
    if freq == "WEEKLY":
        days = draw(st.lists(byday_tokens, min_size=1, max_size=4, unique=True))
        byday, bymonthday = ",".join(days), None
    elif draw(st.booleans()):
        days = draw(st.lists(st.tuples(ordinals, byday_tokens), min_size=1, max_size=3, unique=True))
        byday, bymonthday = ",".join(f"{n}{d}" for n, d in days), None
    else:
        byday = None
        bymonthday = ",".join(str(n) for n in draw(st.lists(
            st.sampled_from([1, 2, 10, 15, 28, 29, 30, 31, -1, -2]), min_size=1, max_size=3,
            unique=True)))
    hour = draw(st.integers(min_value=6, max_value=20))
    minute = draw(st.sampled_from([0, 15, 30, 45]))
    anchor = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31)))
    valid_from = anchor + timedelta(days=draw(st.integers(0, 400)))
    valid_to = valid_from + timedelta(days=draw(st.integers(0, 900)))
    return {"freq": freq, "interval": draw(st.integers(1, 3)), "byday": byday,
            "bymonthday": bymonthday, "dtstart": anchor.isoformat(),
            "valid_from": valid_from.isoformat(), "valid_to": valid_to.isoformat(),
            "opens_at": f"{hour:02d}:{minute:02d}", "closes_at": f"{hour + 1:02d}:{minute:02d}"}


@settings(max_examples=300, deadline=None)
@given(row=schedules(),
       after=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2029, 12, 31)),
       count=st.integers(1, 6))
def test_occurrences_are_sorted_later_valid_and_at_the_local_opening_time(row, after, count):
    after = after.replace(tzinfo=LONDON)
    starts = next_occurrences(row, after, count=count)
    assert len(starts) <= count
    assert starts == sorted(starts)
    assert len(set(starts)) == len(starts)
    allowed = weekdays(row)
    opens = time.fromisoformat(row["opens_at"])
    for start in starts:
        assert start > after
        assert start.tzinfo is not None and start.astimezone(LONDON) == start
        assert date.fromisoformat(row["valid_from"]) <= start.date() <= date.fromisoformat(
            row["valid_to"])
        assert DAY_CODES[start.weekday()] in allowed
        assert start.time() == opens
        anchor = date.fromisoformat(row["dtstart"])
        if row["freq"] == "WEEKLY":  # whole numbers of `interval` weeks from dtstart's week
            weeks = ((start.date() - timedelta(days=start.weekday()))
                     - (anchor - timedelta(days=anchor.weekday()))).days // 7
            assert weeks % row["interval"] == 0
        else:
            months = (start.year - anchor.year) * 12 + start.month - anchor.month
            assert months % row["interval"] == 0
    assert describe(row)


@settings(max_examples=100, deadline=None)
@given(row=schedules(),
       after=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2029, 12, 31)))
def test_asking_again_from_the_first_session_gives_the_rest(row, after):
    after = after.replace(tzinfo=LONDON)
    starts = next_occurrences(row, after, count=4)
    if len(starts) >= 2:
        assert next_occurrences(row, starts[0], count=3) == starts[1:4]
