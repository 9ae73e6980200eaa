"""Fixtures every part's tests share. Each folder's own conftest adds what only it needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"


@pytest.fixture(scope="session")
def geo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The postcode index: the one setup built (``var/geo.db``), else a quick one of the
    postcodes starting with B (building needs the web environment's packages)."""
    real = Settings().geo_db
    if (ROOT / real).is_file():
        return ROOT / real
    try:
        from directory.geo import build_index

        path = tmp_path_factory.mktemp("geo") / "geo.db"
        build_index(path, letters=["B"], progress=False)
    except ImportError as missing:
        pytest.fail(f"No postcode index at {real} and none can be built here ({missing}): "
                    "run `make setup` first.")
    return path


@pytest.fixture(scope="session")
def geo(geo_db: Path):
    """The postcode index, open."""
    from directory.geo import Geo

    with Geo(geo_db) as opened:
        yield opened
