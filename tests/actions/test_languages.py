"""A parent who writes in another language is offered an interpreter in that language, with the
family hubs' real number; the search action can tell which language the last message was in."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import textstat
import yaml

from actions.languages import (
    interpreter_sentence,
    language_name,
    message_language,
    search_language,
)
from common.languages import LRI, PDI, LanguagesError, load_languages, parse_languages
from common.settings import DEFAULT_MAIN_LINE, Settings
from directory.language import stigma_phrases_in

EXPECTED = {"pl", "ur", "pa", "gu", "bn", "ro", "ar", "es"}
#: A letter of each language's own script, to show the sentence is written in it.
SCRIPT_LETTER = {"ur": "ARABIC", "ar": "ARABIC", "pa": "GURMUKHI", "gu": "GUJARATI", "bn": "BENGALI",
                 "pl": "LATIN", "ro": "LATIN", "es": "LATIN"}


def test_the_eight_languages_of_the_issue_are_listed():
    assert EXPECTED <= set(load_languages())


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_language_has_an_interpreter_sentence_with_the_main_line_in_it(code):
    phone = Settings.from_env({"SIGNPOST_FAMILY_HUBS_PHONE": "0300 123 4567"}).family_hubs_phone
    sentence = interpreter_sentence(code, phone)
    language = load_languages()[code]
    assert sentence is not None
    assert "0300 123 4567" in sentence
    # The parent is told to say the English name of the language, which whoever answers knows.
    assert language.name in sentence
    assert "{" not in sentence and "}" not in sentence
    letters = [c for c in sentence.replace(language.name, "") if c.isalpha()]
    assert all(unicodedata.name(c).startswith(SCRIPT_LETTER[code]) for c in letters), code


def test_the_polish_sentence_reads_as_written():
    assert interpreter_sentence("pl", DEFAULT_MAIN_LINE) == (
        "Możemy zapewnić Ci tłumacza. Zadzwoń pod numer 01254 666444 i powiedz „Polish”.")


@pytest.mark.parametrize("code", ["ur", "ar"])
def test_in_right_to_left_languages_the_number_keeps_its_order(code):
    # Without the isolates, "01254 666444" would show as "666444 01254" in Urdu or Arabic.
    assert f"{LRI}01254 666444{PDI}" in interpreter_sentence(code, "01254 666444")


def test_left_to_right_sentences_have_no_invisible_characters():
    assert LRI not in interpreter_sentence("pl", "01254 666444")


@pytest.mark.parametrize("code", [None, "", "en", "xx", "fr", "klingon"])
def test_english_unknown_or_missing_languages_get_no_sentence(code):
    assert interpreter_sentence(code, DEFAULT_MAIN_LINE) is None


def test_codes_are_read_in_any_case():
    assert interpreter_sentence(" PL ", "01254 666444") == interpreter_sentence("pl", "01254 666444")


def test_every_translation_says_where_it_came_from_and_whether_it_was_checked():
    for language in load_languages().values():
        assert language.source
        assert language.review
        if "machine" in language.source.lower():
            assert "needs review by a native speaker" in language.review


def test_the_english_original_is_plain_and_kind():
    # The sentence every translation comes from (common/languages.yml says so).
    raw = (Path(__file__).resolve().parents[2] / "common" / "languages.yml").read_text(encoding="utf-8")
    original = 'We can get you an interpreter. Call {phone} and say "{name}".'
    assert original in raw
    text = original.format(phone=DEFAULT_MAIN_LINE, name="Polish")
    assert stigma_phrases_in(text) == []
    assert textstat.flesch_kincaid_grade(text) <= 6


# --- which language the last message was in --------------------------------------------------

POLISH_PARSE = {
    "text": "czy są grupy dla dzieci w Blackburn",
    "intent": {"name": "find_service", "confidence": 1.0},
    "entities": [
        {"entity": "language", "value": "pl", "start": 0, "end": 35, "extractor": "LanguageDetector"},
        {"entity": "need", "value": "stay_and_play", "start": 7, "end": 23, "extractor": "LanguageDetector"},
        {"entity": "place", "value": "Blackburn", "start": 26, "end": 35, "extractor": "LanguageDetector"},
    ],
}


def test_the_language_of_the_latest_message_is_read_from_its_entities():
    assert message_language(POLISH_PARSE) == "pl"
    assert search_language(POLISH_PARSE) == "pl"


def test_an_english_message_has_no_language_and_no_search_preference():
    english = {"text": "stay and play in Blackburn", "entities": [
        {"entity": "need", "value": "stay_and_play"}, {"entity": "place", "value": "Blackburn"}]}
    for parse in (english, {}, None, {"entities": None}):
        assert message_language(parse) is None
        assert search_language(parse) is None


def test_a_language_we_have_no_sentence_for_is_no_search_preference():
    parse = {"entities": [{"entity": "language", "value": "fr"}]}
    assert message_language(parse) == "fr"
    assert search_language(parse) is None


def test_staff_see_the_language_by_its_english_and_own_name():
    assert language_name("pl") == "Polish (Polski)"
    assert language_name("bn") == "Bengali (বাংলা)"
    assert language_name("xx") is None


# --- a broken languages file is refused with a clear message ---------------------------------

def _raw() -> dict:
    path = Path(__file__).resolve().parents[2] / "common" / "languages.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_sentence_without_the_phone_number_is_refused():
    raw = _raw()
    raw["languages"][0]["interpreter"] = "Możemy zapewnić Ci tłumacza."
    with pytest.raises(LanguagesError, match=r"language 'pl': the interpreter sentence must contain \{phone\}"):
        parse_languages(raw)


def test_an_unknown_placeholder_and_a_bad_code_are_both_reported():
    raw = _raw()
    raw["languages"][1]["interpreter"] += " {hours}"
    raw["languages"][2]["code"] = "punjabi"
    with pytest.raises(LanguagesError, match=r"2 problem\(s\)") as err:
        parse_languages(raw)
    assert "not hours" in str(err.value) and "'punjabi'" in str(err.value)


def test_a_language_listed_twice_is_refused():
    raw = _raw()
    raw["languages"].append(dict(raw["languages"][0]))
    with pytest.raises(LanguagesError, match="language 'pl' is listed twice"):
        parse_languages(raw)
