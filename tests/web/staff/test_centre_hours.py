"""Staff enter a centre's opening hours day by day; families see them on results and the
"talk to someone" answer uses them."""

from __future__ import annotations

import json
import re

from directory.opening_hours import centre_hours_at, describe_hours, location_schedules
from tests.web.staff.helpers import page_token, sign_in


async def _centre_form(client, path: str) -> tuple[str, list[tuple[str, str]]]:
    page = await (await client.get(path)).text()
    token = await page_token(client, path)
    fingerprint = re.search(r'name="fingerprint" value="([^"]+)"', page).group(1)
    name = re.search(r'id="name" name="name" type="text" value="([^"]*)"', page).group(1)
    address = re.search(r'id="address_1" name="address_1" type="text" value="([^"]*)"', page).group(1)
    city = re.search(r'id="city" name="city" type="text" value="([^"]*)"', page).group(1)
    return page, [("csrf_token", token), ("fingerprint", fingerprint), ("name", name.replace("&#39;", "'")),
                  ("address_1", address), ("city", city), ("postal_code", "BB3 1AB")]


def _hours(**days: tuple[str, str]) -> list[tuple[str, str]]:
    data = []
    for code in ("MO", "TU", "WE", "TH", "FR", "SA", "SU"):
        opens, closes = days.get(code, ("", ""))
        data += [(f"opens_{code}", opens), (f"closes_{code}", closes)]
    return data


async def test_the_form_shows_the_hours_and_saves_new_ones_audited(client, db, centres):
    await sign_in(client, "eddie")
    path = f"/staff/centres/{centres[0]}"
    page, data = await _centre_form(client, path)
    assert "Opening hours" in page
    before = describe_hours(location_schedules(db, centres[0]))
    assert before and 'id="opens_MO"' in page
    weekday = ("9:00", "17:00")
    response = await client.post(path, allow_redirects=False, data=data + _hours(
        MO=weekday, TU=weekday, WE=weekday, TH=weekday, FR=("9am", "4:30pm"), SA=("10", "13:00")))
    assert response.status == 302, await response.text()
    rows = location_schedules(db, centres[0])
    assert describe_hours(rows) == ("Monday to Thursday, 9am to 5pm, Friday, 9am to 4:30pm "
                                    "and Saturday, 10am to 1pm")
    assert all(row["service_id"] is None for row in rows)
    audit = db.execute("SELECT before, after FROM audit_log WHERE table_name = 'location' "
                       "AND record_id = ? ORDER BY id DESC LIMIT 1", [centres[0]]).fetchone()
    assert len(json.loads(audit[1])["schedules"]) == 3 and json.loads(audit[0])["schedules"]
    # The form now shows what was saved.
    page = await (await client.get(path)).text()
    assert 'id="opens_FR" name="opens_FR" type="text" inputmode="numeric" autocomplete="off" value="09:00"' in page
    assert 'id="closes_FR" name="closes_FR" type="text" inputmode="numeric" autocomplete="off" value="16:30"' in page


async def test_hours_that_make_no_sense_are_refused_with_a_clear_message(client, db, centres):
    await sign_in(client, "eddie")
    path = f"/staff/centres/{centres[0]}"
    _, data = await _centre_form(client, path)
    before = location_schedules(db, centres[0])
    bad = await client.post(path, data=data + _hours(MO=("17:00", "9:00"), TU=("9:00", ""),
                                                     WE=("nine", "5pm")))
    text = await bad.text()
    assert bad.status == 400
    assert "On Monday the closing time must be after the opening time." in text
    assert "Enter the time it opens and the time it closes on Tuesday" in text
    assert "Enter times on Wednesday like 9:00 or 17:30." in text
    assert 'value="nine"' in text  # what was typed is kept
    assert location_schedules(db, centres[0]) == before


async def test_a_day_left_empty_is_closed_and_the_chat_knows(client, db, centres):
    from datetime import datetime, timezone
    await sign_in(client, "eddie")
    path = f"/staff/centres/{centres[0]}"
    _, data = await _centre_form(client, path)
    response = await client.post(path, allow_redirects=False,
                                 data=data + _hours(MO=("09:00", "12:00"), WE=("09:00", "12:00")))
    assert response.status == 302
    tuesday = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    hours = centre_hours_at(db, centres[0], tuesday)
    assert hours.text == "Monday and Wednesday, 9am to 12pm"
    assert not hours.open_now and hours.opens_next == datetime(2026, 12, 2, 9, tzinfo=timezone.utc)


async def test_a_form_without_hours_boxes_keeps_the_hours(client, db, centres):
    await sign_in(client, "eddie")
    path = f"/staff/centres/{centres[0]}"
    _, data = await _centre_form(client, path)
    before = describe_hours(location_schedules(db, centres[0]))
    response = await client.post(path, data=data, allow_redirects=False)
    assert response.status == 302
    assert describe_hours(location_schedules(db, centres[0])) == before


async def test_editors_cannot_change_another_centres_hours(client, centres):
    await sign_in(client, "eddie")
    token = await page_token(client, "/staff/")
    response = await client.post(f"/staff/centres/{centres[1]}",
                                 data=[("csrf_token", token)] + _hours(MO=("9:00", "17:00")))
    assert response.status == 403
