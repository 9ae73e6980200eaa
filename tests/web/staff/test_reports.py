""""This is wrong" reports in the staff area: each centre sees its own, marks them done, audited."""

from __future__ import annotations

from directory import audit, edits, reports
from tests.web.staff.helpers import page_token, sign_in


def _service_at(db, location_id: str) -> str:
    return db.execute("SELECT service_id FROM service_at_location WHERE location_id = ? LIMIT 1",
                      [location_id]).fetchone()[0]


async def test_staff_see_reports_about_their_centres_and_mark_them_done(client, db, centres):
    mine = edits.file_report(db, service_id=_service_at(db, centres[0]), location_id=centres[0],
                             reason="time", consent=True, details="It starts at 10 now")
    other = edits.file_report(db, service_id=_service_at(db, centres[1]), location_id=centres[1],
                              reason="closed")
    await sign_in(client, "eddie")
    inbox = await (await client.get("/staff/reports")).text()
    assert "Day or time is wrong (with a note)" in inbox and "Stopped or closed" not in inbox
    assert "<strong>1</strong> to do." in await (await client.get("/staff/")).text()
    assert (await client.get(f"/staff/reports/{other}", allow_redirects=False)).status == 403
    detail = await (await client.get(f"/staff/reports/{mine}")).text()
    assert "It starts at 10 now" in detail
    token = await page_token(client, f"/staff/reports/{mine}")
    response = await client.post(f"/staff/reports/{mine}/done", data={"csrf_token": token},
                                 allow_redirects=False)
    assert response.status == 302
    row = reports.get_report(db, mine)
    assert row["status"] == "done" and row["done_by"] == "eddie"
    assert "Nothing to do" in await (await client.get("/staff/reports")).text()
    assert "eddie on" in await (await client.get("/staff/reports?show=done")).text()
    entry = audit.list_entries(db, table="listing_report", record_id=str(mine))[0]
    assert entry["actor"] == "eddie" and entry["after"]["status"] == "done"
    assert "starts at 10" not in str(audit.list_entries(db, table="listing_report"))


async def test_marking_done_needs_the_csrf_token_and_admins_see_every_centre(client, db, centres):
    other = edits.file_report(db, service_id=_service_at(db, centres[1]), location_id=centres[1],
                              reason="place")
    await sign_in(client, "ada")
    assert "Place is wrong" in await (await client.get("/staff/reports")).text()
    response = await client.post(f"/staff/reports/{other}/done", data={}, allow_redirects=False)
    assert response.status == 403
    assert reports.get_report(db, other)["status"] == "open"
