"""The NLU data generated from the taxonomy is valid Rasa data, and a new term flows into it."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bot.nlu import generate
from directory.taxonomy import load_taxonomy, parse_taxonomy

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv" / "rasa" / "bin" / "rasa"

NEW_TERM = {
    "id": "swimming",
    "name": "Baby swimming",
    "description": "Splash sessions in the pool for babies and toddlers with a parent or carer.",
    "label": "baby swimming sessions",
    "related": ["stay_and_play"],
    "phrases": ["baby swimming", "baby swim", "swimming lessons", "water babies", "swim class",
                "splash session", "pool session", "swimming for toddlers", "toddler swim", "aqua tots",
                "learn to swim", "swimming pool", "baby swimming lessons", "family swim", "parent and baby swim"],
}


def _taxonomy_with_new_term(tmp_path: Path) -> Path:
    raw = yaml.safe_load((ROOT / "directory" / "taxonomy.yml").read_text(encoding="utf-8"))
    raw["terms"].append(NEW_TERM)
    path = tmp_path / "taxonomy.yml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_generation_is_deterministic():
    """The same taxonomy gives the same file in any process: sets and dicts may iterate in another
    order under another hash seed, and a changed file would retrain the model for nothing."""
    script = ("import sys; from bot.nlu import generate; from directory.taxonomy import "
              "load_taxonomy; sys.stdout.write(generate.render(load_taxonomy()))")
    outputs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              cwd=ROOT, check=True, timeout=120,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": seed}
                              ).stdout
               for seed in ("1", "2", "3")}
    assert len(outputs) == 1 and next(iter(outputs)).strip()
    assert outputs == {generate.render(load_taxonomy())}


def test_the_committed_generated_file_is_current():
    # scripts/train.sh regenerates it; a stale file would mean training on old phrases.
    committed = (ROOT / "data" / "nlu" / generate.OUT_NAME).read_text(encoding="utf-8")
    assert committed == generate.render(load_taxonomy())


def test_every_phrase_is_a_synonym_lookup_and_example(tmp_path):
    from rasa.shared.nlu.training_data.loading import load_data

    path, changed = generate.write(tmp_path, load_taxonomy())
    assert changed
    data = load_data(str(path))
    taxonomy = load_taxonomy()
    examples = [m for m in data.intent_examples if m.get("intent") == "find_service"]
    annotated = {(e["value"], m.get("text")[e["start"]:e["end"]].lower())
                 for m in examples for e in m.get("entities", []) if e["entity"] == "need"}
    lookups = {t["name"]: set(t["elements"]) for t in data.lookup_tables}
    for term in taxonomy.terms:
        assert len([a for a in annotated if a[0] == term.id]) >= 1
        for phrase in term.phrases:
            p = phrase.lower()
            assert (term.id, p) in annotated, phrase
            assert p in lookups[term.id]
            if p != term.id:
                assert data.entity_synonyms[p] == term.id


def test_a_new_term_is_generated_and_passes_rasa_validation(tmp_path):
    """What docs/extending.md tells a developer to do, on copies: real files are not touched."""
    taxonomy = parse_taxonomy(yaml.safe_load(_taxonomy_with_new_term(tmp_path).read_text()))
    data_dir = tmp_path / "data"
    shutil.copytree(ROOT / "data", data_dir, ignore=shutil.ignore_patterns(generate.OUT_NAME))
    generate.write(data_dir / "nlu", taxonomy)
    text = (data_dir / "nlu" / generate.OUT_NAME).read_text(encoding="utf-8")
    assert '[water babies]{"entity": "need", "value": "swimming"}' in text
    assert "  - lookup: swimming\n" in text
    assert "  - synonym: swimming\n" in text

    before = (ROOT / "data" / "nlu" / generate.OUT_NAME).read_text(encoding="utf-8")
    result = subprocess.run(
        [str(RASA), "data", "validate", "--domain", str(ROOT / "domain"), "--data", str(data_dir),
         "--config", str(ROOT / "config.yml")],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
             "HOME": str(tmp_path)},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    # Warnings about the NLU data (clashing synonyms, an example under two intents, an entity
    # the domain lacks) would mean the generated data is wrong. Warnings about stories or
    # responses belong to other files and are not this test's business.
    nlu_warnings = [line for line in output.splitlines() if "UserWarning" in line and any(
        word in line for word in ("synonym", "example", "entity", "lookup", "regex", "swimming"))]
    assert nlu_warnings == []
    assert (ROOT / "data" / "nlu" / generate.OUT_NAME).read_text(encoding="utf-8") == before


def test_need_words_in_other_languages_never_become_english_training_data():
    # The English pipeline would otherwise learn Polish words as English need phrases. Loan
    # words that are English phrases too ("cv", "autism") are the only overlap.
    taxonomy = load_taxonomy()
    rendered = generate.render(taxonomy).casefold()
    english = taxonomy.phrase_index()
    leaked = [word for words in taxonomy.other_language_index().values() for word in words
              if "*" not in word and word.casefold() not in english
              and re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", rendered)]
    assert leaked == []
