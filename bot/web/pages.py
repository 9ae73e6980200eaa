"""The pages a parent opens: the chat (``/``) and the same chat inside a centre's website
(``/widget/chat``). Both are plain HTML with the chat added by ``static/chat.js``."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from directory.taxonomy import load_taxonomy

routes = web.RouteTableDef()

#: The data licences, shown in every page footer.
ATTRIBUTION = (
    "Contains OS data © Crown copyright and database right 2026",
    "Contains Royal Mail data © Royal Mail copyright and database right 2026",
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
    "Service data: Open Referral UK",
)

#: Where "Exit this page" goes: a neutral site, replacing ours in the tab's history.
EXIT_URL = "https://www.bbc.co.uk/weather"

#: Things to tap when starting a chat; each is sent as if the parent typed it.
STARTERS = (
    "Stay and play near me",
    "Help with feeding my baby",
    "Something for dads at the weekend",
    "Talk to a person",
)


async def common_context(request: web.Request) -> dict[str, Any]:
    return {"attribution": ATTRIBUTION, "exit_url": EXIT_URL, "request_path": request.path}


@routes.get("/", name="chat")
@aiohttp_jinja2.template("chat.html")
async def chat_page(request: web.Request) -> dict[str, Any]:
    needs = [term.label[:1].upper() + term.label[1:] for term in load_taxonomy().terms]
    return {"compact": False, "starters": STARTERS, "needs": needs}


@routes.get("/widget/chat", name="widget_chat")
@aiohttp_jinja2.template("chat.html")
async def widget_chat_page(request: web.Request) -> dict[str, Any]:
    return {"compact": True, "starters": STARTERS, "needs": []}
