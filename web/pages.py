"""The pages a parent opens: the chat (``/``) and the same chat inside a centre's website
(``/widget/chat``). Both are plain HTML with the chat added by ``static/chat.js``."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from common.logsafe import log_fault
from web import keys, security
from web.report import BUTTONS as REPORT_BUTTONS

routes = web.RouteTableDef()
log = logging.getLogger("signpost.web")

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
    return {"attribution": ATTRIBUTION, "exit_url": EXIT_URL, "request_path": request.path,
            "compact": False}


@routes.get("/", name="chat")
@aiohttp_jinja2.template("chat.html")
async def chat_page(request: web.Request) -> dict[str, Any]:
    taxonomy = request.app[keys.DIRECTORY].taxonomy
    needs = [term.label[:1].upper() + term.label[1:] for term in taxonomy.terms]
    return {"compact": False, "starters": STARTERS, "needs": needs,
            "report_buttons": REPORT_BUTTONS}


@routes.get("/widget/chat", name="widget_chat")
@aiohttp_jinja2.template("chat.html")
async def widget_chat_page(request: web.Request) -> dict[str, Any]:
    return {"compact": True, "starters": STARTERS, "needs": [], "report_buttons": REPORT_BUTTONS}


#: Areas with their own error handling (their own pages, or JSON for machines).
_OWN_ERRORS = ("/staff", "/oruk")


@web.middleware
async def friendly_errors(request: web.Request, handler):
    """A page in plain words for a wrong address or a fault, never a bare error; JSON for /api."""
    if request.path.startswith(_OWN_ERRORS):
        return await handler(request)
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status not in (404, 405) or request.path.startswith("/static/"):
            raise
        status = error.status
    except Exception as error:
        # Type and place only: the message may quote what a parent typed (logs never hold it).
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "?"
        log_fault(log, f"Unexpected error on {request.method} {route}", error, logging.ERROR)
        status = 500
    settings = request.app[keys.SETTINGS]
    if request.path.startswith("/api/"):
        code, message = {
            404: ("not_found", "There is nothing at this address."),
            405: ("wrong_method", "This address does not answer that kind of request (use POST)."),
        }.get(status, ("server_error", "Sorry, something went wrong. Please try again, or call "
                                       f"the family hubs team on {settings.family_hubs_phone}."))
        return security.json_error(status, code, message)
    context = {"status": status, "compact": False,
               "family_hubs_phone": settings.family_hubs_phone,
               "family_hubs_tel": "".join(c for c in settings.family_hubs_phone
                                          if c.isdigit() or c == "+")}
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)
