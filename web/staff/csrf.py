"""CSRF protection for the staff forms: a synchronizer token per signed-in session.

Each staff session has a random token, stored server-side with the session and printed into
every form as a hidden ``csrf_token`` field (or sent as ``X-CSRF-Token`` by the session script).
A state-changing request must send it back; comparison is constant-time (``hmac.compare_digest``).
The sign-in form has no session yet, so it carries an HMAC of a random pre-sign-in cookie under a
per-process secret (signed double-submit), which stops another site from signing someone in.

Why not a third-party CSRF package: aiohttp's options (``aiohttp-csrf``) are unmaintained and
tied to aiohttp-session, which we do not use because sessions live in our own table. The pattern
is the OWASP synchronizer-token pattern in ~40 lines, using only ``secrets`` and ``hmac``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
PRE_COOKIE = "signpost_staff_pre"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def new_token() -> str:
    return secrets.token_urlsafe(32)


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing value never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def presign_token(secret: bytes, pre_cookie: str) -> str:
    """The sign-in form's token: bound to this browser's pre-sign-in cookie."""
    return hmac.new(secret, pre_cookie.encode(), hashlib.sha256).hexdigest()


async def submitted_token(request: web.Request) -> str | None:
    """The token the browser sent: the header first (scripts), else the form field."""
    if HEADER in request.headers:
        return request.headers[HEADER]
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get(FIELD)
        return value if isinstance(value, str) else None
    return None
