"""How fast, and in how much memory, a council's ORUK feed of 10,000 services syncs.

    PYTHONPATH=. .venv/web/bin/python bench/feed_sync.py [--count 10000] [--compact|--full-list]

Generates ``--count`` services (``bench/generate.py``), serves them with the sync tests' local
ORUK server (``tests/directory/feed_server.py``, pages of 100: the compact list, so every
``/services/{id}`` is read too, or the full list), syncs them into a fresh directory database,
then syncs again (nothing changed). Prints wall time, services/s, peak RSS sampled every
0.1 s, and RSS at 25/50/75/100 % of the first sync's wall time (flat = no growth per service).
The server runs in this process, so its copy of the feed is in the RSS too.
Target: first sync <= 60 s at 10,000 services.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import generate  # noqa: E402
from directory import store  # noqa: E402
from directory.db import open_db  # noqa: E402
from directory.feed_client import FeedLimits  # noqa: E402
from directory.sync import sync_feed  # noqa: E402
from tests.directory.feed_server import FeedServer, FeedShape  # noqa: E402

TARGET_S = 60.0


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """RSS every 0.1 s on a thread, with the time it was read."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.perf_counter()
        while not self._stop.is_set():
            self.samples.append((time.perf_counter() - start, rss_mb()))
            self._stop.wait(0.1)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((self.samples[-1][0] if self.samples else 0.0, rss_mb()))

    def at(self, fraction: float) -> float:
        end = self.samples[-1][0]
        return next((mb for t, mb in self.samples if t >= end * fraction), self.samples[-1][1])


def run(count: int, compact: bool) -> dict:
    services = list(generate(count))
    # A council's feed dates each service over the past year; sync trusts ``modified_after``
    # only after seeing the feed filter by it, which needs dates that differ.
    for n, service in enumerate(services):
        service["last_modified"] = f"2026-{1 + n % 11:02d}-{1 + n % 28:02d}T09:00:00Z"
    limits = FeedLimits(timeout_s=60, per_page=100, max_pages=10_000)
    with tempfile.TemporaryDirectory() as tmp, FeedServer(FeedShape(services, compact=compact)) \
            as url:
        db = open_db(Path(tmp) / "directory.db")
        store.sync_taxonomy(db)
        before = rss_mb()
        with Sampler() as mem:
            started = time.perf_counter()
            first = sync_feed(db, url, limits=limits)
            first_s = time.perf_counter() - started
        started = time.perf_counter()
        second = sync_feed(db, url, limits=limits)
        second_s = time.perf_counter() - started
        changed = services[::100]   # a day's edits: one service in a hundred
        for service in changed:
            service["description"] = (service.get("description") or "") + " Now also on Fridays."
            service["last_modified"] = "2026-12-01T09:00:00Z"
        started = time.perf_counter()
        third = sync_feed(db, url, limits=limits)
        third_s = time.perf_counter() - started
    assert first.ok and second.ok and third.ok, (first.error, second.error, third.error)
    return {"count": count, "compact": compact, "first_s": first_s, "rate": count / first_s,
            "added": first.added, "rejected": len(first.rejected), "start_mb": before,
            "peak_mb": max(mb for _t, mb in mem.samples),
            "quarters": [mem.at(f) for f in (0.25, 0.5, 0.75, 1.0)],
            "second_s": second_s, "second_unchanged": second.unchanged,
            "second_incremental": second.incremental, "third_s": third_s,
            "third_changed": third.changed, "third_incremental": third.incremental,
            "edited": len(changed)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--list", choices=["compact", "full", "both"], default="both")
    args = parser.parse_args(argv)
    shapes = {"compact": [True], "full": [False], "both": [True, False]}[args.list]
    missed = False
    for compact in shapes:
        r = run(args.count, compact)
        kind = "compact list + /services/{id}" if compact else "full list"
        q = " / ".join(f"{mb:.0f}" for mb in r["quarters"])
        print(f"feed sync, {kind}: {r['count']:,} services ({r['added']:,} added, "
              f"{r['rejected']} rejected) in {r['first_s']:.1f} s = {r['rate']:,.0f} services/s")
        print(f"  RSS MB: {r['start_mb']:.0f} before, peak {r['peak_mb']:.0f}; at 25/50/75/100 %: "
              f"{q}")
        print(f"  second sync (nothing changed, incremental={r['second_incremental']}): "
              f"{r['second_s']:.2f} s, {r['second_unchanged']:,} unchanged")
        print(f"  third sync ({r['edited']:,} services edited, incremental={r['third_incremental']}): "
              f"{r['third_s']:.2f} s, {r['third_changed']:,} changed")
        missed |= r["first_s"] > TARGET_S
    print(f"target: first sync <= {TARGET_S:.0f} s at 10,000 services")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
