"""Load: simulated parents holding real multi-turn conversations through ``POST /api/chat``.

    PYTHONPATH=. .venv/web/bin/python bench/load.py [--seconds 300] [--parents 20] [--think 8]
    PYTHONPATH=. .venv/web/bin/python bench/load.py --web-url http://127.0.0.1:8080  # running stack

Loopback only and bounded: ``--parents`` conversations at a time for ``--seconds`` (plus the
replies still in flight), never more. Without ``--web-url`` it starts a whole stack with
``tests/stack.py`` (actions, Rasa, web tier on free ports, temporary databases) and lifts the
per-address rate limits (every simulated parent comes from 127.0.0.1).

Each parent picks one of ``CONVERSATIONS`` (need → place → age → refine → more → a question →
thanks, in the ways parents mix them), takes ``--think`` seconds on average (half to one and a
half times that) to read each reply and type the next message, ends the chat or just leaves,
then starts another. Reports: errors (HTTP errors, timeouts, the "chat is not working" fallback — must be
0), reply p50/p95/p99 overall and per minute, messages per second, and the resident memory of
each tier sampled every 10 s. Memory is "flat" when no tier (nor the whole stack) grows by
more than 10 % from the first minute to the last (for runs under three minutes: the first and
last third). Exit status 0 when all three hold: 0 errors, p95 within target, memory flat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.procmem import tree_memory_mb  # noqa: E402

TARGET_P95_MS = 150.0
#: A parent reads the reply and types the next message: 4 to 12 s (``bench/all.py`` measures the
#: flat-out case, every conversation sending its next message the moment a reply arrives).
THINK_SECONDS = 8.0
MEMORY_GROWTH_LIMIT = 0.10
SAMPLE_EVERY = 10.0
NO_RATE_LIMITS = {"SIGNPOST_RATE_LIMIT_CLIENT": "1000000/minute",
                  "SIGNPOST_RATE_LIMIT_SESSION": "1000000/minute",
                  "SIGNPOST_RATE_LIMIT_NEW_SESSIONS": "1000000/minute"}

#: What parents say, in order, one list per kind of conversation (from the stories and e2e tests).
CONVERSATIONS: tuple[tuple[str, ...], ...] = (
    ("hi", "is there a stay and play near Darwen", "my daughter is 2", "what about on a Saturday",
     "more", "free ones only", "thanks"),
    ("any dads groups on a sat near darwen", "what about Sunday", "what is a family hub", "bye"),
    ("LO is 9 months and hasnt had her review", "Darwen", "are there any stay and play groups",
     "more", "thank you"),
    ("I'm looking for stay and play", "what is a health visitor", "BB3", "my son is 18 months",
     "anything in the evening", "cheers"),
    ("I want to go back to work but childcare costs", "Blackburn", "he is 3",
     "how do I get 30 hours free childcare", "more", "can I talk to a person"),
    ("my 2 year old isn't talking yet", "near BB1", "anything on a Tuesday",
     "what is portage", "ok thanks"),
    ("hello", "help with breastfeeding", "I live in Darwen", "she is 6 weeks old",
     "is there anything at the weekend", "am i talking to a robot", "goodbye"),
    ("parenting course near Blackburn", "in the evening", "more", "what is early help",
     "thanks bye"),
)


def percentile(values: list[float], share: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


class Recorder:
    """Reply times (with when they finished) and every error, for the whole run."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.times: list[tuple[float, float]] = []  # (seconds since start, reply seconds)
        self.errors: list[str] = []
        self.conversations = 0

    def reply(self, seconds: float) -> None:
        self.times.append((time.monotonic() - self.started, seconds))

    def error(self, what: str) -> None:
        self.errors.append(what[:300])


async def say(http: aiohttp.ClientSession, web_url: str, text: str, session_id: str | None,
              record: Recorder) -> str | None:
    """One message; returns the session id to carry on with (None after an error)."""
    started = time.perf_counter()
    try:
        async with http.post(f"{web_url}/api/chat",
                             json={"text": text, "session_id": session_id}) as response:
            body = await response.json(content_type=None)
            status = response.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        record.error(f"{text!r}: {type(error).__name__}: {error}")
        return None
    record.reply(time.perf_counter() - started)
    if status != 200:
        record.error(f"{text!r}: HTTP {status}: {body}")
        return None
    messages = body.get("messages") or []
    if not messages:
        record.error(f"{text!r}: no reply")
    elif any((m.get("custom") or {}).get("type") == "unavailable" for m in messages):
        record.error(f"{text!r}: the 'chat is not working' fallback (Rasa slow or down)")
    return body.get("session_id")


