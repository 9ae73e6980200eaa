"""The safety, call-back and summary actions, run on trackers built here, checked by what the
parent sees, what staff get, and what is (not) kept."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import textstat
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import (ActionAskCallbackShareSummary, ActionStopCallback,
                              ActionSubmitCallback, ValidateCallbackForm, contact, first_name)
from actions.handoff import ActionHandoff
from actions.safety import ActionSafetyCheck, ActionSafetyReply
from actions.summary import ActionShowSummary
from bot.safety.replies import every_reply_text
from directory.callbacks import list_callbacks
from directory.db import open_db
from directory.language import stigma_phrases_in

ROOT = Path(__file__).resolve().parents[3]
SERVICES_SHOWN = {"event": "bot", "text": "Here are 2 stay and play sessions near Darwen.",
                  "data": {"custom": {"type": "services", "services": [
                      {"name": "Stay and Play", "centre": "Darwen Family Hub"},
                      {"name": "Messy Play", "centre": "Sudell Children's Centre"}]}}}
STAY_AND_PLAY = {"last_query": {"terms": ["stay_and_play"], "near": "Darwen", "days": ["SA"],
                                "time_of_day": "morning"},
                 "place": "Darwen", "age_months": 24.0}


@pytest.fixture(autouse=True)
def social_care_phone(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIGNPOST_SOCIAL_CARE_PHONE", "01632 960555")


def tracker(text: str = "", intent: str | None = None, *, slots: dict[str, Any] | None = None,
            events: list[dict] | None = None, entities: list[dict] | None = None,
            sender: str = "parent-1") -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0} if intent else {},
              "entities": entities or []}
    return Tracker(sender, slots or {}, latest, events or [], False, None,
                   {"name": None}, "action_listen")


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    result = action.run(dispatcher, t, {})
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return result, dispatcher.messages


def saved(directory_db: Path) -> list[dict]:
    return list_callbacks(open_db(directory_db))


# --- safety ------------------------------------------------------------------------------

def test_a_disclosure_gets_999_the_right_helplines_and_the_local_number():
    events, messages = run(ActionSafetyReply(), tracker("he checks my phone and won't let me "
                                                        "see my friends", "safety_domestic_abuse"))
    [message] = messages
    assert message["custom"] == {**message["custom"], "type": "safety",
                                 "category": "domestic_abuse", "level": "urgent"}
    assert "999" in message["text"] and "55" in message["text"]
    assert "0808 2000 247" in message["text"] and "01632 960555" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == ["/request_human", "/carry_on"]
    assert {e["name"] for e in events} >= {"callback_first_name", "callback_contact"}


def test_danger_now_puts_999_first():
    _, [message] = run(ActionSafetyReply(), tracker("she's gone floppy and blue", "safety_medical"))
    assert message["text"].startswith("Call 999 now.")
    assert message["custom"]["level"] == "emergency"
    assert "55" not in message["text"]  # the silent option is for danger from a person


def test_a_safety_intent_from_a_button_or_diet_still_gets_the_right_reply():
    _, [message] = run(ActionSafetyReply(), tracker("/safety_self_harm", "safety_self_harm"))
    assert message["custom"]["category"] == "self_harm"
    assert "116 123" in message["text"]
    _, [message] = run(ActionSafetyReply(), tracker(
        "x", "safety_parent_fear",
        entities=[{"entity": "safety", "value": "parent_fear", "level": "urgent"}]))
    assert message["custom"]["category"] == "parent_fear" and "0808 800 5000" in message["text"]


def test_the_reply_follows_what_the_nlu_found_without_reading_the_message_again():
    # The NLU component's entity says emergency, with a second category: the action trusts it
    # (the text here would read as nothing at all).
    entity = {"entity": "safety", "value": "parent_fear", "level": "emergency",
              "also": ["child_harm"]}
    _, [message] = run(ActionSafetyReply(), tracker("x", "safety_parent_fear", entities=[entity]))
    assert message["custom"]["level"] == "emergency"
    assert message["text"].startswith("If a child is hurt or in danger now, call 999.")
    assert "0808 800 5000" in message["text"] and "Childline" in message["text"]


def test_an_urgent_need_gets_same_day_help_and_no_999():
    _, [message] = run(ActionSafetyReply(), tracker(
        "x", "safety_urgent_need",
        entities=[{"entity": "safety", "value": "urgent_need", "level": "urgent"}]))
    assert message["custom"]["category"] == "urgent_need"
    assert "999" not in message["text"]
    assert "01254 666444" in message["text"] and "0808 800 4444" in message["text"]


def test_the_calm_check_asks_if_they_are_safe_with_999_and_a_helpline_a_tap_away():
    events, [message] = run(ActionSafetyCheck(), tracker(
        "the bruises", "safety_check",
        entities=[{"entity": "safety", "value": "check", "level": "check", "hint": "domestic_abuse"}]))
    assert "Are you and your children safe right now?" in message["text"]
    assert "999" in message["text"] and "0808 2000 247" in message["text"]
    phones = [h["phone"] for h in message["custom"]["helplines"]]
    assert phones[0] == "999" and "0808 2000 247" in phones
    assert {b["payload"] for b in message["buttons"]} == {"/carry_on", "/request_human"}
    assert events == []  # the conversation carries on


def test_after_a_safety_answer_the_parents_words_are_kept_for_the_search(context):
    """ "can't afford the gas bill, help", then "BB1": the bills advice, not "what are you
    looking for?" (the safety answer comes first; the frame then searches the kept words)."""
    events, _ = run(ActionSafetyReply(context), tracker("can't afford the gas bill, help",
                                                        "safety_urgent_need"))
    words = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}.get("words") or ""
    assert "bill" in words.split()


