"""Signing in and out, a second factor, changing a password, keeping a session alive, and
(admins) accounts.

Signing in answers the same whatever the account: a wrong username, a wrong password, a
switched-off account and a wrong code all read "not right", and a throttled try reads "Too many
tries" (``throttle.py``) before any password is checked.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from aiohttp import web

from directory import staff_sessions, staff_totp, staff_users
from directory.centres import centre_list
from directory.staff_users import AccountError, StaffUser
from web.client_address import client_address
from web.staff import auth, csrf
from web.staff.base import (PENDING_CODES, SECRET, SETTINGS, SIGNIN_LIMITER, SIGNIN_RATE,
                            SIGNIN_THROTTLE, TEMPLATES, render)
from web.staff.directory import run
from web.staff.throttle import wait_message

routes = web.RouteTableDef()
SESSION_SCRIPT = (TEMPLATES / "session.js").read_text(encoding="utf-8")
CODE_COOKIE = "signpost_staff_code"
#: Minutes between the right password and the code before starting again.
CODE_MINUTES = 5
NOT_RIGHT = "The username or password is not right. Check them and try again."
CODE_NOT_RIGHT = "That code is not right. Type the 6 numbers your app shows now."


@dataclass(frozen=True)
class PendingCode:
    """Someone who gave the right password for ``user`` and still owes a code."""

    user: StaffUser
    next: str
    expires: float


def _sign_in_page(request: web.Request, *, error: str = "", username: str = "",
                  status: int = 200, template: str = "sign_in.html") -> web.Response:
    pre = request.cookies.get(csrf.PRE_COOKIE) or secrets.token_urlsafe(24)
    response = render(template, request, {
        "error": error, "username": username,
        "presign_token": csrf.presign_token(request.app[SECRET], pre),
        "expired": request.query.get("expired") == "1",
        "signed_out": request.query.get("signed_out") == "1",
        "next": auth.safe_next(request.query.get("next")),
    }, status=status)
    response.set_cookie(csrf.PRE_COOKIE, pre, httponly=True, samesite="Strict", path="/staff",
                        secure=request.app[SETTINGS].secure_cookies)
    return response


@routes.get("/sign-in")
@auth.public
async def sign_in_form(request: web.Request) -> web.Response:
    if request[auth.USER] is not None:
        raise web.HTTPFound(auth.safe_next(request.query.get("next")))
    return _sign_in_page(request)


async def _throttled(request: web.Request, username: str) -> web.Response | None:
    """The "too many tries" page if this username or address must wait, else ``None``."""
    address = client_address(request)
    if not await request.app[SIGNIN_LIMITER].hit(SIGNIN_RATE, "staff-sign-in", address):
        return _sign_in_page(request, username=username, status=429,
                             error=wait_message(60))
    wait = request.app[SIGNIN_THROTTLE].wait(username, address)
    if wait:
        return _sign_in_page(request, username=username, status=429, error=wait_message(wait))
    return None


async def _start_session(request: web.Request, user: StaffUser, next_page: str) -> web.Response:
    request.app[SIGNIN_THROTTLE].succeeded(user.username)
    token = await run(request, staff_sessions.start_session, user, csrf.new_token())
    response = web.HTTPFound(auth.safe_next(next_page))
    auth.set_session_cookie(response, token, secure=request.app[SETTINGS].secure_cookies)
    response.del_cookie(csrf.PRE_COOKIE, path="/staff")
    response.del_cookie(CODE_COOKIE, path="/staff")
    raise response


@routes.post("/sign-in")
@auth.public
async def sign_in(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))
    refused = await _throttled(request, username)
    if refused is not None:
        return refused
    user = await run(request, staff_users.authenticate, username, password)
    if user is None:
        request.app[SIGNIN_THROTTLE].failed(username, client_address(request))
        return _sign_in_page(request, username=username, status=401, error=NOT_RIGHT)
    next_page = str(form.get("next", ""))
    if not user.totp_enrolled:
        return await _start_session(request, user, next_page)
    pending = request.app[PENDING_CODES]
    now = time.monotonic()
    for key in [k for k, p in pending.items() if p.expires < now]:
        del pending[key]
    code_token = secrets.token_urlsafe(32)
    pending[code_token] = PendingCode(user, auth.safe_next(next_page), now + CODE_MINUTES * 60)
    response = _sign_in_page(request, template="sign_in_code.html")
    response.set_cookie(CODE_COOKIE, code_token, httponly=True, samesite="Strict", path="/staff",
                        secure=request.app[SETTINGS].secure_cookies)
    return response


@routes.post("/sign-in/code")
@auth.public
async def sign_in_code(request: web.Request) -> web.Response:
    """The second step for an account with a second factor: the code from the app."""
    form = await request.post()
    pending = request.app[PENDING_CODES].get(request.cookies.get(CODE_COOKIE, ""))
    if pending is None or pending.expires < time.monotonic():
        return _sign_in_page(request, status=401,
                             error="That took too long. Sign in again with your password.")
    refused = await _throttled(request, pending.user.username)
    if refused is not None:
        return refused
    if not await run(request, staff_totp.verify, pending.user.id, str(form.get("code", ""))):
        request.app[SIGNIN_THROTTLE].failed(pending.user.username, client_address(request))
        return _sign_in_page(request, template="sign_in_code.html", status=401,
                             error=CODE_NOT_RIGHT)
    del request.app[PENDING_CODES][request.cookies[CODE_COOKIE]]
    return await _start_session(request, pending.user, pending.next)


@routes.get("/second-factor")
@auth.requires(auth.EDITOR)
@auth.before_second_factor
async def second_factor_form(request: web.Request) -> web.Response:
    """Set up an authenticator app: a new secret, shown as text and as an otpauth:// address."""
    user = auth.current_user(request)
    if user.totp_enrolled:
        return render("second_factor.html", request, {"enrolled": True, "errors": {},
                                                      "done": request.query.get("done") == "1"})
    secret = await run(request, staff_totp.start_enrolment, user)
    return _enrol_page(request, user, secret, {})


