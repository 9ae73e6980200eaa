"""Syncing a council's ORUK feed (``python -m directory sync URL``): the whole feed or nothing,
withdrawn services hidden, bad services rejected with reasons, and the council's own categories
enough for a parent's search to find the right services."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from directory import cli, store
from directory.db import Directory, open_db
from directory.feed_client import FeedLimits
from directory.search import SearchQuery
from directory.sync import local_id, sync_feed
from tests.directory.feed_server import FeedServer, FeedShape

SAMPLE = Path(__file__).resolve().parents[2] / "directory" / "sample" / "sample_directory.json"
# Another council's home-made categories, one per Signpost need (none of our words in the ids).
COUNCIL = {
    "health_visiting": "Child health clinics", "antenatal": "Pregnancy",
    "infant_feeding": "Breastfeeding", "stay_and_play": "Baby and toddler groups",
    "father_friendly": "Dads", "jobcentre_plus": "Employment and skills",
    "disability_send": "SEND Local Offer", "childcare_early_education": "Childcare",
    "family_support": "Early Help", "parenting_courses": "Parenting programmes",
    "parent_wellbeing": "Mental health", "childminder_support": "Childminders",
}
FAST = FeedLimits(timeout_s=2, retries=1, backoff_s=0.01, per_page=10, max_pages=50,
                  max_bytes=5 * 1024 * 1024)


def council_services(categories: bool = True) -> list[dict]:
    """The sample directory as another council publishes it: its own ids for categories (or
    none at all), an extra field ORUK does not define."""
    services = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for s in services:
        needs = [a["taxonomy_term_id"] for a in s.get("attributes", [])]
        s["attributes"] = [] if not categories else [
            {"id": f"{s['id']}-{n}", "taxonomy_term_id": f"cc-{n.replace('_', '')}",
             "taxonomy_term": {"id": f"cc-{n.replace('_', '')}", "name": COUNCIL[n],
                               "description": f"Services listed under {COUNCIL[n]}.",
                               "taxonomy": "Council family directory categories"}}
            for n in needs]
        s["x_council_ref"] = {"system": "FIS", "ref": s["id"][:8]}
    return services


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "directory.db")
    store.sync_taxonomy(database)
    return database


def count(db) -> int:
    return db.execute("SELECT count(*) FROM service WHERE status = 'active'").fetchone()[0]


@pytest.mark.parametrize("compact,page_size", [(False, None), (True, 7), (False, 25)])
def test_a_whole_feed_is_synced_in_any_list_shape(db, compact, page_size):
    shape = FeedShape(council_services(), compact=compact, per_page=page_size)
    with FeedServer(shape) as url:
        report = sync_feed(db, url, limits=FAST)
    assert report.ok, report.error
    assert (report.added, report.changed, report.withdrawn, report.rejected) == (90, 0, 0, [])
    assert count(db) == 90
    assert any("/services/" in r for r in shape.requests) == compact
    stored = store.get_service(db, local_id(url, shape.services[0]["id"]))
    assert stored["name"] == shape.services[0]["name"]
    assert stored["x_council_ref"] == shape.services[0]["x_council_ref"]


def test_a_parent_finds_services_by_need_when_the_feed_has_only_its_own_categories(db, tmp_path):
    with FeedServer(FeedShape(council_services())) as url:
        assert sync_feed(db, url, limits=FAST).ok
    assert not db.execute("SELECT 1 FROM attribute WHERE taxonomy_term_id = 'stay_and_play'"
                          ).fetchone()
    db.close()
    directory = Directory.open(tmp_path / "directory.db", None)
    results = directory.search(SearchQuery(terms=["father_friendly"], limit=5))
    sample = {s["name"] for s in json.loads(SAMPLE.read_text()) if any(
        a["taxonomy_term_id"] == "father_friendly" for a in s.get("attributes", []))}
    assert results and all(r["name"] in sample for r in results)


def test_two_councils_with_the_same_ids_are_kept_apart(db):
    services = council_services()[:5]
    with FeedServer(FeedShape(services)) as one, FeedServer(FeedShape(copy.deepcopy(services))) \
            as two:
        assert sync_feed(db, one, limits=FAST).added == 5
        assert sync_feed(db, two, limits=FAST).added == 5
    assert count(db) == 10


@pytest.mark.faults
@pytest.mark.parametrize("fault", [{"fail_page": 3}, {"slow_page": 2}, {"endless": True},
                                   {"huge_page": 2}])
def test_a_feed_that_fails_part_way_changes_nothing(db, fault):
    shape = FeedShape(council_services()[:40])
    with FeedServer(shape) as url:
        assert sync_feed(db, url, limits=FAST).added == 40
        before = db.execute("SELECT id, name, status, version FROM service ORDER BY id").fetchall()
        shape.services = council_services()  # 50 more, and one renamed
        shape.services[0]["name"] = "Renamed by the council"
        for key, value in fault.items():
            setattr(shape, key, value)
        report = sync_feed(db, url, limits=FAST, full=True)
    assert not report.ok and "nothing was changed" in report.summary().lower()
    assert db.execute("SELECT id, name, status, version FROM service ORDER BY id").fetchall() \
        == before
    assert db.execute("SELECT last_result FROM feed").fetchone()[0] == "failed"


def test_a_service_gone_from_the_feed_is_withdrawn_and_not_shown(db):
    shape = FeedShape(council_services())
    with FeedServer(shape) as url:
        assert sync_feed(db, url, limits=FAST).ok
        gone = shape.services.pop(3)
        report = sync_feed(db, url, limits=FAST, full=True)
    assert report.withdrawn == 1 and report.unchanged == 89
    status = db.execute("SELECT status FROM service WHERE id = ?",
                        [local_id(url, gone["id"])]).fetchone()[0]
    assert status == "inactive" and count(db) == 89


def test_a_malformed_service_is_rejected_with_its_reason_and_the_rest_synced(db):
    shape = FeedShape(council_services())
    shape.services[5]["minimum_age"] = "three"
    shape.services[6]["schedules"] = [{"id": "bad", "freq": "SOMETIMES"}]
    with FeedServer(shape) as url:
        report = sync_feed(db, url, limits=FAST)
    assert report.ok and report.added == 88
    assert {e.index for e in report.rejected} == {5, 6}
    assert "minimum_age" in str(report.rejected[0]) or "minimum_age" in str(report.rejected[1])


def test_the_next_sync_asks_only_for_what_changed(db):
    shape = FeedShape(council_services())
    with FeedServer(shape) as url:
        assert sync_feed(db, url, limits=FAST).ok
        shape.services[0]["last_modified"] = "2099-01-01T00:00:00Z"
        shape.services[0]["name"] = "Stay and play, now on Fridays"
        report = sync_feed(db, url, limits=FAST)
    assert report.incremental and report.changed == 1 and report.withdrawn == 0
    assert "modified_after" in shape.requests[-1]
    assert store.get_service(db, local_id(url, shape.services[0]["id"]))["name"] \
        == "Stay and play, now on Fridays"


def test_the_command_line_syncs_and_prints_a_summary(tmp_path, capsys):
    with FeedServer(FeedShape(council_services(categories=False))) as url:
        code = cli.main(["--db", str(tmp_path / "d.db"), "sync", url, "--timeout", "5"])
    assert code == 0
    assert "90 added, 0 changed, 0 unchanged, 0 withdrawn, 0 rejected" in capsys.readouterr().out


def _synced_for_editing(db, url: str, remote: dict) -> tuple[str, dict, int]:
    """Sync the feed, then open one of its services as the staff form would save it."""
    assert sync_feed(db, url, limits=FAST).ok
    sid = local_id(url, remote["id"])
    service = store.strip_shared(store.get_service(db, sid))
    version = service.pop("version", None) or store.get_service(db, sid)["version"]
    return sid, service, version


def test_a_staff_correction_survives_the_next_sync(db):
    from directory import edits

    shape = FeedShape(council_services())
    with FeedServer(shape) as url:
        sid, service, version = _synced_for_editing(db, url, shape.services[2])
        service["name"] = "Baby clinic (now upstairs)"
        edits.save_service(db, service, expected_version=version, actor="ann", action="update")
        shape.services[2]["last_modified"] = "2099-01-01T00:00:00Z"
        shape.services[2]["description"] = "New words from the council."
        report = sync_feed(db, url, limits=FAST, full=True)
    assert report.changed == 1
    stored = store.get_service(db, sid)
    assert stored["name"] == "Baby clinic (now upstairs)"
    assert stored["description"] == "New words from the council."


def test_staff_cannot_change_what_the_next_sync_would_put_back(db):
    from directory import edits

    shape = FeedShape(council_services())
    with FeedServer(shape) as url:
        sid, service, version = _synced_for_editing(db, url, shape.services[2])
        before = store.get_service(db, sid)
        service["schedules"] = [{"id": "staff-saturday", "freq": "WEEKLY", "byday": "SA",
                                 "opens_at": "10:00", "closes_at": "11:00"}]
        with pytest.raises(edits.FeedsPart, match="Ask the council"):
            edits.save_service(db, service, expected_version=version, actor="ann",
                               action="update")
    assert store.get_service(db, sid) == before  # nothing half-saved


def test_a_feed_that_ignores_modified_after_gets_a_full_sync_and_its_dropped_service_withdrawn(db):
    shape = FeedShape(council_services(), full_api=True,
                      ignored_filters=frozenset({"modified_after"}))
    with FeedServer(shape) as url:
        assert sync_feed(db, url, limits=FAST).ok
        gone = shape.services.pop(3)
        for n, s in enumerate(shape.services):   # every item newer than the watermark
            s["last_modified"] = f"2099-01-01T00:00:{n % 60:02d}Z"
        report = sync_feed(db, url, limits=FAST)
    assert report.ok and not report.incremental
    assert report.withdrawn == 1 and count(db) == 89
    assert db.execute("SELECT status FROM service WHERE id = ?",
                      [local_id(url, gone["id"])]).fetchone()[0] == "inactive"
    assert not any("modified_after" in r for r in shape.requests
                   if r.startswith("/api/services?") and "per_page=10" in r)


def _centre_only_a_later_page_carries(services: list[dict]) -> dict:
    """Service 0 names a new centre by id alone; only service 85 (page 9 of 10) carries it."""
    loc = services[85]["service_at_locations"][0]["location"]
    centre = {"id": "new-centre", "name": "The New Family Hub", "location_type": "physical",
              "latitude": loc["latitude"], "longitude": loc["longitude"]}
    services[85]["service_at_locations"][0].update(location_id="new-centre", location=centre)
    sal = services[0]["service_at_locations"][0]
    sal.pop("location")
    sal["location_id"] = "new-centre"
    return centre


def test_a_service_may_name_a_centre_that_a_later_page_carries(db):
    shape = FeedShape(council_services())
    _centre_only_a_later_page_carries(shape.services)
    with FeedServer(shape) as url:
        report = sync_feed(db, url, limits=FAST)
    assert report.ok and report.rejected == [] and report.added == 90
    stored = store.get_service(db, local_id(url, shape.services[0]["id"]))
    assert stored["service_at_locations"][0]["location"]["name"] == "The New Family Hub"


def test_a_service_naming_a_centre_only_a_rejected_service_carries_is_rejected_too(db):
    shape = FeedShape(council_services())
    _centre_only_a_later_page_carries(shape.services)
    shape.services[85]["minimum_age"] = "three"
    with FeedServer(shape) as url:
        report = sync_feed(db, url, limits=FAST)
    assert report.ok and report.added == 88
    assert {e.index for e in report.rejected} == {0, 85}
    assert "centre" in str(next(e for e in report.rejected if e.index == 0))