async def parent(http: aiohttp.ClientSession, web_url: str, until: float, think: float,
                 rng: random.Random, record: Recorder) -> None:
    """One simulated parent: conversation after conversation until time is up."""
    await asyncio.sleep(rng.uniform(0, think))  # parents arrive over a few seconds, not at once
    while time.monotonic() < until:
        session_id = None
        for text in rng.choice(CONVERSATIONS):
            if time.monotonic() >= until:
                return
            session_id = await say(http, web_url, text, session_id, record)
            if session_id is None:
                break
            if think:
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
        record.conversations += 1
        if session_id and rng.random() < 0.5:  # half press "End chat", half just leave
            try:
                async with http.post(f"{web_url}/api/chat/end", json={"session_id": session_id}):
                    pass
            except aiohttp.ClientError as error:
                record.error(f"end chat: {error}")


async def sample_memory(pids: dict[str, int], until: float, samples: list[dict[str, Any]],
                        started: float) -> None:
    while True:
        tiers = {name: tree_memory_mb(pid)["rss_mb"] for name, pid in pids.items()}
        samples.append({"t": round(time.monotonic() - started, 1), "tiers": tiers,
                        "stack_mb": round(sum(tiers.values()), 1)})
        if time.monotonic() >= until:
            return
        await asyncio.sleep(min(SAMPLE_EVERY, max(0.0, until - time.monotonic())))


