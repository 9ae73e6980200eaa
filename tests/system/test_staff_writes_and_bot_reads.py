"""Staff edit the directory while the bot searches it: no lost write, no "database is locked".

Two writer processes (two staff members, different services) save services in a loop with
``directory.store.save_service`` — loading the current version first, exactly as the staff
editor does. Meanwhile three reader processes and three threads in this process run the bot's
searches (``directory.search``) and read services back. All of it on one SQLite file opened by
``directory.db.open_db`` (WAL, 10 s busy timeout). Every edit carries a unique word, so the
readers can prove they saw edits land while the writers were still going.
"""

from __future__ import annotations

import multiprocessing as mp
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from directory.db import open_db
from directory.search import SearchQuery, search
from directory.store import get_service, list_service_ids, save_service
from tests.stack import seed_directory

pytestmark = pytest.mark.faults

SAVES_PER_WRITER = 150
READER_PROCESSES = 3
READER_THREADS = 3


def _edit_marker(writer: int, n: int) -> str:
    return f"zqedit{writer}x{n}"


def writer(path: str, writer_no: int, service_ids: list[str], out: Any) -> None:
    """One member of staff: load, change the description, save — again and again."""
    db = open_db(path)
    saved: list[tuple[str, int, int]] = []
    errors: list[str] = []
    for n in range(SAVES_PER_WRITER):
        sid = service_ids[n % len(service_ids)]
        try:
            service = get_service(db, sid)
            version = service.pop("version")
            service["description"] = f"Updated by staff ({_edit_marker(writer_no, n)})."
            new_version = save_service(db, service, expected_version=version)
            saved.append((sid, n, new_version))
        except Exception as error:  # noqa: BLE001 - every failure is a finding to report
            errors.append(f"writer {writer_no} save {n}: {type(error).__name__}: {error}")
    db.close()
    out.put(("writer", writer_no, saved, errors))


QUERIES = [
    SearchQuery(terms=["stay_and_play"], limit=3),
    SearchQuery(terms=["father_friendly"], days=["SA"], limit=3),
    SearchQuery(text="zqedit0x*", limit=5),
    SearchQuery(text="baby clinic", limit=3),
    SearchQuery(terms=["health_visiting", "infant_feeding"], age_months=6, limit=5),
    SearchQuery(terms=["parenting_courses"], time_of_day="evening", free=True, limit=3),
]


def read_loop(path: str, stop: Any, service_ids: list[str], seed: int) -> dict[str, Any]:
    """The bot: search and read services until told to stop."""
    rng = random.Random(seed)
    db = open_db(path)
    searches, reads, edits_seen, errors = 0, 0, 0, []
    while not stop.is_set():
        try:
            for result in search(db, rng.choice(QUERIES)):
                edits_seen += "zqedit" in (result.get("description") or "")
            searches += 1
            service = get_service(db, rng.choice(service_ids))
            assert service is not None
            reads += 1
        except Exception as error:  # noqa: BLE001
            errors.append(f"{type(error).__name__}: {error}")
    db.close()
    return {"searches": searches, "reads": reads, "edits_seen": edits_seen, "errors": errors}


def reader(path: str, stop: Any, service_ids: list[str], seed: int, out: Any) -> None:
    out.put(("reader", seed, read_loop(path, stop, service_ids, seed), None))


def test_staff_saves_while_the_bot_searches_lose_nothing_and_nobody_sees_locked(tmp_path: Path) -> None:
    path = tmp_path / "directory.db"
    seed_directory(path)
    db = open_db(path)
    ids = list_service_ids(db)
    before = {sid: get_service(db, sid)["version"] for sid in ids}
    db.close()
    halves = [ids[0::2][:8], ids[1::2][:8]]

    ctx = mp.get_context("spawn")
    out, stop = ctx.Queue(), ctx.Event()
    readers = [ctx.Process(target=reader, args=(str(path), stop, ids, seed, out))
               for seed in range(READER_PROCESSES)]
    writers = [ctx.Process(target=writer, args=(str(path), n, halves[n], out)) for n in (0, 1)]
    thread_results: list[dict[str, Any]] = []
    thread_stop = threading.Event()
    threads = [threading.Thread(target=lambda s=s: thread_results.append(
        read_loop(str(path), thread_stop, ids, 100 + s))) for s in range(READER_THREADS)]
    for proc in readers + threads:
        proc.start()
    time.sleep(1.0)  # the readers are busy before the first save
    for proc in writers:
        proc.start()

    results: list[tuple] = [out.get(timeout=240) for _ in writers]
    stop.set()
    thread_stop.set()
    results += [out.get(timeout=60) for _ in readers]
    for proc in readers + writers:
        proc.join(timeout=30)
    for thread in threads:
        thread.join(timeout=30)

    writer_results = [r for r in results if r[0] == "writer"]
    reader_stats = [r[2] for r in results if r[0] == "reader"] + thread_results
    errors = [e for r in writer_results for e in r[3]] + [e for s in reader_stats for e in s["errors"]]
    assert errors == [], errors[:5]
    assert not any("locked" in e for e in errors)

    # Every save landed: each service's version went up once per save, and its text is the last edit.
    db = open_db(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        for _, writer_no, saved, _ in writer_results:
            assert len(saved) == SAVES_PER_WRITER
            last: dict[str, int] = {}
            for sid, n, version in saved:
                last[sid] = n
            for sid, n in last.items():
                service = get_service(db, sid)
                assert service["description"] == f"Updated by staff ({_edit_marker(writer_no, n)})."
                saves = sum(1 for s, _, _ in saved if s == sid)
                assert service["version"] == before[sid] + saves
            # The last edit is findable by the bot's full-text search too (the index kept up).
            sid, n = next(iter(last.items()))
            found = search(db, SearchQuery(text=_edit_marker(writer_no, last[sid]), limit=3))
            assert [r["id"] for r in found] == [sid]
    finally:
        db.close()

    # The reads really overlapped the writes.
    assert sum(s["searches"] for s in reader_stats) > 100
    assert sum(s["edits_seen"] for s in reader_stats) > 0
