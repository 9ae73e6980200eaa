"""A small, realistic directory for the search tests: 16 services at three Darwen-area centres.

Written as ORUK full service objects and stored with ``directory.store.save_service``, so the
search tests read exactly what an import would have written.

Times are pinned: ``NOW`` is Thursday 26 November 2026, 08:00 in London (GMT). The coming
Saturday is 28 November; the first Saturday of December is 5 December.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import sqlite_utils

from directory.db import open_db
from directory.store import save_service, sync_taxonomy

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=timezone.utc)

# Real places: Darwen town centre, Blackburn town centre and Hoddlesden (a village 3 km east).
CENTRES = {
    "darwen": {"name": "Darwen Family Hub", "lat": 53.6982, "lon": -2.4651,
               "street": "Union Street", "city": "Darwen", "postcode": "BB3 1PU",
               "access": "Step-free entrance and a wheelchair accessible toilet."},
    "blackburn": {"name": "Blackburn Central Children's Centre", "lat": 53.7480, "lon": -2.4826,
                  "street": "Blakey Moor", "city": "Blackburn", "postcode": "BB2 1AA",
                  "access": "Wheelchair access to the ground floor by a ramp."},
    "hoddlesden": {"name": "Hoddlesden Village Hall", "lat": 53.6935, "lon": -2.4150,
                   "street": "Queen Street", "city": "Hoddlesden", "postcode": "BB3 3NH",
                   "access": "There are three steps at the door and no wheelchair access."},
}


def sid(name: str) -> str:
    """A stable ORUK (UUID) id for a fixture name, so tests can say ``sid("dads_saturday")``."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"signpost-test/{name}"))


def _location(key: str) -> dict[str, Any]:
    centre = CENTRES[key]
    return {
        "id": sid(f"loc-{key}"), "location_type": "physical", "name": centre["name"],
        "latitude": centre["lat"], "longitude": centre["lon"],
        "addresses": [{"id": sid(f"addr-{key}"), "address_1": centre["street"],
                       "city": centre["city"], "state_province": "Lancashire",
                       "postal_code": centre["postcode"], "country": "GB",
                       "address_type": "physical"}],
        "accessibility": [{"id": sid(f"access-{key}"), "description": centre["access"]}],
    }


def _weekly(byday: str, opens: str, closes: str, **extra: Any) -> dict[str, Any]:
    return {"freq": "WEEKLY", "interval": 1, "byday": byday, "dtstart": "2026-01-05",
            "opens_at": opens, "closes_at": closes, **extra}


def _monthly(byday: str, opens: str, closes: str) -> dict[str, Any]:
    return {"freq": "MONTHLY", "interval": 1, "byday": byday, "dtstart": "2026-01-01",
            "opens_at": opens, "closes_at": closes}


BY_APPOINTMENT = {"description": "By appointment. Call to book a time that suits you."}

