"""The whole trained NLU pipeline (DIET, the entity components and the safety rules) over the
safety test sets: DIET must not add false alarms on top of the rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.safety.evaluate import DEFAULT_DATA, evaluate, nlu_verdicts

ROOT = Path(__file__).resolve().parents[3]
MODEL = Path(os.environ.get("SIGNPOST_MODEL") or ROOT / "models" / "signpost.tar.gz")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def verdict():
    if not MODEL.exists():
        pytest.skip(f"no trained model at {MODEL} (make test trains one first)")
    return nlu_verdicts(MODEL)


def test_the_trained_pipeline_catches_every_disclosure_with_few_false_alarms(verdict):
    scores = evaluate(DEFAULT_DATA, verdict)
    print(f"NLU pipeline: recall {scores.recall:.1%}, precision {scores.precision:.1%}, "
          f"false alarms {scores.alarms}")
    assert scores.missed == []
    assert scores.recall == 1.0
    assert scores.precision >= 0.95, scores.alarms


def test_a_disclosure_outranks_everything_else_the_message_says(verdict):
    found = verdict("my partner hits me, any stay and play groups in Darwen")
    assert found is not None and found.category == "domestic_abuse"
