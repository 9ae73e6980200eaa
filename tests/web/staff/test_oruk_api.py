"""The public ORUK 3.0 API: every response validates against the Open Referral UK schemas, with
format checking on (every id a UUID)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from directory.geo import Geo, haversine_km
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from directory.oruk_ids import is_uuid, public_id

HERE = Path(__file__).resolve().parent
SCHEMAS = HERE / "oruk_schemas"
FULL_SERVICE = HERE.parents[2] / "directory" / "schemas" / "service.json"


def _load(name: str | Path) -> dict:
    path = name if isinstance(name, Path) else SCHEMAS / name
    return json.loads(path.read_text(encoding="utf-8"))


# taxonomy.json names its terms' schema by the relative file name "taxonomy_term.json".
_REGISTRY = Registry().with_resource("taxonomy_term.json",
                                     Resource.from_contents(_load("taxonomy_term.json"),
                                                            default_specification=DRAFT202012))


def validator(name: str | Path) -> Draft202012Validator:
    return Draft202012Validator(_load(name), registry=_REGISTRY,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


PAGE = validator("page.json")
ITEMS = {"services": validator("service_list.json"),
         "service_at_locations": validator("service_at_location_list.json"),
         "taxonomy_terms": validator("taxonomy_term.json"),
         "taxonomies": validator("taxonomy.json"),
         "organizations": validator("organization_list.json")}
PAGE_KEYS = {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
             "contents"}


def problems(v: Draft202012Validator, data) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in v.iter_errors(data)]


async def get_page(client, path: str) -> dict:
    response = await client.get(path)
    assert response.status == 200, await response.text()
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    page = await response.json()
    assert set(page) == PAGE_KEYS
    assert problems(PAGE, page) == []
    kind = path.split("?")[0].rsplit("/", 1)[1]
    for item in page["contents"]:
        assert problems(ITEMS[kind], item) == [], item.get("id")
    return page


async def test_version_info(client):
    response = await client.get("/oruk/")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    info = await response.json()
    assert info["version"] == "3.0" and info["profile"].startswith("https://")


async def test_every_sample_service_validates_as_a_full_oruk_service(client, sample_services):
    full = validator(FULL_SERVICE)
    for sample in sample_services:
        response = await client.get(f"/oruk/services/{sample['id']}")
        assert response.status == 200
        service = await response.json()
        assert problems(full, service) == [], sample["id"]
        assert service["id"] == sample["id"] and service["name"] == sample["name"]
        assert "version" not in service  # ours, not ORUK's
        assert service["service_at_locations"][0]["location"]["name"]


async def test_every_list_page_validates_and_pages_add_up(client, sample_services):
    seen = []
    page_number = 1
    while True:
        page = await get_page(client, f"/oruk/services?per_page=7&page={page_number}")
        assert page["page_number"] == page_number and page["size"] == len(page["contents"])
        assert page["first_page"] == (page_number == 1)
        seen += [s["id"] for s in page["contents"]]
        if page["last_page"]:
            break
        page_number += 1
    assert page["total_items"] == len(sample_services) == len(seen) == len(set(seen))
    assert page["total_pages"] == page_number == -(-len(sample_services) // 7)
    for path in ("/oruk/service_at_locations?per_page=200", "/oruk/taxonomy_terms",
                 "/oruk/service_at_locations?postcode=BB3%201AB&proximity=2000"):
        await get_page(client, path)


async def test_an_empty_result_is_a_valid_empty_page(client):
    page = await get_page(client, "/oruk/services?text=xylophonezzz")
    assert page["empty"] is True and page["total_items"] == 0 and page["contents"] == []


async def test_filters_narrow_the_services(client, sample_services):
    stay = await get_page(client, "/oruk/services?taxonomy_term_id=stay_and_play&per_page=100")
    expected = {s["id"] for s in sample_services
                if any(a.get("taxonomy_term_id") == "stay_and_play" for a in s.get("attributes", []))}
    assert {s["id"] for s in stay["contents"]} == expected
    saturday = await get_page(client, "/oruk/services?day=Saturday&per_page=100")
    assert 0 < saturday["total_items"] < len(sample_services)
    evening = await get_page(client, "/oruk/services?start_time=17:00&per_page=100")
    expected_evening = {s["id"] for s in sample_services
                        if any((sc.get("opens_at") or "")[:5] >= "17:00"
                               for sc in s.get("schedules") or [])}
    assert expected_evening and len(expected_evening) < len(sample_services)
    assert {s["id"] for s in evening["contents"]} == expected_evening
    young = await get_page(client, "/oruk/services?maximum_age=1&per_page=100")
    assert all(s["maximum_age"] <= 1 for s in young["contents"])
    text = await get_page(client, "/oruk/services?text=dads")
    assert text["total_items"] > 0


async def test_proximity_keeps_only_nearby_places_nearest_first(client, settings):
    near = await get_page(client, "/oruk/service_at_locations?postcode=BB3%201AB&proximity=1500&per_page=200")
    wide = await get_page(client, "/oruk/service_at_locations?postcode=BB3%201AB&per_page=200")
    assert 0 < near["total_items"] < wide["total_items"]
    assert {i["location"]["name"] for i in near["contents"]} <= {i["location"]["name"] for i in wide["contents"]}
    assert "Darwen" in near["contents"][0]["location"]["name"]
    origin = Geo(settings.geo_db).postcode("BB3 1AB")
    distances = [haversine_km(origin.latitude, origin.longitude, i["location"]["latitude"],
                              i["location"]["longitude"]) for i in near["contents"]]
    assert distances == sorted(distances) and len(set(distances)) > 1
    assert max(distances) <= 1.5


@pytest.mark.parametrize("query", ["page=0", "per_page=abc", "minimum_age=-1", "day=Funday",
                                   "start_time=25:99", "proximity=100"])
async def test_bad_parameters_get_a_400_that_says_which(client, query):
    response = await client.get(f"/oruk/service_at_locations?{query}")
    assert response.status == 400
    body = await response.json()
    assert query.split("=")[0] in body["message"]


async def test_an_unknown_service_is_a_404(client):
    response = await client.get("/oruk/services/no-such-id")
    assert response.status == 404
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_schemas_catch_a_broken_response():
    """The checks above can fail: a page or item in the wrong shape is reported."""
    assert problems(PAGE, {"total_items": "ten"})
    assert problems(ITEMS["services"], {"id": "x", "status": "active"})  # no name
    assert problems(ITEMS["service_at_locations"], {"id": "x", "location": {"id": "y"}})
    assert problems(validator(FULL_SERVICE), {"id": "x", "name": "n", "status": "active",
                                              "schedules": "every day"})


# --------------------------------------------------------------------------------------------
# What the public may see: active services only, ORUK fields and our documented extensions only.

def _imported_with_private_parts(db, sample: dict) -> tuple[str, str]:
    """Import a listing at ``sample``'s first centre that carries an internal note and an
    assurer's e-mail, and an inactive one; returns (public id, inactive id)."""
    from directory.oruk import import_oruk

    location_id = sample["service_at_locations"][0]["location"]["id"]

    def listing(sid: str, name: str, **fields) -> dict:
        return {"id": sid, "name": name, "status": "active",
                "organization_id": sample["organization"]["id"],
                "description": "A weekly group for mums, dads and carers.",
                "service_at_locations": [{"id": f"{sid}-at", "location_id": location_id}],
                "schedules": [{"id": f"{sid}-weekly", "freq": "WEEKLY", "byday": "TU",
                               "opens_at": "10:00", "closes_at": "11:30",
                               "internal_note": "key holder is Dave"}],
                "attributes": [{"id": f"{sid}-need", "taxonomy_term_id": "stay_and_play"}],
                **fields}

    shown = listing("public-check-shown", "Shown listing zzqx",
                    assurer_email="assurer.person@council.example",
                    internal_note="Do not refer: staff dispute with the venue")
    hidden = listing("public-check-inactive", "Closed listing zzqx", status="inactive")
    import_oruk(db, [shown, hidden])
    return shown["id"], hidden["id"]


