"""The web tier's part in safety: the safety reply always first, even with Rasa down.

Rasa reads every message with the rules and the learned detector (``bot.nlu.safety_component``),
so when Rasa answers, the web tier only moves a safety reply to the top (``safety_first``) and
reads nothing again: the message is checked once. When Rasa is down or too slow, the web tier
checks the message itself with the same ``SafetyCheck`` (``with_safety_reply``), so a parent in
danger still gets 999 and the helplines above the "chat is not working" numbers.
"""

from __future__ import annotations

from typing import Any

from bot.safety.check import SafetyCheck
from bot.safety.replies import LocalLines, reply_for


def is_safety(message: dict[str, Any]) -> bool:
    return (message.get("custom") or {}).get("type") == "safety"


def safety_first(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa's ``messages`` with its safety reply (if any) moved to the top."""
    for index, message in enumerate(messages):
        if is_safety(message):
            # Rasa's REST channel sends a reply's text and its payload as two messages, text
            # first: move the pair to the top together.
            start = index
            if (not message.get("text") and index > 0 and messages[index - 1].get("text")
                    and not messages[index - 1].get("custom")):
                start = index - 1
            return messages[start:index + 1] + messages[:start] + messages[index + 1:]
    return messages


def with_safety_reply(text: str, messages: list[dict[str, Any]], checker: SafetyCheck, *,
                      local: LocalLines | None = None) -> list[dict[str, Any]]:
    """The fallback ``messages``, with a safety reply first when ``text`` discloses danger."""
    detection = checker.detect(text)
    if detection is None:
        return messages
    return [reply_for(detection, local=local).as_chat_message(), *messages]
