"""What the language detector costs: memory, start-up time and time per message.

    PYTHONPATH=. .venv/rasa/bin/python bench/language.py            # both loading modes
    PYTHONPATH=. .venv/rasa/bin/python bench/language.py --json

Each mode is measured in a fresh Python process, so one mode's models do not count in the
other's memory. "Memory" is the growth of the process's resident set (``VmRSS``) from before
the detector is built to after every message has been parsed, so lazily loaded models are
counted once they are in. Messages: every English example in ``data/nlu/`` and the held-out set
(what most parents send), and the parent-style sentences of ``tests/bot/test_language_detector.py``
in the eight other languages. The time per message is the whole component (``process``): the
letter count, lingua when the message is long enough, and the entities of a message in another
language.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def measure(preload: bool) -> dict:
    """One mode's figures, in this process."""
    sys.path.insert(0, str(ROOT))
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.language_detector import LanguageDetector
    from tests.bot.test_language_detector import PARENT_MESSAGES, TOWNS, _english_examples

    english = _english_examples()
    other = [text for _, text in PARENT_MESSAGES]
    before = _rss_mb()
    started = time.perf_counter()
    detector = LanguageDetector({"preload_models": preload}, towns=TOWNS)
    build_s = time.perf_counter() - started
    after_build = _rss_mb()

    def timed(texts: list[str]) -> list[float]:
        out = []
        for text in texts:
            message = Message(data={TEXT: text})
            t0 = time.perf_counter()
            detector.process([message])
            out.append((time.perf_counter() - t0) * 1000)
        return out

    first_other = timed(other[:1])[0]  # the first message in another script may load models
    en_ms = timed(english) + timed(english)
    other_ms = timed(other * 20)
    return {
        "mode": "preloaded" if preload else "lazy",
        "build_s": round(build_s, 2),
        "rss_after_build_mb": round(after_build - before, 1),
        "rss_after_all_mb": round(_rss_mb() - before, 1),
        "first_other_language_ms": round(first_other, 1),
        "english_messages": len(en_ms),
        "english_p50_ms": round(statistics.median(en_ms), 3),
        "english_p95_ms": round(_percentile(en_ms, 95), 3),
        "other_messages": len(other_ms),
        "other_p50_ms": round(statistics.median(other_ms), 3),
        "other_p95_ms": round(_percentile(other_ms, 95), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--mode", choices=["preloaded", "lazy"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:  # the child process: one mode, figures as JSON
        print(json.dumps(measure(args.mode == "preloaded")))
        return
    results = []
    for mode in ("preloaded", "lazy"):
        out = subprocess.run([sys.executable, __file__, "--mode", mode], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'mode':10} {'build s':>8} {'MB built':>9} {'MB after':>9} {'1st other ms':>13} "
          f"{'en p50':>7} {'en p95':>7} {'other p50':>10} {'other p95':>10}")
    for r in results:
        print(f"{r['mode']:10} {r['build_s']:>8} {r['rss_after_build_mb']:>9} {r['rss_after_all_mb']:>9} "
              f"{r['first_other_language_ms']:>13} {r['english_p50_ms']:>7} {r['english_p95_ms']:>7} "
              f"{r['other_p50_ms']:>10} {r['other_p95_ms']:>10}")
    print(f"({results[0]['english_messages']} English and {results[0]['other_messages']} other-language "
          f"messages per mode; times in ms per message, whole component)")


if __name__ == "__main__":
    main()
