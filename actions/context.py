"""What every action is built with: the directory, the settings and a memory of recent searches.

The action server (``actions/server.py``) opens the ``Directory`` once at start-up from
``Settings`` and gives each action the same ``ActionContext``; nothing here is a module global,
so a test builds its own context on a temporary directory and needs nothing reset.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Hashable

from common.settings import Settings
from directory.db import Directory


#: How long a call-back's contact details wait in memory for the parent to finish the form.
PENDING_TTL = 30 * 60.0


class PendingContacts:
    """Contact details waiting to be saved, in memory only, forgotten after ``ttl`` seconds."""

    def __init__(self, ttl: float = PENDING_TTL) -> None:
        self.ttl = ttl
        self._items: dict[str, tuple[float, dict[str, str]]] = {}
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        for key in [k for k, (when, _) in self._items.items() if now - when > self.ttl]:
            del self._items[key]

    def put(self, conversation: str, **values: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._expire(now)
            kept = self._items.get(conversation, (now, {}))[1]
            self._items[conversation] = (now, {**kept, **values})

    def get(self, conversation: str) -> dict[str, str]:
        with self._lock:
            self._expire(time.monotonic())
            return dict(self._items.get(conversation, (0, {}))[1])

    def forget(self, conversation: str) -> None:
        with self._lock:
            self._items.pop(conversation, None)


class RecentSearches:
    """Search results kept for a few seconds, while the directory has not changed.

    A form turn asks "do ages matter for what would be shown?" and then the search action
    answers: the same search twice in one turn. Kept results are used only while SQLite's
    ``data_version`` is unchanged (any commit by another connection, such as a staff edit,
    changes it), so an edit is never hidden.
    """

    def __init__(self, *, seconds: float = 30.0, size: int = 256,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._kept: "OrderedDict[Hashable, tuple[float, int, Any]]" = OrderedDict()
        self._lock = threading.Lock()

    def get_or_run(self, directory: Directory, key: Hashable, run: Callable[[], Any]) -> Any:
        """The kept answer for ``key``, or ``run()``'s (kept for next time)."""
        version = directory.data_version()
        now = self.clock()
        with self._lock:
            kept = self._kept.get(key)
            if kept and kept[1] == version and now - kept[0] < self.seconds:
                self._kept.move_to_end(key)
                return kept[2]
        answer = run()
        with self._lock:
            self._kept[key] = (now, version, answer)
            self._kept.move_to_end(key)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return answer


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class ActionContext:
    """The resources the actions share, made once per action server."""

    directory: Directory
    settings: Settings
    searches: RecentSearches = field(default_factory=RecentSearches)
    #: Call-back contact details, never in the tracker (``actions/callback.py``).
    pending: PendingContacts = field(default_factory=PendingContacts)
    #: What time it is: dates the parent names ("next week") and "is the centre open now" are
    #: read against it. Tests set a fixed moment.
    clock: Callable[[], datetime] = field(default_factory=lambda: _utc_now)
