"""Saving and reading one service: what staff edits and the bot's searches rely on."""

from __future__ import annotations

import copy

import pytest

from directory import store
from directory.db import open_db
from directory.store import ServiceInvalid, VersionConflict
from directory.taxonomy import load_taxonomy, parse_taxonomy

from tests.directory.oruk_data import make_service


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "directory.db")
    yield database
    database.close()


def _rows(db, table: str, **where) -> list[dict]:
    return list(db[table].rows_where(" AND ".join(f"[{k}] = ?" for k in where) or None,
                                     list(where.values()) or None))


def _fts_ids(db, query: str) -> set[str]:
    return {r[0] for r in db.execute(
        "SELECT service_id FROM service_fts WHERE service_fts MATCH ?", [query])}


def test_saved_service_reads_back_with_every_field_and_version_one(db):
    service = make_service(1)
    version = store.save_service(db, copy.deepcopy(service))
    back = store.get_service(db, service["id"])
    assert version == 1 and back["version"] == 1
    assert back["name"] == service["name"]
    assert back["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "BB1 1AA"
    assert back["schedules"][0]["byday"] == service["schedules"][0]["byday"]
    assert back["phones"][0]["number"] == service["phones"][0]["number"]
    assert [a["taxonomy_term_id"] for a in back["attributes"]] == \
        [a["taxonomy_term_id"] for a in service["attributes"]]
    assert back["last_modified"]  # set when the service did not carry one


def test_saving_again_bumps_the_version(db):
    service = make_service(2)
    assert store.save_service(db, service) == 1
    service["name"] = "Renamed"
    assert store.save_service(db, service, expected_version=1) == 2
    assert store.get_service(db, service["id"])["name"] == "Renamed"


def test_stale_version_is_refused_and_nothing_changes(db):
    service = make_service(3)
    store.save_service(db, service)
    first_edit = dict(service, name="First editor")
    store.save_service(db, first_edit, expected_version=1)
    second_edit = dict(service, name="Second editor")
    with pytest.raises(VersionConflict) as raised:
        store.save_service(db, second_edit, expected_version=1)
    assert raised.value.actual == 2
    assert "Reload" in str(raised.value)
    assert store.get_service(db, service["id"])["name"] == "First editor"


def test_new_service_with_expected_version_zero_is_created(db):
    assert store.save_service(db, make_service(4), expected_version=0) == 1


def test_saving_replaces_the_services_own_rows(db):
    service = make_service(6)  # n % 3 == 0: also has a session at the centre
    store.save_service(db, service)
    assert len(_rows(db, "schedule", service_id=service["id"])) == 2
    service["schedules"] = []
    service["service_at_locations"][0]["schedules"] = []
    service["contacts"] = []
    store.save_service(db, service)
    assert _rows(db, "schedule", service_id=service["id"]) == []
    assert _rows(db, "contact", service_id=service["id"]) == []
    back = store.get_service(db, service["id"])
    assert back["schedules"] == [] and back["contacts"] == []


def test_location_level_schedules_stay_with_the_location_link(db):
    service = make_service(9)
    store.save_service(db, service)
    back = store.get_service(db, service["id"])
    assert [s["id"] for s in back["schedules"]] == [service["schedules"][0]["id"]]
    assert [s["id"] for s in back["service_at_locations"][0]["schedules"]] == \
        [service["service_at_locations"][0]["schedules"][0]["id"]]
    # Both carry the service id, so search finds every session of a service in one place.
    assert len(_rows(db, "schedule", service_id=service["id"])) == 2


def test_a_centre_shared_by_two_services_is_stored_once_and_updated_for_both(db):
    one, two = make_service(1, locations=1), make_service(2, locations=1)
    store.save_service(db, one)
    store.save_service(db, two)
    assert db["location"].count == 1
    two["service_at_locations"][0]["location"]["name"] = "Riverside Family Hub"
    store.save_service(db, two)
    assert store.get_service(db, one["id"])["service_at_locations"][0]["location"]["name"] == \
        "Riverside Family Hub"
    assert db["address"].count == 1


def test_unknown_keys_are_kept_verbatim(db):
    service = make_service(10)
    service["wait_time"] = "About two weeks"
    service["x_council"] = {"ward": "Mill Hill", "codes": [1, 2, 3]}
    service["schedules"][0]["x_room"] = "Room 2"
    store.save_service(db, service)
    back = store.get_service(db, service["id"])
    assert back["wait_time"] == "About two weeks"
    assert back["x_council"] == {"ward": "Mill Hill", "codes": [1, 2, 3]}
    assert back["schedules"][0]["x_room"] == "Room 2"


def test_terms_from_other_taxonomies_are_kept(db):
    service = make_service(11)
    service["attributes"].append({
        "id": "attr-lga", "taxonomy_term_id": "lga-123", "link_type": "need",
        "taxonomy_term": {"id": "lga-123", "name": "Toy library", "description": "Borrow toys",
                          "taxonomy": "LGA service list"},
    })
    store.save_service(db, service)
    assert db["taxonomy_term"].get("lga-123")["name"] == "Toy library"
    back = store.get_service(db, service["id"])
    assert back["attributes"][-1]["taxonomy_term"]["name"] == "Toy library"


def test_an_import_never_renames_our_own_terms(db):
    store.sync_taxonomy(db)
    service = make_service(12)
    term_id = service["attributes"][0]["taxonomy_term_id"]
    service["attributes"][0]["taxonomy_term"]["name"] = "Something else entirely"
    store.save_service(db, service)
    assert db["taxonomy_term"].get(term_id)["name"] == load_taxonomy().term(term_id).name


def test_full_text_search_finds_a_service_by_the_words_parents_use(db):
    store.sync_taxonomy(db)
    service = make_service(13)
    service["attributes"] = [{"id": "a13", "taxonomy_term_id": "father_friendly"}]
    service["name"], service["description"] = "Saturday club", "Play and a chat."
    store.save_service(db, service)
    assert _fts_ids(db, '"dads group"') == {service["id"]}
    assert service["id"] in _fts_ids(db, "saturday")


def test_staff_phrase_makes_a_service_findable_at_once(db):
    store.sync_taxonomy(db)
    service = make_service(14)
    service["attributes"] = [{"id": "a14", "taxonomy_term_id": "stay_and_play"}]
    store.save_service(db, service)
    assert _fts_ids(db, "wigglers") == set()
    assert store.add_phrase(db, "stay_and_play", "wigglers") is True
    assert store.add_phrase(db, "stay_and_play", "  Wigglers ") is False
    assert _fts_ids(db, "wigglers") == {service["id"]}


def test_add_phrase_refuses_unknown_terms_and_hidden_characters(db):
    store.sync_taxonomy(db)
    with pytest.raises(KeyError):
        store.add_phrase(db, "no_such_need", "hello")
    with pytest.raises(ValueError):
        store.add_phrase(db, "stay_and_play", "bad\x00phrase")
    with pytest.raises(ValueError):
        store.add_phrase(db, "stay_and_play", "   ")


def test_a_phrase_that_means_another_need_is_refused(db):
    store.sync_taxonomy(db)
    with pytest.raises(store.PhraseTaken, match="Dads and male carers"):
        store.add_phrase(db, "stay_and_play", "Dads Group")


def test_staff_can_save_inside_their_own_transaction(db):
    service = make_service(19)
    # e.g. the staff area writing an audit row in the same transaction
    db.execute("BEGIN")
    db.execute("INSERT INTO audit_log (at, actor, action) VALUES ('now', 'sam', 'edit')")
    assert store.save_service(db, service) == 1
    assert db.conn.in_transaction
    db.execute("COMMIT")
    assert store.get_service(db, service["id"])["organization"]["id"] == \
        service["organization"]["id"]


def test_sync_taxonomy_keeps_staff_phrases_and_drops_removed_file_phrases(db):
    real = load_taxonomy()
    store.sync_taxonomy(db, real)
    store.add_phrase(db, "stay_and_play", "messy play mornings")
    dropped = real.term("stay_and_play").phrases[0]
    raw = {"id": real.id, "name": real.name, "description": real.description, "terms": [
        {"id": t.id, "name": t.name, "description": t.description, "label": t.label,
         "related": list(t.related),
         "phrases": [p for p in t.phrases if p != dropped]}
        for t in real.terms]}
    smaller = parse_taxonomy(raw)
    result = store.sync_taxonomy(db, smaller)
    phrases = {r["phrase"]: r["source"] for r in _rows(db, "taxonomy_term_phrase",
                                                       taxonomy_term_id="stay_and_play")}
    assert phrases["messy play mornings"] == "staff"
    assert dropped not in phrases
    assert result["phrases_removed"] == 1
    assert db["taxonomy"].get("signpost-core-offer")["name"] == "Signpost core offer"
    assert db["taxonomy_term"].count == len(real.terms)


def test_sync_taxonomy_twice_changes_nothing(db):
    store.sync_taxonomy(db)
    before = db["taxonomy_term_phrase"].count
    assert store.sync_taxonomy(db)["phrases_added"] == 0
    assert db["taxonomy_term_phrase"].count == before


def test_delete_removes_the_service_but_keeps_the_centre(db):
    service = make_service(15)
    store.save_service(db, service)
    assert store.delete_service(db, service["id"]) is True
    assert store.get_service(db, service["id"]) is None
    assert _rows(db, "schedule", service_id=service["id"]) == []
    assert _rows(db, "attribute", link_id=service["id"]) == []
    assert db.execute("SELECT count(*) FROM service_fts").fetchone()[0] == 0
    assert db["location"].count == 1
    assert store.delete_service(db, service["id"]) is False


def test_list_service_ids_in_the_order_added(db):
    ids = []
    for n in (5, 3, 8):
        service = make_service(n)
        store.save_service(db, service)
        ids.append(service["id"])
    assert store.list_service_ids(db) == ids


def test_hostile_text_is_stored_verbatim(db):
    service = make_service(16)
    hostile = ("<script>alert('x')</script> Robert'); DROP TABLE service;-- "
               "Zoë’s “café” 👶🏽 مرحبا \u202e reversed\ttab\nnewline")
    service["name"] = hostile
    service["description"] = "x" * 20_000
    store.save_service(db, service)
    back = store.get_service(db, service["id"])
    assert back["name"] == hostile
    assert back["description"] == "x" * 20_000
    assert "service" in db.table_names()


def test_invalid_service_is_refused_with_reasons_and_not_written(db):
    service = make_service(17)
    service["status"] = "open"
    service["schedules"][0]["opens_at"] = "25:99"
    with pytest.raises(ServiceInvalid) as raised:
        store.save_service(db, service)
    paths = {e.path for e in raised.value.errors}
    assert "status" in paths
    assert any(p.startswith("schedules[0]") for p in paths)
    assert store.get_service(db, service["id"]) is None


def test_a_failed_save_leaves_the_previous_version(db):
    service = make_service(18)
    store.save_service(db, service)
    broken = copy.deepcopy(service)
    broken["minimum_age"], broken["maximum_age"] = 5, 1
    with pytest.raises(ServiceInvalid):
        store.save_service(db, broken)
    back = store.get_service(db, service["id"])
    assert back["version"] == 1 and back["maximum_age"] == service["maximum_age"]


def test_a_staff_save_stamps_last_modified_but_keeps_a_new_value_given(db):
    service = make_service(20)
    service["last_modified"] = "2020-01-01T00:00:00Z"
    store.save_service(db, service)
    assert store.get_service(db, service["id"])["last_modified"] == "2020-01-01T00:00:00Z"
    edited = store.get_service(db, service["id"])
    edited["name"] = "Edited"
    store.save_service(db, edited)
    stamped = store.get_service(db, service["id"])["last_modified"]
    assert stamped > "2020-01-01T00:00:00Z"
