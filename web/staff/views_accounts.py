"""Signing in and out, changing a password, keeping a session alive, and (admins) accounts."""

from __future__ import annotations

import secrets

from aiohttp import web

from directory import staff_sessions, staff_users
from directory.centres import centre_list
from directory.staff_users import AccountError, LoginLocked
from web.client_address import client_address
from web.staff import auth, csrf
from web.staff.base import (SECRET, SETTINGS, SIGNIN_LIMITER, SIGNIN_RATE, TEMPLATES,
                            render)
from web.staff.directory import run

routes = web.RouteTableDef()
SESSION_SCRIPT = (TEMPLATES / "session.js").read_text(encoding="utf-8")


def _sign_in_page(request: web.Request, *, error: str = "", username: str = "",
                  status: int = 200) -> web.Response:
    pre = request.cookies.get(csrf.PRE_COOKIE) or secrets.token_urlsafe(24)
    response = render("sign_in.html", request, {
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


@routes.post("/sign-in")
@auth.public
async def sign_in(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    if not await request.app[SIGNIN_LIMITER].hit(SIGNIN_RATE, "staff-sign-in", client_address(request)):
        return _sign_in_page(request, username=username, status=429,
                             error="Too many tries from this computer. Wait a minute, then try again.")
    try:
        user = await run(request, staff_users.authenticate, username, password)
    except LoginLocked as locked:
        return _sign_in_page(request, username=username, error=str(locked), status=403)
    if user is None:
        return _sign_in_page(request, username=username, status=401,
                             error="The username or password is not right. Check them and try again.")
    token = await run(request, staff_sessions.start_session, user, csrf.new_token())
    response = web.HTTPFound(auth.safe_next(str(form.get("next", ""))))
    auth.set_session_cookie(response, token, secure=request.app[SETTINGS].secure_cookies)
    response.del_cookie(csrf.PRE_COOKIE, path="/staff")
    raise response


@routes.post("/sign-out")
@auth.requires(auth.EDITOR)
async def sign_out(request: web.Request) -> web.Response:
    await run(request, staff_sessions.end_session, request.cookies.get(auth.COOKIE))
    response = web.HTTPFound(f"{auth.SIGN_IN_PATH}?signed_out=1")
    response.del_cookie(auth.COOKIE, path="/staff")
    raise response


@routes.post("/session/extend")
@auth.requires(auth.EDITOR)
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
