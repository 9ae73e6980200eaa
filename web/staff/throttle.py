"""Slowing down password guessing without letting anyone lock a colleague out.

Wrong sign-ins are counted twice: against the username typed (whether or not such an account
exists) and against the client's address. After a few free tries each key must wait before the
next try, and the wait doubles with every further failure (exponential back-off). The wait for a
username is capped short (``USERNAME_MAX_WAIT``), so a stranger typing an admin's name can only
slow the admin down a little; the wait for an address grows much longer, which stops one computer
guessing. A right password clears the username's count.

Every refusal reads the same, whatever the account: it exists or not, it is being guessed or not.
On top of this, ``limits`` caps all sign-in attempts from one address per minute (``base.py``).
Counts live in memory: the web tier is one process, and a restart forgetting them is harmless.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable

USERNAME_FREE_TRIES = 5
USERNAME_MAX_WAIT = 120.0
ADDRESS_FREE_TRIES = 10
ADDRESS_MAX_WAIT = 15 * 60.0
FIRST_WAIT = 2.0
#: A key with no failure for this long starts again from nothing.
FORGET_AFTER = 60 * 60.0
_MAX_KEYS = 50_000


@dataclass
class _Count:
    failures: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0


class Backoff:
    """Failures per key, and how long the key must wait before its next try."""

    def __init__(self, free_tries: int, max_wait: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.free_tries = free_tries
        self.max_wait = max_wait
        self.clock = clock
        self._counts: dict[str, _Count] = {}

    def wait(self, key: str) -> float:
        """Seconds before ``key`` may try again (0: now)."""
        count = self._counts.get(key)
        return max(0.0, count.blocked_until - self.clock()) if count else 0.0

    def fail(self, key: str) -> None:
        now = self.clock()
        count = self._counts.get(key)
        if count is None or now - count.last_failure > FORGET_AFTER:
            count = self._counts[key] = _Count()
        count.failures += 1
        count.last_failure = now
        extra = count.failures - self.free_tries
        if extra > 0:
            count.blocked_until = now + min(self.max_wait, FIRST_WAIT * 2 ** (extra - 1))
        if len(self._counts) > _MAX_KEYS:
            self._forget_old(now)

    def clear(self, key: str) -> None:
        self._counts.pop(key, None)

    def _forget_old(self, now: float) -> None:
        for key in [k for k, c in self._counts.items()
                    if now - c.last_failure > FORGET_AFTER and c.blocked_until <= now]:
            del self._counts[key]


class SignInThrottle:
    """The username and the address back-offs, checked and counted together."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.usernames = Backoff(USERNAME_FREE_TRIES, USERNAME_MAX_WAIT, clock)
        self.addresses = Backoff(ADDRESS_FREE_TRIES, ADDRESS_MAX_WAIT, clock)

    @staticmethod
    def _name(username: str) -> str:
        return username.strip().lower()

    def wait(self, username: str, address: str) -> int:
        """Whole seconds to wait before this username from this address may try (0: go ahead)."""
        seconds = max(self.usernames.wait(self._name(username)), self.addresses.wait(address))
        return math.ceil(seconds)

    def failed(self, username: str, address: str) -> None:
        self.usernames.fail(self._name(username))
        self.addresses.fail(address)

    def succeeded(self, username: str) -> None:
        self.usernames.clear(self._name(username))


def wait_message(seconds: int) -> str:
    """The one answer every throttled sign-in gets."""
    if seconds < 60:
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
    else:
        minutes = math.ceil(seconds / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"Too many tries. Wait {wait}, then try again."
