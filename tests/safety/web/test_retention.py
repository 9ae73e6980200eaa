"""The retention purge: old conversations and long-closed call-backs go, recent ones stay."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common.settings import Settings
from web import retention
from web.retention import RetentionSettings, purge
from web.sessions import connect, hash_id
from directory.callbacks import close_callback, create_callback, list_callbacks
from directory.db import open_db

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def make_tracker_db(path: Path, rows: list[tuple[str, datetime]]) -> None:
    """A tracker database with Rasa's ``events`` table (the columns SQLTrackerStore creates)."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                     "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                     "action_name VARCHAR(255), data TEXT)")
        for sender, when in rows:
            conn.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                         (sender, when.timestamp(), json.dumps({"event": "user", "text": "hello"})))


def senders(path: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT sender_id, count(*) FROM events GROUP BY sender_id ORDER BY 1").fetchall()


def test_conversations_older_than_the_retention_period_are_deleted(tmp_path):
    tracker = tmp_path / "tracker.db"
    make_tracker_db(tracker, [
        ("old", NOW - timedelta(days=45)), ("old", NOW - timedelta(days=31)),
        ("mixed", NOW - timedelta(days=40)), ("mixed", NOW - timedelta(days=2)),
        ("new", NOW - timedelta(days=1)), ("new", NOW - timedelta(hours=1)),
    ])
    result = purge(RetentionSettings(tracker_db=tracker, directory_db=tmp_path / "none.db",
                                     chat_sessions_db=tmp_path / "none-either.db",
                                     retention_days=30), now=NOW)
    assert senders(tracker) == [("mixed", 1), ("new", 2)]
    assert (result.events, result.conversations) == (3, 1)


def test_closed_call_backs_go_after_90_days_and_open_ones_after_the_open_days(tmp_path):
    directory = tmp_path / "directory.db"
    db = open_db(directory)
    old = create_callback(db, first_name="Ann", phone="07700 900001")
    recent = create_callback(db, first_name="Bo", phone="07700 900002")
    still_open = create_callback(db, first_name="Cy", email="cy@example.com")
    close_callback(db, old, "staff1")
    close_callback(db, recent, "staff1")
    db.conn.execute("UPDATE callback SET closed_at = ?, created_at = ? WHERE id = ?",
                    ((NOW - timedelta(days=91)).isoformat(timespec="seconds"),
                     (NOW - timedelta(days=120)).isoformat(timespec="seconds"), old))
    db.conn.execute("UPDATE callback SET closed_at = ? WHERE id = ?",
                    ((NOW - timedelta(days=10)).isoformat(timespec="seconds"), recent))
    db.conn.execute("UPDATE callback SET created_at = ? WHERE id = ?",
                    ((NOW - timedelta(days=89)).isoformat(timespec="seconds"), still_open))
    unanswered = create_callback(db, first_name="Di", phone="07700 900004")
    db.conn.execute("UPDATE callback SET created_at = ? WHERE id = ?",
                    ((NOW - timedelta(days=91)).isoformat(timespec="seconds"), unanswered))
    db.conn.commit()
    db.conn.close()
    result = purge(RetentionSettings(tracker_db=tmp_path / "no-tracker.db", directory_db=directory,
                                     chat_sessions_db=tmp_path / "no-sessions.db"), now=NOW)
    assert result.callbacks == 1 and result.open_callbacks == 1
    left = {row["first_name"] for row in list_callbacks(open_db(directory))}
    assert left == {"Bo", "Cy"}


def test_chat_session_ids_idle_longer_than_a_chat_lasts_are_deleted(tmp_path):
    """The web tier deletes them itself each minute; the purge also does, for when it is down."""
    path = tmp_path / "chat_sessions.db"
    conn = connect(path)
    for sid, idle in (("old", 4 * 3600 + 120), ("recent", 60)):
        conn.execute("INSERT INTO chat_session VALUES (?, ?)",
                     (hash_id(sid), NOW.timestamp() - idle))
    conn.close()
    result = purge(RetentionSettings(tracker_db=tmp_path / "missing.db",
                                     directory_db=tmp_path / "missing-too.db",
                                     chat_sessions_db=path), now=NOW)
    assert result.chat_sessions == 1
    with sqlite3.connect(path) as conn:
        left = [row[0] for row in conn.execute("SELECT id_hash FROM chat_session")]
    assert left == [hash_id("recent")]


def test_no_tracker_database_yet_is_not_an_error(tmp_path):
    result = purge(RetentionSettings(tracker_db=tmp_path / "missing.db",
                                     directory_db=tmp_path / "missing-too.db",
                                     chat_sessions_db=tmp_path / "missing-three.db"), now=NOW)
    assert (result.events, result.callbacks, result.chat_sessions) == (0, 0, 0)
    assert not (tmp_path / "missing-three.db").exists()


def test_make_purge_command_reads_the_environment_and_says_what_it_did(tmp_path):
    tracker = tmp_path / "tracker.db"
    long_ago = datetime.now(timezone.utc) - timedelta(days=8)
    make_tracker_db(tracker, [("a", long_ago), ("b", datetime.now(timezone.utc))])
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SIGNPOST_TRACKER_DB": str(tracker),
           "SIGNPOST_DIRECTORY_DB": str(tmp_path / "directory.db"), "SIGNPOST_RETENTION_DAYS": "7",
           "SIGNPOST_CHAT_SESSIONS_DB": str(tmp_path / "chat_sessions.db")}
    done = subprocess.run([sys.executable, "-m", "web.retention"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 conversation events" in done.stdout
    assert senders(tracker) == [("b", 1)]


def test_the_web_tier_purges_on_start(tmp_path):
    tracker = tmp_path / "tracker.db"
    make_tracker_db(tracker, [("old", datetime.now(timezone.utc) - timedelta(days=60))])
    settings = Settings(tracker_db=tracker, directory_db=tmp_path / "directory.db",
                        chat_sessions_db=tmp_path / "chat_sessions.db", retention_days=30)

    async def start_and_stop() -> None:
        context = retention.scheduled_purge(settings)(None)
        await context.__anext__()
        for _ in range(100):
            await asyncio.sleep(0.02)
            if not senders(tracker):
                break
        try:
            await context.__anext__()
        except StopAsyncIteration:
            pass

    asyncio.run(start_and_stop())
    assert senders(tracker) == []


def test_done_reports_from_parents_go_after_90_days_with_any_note_they_hold(directory_db, tmp_path):
    from directory import edits, reports

    db = open_db(directory_db)
    service_id = db.execute("SELECT id FROM service LIMIT 1").fetchone()[0]
    old = edits.file_report(db, service_id=service_id, reason="time", consent=True,
                            details="Ring Sam on 07700 900123")
    to_do = edits.file_report(db, service_id=service_id, reason="cost")
    edits.close_report(db, old, actor="staff1")
    db.conn.execute("UPDATE listing_report SET done_at = ? WHERE id = ?",
                    ((NOW - timedelta(days=91)).isoformat(timespec="seconds"), old))
    db.conn.execute("UPDATE listing_report SET created_at = ? WHERE id = ?",
                    ((NOW - timedelta(days=400)).isoformat(timespec="seconds"), to_do))
    db.conn.commit()
    db.conn.close()
    result = purge(RetentionSettings(tracker_db=tmp_path / "no-tracker.db",
                                     directory_db=directory_db,
                                     chat_sessions_db=tmp_path / "no-sessions.db"), now=NOW)
    assert result.reports == 1 and "1 done reports from parents" in str(result)
    db = open_db(directory_db)
    assert [r["id"] for r in reports.list_reports(db, "open")] == [to_do]
    assert reports.list_reports(db, "done") == []
    assert b"07700 900123" not in directory_db.read_bytes()