# name: (centre, terms, min age, max age, schedules, extra service fields)
SERVICES: dict[str, tuple[str, list[str], float | None, float | None, list[dict], dict]] = {
    "dads_saturday": ("darwen", ["stay_and_play", "father_friendly"], 0, 4,
                      [_weekly("SA", "10:00", "12:00")],
                      {"name": "Saturday Dads Stay and Play",
                       "description": "Messy play and a brew for dads, male carers and their "
                                      "children. Working mums and carers are welcome too.",
                       "cost_options": [{"amount": 0, "option": "Free"}]}),
    "dads_first_saturday": ("blackburn", ["father_friendly"], 0, 4,
                            [_monthly("1SA", "09:30", "11:30")],
                            {"name": "First Saturday Dads Club",
                             "description": "Football, play and breakfast on the first "
                                            "Saturday of every month."}),
    "stay_play_blackburn": ("blackburn", ["stay_and_play"], 0, 4,
                            [_weekly("MO,WE", "10:00", "11:30")],
                            {"name": "Stay and Play",
                             "description": "Songs, messy play and a snack. Lots of families "
                                            "come along.",
                             "cost_options": [{"amount": 2, "currency": "GBP",
                                               "amount_description": "per family"}]}),
    "baby_sensory": ("darwen", ["stay_and_play"], 0, 1,
                     [_weekly("TH", "13:30", "14:30")],
                     {"name": "Baby Sensory Play",
                      "description": "Lights, sounds and textures for babies to explore."}),
    "toddler_music": ("hoddlesden", ["stay_and_play"], 1, 4,
                      [_weekly("TU", "10:00", "11:00")],
                      {"name": "Toddler Music and Movement",
                       "description": "Sing, dance and play instruments together.",
                       "fees": "£1.50 per child"}),
    "antenatal": ("blackburn", ["antenatal"], None, None,
                  [_weekly("TU", "18:00", "20:00")],
                  {"name": "Antenatal Classes",
                   "description": "Get ready for birth with a midwife. Birth partners are "
                                  "welcome."}),
    "bump_to_baby": ("darwen", ["antenatal", "parent_wellbeing"], 0, 1,
                     [_weekly("FR", "13:00", "14:30")],
                     {"name": "Bump to Baby Group",
                      "description": "Meet other parents-to-be and new parents over a cuppa."}),
    "breastfeeding": ("darwen", ["infant_feeding"], 0, 1,
                      [_weekly("FR", "10:00", "11:30")],
                      {"name": "Breastfeeding Cafe",
                       "description": "Relaxed help with breastfeeding from trained peer "
                                      "supporters.",
                       "languages": [{"name": "Polish", "code": "pl"},
                                     {"name": "English", "code": "en"}]}),
    "work_coach": ("blackburn", ["jobcentre_plus"], None, None, [BY_APPOINTMENT],
                   {"name": "Jobcentre Plus Work Coach",
                    "description": "Talk to a work coach about jobs, training and childcare "
                                   "costs."}),
    "evening_dads": ("darwen", ["father_friendly", "parenting_courses"], 0, 12,
                     [_weekly("WE", "18:30", "20:00")],
                     {"name": "Evening Dads Course",
                      "description": "A relaxed six week course for dads after work.",
                      "cost_options": [{"amount": 0, "option": "Free"}]}),
    "inclusive_play": ("hoddlesden", ["disability_send", "stay_and_play"], 0, 5,
                       [_weekly("SA", "11:00", "12:30")],
                       {"name": "Inclusive Play and Sensory Room",
                        "description": "Play for children with additional needs, and their "
                                       "brothers and sisters."}),
    "polish_parents": ("blackburn", ["parent_wellbeing"], None, None,
                       [_weekly("TH", "10:00", "11:30")],
                       {"name": "Polish Parents Coffee Morning",
                        "description": "A friendly chat for Polish speaking mums, dads and "
                                       "carers.",
                        "languages": [{"name": "Polish", "code": "pl"}]}),
    "funded_twos": ("darwen", ["childcare_early_education"], 2, 2,
                    [_weekly("MO,TU,WE,TH,FR", "09:00", "15:00")],
                    {"name": "Funded Two Year Old Places",
                     "description": "Free early education for two year olds."}),
    "closed_stay_play": ("darwen", ["stay_and_play"], 0, 4,
                         [_weekly("SA", "09:00", "10:00")],
                         {"name": "Old Saturday Stay and Play", "status": "inactive",
                          "description": "This session has finished."}),
    "health_clinic": ("darwen", ["health_visiting"], 0, 4,
                      [_monthly("2TU,4TU", "09:30", "11:30")],
                      {"name": "Health Visitor Clinic",
                       "description": "Weigh your baby and chat to a health visitor."}),
    "job_club": ("hoddlesden", ["jobcentre_plus"], None, None,
                 [_monthly("-1FR", "10:00", "12:00")],
                 {"name": "Last Friday Job Club",
                  "description": "Help with CVs and job searching. A creche is on site."}),
}

# Schedules of these services sit on their service_at_location, not on the service.
SCHEDULES_AT_LOCATION = {"inclusive_play", "health_clinic"}


def service_object(name: str) -> dict[str, Any]:
    """The ORUK full service object for one fixture service."""
    centre, terms, min_age, max_age, schedules, extra = SERVICES[name]
    extra = dict(extra)
    numbered = [{"id": sid(f"schedule-{name}-{n}"), **s} for n, s in enumerate(schedules)]
    at_location = name in SCHEDULES_AT_LOCATION
    service: dict[str, Any] = {
        "id": sid(name),
        "name": extra.pop("name"),
        "description": extra.pop("description"),
        "status": extra.pop("status", "active"),
        "url": f"https://darwen-family.example.org/{name.replace('_', '-')}",
        "email": f"{name.replace('_', '.')}@darwen-family.example.org",
        "assured_date": "2026-09-01",
        "organization": {"id": sid("org"), "name": "Darwen Family Hubs",
                         "description": "The council's family hubs in Darwen and Blackburn."},
        "schedules": [] if at_location else numbered,
        "service_at_locations": [{"id": sid(f"sal-{name}"), "location": _location(centre),
                                  "schedules": numbered if at_location else []}],
        "attributes": [{"id": sid(f"attr-{name}-{t}"), "taxonomy_term_id": t} for t in terms],
        "phones": [{"id": sid(f"phone-{name}"), "number": "01254 222 333"}],
        "cost_options": [{"id": sid(f"cost-{name}-{n}"), **c}
                         for n, c in enumerate(extra.pop("cost_options", []))],
        "languages": [{"id": sid(f"lang-{name}-{n}"), **lang}
                      for n, lang in enumerate(extra.pop("languages", []))],
        **extra,
    }
    if min_age is not None:
        service["minimum_age"] = min_age
    if max_age is not None:
        service["maximum_age"] = max_age
    return service


def build_directory(path: str) -> sqlite_utils.Database:
    """A fresh directory at ``path`` holding every fixture service."""
    db = open_db(path)
    sync_taxonomy(db)
    for name in SERVICES:
        save_service(db, service_object(name))
    return db