def test_after_a_calm_check_the_parents_words_are_kept_for_the_search(context):
    """A message the bot did not understand got the calm check; the parent's next turn ("BB1")
    should find what they asked for, not "What are you looking for?"."""
    events, _ = run(ActionSafetyCheck(context), tracker(
        "can someone help me apply for jobs online, i'm hopeless with computers", "safety_check",
        entities=[{"entity": "safety", "value": "check", "level": "check"}]))
    words = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}.get("words") or ""
    assert "jobs" in words.split() or "job" in words.split(), words


def test_an_emergency_keeps_no_words(context):
    events, _ = run(ActionSafetyReply(context), tracker("she's gone floppy and blue",
                                                        "safety_medical"))
    assert not [e for e in events if e.get("name") == "words"]


DARWEN = {"entity": "place", "value": "Darwen"}


def test_a_service_asked_for_with_an_urgent_need_follows_the_safety_answer(context):
    """An urgent need and a place in one message: same-day help first, then what is near
    Darwen, in the same turn; the parent never has to ask twice."""
    text = "the cupboards are empty till friday, is there a food bank in Darwen"
    bank = text.index("food bank")
    events, messages = run(ActionSafetyReply(context), tracker(
        text, "safety_urgent_need", slots={"place": "Darwen", "need": ["family_support"]},
        entities=[{**DARWEN, "start": text.index("Darwen"), "end": len(text)},
                  {"entity": "need", "value": "family_support", "start": bank, "end": bank + 9},
                  {"entity": "safety", "value": "urgent_need", "level": "urgent"}]))
    assert [m["custom"]["type"] for m in messages] == ["safety", "services"]
    assert messages[1]["custom"]["services"]
    assert "Darwen" in messages[1]["text"]
    assert {e["name"] for e in events} >= {"last_query"}
    assert not [m for m in messages if "How old" in (m.get("text") or "")]


def test_a_calm_check_is_followed_by_the_service_asked_for(context):
    text = "any stay and play near Darwen, he keeps hurting himself on things"
    _, messages = run(ActionSafetyCheck(context), tracker(
        text, "safety_check", slots={"place": "Darwen", "need": ["stay_and_play"]},
        entities=[{**DARWEN, "start": text.index("Darwen"), "end": text.index("Darwen") + 6},
                  {"entity": "need", "value": "stay_and_play"},
                  {"entity": "safety", "value": "check", "level": "check"}]))
    assert "Are you and your children safe right now?" in messages[0]["text"]
    assert messages[1]["custom"]["type"] == "services"


def test_danger_now_is_never_followed_by_a_search(context):
    text = "he's outside with a knife, we're in Darwen"
    _, messages = run(ActionSafetyReply(context), tracker(
        text, "safety_domestic_abuse", slots={"place": "Darwen"},
        entities=[{**DARWEN, "start": text.index("Darwen"), "end": len(text)},
                  {"entity": "safety", "value": "domestic_abuse", "level": "emergency"}]))
    assert [m["custom"]["type"] for m in messages] == ["safety"]


def test_a_disclosure_that_names_nothing_to_find_is_not_followed_by_the_last_search(context):
    """A place known from before is not a reason to search "partner hit me" near it."""
    _, messages = run(ActionSafetyReply(context), tracker(
        "my partner hit me last night", "safety_domestic_abuse",
        slots={"place": "Darwen", "last_query": STAY_AND_PLAY["last_query"]},
        entities=[{"entity": "safety", "value": "domestic_abuse", "level": "urgent"}]))
    assert [m["custom"]["type"] for m in messages] == ["safety"]


