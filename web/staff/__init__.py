"""The staff area (``/staff``): centre workers keep the directory right, admins run it.

``create_staff_app(settings)`` builds the sub-application the web tier mounts at ``/staff``.
Everything goes through the directory library (``directory.edits`` for every audited write,
``directory.store``, ``directory.staff_users`` …), called off the event loop on the web tier's
directory threads (``web.staff.directory.run``); this package is only forms, pages and the
access rules in ``auth.py``.
"""

from __future__ import annotations

import secrets

import aiohttp_jinja2
import jinja2
from aiohttp import web
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from common.settings import Settings
from web.staff import (auth, views_accounts, views_admin, views_callbacks, views_centres,
                       views_dates, views_demand, views_feeds, views_needs, views_reports,
                       views_services)
from web.staff.base import (JINJA, PENDING_CODES, PENDING_IMPORTS, SECRET,
                            SETTINGS, SIGNIN_LIMITER, SIGNIN_THROTTLE, TEMPLATES, context,
                            london_time)
from web.staff.throttle import SignInThrottle


def create_staff_app(settings: Settings) -> web.Application:
    """The ``/staff`` sub-app. It uses the root app's directory threads (``keys.DIRECTORY``)."""
    # Body limits are the root app's (a sub-app's own client_max_size is never used); the
    # import view alone may take more (``auth.large_upload``).
    app = web.Application(middlewares=[auth.guard_middleware(SECRET, SETTINGS)])
    app[SETTINGS] = settings
    app[SECRET] = secrets.token_bytes(32)
    app[SIGNIN_LIMITER] = MovingWindowRateLimiter(MemoryStorage())
    app[SIGNIN_THROTTLE] = SignInThrottle()
    app[PENDING_CODES] = {}
    app[PENDING_IMPORTS] = {}
    env = aiohttp_jinja2.setup(
        app, app_key=JINJA, loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True, context_processors=[context],
        trim_blocks=True, lstrip_blocks=True)
    env.filters["london"] = london_time
    env.globals["pairs"] = lambda rows, key="id", label="name": [(r[key], r[label]) for r in rows]
    for module in (views_accounts, views_services, views_centres, views_needs, views_callbacks,
                   views_reports, views_demand, views_admin, views_dates, views_feeds):
        app.router.add_routes(module.routes)
    return app
