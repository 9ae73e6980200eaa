"""Every Signpost figure in one table: what ``make bench`` prints and saves.

    PYTHONPATH=. .venv/web/bin/python bench/all.py [--levels 1 10 20 50] [--rounds 3]
        [--think 3] [--sizes 1000 10000 100000] [--train auto|force|skip] [--quick]

Runs, in this order, so one part does not disturb another's timing:

1. the directory (``bench/directory.py``, imported and run as it is): search p50/p95 at 1k, 10k
   and 100k services, import rate, postcode lookup p50/p95; then a council's ORUK feed of
   10,000 services synced, compact and full list (``bench/feed_sync.py``, ``--skip feeds``);
2. chat, on a whole stack started by ``tests/stack.py`` (actions, Rasa, web tier on free ports,
   temporary databases, the trained model): the same scripted conversations as
   ``bench/web.py`` at 1, 10, 20 and 50 at once, through ``POST /api/chat`` and straight to
   Rasa's REST channel. The two paths take turns round by round (which goes first alternates),
   so the ratio between them is measured under the same conditions. "N at once" means N parents
   in conversation at the same time: each reads the reply and types the next message
   (``--think``, default 3 s give or take half, which is a fast typist), and they arrive spread
   over the first few seconds. Then **capacity**: the most the stack answers, 20 conversations
   sending each message the moment the last reply arrives (no typing time), as messages per
   second and the wait that queue gives. Messages per second is messages answered / wall time.
   The web tier's rate limits are lifted with
   ``SIGNPOST_RATE_LIMIT_*`` (every simulated parent comes from 127.0.0.1) and its Rasa timeout
   raised to 60 s (``SIGNPOST_RASA_TIMEOUT``) so both paths wait for the same answers;
3. resident memory (RSS now and peak) of each tier's process tree right after the chat rounds;
4. ``rasa train`` time: ``--train auto`` (default) reads ``models/signpost.train_seconds`` when
   ``scripts/train.sh`` recorded it, else trains from scratch into a temporary folder (``--force``,
   nothing in ``models/`` is touched) and times that; ``skip`` leaves it out.

Writes ``bench/results/<UTC time>.json`` and ``bench/results/latest.json``. Targets on 2 cores:
chat p95 <= 150 ms at 20 concurrent, web-tier ratio <= 1.2, whole stack <= 1.5 GB resident.
The machine may be shared: quote ratios from one run, and the load average printed with them.
Exit status 1 when a figure misses its target (the table and the JSON are written either way).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
# Run as a script, this folder comes first on sys.path and bench/directory.py would hide the
# ``directory`` package: look from the repository root instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench import directory as directory_bench  # noqa: E402
from bench import feed_sync as feed_bench  # noqa: E402
from bench.procmem import tree_memory_mb  # noqa: E402
from bench.web import SCRIPT, conversation_direct, conversation_via_web  # noqa: E402

RESULTS = _HERE / "results"
TRAIN_RECORD = ROOT / "models" / "signpost.train_seconds"
TARGET_CHAT_P95_MS = 150.0
TARGET_RATIO = 1.2
TARGET_STACK_MB = 1536.0
CAPACITY_LEVEL = 20
# Every simulated parent comes from 127.0.0.1, so the per-address limit is lifted; and the web
# tier waits as long as a direct client would (its 8 s fallback would cap the slowest replies at
# 50 at once and make the web path look faster than Rasa itself).
BENCH_ENV = {"SIGNPOST_RATE_LIMIT_CLIENT": "1000000/minute",
             "SIGNPOST_RATE_LIMIT_SESSION": "1000000/minute",
             "SIGNPOST_RATE_LIMIT_NEW_SESSIONS": "1000000/minute", "SIGNPOST_RASA_TIMEOUT": "60"}


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def summary_ms(times: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(times, 0.50) * 1000, 1),
            "p95_ms": round(percentile(times, 0.95) * 1000, 1),
            "p99_ms": round(percentile(times, 0.99) * 1000, 1)}


# --- directory --------------------------------------------------------------------------------

def directory_figures(sizes: list[int], runs: int) -> dict[str, Any]:
    """``bench/directory.py`` exactly as its own command line runs it, read from its JSON."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        directory_bench.main(["--json", "--runs", str(runs), "--sizes", *map(str, sizes)])
    return json.loads(out.getvalue())