def test_a_safety_reply_drops_a_call_back_in_progress(context):
    context.pending.put("parent-9", first_name="Sam", phone="07700 900123")
    run(ActionSafetyReply(context), tracker("i want to die", "safety_self_harm", sender="parent-9"))
    assert context.pending.get("parent-9") == {}


@pytest.mark.parametrize("text", every_reply_text())
def test_safety_replies_never_promise_secrecy_and_read_easily(text):
    lowered = text.lower()
    for promise in ("confidential", "secret", "private", "nobody will know", "won't tell",
                    "will not tell", "just between us"):
        assert promise not in lowered
    assert not stigma_phrases_in(text, safety=True)
    assert textstat.flesch_kincaid_grade(re.sub(r"[0-9][0-9 ]*", "", text)) <= 6
    assert text.rstrip().endswith("Or we can carry on when you are ready.")


# --- talking to a person -----------------------------------------------------------------

def test_talk_to_someone_offers_a_call_back_with_the_centre_or_the_main_line(context):
    _, [message] = run(ActionHandoff(context), tracker("can i talk to someone", "request_human"))
    assert message["custom"]["type"] == "handoff"
    assert message["custom"]["callback_offered"] is True
    assert {"title": "Ask for a call back", "payload": "/request_callback"} in message["buttons"]
    assert "call you back" in message["text"]


def test_the_consent_step_says_what_is_shared_with_whom_how_long_and_how_to_stop():
    domain = yaml.safe_load((ROOT / "domain" / "safety.yml").read_text())
    consent = domain["responses"]["utter_ask_callback_form_callback_consent"][0]["text"]
    for words in ("first name", "phone number or email", "family hubs team", "90 days", "stop",
                  "Nobody else"):
        assert words in consent
    # The 90 days is how long the details are kept, and it is the retention job's number.
    kept = next(sentence for sentence in consent.split(". ") if "90 days" in sentence)
    assert "delete" in kept.lower() and "called you back" in kept
    from web.retention import CALLBACK_RETENTION_DAYS
    assert f"{CALLBACK_RETENTION_DAYS} days" in kept


def test_name_and_contact_are_read_from_plain_answers():
    assert first_name("my name is sam") == "Sam"
    assert first_name("It's Priya") == "Priya"
    assert first_name("stop") is None and first_name("07700 900123") is None
    assert contact("07700 900123") == {"phone": "07700 900123"}
    assert contact("+44 7700 900123") == {"phone": "07700 900123"}
    assert contact("you can email me on sam@example.com") == {"email": "sam@example.com"}
    assert contact("tomorrow") is None


def _validate(context, slot: str, value: str, sender: str = "parent-2") -> tuple[dict, list[dict]]:
    dispatcher = CollectingDispatcher()
    method = getattr(ValidateCallbackForm(context), f"validate_{slot}")
    return method(value, dispatcher, tracker(value, sender=sender), {}), dispatcher.messages


def test_a_call_back_is_saved_for_staff_with_the_summary_only_when_agreed(context, directory_db):
    slots, _ = _validate(context, "callback_first_name", "I'm called Sam")
    assert slots == {"callback_first_name": "given"}  # the name itself never goes in a slot
    slots, _ = _validate(context, "callback_contact", "07700 900123")
    assert slots == {"callback_contact": "given"}
    before = len(saved(directory_db))
    events, [message] = run(ActionSubmitCallback(context), tracker(
        "yes", "affirm", sender="parent-2", events=[SERVICES_SHOWN],
        slots={**STAY_AND_PLAY, "callback_consent": True, "callback_share_summary": True,
               "callback_good_time": "weekday mornings"}))
    rows = saved(directory_db)
    assert len(rows) == before + 1
    row = rows[-1]
    assert (row["first_name"], row["phone"], row["good_time"]) == ("Sam", "07700 900123",
                                                                   "weekday mornings")
    assert "stay and play" in row["summary"] and "Darwen Family Hub" in row["summary"]
    assert message["custom"] == {"type": "callback", "status": "saved", "summary_shared": True}
    assert "Sam" not in message["text"] and "07700" not in message["text"]  # nothing to store
    assert context.pending.get("parent-2") == {}
    assert all(e["value"] is None for e in events if e["event"] == "slot")


def test_no_to_the_summary_question_saves_without_it(context, directory_db):
    context.pending.put("parent-3", first_name="Jo", email="jo@example.com")
    events, [message] = run(ActionStopCallback(context), tracker(
        "no", "deny", sender="parent-3", slots={**STAY_AND_PLAY, "callback_consent": True,
                                                 "callback_good_time": "any time"},
        events=[{"event": "slot", "name": "requested_slot", "value": "callback_share_summary"},
                {"event": "slot", "name": "requested_slot", "value": None}]))
    row = saved(directory_db)[-1]
    assert (row["first_name"], row["email"], row["summary"]) == ("Jo", "jo@example.com", None)
    assert "email you" in message["text"]


