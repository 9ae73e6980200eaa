"""The learned safety detector: a small linear model over words, word pairs and letter groups.

The rules (``bot.safety.rules``) are precise but only know the phrasings someone wrote a rule
for. This model is trained on a broad set of disclosures and hard near misses
(``bot/safety/data/training/``) and reads a message the way the rules do (``normalise``: lower
case, contractions and texting shortcuts spelled out, lemmas), plus letter groups inside words
so typos and text speak still land near the right words. It gives:

- ``risk``: how likely the message discloses danger or an urgent need (1 - P(nothing));
- ``category``: the most likely of ``CATEGORIES``;
- ``emergency``: how likely a disclosure means danger now (999 first).

Training needs scikit-learn (the Rasa environment has it); reading a trained model is pure
Python, so the web tier (no scikit-learn, no numpy) scores messages with the very same weights.
The model is a JSON file built by ``python -m bot.safety.detector build`` (``scripts/prepare.sh``
runs it when the training data or this file change). ``bot.safety.check`` combines it with the
rules; the thresholds it uses are chosen on the development set (``bot/safety/thresholds.yml``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from bot.safety.categories import CATEGORIES
from bot.safety.normalise import normalise

ROOT = Path(__file__).resolve().parents[2]
TRAINING = Path(__file__).with_name("data") / "training"
#: The rules' regression sets: also training data for the model (the evaluation sets are not).
RULE_SETS = ROOT / "tests" / "safety" / "data"
DEFAULT_MODEL = ROOT / "var" / "safety" / "detector.json"
NONE = "none"
CLASSES = (NONE, *CATEGORIES)
#: Bumped when the features change, so an old model file is never read with new features.
FEATURES_VERSION = 2
_PUNCT = frozenset(".,!?;:\n")
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


# --- features --------------------------------------------------------------------------------

def features(text: str) -> dict[str, float]:
    """Words, word pairs and letter groups of a message, each group scaled to unit length.

    A negation ("not", "never", "no") marks the next three words of its clause ("never hit me"
    gives ``n:hit``), so the model can tell "he hit me" from "he has never hit me".
    """
    message = normalise(text)
    lemmas = [lemma for lemma in message.lemmas if lemma not in _PUNCT and lemma != "'s"]
    words: dict[str, float] = {}
    negated = 0
    for lemma in message.lemmas:
        if lemma in _PUNCT:
            negated = 0
            continue
        if lemma in ("not", "never", "no", "nobody"):
            negated = 3
            continue
        if negated:
            words["n:" + lemma] = 1.0
            negated -= 1
    for lemma in lemmas:
        words["w:" + lemma] = 1.0
    for first, second in zip(lemmas, lemmas[1:]):
        words[f"b:{first} {second}"] = 1.0
    letters: dict[str, float] = {}
    for token in message.tokens:
        if token in _PUNCT:
            continue
        padded = f" {token} "
        for size in (3, 4, 5):
            for start in range(0, max(len(padded) - size + 1, 1)):
                letters["c:" + padded[start:start + size]] = 1.0
    return {**_unit(words), **_unit(letters)}


def _unit(group: dict[str, float]) -> dict[str, float]:
    if not group:
        return group
    scale = 1.0 / math.sqrt(len(group))
    return {name: scale for name in group}


# --- the trained model -----------------------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """What the model reads in one message."""

    risk: float
    category: str
    probabilities: Mapping[str, float]
    emergency: float


class Detector:
    """A trained model: per feature, one weight for each class and one for 'emergency'."""

    def __init__(self, model: Mapping[str, Any]) -> None:
        if model.get("features_version") != FEATURES_VERSION:
            raise ValueError("The safety model was built with other features; "
                             "rebuild it with `python -m bot.safety.detector build`.")
        self.classes: tuple[str, ...] = tuple(model["classes"])
        self.intercepts: list[float] = list(model["intercepts"])
        self.emergency_intercept: float = float(model["emergency_intercept"])
        self.weights: dict[str, list[float]] = model["weights"]
        self.inputs_hash: str = model.get("inputs_hash", "")

    @classmethod
    def load(cls, path: Path | str = DEFAULT_MODEL) -> "Detector":
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"The safety model {path} is missing. Build it with `make setup` "
                f"(or `python -m bot.safety.detector build`).")
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def scores(self, text: str) -> Scores:
        logits = list(self.intercepts)
        emergency = self.emergency_intercept
        for name, value in features(text).items():
            row = self.weights.get(name)
            if row is None:
                continue
            for index in range(len(logits)):
                logits[index] += value * row[index]
            emergency += value * row[-1]
        top = max(logits)
        exps = [math.exp(logit - top) for logit in logits]
        total = sum(exps)
        probabilities = {name: e / total for name, e in zip(self.classes, exps)}
        category = max((c for c in self.classes if c != NONE), key=probabilities.__getitem__)
        return Scores(risk=1.0 - probabilities[NONE], category=category,
                      probabilities=probabilities, emergency=_sigmoid(emergency))


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value)) if value > -500 else 0.0


# --- training data ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Example:
    text: str
    category: str  # NONE for a near miss or an everyday message
    level: str | None = None


def read_examples(path: Path) -> list[Example]:
    """Examples from one file in the writers' format (``disclosures``, ``near_misses``).

    ``borderline`` items are left out: people disagree about them, so they teach nothing.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for item in data.get("disclosures") or []:
        if item["category"] not in CATEGORIES:
            raise ValueError(f"{path}: unknown category {item['category']!r} for {item['text']!r}")
        found.append(Example(str(item["text"]), item["category"], item.get("level") or "urgent"))
    for item in data.get("near_misses") or []:
        found.append(Example(str(item["text"] if isinstance(item, dict) else item), NONE))
    return found


