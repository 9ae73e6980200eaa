"""The web tier's own safety check: a disclosure gets the safety reply first, even with Rasa down.

``bot/web/chat.py`` calls ``safety_first`` with the parent's text and whatever came back (Rasa's
replies or the "chat is not working" fallback). Rasa runs the same rules, so usually its reply
already holds the safety message: then it is only moved to the top, never added twice.
"""

from __future__ import annotations

from typing import Any

from bot.safety.replies import reply_for
from bot.safety.rules import detect


def is_safety(message: dict[str, Any]) -> bool:
    return (message.get("custom") or {}).get("type") == "safety"


def safety_first(text: str, messages: list[dict[str, Any]], *,
                 social_care_phone: str | None = None) -> list[dict[str, Any]]:
    """``messages`` with a safety reply at the top when ``text`` discloses danger."""
    for index, message in enumerate(messages):
        if is_safety(message):
            # Rasa's REST channel sends a reply's text and its payload as two messages, text
            # first: move the pair to the top together.
            start = index
            if (not message.get("text") and index > 0 and messages[index - 1].get("text")
                    and not messages[index - 1].get("custom")):
                start = index - 1
            return messages[start:index + 1] + messages[:start] + messages[index + 1:]
    detection = detect(text)
    if detection is None:
        return messages
    return [reply_for(detection, social_care=social_care_phone).as_chat_message(), *messages]