@pytest.mark.parametrize("asked", ["callback_consent", "callback_first_name", "callback_contact"])
def test_stop_at_any_step_keeps_nothing(context, directory_db, asked):
    context.pending.put("parent-4", first_name="Al")
    before = len(saved(directory_db))
    events, [message] = run(ActionStopCallback(context), tracker(
        "stop", "cancel", sender="parent-4",
        events=[{"event": "slot", "name": "requested_slot", "value": asked}]))
    assert len(saved(directory_db)) == before
    assert "Nothing has been kept" in message["text"]
    assert context.pending.get("parent-4") == {}


def test_details_lost_by_a_restart_are_not_saved_half_done(context, directory_db):
    before = len(saved(directory_db))
    _, [message] = run(ActionSubmitCallback(context), tracker(
        "yes", "affirm", sender="parent-5", slots={"callback_consent": True,
                                                    "callback_first_name": "[redacted]",
                                                    "callback_contact": "[redacted]"}))
    assert len(saved(directory_db)) == before
    assert "nothing was saved" in message["text"]


def test_an_unreadable_contact_is_asked_again_politely(context):
    slots, [message] = _validate(context, "callback_contact", "whenever")
    assert slots == {"callback_contact": None}
    assert "phone number or an email" in message["text"]


def test_the_summary_question_shows_exactly_what_would_be_shared(context):
    _, [message] = run(ActionAskCallbackShareSummary(context), tracker(
        slots=STAY_AND_PLAY, events=[SERVICES_SHOWN]))
    assert "Looking for: stay and play" in message["text"]
    assert message["custom"]["question"] == "share_with_callback"


# --- tell it once ------------------------------------------------------------------------

def test_what_have_i_told_you_gives_needs_age_area_times_and_services(context):
    _, [message] = run(ActionShowSummary(context), tracker("what have i told you", "show_summary",
                                                    slots=STAY_AND_PLAY, events=[SERVICES_SHOWN]))
    items = {i["label"]: i["value"] for i in message["custom"]["items"]}
    assert "stay and play" in items["Looking for"]
    assert items["Child's age"] == "2 years"
    assert items["Area"] == "Darwen"
    assert items["Times that suit"] == "Saturday mornings"
    assert "Stay and Play (Darwen Family Hub)" in items["Services I suggested"]
    assert message["custom"]["type"] == "summary"
    assert {"title": "Ask for a call back", "payload": "/request_callback"} in message["buttons"]


def test_a_summary_never_shows_a_full_postcode(context):
    _, [message] = run(ActionShowSummary(context), tracker(slots={"place": "BB3 1AB",
                                                           "last_query": {"terms": ["health_visiting"]}}))
    assert "BB3" in message["text"] and "1AB" not in message["text"]


def test_an_empty_summary_says_so(context):
    _, [message] = run(ActionShowSummary(context), tracker())
    assert message["custom"]["items"] == [] and "not told me anything" in message["text"]


def test_every_call_back_and_summary_text_is_plain_and_free_of_stigma():
    domain = yaml.safe_load((ROOT / "domain" / "safety.yml").read_text())
    texts = [r[0]["text"] for r in domain["responses"].values()]
    source = (ROOT / "actions" / "callback.py").read_text() + (ROOT / "actions" / "summary.py").read_text()
    texts += [t for t in re.findall(r'text=\(?f?"([^"]{30,})"', source)]
    assert len(texts) >= 8
    for text in texts:
        assert not stigma_phrases_in(text), text
        plain = re.sub(r"\{[^}]*\}|[0-9][0-9 ]*", "", text)
        assert textstat.flesch_kincaid_grade(plain) <= 6, text


def test_an_answer_to_a_call_back_question_does_not_change_the_search(context):
    events = [{"event": "slot", "name": "age_months", "value": 24},
              {"event": "user", "text": "07700 900123"},
              {"event": "slot", "name": "age_months", "value": 900123},
              {"event": "slot", "name": "callback_contact", "value": "07700 900123"}]
    dispatcher = CollectingDispatcher()
    t = tracker("07700 900123", sender="parent-7", events=events,
                slots={"age_months": 900123, "callback_contact": "07700 900123"})
    slots = ValidateCallbackForm(context).validate_callback_contact("07700 900123", dispatcher, t, {})
    assert slots == {"age_months": 24, "callback_contact": "given"}


def test_a_name_is_one_word_or_introduced():
    assert first_name("weekday mornings") is None
    assert first_name("my name is Jo Smith") == "Jo"
    assert first_name("Priya") == "Priya"
