"""The public, read-only Open Referral UK 3.0 API (``/oruk``) over the directory.

Other councils' and charities' systems read our listings in the standard shape, and our own
imports and exports use the same shape. Routes follow the UK profile's ``openapi.json``:

- ``GET /oruk/``: which HSDS version and profile this is.
- ``GET /oruk/services``: a page of services (one-to-one fields plus the organization).
  Filters: ``text`` (or ``search``), ``taxonomy_term_id``, ``taxonomy_id``, ``minimum_age``,
  ``maximum_age``, ``day``, ``start_time``, ``end_time``, ``modified_after`` (a date-time).
- ``GET /oruk/services/{id}``: one full service (``directory.store.get_public_service``).
- ``GET /oruk/service_at_locations``: a page of service-at-location records with their location
  and service; the same filters plus ``postcode`` and ``proximity`` (metres from the postcode).
- ``GET /oruk/service_at_locations/{id}``: one, with its full location and service.
- ``GET /oruk/organizations``, ``/organizations/{id}``: organizations running active services.
- ``GET /oruk/taxonomies``, ``/taxonomies/{id}`` (with its terms), ``GET /oruk/taxonomy_terms``,
  ``/taxonomy_terms/{id}``.

Every id is a UUID (``directory.oruk_ids``); a path id or ``taxonomy_term_id`` may also be the
readable id or a term's ``code`` (``father_friendly``). Anything else under ``/oruk`` gets a JSON
error (404, 405, 400), never a page of HTML or text.

This module only reads and checks the query parameters and sends JSON; the pages come from the
library (``directory.oruk_pages``, which says what each filter means), run on the directory's
worker threads. ``day`` may be ``MO`` or ``Monday``. Only these routes send
``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from common.days import day_code
from directory.geo import GeoIndexMissing, UnknownPlace
from directory.oruk_pages import (Filters, full_service, organization, organizations_page,
                                  service_at_location, service_at_locations_page, services_page,
                                  taxonomies_page, taxonomy, taxonomy_term, taxonomy_terms_page)
from web import keys
from web.client_address import client_address

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
DEFAULT_PER_PAGE, MAX_PER_PAGE = 50, 500
# HH:MM, with seconds and a zone (``10:00:00Z``, as the OpenAPI ``format: time`` allows) ignored.
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::[0-5]\d(?:\.\d+)?)?(?:[zZ]|[+-]\d\d:\d\d)?$")

routes = web.RouteTableDef()


class BadQuery(ValueError):
    """A query parameter that cannot be used; the message names it."""


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


def _since(request: web.Request) -> str | None:
    """``modified_after`` as UTC ``YYYY-MM-DDTHH:MM:SSZ``: how ``last_modified`` is stored."""
    raw = (request.query.get("modified_after") or "").strip()
    if not raw:
        return None
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        raise BadQuery("modified_after must be a date and time like 2026-01-31T09:00:00Z") \
            from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _filters(request: web.Request) -> Filters:
    """The shared filters from the query string, checked."""
    day_raw = (request.query.get("day") or "").strip()
    day = day_code(day_raw) if day_raw else None
    if day_raw and day is None:
        raise BadQuery("day must be a day like MO or Monday")
    return Filters(text=request.query.get("text") or request.query.get("search") or None,
                   taxonomy_term_id=request.query.get("taxonomy_term_id") or None,
                   taxonomy_id=request.query.get("taxonomy_id") or None,
                   minimum_age=_float(request, "minimum_age"),
                   maximum_age=_float(request, "maximum_age"),
                   day=day, start_time=_time(request, "start_time"),
                   end_time=_time(request, "end_time"), modified_after=_since(request))


def _paging(request: web.Request) -> tuple[int, int]:
    return (_int(request, "page", 1, 1, 1_000_000),
            _int(request, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE))


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, headers={"Access-Control-Allow-Origin": "*"})


def _bad(problem: BadQuery) -> web.Response:
    return _json({"error": "bad_request", "message": str(problem)}, status=400)


async def _run(request: web.Request, fn, *args: Any, **kwargs: Any) -> Any:
    """``fn(db, ...)`` on the directory's worker threads."""
    return await request.config_dict[keys.DIRECTORY].run(lambda d: fn(d.db, *args, **kwargs))


