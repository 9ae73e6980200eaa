"""Who is signed in, and may they do this? Sessions, roles and the guard middleware.

Sessions are rows in ``staff_session``, kept by ``directory.staff_sessions``: the cookie holds a
random token and the table only its SHA-256. A session ends after ``IDLE_MINUTES`` without a
request (each request slides the expiry) and after ``MAX_HOURS`` whatever happens. Pages show a
warning banner shortly before the idle expiry.

Every staff route declares who may use it with ``@requires("admin")``, ``@requires("editor")``
(any signed-in account) or ``@public``. The guard middleware refuses a route with no declaration,
so a new page can never be open by accident. Editors are further limited to their own centres
inside the views (``ensure_may_edit_*``).

When every admin must use a second factor (``Settings.staff_admin_totp``), an admin who has not
set one up can open only the pages marked ``@before_second_factor`` (setting it up, signing out)
until they do.
"""

from __future__ import annotations

from typing import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from directory.edits import PartNotYours
from directory.staff_sessions import IDLE_MINUTES, MAX_HOURS, load_session
from directory.staff_users import StaffUser
from web.security import MAX_UPLOAD_BYTES
from web.staff import csrf
from web.staff.directory import run

COOKIE = "signpost_staff"
WARN_SECONDS = 5 * 60
SIGN_IN_PATH = "/staff/sign-in"
SECOND_FACTOR_PATH = "/staff/second-factor"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PUBLIC, EDITOR, ADMIN = "public", "editor", "admin"
#: Set by the guard on every staff request: the session row (or None) and its account.
SESSION = web.RequestKey("staff_session", object)
USER = web.RequestKey("staff_user", object)


def requires(role: str) -> Callable[[Handler], Handler]:
    """Declare the least role a view needs: ``editor`` (any staff account) or ``admin``."""
    assert role in (EDITOR, ADMIN)

    def mark(handler: Handler) -> Handler:
        handler.staff_access = role  # type: ignore[attr-defined]
        return handler
    return mark


def large_upload(handler: Handler) -> Handler:
    """The one view that may receive a big body (``security.MAX_UPLOAD_BYTES``, the ORUK import);
    every other request is held to the root app's small ``client_max_size``. The guard allows
    it only once the role is checked, so nobody else can make the server read 20 MB."""
    handler.large_upload = True  # type: ignore[attr-defined]
    return handler


def public(handler: Handler) -> Handler:
    """A staff page anyone may open (sign-in, the session script)."""
    handler.staff_access = PUBLIC  # type: ignore[attr-defined]
    return handler


def before_second_factor(handler: Handler) -> Handler:
    """A page an admin may use before setting up a required second factor."""
    handler.staff_before_second_factor = True  # type: ignore[attr-defined]
    return handler


def set_session_cookie(response: web.StreamResponse, token: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="Strict", secure=secure,
                        path="/staff")


def current_user(request: web.Request) -> StaffUser:
    """The signed-in account (the guard has already refused anonymous requests)."""
    return request[USER]


def ensure_admin(request: web.Request) -> None:
    if not current_user(request).is_admin:
        raise web.HTTPForbidden(text="Only an admin can do this.")


def _is_safe_next(target: str) -> bool:
    return target.startswith("/staff") and not target.startswith("//") and "\\" not in target


def safe_next(target: str | None) -> str:
    """Where to go after signing in: only back into the staff area, never another site."""
    return target if target and _is_safe_next(target) else "/staff/"


def guard_middleware(secret_key: web.AppKey, settings_key: web.AppKey):
    """Build the middleware that enforces sign-in, role, second factor and CSRF on every route."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        match_info = request.match_info
        if match_info.http_exception is not None:
            raise match_info.http_exception
        access = getattr(match_info.handler, "staff_access", None)
        if access is None:  # default deny: every view must say who may use it
            raise web.HTTPForbidden(text="This page has no access rule, so it is closed.")
        session, expired = await run(request, load_session, request.cookies.get(COOKIE))
        request[SESSION] = session
        request[USER] = session["user"] if session else None
        if access != PUBLIC and session is None:
            if request.method in csrf.SAFE_METHODS:
                target = f"{SIGN_IN_PATH}?next={quote(request.path_qs)}"
                if expired:
                    target += "&expired=1"
                raise web.HTTPFound(target)
            raise web.HTTPUnauthorized(text="Please sign in again.")
        if access == ADMIN and not session["user"].is_admin:
            raise web.HTTPForbidden(text="Only an admin can open this page.")
        if getattr(match_info.handler, "large_upload", False):
            request = request.clone(client_max_size=MAX_UPLOAD_BYTES)
        if (access != PUBLIC and session is not None and session["user"].is_admin
                and not session["user"].totp_enrolled
                and request.app[settings_key].staff_admin_totp
                and not getattr(match_info.handler, "staff_before_second_factor", False)):
            if request.method in csrf.SAFE_METHODS:
                raise web.HTTPFound(SECOND_FACTOR_PATH)
            raise web.HTTPForbidden(text="Set up your second factor first.")
        if request.method not in csrf.SAFE_METHODS:
            given = await csrf.submitted_token(request)
            if session is not None:
                expected = session["csrf_token"]
            else:
                pre = request.cookies.get(csrf.PRE_COOKIE)
                expected = csrf.presign_token(request.app[secret_key], pre) if pre else None
            if not csrf.tokens_match(expected, given):
                raise web.HTTPForbidden(
                    text="This form is out of date. Go back, reload the page and try again.")
        try:
            response = await handler(request)
        except PartNotYours as refused:  # another centre's part, or what only the feed changes
            raise web.HTTPForbidden(text=str(refused)) from None
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return guard
