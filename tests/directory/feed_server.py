"""A local ORUK 3.0 API for the sync tests: a council's directory served in several shapes and
with the faults real feeds have. It runs on its own event loop in a thread, so the code under
test reads it exactly as it reads a council's server."""

from __future__ import annotations

import asyncio
import math
import threading
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FeedShape:
    """What the server serves, and how it misbehaves."""

    services: list[dict]
    compact: bool = False          # the list gives id, name and last_modified only
    per_page: int | None = None    # the server's own page size (ignores per_page)
    fail_page: int | None = None   # this page answers 500, always
    slow_page: int | None = None   # this page never answers in time
    endless: bool = False          # total_pages says there is always one more page
    huge_page: int | None = None   # this page is 50 MB of JSON
    honours_modified_after: bool = True
    full_api: bool = False         # also /, /taxonomy_terms, /service_at_locations... and filters
    ignored_filters: frozenset[str] = frozenset()   # filters (full_api) answered unfiltered
    fail_paths: frozenset[str] = frozenset()        # these paths (e.g. "/taxonomy_terms") 500
    requests: list[str] = field(default_factory=list)


def _page(request: web.Request, shape: FeedShape) -> dict[str, Any]:
    page = int(request.query.get("page", 1))
    size = shape.per_page or int(request.query.get("per_page", 50))
    items = shape.services
    since = request.query.get("modified_after")
    if since and shape.honours_modified_after and "modified_after" not in shape.ignored_filters:
        items = [s for s in items if s.get("last_modified", "") >= since]
    if shape.full_api:
        items = [s for s in items if _matches(s, request, shape.ignored_filters)]
    total_pages = max(1, math.ceil(len(items) / size))
    chunk = items[(page - 1) * size: page * size]
    if shape.endless:
        chunk, total_pages = items[:size], page + 1
    if shape.compact:
        chunk = [{"id": s["id"], "name": s["name"], "last_modified": s.get("last_modified")}
                 for s in chunk]
    return {"total_items": len(items), "total_pages": total_pages, "page_number": page,
            "size": size, "first_page": page == 1, "last_page": page >= total_pages,
            "empty": not chunk, "contents": chunk}


def _days(value: Any) -> set[str]:
    if isinstance(value, list):
        return set().union(*(_days(v) for v in value)) if value else set()
    if isinstance(value, dict):
        found = set(str(value.get("byday") or "").split(","))
        return found.union(*(_days(v) for v in value.values() if isinstance(v, (dict, list))))
    return set()


def _matches(s: dict, request: web.Request, ignored: frozenset[str]) -> bool:
    """The ORUK filters, as the UK profile words them (``directory/oruk_pages.py``)."""
    q = {k: v for k, v in request.query.items() if k not in ignored}
    if "text" in q and q["text"].lower() not in (s.get("name", "") + " " +
                                                 s.get("description", "")).lower():
        return False
    if "taxonomy_term_id" in q and q["taxonomy_term_id"] not in {
            a.get("taxonomy_term_id") for a in s.get("attributes", [])}:
        return False
    if "minimum_age" in q and (s.get("minimum_age") or 0) < float(q["minimum_age"]):
        return False
    if "maximum_age" in q and (s.get("maximum_age") is None
                               or s["maximum_age"] > float(q["maximum_age"])):
        return False
    return "day" not in q or q["day"] in _days(s)


_LIST_FIELDS = ("id", "organization_id", "name", "description", "url", "email", "status",
                "minimum_age", "maximum_age", "assured_date", "assurer_email", "last_modified")


def _listed(s: dict) -> dict:
    return {k: s[k] for k in _LIST_FIELDS if k in s}


def _plain(items: list[dict], request: web.Request) -> dict[str, Any]:
    page = int(request.query.get("page", 1))
    size = int(request.query.get("per_page", 50))
    pages = max(1, math.ceil(len(items) / size))
    chunk = items[(page - 1) * size: page * size]
    return {"total_items": len(items), "total_pages": pages, "page_number": page,
            "size": len(chunk), "first_page": page == 1, "last_page": page >= pages,
            "empty": not items, "contents": chunk}


def make_app(shape: FeedShape) -> web.Application:
    async def services(request: web.Request) -> web.StreamResponse:
        shape.requests.append(str(request.rel_url))
        page = int(request.query.get("page", 1))
        if page == shape.fail_page:
            return web.Response(status=500, text="oops")
        if page == shape.slow_page:
            await asyncio.sleep(5)
        if page == shape.huge_page:
            resp = web.StreamResponse()
            await resp.prepare(request)
            await resp.write(b'{"contents": [' + b'{"id": "x", "name": "' )
            block = b"a" * (1024 * 1024)
            for _ in range(50):
                await resp.write(block)
            await resp.write(b'"}]}')
            return resp
        data = _page(request, shape)
        if shape.full_api:
            data["contents"] = [_listed(s) for s in data["contents"]]
        return web.json_response(data)

    def extra(kind: str):
        async def handler(request: web.Request) -> web.Response:
            shape.requests.append(str(request.rel_url))
            if "/" + kind in shape.fail_paths:
                return web.json_response({"error": "oops"}, status=500)
            if kind == "":
                return web.json_response({"version": "3.0"})
            if kind == "taxonomy_terms":
                terms = {a["taxonomy_term_id"]: {"id": a["taxonomy_term_id"],
                                                 "name": a["taxonomy_term_id"],
                                                 "description": "A category."}
                         for s in shape.services for a in s.get("attributes", [])}
                items: list[dict] = list(terms.values())
            elif kind == "service_at_locations":
                items = [dict(sal, service=_listed(s)) for s in shape.services
                         for sal in s.get("service_at_locations", [])]
            elif kind == "organizations":
                items = list({s["organization"]["id"]: s["organization"]
                              for s in shape.services if s.get("organization")}.values())
            else:
                items = []
            return web.json_response(_plain(items, request))
        return handler

    index: dict[str, dict] = {}
    indexed: list[Any] = [None, -1]    # the list and length the index was built from

    async def one(request: web.Request) -> web.Response:
        shape.requests.append(str(request.rel_url))
        # By id, not a scan: a scan of 10,000 services per request was most of the benchmark's
        # time. Rebuilt when the tests swap or shorten the list, or an id is not where it was.
        wanted = request.match_info["id"]
        found = index.get(wanted)
        if indexed[0] is not shape.services or indexed[1] != len(shape.services) \
                or found is None or str(found.get("id")) != wanted:
            index.clear()
            index.update((str(s["id"]), s) for s in reversed(shape.services))
            indexed[:] = [shape.services, len(shape.services)]
            found = index.get(wanted)
        if found is not None:
            return web.json_response(found)
        return web.json_response({"error": "not found"}, status=404)

    app = web.Application()
    app.router.add_get("/api/services", services)
    app.router.add_get("/api/services/{id}", one)
    if shape.full_api:
        for kind in ("", "taxonomy_terms", "service_at_locations", "taxonomies", "organizations"):
            app.router.add_get("/api/" + kind, extra(kind))
    return app


class FeedServer:
    """``with FeedServer(shape) as url:`` serves ``shape`` at ``url`` (the API base)."""

    def __init__(self, shape: FeedShape):
        self.shape = shape
        self.loop = asyncio.new_event_loop()
        self.url = ""

    def __enter__(self) -> str:
        ready = threading.Event()

        async def start() -> None:
            self.runner = web.AppRunner(make_app(self.shape), shutdown_timeout=0.5)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.url = f"http://127.0.0.1:{port}/api"
            ready.set()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.loop.create_task(start())
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)
        return self.url

    def __exit__(self, *exc: Any) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
