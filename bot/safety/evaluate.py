"""Recall and precision of the safety layer, printed for `make eval` and the closing note.

    python -m bot.safety.evaluate                 the rules and the detector on the held-out set
    python -m bot.safety.evaluate --set dev --tune   the development set, with threshold candidates
    python -m bot.safety.evaluate --rules [--data tests/safety/data] [--show]   the rules alone
    python -m bot.safety.evaluate --everyday      false alarms on the NLU's held-out split
    python -m bot.safety.evaluate --model models/signpost.tar.gz   (Rasa env: the whole pipeline)

The evaluation sets (``tests/safety/data/eval/``) were written by people who had not read the
rules or the training data, and split once into a development half (thresholds are chosen on it)
and a held-out half (only scored, never tuned on). Per category:

- **recall**: of the disclosures, how many get a safety reply (any category: the reply always
  has 999 and helplines); **right help** says how many got their own category's helplines;
- **999 first**: of the emergencies, how many got a reply that starts with 999 (target 100 %);
- **precision**: of the safety replies given for that category, how many were disclosures.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.safety.categories import CATEGORIES
from bot.safety.check import SafetyCheck
from bot.safety.rules import detect

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "safety" / "data"
EVAL_SETS = DEFAULT_DATA / "eval"
TARGET_RECALL = 0.98
TARGET_EMERGENCY = 1.0
TARGET_PRECISION = 0.95


@dataclass
class Scores:
    disclosures: int = 0
    near_misses: int = 0
    caught: int = 0
    false_alarms: int = 0
    missed: list[tuple[str, str, str]] = field(default_factory=list)
    wrong_category: list[tuple[str, str, str]] = field(default_factory=list)
    #: Emergencies that got only an "urgent" reply (999 would not come first).
    under_levelled: list[str] = field(default_factory=list)
    alarms: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.disclosures if self.disclosures else 0.0

    @property
    def precision(self) -> float:
        flagged = self.caught + self.false_alarms + len(self.wrong_category)
        return self.caught / flagged if flagged else 0.0


def load_sets(data: Path = DEFAULT_DATA) -> tuple[list[tuple[str, str, str]], list[str]]:
    """``[(text, category, level)]`` disclosures and ``[text]`` near-misses.

    ``data`` is the folder with ``disclosures.yml`` and ``near_misses.yml``, or one YAML file
    with ``disclosures`` and ``near_misses`` keys (the held-out set).
    """
    if data.is_file():
        both = yaml.safe_load(data.read_text())
        by_category, near_groups = both["disclosures"], {"all": both["near_misses"]}
    else:
        by_category = yaml.safe_load((data / "disclosures.yml").read_text())
        near_groups = yaml.safe_load((data / "near_misses.yml").read_text())
    disclosures = []
    for category, levels in by_category.items():
        for level, texts in levels.items():
            disclosures += [(text, category, level) for text in texts]
    near = [text for texts in near_groups.values() for text in texts]
    return disclosures, near


@dataclass(frozen=True)
class _Verdict:
    category: str
    level: str
    categories: tuple[str, ...]
    rule: str


def rules_verdict(text: str) -> _Verdict | None:
    found = detect(text)
    if found is None:
        return None
    return _Verdict(found.category, found.level, found.categories, found.matches[0].rule)


def nlu_verdicts(model: Path):
    """A verdict function over the whole trained NLU pipeline (DIET, the rules component ...)."""
    import asyncio

    from rasa.core.agent import Agent

    agent = Agent.load(str(model))

    def verdict(text: str) -> _Verdict | None:
        parsed = asyncio.run(agent.parse_message(text))
        name = (parsed.get("intent") or {}).get("name") or ""
        category = name[len("safety_"):] if name.startswith("safety_") else ""
        if category not in CATEGORIES:  # nothing, or only the calm check
            return None
        entity = next((e for e in parsed.get("entities") or [] if e.get("entity") == "safety"), {})
        also = tuple(c for c in entity.get("also") or [] if c in CATEGORIES)
        return _Verdict(category, entity.get("level") or "urgent", (category, *also), "nlu")

    return verdict


def evaluate(data: Path = DEFAULT_DATA, verdict=rules_verdict) -> Scores:
    disclosures, near = load_sets(data)
    scores = Scores(disclosures=len(disclosures), near_misses=len(near))
    for text, category, level in disclosures:
        found = verdict(text)
        if found is None:
            scores.missed.append((text, category, level))
        elif category not in found.categories:
            scores.wrong_category.append((text, category, found.category))
        else:
            scores.caught += 1
            if level == "emergency" and found.level != "emergency":
                scores.under_levelled.append(text)
    for text in near:
        found = verdict(text)
        if found is not None:
            scores.false_alarms += 1
            scores.alarms.append((text, f"{found.category}/{found.rule}"))
    return scores


NLU_DATA = DEFAULT_DATA.parents[2] / "data" / "nlu"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def everyday_messages(folder: Path = NLU_DATA) -> list[tuple[str, str]]:
    """``[(intent, text)]``: every non-safety NLU training example, as a parent would type it.

    About 1,700 ordinary messages ("any dads groups on a sat near darwen"): a large, realistic
    check that the rules leave everyday talk alone.
    """
    found = []
    for path in sorted(folder.glob("*.yml")):
        if path.name == "safety.yml":
            continue
        for item in (yaml.safe_load(path.read_text()) or {}).get("nlu") or []:
            if "intent" not in item or str(item["intent"]).startswith("safety_"):
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.append((item["intent"], _ANNOTATION.sub(lambda m: m.group(1), line[2:])))
    return found


NLU_HELDOUT = DEFAULT_DATA.parents[1] / "bot" / "heldout"


def everyday_heldout_alarms(checker: SafetyCheck,
                            folder: Path = NLU_HELDOUT) -> tuple[int, list[tuple[str, str, str]]]:
    """False alarms of the rules and the detector on the NLU's held-out split.

    Those messages are in no safety training or evaluation set, so they show how often an
    ordinary parent's message would get a safety reply it should not (kept at 2 of 339 or fewer).
    """
    messages = everyday_messages(folder)
    alarms = [(intent, text, found.category) for intent, text in messages
              if (found := checker.detect(text)) is not None]
    return len(messages), alarms


def everyday_alarms(folder: Path = NLU_DATA) -> tuple[int, list[tuple[str, str, str]]]:
    messages = everyday_messages(folder)
    alarms = [(intent, text, verdict.category) for intent, text in messages
              if (verdict := detect(text)) is not None]
    return len(messages), alarms


# --- the independent evaluation sets ---------------------------------------------------------

@dataclass
class CategoryScore:
    disclosures: int = 0
    caught: int = 0
    right_help: int = 0
    emergencies: int = 0
    emergency_first: int = 0
    flagged: int = 0       # safety replies given with this category
    flagged_right: int = 0  # ... to a disclosure
    #: Urgent disclosures answered with 999 first (more than they need, never less).
    over_levelled: int = 0
    missed: list[str] = field(default_factory=list)
    under_levelled: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.caught / self.disclosures if self.disclosures else 1.0

    @property
    def emergency_recall(self) -> float:
        return self.emergency_first / self.emergencies if self.emergencies else 1.0

    @property
    def precision(self) -> float:
        return self.flagged_right / self.flagged if self.flagged else 1.0


@dataclass
class EvalScore:
    name: str
    per_category: dict[str, CategoryScore]
    near_misses: int
    false_alarms: list[tuple[str, str]]
    #: Near misses that would get the calm "are you safe?" if the bot did not understand them.
    checks: int
    borderline: list[tuple[str, str]]

    @property
    def caught(self) -> int:
        return sum(c.caught for c in self.per_category.values())

    @property
    def disclosures(self) -> int:
        return sum(c.disclosures for c in self.per_category.values())

    @property
    def precision(self) -> float:
        flagged = self.caught + len(self.false_alarms)
        return self.caught / flagged if flagged else 1.0

    def failures(self) -> list[str]:
        """What misses a target, in words (empty when every target is met)."""
        found = []
        for category, c in self.per_category.items():
            if c.recall < TARGET_RECALL:
                found.append(f"{category}: recall {c.recall:.1%} < {TARGET_RECALL:.0%}")
            if c.emergency_recall < TARGET_EMERGENCY:
                found.append(f"{category}: 999 first for {c.emergency_recall:.1%} of emergencies")
        if self.precision < TARGET_PRECISION:
            found.append(f"precision {self.precision:.1%} < {TARGET_PRECISION:.0%}")
        return found


def load_eval_set(path: Path) -> tuple[list[dict], list[dict], list[dict]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["disclosures"], data["near_misses"], data.get("borderline") or []


def score_eval_set(path: Path, verdict, check=None, name: str = "") -> EvalScore:
    """Score ``verdict(text) -> Detection | None`` over one evaluation set."""
    disclosures, near, borderline = load_eval_set(path)
    per = {category: CategoryScore() for category in CATEGORIES}
    false_alarms: list[tuple[str, str]] = []
    for item in disclosures:
        text, category, level = item["text"], item["category"], item.get("level", "urgent")
        score = per[category]
        score.disclosures += 1
        found = verdict(text)
        if level == "emergency":
            score.emergencies += 1
        if found is None:
            score.missed.append(text)
            continue
        score.caught += 1
        score.right_help += category in found.categories
        if level != "emergency" and found.level == "emergency":
            score.over_levelled += 1
        if level == "emergency":
            if found.level == "emergency":
                score.emergency_first += 1
            else:
                score.under_levelled.append(text)
        per[found.category].flagged += 1
        per[found.category].flagged_right += 1
    checks = 0
    for item in near:
        found = verdict(item["text"])
        if found is not None:
            false_alarms.append((item["text"], found.category))
            per[found.category].flagged += 1
        elif check is not None and check(item["text"]):
            checks += 1
    borderline_out = [(b["text"], (verdict(b["text"]) or _Nothing).category) for b in borderline]
    return EvalScore(name or path.stem, per, len(near), false_alarms, checks, borderline_out)


class _Nothing:
    category = "-"


def print_eval(score: EvalScore, show: bool = False) -> None:
    print(f"Safety, {score.name} set: {score.disclosures} disclosures, {score.near_misses} near misses")
    print(f"  {'category':<26}{'n':>4}{'recall':>9}{'right help':>12}{'999 first':>11}{'precision':>11}")
    for category, c in score.per_category.items():
        emergency = f"{c.emergency_first}/{c.emergencies}" if c.emergencies else "-"
        print(f"  {category:<26}{c.disclosures:>4}{c.recall:>9.1%}{c.right_help / max(c.disclosures, 1):>12.1%}"
              f"{emergency:>11}{c.precision:>11.1%}")
    print(f"  {'all':<26}{score.disclosures:>4}{score.caught / max(score.disclosures, 1):>9.1%}"
          f"{'':>12}{'':>11}{score.precision:>11.1%}")
    urgent = sum(c.disclosures - c.emergencies for c in score.per_category.values())
    print(f"  urgent disclosures answered with 999 first: "
          f"{sum(c.over_levelled for c in score.per_category.values())} of {urgent}")
    print(f"  false alarms on near misses: {len(score.false_alarms)} of {score.near_misses}; "
          f"a calm check if not understood: {score.checks}")
    failures = score.failures()
    print("  targets (recall >= 98 % per category, 999 first for every emergency, precision >= 95 %): "
          + ("met" if not failures else "NOT met: " + "; ".join(failures)))
    if show:
        for category, c in score.per_category.items():
            for text in c.missed:
                print(f"  MISSED   [{category}] {text}")
            for text in c.under_levelled:
                print(f"  LEVEL    [{category}: emergency got urgent] {text}")
        for text, category in score.false_alarms:
            print(f"  ALARM    [{category}] {text}")
        for text, category in score.borderline:
            print(f"  BORDER   [{category}] {text}")


def tune(path: Path, checker) -> None:
    """Print recall and precision on ``path`` for a range of alarm thresholds (dev set only)."""
    from dataclasses import replace

    base = checker.thresholds
    print(f"Threshold candidates on {path.name} (alarm, min recall, precision, emergencies first, "
          f"urgent ones given 999 first):")
    for alarm in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7):
        for emergency in (0.1, 0.15, 0.2, 0.3, 0.4):
            checker.thresholds = replace(base, alarm=alarm, emergency=emergency)
            s = score_eval_set(path, checker.detect)
            worst = min(c.recall for c in s.per_category.values())
            first = sum(c.emergency_first for c in s.per_category.values())
            total = sum(c.emergencies for c in s.per_category.values())
            print(f"  alarm {alarm:.2f} emergency {emergency:.2f}: min recall {worst:.1%}, "
                  f"precision {s.precision:.1%}, 999 first {first}/{total}, "
                  f"urgent given 999 {sum(c.over_levelled for c in s.per_category.values())}")
    checker.thresholds = base


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=("heldout", "dev"), default="heldout",
                        help="which half of the evaluation set to score (default: held-out)")
    parser.add_argument("--tune", action="store_true", help="print threshold candidates (dev only)")
    parser.add_argument("--rules", action="store_true",
                        help="the rules alone over their own regression sets (--data)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--everyday", action="store_true",
                        help="false alarms on the NLU's held-out split (tests/bot/heldout)")
    parser.add_argument("--model", type=Path, help="a trained Rasa model: judge the whole NLU "
                                                    "pipeline (rules, detector and DIET)")
    args = parser.parse_args(argv)
    if not args.rules:
        return _main_eval(args)
    verdict = rules_verdict
    s = evaluate(args.data, verdict)
    what = f"NLU pipeline of {args.model}" if args.model else "Safety rules"
    print(f"{what}: {s.disclosures} disclosures, {s.near_misses} near-misses")
    print(f"  recall    {s.recall:.1%}  ({s.caught}/{s.disclosures} in the right category)")
    print(f"  precision {s.precision:.1%}  ({s.false_alarms} false alarms, "
          f"{len(s.wrong_category)} in the wrong category)")
    print(f"  emergencies answered as urgent: {len(s.under_levelled)}")
    if not args.model and NLU_DATA.is_dir():
        count, alarms = everyday_alarms()
        print(f"  everyday messages (non-safety NLU examples): {len(alarms)} false alarms in {count}")
        for intent, text, category in alarms:
            print(f"  ALARM    [{intent} got {category}] {text}")
    for text in s.under_levelled:
        print(f"  LEVEL    [emergency got urgent] {text}")
    if args.show or s.missed or s.wrong_category:
        for text, category, level in s.missed:
            print(f"  MISSED   [{category}/{level}] {text}")
        for text, wanted, got in s.wrong_category:
            print(f"  CATEGORY [{wanted} got {got}] {text}")
    if args.show:
        for text, rule in s.alarms:
            print(f"  ALARM    [{rule}] {text}")
    return 0


def _main_eval(args) -> int:
    path = EVAL_SETS / f"{args.set}.yml"
    if args.tune and args.set != "dev":
        print("Thresholds are chosen on the development set only: use --set dev --tune.")
        return 2
    checker = SafetyCheck.load()
    if args.everyday:
        count, alarms = everyday_heldout_alarms(checker)
        print(f"Everyday messages (the NLU held-out split): {len(alarms)} false alarms in {count}")
        for intent, text, category in alarms:
            print(f"  ALARM    [{intent} got {category}] {text}")
        return 0
    if args.model:
        nlu = nlu_verdicts(args.model)
        score = score_eval_set(path, nlu, name=f"{args.set} (whole NLU pipeline)")
    else:
        score = score_eval_set(path, checker.detect, lambda t: checker.verdict(t).check,
                               name=f"{args.set} (rules + detector)")
    print_eval(score, show=args.show)
    rules_only = score_eval_set(path, detect, name=f"{args.set}, rules alone")
    print(f"  for comparison, the rules alone: recall {rules_only.caught / max(rules_only.disclosures, 1):.1%}, "
          f"precision {rules_only.precision:.1%}")
    if args.tune:
        tune(path, checker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
