"""A SQL tracker store that redacts personal details before anything is written.

Rasa keeps every event of a conversation in the ``events`` table. This subclass of Rasa's
``SQLTrackerStore`` writes the same rows, but each event goes through ``bot.redaction`` first:
phone numbers, emails, full postcodes (the outward code stays), introduced names, and anything
typed in answer to the call-back form's name and contact questions. Configured in
``endpoints.yml``::

    tracker_store:
      type: bot.tracker_store.RedactingSQLTrackerStore
      dialect: sqlite
      db: ${SIGNPOST_TRACKER_DB}

The running conversation is read back from these rows on every turn, so the redacted values are
what the bot remembers too: a postcode is remembered as its outward code, which is all the
search needs. The call-back form keeps the real contact details in the action server only for
the turn it needs them (``actions/callback.py``).
"""

from __future__ import annotations

import json
import logging

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.redaction import redact_events

logger = logging.getLogger(__name__)


class RedactingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with every event redacted on its way to the database."""

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """No raw events to an event broker: none is configured, and none may be without
        redaction, so refuse to publish rather than leak."""
        if self.event_broker is not None:
            logger.warning("An event broker is configured but Signpost never publishes "
                           "unredacted events; it is ignored.")

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events not yet stored, redacted (same rows as ``SQLTrackerStore.save``)."""
        events = list(tracker.events)
        safe = redact_events([event.as_dict() for event in events])
        with self.session_scope() as session:
            stored = self._event_query(session, tracker.sender_id,
                                       fetch_events_from_all_sessions=False).count()
            for index in range(stored, len(events)):
                data = safe[index]
                session.add(self.SQLEvent(
                    sender_id=tracker.sender_id,
                    type_name=events[index].type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            session.commit()
        logger.debug("Stored the redacted tracker")
