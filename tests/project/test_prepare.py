"""``scripts/prepare.sh`` (``make run``'s data step) for a council: with its own feeds set, the
Blackburn sample is never mixed into its directory; without, a newcomer gets the sample."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from directory import store
from directory.db import open_db

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not (ROOT / "var" / "geo.db").exists(),
                                reason="needs the postcode index (scripts/prepare.sh)")


def _prepare(db: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")}
    return subprocess.run(["bash", str(ROOT / "scripts" / "prepare.sh")], cwd=ROOT,
                          env={**clean, "SIGNPOST_DIRECTORY_DB": str(db), **env},
                          capture_output=True, text=True, timeout=600)


def test_with_feeds_set_the_directory_holds_no_sample(tmp_path: Path) -> None:
    done = _prepare(tmp_path / "council.db", SIGNPOST_FEED_URLS="http://127.0.0.1:9/oruk")
    assert done.returncode == 0, done.stderr
    assert "sample was not loaded" in done.stdout
    db = open_db(tmp_path / "council.db")
    assert store.service_count(db) == 0
    assert db["taxonomy_term"].count >= 12  # the needs are there for the feed's mappings


def test_without_feeds_the_sample_is_loaded(tmp_path: Path) -> None:
    done = _prepare(tmp_path / "sample.db")
    assert done.returncode == 0, done.stderr
    assert "Loaded the sample directory" in done.stdout