@routes.get("/")
async def about(request: web.Request) -> web.Response:
    return _json({"version": HSDS_VERSION, "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@routes.get("/services")
async def services(request: web.Request) -> web.Response:
    try:
        page, per_page = _paging(request)
        filters = _filters(request)
    except BadQuery as problem:
        return _bad(problem)
    return _json(await _run(request, services_page, filters, page, per_page))


@routes.get("/services/{id}")
async def service(request: web.Request) -> web.Response:
    return await _one(request, full_service, "service")


def _not_found(what: str) -> web.Response:
    return _json({"error": "not_found", "message": f"There is no {what} with that id."}, 404)


async def _one(request: web.Request, fn, what: str) -> web.Response:
    found = await _run(request, fn, request.match_info["id"])
    return _not_found(what) if found is None else _json(found)


@routes.get("/service_at_locations/{id}")
async def one_service_at_location(request: web.Request) -> web.Response:
    return await _one(request, service_at_location, "service at a location")


@routes.get("/taxonomy_terms/{id}")
async def one_taxonomy_term(request: web.Request) -> web.Response:
    return await _one(request, taxonomy_term, "taxonomy term")


@routes.get("/taxonomies/{id}")
async def one_taxonomy(request: web.Request) -> web.Response:
    return await _one(request, taxonomy, "taxonomy")


@routes.get("/organizations/{id}")
async def one_organization(request: web.Request) -> web.Response:
    return await _one(request, organization, "organization")


async def _plain_page(request: web.Request, fn) -> web.Response:
    try:
        page, per_page = _paging(request)
    except BadQuery as problem:
        return _bad(problem)
    return _json(await _run(request, fn, page, per_page))


@routes.get("/taxonomies")
async def taxonomies(request: web.Request) -> web.Response:
    return await _plain_page(request, taxonomies_page)


@routes.get("/organizations")
async def organizations(request: web.Request) -> web.Response:
    return await _plain_page(request, organizations_page)


@routes.get("/service_at_locations")
async def service_at_locations(request: web.Request) -> web.Response:
    pool = request.config_dict[keys.DIRECTORY]
    try:
        page, per_page = _paging(request)
        filters = _filters(request)
        proximity = _float(request, "proximity")
        postcode = (request.query.get("postcode") or "").strip()
        if proximity is not None and not postcode:
            raise BadQuery("proximity needs a postcode")
        origin = None
        if postcode:
            try:
                # A postcode, never a town: the profile's parameter is a postcode.
                origin = await pool.run(lambda d: d.resolve_place(postcode, towns=False))
            except UnknownPlace:
                raise BadQuery("postcode was not found") from None
            except GeoIndexMissing:
                return _json({"error": "unavailable",
                              "message": "Postcode search is not set up on this server."}, 503)
    except BadQuery as problem:
        return _bad(problem)
    return _json(await _run(request, service_at_locations_page, filters, page, per_page,
                            origin=origin, proximity_m=proximity))


@routes.get("/taxonomy_terms")
async def taxonomy_terms(request: web.Request) -> web.Response:
    return await _plain_page(request, taxonomy_terms_page)


@web.middleware
async def json_errors(request: web.Request, handler) -> web.StreamResponse:
    """Errors as JSON with CORS open, like every other answer here: a client reading the API
    (or the ORUK validator) never has to parse an HTML or text page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status, "bad_request"
                                                                  if exc.status < 500 else "error")
        message = {404: "There is nothing at this address. See /oruk/ for what there is.",
                   405: "This address only answers GET."}.get(exc.status, exc.reason)
        response = _json({"error": kind, "message": message}, status=exc.status)
        if exc.status == 405:
            response.headers["Allow"] = exc.headers.get("Allow", "GET")
        return response


@web.middleware
async def per_address_limit(request: web.Request, handler) -> web.StreamResponse:
    """One address may make ``ratelimit.API_PER_CLIENT`` requests: each query is work on the
    directory's threads that parents' searches share."""
    verdict = await request.config_dict[keys.LIMITS].api(client_address(request))
    if not verdict.allowed:
        response = _json({"error": "slow_down",
                          "message": "Too many requests from this address. Please wait a minute, "
                                     "then try again."}, status=429)
        response.headers["Retry-After"] = str(verdict.retry_after)
        return response
    return await handler(request)


def create_oruk_app() -> web.Application:
    """The ``/oruk`` sub-app: read-only, public, CORS open to every origin, limited per address,
    errors as JSON. It reads the root app's directory (``keys.DIRECTORY``) and limits
    (``keys.LIMITS``)."""
    app = web.Application(middlewares=[json_errors, per_address_limit])
    app.router.add_routes(routes)
    return app
