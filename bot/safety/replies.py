"""What Signpost says when a message discloses danger: one place for the wording.

Used by the Rasa action (``actions/safety.py``) and by the web tier (``web/chat.py``) when
Rasa is down, so a parent sees the same words either way. The order never changes: 999 first
when there is danger now (with the silent "55" option), then the helplines that fit, then the
local children's social care number from configuration, then an offer to carry on. Calm, short
and without judgement. It never promises to keep anything secret: the bot cannot, and staff
who read a call-back may have to act on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from bot.safety.categories import CATEGORIES, NEVER_EMERGENCY
from bot.safety.rules import Detection

from common.settings import (DEFAULT_MAIN_LINE as DEFAULT_FAMILY_HUBS_PHONE,
                             DEFAULT_MAIN_LINE_HOURS as DEFAULT_FAMILY_HUBS_HOURS,
                             DEFAULT_SOCIAL_CARE_PHONE, Settings)
TALK = {"title": "Talk to someone", "payload": "/request_human"}
CARRY_ON = {"title": "Carry on", "payload": "/carry_on"}


@dataclass(frozen=True)
class Helpline:
    key: str
    name: str
    phone: str
    when: str
    #: One short sentence, with the number in it.
    line: str


@dataclass(frozen=True)
class LocalLines:
    """The council's own numbers, from configuration (``SIGNPOST_SOCIAL_CARE_PHONE`` ...)."""

    social_care: str = DEFAULT_SOCIAL_CARE_PHONE
    family_hubs: str = DEFAULT_FAMILY_HUBS_PHONE
    family_hubs_hours: str = DEFAULT_FAMILY_HUBS_HOURS

    @classmethod
    def from_settings(cls, settings: Settings) -> "LocalLines":
        return cls(settings.social_care_phone, settings.family_hubs_phone, settings.family_hubs_hours)

    @classmethod
    def from_env(cls) -> "LocalLines":
        return cls.from_settings(Settings.from_env())


def helplines(local: LocalLines | str) -> dict[str, Helpline]:
    if isinstance(local, str):
        local = LocalLines(social_care=local)
    social_care_phone = local.social_care
    return {h.key: h for h in (
        Helpline("nspcc", "NSPCC helpline", "0808 800 5000", "Monday to Friday 8am to 10pm, weekends 9am to 6pm",
                 "If you are worried about a child, call the NSPCC on 0808 800 5000."),
        Helpline("domestic_abuse", "National Domestic Abuse Helpline", "0808 2000 247", "24 hours, every day",
                 "The National Domestic Abuse Helpline is free and open 24 hours a day: "
                 "0808 2000 247."),
        Helpline("samaritans", "Samaritans", "116 123", "24 hours, every day",
                 "You can talk to Samaritans at any time, day or night. It is free: 116 123."),
        Helpline("nhs111", "NHS 111", "111", "24 hours, every day",
                 "For help that is not an emergency, call NHS 111."),
        Helpline("nhs111_mental", "NHS 111, mental health option", "111", "24 hours, every day",
                 "You can also call NHS 111 and choose the mental health option."),
        Helpline("childline", "Childline", "0800 1111", "24 hours, every day",
                 "Children and young people can call Childline for free on 0800 1111."),
        Helpline("social_care", "Children's social care", social_care_phone, "any time",
                 f"You can also call our children's social care team on {social_care_phone}."),
        Helpline("gp_today", "Your GP, midwife or health visitor", "", "today",
                 "Please tell your GP, midwife or health visitor today. They can get you help "
                 "from the team for parents' mental health in pregnancy and after a birth."),
        Helpline("family_hubs", "Family hubs", local.family_hubs, local.family_hubs_hours,
                 f"Call the family hubs on {local.family_hubs} ({local.family_hubs_hours}). "
                 "They can help you the same day, with food, money and a warm place."),
        Helpline("citizens_advice", "Citizens Advice", "0800 144 8848", "Monday to Friday, 9am to 5pm",
                 "Citizens Advice can help with money, bills and benefits. It is free: 0800 144 8848."),
        Helpline("shelter", "Shelter", "0808 800 4444", "every day",
                 "If you might lose your home, call Shelter for free on 0808 800 4444."),
    )}