# --- chat ---------------------------------------------------------------------------------------

Conversation = Callable[[aiohttp.ClientSession, str, list[float], float], Awaitable[None]]


async def _batch(http: aiohttp.ClientSession, talk: Conversation, url: str, level: int,
                 times: list[float], errors: list[str], think: float) -> float:
    """``level`` conversations at once; returns the wall time. Failures are counted, not fatal."""
    async def one() -> None:
        try:
            await asyncio.sleep(random.uniform(0, think))  # parents don't all start at once
            await talk(http, url, times, think)
        except Exception as error:  # noqa: BLE001 - a failed conversation is a figure
            errors.append(f"{type(error).__name__}: {error}"[:300])

    started = time.perf_counter()
    await asyncio.gather(*[one() for _ in range(level)])
    return time.perf_counter() - started


async def chat_figures(web_url: str, rasa_url: str, levels: list[int],
                       rounds: int, think: float) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await conversation_direct(http, rasa_url, [])  # warm both paths first
        await conversation_via_web(http, web_url, [])
        for level in levels:
            paths = {"web": (conversation_via_web, web_url), "rasa": (conversation_direct, rasa_url)}
            times: dict[str, list[float]] = {"web": [], "rasa": []}
            errors: dict[str, list[str]] = {"web": [], "rasa": []}
            wall: dict[str, float] = {"web": 0.0, "rasa": 0.0}
            for round_no in range(rounds):
                order = ["rasa", "web"] if round_no % 2 == 0 else ["web", "rasa"]
                for name in order:
                    talk, url = paths[name]
                    wall[name] += await _batch(http, talk, url, level, times[name], errors[name],
                                               think)
            row: dict[str, Any] = {"conversations": level, "rounds": rounds, "think_s": think}
            for name in ("web", "rasa"):
                row[name] = {**summary_ms(times[name]), "messages": len(times[name]),
                             "messages_per_s": round(len(times[name]) / wall[name], 1),
                             "errors": len(errors[name]), "first_errors": errors[name][:3]}
            row["ratio_p95"] = round(row["web"]["p95_ms"] / row["rasa"]["p95_ms"], 3)
            row["ratio_p50"] = round(row["web"]["p50_ms"] / row["rasa"]["p50_ms"], 3)
            figures[str(level)] = row
            print(f"  chat at {level:>2}: /api/chat p95 {row['web']['p95_ms']:7.1f} ms, Rasa p95 "
                  f"{row['rasa']['p95_ms']:7.1f} ms, ratio {row['ratio_p95']:.3f}, "
                  f"{row['web']['messages_per_s']:.1f} msg/s, errors "
                  f"{row['web']['errors']}+{row['rasa']['errors']}", file=sys.stderr, flush=True)
    return figures


def stack_memory(stack: Any) -> dict[str, Any]:
    """RSS of each tier (its process and children) and of the whole stack."""
    tiers = {name: tree_memory_mb(proc.pid) for name, proc in stack._procs.items()}
    return {"tiers": tiers,
            "stack_rss_mb": round(sum(t["rss_mb"] for t in tiers.values()), 1),
            "stack_peak_rss_mb": round(sum(t["peak_rss_mb"] for t in tiers.values()), 1)}


def run_chat(levels: list[int], rounds: int, think: float) -> dict[str, Any]:
    from tests.stack import Stack

    print("Starting a stack (actions, Rasa, web tier) on free ports ...", file=sys.stderr,
          flush=True)
    with Stack(web=True, env=BENCH_ENV, startup_timeout=600) as stack:
        idle = stack_memory(stack)
        chat = asyncio.run(chat_figures(stack.web_url, stack.rasa_url, levels, rounds, think))
        busy = stack_memory(stack)
        capacity = asyncio.run(chat_figures(stack.web_url, stack.rasa_url, [CAPACITY_LEVEL], 1,
                                            0.0))[str(CAPACITY_LEVEL)]
    return {"chat": chat, "capacity": capacity, "memory_idle": idle, "memory": busy}


# --- training -----------------------------------------------------------------------------------

