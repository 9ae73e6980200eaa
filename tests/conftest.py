"""Fixtures the parts' tests share, in one place. A folder's own conftest adds only what is
particular to it (the staff accounts, the browser sites, a running stack).

Tests are grouped by the part of the system they cover, which is also the Python they run in
(``scripts/test.sh``): ``common``, ``directory``, ``safety`` (both), ``bot`` and ``actions``
(Rasa, 3.10), ``web`` with ``web/staff`` and ``web/browser``, ``deploy``, ``project`` and
``system`` (web, 3.11). Web-tier fixtures import aiohttp only when a test asks for them, so this
file loads in both environments.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest

from common.settings import Settings
from directory.db import Directory, open_db
from directory.oruk import import_oruk

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"


# --- the directory ----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def sample_services_pristine() -> list[dict]:
    """The committed sample directory, read once (never change it: use ``sample_services``)."""
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


@pytest.fixture
def sample_services(sample_services_pristine: list[dict]) -> list[dict]:
    """The sample directory as a list of ORUK full service objects (a fresh copy per test)."""
    return json.loads(json.dumps(sample_services_pristine))


@pytest.fixture(scope="session")
def sample_directory_file(tmp_path_factory: pytest.TempPathFactory,
                          sample_services_pristine: list[dict]) -> Path:
    """The sample directory imported once into a template database."""
    path = tmp_path_factory.mktemp("directory") / "directory.db"
    db = open_db(path)
    import_oruk(db, sample_services_pristine)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def directory_db(sample_directory_file: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sample directory for one test."""
    path = tmp_path / "directory.db"
    shutil.copy(sample_directory_file, path)
    return path


@pytest.fixture(scope="session")
def geo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The postcode index: the one setup built (``var/geo.db``), else a quick one of the
    postcodes starting with B (building needs the web environment's packages)."""
    real = ROOT / Settings().geo_db
    if real.is_file():
        return real
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


# --- the action server ------------------------------------------------------------------------

@pytest.fixture
def context(directory_db: Path, tmp_path: Path):
    """What the action server gives every action (``actions.context.ActionContext``), on a copy
    of the sample directory. Town names come from the directory itself; there is no postcode
    index, as the actions' tests need none."""
    from actions.context import ActionContext

    directory = Directory.open(directory_db, tmp_path / "no-geo.db")
    yield ActionContext(directory, Settings(directory_db=directory_db))
    directory.close()


# --- the web tier -----------------------------------------------------------------------------

@pytest.fixture
async def standin_rasa():
    """A stand-in Rasa (and action server health check) listening on a free loopback port."""
    from aiohttp.test_utils import TestServer

    from tests.web.standin_rasa import StandInRasa

    rasa = StandInRasa()
    server = TestServer(rasa.app(), host="127.0.0.1")
    await server.start_server()
    rasa.url = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    yield rasa
    await server.close()


@pytest.fixture
def settings(directory_db: Path, standin_rasa) -> Settings:
    """The web tier's settings for one test: a copy of the sample, the stand-in Rasa."""
    return Settings(directory_db=directory_db,
                    chat_sessions_db=directory_db.with_name("chat_sessions.db"),
                    rasa_url=standin_rasa.url,
                    actions_url=standin_rasa.url, rasa_timeout=2.0,
                    embed_origins=["https://www.example-centre.org.uk"],
                    secure_cookies=False)  # the test server is plain HTTP on loopback


MakeClient = Callable[..., Awaitable[Any]]


@pytest.fixture
def make_client(aiohttp_client: Any, settings: Settings) -> MakeClient:
    """``await make_client(rate_limit_session="3/minute")``: the real app with changed settings."""
    from web.app import create_app

    async def make(**changes: Any):
        return await aiohttp_client(create_app(dataclasses.replace(settings, **changes)))
    return make


@pytest.fixture
async def client(make_client: MakeClient):
    """A test client for the whole web tier (``web.app.create_app``) with ``settings``."""
    return await make_client()
