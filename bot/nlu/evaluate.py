"""Measure the NLU on the held-out split, against Rasa's default pipeline trained on the same data.

``make eval`` runs this. It parses every example in ``tests/bot/heldout/`` (never used in
training) with the trained model in ``models/`` and prints intent macro-F1, FAQ answer accuracy
and need-term recall (the share of gold ``need`` values found), then trains Rasa's default
``rasa init`` pipeline (no custom components, no spaCy) on the same ``data/`` into a temporary
folder and prints the same figures beside ours. Targets: macro-F1 >= 0.90, need recall >= 0.90.

    python -m bot.nlu.evaluate [--model models/signpost.tar.gz] [--no-baseline]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = ROOT / "tests" / "bot" / "heldout"
DEFAULT_MODEL = ROOT / "models" / "signpost.tar.gz"
TARGET_F1 = 0.90
TARGET_NEED_RECALL = 0.90

#: Rasa's default NLU pipeline, as written by `rasa init` (3.6), for the comparison.
DEFAULT_PIPELINE_CONFIG = """\
recipe: default.v1
language: en
assistant_id: baseline
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies: []
"""


@dataclass
class Example:
    text: str
    intent: str
    response_key: str | None
    needs: list[str]
    ages: list[int] = field(default_factory=list)


@dataclass
class Scores:
    name: str
    macro_f1: float
    accuracy: float
    faq_accuracy: float
    need_recall: float
    need_precision: float
    age_recall: float
    ms_per_message: float
    per_intent: dict[str, float]
    misses: list[str]


def load_heldout(folder: Path = HELDOUT) -> list[Example]:
    """Every example in the held-out YAML files, with its gold intent, FAQ key, needs and ages."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(folder))
    out = []
    for msg in data.intent_examples:
        ents = msg.get("entities") or []
        out.append(Example(
            text=msg.get("text"),
            intent=msg.get("intent"),
            response_key=msg.get("intent_response_key") if "/" in (msg.get("intent_response_key") or "") else None,
            needs=[str(e["value"]) for e in ents if e["entity"] == "need"],
            ages=[int(e["value"]) for e in ents if e["entity"] == "child_age"],
        ))
    return out


