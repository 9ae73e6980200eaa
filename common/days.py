"""Days and times of day: the codes, the names and the words people write for them, once.

Days are RRULE codes (``MO`` .. ``SU``), as ORUK schedules store them and as the bot's ``day``
entity carries them. Times of day are ``morning``, ``afternoon`` and ``evening``. The directory
(schedules, CSV, search, ORUK API), the NLU parsers, the actions and the web pages all read
them from here.
"""

from __future__ import annotations

import re
from typing import Any, Iterable

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday",
             "FR": "Friday", "SA": "Saturday", "SU": "Sunday"}
WEEKDAYS = DAY_CODES[:5]
WEEKEND = ("SA", "SU")

#: What people write for each day, as regular expressions (plurals, short forms, the usual
#: misspellings). "sat" and "sun" are ordinary words too: ``bot.nlu.parsers`` checks context.
DAY_WORDS = {
    "MO": r"mondays?|mon",
    "TU": r"tuesdays?|tues?|tuesdy",
    "WE": r"wednesdays?|wednesdy|wensday|wendsday|weds?",
    "TH": r"thursdays?|thursdy|thurs?|thu",
    "FR": r"fridays?|fri",
    "SA": r"saturdays?|saturdy|satuday|sat",
    "SU": r"sundays?|sun",
}
#: Any one day word, with a named group per code.
DAY_PATTERN = "|".join(f"(?P<{code}>{words})" for code, words in DAY_WORDS.items())
_ONE_DAY = re.compile(rf"(?:{DAY_PATTERN})", re.IGNORECASE)
_ANY_DAY = re.compile(rf"\b(?:{DAY_PATTERN})\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\bweek\s*-?\s*ends?\b", re.IGNORECASE)
_WEEKDAY = re.compile(r"\bweek\s*-?\s*days?\b", re.IGNORECASE)

TIMES_OF_DAY = ("morning", "afternoon", "evening")
#: Minutes after midnight each time of day covers, for a session's start time.
TIME_OF_DAY_MINUTES = {"morning": (0, 719), "afternoon": (720, 1019), "evening": (1020, 1439)}
TIME_OF_DAY_WORDS = {"morning": "in the morning", "afternoon": "in the afternoon",
                     "evening": "in the evening"}


def day_code(text: Any) -> str | None:
    """The code for one day written as a code, a name or a short form ("MO", "monday",
    "Tues", "sats"), or None when it is not a day."""
    word = str(text or "").strip()
    if word.upper() in DAY_CODES:
        return word.upper()
    for candidate in (word, word[:-1] if word.lower().endswith("s") else None):
        match = _ONE_DAY.fullmatch(candidate) if candidate else None
        if match:
            return next(code for code in DAY_CODES if match.group(code))
    return None


def days_in(values: Iterable[Any]) -> list[str]:
    """Every day the values name ("SA", "saturday", "weekend", "weekdays"), in week order."""
    found: set[str] = set()
    for value in values:
        text = str(value).strip()
        code = day_code(text)
        if code:
            found.add(code)
            continue
        if _WEEKEND.search(text):
            found.update(WEEKEND)
        if _WEEKDAY.search(text):
            found.update(WEEKDAYS)
        for match in _ANY_DAY.finditer(text):
            found.add(next(code for code in DAY_CODES if match.group(code)))
    return [code for code in DAY_CODES if code in found]


def time_of_day(minutes: int) -> str:
    """"morning", "afternoon" or "evening" for a start time in minutes after midnight."""
    return next(name for name, (low, high) in TIME_OF_DAY_MINUTES.items() if low <= minutes <= high)


def days_words(codes: Iterable[str], *, joiner: str = "or") -> str:
    """"on Saturday", "at the weekend", "on Monday, Tuesday or Friday" (empty for no days)."""
    days = [d for d in DAY_CODES if d in set(codes)]
    if not days:
        return ""
    if set(days) == set(WEEKEND):
        return "at the weekend"
    names = [DAY_NAMES[d] for d in days]
    if len(names) == 1:
        return f"on {names[0]}"
    return "on " + ", ".join(names[:-1]) + f" {joiner} " + names[-1]
