"""Security headers and request-size limits for everything the public web tier serves.

The page must make no third-party requests and run no inline script or style, so one strict
Content-Security-Policy covers every response. Only the widget's own page may be framed, and
only by the centre websites listed in ``SIGNPOST_EMBED_ORIGINS``.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from common.settings import Settings

#: The chat API refuses bigger request bodies, politely.
MAX_BODY_BYTES = 16 * 1024
#: Every other request body (staff forms, the search and report forms): small, so nobody can
#: make the server read megabytes into memory before any check.
MAX_FORM_BYTES = 128 * 1024
#: The staff import alone (whole ORUK files), and only for a signed-in admin (``web.staff.auth``).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

#: Paths that centre websites may show inside a frame (the widget's chat page).
FRAMEABLE_PREFIX = "/widget/"

_BASE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "manifest-src 'self'; worker-src 'none'"
)


def content_security_policy(frame_ancestors: list[str]) -> str:
    """The CSP for a response, with ``frame-ancestors`` set to the allowed embedding origins."""
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return f"{_BASE_POLICY}; frame-ancestors {ancestors}"


#: Deeper JSON than any request of ours needs (an ORUK service nests about 6 levels).
MAX_JSON_DEPTH = 32


class TooDeep(ValueError):
    """JSON nested deeper than ``MAX_JSON_DEPTH``: refused, never a RecursionError and a 500."""

    def __init__(self) -> None:
        super().__init__(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep, "
                         "which no request of ours needs.")


def _depth(data: Any) -> int:
    """How deeply ``data`` nests, without recursion (the data may be hostile)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                break
            stack.extend((child, level + 1) for child in (item.values() if isinstance(item, dict)
                                                          else item))
    return deepest


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` for anything a client sent: ``TooDeep`` (a ValueError) for hostile nesting,
    which would otherwise raise ``RecursionError`` in the parser or in the code that walks it."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    if _depth(data) > MAX_JSON_DEPTH:
        raise TooDeep()
    return data


def json_error(status: int, code: str, message: str, **headers: str) -> web.Response:
    """An error the chat page can show as it is: plain words in ``message``."""
    return web.Response(status=status, text=json.dumps({"error": code, "message": message}),
                        content_type="application/json", headers=headers)


async def read_body(request: web.Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, or a polite 413 when it is over ``limit`` bytes (declared or actual)."""
    too_big = json_error(413, "too_large",
                         "That message is too long for us to read. Please send a shorter one.")
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length,
                                            text=too_big.text, content_type="application/json")
    body = await request.content.read(limit + 1)
    if len(body) > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=len(body),
                                            text=too_big.text, content_type="application/json")
    return body


def install(app: web.Application, settings: Settings) -> None:
    """Add the headers to every response of ``app`` and its sub-apps (staff, ORUK API)."""
    default_policy = content_security_policy([])
    widget_policy = content_security_policy(list(settings.embed_origins))

    async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
        headers = response.headers
        frameable = request.path.startswith(FRAMEABLE_PREFIX)
        # A sub-app (staff) may set a stricter policy of its own; keep it.
        headers.setdefault("Content-Security-Policy", widget_policy if frameable else default_policy)
        if not frameable:
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Other sites may load the widget script and read the public ORUK API; nothing else.
        shared = request.path == "/widget.js" or request.path.startswith("/oruk")
        headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin" if shared else "same-origin")
        headers.setdefault("Permissions-Policy",
                           "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
        if request.path.startswith("/api/"):
            headers.setdefault("Cache-Control", "no-store")

    app.on_response_prepare.append(add_headers)
