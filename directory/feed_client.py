"""Reading another council's Open Referral UK 3.0 API politely, and never without limits.

aiohttp, not urllib: the web tier already runs an event loop and syncs feeds in the background
(one client, many services fetched at once under a cap), and the command line runs the same
code with ``asyncio.run``. Both environments have aiohttp (Rasa pins 3.9, the web tier 3.14).

Limits, so a broken or hostile feed cannot hang or swamp us:

- every request has a timeout (``timeout_s``, for the whole response, body included), so a page
  that never finishes is given up on;
- a response over ``max_bytes`` is refused while it is read (a 50 MB page is not kept);
- at most ``max_pages`` list pages, and a page that repeats the previous page's ids ends the
  walk with an error (a feed whose ``total_pages`` never ends);
- at most ``concurrency`` requests at once, each retried ``retries`` times with exponential
  back-off on a timeout, a dropped connection or a 5xx/429 answer.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote, urlencode

import aiohttp


class FeedError(Exception):
    """The feed could not be read; the sync stops and changes nothing."""


@dataclass(frozen=True)
class FeedLimits:
    """How politely, and how far, a feed is read."""

    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 0.5
    concurrency: int = 4
    per_page: int = 100
    max_pages: int = 1000
    max_bytes: int = 20 * 1024 * 1024


class FeedClient:
    """One feed's ``/services`` list and ``/services/{id}`` objects, read with ``FeedLimits``."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession,
                 limits: FeedLimits = FeedLimits()):
        self.base = base_url.rstrip("/")
        self.session = session
        self.limits = limits
        self._gate = asyncio.Semaphore(limits.concurrency)

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` as JSON, with the timeout, the size cap and retries."""
        url = self.base + path + (("?" + urlencode(params)) if params else "")
        last = ""
        for attempt in range(self.limits.retries + 1):
            if attempt:
                await asyncio.sleep(self.limits.backoff_s * 2 ** (attempt - 1))
            try:
                async with self._gate:
                    return await asyncio.wait_for(self._fetch(url), self.limits.timeout_s)
            except _Retry as exc:
                last = str(exc)
            except (asyncio.TimeoutError, TimeoutError):
                last = f"no answer from {url} within {self.limits.timeout_s:g} seconds"
            except aiohttp.ClientError as exc:
                last = f"could not reach {url}: {exc.__class__.__name__} {exc}"
        raise FeedError(f"{last} (tried {self.limits.retries + 1} times).")

    async def _fetch(self, url: str) -> Any:
        async with self.session.get(url, headers={"Accept": "application/json"}) as resp:
            if resp.status >= 500 or resp.status == 429:
                raise _Retry(f"{url} answered {resp.status}")
            if resp.status != 200:
                raise FeedError(f"{url} answered {resp.status}; expected 200.")
            if (resp.content_length or 0) > self.limits.max_bytes:
                raise FeedError(_too_big(url, self.limits.max_bytes))
            body = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                body += chunk
                if len(body) > self.limits.max_bytes:
                    raise FeedError(_too_big(url, self.limits.max_bytes))
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise FeedError(f"{url} did not answer JSON ({exc.__class__.__name__}).") from None

    async def list_services(self, *, modified_after: str | None = None,
                            on_page: Callable[[int, int | None], None] | None = None
                            ) -> list[dict]:
        """Every item of ``/services``, page by page until ``total_pages`` (or an empty page)."""
        items: list[dict] = []
        async for contents, _total in self.pages(modified_after=modified_after, on_page=on_page):
            items += contents
        return items

    async def pages(self, *, modified_after: str | None = None,
                    on_page: Callable[[int, int | None], None] | None = None
                    ) -> AsyncIterator[tuple[list, int | None]]:
        """Each page's items of ``/services`` (with ``total_items`` when the feed gives it), so
        a sync can hold one page at a time rather than the whole feed."""
        previous: list[Any] | None = None
        page = 1
        while True:
            if page > self.limits.max_pages:
                raise FeedError(f"The feed has more than {self.limits.max_pages} pages; stopped "
                                f"there. Nothing was changed.")
            params: dict[str, Any] = {"page": page, "per_page": self.limits.per_page}
            if modified_after:
                params["modified_after"] = modified_after
            data = await self.get_json("/services", params)
            if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
                raise FeedError(f"Page {page} of {self.base}/services is not an ORUK page "
                                f"(no \"contents\" list).")
            contents = data["contents"]
            ids = [c.get("id") if isinstance(c, dict) else None for c in contents]
            if contents and ids == previous:
                raise FeedError(f"Page {page} of {self.base}/services repeats page {page - 1}: "
                                f"the feed's paging never ends. Nothing was changed.")
            previous = ids
            total = data.get("total_pages")
            total = total if isinstance(total, int) and total >= 0 else None
            if on_page:
                on_page(page, total)
            items = data.get("total_items")
            yield contents, items if isinstance(items, int) and items >= 0 else None
            if not contents or (total is not None and page >= total) or data.get("last_page") \
                    is True:
                return
            page += 1

    async def service(self, service_id: str) -> Any:
        """One full service, ``/services/{id}``."""
        return await self.get_json("/services/" + quote(str(service_id), safe=""))


class _Retry(Exception):
    """A failure worth trying again (5xx, 429)."""


def _too_big(url: str, limit: int) -> str:
    return f"{url} sent more than {limit // (1024 * 1024)} MB; refused. Nothing was changed."
