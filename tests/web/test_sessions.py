"""Chat session ids: issued by us, forgotten when idle or ended, capped in number, and kept in a
file so a web-tier restart does not start the parent's chat afresh."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from web.sessions import ChatSessions, hash_id

START = 1_800_000_000.0  # wall-clock seconds: what is stored must mean the same after a restart


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "chat_sessions.db"


@pytest.fixture
async def opened():
    """``await opened(path, ...)``: a ChatSessions that is closed after the test."""
    made: list[ChatSessions] = []

    async def open_(*args, **kwargs) -> ChatSessions:
        sessions = ChatSessions(*args, **kwargs)
        await sessions.open()
        made.append(sessions)
        return sessions

    yield open_
    for sessions in made:
        await sessions.close()


def stored(path: Path) -> dict[str, float]:
    with sqlite3.connect(path) as conn:
        return dict(conn.execute("SELECT id_hash, last_seen FROM chat_session"))


async def test_an_idle_conversation_is_forgotten_and_its_id_no_longer_works(opened):
    clock = Clock()
    sessions = await opened(idle_seconds=60, clock=clock)
    sid, new = await sessions.resolve(None)
    assert new
    clock.now += 59
    assert await sessions.resolve(sid) == (sid, False)
    clock.now += 61
    other, new = await sessions.resolve(sid)
    assert new and other != sid


async def test_the_number_of_remembered_sessions_is_capped(opened, path):
    sessions = await opened(path, max_sessions=3)
    ids = [(await sessions.resolve(None))[0] for _ in range(5)]
    assert len(sessions) == 3 and len(stored(path)) == 3
    assert (await sessions.resolve(ids[0]))[1] is True  # the oldest was dropped
    assert await sessions.resolve(ids[-1]) == (ids[-1], False)


async def test_a_failed_reply_is_not_remembered_so_the_parent_can_retry(opened):
    sessions = await opened()
    sid, _ = await sessions.resolve(None)
    calls = []

    async def failing():
        calls.append("fail")
        raise RuntimeError("boom")

    async def working():
        calls.append("ok")
        return {"messages": ["hi"]}

    with pytest.raises(RuntimeError):
        await sessions.reply_once(sid, "m1", failing)
    assert await sessions.reply_once(sid, "m1", working) == {"messages": ["hi"]}
    assert await sessions.reply_once(sid, "m1", working) == {"messages": ["hi"]}
    assert calls == ["fail", "ok"]


# --- across a restart (a new ChatSessions on the same file) -----------------------------------

async def test_an_id_issued_before_a_restart_carries_on_after_it(opened, path):
    clock = Clock()
    before = await opened(path, clock=clock)
    sid, _ = await before.resolve(None)
    # No clean shutdown (kill -9): the first instance is never closed before the next opens.
    clock.now += 3600
    after = await opened(path, clock=clock)
    assert await after.resolve(sid) == (sid, False)


async def test_an_id_seen_first_after_the_restart_is_also_known(opened, path):
    """Not in the cache the new instance loaded at start: it is looked up in the file."""
    clock = Clock()
    after = await opened(path, clock=clock)
    before = await opened(path, clock=clock)
    sid, _ = await before.resolve(None)
    assert await after.resolve(sid) == (sid, False)


async def test_an_ended_chat_stays_ended_after_a_restart(opened, path):
    before = await opened(path)
    sid, _ = await before.resolve(None)
    assert await before.forget(sid)
    await before.close()
    after = await opened(path)
    other, new = await after.resolve(sid)
    assert new and other != sid
    assert hash_id(sid) not in stored(path)


async def test_an_id_that_went_idle_across_a_restart_is_replaced(opened, path):
    clock = Clock()
    before = await opened(path, idle_seconds=4 * 3600, clock=clock)
    sid, _ = await before.resolve(None)
    await before.close()
    clock.now += 4 * 3600 + 1
    after = await opened(path, idle_seconds=4 * 3600, clock=clock)
    other, new = await after.resolve(sid)
    assert new and other != sid


async def test_a_forged_id_is_replaced_after_a_restart_too(opened, path):
    before = await opened(path)
    real, _ = await before.resolve(None)
    after = await opened(path)
    for forged in ("parent-1", real[:-1], hash_id(real), ""):
        other, new = await after.resolve(forged)
        assert new and other not in (forged, real)


async def test_the_file_holds_no_session_id_only_its_hash(opened, path):
    sessions = await opened(path)
    sid, _ = await sessions.resolve(None)
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))  # with -wal, -shm
    assert sid.encode() not in raw
    assert list(stored(path)) == [hash_id(sid)]


async def test_last_used_is_written_at_most_once_a_minute(opened, path):
    clock = Clock()
    sessions = await opened(path, clock=clock)
    sid, _ = await sessions.resolve(None)
    clock.now += 30
    await sessions.resolve(sid)
    assert stored(path)[hash_id(sid)] == START
    clock.now += 31
    await sessions.resolve(sid)
    assert stored(path)[hash_id(sid)] == START + 61


async def test_a_chat_ended_through_another_web_tier_on_the_same_file_stops_within_a_minute(
        opened, path):
    clock = Clock()
    one = await opened(path, clock=clock)
    two = await opened(path, clock=clock)
    sid, _ = await one.resolve(None)
    assert await two.resolve(sid) == (sid, False)
    await one.forget(sid)
    clock.now += 61
    assert (await two.resolve(sid))[1] is True
