"""Shared fixtures for the directory tests: the real taxonomy and the committed sample directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from directory.taxonomy import Taxonomy, load_taxonomy

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "directory" / "sample" / "sample_directory.json"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The project's ``directory/taxonomy.yml``, loaded and checked."""
    return load_taxonomy()


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """Where the committed sample directory lives."""
    return SAMPLE_PATH


@pytest.fixture(scope="session")
def _sample_services_pristine() -> list[dict]:
    return json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def sample_services(_sample_services_pristine: list[dict]) -> list[dict]:
    """The sample directory as a list of ORUK full service objects (a fresh copy per test)."""
    return json.loads(json.dumps(_sample_services_pristine))
