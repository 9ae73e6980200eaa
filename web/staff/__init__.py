"""The staff area (``/staff``): centre workers keep the directory right, admins run it.

``create_staff_app(settings)`` builds the sub-application the web tier mounts at ``/staff``.
Everything goes through the directory library (``directory.edits`` for every audited write,
``directory.store``, ``directory.staff_users`` …), called off the event loop on the web tier's
directory threads (``web.staff.directory.run``); this package is only forms, pages and the
access rules in ``auth.py``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from common.settings import Settings
from web.staff import auth

TEMPLATES = Path(__file__).with_name("templates")
LONDON = ZoneInfo("Europe/London")
SETTINGS = web.AppKey("staff_settings", Settings)
SECRET = web.AppKey("staff_presign_secret", bytes)
SIGNIN_LIMITER = web.AppKey("staff_signin_limiter", MovingWindowRateLimiter)
PENDING_IMPORTS = web.AppKey("staff_pending_imports", dict)
JINJA = web.AppKey("staff_jinja", jinja2.Environment)
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
    """The ``/staff`` sub-app. It uses the root app's directory threads (``keys.DIRECTORY``)."""
    from web.staff import (views_accounts, views_admin, views_callbacks, views_centres,
                               views_demand, views_needs, views_services)

    app = web.Application(
        middlewares=[auth.guard_middleware(SECRET)],
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
    for module in (views_accounts, views_services, views_centres, views_needs, views_callbacks,
                   views_demand, views_admin):
        app.router.add_routes(module.routes)
    return app


def render(template: str, request: web.Request, context: dict, *, status: int = 200) -> web.Response:
    """Render a staff template (our own Jinja environment, autoescaping on)."""
    return aiohttp_jinja2.render_template(template, request, context, status=status, app_key=JINJA)
