"""Chat session ids: issued by us, forgotten when idle, capped in number."""

from __future__ import annotations

from bot.web.sessions import ChatSessions


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_idle_conversation_is_forgotten_and_its_id_no_longer_works():
    clock = Clock()
    sessions = ChatSessions(idle_seconds=60, clock=clock)
    sid, new = sessions.resolve(None)
    assert new
    clock.now = 59
    assert sessions.resolve(sid) == (sid, False)
    clock.now = 59 + 61
    other, new = sessions.resolve(sid)
    assert new and other != sid


def test_the_number_of_remembered_sessions_is_capped():
    sessions = ChatSessions(max_sessions=3)
    ids = [sessions.resolve(None)[0] for _ in range(5)]
    assert len(sessions) == 3
    assert sessions.resolve(ids[0])[1] is True  # the oldest was dropped
    assert sessions.resolve(ids[-1]) == (ids[-1], False)


async def test_a_failed_reply_is_not_remembered_so_the_parent_can_retry():
    sessions = ChatSessions()
    sid, _ = sessions.resolve(None)
    calls = []

    async def failing():
        calls.append("fail")
        raise RuntimeError("boom")

    async def working():
        calls.append("ok")
        return {"messages": ["hi"]}

    try:
        await sessions.reply_once(sid, "m1", failing)
    except RuntimeError:
        pass
    assert await sessions.reply_once(sid, "m1", working) == {"messages": ["hi"]}
    assert await sessions.reply_once(sid, "m1", working) == {"messages": ["hi"]}
    assert calls == ["fail", "ok"]
