"""What the staff tests do again and again: sign in, read a form's CSRF token."""

from __future__ import annotations

import re

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


async def sign_in(client, username: str, password: str = PASSWORD, *, expect_ok: bool = True):
    page = await client.get("/staff/sign-in")
    token = csrf_of(await page.text())
    response = await client.post("/staff/sign-in", data={
        "username": username, "password": password, "csrf_token": token, "next": "/staff/"},
        allow_redirects=False)
    if expect_ok:
        assert response.status == 302, await response.text()
    return response


async def page_token(client, path: str = "/staff/") -> str:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    return csrf_of(await response.text())