def everyday_examples(folder: Path = ROOT / "data" / "nlu") -> list[Example]:
    """Every non-safety NLU training example: what parents usually type to the bot."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        if path.name == "safety.yml":
            continue
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in item or str(item["intent"]).startswith("safety_"):
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append(Example(_ANNOTATION.sub(lambda m: m.group(1), line[2:]), NONE))
    return found


def training_files(folder: Path = TRAINING) -> list[Path]:
    """The writers' files, plus the rules' own test sets (``tests/safety/data``)."""
    return sorted(folder.glob("*.yml")) + sorted(RULE_SETS.glob("*.yml"))


def rule_set_examples(path: Path) -> list[Example]:
    """The rules' regression sets (category -> level -> texts; near misses by group)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if "disclosures" in data:  # one file with both (heldout.yml)
        return (_nested_disclosures(data["disclosures"])
                + [Example(str(t), NONE) for t in data.get("near_misses") or []])
    if set(data) <= set(CATEGORIES):
        return _nested_disclosures(data)
    return [Example(str(t), NONE) for texts in data.values() for t in texts or []]


def _nested_disclosures(by_category: Mapping[str, Mapping[str, list[str]]]) -> list[Example]:
    return [Example(str(text), category, level)
            for category, levels in by_category.items() for level, texts in levels.items()
            for text in texts]


def nlu_safety_examples(path: Path = ROOT / "data" / "nlu" / "safety.yml") -> list[Example]:
    """DIET's safety examples (``safety_<category>`` intents; no level)."""
    found = []
    for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        category = str(item.get("intent", ""))[len("safety_"):]
        if category not in CATEGORIES:
            continue
        for line in str(item.get("examples") or "").splitlines():
            if line.strip().startswith("- "):
                found.append(Example(line.strip()[2:], category, None))
    return found


def all_examples(folder: Path = TRAINING) -> list[Example]:
    examples: list[Example] = []
    for path in training_files(folder):
        examples += rule_set_examples(path) if path.parent == RULE_SETS else read_examples(path)
    return examples + nlu_safety_examples() + everyday_examples()


def inputs_hash(files: Iterable[Path]) -> str:
    """Changes whenever the training data, the features or this module change."""
    digest = hashlib.sha256()
    extra = [*sorted((ROOT / "data" / "nlu").glob("*.yml")), Path(__file__),
             Path(__file__).with_name("normalise.py")]
    for path in [*files, *extra]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


_TEXTING = ((r"\byou\b", "u"), (r"\byour\b", "ur"), (r"\bi'm\b", "im"), (r"\bdon't\b", "dont"),
            (r"\bcan't\b", "cant"), (r"\bbecause\b", "cos"), (r"\bplease\b", "pls"),
            (r"\btonight\b", "2nite"), (r"\bare\b", "r"), (r"\bto\b", "2"))


def variants(text: str, rng: random.Random) -> list[str]:
    """A plain copy of a training message typed another way: texting words, no apostrophes,
    or one letter dropped, so the model does not learn tidy spelling as a signal."""
    lowered = text.lower()
    texting = lowered
    for pattern, short in _TEXTING:
        texting = re.sub(pattern, short, texting)
    words = lowered.replace("'", "").split()
    long_words = [i for i, w in enumerate(words) if len(w) > 4]
    if long_words:
        i = rng.choice(long_words)
        cut = rng.randrange(1, len(words[i]) - 1)
        words[i] = words[i][:cut] + words[i][cut + 1:]
    return list(dict.fromkeys(v for v in (texting, " ".join(words)) if v != lowered))


# --- building --------------------------------------------------------------------------------

