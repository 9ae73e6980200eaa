"""The second evaluation directory (Wakefield) and the place values for both directories.

Proves that: ``build_second.py`` reproduces the committed files byte for byte; every postcode is
real (in the postcode index); both Wakefield files and the sample import with the library; the
answer key and the Signpost terms agree; every place value in ``places.yml`` resolves; and
searches by need (by tag, or read from the words of a service with no Signpost tag), by free
text, by language and by place return the services they should.

Run (web environment):
    PYTHONPATH=. .venv/web/bin/python -m pytest -q tests/conversations/directories
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from directory.db import Directory
from directory.geo import Geo, haversine_km
from directory.language import stigma_phrases_in
from directory.oruk import import_oruk, load_json_file
from directory.search import SearchQuery
from directory.taxonomy import load_taxonomy
from tests.conversations.directories import build_second

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
PLACES = yaml.safe_load((HERE / "places.yml").read_text(encoding="utf-8"))
KEY = yaml.safe_load((HERE / "second_answer_key.yml").read_text(encoding="utf-8"))["services"]
WITH_TERMS = json.loads((HERE / "second_directory.json").read_text(encoding="utf-8"))
NO_TERMS = json.loads((HERE / "second_directory_no_terms.json").read_text(encoding="utf-8"))
SIGNPOST = "signpost-core-offer"
NEEDS = [t.id for t in load_taxonomy().terms]
# Wakefield, Ossett and the villages south of the city.
WF_AREA = {"lat": (53.60, 53.75), "lon": (-1.65, -1.40)}


def _locations(services: list[dict]) -> dict[str, dict]:
    return {sal["location"]["id"]: sal["location"]
            for s in services for sal in s["service_at_locations"]}


def _signpost_terms(service: dict) -> list[str]:
    return [a["taxonomy_term_id"] for a in service["attributes"]
            if a["taxonomy_term"]["taxonomy_id"] == SIGNPOST]


def _text(service: dict) -> str:
    return f"{service['name']} {service['description']}".lower()


# --- fixtures -----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def geo_index() -> Path:
    path = Path(os.environ.get("SIGNPOST_GEO_DB", ROOT / "var" / "geo.db"))
    if not path.is_absolute():
        path = ROOT / path
    if not path.is_file():
        # make test builds it (scripts/prepare.sh): a missing index is a fault, never a quiet skip.
        pytest.fail(f"The postcode index has not been built ({path}); run `make setup` first.")
    return path


@pytest.fixture(scope="session")
def directories(tmp_path_factory: pytest.TempPathFactory, geo_index: Path) -> dict[str, Any]:
    """Each directory imported into its own temporary database with the library."""
    dbs = {}
    files = {"sample": ROOT / PLACES["sample"]["directory"],
             "second": ROOT / PLACES["second"]["directory"],
             "second_no_terms": ROOT / PLACES["second"]["directory_no_terms"]}
    for name, path in files.items():
        directory = Directory.open(tmp_path_factory.mktemp(name) / "directory.db", geo_index)
        services = load_json_file(path)
        report = import_oruk(directory.db, services)
        assert report.imported == len(services) == report.created
        dbs[name] = directory
    return dbs


# --- the build ----------------------------------------------------------------------------------

def test_build_reproduces_the_committed_files_byte_for_byte() -> None:
    for path, text in build_second.outputs().items():
        assert path.read_bytes() == text.encode("utf-8"), f"{path.name} is out of date: rerun build_second.py"


def test_the_build_script_check_mode_agrees() -> None:
    assert build_second.main(["--check"]) == 0


# --- shape and answer key -------------------------------------------------------------------------

def test_both_files_hold_the_same_services_with_the_same_ids() -> None:
    assert 70 <= len(WITH_TERMS) <= 90
    assert [s["id"] for s in WITH_TERMS] == [s["id"] for s in NO_TERMS] == list(KEY)
    assert len(set(KEY)) == len(KEY)
    for a, b in zip(WITH_TERMS, NO_TERMS):
        assert {k: v for k, v in a.items() if k != "attributes"} == \
               {k: v for k, v in b.items() if k != "attributes"}


def test_signpost_terms_follow_the_answer_key() -> None:
    for service in WITH_TERMS:
        entry = KEY[service["id"]]
        assert entry["name"] == service["name"]
        assert set(entry["needs"]) <= set(NEEDS)
        assert _signpost_terms(service) == entry["needs"]
        assert len(service["attributes"]) == len(entry["needs"])


def test_the_no_terms_file_has_no_signpost_terms_only_council_categories() -> None:
    categories = Counter()
    for service in NO_TERMS:
        for attribute in service["attributes"]:
            term = attribute["taxonomy_term"]
            assert term["taxonomy_id"] != SIGNPOST and term["id"] not in NEEDS
            assert term["taxonomy"] == "Wakefield Family Services Directory"
            categories[term["name"]] += 1
    assert "signpost" not in json.dumps(NO_TERMS).lower()
    assert {"Early Help", "Play and Learning", "SEND Local Offer", "Dads",
            "Money and Work"} <= set(categories)
    uncategorised = [s for s in NO_TERMS if not s["attributes"]]
    assert 5 <= len(uncategorised) <= 20


def test_every_need_is_covered_and_some_services_are_outside_the_core_offer() -> None:
    per_need = Counter(n for entry in KEY.values() for n in entry["needs"])
    assert set(per_need) == set(NEEDS)
    assert min(per_need.values()) >= 5, per_need
    outside = [e["name"] for e in KEY.values() if not e["needs"]]
    assert len(outside) >= 6
    for words in ("food bank", "warm", "baby bank", "housing", "uniform"):
        assert any(words in name.lower() for name in outside), words
    assert sum(1 for e in KEY.values() if len(e["needs"]) > 1) >= 8


def test_keywords_come_from_each_services_own_words() -> None:
    for service in WITH_TERMS:
        keywords = KEY[service["id"]]["keywords"]
        assert keywords, service["name"]
        for word in keywords:
            assert word.lower() in _text(service), (service["name"], word)


def test_venues_are_about_eight_at_real_wakefield_postcodes(geo_index: Path) -> None:
    locations = _locations(WITH_TERMS)
    assert 8 <= len(locations) <= 10
    towns = Counter(loc["addresses"][0]["city"] for loc in locations.values())
    assert towns["Wakefield"] >= 6 and towns["Crigglestone"] == 1 and towns["Ossett"] == 1
    shape = re.compile(r"^WF[1-5] \d[A-Z]{2}$")
    with Geo(geo_index) as geo:
        for loc in locations.values():
            (address,) = loc["addresses"]
            assert shape.match(address["postal_code"]), address
            place = geo.postcode(address["postal_code"])
            assert place is not None, f"{address['postal_code']} is not in the postcode index"
            assert haversine_km(place.latitude, place.longitude,
                                loc["latitude"], loc["longitude"]) < 0.01
            assert WF_AREA["lat"][0] < loc["latitude"] < WF_AREA["lat"][1]
            assert WF_AREA["lon"][0] < loc["longitude"] < WF_AREA["lon"][1]


def test_services_read_like_a_real_council_directory() -> None:
    phones = {p["number"] for s in WITH_TERMS for p in s["phones"]}
    drama = re.compile(r"^(01632 960\d{3}|0113 496 0\d{3})$")
    assert all(drama.match(p) for p in phones), phones
    paid = [s for s in WITH_TERMS if any(c["amount"] > 0 for c in s["cost_options"])]
    assert 8 <= len(paid) <= len(WITH_TERMS) // 4
    languages = {lg["name"] for s in WITH_TERMS for lg in s["languages"]} - {"English"}
    assert {"Polish", "Romanian", "Urdu", "Punjabi", "Arabic"} <= languages
    assert 5 <= sum(1 for s in WITH_TERMS if s["languages"]) <= 15
    schedules = [sch for s in WITH_TERMS for sch in s["schedules"]]
    assert any(sch.get("interval") == 2 for sch in schedules)
    assert any(sch.get("freq") == "MONTHLY" for sch in schedules)
    assert any("SA" in (sch.get("byday") or "") for sch in schedules)
    assert any((sch.get("opens_at") or "") >= "17:00" for sch in schedules)
    assert any("freq" not in sch for sch in schedules)  # by appointment / home visits
    assert sum("term time" in json.dumps(s).lower() for s in WITH_TERMS) >= 5
    lengths = [len(s["description"]) for s in WITH_TERMS]
    assert min(lengths) < 40 and max(lengths) > 400
    for service in WITH_TERMS:
        text = json.dumps(service, ensure_ascii=False)
        assert not stigma_phrases_in(text), (service["name"], stigma_phrases_in(text))


def test_every_service_is_a_valid_oruk_service() -> None:
    import jsonschema

    schema_path = ROOT / "directory" / "schemas" / "service.json"
    validator = jsonschema.Draft7Validator(json.loads(schema_path.read_text(encoding="utf-8")),
                                           format_checker=jsonschema.FormatChecker())
    for service in WITH_TERMS + NO_TERMS:
        problems = []
        for error in validator.iter_errors(service):
            path = "/".join(str(p) for p in error.absolute_path)
            # Signpost's own term ids are readable ids (stay_and_play) by contract, not UUIDs.
            if error.validator == "format" and path.startswith("attributes/") and (
                    path.endswith("taxonomy_term_id") or "/taxonomy_term/" in path):
                continue
            problems.append(f"{path}: {error.message}")
        assert not problems, (service["name"], problems)


# --- places ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["sample", "second", "second_no_terms"])
def test_every_place_value_resolves(directories: dict[str, Any], which: str) -> None:
    db = directories[which]
    places = PLACES["sample" if which == "sample" else "second"]
    services = load_json_file(ROOT / PLACES["sample"]["directory"]) if which == "sample" else WITH_TERMS
    venues = list(_locations(services).values())
    cities = {v["addresses"][0]["city"] for v in venues}

    town = db.resolve_place(places["town"])
    assert town.kind == "place" and town.name == places["town"] and places["town"] in cities
    postcode = db.resolve_place(places["postcode"])
    assert postcode.kind == "postcode" and postcode.name == places["postcode"]
    nearest = min(haversine_km(postcode.latitude, postcode.longitude, v["latitude"], v["longitude"])
                  for v in venues)
    assert nearest < 2, f"{places['postcode']} is {nearest:.1f} km from the nearest venue"
    district = db.resolve_place(places["district"])
    assert district.kind == "outward"
    assert sum(v["addresses"][0]["postal_code"].startswith(places["district"] + " ")
               for v in venues) >= 3
    for name in ("village", "other_town"):
        place = db.resolve_place(places[name])
        assert place.kind == "place" and place.name == places[name] and places[name] in cities
        away = haversine_km(town.latitude, town.longitude, place.latitude, place.longitude)
        assert 3 <= away <= 15, f"{places[name]} is {away:.1f} km from {places['town']}"
        assert db.resolve_place(places[name].lower()).name == places[name]


# --- searches -------------------------------------------------------------------------------------

def _second_places() -> dict[str, str]:
    return PLACES["second"]


def test_a_need_near_a_postcode_finds_nearby_sessions(directories: dict[str, Any]) -> None:
    p = _second_places()
    results = directories["second"].search(SearchQuery(terms=["stay_and_play"], near=p["postcode"]))
    assert len(results) >= 5
    assert all("stay_and_play" in KEY[r["id"]]["needs"] for r in results)
    assert results[0]["distance_km"] < 1


def test_a_need_near_the_village_finds_the_village_venue_first(directories: dict[str, Any]) -> None:
    p = _second_places()
    results = directories["second"].search(SearchQuery(terms=["health_visiting"], near=p["village"]))
    assert results and results[0]["name"] == "Crigglestone Baby Clinic"
    results = directories["second"].search(SearchQuery(terms=["father_friendly"], near=p["other_town"]))
    assert results and results[0]["name"] == "Dads' Walk and Talk"
    assert results[0]["distance_km"] < 0.5


@pytest.mark.parametrize("which", ["second", "second_no_terms"])
@pytest.mark.parametrize("text, expected", [
    ("food bank", "Alverthorpe Food Bank"),
    ("baby bank", "Baby Bank"),
    ("warm space", "Warm Welcome Space"),
    ("debt advice", "Money and Debt Advice"),
    ("housing", "Housing Options Drop-in"),
    ("sensory room", "Sensory Room Sessions"),
    ("job club", "Ossett Job Club"),
])
def test_free_text_finds_services_outside_the_core_offer(directories: dict[str, Any], which: str,
                                                         text: str, expected: str) -> None:
    results = directories[which].search(SearchQuery(text=text, near=_second_places()["town"]))
    assert expected in [r["name"] for r in results[:3]], [r["name"] for r in results]


@pytest.mark.parametrize("which", ["second", "second_no_terms"])
def test_every_service_is_found_by_its_keywords(directories: dict[str, Any], which: str) -> None:
    db = directories[which]
    town = _second_places()["town"]
    missed = []
    for service_id, entry in KEY.items():
        for word in entry["keywords"]:
            found = [r["id"] for r in db.search(SearchQuery(text=word, near=town, limit=100))]
            if service_id not in found:
                missed.append((entry["name"], word))
    assert not missed


def test_a_language_search_finds_the_polish_and_romanian_sessions(directories: dict[str, Any]) -> None:
    db = directories["second"]
    polish = {r["name"] for r in db.search(SearchQuery(language="Polish", near="Wakefield"))}
    assert {"Zabawa: Polish and English Playgroup", "Milk Matters"} <= polish
    romanian = {r["name"] for r in db.search(SearchQuery(language="ro", terms=["infant_feeding"],
                                                          near="Wakefield"))}
    assert romanian == {"Milk Matters"}


def test_without_signpost_terms_needs_are_read_from_the_services_own_words(
        directories: dict[str, Any]) -> None:
    """The point of the no-terms file: the bot must cope without Signpost's tags. A need is
    found in a service's own name, description phrases or council category (directory/needs.py),
    and what is found that way really is that need; nothing is lost from a plain listing."""
    db = directories["second_no_terms"]
    found = db.search(SearchQuery(terms=["stay_and_play"], near=_second_places()["postcode"]))
    assert len(found) >= 5
    assert all("stay_and_play" in KEY[r["id"]]["needs"] for r in found)
    dads = db.search(SearchQuery(terms=["father_friendly"], near=_second_places()["postcode"]))
    assert dads and all("father_friendly" in KEY[r["id"]]["needs"] for r in dads)
    everything = db.search(SearchQuery(near=_second_places()["town"], limit=100))
    assert len(everything) == len(NO_TERMS)


def test_the_sample_directory_answers_the_same_kind_of_search(directories: dict[str, Any]) -> None:
    p = PLACES["sample"]
    db = directories["sample"]
    assert db.search(SearchQuery(terms=["stay_and_play"], near=p["postcode"]))
    village = db.search(SearchQuery(terms=["health_visiting"], near=p["village"]))
    assert village and village[0]["distance_km"] < 0.5
    assert db.search(SearchQuery(terms=["father_friendly"], near=p["other_town"]))
