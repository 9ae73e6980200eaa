"""A SQL tracker store that redacts personal details before anything is written.

Rasa keeps every event of a conversation in the ``events`` table. This subclass of Rasa's
``SQLTrackerStore`` writes the same rows, but each event goes through ``common.redaction`` first:
phone numbers, emails, full postcodes (the outward code stays), introduced names, and anything
typed in answer to the call-back form's name and contact questions. Configured in
``endpoints.yml``::

    tracker_store:
      type: bot.tracker_store.RedactingSQLTrackerStore
      dialect: sqlite
      db: ${SIGNPOST_TRACKER_DB}

The running conversation is read back from these rows on every turn, so the redacted values are
what the bot remembers too: a postcode is remembered as its outward code, which is all the
search needs.

Reading a whole conversation back and decoding it on every message was a fifth of the Rasa
server's time, so the store keeps the latest conversations' redacted events in memory. Before
using them it asks the database how many rows the conversation's latest session has and the
highest row id; any change (another Rasa instance wrote to it, the retention purge deleted
from it) means the rows are read again. So the database stays the one truth. The call-back form keeps the real contact details in the action server only for
the turn it needs them (``actions/callback.py``).
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any, NamedTuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from common.redaction import redact_events

logger = logging.getLogger(__name__)


class _Remembered(NamedTuple):
    """A conversation's latest session as stored: its row count, last row id and events."""

    rows: int
    last_id: int | None
    events: list[Event]


class RedactingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with every event redacted on its way to the database."""

    #: Conversations whose events are kept in memory (least recently used go first).
    REMEMBERED_CONVERSATIONS = 256

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._remembered: OrderedDict[str, _Remembered] = OrderedDict()

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """No raw events to an event broker: none is configured, and none may be without
        redaction, so refuse to publish rather than leak."""
        if self.event_broker is not None:
            logger.warning("An event broker is configured but Signpost never publishes "
                           "unredacted events; it is ignored.")

    def _latest_session_key(self, session, sender_id: str) -> tuple[int, int | None]:
        """(rows, last row id) of the conversation's latest session, as Rasa's query selects it."""
        query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
        # No ORDER BY with the aggregates: PostgreSQL refuses it (SQLite lets it pass).
        rows, last_id = query.order_by(None).with_entities(sa.func.count(self.SQLEvent.id),
                                                           sa.func.max(self.SQLEvent.id)).one()
        return int(rows or 0), last_id

    def _remember(self, sender_id: str, remembered: _Remembered) -> None:
        self._remembered[sender_id] = remembered
        self._remembered.move_to_end(sender_id)
        while len(self._remembered) > self.REMEMBERED_CONVERSATIONS:
            self._remembered.popitem(last=False)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session, from memory when the database has not changed since."""
        if not self.domain:
            return await super().retrieve(sender_id)
        with self.session_scope() as session:
            key = self._latest_session_key(session, sender_id)
            remembered = self._remembered.get(sender_id)
            if remembered is not None and (remembered.rows, remembered.last_id) == key:
                self._remembered.move_to_end(sender_id)
                events = remembered.events
            else:
                rows = self._event_query(session, sender_id,
                                         fetch_events_from_all_sessions=False).all()
                events = deserialise_events([json.loads(row.data) for row in rows])
                if rows:
                    self._remember(sender_id, _Remembered(len(rows), rows[-1].id, events))
                else:
                    self._remembered.pop(sender_id, None)
        if not events:
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events not yet stored, redacted (same rows as ``SQLTrackerStore.save``)."""
        events = list(tracker.events)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            stored, last_id = self._latest_session_key(session, sender_id)
            safe = redact_events([event.as_dict() for event in events], start=stored)
            rows, written = [], []
            for event, data in zip(events[stored:], safe):
                text = json.dumps(data)
                row = self.SQLEvent(
                    sender_id=sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=text,
                )
                session.add(row)
                rows.append(row)
                written.append((event.type_name, text))
            session.flush()  # gives the rows their ids (read now: commit expires them)
            new_last_id = rows[-1].id if rows else last_id
            session.commit()
        self._remember_saved(sender_id, (stored, last_id), written, new_last_id)
        logger.debug("Stored the redacted tracker")

    def _remember_saved(self, sender_id: str, before: tuple[int, int | None],
                        written: list[tuple[str, str]], new_last_id: int | None) -> None:
        """Extend what is remembered with the rows just written, exactly as they read back."""
        remembered = self._remembered.get(sender_id)
        if remembered is None or (remembered.rows, remembered.last_id) != before:
            self._remembered.pop(sender_id, None)
            return
        if any(type_name == SessionStarted.type_name for type_name, _ in written):
            # A new session changes which rows Rasa's query selects: read them next time.
            self._remembered.pop(sender_id, None)
            return
        added = deserialise_events([json.loads(text) for _, text in written])
        self._remember(sender_id, _Remembered(before[0] + len(written), new_last_id,
                                              remembered.events + added))
