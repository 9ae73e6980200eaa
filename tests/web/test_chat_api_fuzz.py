"""``POST /api/chat`` under hostile input: never a server error, every answer well-formed.

The real app (``web.app.create_app``) talks over loopback to the stand-in Rasa from
``tests/web/standin_rasa.py``. Hypothesis sends texts (any unicode, right-to-left scripts, emoji,
control characters, HTML, JavaScript, SQL, 10,000 characters) and bodies (malformed JSON, wrong
types, arbitrary JSON, raw bytes). The rules a parent and the chat page rely on:

- the status is 200, 400, 413 or 429 — never 5xx;
- the body is JSON: ``{"session_id", "messages"}`` on 200, ``{"error", "message"}`` otherwise,
  with a plain-words message;
- every message has exactly ``text``, ``buttons``, ``custom``.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from web.chat import MAX_TEXT_CHARS
from web.security import MAX_BODY_BYTES
from tests.web.standin_rasa import StandInRasa

NO_LIMITS = {"rate_limit_session": "1000000/minute", "rate_limit_client": "1000000/minute",
             "rate_limit_new_sessions": "1000000/minute"}
FUZZ = hsettings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow])

@pytest.fixture
async def fuzz_client(make_client):
    """One real app for all of a test's examples, with the rate limits out of the way."""
    return await make_client(**NO_LIMITS)


HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "'; DROP TABLE service; --", "\" OR 1=1 --", "Robert'); DROP TABLE events;--",
    "{{7*7}}", "${jndi:ldap://x}", "../../etc/passwd", "%00", "\x00", "\u202eevil",
    "مرحبا أحتاج مجموعة لعب", "שלום", "👨‍👩‍👧‍👦🍼🧸", "\ufeffhi", "\ud7ff", "a\u0301" * 50,
    "/restart", "/session_start", '/find_service{"need":"stay_and_play"}', "/greet" * 300,
    "stay and play near BB3 " * 40, "x" * 10_000, "😀" * 10_000, "\n" * 500,
]

# Every code point Python can encode as UTF-8 (no lone surrogates: JSON from a browser can't carry them).
ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=1200)
RTL_EMOJI = st.lists(st.sampled_from(list("مرحباשלום") + ["👶", "🧑\u200d🍼", "\u200f", "\u202b", " "]),
                     min_size=1, max_size=200).map("".join)
CONTROL = st.text(st.characters(min_codepoint=0, max_codepoint=0x20), min_size=1, max_size=50)
LONG = st.integers(min_value=990, max_value=10_000).map(lambda n: "a" * n)
TEXTS = st.one_of(ANY_TEXT, RTL_EMOJI, CONTROL, LONG, st.sampled_from(HOSTILE),
                  st.lists(st.sampled_from(HOSTILE), min_size=2, max_size=4).map(" ".join))

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12)
BODIES = st.one_of(
    # the right keys with wrong types
    st.fixed_dictionaries({"text": JSON_VALUES, "session_id": JSON_VALUES}),
    st.fixed_dictionaries({"text": TEXTS, "session_id": JSON_VALUES, "message_id": JSON_VALUES}),
    JSON_VALUES,  # any JSON at all: lists, numbers, strings, null, nested objects
).map(lambda value: json.dumps(value).encode())
RAW_BODIES = st.one_of(
    st.binary(max_size=2000),  # not UTF-8, not JSON
    st.sampled_from([b"", b"{", b'{"text": "hi"', b'{"text": "hi",}', b"[1,2", b"null",
                     b'{"text": "\\ud800"}', b'{"text": NaN}', b"\xff\xfe{}", b"{" * 5000,
                     b'{"text": "' + b"a" * 20_000 + b'"}']),
)


def what_rasa_should_see(text: str) -> tuple[str, str]:
    """The message once control characters (bar newline and tab) are gone and trimmed, and the
    words Rasa gets: typed text never starts with "/" (Rasa's intent syntax)."""
    cleaned = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc").strip()
    typed = cleaned
    while typed.startswith("/"):
        typed = typed[1:].strip()
    return cleaned, typed


def check_reply(status: int, body: Any) -> None:
    """What the chat page relies on, whatever was sent."""
    assert status in (200, 400, 413, 429), status
    assert isinstance(body, dict), body
    if status == 200:
        assert isinstance(body["session_id"], str) and body["session_id"]
        assert isinstance(body["messages"], list) and body["messages"]
        for message in body["messages"]:
            assert set(message) == {"text", "buttons", "custom"}, message
            assert message["text"] is None or isinstance(message["text"], str)
            assert isinstance(message["buttons"], list)
            assert message["custom"] is None or isinstance(message["custom"], dict)
    else:
        assert isinstance(body.get("error"), str)
        assert isinstance(body.get("message"), str) and body["message"].strip()


@FUZZ
@given(text=TEXTS, reuse_session=st.booleans())
async def test_any_text_gets_a_well_formed_answer_never_a_server_error(
        fuzz_client, standin_rasa: StandInRasa, text: str, reuse_session: bool) -> None:
    client = fuzz_client
    session_id = None
    if reuse_session:
        first = await client.post("/api/chat", json={"text": "hello", "session_id": None})
        session_id = (await first.json())["session_id"]
    payload = json.dumps({"text": text, "session_id": session_id}).encode()
    response = await client.post("/api/chat", data=payload,
                                 headers={"Content-Type": "application/json"})
    body = await response.json()
    check_reply(response.status, body)
    cleaned, typed = what_rasa_should_see(text)
    if len(payload) > MAX_BODY_BYTES:
        assert response.status == 413
    elif cleaned and len(cleaned) <= MAX_TEXT_CHARS and typed:
        assert response.status == 200
        # Rasa saw what the parent typed (trimmed, control characters out, never an intent):
        # nothing escaped, cut or mangled.
        assert standin_rasa.received[-1]["message"] == typed
    else:
        assert response.status == 400


@FUZZ
@given(body=st.one_of(BODIES, RAW_BODIES))
async def test_malformed_or_mistyped_bodies_are_refused_in_plain_words(
        fuzz_client, body: bytes) -> None:
    client = fuzz_client
    response = await client.post("/api/chat", data=body,
                                 headers={"Content-Type": "application/json"})
    check_reply(response.status, await response.json())


async def test_after_the_fuzzing_the_app_still_answers_and_reports_healthy(fuzz_client) -> None:
    client = fuzz_client
    for text in HOSTILE:
        response = await client.post("/api/chat", json={"text": text, "session_id": None})
        check_reply(response.status, await response.json())
    response = await client.post("/api/chat", json={"text": "stay and play", "session_id": None})
    body = await response.json()
    assert response.status == 200
    assert body["messages"][1]["custom"]["type"] == "services"
    health = await (await client.get("/healthz")).json()
    assert health["tiers"]["web"] == "ok" and health["tiers"]["directory"] == "ok"
