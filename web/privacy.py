"""``/privacy``: the privacy notice in plain English, with the real retention figures.

The numbers on the page (how many days chats are kept, the phone number to ask for deletion)
come from the same settings the retention job and the chat use, so the notice stays true.
"""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from web import keys
from web.retention import CALLBACK_RETENTION_DAYS

routes = web.RouteTableDef()

#: The UK regulator a parent can complain to.
ICO = {"name": "Information Commissioner's Office (ICO)", "phone": "0303 123 1113",
       "url": "https://ico.org.uk/make-a-complaint/"}


@routes.get("/privacy", name="privacy")
@aiohttp_jinja2.template("privacy.html")
async def privacy_page(request: web.Request) -> dict[str, Any]:
    settings = request.app[keys.SETTINGS]
    return {
        "compact": False,
        "retention_days": settings.retention_days,
        "callback_days": CALLBACK_RETENTION_DAYS,
        "callback_open_days": settings.callback_open_days,
        "main_line": settings.family_hubs_phone,
        "hours": settings.family_hubs_hours,
        "ico": ICO,
    }
