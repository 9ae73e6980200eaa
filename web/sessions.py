"""Chat session ids: issued by the server, never chosen by the browser, kept across restarts.

The id is the Rasa sender id, so whoever knows it can read that conversation through the bot.
It is therefore unguessable (``secrets.token_urlsafe``), and an id the server did not issue (a
forged one, an expired one, or one ended with "End chat") is replaced by a new id instead of
being passed on.

Issued ids live in a small SQLite database of the web tier's own (``SIGNPOST_CHAT_SESSIONS_DB``),
so a parent carries on after the web tier restarts. The table holds only the SHA-256 of each id
and when it was last used (wall-clock seconds): a copy of the file cannot be used to read a
conversation. An in-memory cache in front of it answers almost every message; the database is
written when an id is issued or ended, and at most once a minute per conversation to move its
"last used" time on. Ids are forgotten after ``idle_seconds`` without a message (4 hours).

Database work runs on one worker thread of its own, so the event loop never waits for a disk or
a lock. If the file cannot be written the chat carries on from memory (and says so in the log).

The store also remembers, in memory, the button payloads the bot offered in each conversation:
only those may reach Rasa as intents (``/request_human``); anything else starting with ``/`` is
typed text (``web.chat.as_typed_text``).

The store also remembers recent replies by ``(session, message_id)``: a message the browser
retries (a flaky phone connection) gets the earlier reply back instead of a second answer. That
is memory only: a retry comes within seconds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import logging
import secrets
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

log = logging.getLogger("signpost.web.sessions")

Reply = dict[str, Any]
T = TypeVar("T")

IDLE_SECONDS = 4 * 3600
#: At most this often (seconds) a conversation's "last used" time is written to the database.
TOUCH_EVERY = 60.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_session (
    id_hash TEXT PRIMARY KEY,   -- SHA-256 of the session id, hex; never the id itself
    last_seen REAL NOT NULL     -- seconds since the epoch, written at most once a minute
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS chat_session_last_seen ON chat_session (last_seen);
"""


def hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (and create) the chat session database, set up like the project's other SQLite files."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA secure_delete = ON")  # an ended chat's hash is overwritten on disk
    conn.executescript(SCHEMA)
    return conn


def delete_expired(conn: sqlite3.Connection, idle_seconds: float, now: float) -> int:
    """Delete ids idle for longer than ``idle_seconds`` (plus the minute "last used" may lag)."""
    return conn.execute("DELETE FROM chat_session WHERE last_seen < ?",
                        (now - idle_seconds - TOUCH_EVERY,)).rowcount


def purge_expired(path: Path, idle_seconds: float = IDLE_SECONDS, *,
                  now: float | None = None) -> int:
    """The retention job's part: delete expired ids from the file at ``path`` (if there is one)."""
    if not Path(path).exists():
        return 0
    conn = connect(path)
    try:
        return delete_expired(conn, idle_seconds, time.time() if now is None else now)
    finally:
        conn.close()


@dataclass
class _Session:
    last_seen: float
    #: The ``last_seen`` the database holds for this id.
    written: float
    replies: "OrderedDict[str, asyncio.Future[Reply]]" = field(default_factory=OrderedDict)
    #: Button payloads the bot offered in this conversation, newest last (``offered``).
    offered: "OrderedDict[str, None]" = field(default_factory=OrderedDict)