async def test_the_public_api_shows_active_services_without_private_fields(client, db,
                                                                           sample_services):
    shown, hidden = _imported_with_private_parts(db, sample_services[0])

    response = await client.get(f"/oruk/services/{shown}")
    assert response.status == 200
    body = await response.text()
    assert "Shown listing zzqx" in body
    assert "internal_note" not in body and "staff dispute" not in body and "Dave" not in body
    assert "assurer.person@council.example" not in body
    assert problems(validator(FULL_SERVICE), json.loads(body)) == []

    assert (await client.get(f"/oruk/services/{hidden}")).status == 404
    listed = await get_page(client, "/oruk/services?text=zzqx&per_page=100")
    assert [s["id"] for s in listed["contents"]] == [public_id(shown)]
    assert "assurer.person@council.example" not in json.dumps(listed)
    at_places = await get_page(client, "/oruk/service_at_locations?text=zzqx&per_page=100")
    assert {i["service_id"] for i in at_places["contents"]} == {public_id(shown)}


async def test_staff_export_still_keeps_every_field_an_import_carried(db, sample_services):
    from directory.oruk import export_oruk

    shown, hidden = _imported_with_private_parts(db, sample_services[0])
    exported = {s["id"]: s for s in export_oruk(db)}
    shown, hidden = public_id(shown), public_id(hidden)
    assert exported[shown]["internal_note"] == "Do not refer: staff dispute with the venue"
    assert exported[shown]["assurer_email"] == "assurer.person@council.example"
    assert exported[hidden]["status"] == "inactive"


