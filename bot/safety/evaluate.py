"""Recall and precision of the safety rules over the test sets, printed for the closing note.

    python -m bot.safety.evaluate [--data tests/safety/data] [--show]
    python -m bot.safety.evaluate --model models/signpost.tar.gz   (Rasa env: rules + DIET)

Recall: of the disclosures, how many get a safety reply in the right category. Precision: of the
messages that get a safety reply, how many were disclosures (near-misses are the false alarms).
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.safety.rules import detect

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "tests" / "safety" / "data"


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
        if not name.startswith("safety_"):
            return None
        level = next((e.get("level") for e in parsed.get("entities") or []
                      if e.get("entity") == "safety"), None) or "urgent"
        category = name[len("safety_"):]
        return _Verdict(category, level, (category,), "nlu")

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


def everyday_alarms(folder: Path = NLU_DATA) -> tuple[int, list[tuple[str, str, str]]]:
    messages = everyday_messages(folder)
    alarms = [(intent, text, verdict.category) for intent, text in messages
              if (verdict := detect(text)) is not None]
    return len(messages), alarms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.safety.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", action="store_true", help="list every miss and false alarm")
    parser.add_argument("--model", type=Path, help="a trained Rasa model: judge the whole NLU "
                                                    "pipeline (rules and DIET), not the rules alone")
    args = parser.parse_args(argv)
    verdict = nlu_verdicts(args.model) if args.model else rules_verdict
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


if __name__ == "__main__":
    sys.exit(main())
