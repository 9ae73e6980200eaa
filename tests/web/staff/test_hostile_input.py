"""The staff area against hostile or careless input: deep JSON, a missing slash."""

from __future__ import annotations

from directory import store
from tests.web.staff.helpers import page_token, sign_in
from tests.web.staff.test_import_export import upload


async def test_a_deeply_nested_import_file_gets_a_clear_message_and_changes_nothing(
        client, db, caplog):
    before = store.service_count(db)
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/import")
    for content in (b"[" * 7000 + b"]" * 7000, b'[{"id": "x", "name": ' + b"[" * 500 + b"]" * 500 + b"}]"):
        response = await client.post("/staff/import", data=upload(token, "deep.json", content))
        assert response.status == 400
        assert "nested more than" in await response.text()
    assert store.service_count(db) == before
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


async def test_a_hand_made_import_address_with_deep_json_still_shows_the_page(client):
    await sign_in(client, "ada")
    response = await client.get("/staff/import", params={"done": '{"a":' + "[" * 1500})
    assert response.status == 200


async def test_staff_without_the_slash_leads_to_sign_in(client):
    response = await client.get("/staff", allow_redirects=False)
    assert response.status in (301, 302, 308)
    followed = await client.get("/staff")
    assert followed.status == 200
    assert followed.url.path == "/staff/sign-in"
    assert "Sign in" in await followed.text()


async def test_a_huge_form_is_refused_everywhere_but_the_admins_import(client, sample_services):
    import json

    big = "x" * (1024 * 1024)
    # Nobody signed in: the sign-in form and the public report form refuse a megabyte.
    page = await client.get("/staff/sign-in")
    assert (await client.post("/staff/sign-in", data={"username": "ada", "password": big})).status == 413
    assert (await client.post("/report", data={"service_id": "x", "reason": big})).status == 413
    # An admin's import of a file over the forms' limit still works.
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/import")
    padded = [dict(s, description=(s.get("description") or "") + " " * 2000) for s in sample_services]
    content = json.dumps(padded).encode()
    assert len(content) > 256 * 1024
    response = await client.post("/staff/import", data=upload(token, "big.json", content))
    assert response.status == 200, await response.text()
    assert "big.json" in await response.text()
    assert page.status == 200
