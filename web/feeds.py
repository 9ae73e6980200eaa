"""Councils' ORUK feeds, synced by the web tier: at start-up and then every
``SIGNPOST_FEED_EVERY`` seconds (``docs/feeds.md``).

The feed is read on the event loop (aiohttp, ``directory.feed_client``) and written through the
directory pool's worker threads, one feed after another, so chat is never held up and a feed
that is down only costs its own sync (its failure is recorded for staff; nothing changes).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, AsyncIterator, Callable

from aiohttp import web

from common.settings import Settings
from directory.sync import SyncReport, sync_feed_async
from web import keys

log = logging.getLogger(__name__)


async def sync_all(app: web.Application, urls: list[str]) -> list[SyncReport]:
    """Sync each feed once, in turn; a failure is logged and recorded, never raised."""
    pool = app[keys.DIRECTORY]

    async def db_call(fn: Callable[[Any], Any]) -> Any:
        return await pool.run(lambda directory: fn(directory.db))

    reports = []
    for url in urls:
        try:
            report = await sync_feed_async(db_call, url)
        except Exception as error:  # noqa: BLE001 - keep serving; try again next time
            log.error("Feed sync of %s failed: %s", url, type(error).__name__)
            continue
        (log.info if report.ok else log.warning)("%s", report.summary())
        reports.append(report)
    return reports


def scheduled_feed_sync(settings: Settings):
    """A ``cleanup_ctx``: sync ``settings.feed_urls`` at start, then every ``feed_every``."""

    async def context(app: web.Application) -> AsyncIterator[None]:
        if not settings.feed_urls:
            yield
            return

        async def run_forever() -> None:
            while True:
                await sync_all(app, settings.feed_urls)
                await asyncio.sleep(settings.feed_every)

        task = asyncio.create_task(run_forever(), name="signpost-feeds")
        yield
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return context
