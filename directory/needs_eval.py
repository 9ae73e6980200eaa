"""How well needs read from a service's own words recover the needs staff tagged by hand.

Development data for ``directory/needs.py``: the sample directory (Blackburn) has every
service tagged by hand. Strip those tags, infer needs from each service's name and
description, and compare. Two more directories (``sample/needs_dev/*.yml``: name,
description and the needs the writer says each service is for) were written by people who had
read none of Signpost's phrases, in other councils' styles: formal and terse, chatty and long,
where the sample's own words score far better than a stranger's. The Wakefield directories and
the conversation set are test data and are never used here.
Run: ``python -m directory.needs_eval``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

import yaml

from directory.needs import infer_service_needs
from directory.taxonomy import load_taxonomy

SAMPLE = Path(__file__).parent / "sample" / "sample_directory.json"
WRITTEN = sorted((Path(__file__).parent / "sample" / "needs_dev").glob("*.yml"))


def _services(path: Path) -> Iterable[tuple[str, str, set[str]]]:
    """(name, description, needs it meets) from an ORUK file's tags or a written YAML list."""
    if path.suffix == ".json":
        for service in json.loads(path.read_text(encoding="utf-8")):
            yield (service.get("name") or "", service.get("description") or "",
                   {a["taxonomy_term_id"] for a in service.get("attributes", [])})
    else:
        for service in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield service["name"], service.get("description") or "", set(service["needs"] or [])


def score(path: Path = SAMPLE) -> tuple[dict[str, tuple[int, int, int]], tuple[int, int, int]]:
    """Per need and overall: (true positives, false positives, false negatives)."""
    taxonomy = load_taxonomy()
    core = set(taxonomy.ids)
    phrases = {t.id: tuple(dict.fromkeys([*t.phrases, t.name])) for t in taxonomy.terms}
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for name, description, needs in _services(path):
        tagged = needs & core
        found = set(infer_service_needs(name, description, [], phrases))
        for need in found & tagged:
            tp[need] += 1
        for need in found - tagged:
            fp[need] += 1
        for need in tagged - found:
            fn[need] += 1
    per_need = {n: (tp[n], fp[n], fn[n]) for n in taxonomy.ids if tp[n] + fp[n] + fn[n]}
    return per_need, (sum(tp.values()), sum(fp.values()), sum(fn.values()))


def _pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def main() -> None:
    for path in [SAMPLE, *WRITTEN]:
        per_need, total = score(path)
        print(f"\n{path.name}")
        print(f"{'need':32} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}")
        for need, (tp, fp, fn) in per_need.items():
            p, r = _pr(tp, fp, fn)
            print(f"{need:32} {tp:4} {fp:4} {fn:4} {p:6.1%} {r:6.1%}")
        p, r = _pr(*total)
        print(f"{'overall':32} {total[0]:4} {total[1]:4} {total[2]:4} {p:6.1%} {r:6.1%}")


if __name__ == "__main__":
    main()
