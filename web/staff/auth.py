"""Who is signed in, and may they do this? Sessions, roles and the guard middleware.

Sessions are rows in ``staff_session`` (server-side): the cookie holds a random token and the
table holds only its SHA-256, so a copy of the database cannot be used to sign in. A session
ends after ``IDLE_MINUTES`` without a request (each request slides the expiry) and after
``MAX_HOURS`` whatever happens. Pages show a warning banner shortly before the idle expiry.

Every staff route declares who may use it with ``@requires("admin")``, ``@requires("editor")``
(any signed-in account) or ``@public``. The guard middleware refuses a route with no declaration,
so a new page can never be open by accident. Editors are further limited to their own centres
inside the views (``ensure_may_edit_*``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from typing import Awaitable, Callable
from urllib.parse import quote

import sqlite_utils
from aiohttp import web

from web.staff import csrf
from directory.staff_users import StaffUser, get_user
from directory.store import write_transaction

COOKIE = "signpost_staff"
IDLE_MINUTES = 30
MAX_HOURS = 12
WARN_SECONDS = 5 * 60
SIGN_IN_PATH = "/staff/sign-in"

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


def public(handler: Handler) -> Handler:
    """A staff page anyone may open (sign-in, the session script)."""
    handler.staff_access = PUBLIC  # type: ignore[attr-defined]
    return handler


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: sqlite_utils.Database, user: StaffUser, *, now: datetime | None = None) -> str:
    """Create a session and return the cookie token (a new one at every sign-in)."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.conn.execute("DELETE FROM staff_session WHERE expires_at < ?", (now.isoformat(),))
        db.conn.execute(
            "INSERT INTO staff_session (token_hash, user_id, csrf_token, created_at, last_seen, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (_hash(token), user.id, csrf.new_token(), now.isoformat(), now.isoformat(),
             (now + timedelta(minutes=IDLE_MINUTES)).isoformat()))
    return token


def load_session(db: sqlite_utils.Database, token: str | None, *, now: datetime | None = None,
                 touch: bool = True) -> tuple[dict | None, bool]:
    """``(session row with 'user', expired?)``; a live session's idle expiry slides forward."""
    if not token:
        return None, False
    now = now or _now()
    rows = list(db.query("SELECT * FROM staff_session WHERE token_hash = ?", [_hash(token)]))
    if not rows:
        return None, False
    row = rows[0]
    created = datetime.fromisoformat(row["created_at"])
    if datetime.fromisoformat(row["expires_at"]) <= now or now - created > timedelta(hours=MAX_HOURS):
        end_session(db, token)
        return None, True
    user = get_user(db, row["user_id"])
    if not user.active:
        end_session(db, token)
        return None, False
    if touch:
        row["expires_at"] = (now + timedelta(minutes=IDLE_MINUTES)).isoformat()
        row["last_seen"] = now.isoformat()
        with write_transaction(db):
            db.conn.execute("UPDATE staff_session SET last_seen = ?, expires_at = ? WHERE token_hash = ?",
                            (row["last_seen"], row["expires_at"], row["token_hash"]))
    row["user"] = user
    return row, False


def end_session(db: sqlite_utils.Database, token: str | None) -> None:
    if token:
        with write_transaction(db):
            db.conn.execute("DELETE FROM staff_session WHERE token_hash = ?", (_hash(token),))


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


def guard_middleware(db_key: web.AppKey, secret_key: web.AppKey):
    """Build the middleware that enforces sign-in, role and CSRF on every staff route."""

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        match_info = request.match_info
        if match_info.http_exception is not None:
            raise match_info.http_exception
        access = getattr(match_info.handler, "staff_access", None)
        if access is None:  # default deny: every view must say who may use it
            raise web.HTTPForbidden(text="This page has no access rule, so it is closed.")
        db = request.app[db_key]
        session, expired = load_session(db, request.cookies.get(COOKIE))
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
        response = await handler(request)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return guard
