"""Postcode lookup speed and memory: p50/p95 over 10,000 random real postcodes, warm.

    PYTHONPATH=. .venv/web/bin/python bench/geo.py [--index var/geo.db] [--lookups 10000]

Builds the index first when it is missing (the same build `make run` does). Targets
(issue 2): p95 <= 1 ms per lookup, <= 150 MB resident for the index.
"""

from __future__ import annotations

import argparse
import gc
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

# Run as a script, this folder comes first on sys.path and bench/directory.py would hide the
# ``directory`` package: look from the repository root instead.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from common.settings import Settings  # noqa: E402
from directory.geo import Geo, build_index, resolve_place  # noqa: E402


def rss_mb() -> float:
    """Resident memory of this process, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def sample_postcodes(path: Path, count: int, seed: int) -> list[str]:
    """Real postcodes, typed the way people type them (mixed case and spacing)."""
    # Sampled inside SQLite, so the benchmark never holds all 2.7 million keys in Python and the
    # memory figure below is the index's, not the sample's.
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    chosen = [key for (key,) in conn.execute(
        "SELECT pc FROM postcode ORDER BY random() LIMIT ?", (count,))]
    conn.close()
    rng = random.Random(seed)
    styles = [lambda k: f"{k[:-3]} {k[-3:]}", lambda k: k.lower(),
              lambda k: f" {k[:-3].lower()}  {k[-3:]} "]
    return [rng.choice(styles)(key) for key in chosen]


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000)[int(share * 1000) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026, help="for the typing styles")
    args = parser.parse_args()
    path = args.index or Settings.from_env().geo_db

    if not path.exists():
        report = build_index(path)
        print(f"built the index in {report.seconds:.1f} s")
    meta = Geo(path).meta
    print(f"index: {path} ({path.stat().st_size / 1e6:.0f} MB on disk, "
          f"{int(meta['postcodes']):,} postcodes, {int(meta['outward_codes']):,} outward codes, "
          f"{int(meta.get('places', 0)):,} places)")

    # Measured before sampling, so the figure is an upper bound: it also counts the sample
    # itself and whatever SQLite kept from the sampling query.
    gc.collect()
    before = rss_mb()
    queries = sample_postcodes(path, args.lookups, args.seed)
    geo = Geo(path)
    for query in queries[:1000]:  # warm-up
        geo.postcode(query)
    timings = []
    for query in queries:
        started = time.perf_counter()
        place = geo.postcode(query)
        timings.append((time.perf_counter() - started) * 1000)
        assert place is not None, query
    after = rss_mb()

    resolve_timings = []
    for query in queries[:2000]:
        started = time.perf_counter()
        resolve_place(None, query, geo)
        resolve_timings.append((time.perf_counter() - started) * 1000)

    p50, p95 = percentile(timings, 0.50), percentile(timings, 0.95)
    print(f"Geo.postcode, {len(timings):,} warm lookups: p50 {p50:.4f} ms, p95 {p95:.4f} ms, "
          f"max {max(timings):.3f} ms  (target p95 <= 1 ms: {'met' if p95 <= 1 else 'MISSED'})")
    print(f"resolve_place(postcode), {len(resolve_timings):,} lookups: "
          f"p50 {percentile(resolve_timings, 0.5):.4f} ms, "
          f"p95 {percentile(resolve_timings, 0.95):.4f} ms")
    growth = after - before
    print(f"resident memory: {after:.1f} MB for the process, {growth:.1f} MB of it from "
          f"sampling, opening the index and {len(queries) + 1000:,} lookups  (target <= 150 MB: "
          f"{'met' if growth <= 150 else 'MISSED'})")
    geo.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
