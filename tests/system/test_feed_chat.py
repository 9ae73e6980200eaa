"""A council's feed, start to finish: ``SIGNPOST_FEED_URLS`` set, the directory empty (as
``make run`` leaves it for a council), and parents chat to the council's own services.

The feed is Wakefield's directory with no Signpost need terms at all, served as an ORUK 3.0 API
by the tests' local server; the stack is the real one (action server, Rasa, web tier)."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from directory.db import open_db
from tests.directory.feed_server import FeedServer, FeedShape
from tests.stack import DEFAULT_MODEL, ROOT, Stack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1500),
    pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="needs a trained model (make train)"),
]

COUNCIL = ROOT / "tests" / "conversations" / "directories" / "second_directory_no_terms.json"
SAMPLE = ROOT / "directory" / "sample" / "sample_directory.json"
NO_RATE_LIMITS = {"SIGNPOST_RATE_LIMIT_CLIENT": "1000000/minute",
                  "SIGNPOST_RATE_LIMIT_SESSION": "1000000/minute",
                  "SIGNPOST_RATE_LIMIT_NEW_SESSIONS": "1000000/minute"}


def _names(path: Path) -> set[str]:
    return {s["name"] for s in json.loads(path.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def council_stack(tmp_path_factory: pytest.TempPathFactory):
    empty = tmp_path_factory.mktemp("council") / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    services = json.loads(COUNCIL.read_text(encoding="utf-8"))
    with FeedServer(FeedShape(services, compact=True, per_page=20)) as url:
        env = {**NO_RATE_LIMITS, "SIGNPOST_FEED_URLS": url}
        with Stack(web=True, env=env, directory_file=empty, startup_timeout=600) as stack:
            _wait_for_the_first_sync(stack, len(services))
            yield stack


def _wait_for_the_first_sync(stack: Stack, expected: int, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db = open_db(stack.directory_db)
        try:
            if db["feed"].exists() and db.execute(
                    "SELECT count(*) FROM feed WHERE last_result = 'ok'").fetchone()[0]:
                assert db["service"].count == expected
                return
        finally:
            db.conn.close()
        time.sleep(1)
    raise AssertionError(f"the feed was not synced within {timeout} s:\n" + stack.log_tail("web"))


def _chat(stack: Stack, text: str, session_id: str | None = None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{stack.web_url}/api/chat", method="POST",
        data=json.dumps({"text": text, "session_id": session_id}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def _shown(reply: dict[str, Any]) -> list[str]:
    found = [m["custom"]["services"] for m in reply["messages"]
             if (m.get("custom") or {}).get("type") == "services"]
    return [s["name"] for s in found[-1]] if found else []


def test_a_parent_chats_to_the_councils_own_services(council_stack: Stack) -> None:
    shown = _shown(_chat(council_stack, "speech therapist for toddler Wakefield, hes 2 and a "
                                        "half and only babbles"))
    assert shown and set(shown) <= _names(COUNCIL)
    assert "Talking Tots" in shown  # the council's speech group, found with no need term on it


def test_a_conversation_over_the_feed_carries_on(council_stack: Stack) -> None:
    first = _chat(council_stack, "any baby groups?")
    reply = _chat(council_stack, "Wakefield", first["session_id"])
    assert _shown(reply) and set(_shown(reply)) <= _names(COUNCIL)


def test_the_plain_search_page_lists_the_feed_and_never_the_sample(council_stack: Stack) -> None:
    query = urllib.parse.urlencode({"near": "Wakefield", "text": "speech"})
    with urllib.request.urlopen(f"{council_stack.web_url}/search?{query}", timeout=60) as page:
        html = page.read().decode()
    assert "Talking Tots" in html
    db = open_db(council_stack.directory_db)
    try:
        stored = {row[0] for row in db.execute("SELECT name FROM service")}
    finally:
        db.conn.close()
    assert stored == _names(COUNCIL) and not stored & (_names(SAMPLE) - _names(COUNCIL))