#: The first thing said, per category: calm, and thanking them for saying it.
OPENING = {
    "child_harm": "Thank you for telling me. Keeping a child safe comes first.",
    "domestic_abuse": "Thank you for telling me. You do not have to deal with this on your own.",
    "self_harm": "Thank you for telling me. I am glad you did. You matter, and help is there for you.",
    "medical": "Stay with your child while you wait for help.",
    "parent_fear": ("Thank you for telling me. Lots of parents have feelings like this. "
                    "Asking for help is a strong thing to do."),
    "perinatal_mental_health": ("Thank you for telling me. Lots of parents have thoughts and "
                                "feelings like this in pregnancy or after a birth. It is not your "
                                "fault, and help really works."),
    "urgent_health": "Thank you for telling me. It is right to get your child checked today.",
    "urgent_need": ("Thank you for telling me. Lots of families need help with food, money or "
                    "a home at some point. You can get help today."),
}

#: Said first when there is danger now. The 55 line lets someone call without speaking.
NOW = {
    "child_harm": "If a child is in danger now, call 999.",
    "domestic_abuse": "If you are in danger now, call 999.",
    "self_harm": "If you have hurt yourself or you might act on these thoughts now, call 999.",
    "medical": "Call 999 now. Tell them what happened and do what they say.",
    "parent_fear": "If a child is hurt or in danger now, call 999.",
    "perinatal_mental_health": "If you feel you might act on these thoughts now, call 999.",
    "urgent_health": ("Call 999 if your child is hard to wake, has a fit, or finds it hard to "
                      "breathe."),
    "urgent_need": "",
}
SILENT_CALL = ("If you can't speak, call 999 from a mobile and listen. When you are asked, "
               "press 55. They will put you through to the police.")

#: Where someone may not be able to speak safely on the phone.
SILENT_CALL_FOR = ("child_harm", "domestic_abuse")

#: Advice that comes with a category, after the numbers for danger now.
ADVICE = {
    "parent_fear": ("If you feel you might hurt your baby, put them down somewhere safe, like "
                    "their cot. Then walk out of the room for a few minutes and take some deep breaths."),
    "medical": "If the danger has passed, call NHS 111 for advice on what to do next.",
    "urgent_health": ("Your GP can help today too. After a bump on the head, watch your child "
                      "for the next two days. Get help if they are sick, very sleepy or not "
                      "themselves."),
    "urgent_need": ("If your gas or electric has run out, call your energy company and ask for "
                    "extra credit. They must help you."),
}

#: Which helplines fit each category, in the order they are offered.
FITS = {
    "child_harm": ("nspcc", "social_care", "childline"),
    "domestic_abuse": ("domestic_abuse", "social_care"),
    "self_harm": ("samaritans", "nhs111_mental", "childline"),
    "medical": (),
    "parent_fear": ("nspcc", "nhs111", "samaritans", "social_care"),
    "perinatal_mental_health": ("gp_today", "nhs111_mental", "samaritans"),
    "urgent_health": ("nhs111",),
    "urgent_need": ("family_hubs", "citizens_advice", "shelter"),
}

CLOSING = ("I am a chatbot, not a person. I can help you find a person to talk to. "
           "Or we can carry on when you are ready.")


@dataclass
class SafetyReply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)

    def as_chat_message(self) -> dict[str, Any]:
        """In the web chat's message shape: ``{"text", "buttons", "custom"}``."""
        return {"text": self.text, "buttons": list(self.buttons), "custom": dict(self.custom)}


