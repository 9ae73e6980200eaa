"""What every staff view shares: its app keys, the templates and ``render``.

Kept apart from ``web/staff/__init__.py`` (which builds the app from the views) so the views can
import it without importing the package that imports them.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp_jinja2
import jinja2
from aiohttp import web
from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter

from common.settings import Settings
from web.staff import auth
from web.staff.throttle import SignInThrottle

TEMPLATES = Path(__file__).with_name("templates")
LONDON = ZoneInfo("Europe/London")
SETTINGS = web.AppKey("staff_settings", Settings)
SECRET = web.AppKey("staff_presign_secret", bytes)
SIGNIN_LIMITER = web.AppKey("staff_signin_limiter", MovingWindowRateLimiter)
SIGNIN_THROTTLE = web.AppKey("staff_signin_throttle", SignInThrottle)
#: People who gave the right password and still owe a code: cookie token -> ``PendingCode``.
PENDING_CODES = web.AppKey("staff_pending_codes", dict)
PENDING_IMPORTS = web.AppKey("staff_pending_imports", dict)
JINJA = web.AppKey("staff_jinja", jinja2.Environment)
#: Sign-in attempts allowed from one address, right or wrong (on top of ``throttle.py``).
SIGNIN_RATE = parse("10/minute")


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


async def context(request: web.Request) -> dict:
    """What every staff template may use: the account, CSRF token and session expiry."""
    session = request.get(auth.SESSION)
    return {
        "user": request.get(auth.USER),
        "csrf_token": session["csrf_token"] if session else "",
        "session_expires_at": session["expires_at"] if session else "",
        "session_warn_seconds": auth.WARN_SECONDS,
        "path": request.path,
    }


def render(template: str, request: web.Request, context: dict, *, status: int = 200) -> web.Response:
    """Render a staff template (our own Jinja environment, autoescaping on)."""
    return aiohttp_jinja2.render_template(template, request, context, status=status, app_key=JINJA)
