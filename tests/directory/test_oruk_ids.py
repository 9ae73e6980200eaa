"""Published ids are UUIDs, stable between exports; our own export imports back onto the same
records, and hand-made files that name terms by code or readable id still import."""

from __future__ import annotations

import json

from directory import oruk, store
from directory.db import open_db
from directory.oruk_ids import is_uuid, public_id

from tests.directory.oruk_data import make_services


def _readable(n: int = 5) -> list[dict]:
    """Services with readable ids everywhere, tagged with our need by its readable id."""
    services = make_services(n, locations=2)
    text = json.dumps(services)
    for i, s in enumerate(services):
        text = text.replace(s["id"], f"svc-{i}")
    services = json.loads(text)
    for s in services:
        s["attributes"] = [{"id": f"{s['id']}-need", "taxonomy_term_id": "father_friendly"}]
    return services


def _seeded(path):
    db = open_db(path)
    store.sync_taxonomy(db)
    return db


def test_reimporting_our_own_export_updates_the_same_services(tmp_path):
    db = _seeded(tmp_path / "d.db")
    oruk.import_oruk(db, _readable())
    exported = json.loads(json.dumps(oruk.export_oruk(db)))
    assert all(is_uuid(s["id"]) for s in exported)
    exported[0]["name"] = "Renamed in a spreadsheet"

    report = oruk.import_oruk(db, exported)
    assert (report.created, report.updated) == (0, 5)
    assert store.service_count(db) == 5
    assert store.get_service(db, "svc-0")["name"] == "Renamed in a spreadsheet"
    assert store.get_service(db, "svc-0")["attributes"][0]["taxonomy_term_id"] == "father_friendly"
    # stable: the next export publishes the very same ids
    again = json.loads(json.dumps(oruk.export_oruk(db)))
    assert [s["id"] for s in again] == [s["id"] for s in exported]


def test_export_publishes_uuids_and_the_need_as_its_code(tmp_path):
    db = _seeded(tmp_path / "d.db")
    oruk.import_oruk(db, _readable(1))
    service = oruk.export_oruk(db)[0]
    assert service["id"] == public_id("svc-0")
    attribute = service["attributes"][0]
    assert attribute["taxonomy_term_id"] == public_id("father_friendly")
    assert attribute["taxonomy_term"]["code"] == "father_friendly"


def test_a_file_may_name_a_term_by_its_code(tmp_path):
    db = _seeded(tmp_path / "d.db")
    oruk.import_oruk(db, _readable(1))
    council_term = {"id": "0b8a39c3-6c5e-4d0f-a0b7-1b8e8f7f2a11", "code": "BABY-01",
                    "name": "Baby groups", "description": "Groups for babies."}
    tagged = _readable(2)
    tagged[0]["attributes"] = [{"id": "a-1", "taxonomy_term_id": council_term["id"],
                                "taxonomy_term": council_term}]
    oruk.import_oruk(db, tagged[:1])
    tagged[1]["attributes"] = [{"id": "a-2", "taxonomy_term_id": "BABY-01"}]
    oruk.import_oruk(db, tagged[1:])
    assert store.get_service(db, "svc-1")["attributes"][0]["taxonomy_term_id"] == council_term["id"]


def test_a_feed_of_real_uuids_keeps_them(tmp_path):
    db = _seeded(tmp_path / "d.db")
    services = make_services(2, locations=1)
    oruk.import_oruk(db, services)
    assert {s["id"] for s in oruk.export_oruk(db)} == {s["id"] for s in services}
