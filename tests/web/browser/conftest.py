"""Browser tests: Debian's Chromium (never a downloaded browser) driven by Playwright.

The web tier runs as a real process (``python -m web``) on a free port with a temporary copy
of the sample directory. Behind it: the real Rasa stack from ``tests/stack.py`` when a trained
model is there, else the stand-in Rasa from ``tests/web/standin_rasa.py`` (tests that only need
the page, such as the no-JavaScript search, always use the stand-in: it is quicker).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from tests.stack import free_port, seed_directory
from tests.web.browsing import wait_for

ROOT = Path(__file__).resolve().parents[3]
EXIT_URL = "https://www.bbc.co.uk/weather"


def _seeded(path: Path) -> Path:
    seed_directory(path)
    return path


@dataclass
class WebTier:
    """A running web tier: ``url`` is its base address."""

    url: str
    processes: list[subprocess.Popen] = field(default_factory=list)
    embed_origins: str = ""

    def stop(self) -> None:
        for proc in reversed(self.processes):
            proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_web_tier(tmp: Path, rasa_port: int, actions_port: int, *, extra_env=None) -> WebTier:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGNPOST_PORT": str(port),
           "SIGNPOST_HOST": "127.0.0.1", "SIGNPOST_SECURE_COOKIES": "0",
           "SIGNPOST_DIRECTORY_DB": str(_seeded(tmp / "directory.db")),
           "SIGNPOST_CHAT_SESSIONS_DB": str(tmp / "chat_sessions.db"),
           "SIGNPOST_RASA_PORT": str(rasa_port), "SIGNPOST_ACTIONS_PORT": str(actions_port),
           "SIGNPOST_RATE_LIMIT_CLIENT": "600/minute", **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "web"], cwd=ROOT, env=env)
    tier = WebTier(url=f"http://127.0.0.1:{port}", processes=[proc],
                   embed_origins=env.get("SIGNPOST_EMBED_ORIGINS", ""))
    try:
        wait_for(f"{tier.url}/healthz", proc=proc)
    except Exception:
        tier.stop()
        raise
    return tier


@pytest.fixture(scope="session")
def standin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebTier]:
    """The web tier in front of the stand-in Rasa."""
    tmp = tmp_path_factory.mktemp("standin-site")
    rasa_port = free_port()
    rasa = subprocess.Popen([sys.executable, "-m", "tests.web.standin_rasa", str(rasa_port)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(f"http://127.0.0.1:{rasa_port}/", proc=rasa)
        # A centre website on another origin (localhost, not 127.0.0.1) may embed the widget.
        embed = f"http://localhost:{free_port()}"
        tier = start_web_tier(tmp, rasa_port, rasa_port,
                              extra_env={"SIGNPOST_EMBED_ORIGINS": embed})
    except Exception:
        rasa.terminate()
        raise
    tier.processes.insert(0, rasa)
    yield tier
    tier.stop()


@pytest.fixture(scope="session")
def chat_site(request: pytest.FixtureRequest) -> Iterator[WebTier]:
    """The site the chat tests use: the whole real stack when a model is trained."""
    from tests.stack import DEFAULT_MODEL, Stack

    if os.environ.get("SIGNPOST_TEST_SITE"):  # a stack you started yourself (python tests/stack.py --web)
        yield WebTier(url=os.environ["SIGNPOST_TEST_SITE"].rstrip("/"))
        return
    model = Path(os.environ.get("SIGNPOST_MODEL") or DEFAULT_MODEL)
    if not model.exists():
        if os.environ.get("SIGNPOST_REQUIRE_REAL_STACK"):
            pytest.fail(f"No trained model at {model}: run `make train`")
        yield request.getfixturevalue("standin_site")
        return
    stack = Stack(model=model, web=True, env={"SIGNPOST_RATE_LIMIT_CLIENT": "600/minute"},
                  startup_timeout=600)
    stack.start()
    try:
        yield WebTier(url=stack.web_url)
    finally:
        stack.stop()


@dataclass
class Visit:
    """A browser tab on our site that records every request to anywhere else."""

    page: object
    context: object
    base: str
    elsewhere: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)


def open_visit(browser, base: str, *, width: int = 1280, height: int = 900,
               javascript: bool = True, reduced_motion: str = "no-preference") -> Visit:
    context = browser.new_context(viewport={"width": width, "height": height},
                                  java_script_enabled=javascript, reduced_motion=reduced_motion)
    page = context.new_page()
    visit = Visit(page=page, context=context, base=base)

    def route(route, request):
        url = request.url
        if url.startswith(base + "/") or url == base:
            route.continue_()
        elif url.startswith(EXIT_URL) and request.is_navigation_request():
            visit.exits.append(url)  # the exit button: a navigation the parent chose
            route.fulfill(status=200, content_type="text/html",
                          body="<title>Weather</title><p>BBC Weather stand-in</p>")
        else:
            visit.elsewhere.append(url)
            route.abort()

    context.route("**/*", route)
    return visit


@pytest.fixture
def visit_factory(browser):
    visits: list[Visit] = []

    def make(base: str, **kwargs) -> Visit:
        visit = open_visit(browser, base, **kwargs)
        visits.append(visit)
        return visit

    yield make
    for visit in visits:
        visit.context.close()
