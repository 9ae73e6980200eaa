"""``POST /api/chat``: the parent's message in, the bot's replies out.

Request ``{"text": str, "session_id": str|null, "message_id": str (optional)}``; reply
``{"session_id": str, "messages": [{"text", "buttons": [{"title", "payload"}], "custom"}]}``.
The server issues the session id and forwards to Rasa with it as the sender; an id it did not
issue is replaced. When Rasa is down or slow the parent still gets a useful answer: the
centres' phone numbers and opening hours (``web.fallback``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from aiohttp import web

from bot.safety.chat_guard import safety_first, with_safety_reply
from bot.safety.replies import LocalLines
from web import keys
from web.client_address import client_address
from web.fallback import fallback_messages
from web.rasa_client import RasaUnavailable
from web.security import TooDeep, json_error, parse_json, read_body

log = logging.getLogger("signpost.web.chat")

MAX_TEXT_CHARS = 1000
MAX_MESSAGE_ID_CHARS = 64

routes = web.RouteTableDef()

#: Control characters except newline and tab, and lone surrogates (JSON allows "\ud800").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """What a parent sent, made safe to pass on: control characters (bar newline and tab) removed
    and lone surrogates replaced with U+FFFD. Done first: they break Rasa's turn and the logs."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def as_typed_text(text: str) -> str:
    """Typed text is never an intent: Rasa reads a message starting with ``/`` as
    ``/intent{entities}``, so typed ``/restart`` or ``/inform{"place": "BB3"}`` loses its
    leading slashes and reaches the bot's understanding as the words it is."""
    while (stripped := text.strip()).startswith("/"):
        text = stripped[1:]
    return text.strip()


def _bad_request(message: str) -> web.Response:
    return json_error(400, "bad_request", message)


def parse_chat_request(body: bytes) -> tuple[str, str | None, str | None] | web.Response:
    """``(text, session_id, message_id)`` from the body, or a 400 that says what is wrong."""
    example = 'Send JSON like {"text": "stay and play near BB3", "session_id": null}.'
    try:
        data: Any = parse_json(body.decode("utf-8"))
    except TooDeep as deep:
        return _bad_request(f"{deep} {example}")
    except (UnicodeDecodeError, ValueError):
        return _bad_request(f"We could not read that request. {example}")
    if not isinstance(data, dict):
        return _bad_request(f"The request must be a JSON object. {example}")
    text, session_id, message_id = data.get("text"), data.get("session_id"), data.get("message_id")
    if not isinstance(text, str):
        return _bad_request(f'"text" must be a string. {example}')
    if session_id is not None and not isinstance(session_id, str):
        return _bad_request('"session_id" must be a string or null.')
    if message_id is not None and (not isinstance(message_id, str)
                                   or not 0 < len(message_id) <= MAX_MESSAGE_ID_CHARS):
        return _bad_request(f'"message_id" must be a string of up to {MAX_MESSAGE_ID_CHARS} characters.')
    return text, session_id, message_id


@routes.post("/api/chat")
async def chat(request: web.Request) -> web.Response:
    body = await read_body(request)
    parsed = parse_chat_request(body)
    if isinstance(parsed, web.Response):
        return parsed
    text, claimed_id, message_id = parsed
    text = clean_text(text).strip()
    if not text:
        return json_error(400, "empty", "Please type a message first.")
    if len(text) > MAX_TEXT_CHARS:
        return json_error(400, "too_long",
                          f"Please keep your message under {MAX_TEXT_CHARS:,} characters. "
                          "You can send more in another message.")

    sessions = request.app[keys.SESSIONS]
    # Count against the id the browser claims before we issue one, so a flood of "new" chats
    # from one address is still caught by the per-address limit.
    verdict = await request.app[keys.LIMITS].check(client=client_address(request),
                                                   session_id=claimed_id)
    if not verdict.allowed:
        return json_error(429, "slow_down",
                          "You are sending messages very fast. Please wait a minute, "
                          "then try again.", **{"Retry-After": str(verdict.retry_after)})
    session_id, is_new = await sessions.resolve(claimed_id)
    if is_new:
        started = await request.app[keys.LIMITS].new_session(client_address(request))
        if not started.allowed:
            await sessions.forget(session_id)
            return json_error(429, "too_many_chats",
                              "Lots of new chats have started from here. Please carry on in the "
                              "chat you have open, or wait a while and try again.",
                              **{"Retry-After": str(started.retry_after)})
    # Only a button the bot offered in this conversation may carry an intent (docs/security.md).
    if not sessions.was_offered(session_id, text):
        text = as_typed_text(text)
        if not text:
            return json_error(400, "empty", "Please type a message first.")

    async def answer() -> dict[str, Any]:
        try:
            messages = await request.app[keys.RASA].send(session_id, text)
            if not messages:
                # Rasa answers 200 with nothing when a custom action failed (the action server
                # is down): the parent must not be left with silence.
                raise RasaUnavailable("Rasa sent no reply (is the action server down?)")
            # Rasa has read the message for danger already: its safety reply goes first.
            messages = safety_first(messages)
        except RasaUnavailable as error:
            # Log why, never what the parent wrote.
            log.warning("Rasa unavailable, sending the fallback reply: %s", error)
            # A disclosure is answered first, even when Rasa is down (docs/safety.md).
            settings = request.app[keys.SETTINGS]
            messages = with_safety_reply(
                text, await fallback_messages(request.app), request.app[keys.SAFETY],
                local=LocalLines.from_settings(settings))
        sessions.offer(session_id, [button["payload"] for message in messages
                                    for button in message.get("buttons") or []])
        return {"session_id": session_id, "messages": messages}

    reply = await sessions.reply_once(session_id, message_id, answer)
    return web.json_response(reply)


@routes.post("/api/chat/end")
async def end_chat(request: web.Request) -> web.Response:
    """"End chat": the session id is forgotten, so it can never be used to continue."""
    body = await read_body(request)
    try:
        data = parse_json(body.decode("utf-8") or "{}")
    except TooDeep as deep:
        return _bad_request(f'{deep} Send JSON like {{"session_id": "..."}}.')
    except (UnicodeDecodeError, ValueError):
        return _bad_request('Send JSON like {"session_id": "..."}.')
    session_id = data.get("session_id") if isinstance(data, dict) else None
    if isinstance(session_id, str):
        await request.app[keys.SESSIONS].forget(session_id)
    return web.json_response({"ended": True})