def memory_growth(samples: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    """Mean RSS of the first window vs the last, per tier and for the whole stack."""
    if len(samples) < 2:
        return {}
    window = 60.0 if seconds >= 180 else seconds / 3
    first = [s for s in samples if s["t"] <= window] or samples[:1]
    last = [s for s in samples if s["t"] >= samples[-1]["t"] - window] or samples[-1:]
    growth: dict[str, Any] = {"window_s": round(window, 1), "tiers": {}}
    for name in samples[0]["tiers"]:
        a = statistics.mean(s["tiers"][name] for s in first)
        b = statistics.mean(s["tiers"][name] for s in last)
        growth["tiers"][name] = {"first_mb": round(a, 1), "last_mb": round(b, 1),
                                 "growth": round((b - a) / a, 4) if a else None}
    a = statistics.mean(s["stack_mb"] for s in first)
    b = statistics.mean(s["stack_mb"] for s in last)
    growth["stack"] = {"first_mb": round(a, 1), "last_mb": round(b, 1),
                       "growth": round((b - a) / a, 4) if a else None}
    return growth


async def run_load(web_url: str, *, seconds: float, parents: int = 20,
                   think: float = THINK_SECONDS,
                   pids: dict[str, int] | None = None, seed: int = 1) -> dict[str, Any]:
    """Run the load; return the figures (see the module docstring)."""
    record = Recorder()
    samples: list[dict[str, Any]] = []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        warm = Recorder()  # one pass of every conversation, not counted: loads Rasa's caches
        for script in CONVERSATIONS:
            session_id = None
            for text in script:
                session_id = await say(http, web_url, text, session_id, warm)
        if warm.errors:
            raise RuntimeError(f"The stack is not answering properly: {warm.errors[:3]}")
        record.started = time.monotonic()
        until = record.started + seconds
        rng = random.Random(seed)
        tasks = [parent(http, web_url, until, think, random.Random(rng.random()), record)
                 for _ in range(parents)]
        if pids:
            tasks.append(sample_memory(pids, until, samples, record.started))
        await asyncio.gather(*tasks)
    wall = time.monotonic() - record.started
    replies = [t for _, t in record.times]
    per_minute = []
    for minute in range(int(wall // 60) + 1):
        chunk = [t for at, t in record.times if minute * 60 <= at < (minute + 1) * 60]
        if chunk:
            per_minute.append({"minute": minute + 1, "messages": len(chunk),
                               "p95_ms": round(percentile(chunk, 0.95) * 1000, 1)})
    return {
        "parents": parents, "seconds": seconds, "think_s": think, "wall_s": round(wall, 1),
        "messages": len(replies), "conversations": record.conversations,
        "messages_per_s": round(len(replies) / wall, 2) if wall else None,
        "errors": len(record.errors), "first_errors": record.errors[:5],
        "p50_ms": round(percentile(replies, 0.50) * 1000, 1) if replies else None,
        "p95_ms": round(percentile(replies, 0.95) * 1000, 1) if replies else None,
        "p99_ms": round(percentile(replies, 0.99) * 1000, 1) if replies else None,
        "max_ms": round(max(replies) * 1000, 1) if replies else None,
        "per_minute": per_minute, "memory_samples": samples,
        "memory_growth": memory_growth(samples, seconds),
    }


def verdict(report: dict[str, Any], p95_limit_ms: float = TARGET_P95_MS,
            growth_limit: float = MEMORY_GROWTH_LIMIT) -> list[str]:
    """What failed, in words; empty when the run passed."""
    problems = []
    if report["errors"]:
        problems.append(f"{report['errors']} errors, first: {report['first_errors'][:2]}")
    if report["p95_ms"] is None or report["p95_ms"] > p95_limit_ms:
        problems.append(f"p95 {report['p95_ms']} ms is over {p95_limit_ms:.0f} ms")
    growth = report.get("memory_growth") or {}
    for name, figures in {**growth.get("tiers", {}), "whole stack": growth.get("stack", {})}.items():
        if figures and figures["growth"] is not None and abs(figures["growth"]) > growth_limit:
            problems.append(f"memory of {name} went from {figures['first_mb']} MB to "
                            f"{figures['last_mb']} MB ({figures['growth']:+.1%})")
    return problems


def print_report(report: dict[str, Any]) -> None:
    print(f"{report['parents']} parents for {report['seconds']:.0f} s (think time "
          f"~{report['think_s']} s): {report['messages']} messages in {report['conversations']} "
          f"conversations, {report['messages_per_s']} msg/s")
    print(f"errors {report['errors']} | reply p50 {report['p50_ms']} ms, p95 {report['p95_ms']} ms,"
          f" p99 {report['p99_ms']} ms, max {report['max_ms']} ms")
    for minute in report["per_minute"]:
        print(f"  minute {minute['minute']}: {minute['messages']} messages, p95 {minute['p95_ms']} ms")
    growth = report.get("memory_growth")
    if growth:
        for name, f in {**growth["tiers"], "whole stack": growth["stack"]}.items():
            print(f"  memory {name:12} {f['first_mb']:8.1f} MB -> {f['last_mb']:8.1f} MB "
                  f"({f['growth']:+.1%}; mean of the first vs last {growth['window_s']:.0f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--parents", type=int, default=20)
    parser.add_argument("--think", type=float, default=THINK_SECONDS,
                        help="mean seconds a parent takes to read a reply and type the next "
                             "message (0: none, flat out)")
    parser.add_argument("--web-url", help="a running web tier (memory is then not sampled)")
    parser.add_argument("--p95-limit", type=float, default=TARGET_P95_MS)
    args = parser.parse_args(argv)
    if not 0 < args.seconds <= 3600 or not 0 < args.parents <= 200:
        parser.error("keep the load bounded: 0 < --seconds <= 3600, 0 < --parents <= 200")

    stack = None
    pids = None
    if args.web_url:
        web_url = args.web_url.rstrip("/")
    else:
        from tests.stack import Stack

        print("Starting a stack (actions, Rasa, web tier) on free ports ...", file=sys.stderr,
              flush=True)
        stack = Stack(web=True, env=NO_RATE_LIMITS, startup_timeout=600).start()
        web_url = stack.web_url
        pids = {name: proc.pid for name, proc in stack._procs.items()}
    try:
        report = asyncio.run(run_load(web_url, seconds=args.seconds, parents=args.parents,
                                      think=args.think, pids=pids))
    finally:
        if stack is not None:
            stack.stop()
    report["load_average"] = os.getloadavg()[0]
    out = _HERE / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, indent=2) + "\n"
    (out / f"load-{stamp}.json").write_text(text)
    (out / "load-latest.json").write_text(text)
    print_report(report)
    problems = verdict(report, args.p95_limit)
    print("PASS" if not problems else "FAIL: " + "; ".join(problems))
    print(f"Written to bench/results/load-{stamp}.json")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
