"""``modified_after`` on our own ORUK API (``/oruk/services``): a wrong value gets a 400 that
names it. That our API passes our probe, ``modified_after`` included, is proved by
``tests/directory/test_probe.py::test_our_own_api_passes_every_required_check``."""

from __future__ import annotations


async def test_a_bad_modified_after_gets_a_400_that_names_it(client):
    resp = await client.get("/oruk/services", params={"modified_after": "last tuesday"})
    assert resp.status == 400 and "modified_after" in (await resp.json())["message"]
