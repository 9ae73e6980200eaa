"""The staff area and ORUK API: the sample directory with the taxonomy and three accounts (an
admin, and an editor at each of two centres), behind the real web app. Everything else comes
from ``tests/conftest.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.settings import Settings
from directory import staff_users, store
from directory.db import open_db
from tests.web.staff.helpers import PASSWORD


def _two_centres(services: list[dict]) -> tuple[str, str]:
    seen: list[str] = []
    for service in services:
        for sal in service.get("service_at_locations") or []:
            if sal["location_id"] not in seen:
                seen.append(sal["location_id"])
    return seen[0], seen[1]


@pytest.fixture(scope="session")
def centres(sample_services_pristine: list[dict]) -> tuple[str, str]:
    """Eddie's centre and Olive's centre (location ids)."""
    return _two_centres(sample_services_pristine)


@pytest.fixture(scope="session")
def staff_template_db(sample_directory_file: Path, tmp_path_factory: pytest.TempPathFactory,
                      centres: tuple[str, str]) -> Path:
    """The sample directory with the taxonomy and the accounts, built once per run."""
    path = tmp_path_factory.mktemp("staff") / "directory.db"
    shutil.copy(sample_directory_file, path)
    db = open_db(path)
    store.sync_taxonomy(db)
    first, second = centres
    staff_users.create_user(db, "ada", PASSWORD, "admin")
    staff_users.create_user(db, "eddie", PASSWORD, "editor", [first])
    staff_users.create_user(db, "olive", PASSWORD, "editor", [second])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def directory_db(staff_template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "directory.db"
    shutil.copy(staff_template_db, path)
    return path


@pytest.fixture
def settings(directory_db: Path, geo_db: Path) -> Settings:
    # Rasa is not needed by the staff area; nothing listens on port 9.
    return Settings(directory_db=directory_db, geo_db=geo_db,
                    chat_sessions_db=directory_db.with_name("chat_sessions.db"),
                    rasa_url="http://127.0.0.1:9", actions_url="http://127.0.0.1:9",
                    rasa_timeout=0.5, secure_cookies=False)  # plain HTTP on loopback


@pytest.fixture
def db(directory_db: Path):
    """A second connection to the test's directory (what the bot would read)."""
    connection = open_db(directory_db)
    yield connection
    connection.close()
