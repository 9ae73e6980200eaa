"""What the web tier adds to a chat reply: p95 through ``/api/chat`` divided by p95 straight to
Rasa's REST channel, measured in one run on one stack, at 1 and 20 concurrent conversations.

    PYTHONPATH=. .venv/web/bin/python bench/web.py [--conversations 1 20] [--min-requests 140]
    PYTHONPATH=. .venv/web/bin/python bench/web.py --web-url http://127.0.0.1:8080 \\
        --rasa-url http://127.0.0.1:5005     # against a stack that is already running

Without URLs it starts a whole stack (``tests/stack.py``: actions, Rasa, web tier on free ports,
temporary databases; needs a trained model). Both paths get the same scripted conversations,
in alternating rounds, so they share the machine's conditions. Target (issue 4): ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import aiohttp  # noqa: E402

#: One conversation: what a parent might type, in order (searches, refinements, small talk).
SCRIPT = (
    "hi",
    "is there a stay and play near Darwen",
    "my daughter is 2",
    "what about on a Saturday",
    "/more_results",
    "anything for dads in Blackburn",
    "thanks",
)


async def read_and_type(think: float) -> None:
    """A parent reading the reply and typing the next message: ``think`` seconds, give or take
    half (0 sends at once, which measures throughput rather than what a parent waits)."""
    if think > 0:
        await asyncio.sleep(think * random.uniform(0.5, 1.5))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


async def conversation_via_web(http: aiohttp.ClientSession, web_url: str, times: list[float],
                               think: float = 0.0) -> None:
    session_id = None
    for turn, text in enumerate(SCRIPT):
        if turn:
            await read_and_type(think)
        started = time.perf_counter()
        async with http.post(f"{web_url}/api/chat",
                             json={"text": text, "session_id": session_id}) as response:
            body = await response.json()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"/api/chat answered {response.status}: {body}")
        if body["messages"] and (body["messages"][0]["custom"] or {}).get("type") == "unavailable":
            raise RuntimeError("The web tier gave the 'chat is not working' reply: Rasa was too "
                               "slow or down, so this run measures nothing useful.")
        session_id = body["session_id"]


async def conversation_direct(http: aiohttp.ClientSession, rasa_url: str, times: list[float],
                              think: float = 0.0) -> None:
    sender = "bench-" + secrets.token_urlsafe(12)
    for turn, text in enumerate(SCRIPT):
        if turn:
            await read_and_type(think)
        started = time.perf_counter()
        async with http.post(f"{rasa_url}/webhooks/rest/webhook",
                             json={"sender": sender, "message": text}) as response:
            await response.json()
        times.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"Rasa answered {response.status}")


def rounds_for(level: int, min_requests: int) -> int:
    """Enough rounds for ``min_requests`` timed requests per path, and at least two (alternating)."""
    return max(2, math.ceil(min_requests / (level * len(SCRIPT))))


async def measure(web_url: str, rasa_url: str, levels: list[int], min_requests: int) -> dict:
    results = {}
    connector = aiohttp.TCPConnector(limit=200)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        # Warm both paths (model caches, connections) before timing anything.
        await conversation_direct(http, rasa_url, [])
        await conversation_via_web(http, web_url, [])
        for level in levels:
            web_times: list[float] = []
            direct_times: list[float] = []
            for _ in range(rounds_for(level, min_requests)):
                await asyncio.gather(*[conversation_direct(http, rasa_url, direct_times)
                                       for _ in range(level)])
                await asyncio.gather(*[conversation_via_web(http, web_url, web_times)
                                       for _ in range(level)])
            results[level] = {
                "requests_each": len(web_times),
                "web_p50_ms": round(statistics.median(web_times) * 1000, 1),
                "web_p95_ms": round(p95(web_times) * 1000, 1),
                "rasa_p50_ms": round(statistics.median(direct_times) * 1000, 1),
                "rasa_p95_ms": round(p95(direct_times) * 1000, 1),
                "ratio_p95": round(p95(web_times) / p95(direct_times), 3),
            }
            row = results[level]
            print(f"{level:>3} conversation(s): via /api/chat p95 {row['web_p95_ms']:8.1f} ms "
                  f"(p50 {row['web_p50_ms']:.1f}) | straight to Rasa p95 {row['rasa_p95_ms']:8.1f} ms "
                  f"(p50 {row['rasa_p50_ms']:.1f}) | ratio {row['ratio_p95']:.3f} "
                  f"{'OK' if row['ratio_p95'] <= 1.2 else 'OVER the 1.2 target'} "
                  f"({row['requests_each']} requests each)", flush=True)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--web-url")
    parser.add_argument("--rasa-url")
    parser.add_argument("--conversations", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--min-requests", type=int, default=140,
                        help="timed requests per path and level, at least (default 140)")
    parser.add_argument("--out", default=str(_HERE / "results" / "web.json"))
    args = parser.parse_args(argv)

    stack = None
    if not (args.web_url and args.rasa_url):
        from tests.stack import Stack

        print("Starting a stack (actions, Rasa, web tier) on free ports ...", flush=True)
        stack = Stack(web=True, env={"SIGNPOST_RATE_LIMIT_CLIENT": "1000000/minute",
                                     "SIGNPOST_RATE_LIMIT_SESSION": "1000000/minute",
                                     "SIGNPOST_RATE_LIMIT_NEW_SESSIONS": "1000000/minute",
                                     # Measure the hop, not the fallback: never give up on Rasa.
                                     "SIGNPOST_RASA_TIMEOUT": "600"},
                      startup_timeout=900).start()
        args.web_url, args.rasa_url = stack.web_url, stack.rasa_url
    try:
        results = asyncio.run(measure(args.web_url.rstrip("/"), args.rasa_url.rstrip("/"),
                                      args.conversations, args.min_requests))
    finally:
        if stack is not None:
            stack.stop()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"script": SCRIPT, "levels": results}, indent=2) + "\n")
    print(f"Written to {out}")
    return 0 if all(row["ratio_p95"] <= 1.2 for row in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
