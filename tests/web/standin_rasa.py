"""A stand-in for Rasa's REST channel and the action server's health check, on real loopback ports.

Not a mock: a small aiohttp server the web tier talks to over HTTP exactly as it talks to Rasa.
It answers from canned replies and records every message it receives, so tests can check what
Rasa would have seen (sender ids, texts). ``mode`` makes it fail the ways Rasa can: "down"
(answers 503), "slow" (sleeps ``delay`` seconds), "garbage" (not JSON).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from directory.cards import card

SAMPLE_SERVICE: dict[str, Any] = {
    # A service of the sample directory, so "This is wrong" on its card files a real report.
    "id": "8cb90bf6-f8cd-53dc-9d6a-41f317d0b28e", "location_id": "3ea9a632-3253-53af-aa28-a2c247502ecd",
    "name": "Stay and Play at Darwen Family Hub",
    "taxonomy_terms": ["stay_and_play"], "centre": "Darwen Family Hub",
    "address": "1 School Street, Darwen, BB3 1NG", "postcode": "BB3 1NG", "distance_km": 1.6,
    "latitude": 53.6981, "longitude": -2.4612,
    "next_sessions": ["2026-12-05T10:00:00+00:00"], "schedule_text": "Every Saturday, 10am to 12pm",
    "cost_text": "Free", "free": True, "age_text": "Children up to 5 years old",
    "phone": "01632 960180", "url": "https://example.org/stay", "assured_date": "2026-10-20",
}
# As the search action sends it: the fields, and the card's words from the library.
SAMPLE_SERVICE["card"] = card(SAMPLE_SERVICE)


def canned_reply(text: str) -> list[dict[str, Any]]:
    """What the stand-in bot says to ``text``: enough to exercise every part of the chat page."""
    lowered = text.lower()
    if "play" in lowered:
        return [
            {"recipient_id": "x", "text": "Here are some stay and play sessions near you."},
            {"recipient_id": "x", "custom": {"type": "services", "services": [SAMPLE_SERVICE]}},
            {"recipient_id": "x", "text": "Would you like something else?",
             "buttons": [{"title": "Different day", "payload": "/refine_search"},
                         {"title": "Talk to a person", "payload": "/request_human"}],
             "image": "https://tracker.example/pixel.png"},
        ]
    if lowered.startswith("/request_human"):
        return [{"recipient_id": "x", "text": "You can talk to a person. Call 01632 960180.",
                 "custom": {"type": "handoff", "phone": "01632 960180"}}]
    if "<" in text:
        return [{"recipient_id": "x", "text": f"You said {text}"}]
    return [{"recipient_id": "x", "text": "Hello! What are you looking for?",
             "buttons": [{"title": "Stay and play", "payload": "stay and play"}]}]


@dataclass
class StandInRasa:
    mode: str = "ok"
    delay: float = 0.0
    received: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.root)
        app.router.add_get("/health", self.health)
        app.router.add_post("/webhooks/rest/webhook", self.webhook)
        return app

    async def root(self, request: web.Request) -> web.Response:
        return web.Response(text="Hello from Rasa: 3.6.21")

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.received.append(body)
        # Per-message triggers, so a browser test can meet a slow or failing bot mid-conversation.
        if self.mode == "down" or "simulate an outage" in body["message"]:
            return web.Response(status=503, text="Service Unavailable")
        if "take your time" in body["message"]:
            await asyncio.sleep(1.5)
        if self.mode == "slow" or self.delay:
            await asyncio.sleep(self.delay or 30)
        if self.mode == "garbage":
            return web.Response(text="<html>oops</html>", content_type="text/html")
        return web.json_response(canned_reply(body["message"]))

    def senders(self) -> list[str]:
        return [item["sender"] for item in self.received]


def main() -> None:
    """``python -m tests.web.standin_rasa PORT``: serve the stand-in (for browser tests and demos)."""
    import sys

    rasa = StandInRasa()
    web.run_app(rasa.app(), host="127.0.0.1", port=int(sys.argv[1]), print=None,
                access_log=None)


if __name__ == "__main__":
    main()
