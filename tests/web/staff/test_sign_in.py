"""Signing in: cookies, wrong passwords, back-off, rate limits, password change, session expiry."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta, timezone

from aiohttp import web

from web.app import create_app
from web.staff import auth, throttle
from web.staff.base import SIGNIN_THROTTLE
from directory import staff_users
from tests.web.staff.helpers import PASSWORD, csrf_of, page_token, sign_in


async def test_signing_in_sets_a_strict_httponly_cookie_and_opens_the_home_page(client):
    response = await sign_in(client, "ada")
    cookie = response.headers["Set-Cookie"]
    assert "signpost_staff=" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the next test for HTTPS
    home = await client.get("/staff/")
    assert home.status == 200
    text = await home.text()
    assert "Signed in as <strong>ada</strong>" in text
    assert home.headers["Cache-Control"] == "no-store"


async def test_cookie_is_secure_when_served_over_https(aiohttp_client, settings):
    client = await aiohttp_client(create_app(dataclasses.replace(settings, secure_cookies=True)))
    # A Secure cookie is not sent back over plain HTTP, so only the header is checked here.
    page = await client.get("/staff/sign-in")
    response = await client.post("/staff/sign-in", data={
        "username": "ada", "password": PASSWORD, "csrf_token": csrf_of(await page.text())},
        allow_redirects=False, cookies={"signpost_staff_pre": page.cookies["signpost_staff_pre"].value})
    assert response.status == 302
    assert "Secure" in response.headers["Set-Cookie"]


async def test_a_wrong_password_is_refused_with_a_plain_message(client):
    response = await sign_in(client, "ada", "not my password", expect_ok=False)
    assert response.status == 401
    assert "username or password is not right" in await response.text()
    assert (await client.get("/staff/", allow_redirects=False)).status == 302


class FakeClock:
    """The throttle's clock, moved by hand: the test says how much time passes."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def staff_app(client):
    """The ``/staff`` sub-app behind the test client."""
    return next(r._app for r in client.app.router.resources()
                if isinstance(r, web.PrefixedSubAppResource) and r.canonical == "/staff")


def fake_clock(client) -> FakeClock:
    clock = FakeClock()
    throttle = staff_app(client)[SIGNIN_THROTTLE]
    throttle.usernames.clock = throttle.addresses.clock = clock
    return clock


def error_of(html: str) -> str:
    match = re.search(r'govuk-error-summary__list"><li><a href="#\w+">([^<]*)<', html)
    return match.group(1) if match else ""


async def test_wrong_passwords_for_one_username_back_off_with_doubling_waits(client):
    clock = fake_clock(client)
    for _ in range(throttle.USERNAME_FREE_TRIES + 1):
        assert (await sign_in(client, "eddie", "guess guess guess", expect_ok=False)).status == 401
    # Now the username must wait, even with the right password, and the wait doubles.
    waiting = await sign_in(client, "eddie", PASSWORD, expect_ok=False)
    assert waiting.status == 429
    assert error_of(await waiting.text()) == "Too many tries. Wait 2 seconds, then try again."
    clock.now += 2
    assert (await sign_in(client, "eddie", "guess guess guess", expect_ok=False)).status == 401
    longer = await sign_in(client, "eddie", PASSWORD, expect_ok=False)
    assert error_of(await longer.text()) == "Too many tries. Wait 4 seconds, then try again."
    clock.now += 4
    assert (await sign_in(client, "eddie", PASSWORD, expect_ok=False)).status == 302


async def test_the_answers_never_tell_a_real_account_from_a_made_up_one(aiohttp_client, settings):
    answers = {}
    for name in ("ada", "adaxyz"):  # ada is a real admin; adaxyz does not exist
        client = await aiohttp_client(create_app(settings))
        fake_clock(client)
        seen = []
        for _ in range(throttle.USERNAME_FREE_TRIES + 2):
            response = await sign_in(client, name, "guess guess guess", expect_ok=False)
            seen.append((response.status, error_of(await response.text())))
        answers[name] = seen
    assert answers["ada"] == answers["adaxyz"]
    assert answers["ada"][0] == (401, "The username or password is not right. Check them and try again.")
    assert answers["ada"][-1] == (429, "Too many tries. Wait 2 seconds, then try again.")
    assert not any("locked" in text for _, text in answers["ada"])


