"""The rule parsers read what parents type into exact values the directory search can use."""

from datetime import datetime

import pytest

from bot.nlu.parsers import (LONDON, bare_number_age, find_access, find_audience, find_cost, find_days,
                             find_places, find_postcodes, find_times, parse_ages, parse_all)

THURSDAY = datetime(2026, 11, 26, 9, 0, tzinfo=LONDON)
SUNDAY = datetime(2026, 11, 29, 9, 0, tzinfo=LONDON)
TOWNS = ["Darwen", "Blackburn", "Great Harwood", "Clitheroe"]


def values(found):
    return [f.value for f in found]


@pytest.mark.parametrize("text, expected", [
    ("BB3 1AB", ["BB3 1AB"]),
    ("bb31ab", ["BB3 1AB"]),
    ("bb3  1ab", ["BB3 1AB"]),
    ("my postcode is bb2 4hq thanks", ["BB2 4HQ"]),
    ("bb3", ["BB3"]),
    ("anything in BB1?", ["BB1"]),
    ("near m1", ["M1"]),
    ("sw1a 1aa", ["SW1A 1AA"]),
    ("EC1A", ["EC1A"]),
])
def test_postcodes_full_and_outward_any_case_or_spacing(text, expected):
    assert values(find_postcodes(text)) == expected


@pytest.mark.parametrize("text", ["gr8 thanks", "my 2yo", "hv visit", "see u l8r", "m8 any groups", "UC help",
                                  "yr2 class", "LO is 9 months"])
def test_text_speak_and_ages_are_not_postcodes(text):
    assert [f for f in parse_all(text) if f.entity == "place"] == []


@pytest.mark.parametrize("text, expected", [
    ("im in darwen", ["Darwen"]),
    ("any dads groups on a sat near darwen", ["Darwen"]),
    ("DARWEN", ["Darwen"]),
    ("something in great harwood please", ["Great Harwood"]),
    ("we live near clitheroe", ["Clitheroe"]),
    ("anything around accrington on saturday", ["Accrington"]),
    ("stay and play in manchester", ["Manchester"]),
    ("im in bb3", ["BB3"]),
])
def test_places_from_the_directory_and_from_near_in_around(text, expected):
    assert values(find_places(text, TOWNS)) == expected


@pytest.mark.parametrize("text", ["anything near me", "in the morning", "classes in english", "in person please",
                                  "something around lunch", "is it in my area", "groups in town", "in may"])
def test_near_and_in_without_a_place_find_nothing(text):
    assert find_places(text, TOWNS) == []


@pytest.mark.parametrize("text, months", [
    ("my 18 month old", [18]),
    ("18 months", [18]),
    ("18mths", [18]),
    ("2yo", [24]),
    ("2 y/o", [24]),
    ("my 2 year old isnt talking yet", [24]),
    ("3 yrs old", [36]),
    ("newborn", [0]),
    ("my new born", [0]),
    ("9 months", [9]),
    ("LO is 9 months and hasnt had her review", [9]),
    ("3 and a half", [42]),
    ("she's 2", [24]),
    ("shes 2", [24]),
    ("he is nearly 4", [48]),
    ("hes 4 n a half", [54]),
    ("my 1 and a half year old", [18]),
    ("a year old", [12]),
    ("one year old", [12]),
    ("6 weeks old", [1]),
    ("my baby is 20 weeks", [4]),
    ("10 days old", [0]),
    ("a 3 year old and a 6 month old", [36, 6]),
    ("2.5 years", [30]),
])
def test_child_age_in_months(text, months):
    assert values(parse_ages(text).ages) == months


@pytest.mark.parametrize("text", ["any groups", "hang on a mo", "at 2pm", "she's 2 minutes away", "3 miles",
                                  "15 hours free childcare", "is there anything", "an hour"])
def test_words_that_are_not_ages(text):
    assert parse_ages(text).ages == []


