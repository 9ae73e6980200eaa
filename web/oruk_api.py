"""The public, read-only Open Referral UK 3.0 API (``/oruk``) over the directory.

Other councils' and charities' systems read our listings in the standard shape, and our own
imports and exports use the same shape. Routes follow the UK profile's ``openapi.json``:

- ``GET /oruk/``: which HSDS version and profile this is.
- ``GET /oruk/services``: a page of services (one-to-one fields plus the organization).
  Filters: ``text`` (or ``search``), ``taxonomy_term_id``, ``taxonomy_id``, ``minimum_age``,
  ``maximum_age``, ``day``, ``start_time``, ``end_time``.
- ``GET /oruk/services/{id}``: one full service (``directory.store.get_service``).
- ``GET /oruk/service_at_locations``: a page of service-at-location records with their location
  and service; the same filters plus ``postcode`` and ``proximity`` (metres from the postcode).
- ``GET /oruk/taxonomy_terms``: a page of the needs taxonomy's terms.

Pages carry ``total_items``, ``total_pages``, ``page_number``, ``size``, ``first_page``,
``last_page``, ``empty`` and ``contents``. Filters, as the profile words them: ``minimum_age`` keeps
services whose minimum age is at least the value, ``maximum_age`` those whose maximum age is at
most the value (a missing minimum counts as 0, a missing maximum as no limit); ``day`` (``MO`` or
``Monday``), ``start_time`` and ``end_time`` (``HH:MM``) must all fit one session. Only these
routes send ``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

import math
import re
from typing import Any, AsyncIterator

import sqlite_utils
from aiohttp import web

from common.settings import Settings
from directory import store
from directory.db import open_db
from directory.geo import Geo, GeoIndexMissing, UnknownPlace, haversine_km, resolve_place

DB = web.AppKey("oruk_db", sqlite_utils.Database)
GEO = web.AppKey("oruk_geo", object)
HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 500
SERVICE_LIST_COLUMNS = ("id", "organization_id", "name", "description", "url", "email", "status",
                        "fees", "accreditations", "minimum_age", "maximum_age", "assured_date",
                        "assurer_email", "alert", "last_modified")
ORGANIZATION_COLUMNS = ("id", "name", "description", "email", "website", "logo", "uri",
                        "parent_organization_id")
LOCATION_COLUMNS = ("id", "location_type", "name", "description", "latitude", "longitude",
                    "external_identifier", "external_identifier_type")
TERM_COLUMNS = ("id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id",
                "language", "term_uri", "term")
DAY_NAMES = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
             "friday": "FR", "saturday": "SA", "sunday": "SU"}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$")

routes = web.RouteTableDef()


class BadQuery(ValueError):
    """A query parameter that cannot be used; the message names it."""


def _clean(row: dict, columns: tuple[str, ...]) -> dict:
    """ORUK objects leave out what is unknown rather than sending nulls (the schemas say so)."""
    out = {}
    for c in columns:
        value = row.get(c)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        out[c] = value
    return out


def _int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise BadQuery(f"{name} must be between {low} and {high}")
    return value


def _float(request: web.Request, name: str) -> float | None:
    raw = request.query.get(name)
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadQuery(f"{name} must be a number") from None
    if not math.isfinite(value) or value < 0:
        raise BadQuery(f"{name} must be 0 or more")
    return value


def _time(request: web.Request, name: str) -> str | None:
    raw = request.query.get(name)
    if raw in (None, ""):
        return None
    match = _TIME.match(raw.strip())
    if not match:
        raise BadQuery(f"{name} must be a time like 09:30")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _filters(request: web.Request) -> tuple[list[str], list[Any]]:
    """SQL conditions over ``s`` (service) for the shared filters."""
    where, params = ["1"], []
    text = request.query.get("text") or request.query.get("search")
    if text:
        words = re.findall(r"\w+", text)[:8]
        if words:
            where.append("s.rowid IN (SELECT rowid FROM service_fts WHERE service_fts MATCH ?)")
            params.append(" ".join(f'"{w}"*' for w in words))
    if request.query.get("taxonomy_term_id"):
        where.append("EXISTS (SELECT 1 FROM attribute a WHERE a.link_id = s.id AND "
                     "a.link_entity = 'service' AND a.taxonomy_term_id = ?)")
        params.append(request.query["taxonomy_term_id"])
    if request.query.get("taxonomy_id"):
        where.append("EXISTS (SELECT 1 FROM attribute a JOIN taxonomy_term t ON t.id = "
                     "a.taxonomy_term_id WHERE a.link_id = s.id AND a.link_entity = 'service' "
                     "AND t.taxonomy_id = ?)")
        params.append(request.query["taxonomy_id"])
    minimum, maximum = _float(request, "minimum_age"), _float(request, "maximum_age")
    if minimum is not None:
        where.append("coalesce(s.minimum_age, 0) >= ?")
        params.append(minimum)
    if maximum is not None:
        where.append("s.maximum_age IS NOT NULL AND s.maximum_age <= ?")
        params.append(maximum)
    day_raw = (request.query.get("day") or "").strip()
    day = DAY_NAMES.get(day_raw.lower(), day_raw.upper()) if day_raw else None
    if day and day not in DAY_NAMES.values():
        raise BadQuery("day must be a day like MO or Monday")
    start, end = _time(request, "start_time"), _time(request, "end_time")
    if day or start or end:
        cond, sparams = ["sc.service_id = s.id"], []
        if day:
            cond.append("(',' || sc.byday || ',') GLOB ?")
            sparams.append(f"*{day},*")
        if start:
            cond.append("substr(sc.opens_at, 1, 5) >= ?")
            sparams.append(start)
        if end:
            cond.append("substr(sc.closes_at, 1, 5) <= ?")
            sparams.append(end)
        where.append(f"EXISTS (SELECT 1 FROM schedule sc WHERE {' AND '.join(cond)})")
        params += sparams
    return where, params


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


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers={"Access-Control-Allow-Origin": "*"})


def _bad(problem: BadQuery) -> web.Response:
    return _json({"error": "bad_request", "message": str(problem)}, status=400)


@routes.get("/")
async def about(request: web.Request) -> web.Response:
    return _json({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@routes.get("/services")
async def services(request: web.Request) -> web.Response:
    db = request.app[DB]
    try:
        page = _int(request, "page", 1, 1, 1_000_000)
        per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        where, params = _filters(request)
    except BadQuery as problem:
        return _bad(problem)
    sql_where = " AND ".join(where)
    total = db.execute(f"SELECT count(*) FROM service s WHERE {sql_where}", params).fetchone()[0]
    rows = list(db.query(f"SELECT s.* FROM service s WHERE {sql_where} ORDER BY s.name, s.id "
                         f"LIMIT ? OFFSET ?", [*params, per_page, (page - 1) * per_page]))
    return _json(_page(_service_items(db, rows), total, page, per_page))


@routes.get("/services/{id}")
async def service(request: web.Request) -> web.Response:
    found = store.get_service(request.app[DB], request.match_info["id"])
    if found is None:
        return _json({"error": "not_found", "message": "There is no service with that id."},
                     status=404)
    found.pop("version", None)
    return _json(found)


@routes.get("/service_at_locations")
async def service_at_locations(request: web.Request) -> web.Response:
    db = request.app[DB]
    try:
        page = _int(request, "page", 1, 1, 1_000_000)
        per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
        where, params = _filters(request)
        proximity = _float(request, "proximity")
        postcode = (request.query.get("postcode") or "").strip()
        if proximity is not None and not postcode:
            raise BadQuery("proximity needs a postcode")
        origin = None
        if postcode:
            try:
                origin = resolve_place(None, postcode, request.app[GEO])
            except UnknownPlace:
                raise BadQuery("postcode was not found") from None
            except GeoIndexMissing:
                return _json({"error": "unavailable",
                              "message": "Postcode search is not set up on this server."}, 503)
    except BadQuery as problem:
        return _json({"error": "bad_request", "message": str(problem)}, status=400)
    rows = list(db.query(
        f"SELECT sal.id AS sal_id, l.* FROM service_at_location sal JOIN service s ON "
        f"s.id = sal.service_id JOIN location l ON l.id = sal.location_id "
        f"WHERE {' AND '.join(where)} ORDER BY s.name, sal.id", params))
    if origin is not None:
        for row in rows:
            row["_distance"] = (haversine_km(origin.latitude, origin.longitude, row["latitude"],
                                             row["longitude"]) * 1000
                                if row["latitude"] is not None and row["longitude"] is not None
                                else math.inf)
        if proximity is not None:
            rows = [r for r in rows if r["_distance"] <= proximity]
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
    return _json(_page(items, total, page, per_page))


@routes.get("/taxonomy_terms")
async def taxonomy_terms(request: web.Request) -> web.Response:
    db = request.app[DB]
    try:
        page = _int(request, "page", 1, 1, 1_000_000)
        per_page = _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    except BadQuery as problem:
        return _bad(problem)
    total = db.execute("SELECT count(*) FROM taxonomy_term").fetchone()[0]
    rows = db.query("SELECT * FROM taxonomy_term ORDER BY rowid LIMIT ? OFFSET ?",
                    [per_page, (page - 1) * per_page])
    items = [_clean(r, TERM_COLUMNS) for r in rows]
    for item in items:  # the profile requires a description; ours always have one, imports may not
        item.setdefault("description", item.get("name", ""))
    return _json(_page(items, total, page, per_page))


def _database(settings: Settings):
    async def open_and_close(app: web.Application) -> AsyncIterator[None]:
        app[DB] = open_db(settings.directory_db)
        try:
            app[GEO] = Geo(settings.geo_db)
        except (GeoIndexMissing, ValueError):
            app[GEO] = None
        yield
        app[DB].close()
        if app[GEO] is not None:
            app[GEO].close()
    return open_and_close


def create_oruk_app(settings: Settings) -> web.Application:
    """The ``/oruk`` sub-app: read-only, public, CORS open to every origin."""
    app = web.Application()
    app.cleanup_ctx.append(_database(settings))
    app.router.add_routes(routes)
    return app
