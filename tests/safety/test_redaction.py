"""Redaction of what a parent types, before any of it is stored (pure functions, both Pythons)."""

from __future__ import annotations

import pytest

from common.redaction import ANSWER_MARK, outward_code, redact_event, redact_text, redact_value, requested_slots


@pytest.mark.parametrize("text,expected", [
    ("ring me on 07700 900123", "ring me on [phone]"),
    ("my number is +44 7700 900 123 thanks", "my number is [phone] thanks"),
    ("(01254) 666 400", "[phone]"),
    ("07700900123", "[phone]"),
    ("email me at jo.bloggs+kids@example.co.uk", "email me at [email]"),
    ("we live in BB3 1AB", "we live in BB3 ***"),
    ("postcode bb31ab", "postcode BB3 ***"),
    ("my name is Sam", "my name is [name]"),
    ("My name's Jo Smith and I need help", "My name's [name] and I need help"),
    ("I'm called priya", "I'm called [name]"),
    ("call me Dave", "call me [name]"),
    ("This is Priya", "This is [name]"),
])
def test_personal_details_are_replaced(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "stay and play near BB3",            # an outward code is an area, not an address
    "can you call me back tomorrow",     # not a name
    "call me on Monday",
    "my 18 month old",
    "Childline 0800 1111 and Samaritans 116 123",  # short helpline numbers are not personal
    "this is great",
    "anything on saturday at 10am",
])
def test_ordinary_words_are_kept(text):
    assert redact_text(text) == text


def test_structured_values_keep_only_what_the_search_needs():
    assert outward_code("BB3 1AB") == "BB3"
    assert redact_value("bb2 4ab") == "BB2"
    assert redact_value({"near": "BB2 4AB", "terms": ["stay_and_play"]}) == \
        {"near": "BB2", "terms": ["stay_and_play"]}
    assert redact_value("Darwen") == "Darwen"
    assert redact_value(24) == 24


def test_a_user_event_loses_details_in_its_text_and_its_entities():
    event = {"event": "user", "text": "near BB3 1AB, email a@b.co",
             "parse_data": {"text": "near BB3 1AB, email a@b.co",
                            "entities": [{"entity": "place", "value": "BB3 1AB", "text": "BB3 1AB"}]}}
    out = redact_event(event)
    assert out["text"] == "near BB3 ***, email [email]"
    assert out["parse_data"]["entities"][0]["value"] == "BB3"
    assert event["text"].endswith("a@b.co")  # the original is untouched (the live turn needs it)


def test_answers_to_sensitive_questions_are_dropped_whole():
    events = [{"event": "slot", "name": "requested_slot", "value": "callback_first_name"},
              {"event": "user", "text": "Kez", "parse_data": {"text": "Kez", "entities": []}},
              {"event": "slot", "name": "callback_first_name", "value": "Kez"},
              {"event": "slot", "name": "requested_slot", "value": "callback_good_time"},
              {"event": "user", "text": "mornings", "parse_data": {"text": "mornings"}}]
    asking = requested_slots(events)
    out = [redact_event(e, answering=a) for e, a in zip(events, asking)]
    assert out[1]["text"] == ANSWER_MARK and out[1]["parse_data"]["text"] == ANSWER_MARK
    assert out[2]["value"] == ANSWER_MARK
    assert out[4]["text"] == "mornings"


def test_a_phone_number_misread_as_an_age_is_not_stored():
    from common.redaction import redact_events

    events = [{"event": "slot", "name": "age_months", "value": 24},
              {"event": "slot", "name": "requested_slot", "value": "callback_contact"},
              {"event": "user", "text": "07700 900123",
               "parse_data": {"text": "07700 900123",
                              "entities": [{"entity": "child_age", "value": 900123}]}},
              {"event": "slot", "name": "callback_contact", "value": "07700 900123"},
              {"event": "slot", "name": "age_months", "value": 900123},
              {"event": "slot", "name": "requested_slot", "value": "callback_good_time"},
              {"event": "user", "text": "call 01254 123456 at 2pm",
               "parse_data": {"entities": [{"entity": "child_age", "value": 123456}]}},
              {"event": "slot", "name": "age_months", "value": 123456}]
    out = redact_events(events)
    assert len(out) == len(events)
    assert "900123" not in str(out) and "123456" not in str(out)
    assert out[4]["value"] == 24  # the age from before the answer, not the misread number
    assert out[7]["value"] is None and out[6]["parse_data"]["entities"] == []
    # Saving turn by turn stores exactly what saving the whole conversation at once would.
    for start in range(len(events) + 1):
        assert redact_events(events, start) == out[start:]
