"""Fixtures for the staff area and ORUK API: the real web app on a temporary sample directory."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from web.app import create_app
from common.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="session")
def sample_services() -> list[dict]:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, sample_services: list[dict]) -> Path:
    """The sample directory with the taxonomy and three accounts, built once per run."""
    from directory import staff_users, store
    from directory.db import open_db
    from directory.oruk import import_oruk

    path = tmp_path_factory.mktemp("staff") / "directory.db"
    db = open_db(path)
    import_oruk(db, sample_services)
    store.sync_taxonomy(db)
    first, second = _two_centres(sample_services)
    staff_users.create_user(db, "ada", PASSWORD, "admin")
    staff_users.create_user(db, "eddie", PASSWORD, "editor", [first])
    staff_users.create_user(db, "olive", PASSWORD, "editor", [second])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def _two_centres(services: list[dict]) -> tuple[str, str]:
    seen: list[str] = []
    for service in services:
        for sal in service.get("service_at_locations") or []:
            if sal["location_id"] not in seen:
                seen.append(sal["location_id"])
    return seen[0], seen[1]


@pytest.fixture(scope="session")
def centres(sample_services: list[dict]) -> tuple[str, str]:
    """Eddie's centre and Olive's centre (location ids)."""
    return _two_centres(sample_services)


@pytest.fixture
def directory_db(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "directory.db"
    shutil.copy(template_db, path)
    return path


@pytest.fixture
def settings(directory_db: Path, geo_db: Path) -> Settings:
    # Rasa is not needed by the staff area; nothing listens on port 9.
    return Settings(directory_db=directory_db, geo_db=geo_db,
                    chat_sessions_db=directory_db.with_name("chat_sessions.db"),
                    rasa_url="http://127.0.0.1:9", actions_url="http://127.0.0.1:9",
                    rasa_timeout=0.5)


@pytest.fixture
async def client(aiohttp_client, settings: Settings):
    return await aiohttp_client(create_app(settings))


@pytest.fixture
def db(directory_db: Path):
    """A second connection to the test's directory (what the bot would read)."""
    from directory.db import open_db

    connection = open_db(directory_db)
    yield connection
    connection.close()


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def sign_in(client, username: str, password: str = PASSWORD, *, expect_ok: bool = True):
    page = await client.get("/staff/sign-in")
    token = csrf_of(await page.text())
    response = await client.post("/staff/sign-in", data={
        "username": username, "password": password, "csrf_token": token, "next": "/staff/"},
        allow_redirects=False)
    if expect_ok:
        assert response.status == 302, await response.text()
    return response


async def page_token(client, path: str = "/staff/") -> str:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return csrf_of(await response.text())
