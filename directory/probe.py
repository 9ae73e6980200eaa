"""What can a council's Open Referral UK 3.0 API really do? The ORUK validator dashboard's checks,
run from here (``python -m directory probe URL``), so we never rely on a filter a feed ignores.

API (for the command line, for sync and for staff pages)::

    result = probe_feed(url)                  # or: await probe(url, session=..., limits=...)
    result.error                              # None, or why the feed could not be read at all
    result.ok                                 # no required check failed (and no error)
    result.checks                             # [Check(name, required, outcome, detail, filter)]
    result.supports("day")                    # True only if the day filter was seen to filter
    result.failed()                           # the checks that failed

``Check.outcome`` is ``"pass"``, ``"fail"`` or ``"skip"`` (the feed's data gave nothing to test
with, e.g. every service has the same ``last_modified``). ``supports(name)`` is ``True`` only for
a filter check that *passed*: an untested or failed filter is not supported. Filter names:
``text`` (also ``search``), ``taxonomy_term_id``, ``postcode`` (also ``proximity``),
``minimum_age``, ``maximum_age``, ``day``, ``modified_after``.

The checks (required ones make ``ok`` false, and the command exit 1):

- **endpoints**: ``/``, ``/services`` and ``/services/{id}`` (required) answer 200 with JSON;
  ``/taxonomy_terms``, ``/service_at_locations``, ``/taxonomies``, ``/organizations`` answer a page.
- **pagination** (required): ``page_number``, ``total_items``, ``total_pages`` agree, ``per_page``
  is respected, page 2 holds other services than page 1.
- **schemas** (required for services): the page fields, the list items and a few full services
  validate against the vendored ORUK schemas (``directory/schemas``) with format checks on.
- **filters** (optional): each filter is tried with a value taken from the feed's own data, chosen
  so that an honest feed must leave some services out. It passes when the answer is a strict,
  non-empty subset (fewer ``total_items``) and every item checked meets the condition.

The feed is read with ``directory.feed_client`` (timeouts, retries, size caps), at most a few
dozen requests. Sync runs the ``modified_after`` check alone (``probe_modified_after``) before
every incremental sync, and sends the filter only if it passed; see docs/feeds.md.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp
from jsonschema import Draft202012Validator

from common.days import day_code
from directory.feed_client import FeedClient, FeedError, FeedLimits
from directory.geo import haversine_km

SCHEMAS = Path(__file__).with_name("schemas")
PROBE_LIMITS = FeedLimits(timeout_s=15.0, retries=1, backoff_s=0.2, concurrency=4)
SAMPLE_SIZE = 50       # services read to choose filter values
FULL_SAMPLE = 8        # full services read (schema check, terms, days)
CHECK_ITEMS = 5        # filtered results whose full object is checked
PROXIMITY_M = 2000
_ALIASES = {"search": "text", "proximity": "postcode"}


@dataclass
class Check:
    """One check: its name, whether the ORUK validator requires it, and what happened."""

    name: str
    required: bool
    outcome: str = "pass"       # pass | fail | skip
    detail: str = ""
    filter: str | None = None


@dataclass
class ProbeResult:
    """Every check run against one feed."""

    url: str
    checks: list[Check] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and not any(c.required for c in self.failed())

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.outcome == "fail"]

    def check(self, name: str) -> Check | None:
        return next((c for c in self.checks if c.name == name), None)

    def supports(self, filter_name: str) -> bool:
        """Was ``filter_name`` seen to filter? Untested or failed filters are not supported."""
        name = _ALIASES.get(filter_name, filter_name)
        return any(c.filter == name and c.outcome == "pass" for c in self.checks)

    def table(self) -> str:
        """The checks as a plain-text table: check, required?, result, detail."""
        rows = [("check", "required?", "result", "detail")] + [
            (c.name, "yes" if c.required else "no", c.outcome, c.detail) for c in self.checks]
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        return "\n".join(f"{r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:<{widths[2]}}  {r[3]}"
                         .rstrip() for r in rows)


def _validator(name: str) -> Draft202012Validator:
    # ``referencing`` comes with the web environment's jsonschema; the Rasa environment, which
    # imports the directory library but never probes, has an older jsonschema without it.
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry = Registry().with_resource("taxonomy_term.json", Resource.from_contents(
        _load("taxonomy_term.json"), default_specification=DRAFT202012))
    return Draft202012Validator(_load(name), registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _load(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _problems(validator: Draft202012Validator, items: list[Any], what: str) -> list[str]:
    out = []
    for n, item in enumerate(items):
        error = next(iter(validator.iter_errors(item)), None)
        if error is not None:
            ident = item.get("id") if isinstance(item, dict) else None
            where = "/".join(str(p) for p in error.absolute_path) or "(top)"
            out.append(f"{what} {ident or n + 1}: {where}: {error.message[:120]}")
    return out


def _page_ok(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("contents"), list)


def _total(data: dict) -> int | None:
    value = data.get("total_items")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _unreachable(exc: FeedError) -> bool:
    """A connection that failed or timed out, as opposed to an answer we did not like."""
    text = str(exc)
    return "could not reach" in text or "no answer from" in text


class _Probe:
    def __init__(self, client: FeedClient, result: ProbeResult):
        self.client = client
        self.result = result
        self.full: dict[str, dict] = {}

    def add(self, name: str, required: bool, problems: list[str] | None = None, *,
            ok_detail: str = "", skip: str | None = None, filter: str | None = None) -> bool:
        if skip is not None:
            outcome, detail = "skip", skip
        elif problems:
            outcome, detail = "fail", "; ".join(problems[:3])
        else:
            outcome, detail = "pass", ok_detail
        self.result.checks.append(Check(name, required, outcome, detail, filter))
        return outcome == "pass"

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return await self.client.get_json(path, params)

    async def page(self, path: str, params: dict[str, Any]) -> tuple[dict | None, str]:
        try:
            data = await self.get(path, params)
        except FeedError as exc:
            return None, str(exc)
        if not _page_ok(data):
            return None, f"{path} is not an ORUK page (no \"contents\" list)"
        return data, ""

    async def full_service(self, service_id: Any) -> dict | None:
        key = str(service_id)
        if key not in self.full:
            try:
                data = await self.client.service(key)
            except FeedError:
                return None
            if not isinstance(data, dict):
                return None
            self.full[key] = data
        return self.full[key]

    async def fulls(self, ids: list[Any]) -> list[dict]:
        found = await asyncio.gather(*(self.full_service(i) for i in ids))
        return [f for f in found if f is not None]

    # ----------------------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            first = await self.get("/services", {"page": 1, "per_page": SAMPLE_SIZE})
        except FeedError as exc:
            if _unreachable(exc):
                self.result.error = (f"Could not read {self.client.base}: {exc} Check the address "
                                     f"(the API base, where /services lives) and that the server "
                                     f"is up.")
                return
            first = None
            services_problem = str(exc)
        else:
            services_problem = "" if _page_ok(first) else \
                "/services is not an ORUK page (no \"contents\" list)"
        await self.root()
        if not self.add("endpoint /services", True, [services_problem] if services_problem else [],
                        ok_detail=f"{_total(first) if first else '?'} services"):
            self.add("endpoint /services/{id}", True, skip="no services list to take an id from")
            return
        assert first is not None
        sample = [s for s in first["contents"] if isinstance(s, dict)]
        total = _total(first)
        ids = [s.get("id") for s in sample if s.get("id") not in (None, "")][:FULL_SAMPLE]
        fulls = await self.fulls(ids)
        if not ids:
            self.add("endpoint /services/{id}", True, skip="the feed lists no services")
        else:
            self.add("endpoint /services/{id}", True,
                     [] if fulls else [f"/services/{ids[0]} gave no service"],
                     ok_detail=f"{len(fulls)} of {len(ids)} read")
        for path in ("/taxonomy_terms", "/service_at_locations", "/taxonomies", "/organizations"):
            data, problem = await self.page(path, {"page": 1, "per_page": SAMPLE_SIZE})
            self.add(f"endpoint {path}", False, [problem] if problem else [],
                     ok_detail=f"{_total(data) if data else '?'} items")
            if data and path == "/taxonomy_terms":
                self.add("schema: taxonomy terms", False, _problems(
                    _validator("taxonomy_term.json"), data["contents"], "term"),
                    ok_detail=f"{len(data['contents'])} checked")
            if data and path == "/service_at_locations":
                self.add("schema: service at locations", False, _problems(
                    _validator("service_at_location_list.json"), data["contents"], "item"),
                    ok_detail=f"{len(data['contents'])} checked")
                await self.postcode(data, _total(data))
        await self.pagination(total)
        self.add("schema: page fields", True, _problems(_validator("page.json"), [first], "page"))
        self.add("schema: services list", True, _problems(
            _validator("service_list.json"), sample, "service"),
            ok_detail=f"{len(sample)} checked")
        if fulls:
            self.add("schema: full services", True, _problems(
                _validator("service.json"), fulls, "service"),
                ok_detail=f"{len(fulls)} checked")
        await self.filters(sample, fulls, total)

    async def root(self) -> None:
        try:
            data = await self.get("/")
            problems = [] if isinstance(data, dict) else ["/ did not answer a JSON object"]
            detail = f"version {data.get('version')}" if isinstance(data, dict) else ""
        except FeedError as exc:
            problems, detail = [str(exc)], ""
        self.add("endpoint /", True, problems, ok_detail=detail)

    async def pagination(self, total: int | None) -> None:
        if total is None:
            self.add("pagination", True, ["/services gives no whole-number total_items"])
            return
        if total < 2:
            self.add("pagination", True, skip="fewer than 2 services: nothing to page through")
            return
        per_page = max(1, min(10, total // 2))
        one, problem = await self.page("/services", {"page": 1, "per_page": per_page})
        two, problem2 = await self.page("/services", {"page": 2, "per_page": per_page})
        if one is None or two is None:
            self.add("pagination", True, [problem or problem2])
            return
        problems = []
        pages = math.ceil(total / per_page)
        for number, data in ((1, one), (2, two)):
            if data.get("page_number") != number:
                problems.append(f"page {number} says page_number {data.get('page_number')!r}")
            if _total(data) != total:
                problems.append(f"page {number} says total_items {data.get('total_items')!r}, "
                                f"the first page said {total}")
            if data.get("total_pages") != pages:
                problems.append(f"page {number} says total_pages {data.get('total_pages')!r}; "
                                f"{total} items at {per_page} a page make {pages}")
            want = min(per_page, total - (number - 1) * per_page)
            if len(data["contents"]) != want:
                problems.append(f"page {number} has {len(data['contents'])} items; per_page="
                                f"{per_page} asks for {want}")
        ids1 = {str(s.get("id")) for s in one["contents"] if isinstance(s, dict)}
        ids2 = {str(s.get("id")) for s in two["contents"] if isinstance(s, dict)}
        if ids1 & ids2:
            problems.append(f"page 2 repeats {len(ids1 & ids2)} services of page 1")
        self.add("pagination", True, problems,
                 ok_detail=f"{total} items, {pages} pages of {per_page}")

    # --- filters ------------------------------------------------------------------------------

    async def try_filter(self, name: str, path: str, params: dict[str, Any], total: int | None,
                         condition: Callable[[dict], Awaitable[bool]], described: str) -> None:
        """``path?params`` must give a strict, non-empty subset whose items meet ``condition``."""
        data, problem = await self.page(path, {"page": 1, "per_page": SAMPLE_SIZE, **params})
        if data is None:
            self.add(f"filter {name}", False, [problem], filter=name)
            return
        got = _total(data)
        items = [i for i in data["contents"] if isinstance(i, dict)]
        problems = []
        if not items:
            problems.append(f"{described}: no results, though some services match")
        if got is None or total is None or got >= total:
            problems.append(f"{described}: {got} of {total} items, so the filter was ignored")
        bad = [str(i.get("id")) for i in items[:CHECK_ITEMS] if not await condition(i)]
        if bad:
            problems.append(f"{described}: {len(bad)} result(s) do not match, e.g. {bad[0]}")
        self.add(f"filter {name}", False, problems, filter=name,
                 ok_detail=f"{described}: {got} of {total}")

    async def filters(self, sample: list[dict], fulls: list[dict], total: int | None) -> None:
        await self.text(sample, total)
        await self.taxonomy(fulls, total)
        await self.ages(sample, total)
        await self.day(fulls, total)
        await self.modified_after(sample, total)

    async def text(self, sample: list[dict], total: int | None) -> None:
        names = [str(s.get("name") or "").lower() for s in sample]
        words = Counter(w for n in names for w in {w.strip(".,:;()'\"!?") for w in n.split()}
                        if len(w) >= 5 and w.isalpha())
        choices = [w for w, n in words.most_common() if n < len(names)]
        if not choices:
            self.add("filter text", False, skip="no word in service names to search for",
                     filter="text")
            return
        word = choices[-1]

        async def has_word(item: dict) -> bool:
            full = await self.full_service(item.get("id")) or item
            return word[:5] in json.dumps(full, ensure_ascii=False).lower()
        await self.try_filter("text", "/services", {"text": word}, total, has_word,
                              f"text={word}")

    async def taxonomy(self, fulls: list[dict], total: int | None) -> None:
        counts = Counter(t for f in fulls for t in _term_ids(f))
        if not counts:
            self.add("filter taxonomy_term_id", False, skip="no taxonomy terms on the services "
                     "read", filter="taxonomy_term_id")
            return
        term = min(counts, key=lambda t: (counts[t], t))

        async def has_term(item: dict) -> bool:
            full = await self.full_service(item.get("id"))
            return full is not None and term in _term_ids(full)
        await self.try_filter("taxonomy_term_id", "/services", {"taxonomy_term_id": term}, total,
                              has_term, f"taxonomy_term_id={term}")

    async def ages(self, sample: list[dict], total: int | None) -> None:
        mins = sorted({_num(s.get("minimum_age")) or 0 for s in sample})
        if len(mins) < 2:
            self.add("filter minimum_age", False, skip="every service has the same "
                     "minimum_age", filter="minimum_age")
        else:
            low = mins[-1]

            async def old_enough(item: dict) -> bool:
                return (_num(item.get("minimum_age")) or 0) >= low
            await self.try_filter("minimum_age", "/services", {"minimum_age": _fmt(low)}, total,
                                  old_enough, f"minimum_age={_fmt(low)}")
        maxes = [_num(s.get("maximum_age")) for s in sample]
        known = sorted({m for m in maxes if m is not None})
        if not known or (len(known) == 1 and None not in maxes):
            self.add("filter maximum_age", False, skip="no services to leave out by "
                     "maximum_age", filter="maximum_age")
            return
        high = known[0]

        async def young_enough(item: dict) -> bool:
            value = _num(item.get("maximum_age"))
            return value is not None and value <= high
        await self.try_filter("maximum_age", "/services", {"maximum_age": _fmt(high)}, total,
                              young_enough, f"maximum_age={_fmt(high)}")

    async def day(self, fulls: list[dict], total: int | None) -> None:
        counts = Counter(d for f in fulls for d in _days(f))
        if not counts:
            self.add("filter day", False, skip="no opening days on the services read",
                     filter="day")
            return
        code = min(counts, key=lambda d: (counts[d], d))

        async def open_that_day(item: dict) -> bool:
            full = await self.full_service(item.get("id"))
            return full is not None and code in _days(full)
        await self.try_filter("day", "/services", {"day": code}, total, open_that_day,
                              f"day={code}")

    async def modified_after(self, sample: list[dict], total: int | None) -> None:
        stamps = sorted({str(s["last_modified"]) for s in sample if s.get("last_modified")})
        if len(stamps) < 2:
            self.add("filter modified_after", False, skip="the services read all have the same "
                     "last_modified (or none)", filter="modified_after")
            return
        since = stamps[-1]

        async def newer(item: dict) -> bool:
            return str(item.get("last_modified") or "") >= since
        await self.try_filter("modified_after", "/services", {"modified_after": since}, total,
                              newer, f"modified_after={since}")

    async def postcode(self, data: dict, total: int | None) -> None:
        origin = next((p for p in (_postcode_place(i) for i in data["contents"]) if p), None)
        if origin is None:
            self.add("filter postcode", False, skip="no location with a postcode and a "
                     "position", filter="postcode")
            return
        postcode, lat, lon = origin

        async def near(item: dict) -> bool:
            place = _position(item.get("location"))
            # The postcode's centre is not the venue: allow a kilometre for that.
            return place is not None and \
                haversine_km(lat, lon, *place) * 1000 <= PROXIMITY_M + 1000
        await self.try_filter("postcode", "/service_at_locations",
                              {"postcode": postcode, "proximity": PROXIMITY_M}, total, near,
                              f"postcode={postcode}, proximity={PROXIMITY_M}")


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _term_ids(service: dict) -> set[str]:
    out = set()
    for attribute in service.get("attributes") or []:
        if not isinstance(attribute, dict):
            continue
        term = attribute.get("taxonomy_term")
        if attribute.get("taxonomy_term_id"):
            out.add(str(attribute["taxonomy_term_id"]))
        elif isinstance(term, dict) and term.get("id"):
            out.add(str(term["id"]))
    return out


def _days(value: Any) -> set[str]:
    """Every ``byday`` day code in a full service (its own and its locations' schedules)."""
    out: set[str] = set()
    if isinstance(value, list):
        for item in value:
            out |= _days(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "byday" and isinstance(item, str):
                out |= {c for c in (day_code(p.strip()) for p in item.split(",")) if c}
            elif isinstance(item, (dict, list)):
                out |= _days(item)
    return out


def _position(location: Any) -> tuple[float, float] | None:
    if not isinstance(location, dict):
        return None
    lat, lon = _num(location.get("latitude")), _num(location.get("longitude"))
    return (lat, lon) if lat is not None and lon is not None else None


def _postcode_place(item: Any) -> tuple[str, float, float] | None:
    location = item.get("location") if isinstance(item, dict) else None
    place = _position(location)
    if place is None:
        return None
    for address in location.get("postal_address") or location.get("addresses") or []:
        if isinstance(address, dict) and address.get("postal_code"):
            return str(address["postal_code"]), *place
    return None


async def probe(url: str, *, session: aiohttp.ClientSession | None = None,
                limits: FeedLimits = PROBE_LIMITS) -> ProbeResult:
    """Run every check against the ORUK 3.0 API base ``url`` (where ``/services`` lives)."""
    result = ProbeResult(url.rstrip("/"))
    if session is None:
        async with aiohttp.ClientSession() as own:
            await _Probe(FeedClient(url, own, limits), result).run()
    else:
        await _Probe(FeedClient(url, session, limits), result).run()
    return result


async def probe_modified_after(client: FeedClient) -> ProbeResult:
    """Only the ``modified_after`` check (two requests): sync runs it before every incremental
    sync, so it never trusts a filter the feed does not honour today."""
    result = ProbeResult(client.base)
    checker = _Probe(client, result)
    data, problem = await checker.page("/services", {"page": 1, "per_page": SAMPLE_SIZE})
    if data is None:
        checker.add("filter modified_after", False, [problem], filter="modified_after")
        return result
    await checker.modified_after([i for i in data["contents"] if isinstance(i, dict)],
                                 _total(data))
    return result


def probe_feed(url: str, *, limits: FeedLimits = PROBE_LIMITS) -> ProbeResult:
    """``probe`` for code without an event loop (the command line)."""
    return asyncio.run(probe(url, limits=limits))