def train_seconds(mode: str) -> dict[str, Any]:
    if mode == "skip":
        return {"seconds": None, "how": "skipped (--train skip)"}
    if mode == "auto" and TRAIN_RECORD.exists():
        when = datetime.fromtimestamp(TRAIN_RECORD.stat().st_mtime, timezone.utc)
        return {"seconds": float(TRAIN_RECORD.read_text().strip()),
                "how": f"recorded by scripts/train.sh: its last training, finished "
                       f"{when:%Y-%m-%d %H:%M} UTC ({TRAIN_RECORD.relative_to(ROOT)})"}
    print("Timing a full 'rasa train' into a temporary folder (a few minutes) ...",
          file=sys.stderr, flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    with tempfile.TemporaryDirectory(prefix="signpost-train-") as out:
        started = time.perf_counter()
        done = subprocess.run(
            [str(ROOT / ".venv/rasa/bin/rasa"), "train", "--config", "config.yml", "--domain",
             "domain", "--data", "data", "--out", out, "--fixed-model-name", "bench", "--force"],
            cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        return {"seconds": None, "how": f"forced train failed: {done.stderr[-500:]}"}
    return {"seconds": round(seconds, 1), "how": "timed now: rasa train --force into a temporary folder"}


# --- the table ----------------------------------------------------------------------------------

def rows(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, verdict) for the printed table."""
    out: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        out.append((name, value, target, "" if ok is None else ("ok" if ok else "OVER")))

    train = report.get("train")
    if train:
        value = "-" if train["seconds"] is None else f"{train['seconds']:.0f} s"
        add("rasa train", value + f"  ({train['how'].split(':')[0]})")
    for level, row in report.get("chat", {}).items():
        web, rasa = row["web"], row["rasa"]
        target = f"p95 <= {TARGET_CHAT_P95_MS:.0f} ms" if level == "20" else ""
        who = "1 parent" if level == "1" else f"{level} parents"
        add(f"chat /api/chat, {who} at once", f"p50 {web['p50_ms']:.0f} / p95 {web['p95_ms']:.0f}"
            f" / p99 {web['p99_ms']:.0f} ms", target,
            web["p95_ms"] <= TARGET_CHAT_P95_MS if level == "20" else None)
        add(f"chat straight to Rasa, {who} at once", f"p50 {rasa['p50_ms']:.0f} / p95 "
            f"{rasa['p95_ms']:.0f} / p99 {rasa['p99_ms']:.0f} ms")
        add(f"web-tier ratio (p95), {level} at once", f"{row['ratio_p95']:.3f} (p50 "
            f"{row['ratio_p50']:.3f})", f"<= {TARGET_RATIO}", row["ratio_p95"] <= TARGET_RATIO)
        add(f"messages per second, {level} at once", f"{web['messages_per_s']:.1f} via web, "
            f"{rasa['messages_per_s']:.1f} direct ({row.get('think_s', 0):g} s typing time)")
        errors = web["errors"] + rasa["errors"]
        add(f"failed conversations, {level} at once", str(errors), "0", errors == 0)
    capacity = report.get("capacity")
    if capacity:
        web, rasa = capacity["web"], capacity["rasa"]
        add(f"capacity, {capacity['conversations']} sending flat out", f"{web['messages_per_s']:.1f}"
            f" msg/s via web (p95 {web['p95_ms']:.0f} ms), {rasa['messages_per_s']:.1f} direct "
            f"(p95 {rasa['p95_ms']:.0f} ms)")
    memory = report.get("memory")
    if memory:
        for tier, figures in memory["tiers"].items():
            add(f"memory: {tier}", f"{figures['rss_mb']:.0f} MB (peak {figures['peak_rss_mb']:.0f})")
        add("memory: whole stack", f"{memory['stack_rss_mb']:.0f} MB (peak "
            f"{memory['stack_peak_rss_mb']:.0f})", f"<= {TARGET_STACK_MB:.0f} MB",
            memory["stack_peak_rss_mb"] <= TARGET_STACK_MB)
    directory = report.get("directory")
    if directory:
        target = directory.get("targets", {}).get("search_p95_ms", 10.0)
        for size, kinds in directory["search"].items():
            worst = max(kinds.values(), key=lambda f: f["p95_ms"])
            p50 = statistics.median(f["p50_ms"] for f in kinds.values())
            add(f"directory search, {int(size):,} services",
                f"p50 {p50:.2f} ms, worst p95 {worst['p95_ms']:.2f} ms",
                f"p95 <= {target:g} ms" if int(size) >= 100_000 else "",
                worst["p95_ms"] <= target if int(size) >= 100_000 else None)
        rate = directory.get("import", {}).get("services_per_s", directory.get("import_services_per_s"))
        target_rate = directory.get("targets", {}).get("import_services_per_s", 2000)
        add("import rate", f"{rate:,} services/s", f">= {target_rate:,.0f}", rate >= target_rate)
        postcode = directory["postcode"]
        target_pc = directory.get("targets", {}).get("postcode_p95_ms", 1.0)
        add("postcode lookup", f"p50 {postcode['p50_ms']:.3f} / p95 {postcode['p95_ms']:.3f} ms",
            f"p95 <= {target_pc:g} ms", postcode["p95_ms"] <= target_pc)
    for feed in report.get("feeds") or []:
        kind = "compact list" if feed["compact"] else "full list"
        add(f"feed sync, {feed['count']:,} services, {kind}",
            f"{feed['first_s']:.1f} s ({feed['rate']:,.0f}/s), peak {feed['peak_mb']:.0f} MB",
            f"<= {feed_bench.TARGET_S:.0f} s", feed["first_s"] <= feed_bench.TARGET_S)
    return out


def print_table(report: dict[str, Any]) -> None:
    table = rows(report)
    widths = [max(len(r[i]) for r in table + [("figure", "value", "target", "")]) for i in range(4)]
    head = ("figure", "value", "target", "")
    print(f"Signpost bench, {report['started']} (load average {report['load_average']:.1f}, "
          f"{os.cpu_count()} cores)")
    for line in [head, tuple("-" * w for w in widths), *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 10, 20, 50],
                        help="conversations at once")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds per level; each conversation runs the script once per round")
    parser.add_argument("--think", type=float, default=3.0,
                        help="seconds each parent takes to read and type (default 3; 0 = flat out)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--search-runs", type=int, default=200)
    parser.add_argument("--train", choices=["auto", "force", "skip"], default="auto")
    parser.add_argument("--skip", nargs="*", default=[], choices=["directory", "feeds", "chat"],
                        help="leave out parts (for a quick look)")
    parser.add_argument("--quick", action="store_true",
                        help="1 round, 1k and 10k services, 50 searches each: minutes, not tens")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.sizes, args.search_runs = 1, [1_000, 10_000], 50
    os.chdir(ROOT)  # bench/directory.py keeps its generated directories in var/bench

    started = datetime.now(timezone.utc)
    report: dict[str, Any] = {"started": started.strftime("%Y-%m-%d %H:%M UTC"),
                              "load_average": os.getloadavg()[0], "cores": os.cpu_count(),
                              "script": list(SCRIPT), "targets": {
                                  "chat_p95_ms_at_20": TARGET_CHAT_P95_MS, "think_s": args.think,
                                  "web_ratio": TARGET_RATIO, "stack_rss_mb": TARGET_STACK_MB}}
    if "directory" not in args.skip:
        print("Directory: search, import, postcodes ...", file=sys.stderr, flush=True)
        report["directory"] = directory_figures(args.sizes, args.search_runs)
    if "feeds" not in args.skip:
        print("Feed sync: 10,000 services, compact and full list ...", file=sys.stderr, flush=True)
        report["feeds"] = [feed_bench.run(10_000, compact) for compact in (True, False)]
    if "chat" not in args.skip:
        report.update(run_chat(args.levels, args.rounds, args.think))
    report["train"] = train_seconds(args.train)
    report["load_average_end"] = os.getloadavg()[0]

    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2) + "\n"
    stamped = RESULTS / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    stamped.write_text(text)
    (RESULTS / "latest.json").write_text(text)
    print_table(report)
    print(f"Written to {stamped.relative_to(ROOT)} and bench/results/latest.json")
    verdicts = [r[3] for r in rows(report)]
    return 1 if "OVER" in verdicts else 0


if __name__ == "__main__":
    sys.exit(main())
