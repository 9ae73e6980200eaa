"""SIGNPOST_FEED_URLS: the web tier syncs councils' feeds at start, and /search finds their
services by need although they carry only the councils' own categories."""

from __future__ import annotations

import asyncio
from html import unescape

from directory import store
from directory.db import open_db
from tests.directory.feed_server import FeedServer, FeedShape
from tests.directory.test_feed_sync import council_services


async def test_feeds_are_synced_at_start_and_searchable_by_need(make_client, tmp_path):
    path = tmp_path / "feeds.db"
    db = open_db(path)
    store.sync_taxonomy(db)
    db.close()
    services = council_services()
    dads = [s["name"] for s in council_services() if any(
        a["taxonomy_term"]["name"] == "Dads" for a in s["attributes"])]
    one, two = FeedShape(services[:45]), FeedShape(services[45:])
    with FeedServer(one) as first, FeedServer(two) as second:
        client = await make_client(directory_db=path, feed_urls=[first, second])
        db = open_db(path)
        for _ in range(200):  # wait for the start-up sync of both feeds
            if db.execute("SELECT count(*) FROM feed").fetchone()[0] == 2:
                break
            await asyncio.sleep(0.1)
        results = db.execute("SELECT last_result FROM feed").fetchall()
        assert results == [("ok",), ("ok",)]
        assert db.execute("SELECT count(*) FROM service").fetchone()[0] == 90
        html = unescape(await (await client.get("/search", params={"need": "father_friendly"})
                               ).text())
    assert "services found" in html
    assert any(name in html for name in dads)
