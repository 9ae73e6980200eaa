"""Our own ORUK API passes our own probe (``python -m directory probe``): a council checking
Signpost's feed with the same checks we run on theirs finds every required one passing."""

from __future__ import annotations

import aiohttp

from directory.probe import PROBE_LIMITS, probe


async def test_our_oruk_api_passes_every_required_check_of_our_probe(client):
    base_url = str(client.make_url("/oruk")).rstrip("/")
    async with aiohttp.ClientSession() as session:
        result = await probe(base_url, session=session, limits=PROBE_LIMITS)
    assert result.error is None
    failed = [f"{c.name}: {c.detail}" for c in result.failed() if c.required]
    assert failed == [], result.table()
    assert result.ok and any(c.required for c in result.checks)
    # So another Signpost syncing ours reads only what changed (directory/sync.py).
    assert result.supports("modified_after"), result.table()


async def test_a_bad_modified_after_gets_a_400_that_names_it(client):
    resp = await client.get("/oruk/services", params={"modified_after": "last tuesday"})
    assert resp.status == 400 and "modified_after" in (await resp.json())["message"]
