"""A synthetic directory of any size, as ORUK 3.0 full service objects, for benchmarks.

The shape is what ``python -m directory import`` accepts (a JSON array of the
``GET /services/{id}`` objects), so every benchmark measures the real import and search paths.
The mix mirrors a children's centre core offer: mostly free weekly sessions, some monthly
("first Saturday") ones, some by appointment, a few paid, several needs per service, ages in
years, centres at roughly one per ten services spread over England.

    .venv/web/bin/python bench/generate.py 1000 --out var/bench/services-1000.json

Deterministic: the same ``N`` and ``--seed`` give the same file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

from common.days import DAY_CODES

TERMS = (
    "health_visiting", "antenatal", "infant_feeding", "stay_and_play", "father_friendly",
    "jobcentre_plus", "disability_send", "childcare_early_education", "family_support",
    "parenting_courses", "parent_wellbeing", "childminder_support",
)

# (name, description, ages) per need; ages are ORUK years (None = open to all ages).
SERVICE_KINDS: dict[str, list[tuple[str, str, tuple[float | None, float | None]]]] = {
    "health_visiting": [
        ("Baby clinic", "Drop in to have your baby weighed and chat to a health visitor.", (0, 1)),
        ("Two year check", "A friendly check on how your toddler is growing and talking.", (2, 2)),
    ],
    "antenatal": [
        ("Antenatal classes", "Get ready for birth with a midwife. Birth partners are welcome.",
         (None, None)),
        ("Bump to baby group", "Meet other parents-to-be and ask a midwife anything.",
         (None, None)),
    ],
    "infant_feeding": [
        ("Breastfeeding cafe", "Relaxed help with breastfeeding from trained peer supporters.",
         (0, 1)),
        ("Bottle feeding drop-in", "Tips on bottles, formula and making feeds safely.", (0, 1)),
    ],
    "stay_and_play": [
        ("Stay and play", "Songs, messy play and a snack. Lots of families come along.", (0, 4)),
        ("Baby sensory play", "Lights, sounds and textures for babies to explore.", (0, 1)),
        ("Toddler music and movement", "Sing, dance and play instruments together.", (1, 4)),
    ],
    "father_friendly": [
        ("Dads and kids club", "Play, football and breakfast for dads, male carers and kids. "
         "Working mums and carers are welcome too.", (0, 4)),
        ("Saturday dads group", "Messy play and a brew for dads and their children.", (0, 4)),
    ],
    "jobcentre_plus": [
        ("Jobcentre Plus work coach", "Talk to a work coach about jobs, training and childcare "
         "costs.", (None, None)),
        ("Job club with creche", "Help with CVs and job searching while your child plays.",
         (None, None)),
    ],
    "disability_send": [
        ("Inclusive play and sensory room", "Play sessions for children with additional needs "
         "and their brothers and sisters.", (0, 5)),
        ("Parent carers befriending", "Meet other parent carers for a cuppa and a chat.",
         (None, None)),
    ],
    "childcare_early_education": [
        ("Funded two year old places", "Free early education for eligible two year olds.", (2, 2)),
        ("Nursery for 3 and 4 year olds", "Funded nursery hours in a friendly setting.", (3, 4)),
    ],
    "family_support": [
        ("Family support home visits", "A family worker can visit you at home to help with "
         "routines, money and more.", (None, None)),
        ("Family drop-in", "Pop in for advice on anything family life brings.", (None, None)),
    ],
    "parenting_courses": [
        ("Parenting course", "A six week course open to all parents and carers.", (0, 12)),
        ("Understanding your toddler", "Learn about tantrums, sleep and talking.", (1, 4)),
    ],
    "parent_wellbeing": [
        ("New parents wellbeing group", "A calm space to talk about how you are feeling.",
         (0, 1)),
        ("Mindful mums, dads and carers", "Gentle relaxation and a chat over a cuppa.",
         (None, None)),
    ],
    "childminder_support": [
        ("Childminder network", "Meet local childminders and find out about places.", (0, 4)),
        ("Childminder drop-in", "Training and play for childminders and the children they mind.",
         (0, 4)),
    ],
}

# Needs that often come together, so multi-term searches have something to rank.
SECOND_TERMS = {
    "stay_and_play": ("father_friendly", "disability_send", "childcare_early_education"),
    "father_friendly": ("stay_and_play", "parenting_courses"),
    "antenatal": ("infant_feeding", "parent_wellbeing"),
    "jobcentre_plus": ("childcare_early_education", "family_support"),
    "infant_feeding": ("health_visiting", "parent_wellbeing"),
}

TOWNS = ("Blackburn", "Darwen", "Accrington", "Burnley", "Preston", "Chorley", "Lancaster",
         "Kendal", "Carlisle", "Barrow", "Bolton", "Wigan", "Bury", "Rochdale", "Oldham",
         "Stockport", "Leeds", "Bradford", "York", "Hull", "Sheffield", "Derby", "Nottingham",
         "Leicester", "Coventry", "Norwich", "Ipswich", "Oxford", "Reading", "Bristol", "Exeter",
         "Plymouth", "Brighton", "Canterbury", "Lincoln", "Durham", "Newcastle", "Carlisle")
STREETS = ("Church Street", "High Street", "Park Road", "Mill Lane", "Station Road",
           "Victoria Street", "Queens Road", "School Lane", "Green Lane", "Market Street")
LANGUAGES = (("pl", "Polish"), ("ur", "Urdu"), ("pa", "Punjabi"), ("bn", "Bengali"),
             ("ar", "Arabic"), ("ro", "Romanian"), ("so", "Somali"))
KINDS_OF_CENTRE = ("Family Hub", "Children's Centre", "Community Centre")
DAYS = DAY_CODES
WEEKDAY_WEIGHTS = (16, 16, 16, 16, 14, 8, 3)
MONTHLY_BYDAY = ("1SA", "2TU,4TU", "-1FR", "1MO", "3WE", "2SA")
TIMES = (("09:00", "10:30"), ("09:30", "11:30"), ("10:00", "12:00"), ("11:00", "12:00"),
         ("13:00", "14:30"), ("13:30", "15:00"), ("15:30", "17:00"), ("17:30", "19:00"),
         ("18:00", "19:30"))

# England, roughly: a box from Cornwall to Northumberland, trimmed so few points fall at sea.
LAT_RANGE = (50.6, 54.9)
LON_RANGE = (-3.2, 0.3)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _postcode(rng: random.Random) -> str:
    area = rng.choice(("BB", "BL", "PR", "LA", "LS", "BD", "S", "DE", "NG", "LE", "CV", "NR",
                       "OX", "RG", "BS", "EX", "PL", "BN", "CT", "LN", "DH", "NE", "CA"))
    return (f"{area}{rng.randint(1, 12)} {rng.randint(1, 9)}"
            f"{rng.choice('ABDEFGHJLNPQRSTUWXY')}{rng.choice('ABDEFGHJLNPQRSTUWXY')}")


def make_locations(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """``count`` children's centres with an address, coordinates and (mostly) access details."""
    locations = []
    for n in range(count):
        town = rng.choice(TOWNS)
        location_id = _uuid(rng)
        location: dict[str, Any] = {
            "id": location_id,
            "location_type": "physical",
            "name": f"{town} {rng.choice(KINDS_OF_CENTRE)} {n + 1}",
            "description": "A family hub with a garden, a play room and a cafe corner.",
            "latitude": round(rng.uniform(*LAT_RANGE), 6),
            "longitude": round(rng.uniform(*LON_RANGE), 6),
            "addresses": [{
                "id": _uuid(rng), "location_id": location_id,
                "address_1": f"{rng.randint(1, 200)} {rng.choice(STREETS)}", "city": town,
                "state_province": "England", "postal_code": _postcode(rng), "country": "GB",
                "address_type": "physical",
            }],
            "accessibility": [],
        }
        if rng.random() < 0.6:
            location["accessibility"].append({
                "id": _uuid(rng), "location_id": location_id,
                "description": "Step-free entrance and wheelchair accessible toilet.",
            })
        locations.append(location)
    return locations


