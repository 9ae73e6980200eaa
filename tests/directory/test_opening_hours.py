"""A centre's opening hours: in words, open or closed at a moment, across the clock change,
and kept by ORUK import and export."""

from __future__ import annotations

import json
from datetime import datetime, time, timezone

from directory import oruk
from directory.oruk_ids import public_id
from directory.db import open_db
from directory.opening_hours import (centre_hours_at, describe_hours, hours_at, hours_from_days,
                                     when_words)

WEEKDAYS_9_TO_5 = [{"id": "h1", "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR",
                    "opens_at": "09:00", "closes_at": "17:00"}]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_hours_in_words():
    assert describe_hours(WEEKDAYS_9_TO_5) == "Monday to Friday, 9am to 5pm"
    rows = hours_from_days({"MO": (time(9), time(17)), "TU": (time(9), time(17)),
                            "SA": (time(10), time(12, 30))})
    assert describe_hours(rows) == "Monday and Tuesday, 9am to 5pm and Saturday, 10am to 12:30pm"
    assert describe_hours([]) is None


def test_staff_days_become_few_rows():
    days = {code: (time(9), time(17)) for code in ("MO", "TU", "WE", "TH", "FR")}
    rows = hours_from_days(days)
    assert rows == [{"freq": "WEEKLY", "interval": 1, "byday": "MO,TU,WE,TH,FR",
                     "opens_at": "09:00", "closes_at": "17:00", "description": "Opening hours"}]


def test_open_and_closed_on_an_ordinary_day():
    # Wednesday 2 December 2026, GMT.
    assert hours_at(WEEKDAYS_9_TO_5, utc(2026, 12, 2, 10)).open_now
    closed = hours_at(WEEKDAYS_9_TO_5, utc(2026, 12, 2, 17, 30))
    assert not closed.open_now
    assert closed.opens_next == utc(2026, 12, 3, 9)


def test_the_weekend_waits_for_monday():
    saturday_noon = utc(2026, 12, 5, 12)
    hours = hours_at(WEEKDAYS_9_TO_5, saturday_noon)
    assert not hours.open_now
    assert when_words(hours.opens_next, saturday_noon) == "on Monday at 9am"


def test_opening_hours_across_the_spring_clock_change():
    # The clocks go forward on Sunday 29 March 2026: 9am on Monday is 08:00 UTC.
    friday_evening = utc(2026, 3, 27, 18)
    assert hours_at(WEEKDAYS_9_TO_5, friday_evening).opens_next == utc(2026, 3, 30, 8)
    assert hours_at(WEEKDAYS_9_TO_5, utc(2026, 3, 30, 8, 30)).open_now  # 9:30am BST
    assert not hours_at(WEEKDAYS_9_TO_5, utc(2026, 3, 30, 16, 30)).open_now  # 5:30pm BST
    assert hours_at(WEEKDAYS_9_TO_5, utc(2026, 3, 30, 8, 30)).closes == utc(2026, 3, 30, 16)


def test_opening_hours_across_the_autumn_clock_change():
    # The clocks go back on Sunday 25 October 2026: 9am on Monday is 09:00 UTC again.
    assert hours_at(WEEKDAYS_9_TO_5, utc(2026, 10, 23, 18)).opens_next == utc(2026, 10, 26, 9)
    assert not hours_at(WEEKDAYS_9_TO_5, utc(2026, 10, 26, 8, 30)).open_now  # 8:30am GMT
    assert hours_at(WEEKDAYS_9_TO_5, utc(2026, 10, 26, 16, 30)).open_now  # 4:30pm GMT
    sunday = [{"id": "s", "freq": "WEEKLY", "byday": "SU", "opens_at": "01:30", "closes_at": "03:00"}]
    # 1:30am happens twice that night; the centre opens at the first one.
    opens = hours_at(sunday, utc(2026, 10, 24, 12)).opens_next
    assert opens.astimezone(timezone.utc) == utc(2026, 10, 25, 0, 30)


def test_when_words():
    now = utc(2026, 12, 2, 18)
    assert when_words(utc(2026, 12, 3, 9), now) == "tomorrow at 9am"
    assert when_words(utc(2026, 12, 14, 9, 30), now) == "on Monday 14 December at 9:30am"


def _service_with_hours() -> dict:
    return {
        "id": "svc-1", "name": "Stay and play", "description": "Songs and toys.",
        "status": "active",
        "service_at_locations": [{"id": "sal-1", "location": {
            "id": "loc-1", "name": "Darwen Family Hub", "location_type": "physical",
            "addresses": [{"id": "a-1", "address_1": "1 Union Street", "city": "Darwen",
                           "state_province": "Lancashire", "postal_code": "BB3 1AB", "country": "GB",
                           "address_type": "physical"}],
            "schedules": [{"id": "oh-1", "freq": "WEEKLY", "interval": 1, "byday": "MO,TU,WE,TH,FR",
                           "opens_at": "09:00", "closes_at": "17:00",
                           "description": "Opening hours"}]},
            "schedules": [{"id": "s-1", "freq": "WEEKLY", "byday": "SA", "opens_at": "10:00",
                           "closes_at": "12:00"}]}],
    }


def test_oruk_round_trip_keeps_a_centres_hours(tmp_path):
    first = open_db(tmp_path / "first.db")
    oruk.import_oruk(first, [_service_with_hours()])
    exported = json.loads(json.dumps(oruk.export_oruk(first)))
    location = exported[0]["service_at_locations"][0]["location"]
    assert [s["id"] for s in location["schedules"]] == [public_id("oh-1")]
    assert location["schedules"][0]["byday"] == "MO,TU,WE,TH,FR"
    # The centre's hours are not a session of the service.
    assert [s["id"] for s in exported[0]["service_at_locations"][0]["schedules"]] == [public_id("s-1")]
    second = open_db(tmp_path / "second.db")
    oruk.import_oruk(second, exported)
    assert json.loads(json.dumps(oruk.export_oruk(second))) == exported
    hours = centre_hours_at(second, public_id("loc-1"), utc(2026, 12, 2, 10))
    assert hours.text == "Monday to Friday, 9am to 5pm" and hours.open_now


def test_a_centre_is_shut_on_bank_holidays_and_its_closures(tmp_path):
    """Christmas Day 2026 is a Friday and Monday 28 December is Boxing Day's substitute, so the
    hub opens next on Tuesday 29 December; a closure of the centre keeps it shut for longer."""
    from directory import edits
    db = open_db(tmp_path / "hours.db")
    oruk.import_oruk(db, [_service_with_hours()])
    christmas_morning = utc(2026, 12, 25, 10)
    hours = centre_hours_at(db, "loc-1", christmas_morning)
    assert not hours.open_now and hours.opens_next == utc(2026, 12, 29, 9)
    # In Scotland 2 January is a bank holiday too; in 2027 it is a Saturday, so Monday 4 January
    # is the day off. In England and Wales the hub is open that Monday.
    assert not centre_hours_at(db, "loc-1", utc(2027, 1, 4, 10), "scotland").open_now
    assert centre_hours_at(db, "loc-1", utc(2027, 1, 4, 10)).open_now
    edits.save_period(db, {"kind": "closure", "location_id": "loc-1", "valid_from": "2026-12-24",
                           "valid_to": "2027-01-01"}, actor="test")
    assert centre_hours_at(db, "loc-1", christmas_morning).opens_next == utc(2027, 1, 4, 9)
    # The ordinary weekday is untouched.
    assert centre_hours_at(db, "loc-1", utc(2026, 12, 2, 10)).open_now
