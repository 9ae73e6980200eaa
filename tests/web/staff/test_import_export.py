"""Import in the browser (upload → preview with row errors → confirm, atomic) and export."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp

from directory import audit, store
from directory.db import open_db
from tests.web.staff.helpers import page_token, sign_in

ROOT = Path(__file__).resolve().parents[3]


def upload(token: str, name: str, content: bytes, replace: bool = False) -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field("csrf_token", token)
    if replace:
        form.add_field("replace", "yes")
    form.add_field("file", content, filename=name, content_type="application/json")
    return form


SHARED = ("organization", "location", "taxonomy_term")
REFERENCES = ("service_id", "service_at_location_id", "link_id", "contact_id")


def renumbered(service: dict, n: int) -> dict:
    """A copy of a service with new ids for everything it owns (centres and terms stay shared)."""
    mapping: dict[str, str] = {}

    def new(old: str) -> str:
        return mapping.setdefault(old, str(uuid.uuid5(uuid.NAMESPACE_URL, f"{n}/{old}")))

    def walk(obj, rename: bool):
        if isinstance(obj, list):
            return [walk(item, rename) for item in obj]
        if not isinstance(obj, dict):
            return obj
        out = {}
        for key, value in obj.items():
            if key in SHARED:
                out[key] = value
            elif key == "id" and rename:
                out[key] = new(value)
            else:
                out[key] = walk(value, rename)
        return out

    copy = walk(json.loads(json.dumps(service)), True)

    def fix(obj):
        if isinstance(obj, list):
            for item in obj:
                fix(item)
        elif isinstance(obj, dict):
            for key, value in obj.items():
                if key in SHARED:
                    continue
                if key in REFERENCES and value in mapping:
                    obj[key] = mapping[value]
                else:
                    fix(value)

    fix(copy)
    copy["name"] = f"Bulk service {n}"
    return copy


def directory_fingerprint(db) -> tuple:
    return (store.service_count(db),
            db.execute("SELECT group_concat(id || ':' || version || ':' || name, '|') FROM "
                       "(SELECT * FROM service ORDER BY id)").fetchone()[0])


async def test_a_good_file_shows_a_preview_then_imports_on_confirm(client, db, sample_services):
    changed = json.loads(json.dumps(sample_services[:3]))
    changed[0]["name"] = "Imported New Name"
    changed[2]["id"] = "0b1c2d3e-0000-4000-8000-000000000001"
    for sal in changed[2]["service_at_locations"]:
        sal["id"] = sal["id"][:-4] + "abcd"
        sal["service_id"] = changed[2]["id"]
        for sc in sal.get("schedules") or []:
            sc["id"] = sc["id"][:-4] + "abcd"
            sc.pop("service_id", None)
    for key in ("schedules", "cost_options", "contacts", "phones", "attributes", "languages",
                "funding", "service_areas"):
        for i, item in enumerate(changed[2].get(key) or []):
            item["id"] = item["id"][:-4] + f"ab{i:02d}"
            item.pop("service_id", None)
            item.pop("link_id", None)
    before = directory_fingerprint(db)
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/import")
    preview = await client.post("/staff/import", data=upload(token, "update.json", json.dumps(changed).encode()))
    page = await preview.text()
    assert preview.status == 200, page
    assert "Check the import" in page and "<strong>3</strong> services" in page
    assert "1 new" in page and "2 will replace" in page
    assert directory_fingerprint(db) == before  # nothing written by the preview
    confirm_token = page.split('name="token" value="')[1].split('"')[0]
    done = await client.post("/staff/import/confirm", data={"csrf_token": token, "token": confirm_token})
    assert done.status == 200 and "Import finished: 3 services (1 new, 2 updated)" in await done.text()
    assert store.get_service(db, changed[0]["id"])["name"] == "Imported New Name"
    assert store.service_count(db) == before[0] + 1
    row = audit.list_entries(db, table="service", record_id="*")[0]
    assert row["actor"] == "ada" and row["after"]["created"] == 1 and row["after"]["file"] == "update.json"
    # The same confirmation cannot be used twice.
    again = await client.post("/staff/import/confirm", data={"csrf_token": token, "token": confirm_token})
    assert again.status == 400 and "expired" in await again.text()


async def test_a_bad_file_lists_row_level_errors_and_changes_nothing(client, db, sample_services):
    bad = json.loads(json.dumps(sample_services[:4]))
    bad[1]["name"] = 42
    bad[3]["minimum_age"] = "three"
    del bad[2]["id"]
    before = directory_fingerprint(db)
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/import")
    response = await client.post("/staff/import", data=upload(token, "bad.json", json.dumps(bad).encode()))
    page = await response.text()
    assert response.status == 400
    assert "Nothing was imported" in page and 'id="row-errors"' in page
    rows = page.split('id="row-errors"')[1]
    for where in ("Service 2", "Service 3", "Service 4"):
        assert f'<td class="govuk-table__cell">{where}</td>' in rows
    assert "minimum_age" in rows
    assert directory_fingerprint(db) == before


async def test_a_file_that_is_not_json_gets_a_clear_message(client):
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/import")
    response = await client.post("/staff/import", data=upload(token, "x.json", b"{not json"))
    assert response.status == 400
    assert "not valid JSON" in await response.text()


async def test_the_staff_spreadsheet_round_trips_through_the_browser(client, db, sample_services):
    await sign_in(client, "ada")
    exported = await client.get("/staff/export.csv")
    assert exported.status == 200 and "attachment" in exported.headers["Content-Disposition"]
    text = await exported.text()
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {r["service_id"] for r in rows} == {s["id"] for s in sample_services}
    target = next(r for r in rows if r["opens_at"] and r["frequency"].lower().startswith("week"))
    target["opens_at"], target["closes_at"] = "15:10", "16:40"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    before = directory_fingerprint(db)
    token = await page_token(client, "/staff/import")
    preview = await client.post("/staff/import", data=upload(token, "sheet.csv", out.getvalue().encode()))
    page = await preview.text()
    assert preview.status == 200, page
    assert "Check the import" in page and "are the same as now" in page
    assert directory_fingerprint(db) == before  # the preview was a trial, rolled back
    confirm_token = page.split('name="token" value="')[1].split('"')[0]
    done = await client.post("/staff/import/confirm", data={"csrf_token": token, "token": confirm_token})
    assert "Import finished: 1 services" in await done.text()
    times = [(s.get("opens_at"), s.get("closes_at"))
             for s in db.query("SELECT opens_at, closes_at FROM schedule WHERE service_id = ?",
                               [target["service_id"]])]
    assert any(o.startswith("15:10") and c.startswith("16:40") for o, c in times), times


async def test_a_bad_spreadsheet_names_the_line_and_column(client, db):
    await sign_in(client, "ada")
    text = await (await client.get("/staff/export.csv")).text()
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    rows[2]["min_age"] = "toddler"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    before = directory_fingerprint(db)
    token = await page_token(client, "/staff/import")
    response = await client.post("/staff/import", data=upload(token, "sheet.csv", out.getvalue().encode()))
    page = await response.text()
    assert response.status == 400 and "Nothing was imported" in page
    assert '<td class="govuk-table__cell">Line 4</td>' in page and "min_age" in page
    assert directory_fingerprint(db) == before


async def test_export_downloads_every_service_as_oruk_json(client, sample_services):
    await sign_in(client, "ada")
    response = await client.get("/staff/export.json")
    assert response.status == 200
    assert "attachment" in response.headers["Content-Disposition"]
    exported = json.loads(await response.text())
    assert {s["id"] for s in exported} == {s["id"] for s in sample_services}
    assert all("version" not in s for s in exported)


def test_killing_the_process_during_an_import_leaves_the_directory_as_it_was(directory_db, sample_services, tmp_path):
    """A big browser import is stopped with SIGKILL half way: afterwards nothing has changed."""
    big = [renumbered(sample_services[i % len(sample_services)], i) for i in range(4000)]
    data_file = tmp_path / "big.json"
    data_file.write_text(json.dumps(big))
    db = open_db(directory_db)
    before = directory_fingerprint(db)
    audit_before = audit.count_entries(db)
    db.close()
    marker = tmp_path / "writing"
    script = (
        "import json, sys, pathlib\n"
        "from directory.db import open_db\n"
        "from directory import store\n"
        "from directory.edits import apply_import\n"
        "db = open_db(sys.argv[1])\n"
        "services = json.loads(pathlib.Path(sys.argv[2]).read_text())\n"
        "real = store.write_services\n"
        "def slow(conn, services, **kw):\n"
        "    result = real(conn, services, **kw)\n"
        "    pathlib.Path(sys.argv[3]).touch()\n"  # rows are written, not yet committed
        "    import time; time.sleep(60)\n"
        "    return result\n"
        "store.write_services = slow\n"
        "apply_import(db, services, replace=True, actor='ada', filename='big.json')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-c", script, str(directory_db), str(data_file), str(marker)],
                               env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, "the import process ended early"
            assert time.monotonic() < deadline, "the import never reached the write"
            time.sleep(0.1)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    db = open_db(directory_db)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert directory_fingerprint(db) == before
    assert audit.count_entries(db) == audit_before
    assert db.execute("SELECT count(*) FROM service WHERE name LIKE 'Bulk service%'").fetchone()[0] == 0
    db.close()
