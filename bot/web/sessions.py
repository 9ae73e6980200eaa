"""Chat session ids: issued by the server, never chosen by the browser.

The id is the Rasa sender id, so whoever knows it can read that conversation through the bot.
It is therefore unguessable (``secrets.token_urlsafe``), and an id this process did not issue (a
forged one, or one from before a restart) is replaced by a new id instead of being passed on.

The store also remembers recent replies by ``(session, message_id)``: a message the browser
retries (a flaky phone connection) gets the earlier reply back instead of a second answer.
Everything is in memory and forgotten after ``idle_seconds`` without a message.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

Reply = dict[str, Any]


@dataclass
class _Session:
    last_seen: float
    replies: "OrderedDict[str, asyncio.Future[Reply]]" = field(default_factory=OrderedDict)


class ChatSessions:
    """Issued session ids and their recent replies."""

    def __init__(self, *, idle_seconds: float = 4 * 3600, max_sessions: int = 50_000,
                 replies_kept: int = 20, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self.replies_kept = replies_kept
        self.clock = clock
        self._sessions: "OrderedDict[str, _Session]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._sessions)

    def resolve(self, claimed: str | None) -> tuple[str, bool]:
        """The session id to use for a request, and whether it is newly issued."""
        now = self.clock()
        self._expire(now)
        if isinstance(claimed, str) and claimed in self._sessions:
            session = self._sessions[claimed]
            session.last_seen = now
            self._sessions.move_to_end(claimed)
            return claimed, False
        new_id = secrets.token_urlsafe(24)
        self._sessions[new_id] = _Session(last_seen=now)
        while len(self._sessions) > self.max_sessions:
            self._sessions.popitem(last=False)
        return new_id, True

    def forget(self, session_id: str) -> bool:
        """End a conversation: the id can never be used again."""
        return self._sessions.pop(session_id, None) is not None

    async def reply_once(self, session_id: str, message_id: str | None,
                         produce: Callable[[], Awaitable[Reply]]) -> Reply:
        """Run ``produce`` once per ``(session, message_id)``; a retry waits for and gets the same reply.

        A failed attempt is not remembered, so the parent can try again.
        """
        session = self._sessions.get(session_id)
        if message_id is None or session is None:
            return await produce()
        earlier = session.replies.get(message_id)
        if earlier is not None:
            return await asyncio.shield(earlier)
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        session.replies[message_id] = future
        while len(session.replies) > self.replies_kept:
            session.replies.popitem(last=False)
        try:
            reply = await produce()
        except BaseException as error:
            session.replies.pop(message_id, None)
            if not future.done():
                future.set_exception(error)
                future.exception()  # mark retrieved: a waiting retry re-raises it itself
            raise
        future.set_result(reply)
        return reply

    def _expire(self, now: float) -> None:
        while self._sessions:
            oldest_id, oldest = next(iter(self._sessions.items()))
            if now - oldest.last_seen <= self.idle_seconds:
                break
            del self._sessions[oldest_id]
