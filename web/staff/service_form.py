"""The service and session forms: ORUK service ⇄ form fields, with server-side checks.

Pure functions (no web, no database) so the rules are easy to test and read. A form only ever
changes the fields it shows; everything else in the ORUK service (ids, funding, languages,
records from an import) is kept as it was.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Mapping

from common.days import DAY_CODES, DAY_NAMES
from directory import schedules as sched
from directory.store import new_id, strip_shared

OUR_TAXONOMY = "signpost-core-offer"
STATUSES = [("active", "Running"), ("temporarily closed", "Paused for now"),
            ("inactive", "Not running at the moment"), ("defunct", "Closed for good")]
DAYS = list(DAY_NAMES.items())
WEEKS = [("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")]
KINDS = [("weekly", "Every week (or every 2 weeks)"), ("monthly", "Once a month, on a set week"),
         ("appointment", "By appointment – families book a time")]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+() -]{6,25}$")
_TIME = re.compile(r"^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$")
SERVICE_FIELDS = ("name", "description", "status", "needs", "minimum_age", "maximum_age", "cost",
                  "cost_amount", "cost_description", "phone", "email", "url", "alert", "locations")
FIELD_LABELS = {"name": "Name", "description": "Description", "status": "Status",
                "needs": "Needs it meets", "minimum_age": "Youngest age", "maximum_age": "Oldest age",
                "cost": "Cost", "cost_amount": "Price", "cost_description": "Cost details",
                "phone": "Phone", "email": "Email", "url": "Web page", "alert": "Note for families",
                "locations": "Where it runs"}


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def _long_text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return str(value).replace("\r\n", "\n").strip() if value is not None else ""


def _number(value: Any) -> str:
    if value is None or value == "":
        return ""
    value = float(value)
    return str(int(value)) if value.is_integer() else str(value)


def _our_terms(service: Mapping[str, Any]) -> list[str]:
    return [a.get("taxonomy_term_id") for a in service.get("attributes") or []
            if a.get("taxonomy_term_id") and (a.get("taxonomy_term") or {}).get("taxonomy_id",
                                                                                 OUR_TAXONOMY) == OUR_TAXONOMY]


def _first_phone(service: Mapping[str, Any]) -> str:
    for phone in service.get("phones") or []:
        if phone.get("number"):
            return phone["number"]
    for contact in service.get("contacts") or []:
        for phone in contact.get("phones") or []:
            if phone.get("number"):
                return phone["number"]
    return ""


def service_values(service: Mapping[str, Any]) -> dict[str, Any]:
    """What the form shows for a stored service."""
    costs = service.get("cost_options") or []
    paid = [c for c in costs if (c.get("amount") or 0) > 0 or (
        c.get("amount") is None and "free" not in f"{c.get('option', '')} {c.get('amount_description', '')}".lower())]
    fees = service.get("fees") or ""
    if paid or (not costs and fees and "free" not in fees.lower()):
        cost, first = "paid", (paid[0] if paid else {})
        amount = _number(first.get("amount"))
        description = first.get("amount_description") or first.get("option") or fees
    else:
        cost, amount = "free", ""
        description = next((c.get("amount_description") for c in costs
                            if c.get("amount_description") and c.get("amount_description") != "Free"), "")
    return {
        "name": service.get("name") or "", "description": service.get("description") or "",
        "status": service.get("status") or "active", "needs": _our_terms(service),
        "minimum_age": _number(service.get("minimum_age")),
        "maximum_age": _number(service.get("maximum_age")),
        "cost": cost, "cost_amount": amount, "cost_description": description or "",
        "phone": _first_phone(service), "email": service.get("email") or "",
        "url": service.get("url") or "", "alert": service.get("alert") or "",
        "locations": [sal.get("location_id") for sal in service.get("service_at_locations") or []
                      if sal.get("location_id")],
    }


def read_service_form(form: Any, *, term_ids: list[str], allowed_locations: list[str]
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """The submitted values and a message for each field that is not right."""
    values: dict[str, Any] = {name: _text(form, name) for name in SERVICE_FIELDS}
    values["description"] = _long_text(form, "description")
    values["alert"] = _long_text(form, "alert")
    getall = getattr(form, "getall", None)
    values["needs"] = [str(v) for v in (getall("needs", []) if getall else form.get("needs", []))]
    values["locations"] = [str(v) for v in (getall("locations", []) if getall else form.get("locations", []))]
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = "Enter the name families will see, like 'Dads' Saturday Stay and Play'."
    elif len(values["name"]) > 150:
        errors["name"] = "The name must be 150 characters or fewer."
    if not values["description"]:
        errors["description"] = "Describe what happens at this service in a sentence or two."
    elif len(values["description"]) > 3000:
        errors["description"] = "The description must be 3,000 characters or fewer."
    if values["status"] not in dict(STATUSES):
        errors["status"] = "Choose whether the service is running."
    if not values["needs"]:
        errors["needs"] = "Choose at least one need this service meets, so the chat can find it."
    elif any(t not in term_ids for t in values["needs"]):
        errors["needs"] = "Choose needs from the list."
    ages = {}
    for name, label in (("minimum_age", "youngest"), ("maximum_age", "oldest")):
        raw = values[name]
        if raw == "":
            ages[name] = None
            continue
        try:
            ages[name] = float(raw)
        except ValueError:
            errors[name] = f"Enter the {label} age as a number of years, like 0, 2 or 4.5."
            continue
        if not 0 <= ages[name] <= 120:
            errors[name] = f"The {label} age must be between 0 and 120 years."
    if (ages.get("minimum_age") is not None and ages.get("maximum_age") is not None
            and ages["minimum_age"] > ages["maximum_age"] and "minimum_age" not in errors):
        errors["maximum_age"] = "The oldest age must be the same as or more than the youngest age."
    if values["cost"] not in ("free", "paid"):
        errors["cost"] = "Choose whether families pay."
    elif values["cost"] == "paid":
        if values["cost_amount"]:
            try:
                amount = float(values["cost_amount"].lstrip("£"))
                if amount < 0:
                    raise ValueError
            except ValueError:
                errors["cost_amount"] = "Enter the price in pounds, like 2 or 3.50."
        if not values["cost_amount"] and not values["cost_description"]:
            errors["cost_description"] = "Say what it costs, like '£2 a session, first one free'."
    if len(values["cost_description"]) > 300:
        errors["cost_description"] = "Cost details must be 300 characters or fewer."
    if values["phone"] and not _PHONE.match(values["phone"]):
        errors["phone"] = "Enter a phone number like 01254 666444, using numbers and spaces."
    if values["email"] and not _EMAIL.match(values["email"]):
        errors["email"] = "Enter an email address like name@example.org."
    if values["url"] and not re.match(r"^https?://[^\s]+\.[^\s]+$", values["url"]):
        errors["url"] = "Enter a full web address starting with https://"
    if len(values["alert"]) > 500:
        errors["alert"] = "The note must be 500 characters or fewer."
    if not values["locations"]:
        errors["locations"] = "Choose at least one centre where this service runs."
    elif any(loc not in allowed_locations for loc in values["locations"]):
        errors["locations"] = "You can only choose centres you look after."
    return values, errors


def _set(obj: dict, key: str, value: Any) -> None:
    if value in (None, ""):
        obj.pop(key, None)
    else:
        obj[key] = value


def apply_service_values(service: dict, values: Mapping[str, Any], *, terms: Mapping[str, Mapping]) -> dict:
    """Write checked form values into a copy-safe ORUK service; returns it for saving.

    Shared records (centres, organization, terms) are referred to by id only, so saving a
    service never overwrites a centre someone else is editing.
    """
    _set(service, "name", values["name"])
    _set(service, "description", values["description"])
    service["status"] = values["status"]
    for name in ("minimum_age", "maximum_age"):
        _set(service, name, float(values[name]) if values[name] != "" else None)
    _set(service, "email", values["email"])
    _set(service, "url", values["url"])
    _set(service, "alert", values["alert"])

    kept = [a for a in service.get("attributes") or []
            if a.get("taxonomy_term_id") not in terms]
    existing = {a.get("taxonomy_term_id"): a for a in service.get("attributes") or []}
    for term_id in values["needs"]:
        attribute = dict(existing.get(term_id) or {"id": new_id(), "taxonomy_term_id": term_id})
        attribute.pop("taxonomy_term", None)
        kept.append(attribute)
    service["attributes"] = kept

    old_costs = service.get("cost_options") or []
    cost_id = old_costs[0]["id"] if old_costs and old_costs[0].get("id") else new_id()
    if values["cost"] == "free":
        option = {"id": cost_id, "option": "Free", "amount": 0, "currency": "GBP"}
        _set(option, "amount_description", values["cost_description"])
    else:
        option = {"id": cost_id, "option": "Paid", "currency": "GBP"}
        if values["cost_amount"]:
            option["amount"] = float(str(values["cost_amount"]).lstrip("£"))
        _set(option, "amount_description", values["cost_description"])
    service["cost_options"] = [option]
    service.pop("fees", None)

    phones = list(service.get("phones") or [])
    if values["phone"]:
        if phones:
            phones[0] = {**phones[0], "number": values["phone"]}
        else:
            phones = [{"id": new_id(), "number": values["phone"]}]
    else:
        phones = phones[1:]
    service["phones"] = phones

    sals = {sal.get("location_id"): sal for sal in service.get("service_at_locations") or []}
    service["service_at_locations"] = [
        sals.get(location_id) or {"id": new_id(), "location_id": location_id, "schedules": []}
        for location_id in values["locations"]]
    return strip_shared(service)


# --- sessions (ORUK schedules) --------------------------------------------------------------

def all_schedules(service: Mapping[str, Any]) -> list[tuple[dict, str | None]]:
    """Every schedule of a service with the location id it belongs to (None: service-wide)."""
    found = [(s, None) for s in service.get("schedules") or []]
    for sal in service.get("service_at_locations") or []:
        found += [(s, sal.get("location_id")) for s in sal.get("schedules") or []]
    return found


def schedule_values(schedule: Mapping[str, Any], location_id: str | None) -> dict[str, Any]:
    byday = [token for token in (schedule.get("byday") or "").split(",") if token]
    week, days = "1", []
    for token in byday:
        match = re.match(r"^([+-]?\d)?([A-Z]{2})$", token.strip())
        if match:
            if match.group(1):
                week = match.group(1).lstrip("+")
            days.append(match.group(2))
    kind = ("appointment" if not schedule.get("freq") else
            "monthly" if schedule.get("freq") == "MONTHLY" else "weekly")
    return {
        "kind": kind, "days": days, "week": week,
        "interval": str(schedule.get("interval") or 1),
        "opens_at": (schedule.get("opens_at") or "")[:5],
        "closes_at": (schedule.get("closes_at") or "")[:5],
        "valid_from": schedule.get("valid_from") or "", "valid_to": schedule.get("valid_to") or "",
        "description": schedule.get("description") or "", "location": location_id or "",
        # Signpost's own schedule keys (directory/schedules.py): the "which days" checkboxes.
        "when": [key for key in sched.FLAG_KEYS if schedule.get(key) is True],
    }


def _time(raw: str) -> str | None:
    match = _TIME.match(raw.strip().lower().replace("am", "").replace("pm", "").strip()) if raw else None
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if "pm" in raw.lower() and hour < 12:
        hour += 12
    return f"{hour:02d}:{minute:02d}"


def read_schedule_form(form: Any, *, locations: list[str]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """``(values, schedule fields, errors)`` for a submitted session form."""
    getall = getattr(form, "getall", None)
    values = {name: _text(form, name) for name in
              ("kind", "week", "interval", "opens_at", "closes_at", "valid_from", "valid_to", "location")}
    values["description"] = _long_text(form, "description")
    values["days"] = [str(d) for d in (getall("days", []) if getall else form.get("days", []))]
    values["when"] = [str(w) for w in (getall("when", []) if getall else form.get("when", []))
                      if str(w) in sched.FLAG_KEYS]
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {"description": values["description"] or None,
                              "valid_from": values["valid_from"] or None,
                              "valid_to": values["valid_to"] or None}
    fields.update({key: True if key in values["when"] else None for key in sched.FLAG_KEYS})
    for name in ("valid_from", "valid_to"):
        if values[name]:
            try:
                date.fromisoformat(values[name])
            except ValueError:
                errors[name] = "Enter the date as year-month-day, like 2026-09-01."
    if (not errors and values["valid_from"] and values["valid_to"]
            and values["valid_to"] < values["valid_from"]):
        errors["valid_to"] = "The last date must be on or after the first date."
    if values["location"] and values["location"] not in locations:
        errors["location"] = "Choose one of the centres this service runs at."
    if values["kind"] not in dict(KINDS):
        errors["kind"] = "Choose how often the session happens."
        return values, fields, errors
    if values["kind"] == "appointment":
        fields.update(freq=None, byday=None, interval=None, opens_at=None, closes_at=None)
        if not values["description"]:
            errors["description"] = "Tell families how to book, like 'Ring the centre to book a time'."
        return values, fields, errors
    if not values["days"] or any(d not in DAY_CODES for d in values["days"]):
        errors["days"] = "Choose the day the session happens."
    opens, closes = _time(values["opens_at"]), _time(values["closes_at"])
    if not opens:
        errors["opens_at"] = "Enter the start time using the 24-hour clock, like 09:30 or 13:00."
    if not closes:
        errors["closes_at"] = "Enter the finish time using the 24-hour clock, like 11:30 or 15:00."
    if opens and closes and closes <= opens:
        errors["closes_at"] = "The finish time must be after the start time."
    if values["kind"] == "monthly":
        if values["week"] not in dict(WEEKS):
            errors["week"] = "Choose which week of the month."
        if values["days"] and len(values["days"]) != 1:
            errors["days"] = "For a monthly session, choose one day, like the first Saturday."
        prefix = values["week"] if values["week"] in dict(WEEKS) else "1"
        byday = ",".join(f"{prefix}{d}" for d in values["days"])
        interval = 1
    else:
        byday = ",".join(d for d in DAY_CODES if d in values["days"])
        interval = 2 if values["interval"] == "2" else 1
        if values["interval"] == "2" and not values["valid_from"]:
            errors["valid_from"] = "For a session every 2 weeks, enter the date of one session."
    fields.update(freq="MONTHLY" if values["kind"] == "monthly" else "WEEKLY", byday=byday,
                  interval=interval, opens_at=opens, closes_at=closes)
    if interval == 2 and values["valid_from"]:
        fields["dtstart"] = values["valid_from"]
    if not errors:
        problems = sched.validate_schedule({k: v for k, v in fields.items() if v is not None})
        if problems:
            errors["kind"] = "; ".join(problems)
    return values, fields, errors


def put_schedule(service: dict, schedule_id: str | None, fields: Mapping[str, Any],
                 location_id: str | None) -> str:
    """Add or replace one schedule (moving it to ``location_id``); returns its id."""
    existing: dict | None = None
    for schedule, _loc in all_schedules(service):
        if schedule.get("id") == schedule_id:
            existing = schedule
    remove_schedule(service, schedule_id) if existing else None
    schedule = dict(existing or {"id": new_id()})
    for key in ("freq", "byday", "interval", "opens_at", "closes_at", "valid_from", "valid_to",
                "description", "dtstart", "bymonthday", "until", *sched.FLAG_KEYS):
        if key in fields:
            _set(schedule, key, fields[key])
        elif key in ("dtstart", "bymonthday", "until"):
            schedule.pop(key, None)
    schedule.pop("service_id", None)
    schedule.pop("service_at_location_id", None)
    if location_id:
        for sal in service.get("service_at_locations") or []:
            if sal.get("location_id") == location_id:
                sal.setdefault("schedules", []).append(schedule)
                return schedule["id"]
    service.setdefault("schedules", []).append(schedule)
    return schedule["id"]


def remove_schedule(service: dict, schedule_id: str | None) -> bool:
    removed = False
    lists = [service.get("schedules") or []] + [sal.get("schedules") or []
                                               for sal in service.get("service_at_locations") or []]
    for schedules in lists:
        for schedule in list(schedules):
            if schedule.get("id") == schedule_id:
                schedules.remove(schedule)
                removed = True
    return removed


def describe_schedule(schedule: Mapping[str, Any]) -> str:
    try:
        return sched.describe(schedule)
    except ValueError:
        return schedule.get("description") or "Times not set"