class ChatSessions:
    """Issued session ids (in ``path``, with a cache) and their recent replies (in memory).

    ``path=":memory:"`` keeps nothing across restarts (for tests). The database is opened by
    ``open()`` (or the first call that needs it) and closed by ``close()``.
    """

    def __init__(self, path: str | Path = ":memory:", *, idle_seconds: float = IDLE_SECONDS,
                 max_sessions: int = 50_000, replies_kept: int = 20,
                 touch_every: float = TOUCH_EVERY, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.idle_seconds = idle_seconds
        self.max_sessions = max_sessions
        self.replies_kept = replies_kept
        self.touch_every = touch_every
        self.clock = clock
        # Keyed by the id's hash, least recently used first (what survives a restart is hashes).
        self._sessions: "OrderedDict[str, _Session]" = OrderedDict()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._conn: sqlite3.Connection | None = None
        self._opening: asyncio.Future[None] | None = None
        self._last_sweep = float("-inf")

    def __len__(self) -> int:
        return len(self._sessions)

    # --- opening and closing ------------------------------------------------------------------
    async def open(self) -> None:
        """Open the database and load the ids still in use into the cache."""
        if self._opening is None:
            self._opening = asyncio.ensure_future(self._open())
        await asyncio.shield(self._opening)

    async def _open(self) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                           thread_name_prefix="chat-sessions")
        now = self.clock()

        def _load() -> list[tuple[str, float]]:
            self._conn = connect(self.path)
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                delete_expired(self._conn, self.idle_seconds, now)
                # Keep the newest max_sessions, as the cache does.
                self._conn.execute(
                    "DELETE FROM chat_session WHERE id_hash NOT IN (SELECT id_hash FROM "
                    "chat_session ORDER BY last_seen DESC LIMIT ?)", (self.max_sessions,))
            return self._conn.execute(
                "SELECT id_hash, last_seen FROM chat_session WHERE last_seen >= ? "
                "ORDER BY last_seen", (now - self.idle_seconds,)).fetchall()

        rows = await self._run(_load, required=True)
        for key, last_seen in rows:
            self._sessions[key] = _Session(last_seen=last_seen, written=last_seen)
        self._last_sweep = now

    async def close(self) -> None:
        if self._opening is not None:
            try:
                await self._opening
            except Exception:  # noqa: BLE001 - it never opened: nothing to close but the thread
                pass
        if self._pool is not None:
            def _close() -> None:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None

            await asyncio.get_running_loop().run_in_executor(self._pool, _close)
            self._pool.shutdown(wait=True)
            self._pool = None
        self._opening = None

    async def _run(self, fn: Callable[[], T], *, required: bool = False) -> T | None:
        """``fn()`` on the database thread. A database error is logged and gives ``None``
        (the chat carries on from memory), unless ``required``."""
        assert self._pool is not None
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn)
        except sqlite3.Error as error:
            if required:
                raise
            log.warning("Chat session database (%s): %s", self.path, type(error).__name__)
            return None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.OperationalError("the chat session database is not open")
        return self._conn

    # --- the public interface -----------------------------------------------------------------
    async def resolve(self, claimed: str | None) -> tuple[str, bool]:
        """The session id to use for a request, and whether it is newly issued."""
        await self.open()
        now = self.clock()
        self._expire(now)
        await self._sweep(now)
        if isinstance(claimed, str) and claimed:
            key = hash_id(claimed)
            session = self._sessions.get(key) or await self._lookup(key, now)
            if session is not None and await self._touch(key, session, now):
                return claimed, False
        new_id = secrets.token_urlsafe(24)
        key = hash_id(new_id)
        self._remember(key, _Session(last_seen=now, written=now))

        def _insert() -> None:
            self._db().execute("INSERT OR REPLACE INTO chat_session (id_hash, last_seen) "
                               "VALUES (?, ?)", (key, now))

        await self._run(_insert)
        await self._drop_over_cap()
        return new_id, True

    async def forget(self, session_id: str) -> bool:
        """End a conversation: the id can never be used again (here or after a restart).

        Raises if the database cannot be written, so "End chat" can be tried again.
        """
        await self.open()
        key = hash_id(session_id)
        known = self._sessions.pop(key, None) is not None

        def _delete() -> int:
            return self._db().execute("DELETE FROM chat_session WHERE id_hash = ?", (key,)).rowcount

        deleted = await self._run(_delete, required=True)
        return known or bool(deleted)

    async def reply_once(self, session_id: str, message_id: str | None,
                         produce: Callable[[], Awaitable[Reply]]) -> Reply:
        """Run ``produce`` once per ``(session, message_id)``; a retry waits for and gets the same reply.

        A failed attempt is not remembered, so the parent can try again.
        """
        session = self._sessions.get(hash_id(session_id))
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

    def offer(self, session_id: str, payloads: list[str], keep: int = 50) -> None:
        """Remember the button payloads the bot just sent, so a click on one may carry an intent.

        Memory only: after a restart an old button's payload is treated as typed text."""
        session = self._sessions.get(hash_id(session_id))
        if session is None:
            return
        for payload in payloads:
            session.offered[payload] = None
            session.offered.move_to_end(payload)
        while len(session.offered) > keep:
            session.offered.popitem(last=False)

    def was_offered(self, session_id: str, payload: str) -> bool:
        """Did the bot offer ``payload`` as a button in this conversation?"""
        session = self._sessions.get(hash_id(session_id))
        return session is not None and payload in session.offered

    # --- helpers ------------------------------------------------------------------------------
    async def _lookup(self, key: str, now: float) -> _Session | None:
        """An id not in the cache: issued before a restart (or by another web tier on this file)?"""
        def _select() -> Any:
            return self._db().execute("SELECT last_seen FROM chat_session WHERE id_hash = ?",
                                      (key,)).fetchone()

        row = await self._run(_select)
        if key in self._sessions:  # another request for the same id got here first
            return self._sessions[key]
        if row is None or now - row[0] > self.idle_seconds:
            return None
        session = _Session(last_seen=row[0], written=row[0])
        self._remember(key, session)
        await self._drop_over_cap()
        return session if key in self._sessions else None

    async def _touch(self, key: str, session: _Session, now: float) -> bool:
        """Mark the session used now; False if the database no longer has it (ended elsewhere)."""
        session.last_seen = now
        if key in self._sessions:
            self._sessions.move_to_end(key)
        if now - session.written < self.touch_every:
            return True
        session.written = now

        def _update() -> int:
            return self._db().execute("UPDATE chat_session SET last_seen = ? WHERE id_hash = ?",
                                      (now, key)).rowcount

        updated = await self._run(_update)
        if updated == 0:  # deleted by "End chat" on another web tier, or by the retention job
            self._sessions.pop(key, None)
            return False
        return True

    def _remember(self, key: str, session: _Session) -> None:
        self._sessions[key] = session
        self._sessions.move_to_end(key)

    async def _drop_over_cap(self) -> None:
        """Past ``max_sessions``, the least recently used ids are dropped for good."""
        dropped = []
        while len(self._sessions) > self.max_sessions:
            dropped.append(self._sessions.popitem(last=False)[0])
        if dropped:
            def _delete() -> None:
                self._db().executemany("DELETE FROM chat_session WHERE id_hash = ?",
                                       [(key,) for key in dropped])

            await self._run(_delete)

    def _expire(self, now: float) -> None:
        while self._sessions:
            oldest_key, oldest = next(iter(self._sessions.items()))
            if now - oldest.last_seen <= self.idle_seconds:
                break
            del self._sessions[oldest_key]

    async def _sweep(self, now: float) -> None:
        """Once a minute, delete expired ids from the database too (they are refused anyway)."""
        if now - self._last_sweep < self.touch_every:
            return
        self._last_sweep = now
        await self._run(lambda: delete_expired(self._db(), self.idle_seconds, now))
