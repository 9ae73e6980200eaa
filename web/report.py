""""This is wrong" from a result card: ``POST /report`` (a plain form, no JavaScript needed)
and ``POST /api/report`` (JSON, from the chat's cards). Both call ``directory.edits.file_report``.

A parent taps "This is wrong" and then what is wrong: two taps. A note is optional, and kept
only when the parent ticks that we may keep it (``directory.reports``). Reports count against
the same per-address limit as chat and search, and a tighter one of their own
(``ChatLimits.report``). Parents have no cookies or sessions to steal, so the cross-site
defence is the browser's own word on where the form came from (``Sec-Fetch-Site``, else
``Origin``): another site cannot make a visitor's browser file reports.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp_jinja2
from aiohttp import web

from directory import edits, reports
from directory.centres import centre_names
from directory.reports import ReportRefused
from web import keys
from web.client_address import client_address
from web.security import TooDeep, json_error, parse_json, read_body

routes = web.RouteTableDef()

#: The card's buttons, in the order they are shown: (value, words).
BUTTONS = tuple((code, words) for code, words, _ in reports.REASONS)
SLOW_DOWN = "You have sent a lot of reports in a short time. Please wait, then try again."
CROSS_SITE = "We can only take reports sent from Signpost's own pages."


def same_site(request: web.Request) -> bool:
    """True unless the browser says the request came from another site."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def safe_back(value: str | None) -> str:
    """Where "Back to your results" goes: only ever our own search page."""
    value = (value or "").strip()
    return value if value.startswith("/search") and "//" not in value and "\\" not in value \
        else "/search"


def _fields(data: Any) -> dict[str, Any]:
    def text(name: str, limit: int) -> str:
        value = data.get(name)
        if isinstance(value, list):
            value = value[0] if value else ""
        return value[:limit] if isinstance(value, str) else ""

    consent = data.get("consent")
    if isinstance(consent, list):
        consent = consent[0] if consent else ""
    return {"service_id": text("service_id", 200), "location_id": text("location_id", 200) or None,
            "reason": text("reason", 20), "details": text("details", reports.MAX_DETAILS_CHARS + 1),
            "consent": consent in (True, "1", "yes", "on", "true")}


async def _file(request: web.Request, fields: dict[str, Any], source: str) -> str:
    """File the report; the centre's name for the thank-you (raises ReportRefused)."""
    def work(directory) -> str:
        report_id = edits.file_report(directory.db, source=source, **fields)
        location_id = reports.get_report(directory.db, report_id)["location_id"]
        return centre_names(directory.db).get(location_id or "", "")
    return await request.app[keys.DIRECTORY].run(work)


def thanks_words(centre: str) -> str:
    who = f"the staff at {centre}" if centre else "the family hubs team"
    return f"Thank you. We have told {who}. They will check it and put it right."


async def _allowed(request: web.Request):
    return await request.app[keys.LIMITS].report(client_address(request))


def _page(request: web.Request, context: dict[str, Any], status: int) -> web.Response:
    base = {"compact": False, "buttons": BUTTONS, "error": None, "fields": {}, "back": "/search",
            "done": None, "max_chars": reports.MAX_DETAILS_CHARS}
    response = aiohttp_jinja2.render_template("report.html", request, {**base, **context},
                                              status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.post("/report", name="report")
async def report_form(request: web.Request) -> web.Response:
    if not same_site(request):
        return _page(request, {"error": CROSS_SITE}, 403)
    body = await read_body(request)
    data = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    fields, back = _fields(data), safe_back((data.get("back") or [""])[0])
    context = {"fields": fields, "back": back}
    verdict = await _allowed(request)
    if not verdict.allowed:
        response = _page(request, {**context, "error": SLOW_DOWN}, 429)
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    try:
        centre = await _file(request, fields, "search_page")
    except ReportRefused as refused:
        return _page(request, {**context, "error": str(refused)}, 400)
    # Post/Redirect/Get: reloading the thank-you page does not send the report again.
    raise web.HTTPSeeOther("/report/sent?" + urlencode({"centre": centre, "back": back}))


@routes.get("/report/sent", name="report_sent")
async def report_sent(request: web.Request) -> web.Response:
    centre = request.query.get("centre", "")[:200]
    return _page(request, {"done": thanks_words(centre),
                           "back": safe_back(request.query.get("back"))}, 200)


@routes.post("/api/report")
async def report_api(request: web.Request) -> web.Response:
    if not same_site(request):
        return json_error(403, "cross_site", CROSS_SITE)
    body = await read_body(request)
    try:
        data = parse_json(body.decode("utf-8"))
    except TooDeep as deep:
        return json_error(400, "bad_request", str(deep))
    except (UnicodeDecodeError, ValueError):
        data = None
    if not isinstance(data, dict):
        return json_error(400, "bad_request",
                          'Send JSON like {"service_id": "...", "reason": "time"}.')
    verdict = await _allowed(request)
    if not verdict.allowed:
        return json_error(429, "slow_down", SLOW_DOWN, **{"Retry-After": str(verdict.retry_after)})
    try:
        centre = await _file(request, _fields(data), "chat")
    except ReportRefused as refused:
        return json_error(400, "refused", str(refused))
    return web.json_response({"sent": True, "message": thanks_words(centre)})
