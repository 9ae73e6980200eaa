"""Every safety category is wired through: an intent, the rules that answer it first, the
call-back slots that never take it as an answer, words to say, and examples to learn from."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.safety.categories import CATEGORIES, PRIORITY
from bot.safety.replies import FITS, NOW, OPENING

ROOT = Path(__file__).resolve().parents[3]
INTENTS = {f"safety_{c}" for c in CATEGORIES}


def test_every_category_is_an_intent_in_the_domain_and_never_a_call_back_answer():
    domain = yaml.safe_load((ROOT / "domain" / "safety.yml").read_text())
    assert INTENTS | {"safety_check"} <= set(domain["intents"])
    for name, slot in domain["slots"].items():
        for mapping in slot.get("mappings") or []:
            if mapping.get("type") == "from_text":
                missing = (INTENTS | {"safety_check"}) - set(mapping.get("not_intent") or [])
                assert not missing, f"{name} could take a disclosure as its answer: {missing}"


def test_every_category_is_answered_first_in_and_out_of_each_form():
    rules = yaml.safe_load((ROOT / "data" / "rules" / "safety.yml").read_text())["rules"]
    forms = set()
    for path in (ROOT / "domain").glob("*.yml"):
        forms |= set((yaml.safe_load(path.read_text()) or {}).get("forms") or {})
    answering = [r for r in rules if any(s.get("action") == "action_safety_reply" for s in r["steps"])]
    in_forms = {c["active_loop"] for r in answering for c in r.get("condition") or [] if "active_loop" in c}
    assert len(answering) == 1 + len(forms) and in_forms == forms
    for rule in answering:
        named = {step["intent"] for s in rule["steps"] for step in s.get("or", [])}
        assert INTENTS <= named, f"{rule['rule']} misses {INTENTS - named}"


def test_every_category_has_words_helplines_and_training_examples():
    assert set(PRIORITY) == set(CATEGORIES)
    for category in CATEGORIES:
        assert category in OPENING and category in NOW and category in FITS
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "safety.yml").read_text())["nlu"]
    learned = {item["intent"] for item in nlu if "intent" in item}
    assert INTENTS <= learned
