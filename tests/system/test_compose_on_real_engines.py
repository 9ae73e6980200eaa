"""The compose story (``deploy/compose.yaml``) on real PostgreSQL and Redis, without Docker.

Two Rasa servers with ``deploy/endpoints.yml``: one PostgreSQL conversation store (the redacting
store) and Redis locks, as in compose; the engines are real server processes (``tests/engines.py``).
A parent's conversation is answered by either server, both at once, or by the one left after the
other is killed with ``kill -9``; and the retention purge empties old conversations from the
same PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.engines import Postgres, Redis
from tests.stack import DEFAULT_MODEL, ROOT, Stack, post_json

pytestmark = [
    pytest.mark.slow,
    pytest.mark.faults,
    pytest.mark.skipif(not DEFAULT_MODEL.exists(), reason="needs a trained model (make train)"),
]


@pytest.fixture(scope="module")
def engines():
    with Postgres() as pg, Redis() as redis:
        yield pg, redis


@pytest.fixture(scope="module")
def stack(engines):
    pg, redis = engines
    env = {"SIGNPOST_RASA_ENDPOINTS": "deploy/endpoints.yml", **pg.env(), **redis.env()}
    with Stack(env=env, rasa_replicas=2, startup_timeout=600) as running:
        yield running


def say(stack: Stack, replica: str, sender: str, text: str) -> list[dict[str, Any]]:
    return post_json(stack.replica_webhook(replica), {"sender": sender, "message": text}, timeout=60)


def services(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = [m["custom"]["services"] for m in messages
             if (m.get("custom") or {}).get("type") == "services"]
    return found[-1] if found else []


def stored_events(pg: Postgres, sender: str) -> list[tuple[str, dict[str, Any]]]:
    with pg.connect() as conn, conn.cursor() as cursor:
        cursor.execute("SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id",
                       [sender])
        return [(type_name, json.loads(data)) for type_name, data in cursor.fetchall()]


def test_personal_details_never_reach_postgresql(stack, engines) -> None:
    pg, _ = engines
    sender = "pg-redaction"
    say(stack, "rasa", sender, "hello")
    say(stack, "rasa-2", sender, "my name is Priya, call me on 07700 900123, I live at BB3 1AB")
    events = stored_events(pg, sender)
    texts = " ".join(data.get("text") or "" for kind, data in events if kind == "user")
    assert "BB3" in texts or "hello" in texts  # the turns were stored
    raw = json.dumps([data for _, data in events])
    for detail in ("07700 900123", "07700900123", "BB3 1AB", "Priya"):
        assert detail not in raw


def test_either_server_carries_on_the_same_conversation(stack) -> None:
    sender = "pg-alternate"
    first = say(stack, "rasa", sender, "stay and play in darwen")
    assert services(first)
    then = services(say(stack, "rasa-2", sender, "what about saturday"))
    assert then and all("Saturday" in s["schedule_text"] and "stay_and_play" in s["taxonomy_terms"]
                        for s in then)


def test_concurrent_turns_of_one_conversation_lose_and_repeat_nothing(stack, engines) -> None:
    """A parent double-tapping send, each tap reaching a different server: the Redis lock makes
    the turns take their turn, so every message is stored once and answered."""
    pg, _ = engines
    sender = "pg-concurrent"
    say(stack, "rasa", sender, "hello")
    texts = [f"stay and play in darwen on day {n}" for n in range(8)]
    replicas = ["rasa", "rasa-2"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda pair: say(stack, pair[0], sender, pair[1]),
                                zip(replicas, texts)))
    assert all(replies), "every message gets an answer"
    events = stored_events(pg, sender)
    user_texts = [data.get("text") for kind, data in events if kind == "user"]
    assert sorted(user_texts) == sorted(["hello", *texts])  # none lost, none twice
    # Each turn is whole: after every message the bot goes back to listening, once.
    listens = [data for kind, data in events if kind == "action" and data.get("name") == "action_listen"]
    assert len(listens) == len(user_texts) + 1  # plus the listen that opens the session
    kinds = [kind if kind != "action" else data.get("name") for kind, data in events]
    for position, kind in enumerate(kinds):
        if kind == "user":
            rest = kinds[position + 1:]
            following = rest[:rest.index("user")] if "user" in rest else rest
            assert following and following[-1] == "action_listen", kinds


def test_one_server_killed_mid_conversation_the_other_carries_on(stack) -> None:
    sender = "pg-kill"
    assert services(say(stack, "rasa", sender, "stay and play in darwen"))
    stack.kill("rasa")
    then = services(say(stack, "rasa-2", sender, "what about saturday"))
    assert then and all("Saturday" in s["schedule_text"] and "stay_and_play" in s["taxonomy_terms"]
                        and (s["distance_km"] or 0) < 15 for s in then)
    stack.restart("rasa")
    assert services(say(stack, "rasa", sender, "what about sunday")) is not None


def test_the_purge_service_deletes_old_conversations_from_postgresql(stack, engines) -> None:
    pg, _ = engines
    say(stack, "rasa", "pg-old", "hello")
    say(stack, "rasa-2", "pg-recent", "hello")
    with pg.connect() as conn, conn.cursor() as cursor:  # the old one was 31 days ago
        old = (datetime.now(timezone.utc) - timedelta(days=31)).timestamp()
        cursor.execute("UPDATE events SET timestamp = %s WHERE sender_id = 'pg-old'", [old])
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNPOST_")}
    env.update(pg.env(), PYTHONPATH=str(ROOT), SIGNPOST_RETENTION_DAYS="30",
               SIGNPOST_DIRECTORY_DB=str(stack.directory_db),
               SIGNPOST_TRACKER_DB=str(stack.workdir / "no-sqlite-tracker.db"),
               SIGNPOST_CHAT_SESSIONS_DB=str(stack.chat_sessions_db))
    done = subprocess.run([str(ROOT / ".venv" / "web" / "bin" / "python"), "-m", "web.retention"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "whole conversations" in done.stdout and "PostgreSQL" in done.stdout
    assert stored_events(pg, "pg-old") == []
    assert stored_events(pg, "pg-recent")
    # The server forgets it too: a new message starts afresh instead of reviving old events.
    say(stack, "rasa", "pg-old", "hello")
    assert all(kind != "user" or data.get("text") == "hello"
               for kind, data in stored_events(pg, "pg-old"))
