"""Conversations saved through the redacting tracker store: read the SQLite rows back and check
no phone number, email, full postcode or name is there."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.tracker_store import RedactingSQLTrackerStore


@pytest.fixture
def store(tmp_path: Path) -> tuple[RedactingSQLTrackerStore, Path]:
    path = tmp_path / "tracker.db"
    return RedactingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path)), path


def stored(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(row[0] for row in conn.execute("SELECT data FROM events ORDER BY id"))


def user(text: str, entities: list[dict] | None = None) -> UserUttered:
    return UserUttered(text, intent={"name": "find_service", "confidence": 0.9},
                       entities=entities or [],
                       parse_data={"text": text, "intent": {"name": "find_service", "confidence": 0.9},
                                   "entities": entities or []})


def test_user_text_and_entities_are_redacted_before_they_are_written(store):
    tracker_store, path = store
    tracker = DialogueStateTracker("parent-1", slots=[])
    tracker.update(user("my name is Sam, I live at BB3 1AB, ring 07700 900123 or sam@example.com",
                        entities=[{"entity": "place", "value": "BB3 1AB", "start": 24, "end": 31}]))
    tracker.update(SlotSet("place", "BB3 1AB"))
    tracker.update(BotUttered("Thanks. Here are some groups near BB3."))
    asyncio.run(tracker_store.save(tracker))
    data = stored(path)
    for secret in ("Sam", "1AB", "07700", "900123", "sam@example.com"):
        assert secret not in data
    assert "BB3 ***" in data  # the area still makes sense when reading the record
    rows = [json.loads(line) for line in data.splitlines()]
    assert {"event": "slot", "name": "place"}.items() <= rows[1].items()
    assert rows[1]["value"] == "BB3"  # what the search needs, and no more


def test_answers_to_the_call_back_name_and_contact_questions_are_never_stored(store):
    tracker_store, path = store
    tracker = DialogueStateTracker("parent-2", slots=[])
    tracker.update(SlotSet("requested_slot", "callback_first_name"))
    tracker.update(user("Priya"))
    tracker.update(SlotSet("callback_first_name", "Priya"))
    tracker.update(SlotSet("requested_slot", "callback_contact"))
    tracker.update(user("oh seven seven double oh nine hundred 123"))
    tracker.update(SlotSet("requested_slot", "callback_good_time"))
    tracker.update(user("after 3 on weekdays"))
    asyncio.run(tracker_store.save(tracker))
    data = stored(path)
    assert "Priya" not in data and "seven" not in data
    assert "after 3 on weekdays" in data  # a good time is not personal


def test_a_reloaded_conversation_carries_on_from_the_redacted_record(store):
    tracker_store, _ = store
    tracker = DialogueStateTracker("parent-3", slots=[])
    tracker.update(user("stay and play near BB3 1AB"))
    tracker.update(ActionExecuted("action_listen"))
    asyncio.run(tracker_store.save(tracker))
    tracker.update(user("call me on 01254 123456"))
    asyncio.run(tracker_store.save(tracker))  # only the new event is added
    again = asyncio.run(tracker_store.retrieve("parent-3"))
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert texts == ["stay and play near BB3 ***", "call me on [phone]"]


def _conversation(store: RedactingSQLTrackerStore, sender: str) -> list[dict]:
    tracker = asyncio.run(store.retrieve(sender))
    return [] if tracker is None else [e.as_dict() for e in tracker.events]


def test_turn_by_turn_the_remembered_conversation_is_what_the_database_holds(store):
    tracker_store, path = store
    tracker = DialogueStateTracker("parent-4", slots=[])
    for text in ("stay and play near BB3 1AB", "call me on 01254 123456", "what about saturday"):
        tracker = asyncio.run(tracker_store.retrieve("parent-4")) or tracker
        tracker.update(user(text))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(tracker_store.save(tracker))
    fresh = RedactingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    assert _conversation(tracker_store, "parent-4") == _conversation(fresh, "parent-4")
    assert len(_conversation(fresh, "parent-4")) == 6


def test_a_turn_written_by_another_rasa_instance_is_seen(store):
    tracker_store, path = store
    tracker = DialogueStateTracker("parent-5", slots=[])
    tracker.update(user("baby massage in darwen"))
    asyncio.run(tracker_store.save(tracker))
    asyncio.run(tracker_store.retrieve("parent-5"))  # now remembered here
    other = RedactingSQLTrackerStore(domain=Domain.empty(), dialect="sqlite", db=str(path))
    theirs = asyncio.run(other.retrieve("parent-5"))
    theirs.update(user("what about sunday"))
    asyncio.run(other.save(theirs))
    texts = [e["text"] for e in _conversation(tracker_store, "parent-5") if e["event"] == "user"]
    assert texts == ["baby massage in darwen", "what about sunday"]


def test_the_bot_forgets_what_the_retention_purge_deleted(store):
    tracker_store, path = store
    tracker = DialogueStateTracker("parent-6", slots=[])
    tracker.update(user("dads group on saturday"))
    tracker.update(user("near darwen"))
    asyncio.run(tracker_store.save(tracker))
    assert len(_conversation(tracker_store, "parent-6")) == 2  # remembered
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM events WHERE sender_id = 'parent-6' AND data LIKE '%saturday%'")
    texts = [e["text"] for e in _conversation(tracker_store, "parent-6")]
    assert texts == ["near darwen"]
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM events WHERE sender_id = 'parent-6'")
    assert asyncio.run(tracker_store.retrieve("parent-6")) is None