#: Inverse regularisation strength of the category model, chosen on the development set.
MODEL_C = 256.0
#: ... and of the "danger now" model (999 first), chosen on the development set too.
EMERGENCY_C = 4.0


def build(out: Path = DEFAULT_MODEL, folder: Path = TRAINING, *, quiet: bool = False,
          examples: list[Example] | None = None, c: float = MODEL_C,
          emergency_c: float = EMERGENCY_C) -> dict[str, Any]:
    """Train the model on every file in ``folder`` plus the everyday NLU examples, write ``out``.

    The written model is read back and checked against scikit-learn's own probabilities, so the
    pure-Python scoring can never drift from what was trained.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    files = training_files(folder)
    examples = all_examples(folder) if examples is None else examples
    rng = random.Random(42)
    texts, labels, levels = [], [], []
    for example in examples:
        for text in [example.text, *variants(example.text, rng)]:
            texts.append(text)
            labels.append(example.category)
            levels.append(example.level)
    vectoriser = DictVectorizer()
    matrix = vectoriser.fit_transform(features(t) for t in texts)
    # Rare letter groups (seen once) only add noise and size.
    counts = (matrix > 0).sum(axis=0).A1
    keep = counts >= 2
    matrix = matrix[:, keep]
    names = [n for n, k in zip(vectoriser.get_feature_names_out(), keep) if k]
    if not quiet:
        print(f"Training the safety detector on {len(examples)} messages "
              f"({len(texts)} with typed variants), {len(names)} features ...", file=sys.stderr)
    categories = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
    categories.fit(matrix, labels)
    disclosure_rows = [i for i, (label, level) in enumerate(zip(labels, levels))
                       if level and label != NONE]
    emergency = LogisticRegression(C=emergency_c, max_iter=3000, class_weight="balanced")
    emergency.fit(matrix[disclosure_rows], [levels[i] == "emergency" for i in disclosure_rows])
    missing = set(CLASSES) - set(categories.classes_)
    if missing:
        raise ValueError(f"No training examples for {', '.join(sorted(missing))}: add some to "
                         f"{folder} (docs/safety.md, 'Adding a category').")
    order = [list(categories.classes_).index(c) for c in CLASSES]
    weights: dict[str, list[float]] = {}
    for column, name in enumerate(names):
        row = [float(categories.coef_[k, column]) for k in order] + [float(emergency.coef_[0, column])]
        if max(abs(w) for w in row) >= 0.005:
            weights[name] = [round(w, 4) for w in row]
    model = {
        "features_version": FEATURES_VERSION,
        "inputs_hash": inputs_hash(files),
        "classes": list(CLASSES),
        "intercepts": [round(float(categories.intercept_[k]), 4) for k in order],
        "emergency_intercept": round(float(emergency.intercept_[0]), 4),
        "trained_on": {"files": [p.name for p in files], "messages": len(examples)},
        "weights": weights,
    }
    _check_export(Detector(model), texts[::max(len(texts) // 200, 1)],
                  categories.predict_proba(matrix[::max(len(texts) // 200, 1)]), order)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(json.dumps(model, separators=(",", ":")), encoding="utf-8")
    partial.replace(out)
    if not quiet:
        print(f"Wrote {out} ({out.stat().st_size // 1024} KB, {len(weights)} weighted features)",
              file=sys.stderr)
    return model


def _check_export(detector: Detector, texts: list[str], expected: Any, order: list[int]) -> None:
    """The exported weights give scikit-learn's probabilities (rounding and pruning aside)."""
    for text, row in zip(texts, expected):
        got = detector.scores(text).probabilities
        worst = max(abs(got[name] - float(row[k])) for name, k in zip(CLASSES, order))
        if worst > 0.05:
            raise AssertionError(f"The exported safety model differs from the trained one by "
                                 f"{worst:.3f} on {text!r}")


def is_current(out: Path = DEFAULT_MODEL, folder: Path = TRAINING) -> bool:
    try:
        stored = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (stored.get("features_version") == FEATURES_VERSION
            and stored.get("inputs_hash") == inputs_hash(training_files(folder)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.detector",
                                     description="Build or try the learned safety detector.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="train the model from bot/safety/data/training")
    make.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    make.add_argument("--if-changed", action="store_true",
                      help="do nothing when the model already matches its training data")
    show = commands.add_parser("score", help="print what the model reads in each message")
    show.add_argument("texts", nargs="+")
    show.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    if args.command == "build":
        if args.if_changed and is_current(args.out):
            print(f"Safety detector is up to date ({args.out})", file=sys.stderr)
            return 0
        build(args.out)
        return 0
    detector = Detector.load(args.model)
    for text in args.texts:
        s = detector.scores(text)
        print(f"risk {s.risk:.3f}  {s.category:<24} emergency {s.emergency:.2f}  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
