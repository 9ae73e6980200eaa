"""``/accessibility``: the accessibility statement, in plain English.

The contact details on the page are the family hubs' main line and hours from the settings
(``SIGNPOST_FAMILY_HUBS_PHONE``, ``SIGNPOST_FAMILY_HUBS_HOURS``), the same ones the chat gives.
"""

from __future__ import annotations

import re
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from web import keys

routes = web.RouteTableDef()

#: When the statement was last checked against the site: change it when you check it again.
REVIEWED = "5 December 2026"
#: Where a parent can go if they are not happy with our answer (UK public sector rules).
EASS = {"name": "Equality Advisory and Support Service (EASS)",
        "url": "https://www.equalityadvisoryservice.com/"}


@routes.get("/accessibility", name="accessibility")
@aiohttp_jinja2.template("accessibility.html")
async def accessibility_page(request: web.Request) -> dict[str, Any]:
    settings = request.app[keys.SETTINGS]
    return {"compact": False, "main_line": settings.family_hubs_phone,
            "main_tel": re.sub(r"[^\d+]", "", settings.family_hubs_phone),
            "hours": settings.family_hubs_hours, "reviewed": REVIEWED, "eass": EASS}
