"""What a parent sees when the bot can't answer (Rasa or the action server down or too slow).

Never an error page: a short apology, then people they can ring — the family hubs team and
every centre in the directory with its phone number and its opening hours (or, without them,
the days and hours it runs sessions) (``directory.centres.centres_to_call``). Read straight from the directory, so it works with the
whole Rasa tier down.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from directory.centres import centres_to_call
from web import keys

log = logging.getLogger("signpost.web.fallback")

#: More centres than this and the message gets too long to read on a phone.
MAX_CENTRES = 12

APOLOGY = ("Sorry, the chat is not working right now. You can still talk to a person. "
           "Or try again in a few minutes.")


def fallback_text(settings_phone: str, settings_hours: str, found: list[dict[str, Any]]) -> str:
    lines = [APOLOGY, "", f"Family hubs team: {settings_phone}, {settings_hours}."]
    for centre in found:
        if not centre["phone"]:
            continue
        line = f"{centre['name']}: {centre['phone']}"
        if centre.get("opening_hours"):
            line += f". Open {centre['opening_hours']}"
        elif centre["hours"]:
            line += f". Sessions {centre['hours']}"
        lines.append(line + ".")
    lines += ["", "If you or a child are in danger now, call 999."]
    return "\n".join(lines)


async def fallback_messages(app: web.Application) -> list[dict[str, Any]]:
    """The friendly reply, in the chat contract's shape."""
    settings = app[keys.SETTINGS]
    try:
        found = await app[keys.DIRECTORY].run(lambda d: centres_to_call(d.db, MAX_CENTRES))
    except Exception:  # the directory failing too must still not give the parent an error page
        log.exception("Could not read the centres for the fallback reply")
        found = []
    text = fallback_text(settings.family_hubs_phone, settings.family_hubs_hours, found)
    return [{"text": text, "buttons": [],
             "custom": {"type": "unavailable", "centres": found,
                        "main_line": settings.family_hubs_phone,
                        "hours": settings.family_hubs_hours}}]
