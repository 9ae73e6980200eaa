"""The service and session forms turn what staff type into ORUK fields, and keep everything else."""

from __future__ import annotations

import copy

from web.staff.base import london_time
from web.staff import service_form as sf
from directory.schedules import describe

TERMS = ["stay_and_play", "father_friendly", "antenatal"]


class Form(dict):
    """Like aiohttp's MultiDict: ``getall`` for repeated fields."""

    def getall(self, key, default=()):
        value = self.get(key, default)
        return value if isinstance(value, list) else [value]


def session(**fields):
    return sf.read_schedule_form(Form(fields), locations=["loc-1"])


def test_a_monthly_session_on_the_first_saturday():
    values, fields, errors = session(kind="monthly", week="1", days=["SA"], opens_at="10:00",
                                     closes_at="12:00", location="loc-1")
    assert errors == {}
    assert fields["freq"] == "MONTHLY" and fields["byday"] == "1SA"
    assert describe({k: v for k, v in fields.items() if v is not None}) == \
        "First Saturday of the month, 10am to 12pm"
    _, last, _ = session(kind="monthly", week="-1", days=["FR"], opens_at="18:00", closes_at="19:30")
    assert last["byday"] == "-1FR"


def test_times_are_read_kindly_and_checked():
    _, fields, errors = session(kind="weekly", days=["MO", "WE"], opens_at="9.30", closes_at="2:15pm")
    assert errors == {} and fields["opens_at"] == "09:30" and fields["closes_at"] == "14:15"
    assert fields["byday"] == "MO,WE" and fields["interval"] == 1
    _, _, errors = session(kind="weekly", days=["MO"], opens_at="11:00", closes_at="10:00")
    assert errors == {"closes_at": "The finish time must be after the start time."}


def test_every_two_weeks_needs_the_date_of_one_session():
    _, _, errors = session(kind="weekly", days=["TU"], interval="2", opens_at="10:00", closes_at="11:00")
    assert "valid_from" in errors
    _, fields, errors = session(kind="weekly", days=["TU"], interval="2", opens_at="10:00",
                                closes_at="11:00", valid_from="2026-09-01")
    assert errors == {} and fields["interval"] == 2 and fields["dtstart"] == "2026-09-01"


def test_by_appointment_has_no_times_but_says_how_to_book():
    _, fields, errors = session(kind="appointment", description="Ring to book")
    assert errors == {} and fields["freq"] is None and fields["opens_at"] is None
    assert session(kind="appointment")[2] == {
        "description": "Tell families how to book, like 'Ring the centre to book a time'."}


def test_a_monthly_session_is_on_one_day():
    _, _, errors = session(kind="monthly", week="2", days=["MO", "TU"], opens_at="10:00", closes_at="11:00")
    assert "one day" in errors["days"]


def test_saving_the_form_keeps_what_the_form_does_not_show(sample_services):
    service = copy.deepcopy(sample_services[0])
    service["funding"] = [{"id": "f1", "source": "Council"}]
    service["attributes"].append({"id": "other", "taxonomy_term_id": "x-1",
                                  "taxonomy_term": {"id": "x-1", "name": "Other", "taxonomy_id": "elsewhere"}})
    values = sf.service_values(service)
    values.update(name="New name", needs=["stay_and_play"], cost="paid", cost_amount="2.50",
                  cost_description="£2.50 a session")
    saved = sf.apply_service_values(service, values, terms={t: {} for t in TERMS + ["health_visiting"]})
    assert saved["name"] == "New name" and saved["funding"] == [{"id": "f1", "source": "Council"}]
    terms = [a["taxonomy_term_id"] for a in saved["attributes"]]
    assert terms == ["x-1", "stay_and_play"]  # another taxonomy's term is kept
    assert saved["cost_options"][0]["amount"] == 2.5 and "fees" not in saved
    assert all("location" not in sal for sal in saved["service_at_locations"])
    assert "organization" not in saved and "version" not in saved
    assert sf.service_values(saved)["cost"] == "paid"


def test_form_checks_give_one_message_per_field():
    values, errors = sf.read_service_form(Form(name="", description="x", status="active", needs=["nope"],
                                               minimum_age="5", maximum_age="2", cost="paid",
                                               phone="call me", url="www.example.org",
                                               locations=["elsewhere"]),
                                          term_ids=TERMS, allowed_locations=["loc-1"])
    assert set(errors) == {"name", "needs", "maximum_age", "cost_description", "phone", "url", "locations"}


def test_times_show_in_london_time():
    assert london_time("2026-07-01T13:05:00+00:00") == "1 Jul 2026, 14:05"
    assert london_time("2026-12-01T13:05:00+00:00") == "1 Dec 2026, 13:05"
    assert london_time(None) == ""