def test_a_stranger_can_slow_an_account_a_little_but_one_address_a_lot():
    clock = FakeClock()
    limiter = throttle.SignInThrottle(clock)
    for i in range(40):  # someone guesses ada's password from 40 addresses
        limiter.failed("ada", f"203.0.113.{i}")
    assert 0 < limiter.wait("ADA ", "198.51.100.7") <= throttle.USERNAME_MAX_WAIT
    for i in range(30):  # one address guesses 30 names
        limiter.failed(f"name{i}", "198.51.100.9")
    assert limiter.wait("eddie", "198.51.100.9") > throttle.USERNAME_MAX_WAIT
    clock.now += throttle.ADDRESS_MAX_WAIT
    assert limiter.wait("eddie", "198.51.100.9") == 0
    limiter.succeeded("ada")
    assert limiter.wait("ada", "198.51.100.7") == 0


async def test_many_sign_in_attempts_from_one_address_are_slowed_down(client):
    statuses = []
    for i in range(12):  # different made-up names, so no account lockout is involved
        statuses.append((await sign_in(client, f"nobody{i}", "whatever", expect_ok=False)).status)
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]


async def test_changing_the_password_signs_out_and_the_new_password_works(client):
    await sign_in(client, "eddie")
    token = await page_token(client, "/staff/password")
    wrong = await client.post("/staff/password", data={
        "csrf_token": token, "current": "nope", "new": "teapot river orange", "again": "teapot river orange"})
    assert wrong.status == 400
    assert 'id="current-error"' in await wrong.text()
    short = await client.post("/staff/password", data={
        "csrf_token": token, "current": PASSWORD, "new": "short", "again": "short"})
    assert short.status == 400
    assert "at least 10 characters" in await short.text()
    done = await client.post("/staff/password", data={
        "csrf_token": token, "current": PASSWORD, "new": "teapot river orange",
        "again": "teapot river orange"}, allow_redirects=False)
    assert done.status == 302 and done.headers["Location"].startswith("/staff/sign-in")
    assert (await client.get("/staff/", allow_redirects=False)).status == 302
    assert (await sign_in(client, "eddie", PASSWORD, expect_ok=False)).status == 401
    assert (await sign_in(client, "eddie", "teapot river orange", expect_ok=False)).status == 302


async def test_an_idle_session_expires_and_says_why(client, db):
    await sign_in(client, "ada")
    page = await (await client.get("/staff/")).text()
    assert 'id="session-warning"' in page and "data-expires-at=" in page
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    db.execute("UPDATE staff_session SET expires_at = ?", [past])
    db.conn.commit()
    response = await client.get("/staff/services", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/staff/sign-in?next=/staff/services&expired=1"
    notice = await (await client.get(response.headers["Location"])).text()
    assert "signed out because nothing happened for 30 minutes" in notice
    assert db.execute("SELECT count(*) FROM staff_session").fetchone()[0] == 0


async def test_activity_slides_the_expiry_and_the_banner_can_extend_it(client, db):
    await sign_in(client, "ada")
    soon = (datetime.now(timezone.utc) + timedelta(minutes=2)).isoformat()
    db.execute("UPDATE staff_session SET expires_at = ?", [soon])
    db.conn.commit()
    token = await page_token(client)
    response = await client.post("/staff/session/extend", headers={"X-CSRF-Token": token})
    assert response.status == 200
    new_expiry = datetime.fromisoformat((await response.json())["expires_at"])
    assert new_expiry - datetime.now(timezone.utc) > timedelta(minutes=auth.IDLE_MINUTES - 1)


async def test_a_session_ends_after_the_longest_day_whatever_happens(client, db):
    await sign_in(client, "ada")
    long_ago = (datetime.now(timezone.utc) - timedelta(hours=auth.MAX_HOURS + 1)).isoformat()
    db.execute("UPDATE staff_session SET created_at = ?", [long_ago])
    db.conn.commit()
    assert (await client.get("/staff/", allow_redirects=False)).status == 302


async def test_signing_out_ends_the_session_on_the_server(client, db):
    await sign_in(client, "ada")
    token = await page_token(client)
    response = await client.post("/staff/sign-out", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 302
    assert db.execute("SELECT count(*) FROM staff_session").fetchone()[0] == 0


async def test_sign_in_only_sends_you_back_into_the_staff_area(client):
    page = await client.get("/staff/sign-in?next=https://evil.example/")
    response = await client.post("/staff/sign-in", data={
        "username": "ada", "password": PASSWORD, "csrf_token": csrf_of(await page.text()),
        "next": "https://evil.example/"}, allow_redirects=False)
    assert response.headers["Location"] == "/staff/"


async def test_a_switched_off_account_cannot_sign_in(client, db):
    staff_users.update_user(db, "olive", role="editor", centre_ids=["x"], active=False, actor="ada")
    assert (await sign_in(client, "olive", expect_ok=False)).status == 401


def test_passwords_are_stored_as_argon2_hashes(db):
    stored = db.execute("SELECT password_hash FROM staff_user WHERE username = 'ada'").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
