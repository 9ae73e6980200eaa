"""Fixtures for the web tier: the real app against a temporary directory and a stand-in Rasa."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
from aiohttp.test_utils import TestClient, TestServer

from web.app import create_app
from common.settings import Settings
from tests.web.standin_rasa import StandInRasa

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"


@pytest.fixture(scope="session")
def sample_directory_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample directory imported once into a template database."""
    from directory.db import open_db
    from directory.oruk import import_oruk

    path = tmp_path_factory.mktemp("directory") / "directory.db"
    db = open_db(path)
    import_oruk(db, json.loads(SAMPLE.read_text(encoding="utf-8")))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def directory_db(sample_directory_file: Path, tmp_path: Path) -> Path:
    """A fresh copy of the sample directory for one test."""
    path = tmp_path / "directory.db"
    shutil.copy(sample_directory_file, path)
    return path


@pytest.fixture
async def standin_rasa() -> StandInRasa:
    """A stand-in Rasa (and action server health check) listening on a free loopback port."""
    rasa = StandInRasa()
    server = TestServer(rasa.app(), host="127.0.0.1")
    await server.start_server()
    rasa.url = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    yield rasa
    await server.close()


@pytest.fixture
def settings(directory_db: Path, standin_rasa: StandInRasa) -> Settings:
    return Settings(directory_db=directory_db,
                    chat_sessions_db=directory_db.with_name("chat_sessions.db"),
                    rasa_url=standin_rasa.url,
                    actions_url=standin_rasa.url, rasa_timeout=2.0,
                    embed_origins=["https://www.example-centre.org.uk"])


MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture
def make_client(aiohttp_client: Any, settings: Settings) -> MakeClient:
    """``await make_client(rate_limit_session="3/minute")``: the real app with changed settings."""
    async def make(**changes: Any) -> TestClient:
        return await aiohttp_client(create_app(dataclasses.replace(settings, **changes)))
    return make


@pytest.fixture
async def client(make_client: MakeClient) -> TestClient:
    return await make_client()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
