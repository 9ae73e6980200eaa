"""Training the learned safety detector (scikit-learn, so the Rasa environment only)."""

from __future__ import annotations

import json

import pytest

from bot.safety.categories import CATEGORIES
from bot.safety.detector import FEATURES_VERSION, NONE, Detector, Example, build, inputs_hash, is_current, training_files

LINES = {
    "child_harm": ["my partner hits my son", "he beats the kids", "my stepdad hurts my sister"],
    "domestic_abuse": ["my husband hits me", "he won't let me see my friends", "he took my bank card"],
    "self_harm": ["i want to die", "i've been cutting myself", "i don't want to be here anymore"],
    "medical": ["baby isn't breathing", "he is fitting and blue", "she swallowed a battery"],
    "parent_fear": ["i'm scared i'll shake him", "i feel like i could hurt the baby", "i lost it with her"],
    "perinatal_mental_health": ["since the birth i feel nothing", "scary thoughts about the baby",
                                "i'm pregnant and my head isn't right"],
    "urgent_health": ["he banged his head and was sick", "temperature of 40 won't come down",
                      "no wet nappies today"],
    "urgent_need": ["no food in the house", "the meter has run out", "we are being evicted friday"],
}
NEAR = ["any baby groups near me", "my toddler hits other kids at nursery", "i could murder a coffee",
        "first aid course please", "is there a dads group on saturday", "nursery funding help"]


def small_set() -> list[Example]:
    examples = [Example(t, c, "emergency" if c == "medical" else "urgent")
                for c, texts in LINES.items() for t in texts]
    return examples + [Example(t, NONE) for t in NEAR]


def test_a_trained_model_reads_back_in_pure_python_as_it_was_trained(tmp_path):
    out = tmp_path / "detector.json"
    # build() checks the exported weights against scikit-learn's probabilities and raises if not.
    build(out, quiet=True, examples=small_set())
    detector = Detector.load(out)
    assert detector.classes == (NONE, *CATEGORIES)
    assert detector.scores("my husband hits me").category == "domestic_abuse"
    assert detector.scores("any baby groups near me").risk < 0.5


def test_a_category_without_examples_is_a_clear_error(tmp_path):
    examples = [e for e in small_set() if e.category != "urgent_need"]
    with pytest.raises(ValueError, match="urgent_need"):
        build(tmp_path / "detector.json", quiet=True, examples=examples)


def test_the_model_knows_when_its_training_data_changed(tmp_path):
    folder = tmp_path / "training"
    folder.mkdir()
    (folder / "a.yml").write_text("disclosures: []\nnear_misses: []\n")
    out = tmp_path / "detector.json"
    out.write_text(json.dumps({"features_version": FEATURES_VERSION, "inputs_hash": inputs_hash(training_files(folder))}))
    assert is_current(out, folder)
    (folder / "a.yml").write_text("disclosures: []\nnear_misses: [{text: hi, kind: everyday}]\n")
    assert not is_current(out, folder)
