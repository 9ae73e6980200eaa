"""A feed's own categories read as Signpost needs: shipped for Open Eligibility, worked out for
a council's home-made list, and decided by staff when the guess is wrong."""

from __future__ import annotations

import pytest

from directory import store, term_mapping
from directory.db import open_db
from directory.search import SearchQuery, search
from directory.sync import local_id, sync_feed
from tests.directory.feed_server import FeedServer, FeedShape
from tests.directory.test_feed_sync import FAST, council_services


def _category(service: dict, term_id: str, name: str) -> None:
    service["attributes"] = [{"id": f"{service['id']}-{term_id}", "taxonomy_term_id": term_id,
                              "taxonomy_term": {"id": term_id, "name": name,
                                                "description": name + ".",
                                                "taxonomy": "Council categories"}}]


@pytest.fixture
def synced(tmp_path):
    """A council whose stay and play sessions sit under "Little Explorers" (no need words in
    it), one of them with a bland name and description; its antenatal classes use the Open
    Eligibility name "Prenatal Care"."""
    db = open_db(tmp_path / "d.db")
    store.sync_taxonomy(db)
    services = council_services(categories=False)
    originals = council_services()
    play = [s for s, o in zip(services, originals)
            if any(a["taxonomy_term_id"] == "cc-stayandplay" for a in o["attributes"])]
    antenatal = [s for s, o in zip(services, originals)
                 if any(a["taxonomy_term_id"] == "cc-antenatal" for a in o["attributes"])]
    for s in play:
        _category(s, "little-explorers", "Little Explorers")
    for s in antenatal:
        _category(s, "oe-prenatal", "Prenatal Care")
    bland = play[0]
    bland.update(name="Tuesday mornings at the hub", description="Come along, all welcome.")
    with FeedServer(FeedShape(services)) as url:
        assert sync_feed(db, url, limits=FAST).ok
        yield db, url, bland


def _found(db, need: str) -> set[str]:
    return {r["id"] for r in search(db, SearchQuery(terms=[need], limit=100))}


def test_a_home_made_category_is_mapped_from_its_services_words(synced):
    db, url, bland = synced
    row = {t["id"]: t for t in term_mapping.mapping_table(db)}["little-explorers"]
    assert row["used"] == ["stay_and_play"]
    assert [m for m in row["mappings"] if m["need"] == "stay_and_play"][0]["score"] >= 0.5
    assert local_id(url, bland["id"]) in _found(db, "stay_and_play")


def test_open_eligibility_terms_are_shipped(synced):
    db, _url, _ = synced
    row = {t["id"]: t for t in term_mapping.mapping_table(db)}["oe-prenatal"]
    assert row["mappings"] == [{"need": "antenatal", "score": 1.0, "source": "shipped",
                                "status": "proposed"}]


def test_staff_can_change_a_mapping_and_it_survives_the_next_sync(synced):
    db, url, bland = synced
    term_mapping.set_mapping(db, "little-explorers", [], by="ann")
    sid = local_id(url, bland["id"])
    assert sid not in _found(db, "stay_and_play")
    assert sid in {s["id"] for s in term_mapping.services_without_need(db)}
    term_mapping.set_mapping(db, "little-explorers", ["stay_and_play", "father_friendly"],
                             by="ann")
    assert sid in _found(db, "father_friendly")
    bland["last_modified"] = "2099-01-01T00:00:00Z"  # the council edits it: read again
    assert sync_feed(db, url, limits=FAST, full=True).changed == 1
    assert sid in _found(db, "father_friendly")
    with pytest.raises(ValueError):
        term_mapping.set_mapping(db, "little-explorers", ["naps"], by="ann")
    assert {t["id"]: t for t in term_mapping.mapping_table(db)}["little-explorers"]["used"] \
        == ["stay_and_play", "father_friendly"]


def test_the_feed_terms_are_kept_unchanged(synced):
    db, url, bland = synced
    stored = store.get_service(db, local_id(url, bland["id"]))
    assert [a["taxonomy_term"]["name"] for a in stored["attributes"]] == ["Little Explorers"]
