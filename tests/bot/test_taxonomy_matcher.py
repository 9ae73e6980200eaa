"""Need phrases are found in parents' messages, including phrases staff add while the bot runs."""

import sqlite3
from pathlib import Path

import pytest
import spacy

from bot.nlu.spacy_model import DEFAULT_OUT, build
from bot.nlu.taxonomy_matcher import NeedMatcher, TaxonomyMatcher, merge_needs, taxonomy_phrases
from directory.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def nlp():
    build(DEFAULT_OUT)  # skipped when the saved model is current
    return spacy.load(DEFAULT_OUT)


@pytest.fixture(scope="module")
def matcher(nlp):
    return NeedMatcher(nlp, taxonomy_phrases())


def needs(matcher, nlp, text):
    return [m.term_id for m in matcher.find(nlp(text.lower()))]


@pytest.mark.parametrize("text, expected", [
    ("any stay and play near me", ["stay_and_play"]),
    ("Baby Massage in darwen", ["stay_and_play"]),
    ("any dads groups on a sat", ["father_friendly"]),          # plural of "dads group" via lemmas
    ("breastfeeding and weaning help", ["infant_feeding", "infant_feeding"]),
    ("help with childcare costs", ["jobcentre_plus"]),           # longest phrase wins over "childcare"
    ("my son is autistic", ["disability_send"]),
    ("are there any nurseries", ["childcare_early_education"]),   # lemma: nurseries -> nursery
    ("HV", ["health_visiting"]),
])
def test_taxonomy_phrases_are_found(matcher, nlp, text, expected):
    assert needs(matcher, nlp, text) == expected


def test_every_taxonomy_phrase_finds_its_own_term(matcher, nlp):
    for term in load_taxonomy().terms:
        for phrase in term.phrases:
            assert term.id in needs(matcher, nlp, phrase), phrase


def test_verb_forms_are_not_needs(matcher, nlp):
    # "bump" is an antenatal phrase; a child who bumped her head is not a pregnancy.
    assert needs(matcher, nlp, "she bumped her head") == []


def test_diet_needs_are_kept_checked_and_not_duplicated(matcher, nlp):
    text = "dads group and baby massage"
    found = matcher.find(nlp(text))
    diet = [{"entity": "need", "value": "father_friendly", "start": 0, "end": 10, "extractor": "DIETClassifier"},
            {"entity": "place", "value": "Darwen", "start": 30, "end": 36, "extractor": "DIETClassifier"}]
    merged = merge_needs(diet, found, matcher.phrases, set(load_taxonomy().ids), "TaxonomyMatcher")
    assert [(e["entity"], e["value"], e["extractor"]) for e in merged] == [
        ("need", "father_friendly", "DIETClassifier"),
        ("need", "stay_and_play", "TaxonomyMatcher"),
        ("place", "Darwen", "DIETClassifier"),
    ]


def test_a_need_said_in_its_own_words_is_sure_however_unsure_diet_was(matcher, nlp):
    """ "free antenatal classes?": DIET was only 0.7 sure of antenatal, so a guess elsewhere in
    the message outranked it; the words "antenatal classes" make it sure. A DIET guess over
    words that are no need's phrase keeps DIET's confidence."""
    text = "any free antenatal classes? the private ones are too dear"
    start, dear = text.index("antenatal"), text.index("private")
    diet = [{"entity": "need", "value": "antenatal", "start": start, "end": start + 17,
             "confidence_entity": 0.7, "extractor": "DIETClassifier"},
            {"entity": "need", "value": "jobcentre_plus", "start": dear, "end": len(text),
             "confidence_entity": 0.75, "extractor": "DIETClassifier"}]
    merged = merge_needs(diet, matcher.find(nlp(text)), matcher.phrases, set(load_taxonomy().ids),
                         "TaxonomyMatcher")
    sure = {e["value"]: e["confidence_entity"] for e in merged if e["entity"] == "need"}
    assert sure == {"antenatal": 1.0, "jobcentre_plus": 0.75}


def test_a_diet_need_that_is_not_a_term_id_is_mapped_or_dropped(matcher, nlp):
    ids = set(load_taxonomy().ids)
    text = "baby massage"
    mapped = merge_needs([{"entity": "need", "value": "baby massage", "start": 0, "end": 12}],
                         matcher.find(nlp(text)), matcher.phrases, ids, "TaxonomyMatcher")
    assert [e["value"] for e in mapped] == ["stay_and_play"]
    dropped = merge_needs([{"entity": "need", "value": "something odd", "start": 0, "end": 5}], [],
                          matcher.phrases, ids, "TaxonomyMatcher")
    assert dropped == []


def _directory(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE taxonomy_term_phrase (id INTEGER PRIMARY KEY, taxonomy_term_id TEXT, "
                 "phrase TEXT, source TEXT)")
    conn.commit()
    return conn


class _Message:
    """Just enough of rasa's Message for process(): text, entities and the spaCy doc."""

    def __init__(self, text, nlp):
        from rasa.shared.nlu.training_data.message import Message

        self.msg = Message(data={"text": text})
        self.msg.set("text_spacy_doc", nlp(text.lower()))


def test_a_phrase_staff_add_is_understood_on_the_next_message_without_retraining(nlp, tmp_path):
    from rasa.nlu.utils.spacy_utils import SpacyModel

    db = tmp_path / "directory.db"
    conn = _directory(db)
    component = TaxonomyMatcher.create({**TaxonomyMatcher.get_default_config(),
                                        "directory_db": str(db), "refresh_seconds": 0},
                                       None, None, None)
    model = SpacyModel(model=nlp, model_name="test")

    def parse(text):
        m = _Message(text, nlp).msg
        component.process([m], model)
        return [(e["value"], e["text"]) for e in m.get("entities", []) if e["entity"] == "need"]

    assert parse("is little explorers on today") == []
    conn.execute("INSERT INTO taxonomy_term_phrase (taxonomy_term_id, phrase, source) "
                 "VALUES ('stay_and_play', 'Little Explorers', 'staff')")
    conn.commit()
    assert parse("is little explorers on today") == [("stay_and_play", "little explorers")]
    conn.execute("DELETE FROM taxonomy_term_phrase")
    conn.commit()
    assert parse("is little explorers on today") == []


def test_the_directory_is_asked_at_most_once_per_interval(nlp, tmp_path):
    from directory.live import need_phrases

    db = tmp_path / "directory.db"
    conn = _directory(db)
    now = [100.0]
    query = need_phrases(db, min_interval=1.0)
    query.clock = lambda: now[0]
    assert query.get() == {}
    conn.execute("INSERT INTO taxonomy_term_phrase (taxonomy_term_id, phrase) VALUES ('stay_and_play', 'Tots Club')")
    conn.commit()
    now[0] += 0.5
    assert query.get() == {}  # too soon to look again
    now[0] += 0.6
    assert query.get() == {"tots club": "stay_and_play"}


def test_no_directory_database_still_matches_the_taxonomy(nlp, tmp_path):
    from rasa.nlu.utils.spacy_utils import SpacyModel

    component = TaxonomyMatcher.create({**TaxonomyMatcher.get_default_config(),
                                        "directory_db": str(tmp_path / "missing.db")},
                                       None, None, None)
    m = _Message("any messy play", nlp).msg
    component.process([m], SpacyModel(model=nlp, model_name="test"))
    assert [e["value"] for e in m.get("entities")] == ["stay_and_play"]