def test_twins_keep_the_age_and_are_noted():
    parsed = parse_ages("2 year old twins")
    assert values(parsed.ages) == [24]
    assert parsed.twins and parsed.ages[0].extra == {"twins": True}
    assert parse_ages("my twins").twins and parse_ages("my twins").ages == []


@pytest.mark.parametrize("text", ["im 20 weeks pregnant", "20 wks pregnant", "expecting", "we're expecting our first",
                                  "due in May", "baby due in june", "due in 3 weeks", "im 12 weeks gone",
                                  "first time mum to be", "pregnent with no 2"])
def test_pregnancy_is_found_and_is_never_an_age(text):
    parsed = parse_ages(text)
    assert parsed.pregnant is not None and parsed.pregnant.value is True
    assert parsed.ages == []


def test_weeks_pregnant_are_kept():
    assert parse_ages("im 20 weeks pregnant").pregnant.extra == {"weeks": 20}


@pytest.mark.parametrize("text", ["my review is due in june", "her jabs are due in may", "2 year check"])
def test_due_dates_that_are_not_babies(text):
    assert parse_ages(text).pregnant is None


@pytest.mark.parametrize("text, days", [
    ("saturday", ["SA"]),
    ("any on a sat", ["SA"]),
    ("saturdays", ["SA"]),
    ("weekend", ["SA", "SU"]),
    ("at the weekends", ["SA", "SU"]),
    ("weekdays", ["MO", "TU", "WE", "TH", "FR"]),
    ("during the week", ["MO", "TU", "WE", "TH", "FR"]),
    ("monday or weds", ["MO", "WE"]),
    ("tues and thurs", ["TU", "TH"]),
    ("fri", ["FR"]),
    ("sunday mornings", ["SU"]),
])
def test_days_one_code_per_day(text, days):
    assert values(find_days(text, THURSDAY)) == days


def test_today_and_tomorrow_are_relative_to_now():
    assert values(find_days("anything today", THURSDAY)) == ["TH"]
    assert values(find_days("anything tomorrow", THURSDAY)) == ["FR"]
    assert values(find_days("tmrw?", SUNDAY)) == ["MO"]
    assert values(find_days("tonight", SUNDAY)) == ["SU"]


@pytest.mark.parametrize("text", ["i sat down with the HV", "out in the sun", "c'mon", "i just sat there"])
def test_ordinary_words_that_look_like_days(text):
    assert find_days(text, THURSDAY) == []


@pytest.mark.parametrize("text, value", [
    ("morning", "morning"),
    ("in the mornings", "morning"),
    ("afternoon", "afternoon"),
    ("after lunch", "afternoon"),
    ("after work", "evening"),
    ("evenings", "evening"),
    ("something after 6", "evening"),
    ("at 10am", "morning"),
    ("2pm", "afternoon"),
    ("7pm", "evening"),
    ("12pm", "afternoon"),
])
def test_times_of_day(text, value):
    assert values(find_times(text)) == [value]


def test_after_school_club_is_a_need_not_a_time():
    assert find_times("after school club") == []


@pytest.mark.parametrize("text", ["free", "free ones only", "is it free", "no cost please", "costs nothing",
                                  "doesnt cost anything", "i cant afford to pay", "free of charge"])
def test_free(text):
    assert values(find_cost(text)) == ["free"]


@pytest.mark.parametrize("text", ["cheap", "something cheap", "tax free childcare", "15 free hours",
                                  "free childcare for 2 year olds", "step free access", "how do the free hours work",
                                  "gluten free snacks"])
def test_not_a_price_filter(text):
    assert find_cost(text) == []


@pytest.mark.parametrize("text", ["dad", "dads groups", "is there anything for dads", "grandad", "granddad",
                                  "male carer", "male carers welcome?", "stepdad", "step dad", "step-dad",
                                  "im a single dad", "mens group", "daddy and me"])
def test_father_audience(text):
    assert values(find_audience(text)) == ["father"]


