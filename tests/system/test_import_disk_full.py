"""The disk fills up in the middle of an import: nothing partial is left, the file stays sound.

Two honest ways to run out of space at the file level, each in a child process so the test
runner itself is never starved:

- ``tmpfs``: the directory database lives on a tiny tmpfs mounted just for this test (needs
  root; skipped, with the reason, where mounting is not allowed). ``write()`` fails with ENOSPC,
  exactly as on a full disk.
- ``rlimit``: ``RLIMIT_FSIZE`` caps how large the importing process may grow any file (with
  SIGXFSZ ignored, ``write()`` fails with EFBIG). Works without root.

In both, the import is big enough that SQLite has already written many rows (counted with a
trace callback) before a write fails. Afterwards: the import raised SQLite's error ("database
or disk is full" on tmpfs, "disk I/O error" for EFBIG), the directory is exactly what it was, ``PRAGMA integrity_check`` is ok, and once there
is room again the same import succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.directory.test_oruk_import_fuzz import fingerprint
from tests.stack import seed_directory

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
SERVICES = 3000

CHILD = r"""
import json, os, resource, signal, sqlite3, sys
sys.path.insert(0, sys.argv[1])
from bench.generate import generate
from directory.db import open_db
from directory.oruk import import_oruk

path, limit, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
services = list(generate(count, 7))
db = open_db(path)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
inserts = 0
def trace(sql):
    global inserts
    inserts += sql.lstrip().upper().startswith("INSERT")
db.conn.set_trace_callback(trace)
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write() instead of a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    import_oruk(db, services)
    outcome = "imported"
except Exception as error:
    outcome = f"{type(error).__name__}: {error}"
print(json.dumps({"outcome": outcome, "inserts_before_failure": inserts}))
"""


def run_import(db: Path, fsize_limit: int = 0, count: int = SERVICES) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), str(db), str(fsize_limit),
                           str(count)], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepared_directory(folder: Path) -> tuple[Path, str, int]:
    path = folder / "directory.db"
    seed_directory(path)
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    count = conn.execute("SELECT count(*) FROM service").fetchone()[0]
    conn.close()
    return path, fingerprint(path), count


def assert_untouched(path: Path, before: str, services: int) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM service").fetchone()[0] == services
    finally:
        conn.close()
    assert fingerprint(path) == before, "the failed import left part of itself behind"


@pytest.fixture
def tiny_tmpfs(tmp_path: Path):
    """A 3 MB tmpfs: room for the sample directory, not for 3,000 more services."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root; the RLIMIT_FSIZE test covers this case")
    tried = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", f"tmpfs-{uuid.uuid4().hex[:8]}",
                            str(mount)], capture_output=True, text=True)
    if tried.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({tried.stderr.strip()}); "
                    "the RLIMIT_FSIZE test covers this case")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_mid_import_changes_nothing_and_the_file_stays_sound(tiny_tmpfs: Path) -> None:
    path, before, services = prepared_directory(tiny_tmpfs)
    result = run_import(path)
    assert "database or disk is full" in result["outcome"], result
    assert result["inserts_before_failure"] > 100, "the disk filled before the import began"
    assert_untouched(path, before, services)
    # Room again (a smaller import fits): the directory takes new data as normal.
    assert run_import(path, count=50)["outcome"] == "imported"


def test_a_file_size_limit_mid_import_changes_nothing_and_the_file_stays_sound(tmp_path: Path) -> None:
    path, before, services = prepared_directory(tmp_path)
    # Room for what is there now plus about 1 MB of write-ahead log: far less than 3,000 services.
    limit = path.stat().st_size + 1024 * 1024
    result = run_import(path, fsize_limit=limit)
    # EFBIG reaches SQLite as a failed write: SQLITE_IOERR ("disk I/O error"), not SQLITE_FULL.
    assert result["outcome"].startswith("OperationalError: disk I/O error"), result
    assert result["inserts_before_failure"] > 100, "the limit hit before the import began"
    assert_untouched(path, before, services)
    assert run_import(path)["outcome"] == "imported"
