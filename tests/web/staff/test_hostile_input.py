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