@pytest.mark.parametrize("text", ["mums group", "women only", "my mum", "grandma"])
def test_not_father(text):
    assert find_audience(text) == []


@pytest.mark.parametrize("text", ["wheelchair", "my son uses a wheelchair", "step free", "step-free access",
                                  "pushchair access", "buggy access", "is it accessible", "is there a lift",
                                  "disabled parking"])
def test_access(text):
    assert values(find_access(text)) == ["wheelchair"]


@pytest.mark.parametrize("text", ["can you give me a lift", "i cant lift him", "walking distance"])
def test_not_access(text):
    assert find_access(text) == []


def test_a_whole_parent_message():
    found = parse_all("any free dads groups on a sat morning near darwen for my 18 month old",
                      known_places=TOWNS, now=THURSDAY)
    assert [(f.entity, f.value) for f in found] == [
        ("cost", "free"), ("audience", "father"), ("day", "SA"), ("time_of_day", "morning"),
        ("place", "Darwen"), ("child_age", 18)]


def test_spans_point_at_the_words():
    text = "stay and play in bb3 for my 2yo"
    for f in parse_all(text):
        assert text[f.start:f.end] == f.text


# --- SignpostEntityParser: the rules' values win over DIET's guesses -------------------------

def test_parsed_values_replace_diet_guesses_over_the_same_words():
    from bot.nlu.entity_parser import merge_parsed

    text = "dads group on a sat near darwen"
    diet = [{"entity": "day", "value": "sat", "start": 16, "end": 19, "extractor": "DIETClassifier"},
            {"entity": "need", "value": "father_friendly", "start": 0, "end": 10, "extractor": "DIETClassifier"},
            {"entity": "time_of_day", "value": "mornin", "start": 0, "end": 3, "extractor": "DIETClassifier"}]
    merged = merge_parsed(diet, parse_all(text, known_places=TOWNS), "SignpostEntityParser")
    assert [(e["entity"], e["value"], e["extractor"]) for e in merged] == [
        ("audience", "father", "SignpostEntityParser"),
        ("need", "father_friendly", "DIETClassifier"),
        ("day", "SA", "SignpostEntityParser"),
        ("place", "Darwen", "SignpostEntityParser"),
    ]


def test_a_valid_diet_value_the_rules_missed_is_kept():
    from bot.nlu.entity_parser import merge_parsed

    diet = [{"entity": "audience", "value": "father", "start": 9, "end": 14},
            {"entity": "child_age", "value": "24", "start": 20, "end": 25}]
    merged = merge_parsed(diet, [], "SignpostEntityParser")
    assert [(e["entity"], e["value"]) for e in merged] == [("audience", "father"), ("child_age", 24)]


def test_towns_come_from_the_live_directory(tmp_path):
    import sqlite3

    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.entity_parser import SignpostEntityParser

    db = tmp_path / "directory.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE address (id TEXT, city TEXT)")
    conn.commit()
    parser = SignpostEntityParser.create({"directory_db": str(db), "refresh_seconds": 0},
                                         None, None, None)
    parser.now = lambda: THURSDAY

    def places(text):
        m = Message(data={"text": text})
        parser.process([m])
        return [(e["value"], e["extractor"]) for e in m.get("entities") if e["entity"] == "place"]

    assert places("stay and play rishton tomorrow") == []
    conn.execute("INSERT INTO address VALUES ('a1', 'Rishton')")
    conn.commit()
    assert places("stay and play rishton tomorrow") == [("Rishton", "SignpostEntityParser")]


@pytest.mark.parametrize("text, months", [("2", 24), ("two", 24), ("3 and a half", 42), (" 4.", 48)])
def test_a_bare_number_reply_is_years(text, months):
    assert bare_number_age(text).value == months


@pytest.mark.parametrize("text", ["a", "25", "bb2", "2 please and thanks", "hello 2"])
def test_not_a_bare_number(text):
    assert bare_number_age(text) is None
