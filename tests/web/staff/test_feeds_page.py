"""The staff feeds page: each feed's last sync, and what its categories mean, changeable."""

from __future__ import annotations

from html import unescape

from directory import term_mapping
from directory.sync import sync_feed_async
from tests.directory.feed_server import FeedServer, FeedShape
from tests.directory.test_feed_sync import FAST, council_services
from tests.web.staff.helpers import page_token, sign_in


async def test_staff_see_the_feed_and_can_change_what_a_category_means(client, db):
    async def db_call(fn):
        return fn(db)

    with FeedServer(FeedShape(council_services()[:30])) as url:
        assert (await sync_feed_async(db_call, url, limits=FAST)).ok
    await sign_in(client, "eddie")
    page = unescape(await (await client.get("/staff/feeds")).text())
    assert url in page and "Worked: 30 added" in page
    assert "Baby and toddler groups" in page
    assert "stay_and_play" in term_mapping.mapped_needs(db.conn).get("cc-stayandplay", [])
    token = await page_token(client, "/staff/feeds")
    response = await client.post("/staff/feeds/terms/cc-stayandplay",
                                 data={"csrf_token": token, "need": ["father_friendly"]},
                                 allow_redirects=False)
    assert response.status == 302
    assert term_mapping.mapped_needs(db.conn)["cc-stayandplay"] == ["father_friendly"]
