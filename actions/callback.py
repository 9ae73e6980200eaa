"""Asking a person to call back: consent first, then only what is needed, stoppable at any step.

The form (``callback_form`` in domain/safety.yml) asks, in this order:
1. consent, in plain words: what is shared, with whom, how long it is kept, how to take it back;
2. a first name; 3. a phone number or email; 4. a good time;
5. only when there is something to share, whether to attach the "tell it once" summary.
Then ``directory.callbacks.create_callback`` stores it for staff. "Stop", "cancel" and "no thanks"
end it at any step with nothing kept.

Privacy: the first name and contact never live in the tracker. Their slots hold only "given";
the real values wait in the action server's memory (``ActionContext.pending``, keyed by
conversation, for at most ``PENDING_TTL``) until the request is saved or dropped; the safety
action drops them too (``forget_callback``). The tracker store also redacts whatever
was typed in answer to those two questions (``common.redaction.SENSITIVE_SLOTS``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing
from actions.context import ActionContext, PendingContacts
from actions.replies import Reply
from actions.search import nearest_contact
from actions.summary import build_summary
from common.redaction import EMAIL, redact_text
from directory.callbacks import create_callback

logger = logging.getLogger(__name__)

CALLBACK_SLOTS = ("callback_consent", "callback_first_name", "callback_contact",
                  "callback_good_time", "callback_share_summary")
GIVEN = "given"
CALL_BACK = {"title": "Ask for a call back", "payload": "/request_callback"}

_NAME_PREFIX = re.compile(r"^\s*(?:(?:hi|hello|hiya)[,!.]?\s+)?(?:my name is|my name's|i'?m called|"
                          r"i am called|i'?m|i am|it'?s|this is|call me|name'?s)?\s*", re.IGNORECASE)
#: Words that stop the form rather than being a name.
NOT_NAMES = frozenset({"stop", "cancel", "no", "nope", "quit", "exit", "bye", "goodbye", "none",
                       "nah", "why", "what", "help", "hello", "hi", "yes", "ok", "okay"})
_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:['’-][^\W\d_]+)*$")




def with_callback_offer(reply: Reply, *, email: str | None = None) -> Reply:
    """A hand-off reply plus the centre's email and the offer of a call back (used by
    ``actions/handoff.py``)."""
    text = (reply.text or "").rstrip()
    if email and (reply.custom or {}).get("centre"):
        text += f" You can also email them at {email}."
    text += " Or I can ask someone to call you back."
    buttons = list(reply.buttons or [])
    if CALL_BACK not in buttons:
        buttons.append(CALL_BACK)
    custom = dict(reply.custom or {"type": "handoff"})
    custom["callback_offered"] = True
    if email and custom.get("centre"):
        custom["email"] = email
    return Reply(text=text, buttons=buttons, custom=custom)


def forget_callback(pending: PendingContacts, tracker: Tracker) -> list[EventType]:
    """Drop a call-back in progress: the held details and the form's slots."""
    pending.forget(tracker.sender_id)
    return [SlotSet(slot, None) for slot in CALLBACK_SLOTS]


def first_name(text: str) -> str | None:
    """ "my name is Sam" → "Sam"; None when it doesn't look like one name.

    One word on its own, or the first word after "my name is" / "I'm" (which may be followed
    by a surname): "weekday mornings" is not a name.
    """
    text = (text or "").strip()
    rest = _NAME_PREFIX.sub("", text, count=1).strip().strip(".!,")
    introduced = rest != text.strip(".!,")
    words = rest.split()
    if not words or len(words) > (3 if introduced else 1):
        return None
    name = words[0]
    if not _NAME.match(name) or len(name) > 40 or name.lower() in NOT_NAMES:
        return None
    return name[:1].upper() + name[1:]


def contact(text: str) -> dict[str, str] | None:
    """``{"phone": ...}`` or ``{"email": ...}`` from what was typed, or None."""
    text = (text or "").strip()
    email = EMAIL.search(text)
    if email:
        return {"email": email.group(0)}
    digits = re.sub(r"[^\d+]", "", text)
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    if re.fullmatch(r"0\d{9,10}", digits):
        return {"phone": digits[:5] + " " + digits[5:]}
    return None


#: The search's slots: an answer to a call-back question must not change them ("weekday
#: mornings" is a good time to call, not a new search; a phone number is not a child's age).
SEARCH_SLOTS = ("need", "place", "age_months", "pregnant", "days", "time_of_day", "free_only",
                "audience", "accessible")


def undo_this_turn(tracker: Tracker) -> dict[str, Any]:
    """The search slots this turn's message changed, set back to what they were before it."""
    events = list(tracker.events)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    last_user = users[-1] if users else -1
    before: dict[str, Any] = {}
    changed: set[str] = set()
    for index, event in enumerate(events):
        if event.get("event") == "slot" and event.get("name") in SEARCH_SLOTS:
            if index < last_user:
                before[event["name"]] = event.get("value")
            else:
                changed.add(event["name"])
    return {name: before.get(name) for name in sorted(changed)}


def last_requested_slot(tracker: Tracker) -> str | None:
    """The last slot the form asked for (the form's own ``requested_slot`` is reset on stop)."""
    for event in reversed(list(tracker.events)):
        if event.get("event") == "slot" and event.get("name") == "requested_slot" and event.get("value"):
            return event["value"]
    return None


