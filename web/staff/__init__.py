"""The staff area (``/staff``): centre workers keep the directory right, admins run it.

``create_staff_app(settings)`` builds the sub-application the web tier mounts at ``/staff``.
Everything goes through the directory library (``directory.store``, ``directory.audit`` …);
this package is only forms, pages and the access rules in ``auth.py``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo
from typing import AsyncIterator

import aiohttp_jinja2
import jinja2
import sqlite_utils
from aiohttp import web
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from common.settings import Settings
from web.staff import auth
from directory.db import open_db
from directory.geo import Geo, GeoIndexMissing

TEMPLATES = Path(__file__).with_name("templates")
LONDON = ZoneInfo("Europe/London")
DB = web.AppKey("staff_db", sqlite_utils.Database)
SETTINGS = web.AppKey("staff_settings", Settings)
SECRET = web.AppKey("staff_presign_secret", bytes)
SIGNIN_LIMITER = web.AppKey("staff_signin_limiter", MovingWindowRateLimiter)
PENDING_IMPORTS = web.AppKey("staff_pending_imports", dict)
JINJA = web.AppKey("staff_jinja", jinja2.Environment)
GEO = web.AppKey("staff_geo", object)
#: Sign-in attempts allowed from one address (on top of the per-account lockout).
SIGNIN_RATE = parse("10/minute")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def london_time(value: str | None) -> str:
    """A stored UTC timestamp as staff read a clock: "26 Nov 2026, 14:05" in London time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LONDON).strftime("%-d %b %Y, %H:%M")


def _database(settings: Settings):
    async def open_and_close(app: web.Application) -> AsyncIterator[None]:
        app[DB] = open_db(settings.directory_db)
        try:
            app[GEO] = Geo(settings.geo_db)
        except (GeoIndexMissing, ValueError):
            app[GEO] = None  # postcodes cannot be looked up; the centre form says so
        yield
        app[DB].close()
        if app[GEO] is not None:
            app[GEO].close()
    return open_and_close


async def _context(request: web.Request) -> dict:
    """What every staff template may use: the account, CSRF token and session expiry."""
    session = request.get(auth.SESSION)
    return {
        "user": request.get(auth.USER),
        "csrf_token": session["csrf_token"] if session else "",
        "session_expires_at": session["expires_at"] if session else "",
        "session_warn_seconds": auth.WARN_SECONDS,
        "path": request.path,
    }


def create_staff_app(settings: Settings) -> web.Application:
    """The ``/staff`` sub-app. The directory database opens at start-up and closes at shutdown."""
    from web.staff import (views_accounts, views_admin, views_callbacks, views_centres,
                               views_demand, views_needs, views_services)

    app = web.Application(
        middlewares=[auth.guard_middleware(DB, SECRET)],
        client_max_size=MAX_UPLOAD_BYTES,
    )
    app[SETTINGS] = settings
    app[SECRET] = secrets.token_bytes(32)
    app[SIGNIN_LIMITER] = MovingWindowRateLimiter(MemoryStorage())
    app[PENDING_IMPORTS] = {}
    env = aiohttp_jinja2.setup(
        app, app_key=JINJA, loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True, context_processors=[_context],
        trim_blocks=True, lstrip_blocks=True)
    env.filters["london"] = london_time
    env.globals["pairs"] = lambda rows, key="id", label="name": [(r[key], r[label]) for r in rows]
    app.cleanup_ctx.append(_database(settings))
    for module in (views_accounts, views_services, views_centres, views_needs, views_callbacks,
                   views_demand, views_admin):
        app.router.add_routes(module.routes)
    return app


def render(template: str, request: web.Request, context: dict, *, status: int = 200) -> web.Response:
    """Render a staff template (our own Jinja environment, autoescaping on)."""
    return aiohttp_jinja2.render_template(template, request, context, status=status, app_key=JINJA)
