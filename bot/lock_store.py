"""A Redis lock store whose tickets are safe when several Rasa servers share it.

Rasa's ``RedisLockStore`` reads a conversation's ticket lock, changes it in Python and writes it
back. Two servers taking a ticket for the same conversation at the same moment can both read
the old lock: they get the same ticket number, or one's ticket overwrites the other's, and both
handle the parent's messages at once, so one message is lost from the conversation (Rasa issue
#9213; the upstream fix, "ConcurrentRedisLockStore", was reverted in 3.x). Here every change to
a lock is one Redis transaction (``WATCH``/``MULTI``, retried when another server got there
first), so tickets are handed out strictly one at a time. Reading the lock is unchanged.

``deploy/endpoints.yml`` names this class; it takes the same settings as ``type: redis``.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Optional, Text, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` with each read-change-write of a lock done as one transaction."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost",
                      **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text,
                change: Callable[[TicketLock | None], tuple[TicketLock | None, T]]) -> T:
        """Apply ``change`` (old lock -> new lock or None to delete, and a result) atomically."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: Any) -> T:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new, result = change(lock)
            pipe.multi()
            if new is None:
                pipe.delete(key)
            else:
                pipe.set(key, new.dumps())
            return result

        return self.red.transaction(attempt, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text,
                     lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except Exception as error:  # as RedisLockStore does: Rasa handles LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def tidy(lock: TicketLock | None) -> tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, tidy)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        self._change(conversation_id, _without(ticket_number, delete_when_empty=False))

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # One transaction: a ticket issued between "is anyone waiting?" and the delete would
        # otherwise be deleted with the lock.
        self._change(conversation_id, _without(ticket_number, delete_when_empty=True))


def _without(ticket_number: int, *, delete_when_empty: bool
             ) -> Callable[[TicketLock | None], tuple[Optional[TicketLock], None]]:
    def change(lock: TicketLock | None) -> tuple[Optional[TicketLock], None]:
        if lock is None:
            return None, None
        lock.remove_ticket_for(ticket_number)
        if delete_when_empty and not lock.is_someone_waiting():
            return None, None
        return lock, None

    return change