def safety_reply(category: str, level: str, *, also: Iterable[str] = (),
                 social_care: str | None = None, local: LocalLines | None = None) -> SafetyReply:
    """The reply for a disclosure of ``category`` (plus helplines for the ``also`` categories)."""
    if category not in CATEGORIES:
        raise ValueError(f"Unknown safety category {category!r}")
    if category in NEVER_EMERGENCY:
        level = "urgent"
    local = local or LocalLines.from_env()
    if social_care:
        local = LocalLines(social_care, local.family_hubs, local.family_hubs_hours)
    lines = helplines(local)
    categories = list(dict.fromkeys([category, *also]))
    paragraphs: list[str] = []
    # The silent 55 option is for someone who can't speak because of who is near them; a parent
    # calling about a baby who is not breathing needs to talk to the call handler.
    silent = [SILENT_CALL] if category in SILENT_CALL_FOR else []
    if level == "emergency":
        paragraphs += [NOW[category], *silent, OPENING[category]]
    else:
        paragraphs += [OPENING[category], NOW[category], *silent]
    paragraphs = [p for p in paragraphs if p]
    if category in ADVICE:
        paragraphs.append(ADVICE[category])
    offered: list[Helpline] = []
    for each in categories:
        for key in FITS[each]:
            helpline = lines[key]
            if helpline not in offered and not (key.startswith("nhs111") and any(h.phone == "111" for h in offered)):
                offered.append(helpline)
    paragraphs += [h.line for h in offered]
    paragraphs.append(CLOSING)
    custom = {"type": "safety", "category": category, "level": level,
              "helplines": ([] if category == "urgent_need" else
                            [{"name": "Emergency services", "phone": "999", "when": "now"}]) +
                           [{"name": h.name, "phone": h.phone, "when": h.when} for h in offered if h.phone]}
    return SafetyReply(text="\n\n".join(paragraphs), buttons=[TALK, CARRY_ON], custom=custom)


def reply_for(detection: Detection, *, social_care: str | None = None,
              local: LocalLines | None = None) -> SafetyReply:
    return safety_reply(detection.category, detection.level, also=detection.categories[1:],
                        social_care=social_care, local=local)


#: The calm question for a message the bot did not understand that carries a word near harm.
CHECK_QUESTION = "Are you and your children safe right now?"
CHECK_CLOSING = ("I am a chatbot, so I may not have understood you. I can help you find a person "
                 "to talk to. Or we can carry on when you are ready.")
CHECK_NOW = "If anyone is in danger now, call 999."
WE_ARE_SAFE = {"title": "We are safe", "payload": "/carry_on"}
NEED_HELP = {"title": "I need help", "payload": "/request_human"}


def check_reply(hint: str | None = None, *, local: LocalLines | None = None) -> SafetyReply:
    """"Are you and your children safe right now?", with 999 and one helpline a tap away.

    ``hint`` is the category the detector thought most likely; its first helpline is offered.
    The conversation carries on whatever the answer.
    """
    local = local or LocalLines.from_env()
    lines = helplines(local)
    key = next(iter(FITS.get(hint or "", ())), None) or "samaritans"
    helpline = lines[key] if lines[key].phone else lines["samaritans"]
    text = "\n\n".join([CHECK_QUESTION, CHECK_NOW, helpline.line, CHECK_CLOSING])
    custom = {"type": "safety", "category": "check", "level": "check",
              "helplines": [{"name": "Emergency services", "phone": "999", "when": "now"},
                            {"name": helpline.name, "phone": helpline.phone, "when": helpline.when}]}
    return SafetyReply(text=text, buttons=[WE_ARE_SAFE, NEED_HELP], custom=custom)


def every_reply_text(social_care: str = DEFAULT_SOCIAL_CARE_PHONE) -> list[str]:
    """Every reply the rules can produce (for the language and reading-age tests)."""
    texts = []
    for category in CATEGORIES:
        for level in ("emergency", "urgent"):
            texts.append(safety_reply(category, level, social_care=social_care).text)
    for hint in (None, *CATEGORIES):
        texts.append(check_reply(hint).text)
    return texts
