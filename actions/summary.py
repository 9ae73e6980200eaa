""""Tell it once": a plain summary of what the parent has told the bot, to copy, print or attach.

Parents hate repeating themselves. At any point ("what have I told you", the "Save what I've
told you" button) they get the needs, the child's age, the area, the times that suit and the
services suggested, in plain words. It is only attached to a call back when they say yes
(``actions/callback.py``); nothing here is sent anywhere by itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import parsing
from actions.context import ActionContext
from common.days import DAY_NAMES, WEEKEND
from common.redaction import outward_code
from directory.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

MAX_SERVICES = 6
CALL_BACK = {"title": "Ask for a call back", "payload": "/request_callback"}


@dataclass
class Summary:
    needs: list[str] = field(default_factory=list)
    child_age: str | None = None
    area: str | None = None
    times: str | None = None
    services: list[str] = field(default_factory=list)

    def items(self) -> list[dict[str, str]]:
        """``[{"label", "value"}]`` for the facts we have, in a fixed order."""
        rows = [("Looking for", ", ".join(self.needs)), ("Child's age", self.child_age),
                ("Area", self.area), ("Times that suit", self.times),
                ("Services I suggested", "; ".join(self.services))]
        return [{"label": label, "value": value} for label, value in rows if value]

    def is_empty(self) -> bool:
        return not self.items()

    def text(self) -> str:
        return "\n".join(f"{item['label']}: {item['value']}" for item in self.items())


def age_words(age_months: Any, pregnant: Any = None) -> str | None:
    if parsing.truthy(pregnant) and age_months in (None, ""):
        return "expecting a baby"
    try:
        months = int(float(age_months))
    except (TypeError, ValueError):
        return None
    if months < 0:
        return "expecting a baby"
    if months > 240:  # not a child's age (a misread number): say nothing rather than nonsense
        return None
    if months < 24:
        return "newborn" if months == 0 else f"{months} month{'s' if months != 1 else ''}"
    years = months // 12
    return f"{years} years"


def times_words(days: Any, time_of_day: Any) -> str | None:
    codes = [d for d in DAY_NAMES if d in set(parsing.as_list(days))]
    tod = {"morning": "mornings", "afternoon": "afternoons", "evening": "evenings"}.get(
        str(time_of_day or ""), "")
    if set(codes) == set(WEEKEND):
        day_text = "weekend" if tod else "weekends"
    else:  # "Saturday mornings", or "Saturdays" on its own
        day_text = " or ".join(DAY_NAMES[c] + ("" if tod else "s") for c in codes)
    text = " ".join(p for p in (day_text, tod) if p)
    return text or None


def area_words(place: Any) -> str | None:
    if not place or not isinstance(place, str):
        return None
    place = place.strip()
    outward = outward_code(place)  # never echo a full postcode
    if outward:
        return outward
    return place.upper() if len(place) <= 4 and any(c.isdigit() for c in place) else place.title() \
        if place.islower() else place


def suggested_services(events: list[dict[str, Any]]) -> list[str]:
    """Names of the services the bot showed, from the ``services`` payloads it sent."""
    names: list[str] = []
    for event in events:
        if event.get("event") != "bot":
            continue
        custom = (event.get("data") or {}).get("custom") or {}
        if custom.get("type") != "services":
            continue
        for service in custom.get("services") or []:
            label = service.get("name")
            if service.get("centre"):
                label = f"{label} ({service['centre']})"
            if label and label not in names:
                names.append(label)
    return names[-MAX_SERVICES:]


def build_summary(tracker: Tracker, taxonomy: Taxonomy) -> Summary:
    last = tracker.get_slot("last_query")
    last = last if isinstance(last, dict) else {}
    terms = parsing.as_list(last.get("terms")) or parsing.as_list(tracker.get_slot("need"))
    needs: list[str] = []
    for term in terms:
        try:
            needs.append(taxonomy.term(str(term)).label)
        except KeyError:
            continue
    if parsing.truthy(tracker.get_slot("audience")) and "sessions for dads" not in needs:
        needs.append("sessions for dads")
    return Summary(
        needs=needs,
        child_age=age_words(tracker.get_slot("age_months") if tracker.get_slot("age_months")
                            is not None else last.get("age_months"), tracker.get_slot("pregnant")),
        area=area_words(tracker.get_slot("place") or last.get("near")),
        times=times_words(tracker.get_slot("days") or last.get("days"),
                          tracker.get_slot("time_of_day") or last.get("time_of_day")),
        services=suggested_services(list(tracker.events)),
    )


def summary_message(summary: Summary) -> dict[str, Any]:
    """What the parent sees: the text, a call-back button and a ``summary`` payload."""
    if summary.is_empty():
        return {"text": "You have not told me anything I would keep yet. When you tell me what "
                        "you are looking for, I can show it here for you to copy or print.",
                "buttons": [], "custom": {"type": "summary", "items": [], "text": ""}}
    text = ("Here is what you have told me. You can copy or print it, so you don't have to say "
            "it all again.\n\n" + summary.text() + "\n\nI only share this if you ask me to.")
    return {"text": text, "buttons": [CALL_BACK],
            "custom": {"type": "summary", "items": summary.items(), "text": summary.text()}}


class ActionShowSummary(Action):
    def __init__(self, context: ActionContext) -> None:
        self.context = context

    def name(self) -> str:
        return "action_show_summary"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        message = summary_message(build_summary(tracker, self.context.directory.taxonomy))
        dispatcher.utter_message(text=message["text"], buttons=message["buttons"] or None,
                                 json_message=message["custom"])
        return []
