"""One running stack (action server + Rasa with the trained model) for the whole session."""

from __future__ import annotations

import itertools
from typing import Any, Callable

import pytest

from tests.stack import Stack


@pytest.fixture(scope="session")
def stack():
    with Stack() as running:
        yield running


_ids = itertools.count(1)


@pytest.fixture
def chat(stack: Stack) -> Callable[[str], list[dict[str, Any]]]:
    """A new conversation: ``chat("hello")`` returns the bot's messages."""
    sender = f"e2e-{next(_ids)}"

    def say(text: str) -> list[dict[str, Any]]:
        return stack.say(sender, text)

    say.sender = sender  # type: ignore[attr-defined]
    return say