async def _parse_all(model_path: Path, texts: list[str]) -> tuple[list[dict], float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    start = time.perf_counter()
    results = [await agent.parse_message(t) for t in texts]
    return results, (time.perf_counter() - start) * 1000 / max(1, len(texts))


def _months(value: object) -> int | None:
    """A child_age value as months; None for raw text (Rasa's default pipeline has no age parser)."""
    try:
        return int(float(str(value)))
    except ValueError:
        return None


def score(name: str, examples: list[Example], parsed: list[dict], ms: float) -> Scores:
    """Intent macro-F1 and accuracy, FAQ answer accuracy, need recall/precision, age recall."""
    from sklearn.metrics import f1_score

    gold = [e.intent for e in examples]
    pred = [p.get("intent", {}).get("name") or "none" for p in parsed]
    labels = sorted(set(gold))
    per_intent = dict(zip(labels, f1_score(gold, pred, labels=labels, average=None, zero_division=0)))
    faq_total = faq_right = 0
    need_total = need_found = need_predicted = need_correct = 0
    age_total = age_found = 0
    misses = []
    for ex, p, predicted_intent in zip(examples, parsed, pred):
        if ex.response_key:
            faq_total += 1
            sel = (p.get("response_selector", {}).get("ask_core_offer_info", {})
                   .get("response", {}).get("intent_response_key"))
            faq_right += int(predicted_intent == ex.intent and sel == ex.response_key)
        got_needs = {str(e["value"]) for e in p.get("entities", []) if e.get("entity") == "need"}
        got_ages = {_months(e.get("value")) for e in p.get("entities", []) if e.get("entity") == "child_age"}
        need_total += len(ex.needs)
        found = sum(1 for n in ex.needs if n in got_needs)
        need_found += found
        if ex.intent == "find_service":
            need_predicted += len(got_needs)
            need_correct += len(got_needs & set(ex.needs))
        age_total += len(ex.ages)
        age_found += sum(1 for a in ex.ages if a in got_ages)
        if predicted_intent != ex.intent or found < len(ex.needs):
            misses.append(f"{ex.text!r}: gold {ex.intent} {ex.needs or ''} -> {predicted_intent} "
                          f"{sorted(got_needs) or ''}")
    return Scores(
        name=name,
        macro_f1=f1_score(gold, pred, labels=labels, average="macro", zero_division=0),
        accuracy=sum(g == q for g, q in zip(gold, pred)) / len(gold),
        faq_accuracy=faq_right / max(1, faq_total),
        need_recall=need_found / max(1, need_total),
        need_precision=need_correct / max(1, need_predicted),
        age_recall=age_found / max(1, age_total),
        ms_per_message=ms,
        per_intent=per_intent,
        misses=misses,
    )


def evaluate_model(name: str, model_path: Path, examples: list[Example]) -> Scores:
    parsed, ms = asyncio.run(_parse_all(model_path, [e.text for e in examples]))
    return score(name, examples, parsed, ms)


def train_baseline(out_dir: Path) -> Path:
    """Train Rasa's default NLU pipeline on our data/ (the same training data) into ``out_dir``."""
    config = out_dir / "config.yml"
    config.write_text(DEFAULT_PIPELINE_CONFIG, encoding="utf-8")
    cmd = [str(Path(sys.executable).with_name("rasa")), "train", "nlu", "--config", str(config),
           "--nlu", str(ROOT / "data" / "nlu"), "--domain", str(ROOT / "domain"),
           "--out", str(out_dir), "--fixed-model-name", "baseline"]
    print("Training Rasa's default pipeline for comparison (a minute or two) ...", file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out_dir / "baseline.tar.gz"


def report(scores: list[Scores], n: int, show_misses: int) -> str:
    cols = [s.name for s in scores]
    width = max(14, *(len(c) + 2 for c in cols))
    lines = [f"Held-out split: {n} examples ({HELDOUT.relative_to(ROOT)})", "",
             f"{'':28}" + "".join(f"{c:>{width}}" for c in cols)]

    def row(label: str, values: list[float], fmt: str = "{:.3f}") -> None:
        lines.append(f"{label:28}" + "".join(f"{fmt.format(v):>{width}}" for v in values))

    row("intent macro-F1", [s.macro_f1 for s in scores])
    row("intent accuracy", [s.accuracy for s in scores])
    row("FAQ answer accuracy", [s.faq_accuracy for s in scores])
    row("need-term recall", [s.need_recall for s in scores])
    row("need-term precision", [s.need_precision for s in scores])
    row("child age recall", [s.age_recall for s in scores])
    row("ms per message", [s.ms_per_message for s in scores], "{:.1f}")
    lines += ["", "F1 per intent:"]
    for intent in scores[0].per_intent:
        row(f"  {intent}", [s.per_intent.get(intent, 0.0) for s in scores])
    ours = scores[0]
    lines += ["", f"Targets: intent macro-F1 >= {TARGET_F1:.2f} "
                  f"({'met' if ours.macro_f1 >= TARGET_F1 else 'NOT met'}), need-term recall >= "
                  f"{TARGET_NEED_RECALL:.2f} ({'met' if ours.need_recall >= TARGET_NEED_RECALL else 'NOT met'})"]
    if show_misses and ours.misses:
        lines += ["", f"Signpost misses ({len(ours.misses)}, first {show_misses}):"]
        lines += [f"  {m}" for m in ours.misses[:show_misses]]
    return "\n".join(lines)


def _quiet() -> None:
    """Rasa logs every parse at debug level through structlog; the report is what matters here."""
    import warnings

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    warnings.filterwarnings("ignore")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlu.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--no-baseline", action="store_true", help="skip training Rasa's default pipeline")
    parser.add_argument("--misses", type=int, default=15, help="how many of our misses to list")
    args = parser.parse_args(argv)
    os.chdir(ROOT)  # config.yml loads the spaCy model by a path relative to the repo
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    # Judge what the model and taxonomy know, not whatever phrases a local directory holds.
    tmp = tempfile.TemporaryDirectory(prefix="signpost-eval-")
    os.environ["SIGNPOST_DIRECTORY_DB"] = str(Path(tmp.name) / "no-directory.db")
    _quiet()
    if not args.model.exists():
        print(f"No trained model at {args.model}. Run `make train` first.", file=sys.stderr)
        return 2
    examples = load_heldout()
    results = [evaluate_model("Signpost", args.model, examples)]
    if not args.no_baseline:
        results.append(evaluate_model("Rasa default", train_baseline(Path(tmp.name)), examples))
    print(report(results, len(examples), args.misses))
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
