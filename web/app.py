"""The public web tier: ``create_app(settings)`` builds the aiohttp application.

Routes: ``/`` (chat page), ``/widget.js`` and ``/widget/chat`` (embeddable chat),
``/search`` (no-JavaScript search), ``POST /report`` and ``POST /api/report`` ("this is
wrong"), ``/accessibility``, ``POST /api/chat``, ``POST /api/chat/end``, ``/healthz``,
``/privacy``, ``/static/``; sub-apps ``/staff`` and ``/oruk``. Shared resources (HTTP client,
the directory's worker threads, chat sessions, rate limits) are created at start-up in
``cleanup_ctx`` and closed on shutdown; nothing is opened at import. The sub-apps use the same
resources (``request.config_dict``).
"""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import aiohttp
import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.safety.check import SafetyCheck
from web import (accessibility, chat, feeds, health, keys, pages, privacy, report, retention,
                 search_page, security, widget)
from common.settings import Settings
from web.client_address import TRUSTED_PROXIES, parse_networks
from web.oruk_api import create_oruk_app
from web.directory_pool import DirectoryPool
from web.rasa_client import RasaClient
from web.ratelimit import ChatLimits
from web.sessions import ChatSessions
from web.staff import create_staff_app

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"


def _resources(settings: Settings):
    async def resources(app: web.Application) -> AsyncIterator[None]:
        connector = aiohttp.TCPConnector(limit=100, limit_per_host=100, keepalive_timeout=30)
        http = aiohttp.ClientSession(connector=connector)
        directory = DirectoryPool(settings.directory_db, settings.geo_db, nation=settings.nation)
        await directory.open()
        limits = ChatLimits(settings.rate_limit_session, settings.rate_limit_client,
                            new_sessions_per_client=settings.rate_limit_new_sessions,
                            api_per_client=settings.rate_limit_api)
        sessions = app[keys.SESSIONS]
        await sessions.open()
        app[keys.HTTP] = http
        app[keys.RASA] = RasaClient(http, settings.rasa_url, settings.rasa_timeout)
        app[keys.DIRECTORY] = directory
        app[keys.LIMITS] = limits
        try:
            yield
        finally:
            await http.close()
            await directory.close()
            await limits.close()
            await sessions.close()

    return resources


async def _to_staff_home(request: web.Request) -> web.Response:
    raise web.HTTPMovedPermanently("/staff/")


def _mount_sub_apps(app: web.Application, settings: Settings) -> None:
    """The staff area and the public ORUK API, each an app of its own."""
    # "/staff" typed without the slash belongs to no sub-app route: send it where it means.
    app.router.add_get("/staff", _to_staff_home)
    app.add_subapp("/staff", create_staff_app(settings))
    app.add_subapp("/oruk", create_oruk_app())


def create_app(settings: Settings) -> web.Application:
    """The whole public web tier for ``settings``."""
    app = web.Application(client_max_size=security.MAX_FORM_BYTES,
                          middlewares=[pages.friendly_errors])
    app[keys.SETTINGS] = settings
    app[TRUSTED_PROXIES] = parse_networks(settings.trusted_proxies)
    app[keys.SESSIONS] = ChatSessions(settings.chat_sessions_db)  # opened in _resources
    # The rules and the learned detector, for when Rasa is down (bot/safety/chat_guard.py).
    app[keys.SAFETY] = SafetyCheck.load(settings.safety_model)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        context_processors=[pages.common_context],
    )
    security.install(app, settings)
    app.cleanup_ctx.append(_resources(settings))
    app.cleanup_ctx.append(retention.scheduled_purge(settings))  # make purge, at start and daily
    app.cleanup_ctx.append(feeds.scheduled_feed_sync(settings))  # SIGNPOST_FEED_URLS
    app.add_routes(pages.routes)
    app.add_routes(privacy.routes)
    app.add_routes(chat.routes)
    app.add_routes(search_page.routes)
    app.add_routes(report.routes)
    app.add_routes(accessibility.routes)
    app.add_routes(widget.routes)
    app.add_routes(health.routes)
    app.router.add_static("/static/", STATIC_DIR, name="static", append_version=False)
    _mount_sub_apps(app, settings)
    return app
