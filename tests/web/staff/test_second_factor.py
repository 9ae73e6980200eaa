"""A second factor for staff: admins set up an authenticator app, then sign in with its code."""

from __future__ import annotations

import dataclasses
import html
import re
import time

import pyotp

from directory import audit, staff_totp, staff_users
from web.app import create_app
from tests.web.staff.helpers import PASSWORD, csrf_of, page_token, sign_in


def _secret_of(page: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


async def _enrol(client) -> pyotp.TOTP:
    page = await (await client.get("/staff/second-factor")).text()
    secret = _secret_of(page)
    uri = html.unescape(re.search(r'id="totp-uri">([^<]+)<', page).group(1))
    assert uri.startswith("otpauth://totp/Signpost%20staff:ada?secret=" + secret)
    totp = pyotp.TOTP(secret)
    token = csrf_of(page)
    wrong = await client.post("/staff/second-factor", data={"csrf_token": token, "code": "000000"
                                                            if totp.now() != "000000" else "111111"})
    assert wrong.status == 400 and "That code is not right" in await wrong.text()
    done = await client.post("/staff/second-factor", data={"csrf_token": token, "code": totp.now()})
    assert done.status == 200 and "Your second factor is set up" in await done.text()
    return totp


async def _password_step(client, username: str = "ada"):
    return await sign_in(client, username, expect_ok=False)


async def _code_step(client, first_response, code: str):
    return await client.post("/staff/sign-in/code", data={
        "csrf_token": csrf_of(await first_response.text()), "code": code}, allow_redirects=False)


async def test_an_admin_sets_up_a_second_factor_and_then_needs_its_code(client, db):
    await sign_in(client, "ada")
    totp = await _enrol(client)
    assert staff_users.find_user(db, "ada").totp_enrolled
    entry = audit.list_entries(db, table="staff_user", record_id="ada")[0]
    assert entry["action"] == "second factor on" and totp.secret not in str(entry)
    await client.post("/staff/sign-out", data={"csrf_token": await page_token(client)})

    first = await _password_step(client)
    assert first.status == 200 and "Type your code" in await first.text()
    # The right password alone opens nothing.
    assert (await client.get("/staff/", allow_redirects=False)).status == 302
    wrong = await _code_step(client, first, "123456" if totp.now() != "123456" else "654321")
    assert wrong.status == 401 and "That code is not right" in await wrong.text()
    # The code used to set the app up is spent: the next one (30 seconds on) works.
    next_code = totp.at(time.time() + totp.interval)
    right = await _code_step(client, first, next_code)
    assert right.status == 302 and right.headers["Location"] == "/staff/"
    assert (await client.get("/staff/", allow_redirects=False)).status == 200


async def test_a_code_cannot_be_used_twice(client, db):
    ada = staff_users.find_user(db, "ada")
    secret = staff_totp.start_enrolment(db, ada)
    totp = pyotp.TOTP(secret)
    staff_totp.confirm_enrolment(db, ada, totp.at(time.time() - totp.interval))
    code = totp.now()
    first = await _password_step(client)
    assert (await _code_step(client, first, code)).status == 302
    await client.post("/staff/sign-out", data={"csrf_token": await page_token(client)})
    again = await _password_step(client)
    replay = await _code_step(client, again, code)
    assert replay.status == 401 and "That code is not right" in await replay.text()
    assert (await client.get("/staff/", allow_redirects=False)).status == 302


async def test_a_code_without_the_password_first_opens_nothing(client, db):
    ada = staff_users.find_user(db, "ada")
    secret = staff_totp.start_enrolment(db, ada)
    staff_totp.confirm_enrolment(db, ada, pyotp.TOTP(secret).now())
    page = await client.get("/staff/sign-in")
    response = await client.post("/staff/sign-in/code", data={
        "csrf_token": csrf_of(await page.text()), "code": pyotp.TOTP(secret).at(time.time() + 30)},
        allow_redirects=False)
    assert response.status == 401 and "Sign in again with your password" in await response.text()


async def test_when_required_an_admin_must_set_up_a_second_factor_first(aiohttp_client, settings):
    client = await aiohttp_client(create_app(dataclasses.replace(settings, staff_admin_totp=True)))
    await sign_in(client, "ada")
    blocked = await client.get("/staff/users", allow_redirects=False)
    assert blocked.status == 302 and blocked.headers["Location"] == "/staff/second-factor"
    page = await (await client.get("/staff/second-factor")).text()
    assert "Admins must do this before they can use the staff area" in page
    refused = await client.post("/staff/users", data={"csrf_token": csrf_of(page),
                                                      "username": "mallory", "role": "admin"})
    assert refused.status == 403
    await _enrol(client)
    assert (await client.get("/staff/users", allow_redirects=False)).status == 200
    # Editors are not made to.
    other = await aiohttp_client(create_app(dataclasses.replace(settings, staff_admin_totp=True)))
    await sign_in(other, "eddie")
    assert (await other.get("/staff/services", allow_redirects=False)).status == 200


def test_the_setting_comes_from_the_environment():
    from common.settings import Settings
    assert Settings.from_env({"SIGNPOST_STAFF_ADMIN_TOTP": "1"}).staff_admin_totp
    assert not Settings.from_env({}).staff_admin_totp