class ValidateCallbackForm(FormValidationAction):
    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "validate_callback_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if build_summary(tracker, self.context.directory.taxonomy).is_empty():
            return [s for s in domain_slots if s != "callback_share_summary"]
        return domain_slots

    def validate_callback_first_name(self, value: Any, dispatcher: CollectingDispatcher,
                                     tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value == GIVEN and self.context.pending.get(tracker.sender_id).get("first_name"):
            return {"callback_first_name": GIVEN}
        name = first_name(str(value or ""))
        if not name:
            intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
            if intent == "bot_challenge":
                dispatcher.utter_message(text="Yes, I am a chatbot. A real person from the "
                                              "family hubs team will call you back.")
            else:
                dispatcher.utter_message(text="Sorry, I need just your first name, like Sam.")
            return {**undo_this_turn(tracker), "callback_first_name": None}
        self.context.pending.put(tracker.sender_id, first_name=name)
        return {**undo_this_turn(tracker), "callback_first_name": GIVEN}

    def validate_callback_contact(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        held = self.context.pending.get(tracker.sender_id)
        if value == GIVEN and (held.get("phone") or held.get("email")):
            return {"callback_contact": GIVEN}
        found = contact(str(value or ""))
        if not found:
            dispatcher.utter_message(text="Sorry, that doesn't look like a phone number or an "
                                          "email. Try one like 07700 900123 or name@example.com.")
            return {**undo_this_turn(tracker), "callback_contact": None}
        self.context.pending.put(tracker.sender_id, **found)
        return {**undo_this_turn(tracker), "callback_contact": GIVEN}

    def validate_callback_good_time(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = redact_text(" ".join(str(value or "").split()))[:200]
        return {**undo_this_turn(tracker), "callback_good_time": text or None}


class ActionAskCallbackShareSummary(Action):
    """Show the summary itself, so the parent knows exactly what they are agreeing to share."""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_ask_callback_share_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        summary = build_summary(tracker, self.context.directory.taxonomy)
        dispatcher.utter_message(
            text=("Would you like me to add what you told me, so you don't have to say it "
                  "again? This is what they would see:\n\n" + summary.text()),
            buttons=[{"title": "Yes, add it", "payload": "/affirm"},
                     {"title": "No, just my details", "payload": "/deny"}],
            json_message={"type": "summary", "items": summary.items(), "text": summary.text(),
                          "question": "share_with_callback"})
        return []


def save_callback(context: ActionContext, dispatcher: CollectingDispatcher, tracker: Tracker, *,
                  share_summary: bool) -> list[EventType]:
    """Store the request with the held details, tell the parent, and forget the details here."""
    held = context.pending.get(tracker.sender_id)
    phone, hours = context.settings.family_hubs_phone, context.settings.family_hubs_hours
    if not held.get("first_name") or not (held.get("phone") or held.get("email")):
        dispatcher.utter_message(
            text=(f"Sorry, I lost the details you gave me, so nothing was saved. You can ask "
                  f"again, or call the family hubs team on {phone}, {hours}."),
            buttons=[CALL_BACK])
        return forget_callback(context.pending, tracker)
    summary = build_summary(tracker, context.directory.taxonomy) if share_summary else None
    centre_id = None
    place = parsing.clean_place(tracker.get_slot("place"))
    if place:
        try:
            nearest = nearest_contact(context, place)
            centre_id = nearest.get("location_id") if nearest else None
        except Exception:  # noqa: BLE001 - the request still goes to the main team
            logger.warning("No nearest centre for the call-back; it goes to the main team")
    try:
        create_callback(context.directory.db, first_name=held["first_name"],
                        phone=held.get("phone"), email=held.get("email"),
                        good_time=tracker.get_slot("callback_good_time"),
                        summary=summary.text() if summary and not summary.is_empty() else None,
                        centre_id=centre_id)
    except Exception as error:  # noqa: BLE001 - tell the parent, never show an error
        logger.error("Could not save a call-back request: %s", type(error).__name__)
        dispatcher.utter_message(
            text=(f"Sorry, something went wrong and I could not save that. Please call the "
                  f"family hubs team on {phone}, {hours}."))
        return forget_callback(context.pending, tracker)
    how = "call you" if held.get("phone") else "email you"
    dispatcher.utter_message(
        text=(f"Thank you. Someone from the family hubs team will {how}, at the time you said "
              f"if they can. If you change your mind, call {phone} and ask us to delete it."),
        json_message={"type": "callback", "status": "saved",
                      "summary_shared": bool(summary and not summary.is_empty())})
    logger.info("Call-back request saved")
    return forget_callback(context.pending, tracker)


class ActionSubmitCallback(Action):
    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_submit_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("callback_consent") is not True:
            return ActionStopCallback(self.context).run(dispatcher, tracker, domain)
        return save_callback(self.context, dispatcher, tracker,
                             share_summary=tracker.get_slot("callback_share_summary") is True)


class ActionStopCallback(Action):
    """"Stop", "cancel" or "no" during the form. A "no" to the summary question is an answer,
    not a stop: the request is saved without the summary."""

    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_stop_callback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if (intent == "deny" and last_requested_slot(tracker) == "callback_share_summary"
                and tracker.get_slot("callback_consent") is True):
            return save_callback(self.context, dispatcher, tracker, share_summary=False)
        dispatcher.utter_message(
            text="OK, I have stopped. Nothing has been kept. What else can I help you with?",
            buttons=[{"title": "Talk to someone", "payload": "/request_human"}])
        return forget_callback(self.context.pending, tracker)
