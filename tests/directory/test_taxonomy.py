"""The needs taxonomy is the contract every other part reads: these tests hold it to its promises."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from directory.language import stigma_phrases_in
from directory.taxonomy import (
    DEFAULT_PATH,
    TAXONOMY_ID,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
    normalise_phrase,
)

CORE_OFFER = [
    "health_visiting", "antenatal", "infant_feeding", "stay_and_play", "father_friendly",
    "jobcentre_plus", "disability_send", "childcare_early_education", "family_support",
    "parenting_courses", "parent_wellbeing", "childminder_support",
]


def test_the_core_offer_has_exactly_the_twelve_agreed_needs(taxonomy: Taxonomy) -> None:
    assert taxonomy.id == TAXONOMY_ID == "signpost-core-offer"
    assert taxonomy.name == "Signpost core offer"
    assert taxonomy.ids == CORE_OFFER


def test_every_need_has_words_a_parent_can_read(taxonomy: Taxonomy) -> None:
    for term in taxonomy.terms:
        assert term.name and term.label, term.id
        # One plain sentence: ends with a full stop, no second sentence, short words.
        assert term.description.endswith("."), term.id
        assert term.description.count(". ") == 0, term.id
        assert len(term.description.split()) <= 20, term.id
        assert not stigma_phrases_in(" ".join([term.name, term.description, term.label])), term.id


def test_every_need_has_plenty_of_things_parents_type(taxonomy: Taxonomy) -> None:
    for term in taxonomy.terms:
        assert len(term.phrases) >= 25, (term.id, len(term.phrases))
        # Bare need words, not whole sentences: the NLU builds sentences around them.
        for phrase in term.phrases:
            assert len(phrase.split()) <= 6 and not phrase.endswith(("?", ".", "!")), phrase


@pytest.mark.parametrize("phrase, term_id", [
    ("somewhere to take lo", "stay_and_play"),
    ("bf", "infant_feeding"),
    ("ebf", "infant_feeding"),
    ("breastfeding", "infant_feeding"),
    ("dads group", "father_friendly"),
    ("sahd", "father_friendly"),
    ("toddler group", "stay_and_play"),
    ("baby group", "stay_and_play"),
    ("HV", "health_visiting"),
    ("helth visitor", "health_visiting"),
    ("2 year check", "health_visiting"),
    ("15 hours", "childcare_early_education"),
    ("30 hours", "childcare_early_education"),
    ("funded hours", "childcare_early_education"),
    ("nursary", "childcare_early_education"),
    ("EHCP", "disability_send"),
    ("SEN", "disability_send"),
    ("portage", "disability_send"),
    ("sure start", "family_support"),
    ("back to work", "jobcentre_plus"),
    ("universal credit childcare", "jobcentre_plus"),
    ("PND", "parent_wellbeing"),
    ("feeling low", "parent_wellbeing"),
    ("mum friends", "parent_wellbeing"),
    ("childmider", "childminder_support"),
    ("antenatal classes", "antenatal"),
    ("parenting course", "parenting_courses"),
])
def test_slang_abbreviations_and_misspellings_lead_to_the_right_need(
        taxonomy: Taxonomy, phrase: str, term_id: str | None) -> None:
    assert taxonomy.phrase_index().get(normalise_phrase(phrase)) == term_id


def test_no_phrase_points_at_two_needs(taxonomy: Taxonomy) -> None:
    seen: dict[str, str] = {}
    for term in taxonomy.terms:
        for phrase in term.phrases:
            key = normalise_phrase(phrase)
            assert seen.setdefault(key, term.id) == term.id, (phrase, seen[key], term.id)


def test_related_needs_widen_to_real_needs(taxonomy: Taxonomy) -> None:
    for term in taxonomy.terms:
        assert term.related, term.id
        for other in term.related:
            assert other in taxonomy and other != term.id


def test_terms_are_frozen_so_no_caller_can_change_them(taxonomy: Taxonomy) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        taxonomy.terms[0].label = "something else"  # type: ignore[misc]


def test_term_lookup_by_id_and_a_clear_error_for_unknown_ids(taxonomy: Taxonomy) -> None:
    assert taxonomy.term("father_friendly").label == "sessions for dads and male carers"
    with pytest.raises(KeyError, match="stay_and_play"):
        taxonomy.term("swimming")


def test_loading_is_cached_and_defaults_to_the_file_next_to_the_module() -> None:
    assert DEFAULT_PATH.name == "taxonomy.yml" and DEFAULT_PATH.exists()
    assert load_taxonomy() is load_taxonomy(DEFAULT_PATH)


def test_oruk_records_use_our_term_ids_and_taxonomy_id(taxonomy: Taxonomy) -> None:
    record = taxonomy.as_oruk()
    assert record["id"] == "signpost-core-offer"
    assert record["name"] == "Signpost core offer"
    assert record["description"]
    terms = record["taxonomy_terms"]
    assert [t["id"] for t in terms] == CORE_OFFER
    for t in terms:
        assert t["taxonomy_id"] == "signpost-core-offer"
        assert {"id", "name", "description"} <= t.keys()
    assert taxonomy.term("antenatal").as_oruk()["name"] == "Antenatal and pregnancy"


# --- a broken file gives a helpful message -------------------------------------------------


def _raw() -> dict:
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _load(tmp_path: Path, raw: dict | str) -> Taxonomy:
    path = tmp_path / "taxonomy.yml"
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw), encoding="utf-8")
    return load_taxonomy(path)


def test_a_copy_of_the_real_file_loads_from_anywhere(tmp_path: Path) -> None:
    loaded = _load(tmp_path, _raw())
    assert loaded.ids == CORE_OFFER


def test_duplicate_term_ids_are_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][1]["id"] = "health_visiting"
    with pytest.raises(TaxonomyError, match="'health_visiting' is used by more than one term"):
        _load(tmp_path, raw)


def test_a_phrase_in_two_needs_is_refused_and_both_needs_are_named(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][3]["phrases"].append("Dads  Group")  # stay_and_play; already father_friendly
    with pytest.raises(TaxonomyError) as err:
        _load(tmp_path, raw)
    message = str(err.value)
    assert "Dads  Group" in message and "father_friendly" in message and "stay_and_play" in message


def test_too_few_phrases_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][0]["phrases"] = raw["terms"][0]["phrases"][:14]
    with pytest.raises(TaxonomyError, match="'health_visiting' has 14 phrases; it needs at least 15"):
        _load(tmp_path, raw)


def test_an_unknown_related_need_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][2]["related"] = ["health_visting"]
    with pytest.raises(TaxonomyError, match="'infant_feeding' has an unknown related term 'health_visting'"):
        _load(tmp_path, raw)


def test_universal_must_be_true_or_false(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][1]["universal"] = "yes please"
    with pytest.raises(TaxonomyError, match="'antenatal': 'universal' must be true or false"):
        _load(tmp_path, raw)


def test_universal_needs_are_read_and_default_to_false(tmp_path: Path) -> None:
    raw = _raw()
    for term in raw["terms"]:
        term.pop("universal", None)
    raw["terms"][2]["universal"] = True
    loaded = _load(tmp_path, raw)
    assert loaded.universal_ids == ["infant_feeding"]
    assert not loaded.term("health_visiting").universal


def test_a_missing_field_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    del raw["terms"][4]["label"]
    with pytest.raises(TaxonomyError, match="term 'father_friendly' is missing 'label'"):
        _load(tmp_path, raw)


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    raw = _raw()
    del raw["terms"][0]["description"]
    raw["terms"][5]["related"] = ["nowhere"]
    with pytest.raises(TaxonomyError, match=r"has 2 problem\(s\)"):
        _load(tmp_path, raw)


def test_a_file_that_is_not_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="is not valid YAML"):
        _load(tmp_path, "terms: [unclosed\n  - id: x")


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TaxonomyError, match="Cannot read the taxonomy file"):
        load_taxonomy(tmp_path / "nowhere.yml")


@pytest.mark.parametrize("said, expected", [
    ("we don't drive and live out in the sticks", "cant_travel"),
    ("We dont have a car", "cant_travel"),
    ("i work full time monday to friday", "works_weekdays"),
    ("we both work", "works_weekdays"),
    ("my twins are 18 months", "twins"),
    ("im a single mum with a 2 year old", "on_my_own"),
])
def test_circumstances_are_read_from_what_parents_type(taxonomy: Taxonomy, said: str,
                                                       expected: str) -> None:
    assert [c.id for c in taxonomy.circumstances_in(said)] == [expected]


def test_a_circumstance_is_a_whole_phrase_not_part_of_a_word(taxonomy: Taxonomy) -> None:
    assert taxonomy.circumstances_in("stay and play near Twiston") == []
    assert taxonomy.circumstances_in("what's on in the village hall") == []


def test_a_broken_circumstance_is_refused_with_what_to_fix(tmp_path: Path) -> None:
    raw = _raw()
    raw["circumstances"] = [{"id": "late", "phrases": ["after work"], "prefer_days": ["Saturday"],
                             "prefer_time": "night"},
                            {"id": "empty", "phrases": []}]
    with pytest.raises(TaxonomyError) as err:
        _load(tmp_path, raw)
    message = str(err.value)
    assert "circumstance 'late': 'prefer_days' uses day codes" in message
    assert "'prefer_time' must be morning, afternoon or evening" in message
    assert "circumstance 'empty': 'phrases' must be a non-empty list" in message


def test_need_words_in_other_languages_are_read_per_language(taxonomy: Taxonomy) -> None:
    # A Polish parent's "grupy dla dzieci" (groups for children) is stay and play.
    assert "grupy dla dzieci" in taxonomy.term("stay_and_play").words_in("pl")
    assert taxonomy.other_language_index()["pl"]["grupy dla dzieci"] == "stay_and_play"
    assert taxonomy.term("childminder_support").words_in("pl") == ()  # none listed yet


def test_a_bad_language_code_in_other_languages_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][3]["other_languages"] = {"polish": ["grupy dla dzieci"]}
    with pytest.raises(TaxonomyError, match="'polish' in 'other_languages' is not a two-letter"):
        _load(tmp_path, raw)


def test_an_other_language_word_in_two_needs_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["terms"][0]["other_languages"] = {"pl": ["Grupy dla dzieci"]}  # already stay_and_play
    with pytest.raises(TaxonomyError, match="the pl word 'grupy dla dzieci' in 'stay_and_play' is "
                                            "already in 'health_visiting'"):
        _load(tmp_path, raw)
