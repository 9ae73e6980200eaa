"""Generated ORUK 3.0 services for import tests: realistic shape, any size, deterministic."""

from __future__ import annotations

import random
import uuid

from directory.taxonomy import load_taxonomy

_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def _id(kind: str, n: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"signpost-test/{kind}/{n}"))


def make_location(n: int) -> dict:
    return {
        "id": _id("location", n),
        "location_type": "physical",
        "name": f"Centre number {n}",
        "description": "A family hub with a garden and a baby-changing room.",
        "latitude": round(53.5 + (n % 97) / 500, 6),
        "longitude": round(-2.6 + (n % 89) / 400, 6),
        "addresses": [{
            "id": _id("address", n), "address_1": f"{n} High Street", "city": "Blackburn",
            "state_province": "Lancashire", "postal_code": "BB1 1AA", "country": "GB",
            "address_type": "physical",
        }],
        "accessibility": [{"id": _id("accessibility", n),
                           "description": "Step-free access and an accessible toilet."}],
    }


def make_organization(n: int) -> dict:
    return {"id": _id("organization", n), "name": f"Family Hubs Trust {n}",
            "description": "Runs family hubs for the council."}


def make_service(n: int, *, locations: int = 200, organizations: int = 5) -> dict:
    """Service ``n``: one centre (shared with others), one or two sessions, one or two needs."""
    rng = random.Random(n)
    terms = load_taxonomy().terms
    picked = rng.sample(list(terms), k=rng.choice([1, 2]))
    day = rng.choice(_DAYS)
    service = {
        "id": _id("service", n),
        "name": f"{picked[0].name} session {n}",
        "description": f"{picked[0].description} Open to all parents and carers.",
        "status": "active",
        "minimum_age": 0,
        "maximum_age": rng.choice([1, 2, 4, 5]),
        "organization": make_organization(n % organizations),
        "service_at_locations": [{
            "id": _id("sal", n),
            "location": make_location(n % locations),
        }],
        "schedules": [{
            "id": _id("schedule", n), "freq": "WEEKLY", "interval": 1, "byday": day,
            "opens_at": "10:00", "closes_at": "11:30", "valid_from": "2026-01-01",
        }],
        "cost_options": [{"id": _id("cost", n), "option": "Free", "amount": 0,
                          "amount_description": "Free for everyone"}],
        "contacts": [{"id": _id("contact", n), "name": "Centre team", "title": "Reception"}],
        "phones": [{"id": _id("phone", n), "number": f"01254 {n % 1000000:06d}"}],
        "languages": [{"id": _id("language", n), "name": "English", "code": "en"}],
        "attributes": [{"id": _id(f"attribute-{t.id}", n), "taxonomy_term_id": t.id,
                        "link_type": "need", "taxonomy_term": t.as_oruk()} for t in picked],
    }
    if n % 3 == 0:
        service["service_at_locations"][0]["schedules"] = [{
            "id": _id("sal-schedule", n), "freq": "MONTHLY", "byday": "1SA",
            "opens_at": "09:30", "closes_at": "11:00"}]
    return service


def make_services(count: int, start: int = 0, **kwargs) -> list[dict]:
    return [make_service(n, **kwargs) for n in range(start, start + count)]
