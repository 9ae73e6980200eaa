"""Talking to Rasa's REST channel on loopback, and shaping its replies into our chat contract.

Rasa answers ``POST /webhooks/rest/webhook`` with a list of bot messages; each may carry
``text``, ``buttons``, ``custom`` (our service cards, safety and hand-off payloads) or ``image``.
The browser gets exactly ``{"text", "buttons", "custom"}`` per message and nothing else, so a
change inside Rasa can't leak new fields to the page.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp


class RasaUnavailable(Exception):
    """Rasa (or the action server behind it) is down, too slow, or answered with an error."""


def shape_message(raw: dict[str, Any]) -> dict[str, Any] | None:
    """One Rasa message in our contract's shape, or None when there is nothing to show."""
    text = raw.get("text")
    text = text if isinstance(text, str) and text.strip() else None
    buttons = []
    for button in raw.get("buttons") or []:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and title.strip():
            buttons.append({"title": title, "payload": payload if isinstance(payload, str) else title})
    custom = raw.get("custom")
    custom = custom if isinstance(custom, dict) else None
    if text is None and not buttons and custom is None:
        return None
    return {"text": text, "buttons": buttons, "custom": custom}


class RasaClient:
    """A thin client for the REST channel; one shared ``ClientSession`` for connection reuse."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, timeout: float) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def send(self, sender: str, text: str) -> list[dict[str, Any]]:
        """Send one message as ``sender``; return the bot's replies in our shape."""
        url = f"{self.base_url}/webhooks/rest/webhook"
        try:
            async with asyncio.timeout(self.timeout):
                async with self.http.post(url, json={"sender": sender, "message": text}) as response:
                    if response.status != 200:
                        raise RasaUnavailable(f"Rasa answered HTTP {response.status}")
                    body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            # The type only: a ValueError's message may quote the parent's words (it is logged).
            raise RasaUnavailable(type(error).__name__) from error
        if not isinstance(body, list):
            raise RasaUnavailable("Rasa's reply was not a list of messages")
        return [shaped for raw in body if isinstance(raw, dict)
                if (shaped := shape_message(raw)) is not None]

    async def ping(self, path: str = "/", base_url: str | None = None, timeout: float = 2.0) -> str:
        """GET a health URL; returns "ok" or a short reason it is not."""
        url = f"{(base_url or self.base_url).rstrip('/')}{path}"
        try:
            async with asyncio.timeout(timeout):
                async with self.http.get(url) as response:
                    return "ok" if response.status == 200 else f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as error:
            return f"unreachable ({type(error).__name__})"
