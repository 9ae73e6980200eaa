"""``kill -9`` each tier in the middle of a conversation: the parent is never left with nothing.

A whole stack (``tests/stack.py``: trained model, action server, Rasa with the SQL tracker store,
web tier; free ports, temporary databases). A parent is part-way through a search when one tier
is killed with SIGKILL — no clean shutdown, as after a crash or the kernel's OOM killer:

- action server or Rasa down: ``POST /api/chat`` still answers 200, with the fallback that lists
  the family hubs' main line and the centres' phone numbers;
- web tier down: the connection is refused at once (no hang, no half answer);
- after the tier is started again, the conversation carries on where it was: "what about
  Saturday" still means stay and play near Darwen, because Rasa kept the slots in its SQL
  tracker store (and, for the web tier, because it kept the issued session ids in its own file).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.stack import DEFAULT_MODEL, Stack

pytestmark = [
    pytest.mark.slow,
    pytest.mark.faults,
    pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="needs a trained model (make train)"),
]

NO_RATE_LIMITS = {"SIGNPOST_RATE_LIMIT_CLIENT": "1000000/minute",
                  "SIGNPOST_RATE_LIMIT_SESSION": "1000000/minute",
                  "SIGNPOST_RATE_LIMIT_NEW_SESSIONS": "1000000/minute"}
PHONE = re.compile(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b")


@pytest.fixture(scope="module")
def running_stack():
    with Stack(web=True, env=NO_RATE_LIMITS, startup_timeout=600) as running:
        yield running


@pytest.fixture
def stack(running_stack: Stack):
    """The shared stack; a tier a failed test left dead is started again for the next test."""
    yield running_stack
    for name in ("actions", "rasa", "web"):
        if not running_stack.is_running(name):
            running_stack.restart(name)


def chat(stack: Stack, text: str, session_id: str | None) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{stack.web_url}/api/chat", method="POST",
        data=json.dumps({"text": text, "session_id": session_id}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return json.loads(response.read())


def services(reply: dict[str, Any]) -> list[dict[str, Any]]:
    found = [m["custom"]["services"] for m in reply["messages"]
             if (m.get("custom") or {}).get("type") == "services"]
    return found[-1] if found else []


def assert_fallback_with_phone_numbers(reply: dict[str, Any]) -> None:
    fallback = [m for m in reply["messages"] if (m.get("custom") or {}).get("type") == "unavailable"]
    assert fallback, f"expected the fallback, got {reply['messages']}"
    text = fallback[0]["text"]
    assert "not working" in text and "01254 666444" in text  # the family hubs' main line
    centre_phones = [c["phone"] for c in fallback[0]["custom"]["centres"] if c["phone"]]
    assert centre_phones and all(phone in text for phone in centre_phones)
    assert len(PHONE.findall(text)) >= 1 + len(centre_phones)


def start_search(stack: Stack) -> str:
    """A parent asks for stay and play in Darwen and gets sessions: the state to keep."""
    reply = chat(stack, "stay and play in darwen", None)
    found = services(reply)
    assert found and all("stay_and_play" in s["taxonomy_terms"] for s in found), reply
    return reply["session_id"]


def assert_carries_on(stack: Stack, session_id: str) -> None:
    """'What about Saturday' only makes sense if the bot still knows the need and the place."""
    reply = chat(stack, "what about saturday", session_id)
    assert reply["session_id"] == session_id
    found = services(reply)
    assert found, reply["messages"]
    assert all("stay_and_play" in s["taxonomy_terms"] for s in found)
    assert all("Saturday" in s["schedule_text"] for s in found)
    assert all((s["distance_km"] or 0) < 15 for s in found)  # still near Darwen


def test_action_server_killed_mid_conversation_gives_phone_numbers_then_carries_on(stack) -> None:
    session_id = start_search(stack)
    stack.kill("actions")
    reply = chat(stack, "what about saturday", session_id)
    assert_fallback_with_phone_numbers(reply)
    stack.restart("actions")
    assert_carries_on(stack, session_id)


def test_rasa_killed_mid_conversation_gives_phone_numbers_then_carries_on(stack) -> None:
    session_id = start_search(stack)
    stack.kill("rasa")
    started = time.monotonic()
    reply = chat(stack, "what about saturday", session_id)
    assert time.monotonic() - started < 5, "the fallback should not wait for a dead server"
    assert_fallback_with_phone_numbers(reply)
    health = json.loads(urllib.request.urlopen(f"{stack.web_url}/healthz", timeout=10).read())
    assert health["status"] == "degraded" and health["tiers"]["rasa"] != "ok"
    stack.restart("rasa")
    assert_carries_on(stack, session_id)


def test_web_tier_killed_refuses_cleanly_and_answers_again_after_restart(stack) -> None:
    session_id = start_search(stack)
    stack.kill("web")
    started = time.monotonic()
    with pytest.raises(urllib.error.URLError) as refused:
        chat(stack, "what about saturday", session_id)
    assert isinstance(refused.value.reason, ConnectionRefusedError)
    assert time.monotonic() - started < 2
    stack.restart("web")
    reply = chat(stack, "stay and play in darwen", None)
    assert services(reply)
    # The conversation itself outlived the web tier: Rasa's tracker still has the slots.
    direct = stack.say(session_id, "what about saturday")
    found = [m["custom"]["services"] for m in direct
             if (m.get("custom") or {}).get("type") == "services"]
    assert found and all("Saturday" in s["schedule_text"] and "stay_and_play" in s["taxonomy_terms"]
                         for s in found[-1])


def test_web_tier_restart_keeps_the_parents_conversation_through_the_chat_api(stack) -> None:
    """The browser's session id is still accepted: the web tier keeps issued ids in its own
    SQLite file (``SIGNPOST_CHAT_SESSIONS_DB``), not only in memory."""
    session_id = start_search(stack)
    stack.kill("web")
    stack.restart("web")
    assert_carries_on(stack, session_id)
