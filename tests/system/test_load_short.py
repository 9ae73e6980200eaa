"""A short version of ``bench/load.py`` as a test: 20 parents for 60 s through ``/api/chat``,
each taking a few seconds to read a reply and type the next message, as in the full run.

The full run is five minutes (``bench/load.py``, figures in docs/operations.md). This one must
pass on a shared CI machine, so the p95 limit is twice the target (150 ms x 2); errors must
still be 0 and no tier's memory may grow by 10 % or more from the first 20 s to the last 20 s.
``SIGNPOST_LOAD_SECONDS`` changes the length.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from bench.load import (NO_RATE_LIMITS, TARGET_P95_MS, THINK_SECONDS, print_report, run_load,
                        verdict)
from tests.stack import DEFAULT_MODEL, Stack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.faults,
    pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="needs a trained model (make train)"),
]


def test_twenty_parents_for_a_minute_get_every_answer_fast_with_flat_memory() -> None:
    seconds = float(os.environ.get("SIGNPOST_LOAD_SECONDS", "60"))
    with Stack(web=True, env=NO_RATE_LIMITS, startup_timeout=600) as stack:
        pids = {name: proc.pid for name, proc in stack._procs.items()}
        report = asyncio.run(run_load(stack.web_url, seconds=seconds, parents=20, pids=pids))
    print_report(report)
    # Each parent sends at least one message per (think time + a slow reply): the load was real.
    assert report["messages"] >= 20 * seconds / (2 * THINK_SECONDS), "the load was not applied"
    assert len(report["memory_samples"]) >= seconds // 10
    assert verdict(report, p95_limit_ms=2 * TARGET_P95_MS) == []