def _enrol_page(request: web.Request, user: StaffUser, secret: str, errors: dict,
                status: int = 200) -> web.Response:
    return render("second_factor.html", request, {
        "enrolled": False, "errors": errors, "done": False,
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": staff_totp.provisioning_uri(secret, user.username),
        "required": user.is_admin and request.app[SETTINGS].staff_admin_totp,
    }, status=status)


@routes.post("/second-factor")
@auth.requires(auth.EDITOR)
@auth.before_second_factor
async def second_factor_confirm(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    form = await request.post()
    try:
        await run(request, staff_totp.confirm_enrolment, user, str(form.get("code", "")))
    except AccountError as problem:
        secret = await run(request, staff_totp.pending_secret, user)
        if not secret:
            secret = await run(request, staff_totp.start_enrolment, user)
        return _enrol_page(request, user, secret, {"code": str(problem)}, status=400)
    raise web.HTTPFound("/staff/second-factor?done=1")


@routes.post("/sign-out")
@auth.requires(auth.EDITOR)
@auth.before_second_factor
async def sign_out(request: web.Request) -> web.Response:
    await run(request, staff_sessions.end_session, request.cookies.get(auth.COOKIE))
    response = web.HTTPFound(f"{auth.SIGN_IN_PATH}?signed_out=1")
    response.del_cookie(auth.COOKIE, path="/staff")
    raise response


@routes.post("/session/extend")
@auth.requires(auth.EDITOR)
@auth.before_second_factor
async def extend_session(request: web.Request) -> web.Response:
    """The guard has already slid the expiry forward; tell the page the new time."""
    return web.json_response({"expires_at": request[auth.SESSION]["expires_at"]})


@routes.get("/session.js")
@auth.public
async def session_script(request: web.Request) -> web.Response:
    return web.Response(text=SESSION_SCRIPT, content_type="application/javascript")


@routes.get("/password")
@auth.requires(auth.EDITOR)
async def password_form(request: web.Request) -> web.Response:
    return render("password.html", request, {"errors": {}, "done": request.query.get("done") == "1"})


@routes.post("/password")
@auth.requires(auth.EDITOR)
async def change_password(request: web.Request) -> web.Response:
    form = await request.post()
    current, new, again = (str(form.get(k, "")) for k in ("current", "new", "again"))
    errors: dict[str, str] = {}
    if not current:
        errors["current"] = "Enter your current password."
    if new != again:
        errors["again"] = "The two new passwords are not the same."
    if not errors:
        try:
            staff_users.check_password_strength(new, auth.current_user(request).username)
        except AccountError as problem:
            errors["new"] = str(problem)
    if not errors:
        try:
            await run(request, staff_users.change_own_password, auth.current_user(request),
                      current, new)
        except AccountError as problem:
            errors["current"] = str(problem)
    if errors:
        return render("password.html", request, {"errors": errors, "done": False}, status=400)
    # Changing a password signs out every session, this one included: sign in with the new one.
    response = web.HTTPFound(f"{auth.SIGN_IN_PATH}?signed_out=1")
    response.del_cookie(auth.COOKIE, path="/staff")
    raise response


# --- accounts (admins) ---------------------------------------------------------------------

def _accounts_and_centres(db) -> tuple[list[dict], list[dict]]:
    return staff_users.list_users(db), centre_list(db)


@routes.get("/users")
@auth.requires(auth.ADMIN)
async def users(request: web.Request) -> web.Response:
    accounts, centres = await run(request, _accounts_and_centres)
    return render("users.html", request, {"users": accounts, "centres": centres,
                                          "errors": {}, "values": {}, "created": request.query.get("created")})


@routes.post("/users")
@auth.requires(auth.ADMIN)
async def create_user(request: web.Request) -> web.Response:
    form = await request.post()
    values = {"username": str(form.get("username", "")).strip(), "role": str(form.get("role", "")),
              "centre_ids": [str(c) for c in form.getall("centre_ids", [])]}
    password = str(form.get("password", ""))
    try:
        await run(request, staff_users.create_user, values["username"], password, values["role"],
                  values["centre_ids"], actor=auth.current_user(request).username)
    except AccountError as problem:
        message = str(problem)
        field = ("password" if "characters" in message or "password" in message
                 else "centre_ids" if "centre" in message else "role" if "role" in message
                 else "username")
        accounts, centres = await run(request, _accounts_and_centres)
        return render("users.html", request, {
            "users": accounts, "centres": centres,
            "errors": {field: message}, "values": values, "created": None}, status=400)
    raise web.HTTPFound(f"/staff/users?created={values['username'].lower()}")


@routes.get("/users/{username}")
@auth.requires(auth.ADMIN)
async def user_form(request: web.Request) -> web.Response:
    user, centres = await run(request, _account_and_centres, request.match_info["username"])
    if user is None:
        raise web.HTTPNotFound(text="There is no account with that name.")
    return render("user.html", request, {"account": user, "centres": centres, "errors": {},
                                         "saved": request.query.get("saved")})


def _account_and_centres(db, username: str):
    return staff_users.find_user(db, username), centre_list(db)


@routes.post("/users/{username}")
@auth.requires(auth.ADMIN)
async def update_user(request: web.Request) -> web.Response:
    user = await run(request, staff_users.find_user, request.match_info["username"])
    if user is None:
        raise web.HTTPNotFound(text="There is no account with that name.")
    form = await request.post()
    actor = auth.current_user(request).username
    errors: dict[str, str] = {}
    if form.get("action") == "password":
        try:
            await run(request, staff_users.set_password, user.username,
                      str(form.get("password", "")), actor=actor)
        except AccountError as problem:
            errors["password"] = str(problem)
    else:
        active = form.get("active") == "yes"
        if user.username == actor and (not active or form.get("role") != "admin"):
            errors["role"] = "You cannot take away your own admin access or switch yourself off."
        else:
            try:
                await run(request, staff_users.update_user, user.username,
                          role=str(form.get("role", "")),
                          centre_ids=[str(c) for c in form.getall("centre_ids", [])],
                          active=active, actor=actor)
            except AccountError as problem:
                errors["centre_ids" if "centre" in str(problem) else "role"] = str(problem)
    if errors:
        centres = await run(request, centre_list)
        return render("user.html", request, {"account": user, "centres": centres,
                                             "errors": errors, "saved": None}, status=400)
    raise web.HTTPFound(f"/staff/users/{user.username}?saved=1")


STAFF_CSS = (TEMPLATES / "staff.css").read_text(encoding="utf-8")


@routes.get("/staff.css")
@auth.public
async def staff_css(request: web.Request) -> web.Response:
    return web.Response(text=STAFF_CSS, content_type="text/css")
