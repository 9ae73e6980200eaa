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
    requests: list[str] = field(default_factory=list)


def _page(request: web.Request, shape: FeedShape) -> dict[str, Any]:
    page = int(request.query.get("page", 1))
    size = shape.per_page or int(request.query.get("per_page", 50))
    items = shape.services
    since = request.query.get("modified_after")
    if since and shape.honours_modified_after:
        items = [s for s in items if s.get("last_modified", "") >= since]
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
        return web.json_response(_page(request, shape))

    async def one(request: web.Request) -> web.Response:
        shape.requests.append(str(request.rel_url))
        for s in shape.services:
            if str(s["id"]) == request.match_info["id"]:
                return web.json_response(s)
        return web.json_response({"error": "not found"}, status=404)

    app = web.Application()
    app.router.add_get("/api/services", services)
    app.router.add_get("/api/services/{id}", one)
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