# --------------------------------------------------------------------------------------------
# Every object has a UUID id; every endpoint of the profile answers, in its shape.

def _ids(obj, path="") -> list[tuple[str, str]]:
    """Every (path, value) of an ``id`` or ``*_id`` key in a response."""
    found = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if (k == "id" or k.endswith("_id")) and isinstance(v, str):
                found.append((f"{path}.{k}", v))
            found += _ids(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            found += _ids(v, f"{path}[{i}]")
    return found


async def test_every_published_id_is_a_uuid_and_needs_keep_their_code(client, sample_services):
    full = await (await client.get(f"/oruk/services/{sample_services[0]['id']}")).json()
    terms = await get_page(client, "/oruk/taxonomy_terms?per_page=100")
    places = await get_page(client, "/oruk/service_at_locations?per_page=5")
    for body in (full, terms, places):
        assert [p for p, v in _ids(body) if not is_uuid(v)] == []
    attribute = full["attributes"][0]
    assert attribute["taxonomy_term"]["code"] == sample_services[0]["attributes"][0]["taxonomy_term_id"]
    assert attribute["taxonomy_term_id"] == attribute["taxonomy_term"]["id"]
    father = [t for t in terms["contents"] if t.get("code") == "father_friendly"]
    assert father and father[0]["id"] == public_id("father_friendly")


async def test_a_term_filter_accepts_its_uuid_or_its_code(client):
    by_code = await get_page(client, "/oruk/services?taxonomy_term_id=father_friendly&per_page=100")
    by_uuid = await get_page(
        client, f"/oruk/services?taxonomy_term_id={public_id('father_friendly')}&per_page=100")
    assert by_code["total_items"] > 0 and by_code == by_uuid
    everything = await get_page(client, "/oruk/services?per_page=1")
    assert by_code["total_items"] < everything["total_items"]


async def test_search_is_the_same_as_text(client):
    search = await get_page(client, "/oruk/services?search=dads&per_page=100")
    text = await get_page(client, "/oruk/services?text=dads&per_page=100")
    assert 0 < search["total_items"] == text["total_items"]


async def test_one_by_one_endpoints_answer_in_the_profile_shape(client, sample_services):
    taxonomies = await get_page(client, "/oruk/taxonomies")
    assert taxonomies["total_items"] >= 1
    one = await (await client.get(f"/oruk/taxonomies/{taxonomies['contents'][0]['id']}")).json()
    assert problems(validator("taxonomy.json"), one) == [] and one["taxonomy_terms"]

    for given in ("father_friendly", public_id("father_friendly")):
        response = await client.get(f"/oruk/taxonomy_terms/{given}")
        assert response.status == 200
        term = await response.json()
        assert problems(validator("taxonomy_term.json"), term) == []
        assert term["code"] == "father_friendly" and term["id"] == public_id("father_friendly")

    place = (await get_page(client, "/oruk/service_at_locations?per_page=1"))["contents"][0]
    response = await client.get(f"/oruk/service_at_locations/{place['id']}")
    assert response.status == 200
    at = await response.json()
    assert problems(validator("service_at_location.json"), at) == []
    assert at["service"]["id"] == place["service_id"] and at["location"]["name"]

    organizations = await get_page(client, "/oruk/organizations?per_page=100")
    wanted = public_id(sample_services[0]["organization"]["id"])
    assert wanted in {o["id"] for o in organizations["contents"]}
    org = await (await client.get(f"/oruk/organizations/{wanted}")).json()
    assert problems(validator("organization.json"), org) == []
    assert public_id(sample_services[0]["id"]) in {s["id"] for s in org["services"]}


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/oruk/nothing-here", 404), ("GET", "/oruk/taxonomies/no-such", 404),
    ("GET", "/oruk/service_at_locations/no-such", 404), ("GET", "/oruk/organizations/nope", 404),
    ("POST", "/oruk/services", 405), ("GET", "/oruk/taxonomies?page=zero", 400)])
async def test_errors_under_oruk_are_json(client, method, path, status):
    response = await client.request(method, path)
    assert response.status == status
    assert response.content_type == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert (await response.json())["message"]
