"""A feed's own categories read as Signpost needs: shipped for the DfE family hubs categories and
Open Eligibility, worked out for a council's home-made list, and decided by staff when the guess
is wrong."""

from __future__ import annotations

import pytest

from directory import store, term_mapping
from directory.db import open_db
from directory.search import SearchQuery, search
from directory.sync import local_id, sync_feed
from directory.taxonomy import load_taxonomy
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
        _category(s, "1217", "Maternity Care")
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
    row = {t["id"]: t for t in term_mapping.mapping_table(db)}["1217"]
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


# Real names, copied from the published sources cited in directory/term_mappings.yml, and the
# need a parent would use to find such a service. The last two are names the first shipped list
# guessed (from memory) that neither taxonomy has: they must not be shipped.
NATIONAL = [
    ("DfE family hubs", "Parent, baby and toddler groups", "stay_and_play"),
    ("DfE family hubs", "Infant feeding support (including breastfeeding)", "infant_feeding"),
    ("DfE family hubs", "Midwife and maternity", "antenatal"),
    ("DfE family hubs", "Health visiting", "health_visiting"),
    ("DfE family hubs", "Perinatal mental health support (pregnancy to one year post birth)",
     "parent_wellbeing"),
    ("DfE family hubs", "Autistic Spectrum Disorder (ASD)", "disability_send"),
    ("DfE family hubs", "Money, benefits and housing", "jobcentre_plus"),
    ("DfE family hubs", "Parenting support", "parenting_courses"),
    ("DfE family hubs", "Intensive targeted family support", "family_support"),
    ("DfE family hubs", "Pre-school playgroup", "childcare_early_education"),
    ("Open Eligibility", "Maternity Care", "antenatal"),
    ("Open Eligibility", "Parenting Education", "parenting_courses"),
    ("Open Eligibility", "Preschool", "childcare_early_education"),
    ("Open Eligibility", "Job Placement", "jobcentre_plus"),
    ("Open Eligibility", "Special Education", "disability_send"),
    ("Open Eligibility", "Fathers", "father_friendly"),
    ("esdServiceTypes", "Midwifery and maternity services", "antenatal"),
    ("esdServiceTypes", "Childminders", "childminder_support"),
    ("esdServiceTypes", "Universal credit", "jobcentre_plus"),
]
GUESSED = [("Open Eligibility", "Breastfeeding Support", "infant_feeding"),
           ("Open Eligibility", "Well Baby Care", "health_visiting"),
           ("Open Eligibility", "Family Counseling", "family_support")]


@pytest.fixture
def national(tmp_path):
    """A feed whose services say nothing about what they are ("Session 3 at the hub", "Come
    along, all welcome."): only their national category can tell search what they offer."""
    db = open_db(tmp_path / "d.db")
    store.sync_taxonomy(db)
    services = council_services(categories=False)[:len(NATIONAL) + len(GUESSED)]
    for i, (s, (taxonomy, name, _need)) in enumerate(zip(services, NATIONAL + GUESSED)):
        s.update(name=f"Session {i} at the hub", description="Come along, all welcome.")
        s["attributes"] = [{"id": f"{s['id']}-t{i}", "taxonomy_term_id": f"t{i}",
                            "taxonomy_term": {"id": f"t{i}", "name": name,
                                              "description": name + ".", "taxonomy": taxonomy}}]
    with FeedServer(FeedShape(services)) as url:
        report = sync_feed(db, url, limits=FAST)
    assert (report.added, report.rejected) == (len(services), [])
    return db, url, services


def test_a_feed_using_national_category_names_is_searchable_by_need(national):
    db, url, services = national
    rows = {t["name"]: t for t in term_mapping.mapping_table(db)}
    for (_taxonomy, name, need), service in zip(NATIONAL, services):
        assert rows[name]["mappings"] == [{"need": need, "score": 1.0, "source": "shipped",
                                           "status": "proposed"}], name
        assert local_id(url, service["id"]) in _found(db, need), name


def test_names_no_national_taxonomy_has_are_not_shipped(national):
    """They are worked out like any council's own name instead ("Breastfeeding Support" has a
    need word in it), so staff see a guess they can correct, not a shipped fact."""
    db, _url, _services = national
    rows = {t["name"]: t for t in term_mapping.mapping_table(db)}
    for _taxonomy, name, _need in GUESSED:
        assert all(m["source"] != "shipped" for m in rows[name]["mappings"]), name
    assert rows["Breastfeeding Support"]["mappings"][0]["source"] == "auto"


def test_every_shipped_mapping_names_a_real_need():
    needs = load_taxonomy().ids
    assert {n for mapped in term_mapping.SHIPPED.values() for n in mapped} <= set(needs)


def test_a_name_two_taxonomies_share_must_mean_the_same_need(tmp_path):
    clash = tmp_path / "m.yml"
    clash.write_text("taxonomies:\n  a: {Preschool: [childcare_early_education]}\n"
                     "  b: {PRESCHOOL: [stay_and_play]}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="(?i)preschool"):
        term_mapping.load_shipped(clash)


def test_an_lga_service_is_known_by_its_identifier_whatever_its_label_says_now(tmp_path):
    """The LGA renames its list's labels from one version to the next and keeps the identifier,
    so a feed with today's label (not the 2015 one shipped) still maps; a bare number in another
    taxonomy is not read as an LGA identifier."""
    db = open_db(tmp_path / "d.db")
    store.sync_taxonomy(db)
    services = council_services(categories=False)[:4]
    terms = [  # (term, the need its service must be found by, or None)
        ({"id": "http://id.esd.org.uk/service/927", "name": "Maternity (renamed)",
          "taxonomy": "esdServiceTypes"}, "antenatal"),
        ({"id": "lga-21", "code": "21", "name": "Becoming a childminder",
          "taxonomy": "esdServiceTypes"}, "childminder_support"),
        ({"id": "x-1652", "name": "Benefit: new style",
          "term_uri": "https://id.esd.org.uk/service/1652/"}, "jobcentre_plus"),
        ({"id": "oe-927", "code": "927", "name": "Something else",
          "taxonomy": "Open Eligibility"}, None),
    ]
    for i, (s, (term, _need)) in enumerate(zip(services, terms)):
        s.update(name=f"Session {i} at the hub", description="Come along, all welcome.")
        s["attributes"] = [{"id": f"{s['id']}-t{i}", "taxonomy_term_id": term["id"],
                            "taxonomy_term": {**term, "description": term["name"] + "."}}]
    with FeedServer(FeedShape(services)) as url:
        assert sync_feed(db, url, limits=FAST).added == len(services)
    rows = {t["id"]: t for t in term_mapping.mapping_table(db)}
    for service, (term, need) in zip(services, terms):
        sources = {m["source"] for m in rows[term["id"]]["mappings"]}
        if need is None:
            assert "shipped" not in sources, term
            continue
        assert rows[term["id"]]["mappings"] == [{"need": need, "score": 1.0, "source": "shipped",
                                                 "status": "proposed"}], term
        assert local_id(url, service["id"]) in _found(db, need), term
