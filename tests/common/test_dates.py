"""The dates parents write become the moment a search starts from, and the words a reply uses."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from common.dates import LONDON, when_in

# Saturday 5 December 2026, 11am.
NOW = datetime(2026, 12, 5, 11, 0, tzinfo=timezone.utc)


def at(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.mark.parametrize("text", [
    "what's on in Christmas week near BB3", "anything over christmas", "xmas week please",
    "is anything open in the christmas holidays", "what's on the week of 21 December",
    "week beginning 21st dec",
])
def test_christmas_week_starts_on_monday_21_december_2026(text):
    when = when_in(text, NOW)
    assert when.start == at(2026, 12, 21)
    assert when.words == "in the week of 21 December"


def test_christmas_week_after_christmas_means_next_year():
    when = when_in("christmas week", datetime(2026, 12, 28, 12, tzinfo=timezone.utc))
    assert when.start == at(2027, 12, 20)
    assert when.words == "in the week of 20 December"


def test_during_christmas_week_the_search_starts_now():
    now = datetime(2026, 12, 23, 12, tzinfo=timezone.utc)
    when = when_in("anything on christmas week", now)
    assert when.start == now and when.words == "in the week of 21 December"


@pytest.mark.parametrize("text", ["anything next week", "What's on NEXT WEEK in Darwen"])
def test_next_week_starts_next_monday(text):
    when = when_in(text, NOW)
    assert when.start == at(2026, 12, 7)
    assert when.words == "in the week of 7 December"


def test_next_week_at_the_end_of_the_year():
    when = when_in("next week", datetime(2026, 12, 30, 9, tzinfo=timezone.utc))
    assert when.start == at(2027, 1, 4)
    assert when.words == "in the week of 4 January"


@pytest.mark.parametrize("text", ["this weekend", "at the weekend", "over the week-end"])
def test_this_weekend_on_a_weekday_starts_on_saturday(text):
    wednesday = datetime(2026, 12, 2, 15, tzinfo=timezone.utc)
    when = when_in(text, wednesday)
    assert when.start == at(2026, 12, 5)
    assert when.days == ("SA", "SU")
    assert when.words == "this weekend"


def test_this_weekend_on_a_saturday_starts_now_and_next_weekend_a_week_later():
    assert when_in("this weekend", NOW).start == NOW
    when = when_in("next weekend", NOW)
    assert when.start == at(2026, 12, 12)
    assert when.words == "next weekend, from Saturday 12 December"


@pytest.mark.parametrize("text, start, words", [
    ("on the 28th", at(2026, 12, 28), "from Monday 28 December"),
    ("28 December", at(2026, 12, 28), "from Monday 28 December"),
    ("Dec 28th", at(2026, 12, 28), "from Monday 28 December"),
    ("december the 28th", at(2026, 12, 28), "from Monday 28 December"),
    ("28/12", at(2026, 12, 28), "from Monday 28 December"),
    ("on 3rd", at(2027, 1, 3), "from Sunday 3 January 2027"),
    ("the 5th of January", at(2027, 1, 5), "from Tuesday 5 January 2027"),
    ("5/1", at(2027, 1, 5), "from Tuesday 5 January 2027"),
    ("2nd may", at(2027, 5, 2), "from Sunday 2 May 2027"),
    ("tomorrow", at(2026, 12, 6), "from tomorrow, Sunday 6 December"),
])
def test_a_named_date(text, start, words):
    when = when_in(text, NOW)
    assert (when.start, when.words) == (start, words)


def test_a_date_earlier_in_the_year_means_next_year():
    when = when_in("on 2 January", NOW)
    assert when.start == at(2027, 1, 2)


def test_on_the_31st_skips_months_without_one():
    when = when_in("on the 31st", datetime(2027, 2, 3, 9, tzinfo=timezone.utc))
    assert when.start == at(2027, 3, 31)


def test_a_date_today_starts_now():
    assert when_in("on the 5th", NOW).start == NOW


@pytest.mark.parametrize("text", [
    "my 2nd child is 3", "we're open 24/7?", "she is 2 may be 3 soon", "stay and play",
    "on Saturday", "the 3rd one", "for my 1 year old", "on the 45th", "99/99",
])
def test_words_that_are_not_dates(text):
    assert when_in(text, NOW) is None


def test_where_the_phrase_is_so_it_is_not_searched_as_words():
    text = "what's on in Christmas week near BB3"
    start, end = when_in(text, NOW).span
    assert text[start:end] == "Christmas week"
