"""Rate limits for the public chat and search, so one tab or one address can't flood the bot.

Moving windows from the ``limits`` library, kept in memory: the web tier is one process, and a
restart forgetting the counts is harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


@dataclass
class Verdict:
    """Whether a request may go ahead, and if not, roughly how long to wait."""

    allowed: bool
    retry_after: int = 0


#: "This is wrong" reports one address may send: a parent reports a few, a script many.
REPORTS_PER_CLIENT = "10/hour"
#: Public ORUK API requests one address may make: another council's nightly sync fits easily.
API_PER_CLIENT = "120/minute"


class ChatLimits:
    """Per-session and per-client-address limits, checked together."""

    def __init__(self, per_session: str, per_client: str,
                 reports_per_client: str = REPORTS_PER_CLIENT,
                 new_sessions_per_client: str = "20/hour",
                 api_per_client: str = API_PER_CLIENT) -> None:
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.per_session: RateLimitItem = parse(per_session)
        self.per_client: RateLimitItem = parse(per_client)
        self.reports_per_client: RateLimitItem = parse(reports_per_client)
        self.new_sessions_per_client: RateLimitItem = parse(new_sessions_per_client)
        self.api_per_client: RateLimitItem = parse(api_per_client)

    async def check(self, *, client: str, session_id: str | None) -> Verdict:
        """Count one request. Both limits are hit, so a refused request still counts."""
        client_ok = await self.limiter.hit(self.per_client, "client", client)
        session_ok = True
        if session_id is not None:
            session_ok = await self.limiter.hit(self.per_session, "session", session_id)
        if client_ok and session_ok:
            return Verdict(True)
        item, key = ((self.per_client, ("client", client)) if not client_ok
                     else (self.per_session, ("session", session_id or "")))
        stats = await self.limiter.get_window_stats(item, *key)
        return Verdict(False, retry_after=max(1, int(stats.reset_time - time.time()) + 1))

    async def client_only(self, client: str) -> Verdict:
        """For pages without a chat session (the no-JavaScript search)."""
        return await self.check(client=client, session_id=None)

    async def report(self, client: str) -> Verdict:
        """A "this is wrong" report: the per-address limit and the reports' own limit."""
        verdict = await self.client_only(client)
        if not verdict.allowed:
            return verdict
        if await self.limiter.hit(self.reports_per_client, "report", client):
            return Verdict(True)
        stats = await self.limiter.get_window_stats(self.reports_per_client, "report", client)
        return Verdict(False, retry_after=max(1, int(stats.reset_time - time.time()) + 1))

    async def _own(self, item: RateLimitItem, kind: str, client: str) -> Verdict:
        if await self.limiter.hit(item, kind, client):
            return Verdict(True)
        stats = await self.limiter.get_window_stats(item, kind, client)
        return Verdict(False, retry_after=max(1, int(stats.reset_time - time.time()) + 1))

    async def new_session(self, client: str) -> Verdict:
        """A new chat from ``client``: a loop of ``session_id: null`` must not use up the
        per-address allowance that a household or a library's computers share."""
        return await self._own(self.new_sessions_per_client, "new-session", client)

    async def api(self, client: str) -> Verdict:
        """A request to the public ORUK API (``/oruk``), which has no chat session."""
        return await self._own(self.api_per_client, "oruk", client)

    async def close(self) -> None:
        await self.storage.reset()