def _schedule(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.07:
        return {"id": _uuid(rng), "description": "By appointment. Call us to book a time.",
                "attending_type": "in_person"}
    opens, closes = rng.choice(TIMES)
    schedule: dict[str, Any] = {"id": _uuid(rng), "opens_at": f"{opens}:00",
                                "closes_at": f"{closes}:00", "dtstart": "2026-01-05",
                                "interval": 1}
    if roll < 0.17:
        schedule.update(freq="MONTHLY", byday=rng.choice(MONTHLY_BYDAY))
    else:
        days = sorted(set(rng.choices(DAYS, WEEKDAY_WEIGHTS, k=rng.choice((1, 1, 1, 2)))),
                      key=DAYS.index)
        schedule.update(freq="WEEKLY", byday=",".join(days))
    return schedule


def make_service(n: int, rng: random.Random, locations: list[dict[str, Any]],
                 organization: dict[str, Any]) -> dict[str, Any]:
    """One realistic core-offer service at one of ``locations``."""
    term = TERMS[n % len(TERMS)] if rng.random() < 0.5 else rng.choice(TERMS)
    name, description, (min_age, max_age) = rng.choice(SERVICE_KINDS[term])
    terms = [term]
    if rng.random() < 0.35:
        terms.append(rng.choice(SECOND_TERMS.get(term, TERMS)))
    terms = list(dict.fromkeys(terms))
    service_id, sal_id = _uuid(rng), _uuid(rng)
    location = rng.choice(locations)
    schedules = [_schedule(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
    on_location = rng.random() < 0.3
    for schedule in schedules:
        if on_location:
            schedule["service_at_location_id"] = sal_id
        else:
            schedule["service_id"] = service_id
    town = location["addresses"][0]["city"]
    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": organization["id"],
        "organization": organization,
        "name": f"{name} ({town})" if rng.random() < 0.5 else name,
        "description": description,
        "url": f"https://family.example.org/services/{n + 1}",
        "email": f"hello{n % 97}@family.example.org",
        "status": "active" if rng.random() < 0.97 else "inactive",
        "assured_date": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "schedules": [] if on_location else schedules,
        "service_at_locations": [{
            "id": sal_id, "service_id": service_id, "location_id": location["id"],
            "location": location,
            "schedules": schedules if on_location else [],
        }],
        "attributes": [{
            "id": _uuid(rng), "link_id": service_id, "link_type": "service",
            "taxonomy_term_id": t,
            "taxonomy_term": {"id": t, "name": t.replace("_", " ").capitalize(),
                              "description": "A Signpost core offer need.",
                              "taxonomy": "Signpost core offer"},
        } for t in terms],
        "cost_options": [],
        "phones": [{"id": _uuid(rng), "number": f"01254 {rng.randint(100000, 999999)}"}],
        "contacts": [],
        "languages": [],
    }
    if min_age is not None:
        service["minimum_age"] = min_age
    if max_age is not None:
        service["maximum_age"] = max_age
    cost = rng.random()
    if cost < 0.2:
        service["cost_options"].append({"id": _uuid(rng), "amount": 2, "currency": "GBP",
                                        "amount_description": "per family"})
    elif cost < 0.6:
        service["cost_options"].append({"id": _uuid(rng), "amount": 0, "currency": "GBP",
                                        "option": "Free"})
    if rng.random() < 0.1:
        code, lang = rng.choice(LANGUAGES)
        service["languages"].append({"id": _uuid(rng), "service_id": service_id,
                                     "name": lang, "code": code})
    return service


def generate(count: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    """Yield ``count`` services over ``max(1, count // 10)`` centres."""
    rng = random.Random(seed)
    locations = make_locations(max(1, count // 10), rng)
    organization = {"id": _uuid(rng), "name": "Synthetic Family Hubs",
                    "description": "A generated council family hub network for benchmarks."}
    for n in range(count):
        yield make_service(n, rng, locations, organization)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="how many services")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write here instead of standard output")
    args = parser.parse_args(argv)
    services = list(generate(args.count, args.seed))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(services), encoding="utf-8")
        print(f"Wrote {len(services)} services to {args.out}", file=sys.stderr)
    else:
        json.dump(services, sys.stdout)


if __name__ == "__main__":
    main()
