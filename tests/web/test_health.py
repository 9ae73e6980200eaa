"""/healthz tells which tier is up."""

from __future__ import annotations

from tests.stack import free_port


async def test_health_reports_every_tier_ok(client):
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    assert body["tiers"] == {"web": "ok", "rasa": "ok", "actions": "ok", "directory": "ok"}
    assert body["services"] == 90


async def test_health_names_the_tier_that_is_down(make_client):
    client = await make_client(actions_url=f"http://127.0.0.1:{free_port()}")
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "degraded"
    assert body["tiers"]["rasa"] == "ok"
    assert body["tiers"]["actions"].startswith("unreachable")
