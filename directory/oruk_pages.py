"""Pages of the public ORUK API (``/oruk``): services, service-at-locations, organizations,
taxonomies and taxonomy terms, as lists and one by one.

Every id is published as a UUID (``directory.oruk_ids``): a stored readable id is sent as its
``uuid5``, a term's readable id as its ``code``. A path id or a ``taxonomy_term_id`` filter may
be the published UUID or the stored id (or, for a term, its code).

The reads behind ``web/oruk_api.py``, which parses the request into ``Filters`` and sends the
page as JSON. Pages carry ``total_items``, ``total_pages``, ``page_number``, ``size``,
``first_page``, ``last_page``, ``empty`` and ``contents``. Filters, as the UK profile words
them: ``minimum_age`` keeps services whose minimum age is at least the value, ``maximum_age``
those whose maximum age is at most the value (a missing minimum counts as 0, a missing maximum
as no limit); ``day`` (``MO``..``SU``), ``start_time`` and ``end_time`` (``HH:MM``) must all fit
one session; ``modified_after`` (a UTC time, ``YYYY-MM-DDTHH:MM:SSZ`` like the stored
``last_modified``) keeps services changed then or since, so a council syncing us reads only
what changed. ORUK objects leave out what is unknown rather than sending nulls.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from directory import calendar_oruk, oruk_ids, store
from directory.geo import Place, haversine_km

# No ``assurer_email``: it is a person's address (store.PRIVATE_COLUMNS), kept for staff.
SERVICE_LIST_COLUMNS = ("id", "organization_id", "name", "description", "url", "email", "status",
                        "fees", "accreditations", "minimum_age", "maximum_age", "assured_date",
                        "alert", "last_modified")
ORGANIZATION_COLUMNS = ("id", "name", "description", "email", "website", "logo", "uri",
                        "parent_organization_id")
LOCATION_COLUMNS = ("id", "location_type", "name", "description", "latitude", "longitude",
                    "external_identifier", "external_identifier_type")
TERM_COLUMNS = ("id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id",
                "language", "term_uri", "term")


@dataclass(frozen=True)
class Filters:
    """The filters ``/oruk/services`` and ``/oruk/service_at_locations`` share, already checked."""

    text: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    modified_after: str | None = None


def _clean(row: dict, columns: tuple[str, ...]) -> dict:
    """Only the columns that have a value (whole numbers as integers)."""
    out = {}
    for c in columns:
        value = row.get(c)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[c] = value
    return out


def resolve(db: sqlite_utils.Database, table: str, given: str) -> str | None:
    """The stored id of the ``table`` record a request names by published UUID or stored id."""
    if db.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", [given]).fetchone():
        return given
    if oruk_ids.is_uuid(given):
        return oruk_ids.stored_by_public(db.conn, (table,)).get(given.lower())
    return None


def stored_filters(db: sqlite_utils.Database, filters: Filters) -> Filters:
    """The filters with term and taxonomy ids read as the stored ids they name."""
    from dataclasses import replace
    return replace(
        filters,
        taxonomy_term_id=(oruk_ids.stored_term_id(db.conn, filters.taxonomy_term_id)
                          if filters.taxonomy_term_id else None),
        taxonomy_id=(oruk_ids.stored_taxonomy_id(db.conn, filters.taxonomy_id)
                     if filters.taxonomy_id else None))


def _where(filters: Filters) -> tuple[str, list[Any]]:
    """SQL conditions over ``s`` (service) for the filters. Only active services are public:
    an inactive or defunct one stays in the staff area and in exports."""
    where, params = ["coalesce(s.status, 'active') = 'active'"], []
    if filters.text:
        words = re.findall(r"\w+", filters.text)[:8]
        if words:
            where.append("s.rowid IN (SELECT rowid FROM service_fts WHERE service_fts MATCH ?)")
            params.append(" ".join(f'"{w}"*' for w in words))
    if filters.taxonomy_term_id:
        where.append("EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = s.id AND "
                     "a.link_entity = 'service' AND a.taxonomy_term_id = ?)")
        params.append(filters.taxonomy_term_id)
    if filters.modified_after:
        where.append("s.last_modified >= ?")
        params.append(filters.modified_after)
    if filters.taxonomy_id:
        where.append("EXISTS (SELECT 1 FROM attribute a JOIN taxonomy_term t ON t.id = "
                     "a.taxonomy_term_id WHERE a.link_id = s.id AND a.link_entity = 'service' "
                     "AND t.taxonomy_id = ?)")
        params.append(filters.taxonomy_id)
    if filters.minimum_age is not None:
        where.append("coalesce(s.minimum_age, 0) >= ?")
        params.append(filters.minimum_age)
    if filters.maximum_age is not None:
        where.append("s.maximum_age IS NOT NULL AND s.maximum_age <= ?")
        params.append(filters.maximum_age)
    if filters.day or filters.start_time or filters.end_time:
        cond, sparams = ["sc.service_id = s.id"], []
        if filters.day:
            cond.append("(',' || sc.byday || ',') GLOB ?")
            sparams.append(f"*{filters.day},*")
        if filters.start_time:
            cond.append("substr(sc.opens_at, 1, 5) >= ?")
            sparams.append(filters.start_time)
        if filters.end_time:
            cond.append("substr(sc.closes_at, 1, 5) <= ?")
            sparams.append(filters.end_time)
        where.append(f"EXISTS (SELECT 1 FROM schedule sc WHERE {' AND '.join(cond)})")
        params += sparams
    return " AND ".join(where), params


def _page(items: list[dict], total: int, page: int, per_page: int) -> dict:
    pages = max(1, math.ceil(total / per_page)) if total else 0
    return {"total_items": total, "total_pages": pages, "page_number": page, "size": len(items),
            "first_page": page == 1, "last_page": page >= pages, "empty": total == 0,
            "contents": items}


def _organizations(db: sqlite_utils.Database, ids: set) -> dict[str, dict]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    rows = db.query(f"SELECT * FROM organization WHERE id IN ({','.join('?' * len(ids))})", ids)
    return {r["id"]: _clean(r, ORGANIZATION_COLUMNS) for r in rows}


def _service_items(db: sqlite_utils.Database, rows: list[dict]) -> list[dict]:
    orgs = _organizations(db, {r.get("organization_id") for r in rows})
    items = []
    for row in rows:
        item = _clean(row, SERVICE_LIST_COLUMNS)
        if row.get("organization_id") in orgs:
            item["organization"] = orgs[row["organization_id"]]
        items.append(item)
    return items


def services_page(db: sqlite_utils.Database, filters: Filters, page: int, per_page: int) -> dict:
    """A page of services (one-to-one fields plus the organization), by name."""
    where, params = _where(stored_filters(db, filters))
    total = db.execute(f"SELECT count(*) FROM service s WHERE {where}", params).fetchone()[0]
    rows = list(db.query(f"SELECT s.* FROM service s WHERE {where} ORDER BY s.name, s.id "
                         f"LIMIT ? OFFSET ?", [*params, per_page, (page - 1) * per_page]))
    return _page(oruk_ids.publish(_service_items(db, rows)), total, page, per_page)


def full_service(db: sqlite_utils.Database, service_id: str) -> dict | None:
    """One active service in the ORUK shape, only its public fields
    (``store.get_public_service``), with the ``closures`` and ``term_dates`` that apply to it;
    None when there is none or it is not active."""
    stored = resolve(db, "service", service_id)
    found = store.get_public_service(db, stored) if stored else None
    if found is not None:
        calendar_oruk.add_to_services(db, [found])
    return oruk_ids.publish(found)


def service_at_locations_page(db: sqlite_utils.Database, filters: Filters, page: int,
                              per_page: int, *, origin: Place | None = None,
                              proximity_m: float | None = None) -> dict:
    """A page of service-at-location records with their location and service: by name, or by
    distance from ``origin`` (only those within ``proximity_m`` metres, when given)."""
    where, params = _where(stored_filters(db, filters))
    rows = list(db.query(
        f"SELECT sal.id AS sal_id, l.* FROM service_at_location sal JOIN service s ON "
        f"s.id = sal.service_id JOIN location l ON l.id = sal.location_id "
        f"WHERE {where} ORDER BY s.name, sal.id", params))
    if origin is not None:
        for row in rows:
            row["_distance"] = (haversine_km(origin.latitude, origin.longitude, row["latitude"],
                                             row["longitude"]) * 1000
                                if row["latitude"] is not None and row["longitude"] is not None
                                else math.inf)
        if proximity_m is not None:
            rows = [r for r in rows if r["_distance"] <= proximity_m]
        rows.sort(key=lambda r: r["_distance"])
    total = len(rows)
    rows = rows[(page - 1) * per_page: page * per_page]
    sal_ids = [r["sal_id"] for r in rows]
    links = {r["id"]: r for r in db.query(
        f"SELECT id, service_id, location_id FROM service_at_location WHERE id IN "
        f"({','.join('?' * len(sal_ids))})", sal_ids)} if sal_ids else {}
    service_ids = sorted({link["service_id"] for link in links.values()})
    service_rows = {r["id"]: r for r in db.query(
        f"SELECT * FROM service WHERE id IN ({','.join('?' * len(service_ids))})", service_ids)
        } if service_ids else {}
    services_by_id = {item["id"]: item for item in _service_items(db, list(service_rows.values()))}
    items = []
    for row in rows:
        link = links[row["sal_id"]]
        items.append({"id": link["id"], "service_id": link["service_id"],
                      "location_id": link["location_id"],
                      "location": _clean(row, LOCATION_COLUMNS),
                      "service": services_by_id[link["service_id"]]})
    return _page(oruk_ids.publish(items), total, page, per_page)


def taxonomy_terms_page(db: sqlite_utils.Database, page: int, per_page: int) -> dict:
    """A page of every taxonomy term the directory holds (ours and imported ones)."""
    total = db.execute("SELECT count(*) FROM taxonomy_term").fetchone()[0]
    rows = db.query("SELECT * FROM taxonomy_term ORDER BY rowid LIMIT ? OFFSET ?",
                    [per_page, (page - 1) * per_page])
    return _page([_term(r) for r in rows], total, page, per_page)


def _term(row: dict) -> dict:
    item = _clean(row, TERM_COLUMNS)
    # the profile requires a description; ours always have one, imports may not
    item.setdefault("description", item.get("name", ""))
    return oruk_ids.publish_term(item)


def taxonomy_term(db: sqlite_utils.Database, term_id: str) -> dict | None:
    """One taxonomy term by published UUID, stored id or code; None if there is none."""
    stored = oruk_ids.stored_term_id(db.conn, term_id)
    row = next(iter(db.query("SELECT * FROM taxonomy_term WHERE id = ?", [stored])), None)
    return _term(row) if row else None


TAXONOMY_COLUMNS = ("id", "name", "description", "uri", "version")


def _taxonomy(row: dict, terms: list[dict] | None = None) -> dict:
    item = _clean(row, TAXONOMY_COLUMNS)
    item.setdefault("description", item.get("name", ""))
    item = oruk_ids.publish(item)
    if terms is not None:
        item["taxonomy_terms"] = terms
    return item


def taxonomies_page(db: sqlite_utils.Database, page: int, per_page: int) -> dict:
    """A page of the taxonomies the directory holds (our needs; others an import brought)."""
    total = db.execute("SELECT count(*) FROM taxonomy").fetchone()[0]
    rows = db.query("SELECT * FROM taxonomy ORDER BY rowid LIMIT ? OFFSET ?",
                    [per_page, (page - 1) * per_page])
    return _page([_taxonomy(r) for r in rows], total, page, per_page)


def taxonomy(db: sqlite_utils.Database, taxonomy_id: str) -> dict | None:
    """One taxonomy with its terms, by published UUID or stored id; None if there is none."""
    stored = resolve(db, "taxonomy", taxonomy_id)
    row = next(iter(db.query("SELECT * FROM taxonomy WHERE id = ?", [stored])), None) \
        if stored else None
    if row is None:
        return None
    terms = db.query("SELECT * FROM taxonomy_term WHERE taxonomy_id = ? ORDER BY rowid",
                     [stored])
    return _taxonomy(row, [_term(t) for t in terms])


def service_at_location(db: sqlite_utils.Database, sal_id: str) -> dict | None:
    """One service-at-location of an active service, with its full location and its service
    (public fields only); None if there is none."""
    stored = resolve(db, "service_at_location", sal_id)
    link = next(iter(db.query("SELECT service_id FROM service_at_location WHERE id = ?",
                              [stored])), None) if stored else None
    found = store.get_public_service(db, link["service_id"]) if link else None
    if found is None:
        return None
    sal = next(s for s in found.pop("service_at_locations", []) if s["id"] == stored)
    found.pop("phones", None)  # not in the profile's nested service shape
    found.pop("closures", None)
    found.pop("term_dates", None)
    out = {"id": sal["id"], "service_id": found["id"], "location_id": sal.get("location_id"),
           **({"location": sal["location"]} if "location" in sal else {}), "service": found}
    if out["location_id"] is None and "location" in sal:
        out["location_id"] = sal["location"].get("id")
    return oruk_ids.publish(out)


def _organization(row: dict) -> dict:
    item = _clean(row, ORGANIZATION_COLUMNS)
    item.setdefault("description", item.get("name", ""))
    return oruk_ids.publish(item)


def organizations_page(db: sqlite_utils.Database, page: int, per_page: int) -> dict:
    """A page of organizations that run at least one active service, by name."""
    cond = ("EXISTS (SELECT 1 FROM service s WHERE s.organization_id = o.id AND "
            "coalesce(s.status, 'active') = 'active')")
    total = db.execute(f"SELECT count(*) FROM organization o WHERE {cond}").fetchone()[0]
    rows = db.query(f"SELECT o.* FROM organization o WHERE {cond} ORDER BY o.name, o.id "
                    f"LIMIT ? OFFSET ?", [per_page, (page - 1) * per_page])
    return _page([_organization(r) for r in rows], total, page, per_page)


def organization(db: sqlite_utils.Database, organization_id: str) -> dict | None:
    """One organization with its active services (list fields); None if there is none."""
    stored = resolve(db, "organization", organization_id)
    row = next(iter(db.query("SELECT * FROM organization WHERE id = ?", [stored])), None) \
        if stored else None
    if row is None:
        return None
    services = list(db.query("SELECT * FROM service s WHERE s.organization_id = ? AND "
                             "coalesce(s.status, 'active') = 'active' ORDER BY s.name, s.id",
                             [stored]))
    out = _organization(row)
    out["services"] = oruk_ids.publish([_clean(r, SERVICE_LIST_COLUMNS) for r in services])
    return out
