"""Nothing a parent typed reaches a log, even when an action meets a fault on the way."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoff

DATA = Path(__file__).with_name("data")
TYPED_PLACE = "Zzyzx Moonbase Crescent"


def test_a_person_near_a_place_we_do_not_know_logs_no_place(context, caplog):
    state = json.loads((DATA / "handoff_with_place.json").read_text())
    state["slots"]["place"] = TYPED_PLACE
    dispatcher = CollectingDispatcher()
    with caplog.at_level(logging.DEBUG):
        ActionHandoff(context).run(dispatcher, Tracker.from_dict(state), {})
    # The parent still gets a person (the main line), and the fault is logged...
    assert dispatcher.messages and dispatcher.messages[0]["custom"]["type"] == "handoff"
    assert "No nearest centre for the hand-off" in caplog.text
    assert "UnknownPlace" in caplog.text
    # ...without the place they typed, in any case or spelling.
    for word in TYPED_PLACE.split():
        assert word.lower() not in caplog.text.lower(), word
