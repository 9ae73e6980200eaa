"""Importing ORUK 3.0 files: all or nothing, with errors a council officer can act on."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from directory import oruk, shape, store
from directory.db import open_db
from directory.oruk import ImportFileError, ImportRejected

from tests.directory.oruk_data import make_service, make_services

ROOT = Path(__file__).resolve().parents[2]
#: The UK profile's own example service (vendored, see tests/directory/oruk_examples/README.md).
ORUK_EXAMPLE = Path(__file__).resolve().parent / "oruk_examples" / "service_full.json"
VENDORED_SCHEMA = ROOT / "directory" / "schemas" / "service.json"


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "directory.db")
    yield database
    database.close()


def _counts(db) -> dict[str, int]:
    return {t: db[t].count for t in shape.CONTENT_TABLES}


def _rejected(db, data) -> list[oruk.RowError]:
    before = _counts(db)
    with pytest.raises(ImportRejected) as raised:
        oruk.import_oruk(db, data)
    assert _counts(db) == before, "a rejected import must change nothing"
    return raised.value.errors


def _official_example() -> dict:
    """The ORUK example service, with its placeholder coordinates and schedule made valid."""
    service = json.loads(ORUK_EXAMPLE.read_text())
    location = service["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 53.75, -2.48
    del service["schedules"][0]["bymonthday"]  # bymonthday with WEEKLY means nothing
    return service


def test_the_official_oruk_example_imports(db):
    report = oruk.import_oruk(db, [_official_example()])
    assert report.imported == report.created == 1
    back = store.get_service(db, "ac148810-d857-441c-9679-408f346de14b")
    assert back["organization"]["organization_identifiers"][0]["identifier"] == "1234567"
    assert back["funding"][0]["source"].startswith("This service is funded")


def test_a_list_and_a_paginated_page_both_import(db):
    oruk.import_oruk(db, make_services(3))
    page = {"total_items": 2, "total_pages": 1, "page_number": 1, "size": 2,
            "first_page": True, "last_page": True, "empty": False,
            "contents": make_services(2, start=10)}
    report = oruk.import_oruk(db, page)
    assert report.imported == 2
    assert db["service"].count == 5


def test_import_merges_by_id_by_default(db):
    oruk.import_oruk(db, make_services(5))
    changed = make_services(2)
    changed[0]["name"] = "Changed name"
    report = oruk.import_oruk(db, changed)
    assert (report.created, report.updated) == (0, 2)
    assert db["service"].count == 5
    assert store.get_service(db, changed[0]["id"])["name"] == "Changed name"
    assert store.get_service(db, changed[0]["id"])["version"] == 2


def test_replace_empties_the_directory_first(db):
    oruk.import_oruk(db, make_services(5))
    store.sync_taxonomy(db)
    store.add_phrase(db, "stay_and_play", "messy mornings")
    report = oruk.import_oruk(db, make_services(2, start=100, locations=1), replace=True)
    assert report.replaced
    assert db["service"].count == 2
    assert db["location"].count == 1
    assert db.execute("SELECT count(*) FROM service_fts").fetchone()[0] == 2
    # The taxonomy and staff phrases are not part of the directory content.
    assert db["taxonomy_term"].count == 12
    assert db["taxonomy_term_phrase"].count_where("source = 'staff'") == 1


def test_malformed_json_names_the_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"id": "a", "name": "x",\n   "status": }\n]')
    with pytest.raises(ImportFileError) as raised:
        oruk.load_json_file(path)
    assert "line 3" in str(raised.value) and "column" in str(raised.value)


@pytest.mark.parametrize("content", ['{"id": "a"}', '"just text"', "42", '{"contents": 5}'])
def test_a_file_that_is_not_a_list_of_services_is_refused(tmp_path, content):
    path = tmp_path / "odd.json"
    path.write_text(content)
    with pytest.raises(ImportFileError) as raised:
        oruk.load_json_file(path)
    assert "not a list of ORUK services" in str(raised.value)


def test_a_missing_file_and_a_non_utf8_file_get_clear_messages(tmp_path):
    with pytest.raises(ImportFileError, match="no file"):
        oruk.load_json_file(tmp_path / "nope.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('[{"name": "caf\xe9"}]'.encode("latin-1"))
    with pytest.raises(ImportFileError, match="UTF-8"):
        oruk.load_json_file(latin)


def test_schema_violations_are_reported_with_paths_in_plain_words(db):
    bad = make_service(1)
    del bad["name"]
    bad["status"] = "open"
    bad["service_at_locations"][0]["location"]["latitude"] = "fifty three"
    bad["service_at_locations"][0]["location"]["addresses"][0].pop("postal_code")
    bad["schedules"][0]["freq"] = "DAILY"
    errors = _rejected(db, [make_service(0), bad])
    by_path = {e.path: e for e in errors}
    assert by_path["name"].message.startswith("is missing")
    assert "active" in by_path["status"].message
    assert by_path["service_at_locations[0].location.latitude"].message.startswith(
        "must be a number")
    assert "service_at_locations[0].location.addresses[0].postal_code" in by_path
    assert "WEEKLY" in by_path["schedules[0].freq"].message
    assert all(e.index == 1 and e.service_id == bad["id"] for e in errors)
    assert "Row 2" in str(by_path["name"])


def test_one_bad_service_among_many_changes_nothing(db):
    oruk.import_oruk(db, make_services(3))
    services = make_services(50, start=3)
    services[37]["minimum_age"] = "two"
    errors = _rejected(db, services)
    assert [(e.index, e.path) for e in errors] == [(37, "minimum_age")]


def test_duplicate_service_ids_in_a_file_are_refused(db):
    one, two = make_service(1), make_service(2)
    two["id"] = one["id"]
    errors = _rejected(db, [one, two])
    assert len(errors) == 1 and errors[0].index == 1 and "row 1" in errors[0].message


def test_duplicate_child_ids_in_a_file_are_refused(db):
    one, two = make_service(1), make_service(2)
    two["schedules"][0]["id"] = one["schedules"][0]["id"]
    errors = _rejected(db, [one, two])
    assert [e.path for e in errors] == ["schedules[0].id"]
    twice = make_service(3)
    twice["contacts"].append(copy.deepcopy(twice["contacts"][0]))
    assert [e.path for e in _rejected(db, [twice])] == ["contacts[1].id"]


def test_the_same_centre_in_many_services_is_not_a_duplicate(db):
    services = make_services(10, locations=1)
    services[3]["service_at_locations"].append(copy.deepcopy(services[3]["service_at_locations"][0]))
    services[3]["service_at_locations"][1]["id"] = "second-link"
    services[3]["service_at_locations"][1]["schedules"] = []
    assert oruk.validate_services(services) == []
    oruk.import_oruk(db, services)
    assert db["location"].count == 1 and db["address"].count == 1


def test_an_id_already_used_by_another_service_is_refused(db):
    oruk.import_oruk(db, [make_service(1)])
    other = make_service(2)
    other["cost_options"][0]["id"] = make_service(1)["cost_options"][0]["id"]
    errors = _rejected(db, [other])
    assert errors[0].path == "cost_options[0].id"
    assert "already used" in errors[0].message


def test_references_to_unknown_centres_and_terms_are_refused(db):
    service = make_service(1)
    service["service_at_locations"][0] = {"id": "sal-x", "location_id": "no-such-centre"}
    service["attributes"] = [{"id": "attr-x", "taxonomy_term_id": "no-such-term"}]
    errors = _rejected(db, [service])
    assert {e.path for e in errors} == {"service_at_locations[0].location_id",
                                        "attributes[0].taxonomy_term_id"}


def test_references_to_records_already_in_the_directory_are_fine(db):
    store.sync_taxonomy(db)
    oruk.import_oruk(db, [make_service(1)])
    location_id = make_service(1)["service_at_locations"][0]["location"]["id"]
    service = make_service(2)
    service["service_at_locations"][0] = {"id": "sal-2", "location_id": location_id}
    service["attributes"] = [{"id": "attr-2", "taxonomy_term_id": "antenatal"}]
    oruk.import_oruk(db, [service])
    back = store.get_service(db, service["id"])
    assert back["service_at_locations"][0]["location"]["id"] == location_id
    assert back["attributes"][0]["taxonomy_term"]["taxonomy_id"] == "signpost-core-offer"


def test_back_references_that_contradict_nesting_are_refused(db):
    service = make_service(1)
    service["schedules"][0]["service_id"] = "some-other-service"
    service["organization_id"] = "not-the-nested-one"
    paths = {e.path for e in _rejected(db, [service])}
    assert paths == {"schedules[0].service_id", "organization_id"}


def test_impossible_ages_and_coordinates_are_refused(db):
    service = make_service(1)
    service["minimum_age"], service["maximum_age"] = 5, 2
    service["service_at_locations"][0]["location"]["longitude"] = 200
    errors = _rejected(db, [service])
    assert {e.path for e in errors} == {"minimum_age",
                                        "service_at_locations[0].location.longitude"}


def test_schedules_that_make_no_sense_are_refused(db):
    service = make_service(1)
    service["schedules"][0]["byday"] = "XX"
    errors = _rejected(db, [service])
    assert errors and all(e.path.startswith("schedules[0]") for e in errors)


def test_control_characters_are_refused_with_the_place_named(db):
    service = make_service(1)
    service["description"] = "Fine text\x00with a NUL"
    service["contacts"][0]["name"] = "Bell\x07"
    errors = _rejected(db, [service])
    by_path = {e.path: e.message for e in errors}
    assert "code 0" in by_path["description"]
    assert "code 7" in by_path["contacts[0].name"]


def test_a_100kb_string_is_refused_not_cut(db):
    service = make_service(1)
    service["description"] = "a" * 100_000
    service["x_notes"] = {"long": "b" * 100_000}
    errors = _rejected(db, [service])
    by_path = {e.path: e.message for e in errors}
    assert "100,000 characters" in by_path["description"]
    assert "nothing was cut" in by_path["description"]
    assert "x_notes.long" in by_path


def test_html_sql_and_unicode_are_stored_verbatim(db):
    service = make_service(1)
    service["name"] = "<b>Stay</b> & play <img src=x onerror=alert(1)>"
    service["description"] = "'; DELETE FROM service; -- \"quotes\" \\ backslash %_ like"
    service["contacts"][0]["name"] = "Siân Ó Briain 李小龍 🧸"
    service["alert"] = "Tab\tand\r\nnew lines are fine"
    oruk.import_oruk(db, [service, make_service(2)])
    back = store.get_service(db, service["id"])
    for key in ("name", "description", "alert"):
        assert back[key] == service[key]
    assert back["contacts"][0]["name"] == "Siân Ó Briain 李小龍 🧸"
    assert db["service"].count == 2


@pytest.mark.slow
def test_twenty_thousand_generated_services_import_in_one_go(db):
    services = make_services(20_000)
    report = oruk.import_oruk(db, services)
    assert report.imported == 20_000
    assert db["service"].count == 20_000
    assert db.execute("SELECT count(*) FROM service_fts").fetchone()[0] == 20_000
    assert db["location"].count == 200
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


KILL_SCRIPT = """
import sys
from directory.db import open_db
from directory import oruk
from tests.directory.oruk_data import make_services
db = open_db(sys.argv[1])
# A small page cache makes SQLite spill the open transaction into the WAL as it goes, so the
# kill lands in the middle of the writes, not before them.
db.execute("PRAGMA cache_size = -256")
services = make_services(12_000, start=1000)
print("ready", flush=True)
oruk.import_oruk(db, services)
print("finished", flush=True)
"""


@pytest.mark.slow
def test_killing_an_import_midway_leaves_the_directory_as_it_was(tmp_path):
    path = tmp_path / "directory.db"
    db = open_db(path)
    oruk.import_oruk(db, make_services(50))
    before = _counts(db)
    db.close()
    wal = Path(str(path) + "-wal")
    start_size = wal.stat().st_size if wal.exists() else 0
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(path)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        # Wait until the import is writing (the write-ahead log grows), then kill it hard.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if wal.exists() and wal.stat().st_size > start_size + 512 * 1024:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the import finished before it could be interrupted"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    db = open_db(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _counts(db) == before
    assert db.execute("SELECT count(*) FROM service_fts").fetchone()[0] == 50


def test_our_type_rules_agree_with_the_oruk_schema():
    """oruk.py checks column types itself (fast) and leaves the rest to jsonschema: the two
    must say the same about every field the ORUK schema and our tables share."""
    schema = json.loads(VENDORED_SCHEMA.read_text())
    checked = []

    def walk(sub: dict, node: shape.Node, where: str) -> None:
        children = {link.key: link for link in node.children}
        for name, prop in sub.get("properties", {}).items():
            if name in children:
                link = children[name]
                assert prop["type"] == ("object" if link.ref else "array"), f"{where}.{name}"
                walk(prop if link.ref else prop["items"], link.node, f"{where}.{name}")
            elif name in node.columns:
                expected = "number" if name in shape.NUMERIC_COLUMNS else "string"
                assert prop["type"] == expected, f"{where}.{name}"
                checked.append(f"{where}.{name}")

    walk(schema, shape.SERVICE, "service")
    assert "service.minimum_age" in checked
    assert "service.service_at_locations.location.latitude" in checked
    assert len(checked) > 60


def test_replace_with_an_empty_file_is_refused(db):
    oruk.import_oruk(db, make_services(3))
    with pytest.raises(ImportRejected, match="empty the whole directory"):
        oruk.import_oruk(db, [], replace=True)
    assert db["service"].count == 3
    oruk.import_oruk(db, [])  # merging nothing is harmless


def test_absurdly_nested_values_are_refused(db, tmp_path):
    service = make_service(1)
    deep: list = []
    for _ in range(40):
        deep = [deep]
    service["x_deep"] = deep
    assert any("nested more than" in e.message for e in _rejected(db, [service]))
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ImportFileError, match="nested too deeply"):
        oruk.load_json_file(path)
