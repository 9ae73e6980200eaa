"""Write the NLU data that comes from the taxonomy: synonyms, lookup tables and find_service examples.

``directory/taxonomy.yml`` is the one source of truth for needs. This module turns every phrase
into a synonym of its term id (so DIET's "baby massage" becomes ``stay_and_play``), a lookup table
per term (features for the RegexFeaturizer), and natural find_service examples built from
templates, with the phrase annotated as a ``need``. The output is deterministic: the same
taxonomy always gives the same file, so the training cache only misses when the taxonomy changed.

    python -m bot.nlu.generate [--taxonomy directory/taxonomy.yml] [--out data/nlu]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from directory.taxonomy import Taxonomy, load_taxonomy

OUT_NAME = "needs.generated.yml"
SEED = 20261126
#: Each term gets at least this many find_service examples (every phrase is used at least once).
MIN_EXAMPLES_PER_TERM = 30

# Templates for how parents ask. "{need}" is the phrase; the other fields are filled with
# annotated places, days, times and ages, so DIET sees them in context too.
TEMPLATES = [
    "{need}",
    "{need} pls",
    "{need}?",
    "is there a {need} near me",
    "is there any {need} near me",
    "any {need} on a {day}",
    "any {need} in {place}",
    "looking for {need} for my {age}",
    "looking for {need} near {place}",
    "need help with {need}",
    "i need some help with {need}",
    "where can i find {need}",
    "where can i get {need} round here",
    "anything for {need} in {place}",
    "do u know any {need}",
    "do you do {need}",
    "hi is there {need} near {place}",
    "hiya any {need} on {day}s",
    "can you help me find {need}",
    "can u find me {need} {time}",
    "whats on for {need} near {place}",
    "i want {need} for my {age}",
    "{need} near {place}",
    "{need} on {day}",
    "{need} in the {time}",
    "info about {need} near me",
    "help with {need} please",
    "wondering if there is {need} near me",
    "my {age} and i need {need}",
    "any {need} locally",
    "hi do you have {need} in {place} x",
    "is there anywhere that does {need}",
    "who can help with {need}",
    "looking for {need} on a {day} {time}",
    "{need} for a {age}",
    "what {need} is there in {place}",
    "need {need} asap",
    "just moved to {place} looking for {need}",
    "any {need} that are [free](cost)",
    "i was told to look for {need}",
]

#: Towns and postcodes for the place slot in templates (Blackburn with Darwen and nearby).
PLACES = ["darwen", "blackburn", "bb3", "bb1", "bb2 4hq", "great harwood", "accrington", "clitheroe",
          "livesey", "mill hill", "BB3 1AB", "wensley fold", "shadsworth", "Darwen", "oswaldtwistle"]
DAYS = [("saturday", "SA"), ("monday", "MO"), ("tuesday", "TU"), ("wednesday", "WE"),
        ("thursday", "TH"), ("friday", "FR"), ("sunday", "SU"), ("sat", "SA"), ("weds", "WE")]
TIMES = [("morning", "morning"), ("afternoon", "afternoon"), ("evening", "evening")]
AGES = [("2 year old", 24), ("18 month old", 18), ("9 month old", 9), ("3 year old", 36),
        ("1 year old", 12), ("6 month old", 6), ("4 year old", 48), ("10 month old", 10),
        ("2yo", 24), ("newborn", 0), ("toddler", None), ("baby", None), ("lo", None)]


def _annotate(text: str, entity: str, value: object | None = None) -> str:
    if value is None or str(value) == text:
        return f"[{text}]({entity})"
    return f'[{text}]{json.dumps({"entity": entity, "value": str(value)})}'


def _fill(template: str, phrase: str, term_id: str, rng: random.Random) -> str:
    place = rng.choice(PLACES)
    day_text, day_code = rng.choice(DAYS)
    time_text, time_value = rng.choice(TIMES)
    age_text, months = rng.choice(AGES)
    # "{day}s" -> "saturdays": annotate the plural word as a whole.
    if "{day}s" in template:
        template = template.replace("{day}s", "{day}")
        day_text = day_text + "s" if len(day_text) > 4 else day_text
    return template.format(
        need=_annotate(phrase, "need", term_id),
        place=_annotate(place, "place"),
        day=_annotate(day_text, "day", day_code),
        time=_annotate(time_text, "time_of_day", time_value),
        age=_annotate(age_text, "child_age", months) if months is not None else age_text,
    )


def find_service_examples(taxonomy: Taxonomy, seed: int = SEED) -> dict[str, list[str]]:
    """Term id -> annotated examples: every phrase at least once, topped up to the minimum."""
    rng = random.Random(seed)
    examples: dict[str, list[str]] = {}
    for term in taxonomy.terms:
        phrases = [p.lower() for p in term.phrases]
        picks = list(phrases)
        while len(picks) < MIN_EXAMPLES_PER_TERM:
            picks.append(rng.choice(phrases))
        seen: set[str] = set()
        lines = []
        for phrase in picks:
            for _ in range(5):  # re-draw a template if this exact example is already there
                line = _fill(rng.choice(TEMPLATES), phrase, term.id, rng)
                if line not in seen:
                    break
            seen.add(line)
            lines.append(line)
        examples[term.id] = lines
    return examples


def _block(items: list[str]) -> str:
    return "".join(f"      - {item}\n" for item in items)


def render(taxonomy: Taxonomy, seed: int = SEED) -> str:
    """The whole ``needs.generated.yml`` text."""
    out = [
        "# GENERATED by `python -m bot.nlu.generate` from directory/taxonomy.yml. Do not edit:\n"
        "# change the taxonomy and run scripts/train.sh (or the command above) instead.\n",
        'version: "3.1"\n',
        "nlu:\n",
        "  - intent: find_service\n",
        "    examples: |\n",
    ]
    for term_id, lines in find_service_examples(taxonomy, seed).items():
        out.append(_block(lines))
    for term in taxonomy.terms:
        phrases = sorted({p.lower() for p in term.phrases})
        out.append(f"  - synonym: {term.id}\n    examples: |\n")
        out.append(_block([p for p in phrases if p != term.id]))
    for term in taxonomy.terms:
        out.append(f"  - lookup: {term.id}\n    examples: |\n")
        out.append(_block(sorted({p.lower() for p in term.phrases})))
    return "".join(out)


def write(out_dir: Path, taxonomy: Taxonomy | None = None, seed: int = SEED) -> tuple[Path, bool]:
    """Write ``needs.generated.yml`` into ``out_dir``; returns (path, whether it changed)."""
    taxonomy = taxonomy or load_taxonomy()
    path = Path(out_dir) / OUT_NAME
    text = render(taxonomy, seed)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.nlu.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--taxonomy", type=Path, default=None, help="taxonomy file (default directory/taxonomy.yml)")
    parser.add_argument("--out", type=Path, default=Path("data/nlu"), help="folder to write into")
    args = parser.parse_args(argv)
    path, changed = write(args.out, load_taxonomy(args.taxonomy))
    print(f"{'Wrote' if changed else 'Unchanged:'} {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
