"""Call-back requests: stored, listed for the right staff, closed with who and when, purged later."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from common.settings import Settings
from directory import audit, callbacks
from web import retention
from tests.web.staff.helpers import page_token, sign_in


def test_a_request_needs_a_name_and_a_way_to_reach_the_parent(db):
    with pytest.raises(ValueError, match="first name"):
        callbacks.create_callback(db, first_name="  ", phone="01632 960000")
    with pytest.raises(ValueError, match="phone number or an email"):
        callbacks.create_callback(db, first_name="Sam")
    cid = callbacks.create_callback(db, first_name="Sam", email="sam@example.org",
                                    good_time="after 6pm", summary="Needs: stay and play")
    row = callbacks.get_callback(db, cid)
    assert row["status"] == "open" and row["good_time"] == "after 6pm" and row["closed_by"] is None


def test_open_requests_come_oldest_first_and_closing_records_who_and_when(db):
    first = callbacks.create_callback(db, first_name="Ann", phone="01632 960001")
    second = callbacks.create_callback(db, first_name="Bo", phone="01632 960002")
    assert [r["id"] for r in callbacks.list_callbacks(db, "open")] == [first, second]
    closed = callbacks.close_callback(db, first, "eddie")
    assert closed["status"] == "closed" and closed["closed_by"] == "eddie" and closed["closed_at"]
    again = callbacks.close_callback(db, first, "ada")
    assert again["closed_by"] == "eddie"  # the person who actually called stays on record
    assert [r["id"] for r in callbacks.list_callbacks(db, "open")] == [second]
    assert [r["id"] for r in callbacks.list_callbacks(db, "closed")] == [first]


def test_closed_requests_are_purged_after_90_days_and_open_ones_never(db):
    old = callbacks.create_callback(db, first_name="Old", phone="01632 960003")
    recent = callbacks.create_callback(db, first_name="Recent", phone="01632 960004")
    waiting = callbacks.create_callback(db, first_name="Waiting", phone="01632 960005")
    callbacks.close_callback(db, old, "eddie")
    callbacks.close_callback(db, recent, "eddie")
    long_ago = (datetime.now(timezone.utc) - timedelta(days=91)).isoformat(timespec="seconds")
    db.execute("UPDATE callback SET closed_at = ?, created_at = ? WHERE id = ?", [long_ago, long_ago, old])
    db.execute("UPDATE callback SET created_at = ? WHERE id = ?", [long_ago, waiting])
    db.conn.commit()
    assert callbacks.purge_closed_callbacks(db) == 1
    assert {r["id"] for r in callbacks.list_callbacks(db)} == {recent, waiting}


async def test_staff_see_their_centres_requests_and_close_them(client, db, centres):
    mine = callbacks.create_callback(db, first_name="Priya", phone="01632 960010", centre_id=centres[0],
                                     good_time="Weekday mornings", summary="Wants: dads group, Saturday")
    other = callbacks.create_callback(db, first_name="Olu", phone="01632 960011", centre_id=centres[1])
    anywhere = callbacks.create_callback(db, first_name="Jo", email="jo@example.org")
    await sign_in(client, "eddie")
    inbox = await (await client.get("/staff/callbacks")).text()
    assert "Priya" in inbox and "Olu" not in inbox
    # A request for no centre goes to the admins, not to every centre's editors.
    assert "Jo" not in inbox and "jo@example.org" not in inbox
    assert (await client.get(f"/staff/callbacks/{other}", allow_redirects=False)).status == 403
    assert (await client.get(f"/staff/callbacks/{anywhere}", allow_redirects=False)).status == 403
    detail = await (await client.get(f"/staff/callbacks/{mine}")).text()
    assert "01632 960010" in detail and "Weekday mornings" in detail and "dads group" in detail
    token = await page_token(client, f"/staff/callbacks/{mine}")
    response = await client.post(f"/staff/callbacks/{mine}/close", data={"csrf_token": token},
                                 allow_redirects=False)
    assert response.status == 302
    row = callbacks.get_callback(db, mine)
    assert row["status"] == "closed" and row["closed_by"] == "eddie"
    closed_page = await (await client.get("/staff/callbacks?show=closed")).text()
    assert "Priya" in closed_page and "eddie on" in closed_page
    entry = audit.list_entries(db, table="callback", record_id=str(mine))[0]
    assert entry["actor"] == "eddie" and entry["after"]["status"] == "closed"
    assert "01632 960010" not in str(entry)  # the audit log keeps no contact details


async def test_requests_for_no_centre_reach_admins(client, db, centres):
    anywhere = callbacks.create_callback(db, first_name="Jo", email="jo@example.org")
    await sign_in(client, "ada")
    inbox = await (await client.get("/staff/callbacks")).text()
    assert "Jo" in inbox
    detail = await (await client.get(f"/staff/callbacks/{anywhere}")).text()
    assert "jo@example.org" in detail


async def test_staff_delete_a_request_when_a_parent_asks(client, db, centres):
    mine = callbacks.create_callback(db, first_name="Priya", phone="01632 960030", centre_id=centres[0])
    other = callbacks.create_callback(db, first_name="Olu", phone="01632 960031", centre_id=centres[1])
    await sign_in(client, "eddie")
    token = await page_token(client, f"/staff/callbacks/{mine}")
    refused = await client.post(f"/staff/callbacks/{other}/delete", data={"csrf_token": token},
                                allow_redirects=False)
    assert refused.status == 403
    done = await client.post(f"/staff/callbacks/{mine}/delete", data={"csrf_token": token},
                             allow_redirects=False)
    assert done.status == 302
    with pytest.raises(callbacks.CallbackNotFound):
        callbacks.get_callback(db, mine)
    assert callbacks.get_callback(db, other)["first_name"] == "Olu"
    entry = audit.list_entries(db, table="callback", record_id=str(mine))[0]
    assert entry["actor"] == "eddie" and entry["action"] == "delete"
    assert "01632 960030" not in str(entry) and "Priya" not in str(entry)


def test_open_requests_nobody_answered_expire_after_the_set_days(db, directory_db, tmp_path):
    old = callbacks.create_callback(db, first_name="Old", phone="01632 960040")
    recent = callbacks.create_callback(db, first_name="Recent", phone="01632 960041")
    long_ago = (datetime.now(timezone.utc) - timedelta(days=31)).isoformat(timespec="seconds")
    db.execute("UPDATE callback SET created_at = ? WHERE id = ?", [long_ago, old])
    db.conn.commit()
    settings = retention.RetentionSettings.from_settings(Settings.from_env({
        "SIGNPOST_DIRECTORY_DB": str(directory_db), "SIGNPOST_TRACKER_DB": str(tmp_path / "none.db"),
        "SIGNPOST_CHAT_SESSIONS_DB": str(tmp_path / "none2.db"),
        "SIGNPOST_CALLBACK_OPEN_DAYS": "30"}))
    result = retention.purge(settings)
    assert result.open_callbacks == 1
    assert {r["id"] for r in callbacks.list_callbacks(db)} == {recent}
    entry = audit.list_entries(db, table="callback", record_id=str(old))[0]
    assert entry["actor"] == "retention job" and entry["action"] == "expire"
    assert "01632 960040" not in str(entry)


async def test_the_home_page_counts_requests_waiting(client, db, centres):
    callbacks.create_callback(db, first_name="A", phone="01632 960020", centre_id=centres[0])
    callbacks.create_callback(db, first_name="B", phone="01632 960021", centre_id=centres[0])
    await sign_in(client, "eddie")
    home = await (await client.get("/staff/")).text()
    assert "<strong>2</strong> waiting for a call" in home
