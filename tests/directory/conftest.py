"""The directory library's own fixtures; the sample directory and the postcode index come from
``tests/conftest.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.taxonomy import Taxonomy, load_taxonomy


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    """The project's ``directory/taxonomy.yml``, loaded and checked."""
    return load_taxonomy()


@pytest.fixture(scope="session")
def sample_path() -> Path:
    """Where the committed sample directory lives."""
    return Path(__file__).resolve().parents[2] / "directory" / "sample" / "sample_directory.json"
