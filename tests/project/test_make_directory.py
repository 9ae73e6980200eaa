"""``make directory ARGS="sync URL"`` as a council runs it from a fresh clone's path: the
Makefile sets up what it needs and the sync prints its summary into the directory named by
SIGNPOST_DIRECTORY_DB."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from directory import store
from directory.db import open_db
from tests.directory.feed_server import FeedServer, FeedShape
from tests.directory.test_feed_sync import council_services

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None or not (ROOT / ".venv" / "web").exists(),
                                reason="needs make and .venv/web (scripts/setup.sh web)")


def test_make_directory_sync_fills_the_directory_and_prints_the_summary(tmp_path: Path) -> None:
    db = tmp_path / "council.db"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")}
    with FeedServer(FeedShape(council_services(categories=False))) as url:
        done = subprocess.run(["make", "--no-print-directory", "directory", f"ARGS=sync {url}"],
                              cwd=ROOT, env={**clean, "SIGNPOST_DIRECTORY_DB": str(db)},
                              capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "90 added, 0 changed, 0 unchanged, 0 withdrawn, 0 rejected" in done.stdout
    assert store.service_count(open_db(db)) == 90
