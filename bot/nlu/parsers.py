"""Pure parsing functions for what a statistical model is bad at: places, ages, days, times, cost.

Parents write "any dads groups on a sat near bb3", "LO is 18 months", "20 weeks pregnant". DIET
guesses at spans; these rules give exact, normalised values the directory search can use
(postcode "BB3 1AB", 18 months, day "SA"). They take plain strings and return ``Found`` spans, so
they are easy to test; ``bot.nlu.entity_parser`` turns them into Rasa entities.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from common.days import DAY_CODES, DAY_PATTERN

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Found:
    """One thing found in a message: the entity type, its normalised value and where it is."""

    entity: str
    value: object
    start: int
    end: int
    text: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def _found(entity: str, value: object, m: re.Match, group: int | str = 0, **extra) -> Found:
    return Found(entity, value, m.start(group), m.end(group), m.group(group), dict(extra))


# --------------------------------------------------------------------------------------------
# Postcodes and places
# --------------------------------------------------------------------------------------------

#: The UK postcode areas (the letters at the start of every postcode). Checking the area stops
#: text-speak such as "gr8" or "yr2" being read as a postcode.
POSTCODE_AREAS = frozenset("""
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC
EH EN EX FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS
LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP
SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE
""".split())
#: Outward codes that are far more often text-speak than a place ("m8", "b4", "l8r").
_TEXT_SPEAK = frozenset({"m8", "b4", "l8r", "l8", "s1ck"})

_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?P<out>(?P<area>[A-Za-z]{1,2})\d[A-Za-z\d]?)"
    r"(?:\s*(?P<in>\d[A-Za-z]{2}))?(?![A-Za-z0-9])"
)


def find_postcodes(text: str) -> list[Found]:
    """Full postcodes ("bb31ab" -> "BB3 1AB") and outward codes ("bb3" -> "BB3")."""
    found = []
    for m in _POSTCODE.finditer(text):
        if m.group("area").upper() not in POSTCODE_AREAS:
            continue
        outward = m.group("out").upper()
        if m.group("in"):
            found.append(_found("place", f"{outward} {m.group('in').upper()}", m))
        elif m.group("out").lower() not in _TEXT_SPEAK:
            found.append(_found("place", outward, m))
    return found


#: Words that end a place name after "near"/"in"/"around", or show it was never a place
#: ("in the morning", "near me", "in english").
_NOT_PLACE = frozenset("""
a an the my our your his her their me us you him them it this that these those here there
home work school nursery town city centre center area village county country uk england
morning mornings afternoon afternoons evening evenings night day days week weekend weekends
monday mondays tuesday tuesdays wednesday wednesdays thursday thursdays friday fridays saturday
saturdays sunday sundays mon tue tues wed weds thu thur thurs fri sat sun today tomorrow tonight
january february march april may june july august september october november december jan feb
mar apr jun jul aug sep sept oct nov dec summer winter spring autumn holidays holiday term
please pls plz thanks thank ta x xx xxx and or but for with on at to of by from if so too also
as is are was be can could would will any some anything something somewhere anywhere
person english french spanish urdu polish punjabi arabic bengali gujarati language languages
pain bed hospital labour trouble need general particular total fact private public touch person
group groups class classes session sessions which what when where who how mind case time
walking driving distance reach range mins minutes miles hour hours future past
lunch lunchtime teatime noon between birth pregnancy reception year foster care order advance
tears hand general way own
""".split())
_PLACE_WORD = r"[A-Za-z][A-Za-z'\-]+"
_PLACE_CUE = re.compile(
    rf"\b(?:near|nr|in|around|round|arround|from|live in|based in|close to|nearby)\s+"
    rf"(?P<name>{_PLACE_WORD}(?:\s+{_PLACE_WORD}){{0,2}})",
    re.IGNORECASE,
)


def _trim_place(name: str) -> str:
    words = []
    for word in name.split():
        if word.lower().strip("'") in _NOT_PLACE:
            break
        words.append(word)
    return " ".join(words)


def _title(name: str) -> str:
    return " ".join(w[:1].upper() + w[1:].lower() for w in name.split())


def find_places(text: str, known_places: Iterable[str] = ()) -> list[Found]:
    """Postcodes, known town names anywhere ("darwen"), and "near/in/around X" for other towns.

    Known places come from the directory (``address.city``); their spelling there is the value.
    A cue-word place that is not known is still returned (title-cased): the search can suggest
    the nearest match, which is kinder than ignoring what the parent said.
    """
    found = find_postcodes(text)
    taken = [(f.start, f.end) for f in found]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for place in sorted({p.strip() for p in known_places if p and p.strip()}, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w])" + r"\s+".join(map(re.escape, place.split())) + r"(?![\w])",
                             re.IGNORECASE)
        for m in pattern.finditer(text):
            if free(m.start(), m.end()):
                found.append(_found("place", place, m))
                taken.append((m.start(), m.end()))
    for m in _PLACE_CUE.finditer(text):
        name = _trim_place(m.group("name"))
        if len(name) < 3:
            continue
        start = m.start("name")
        end = start + len(name)
        if free(start, end):
            found.append(Found("place", _title(name), start, end, text[start:end]))
            taken.append((start, end))
    return sorted(found, key=lambda f: f.start)


# --------------------------------------------------------------------------------------------
# Ages and pregnancy
# --------------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "twenty one": 21, "twenty two": 22, "twenty three": 23, "twenty four": 24, "thirty": 30,
}
_NUM = (r"(?P<num>\d{1,2}(?:\.5)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")")
_HALF = r"(?P<half>\s*(?:and\s+a\s+half|and\s+half|n\s+a\s+half|½|1/2))?"
_MONTH_UNIT = r"(?P<unit>months?|mnths?|mths?|mos?|mo|m)"
_YEAR_UNIT = r"(?P<unit>years?|yrs?|yr|y/o|yo|y)"
_WEEK_UNIT = r"(?P<unit>weeks?|wks?|wk|w)"
_AGE_WORD = r"(?:\s*-?\s*old)?"

_MONTHS_AGE = re.compile(rf"\b{_NUM}{_HALF}\s*-?\s*{_MONTH_UNIT}\b{_AGE_WORD}", re.IGNORECASE)
_YEARS_AGE = re.compile(rf"\b{_NUM}{_HALF}\s*-?\s*{_YEAR_UNIT}\b{_AGE_WORD}", re.IGNORECASE)
_WEEKS_AGE = re.compile(rf"\b{_NUM}\s*-?\s*{_WEEK_UNIT}\b(?P<old>\s*-?\s*old)?", re.IGNORECASE)
_DAYS_AGE = re.compile(rf"\b{_NUM}\s*-?\s*days?\s*-?\s*old\b", re.IGNORECASE)
_NEWBORN = re.compile(r"\b(?:new\s*-?\s*born|just\s+(?:had|given\s+birth)|brand\s+new\s+baby|"
                      r"baby\s+(?:was|is)\s+born\s+(?:yesterday|today|last\s+week))\b", re.IGNORECASE)
# "she's 2", "LO is 3 and a half", "my son is nearly 4", "turns 3 next month"
_BARE_AGE = re.compile(
    rf"\b(?:she|he|they|lo|l\.o|son|daughter|boy|girl|baby|bubba|kid|child|toddler|twins|dd|ds|"
    rf"little\s*one|youngest|eldest|oldest)\s*(?:'s|’s|s|\s+is|\s+are|\s+r|\s+turns|\s+turned|"
    rf"\s+will\s+be|\s+be)\s+(?:only\s+|just\s+|nearly\s+|almost\s+|about\s+|over\s+|now\s+)?"
    rf"{_NUM}{_HALF}(?!\s*(?:-|\s)?\s*(?:months?|mnths?|mths?|mos?|m\b|weeks?|wks?|w\b|days?|mins?|minutes?|miles?|hours?|hrs?|pm|am|:|\.\d|%|£|p\b))\b",
    re.IGNORECASE,
)
# "3 and a half" with no unit: parents only say that of years.
_HALF_AGE = re.compile(rf"\b{_NUM}\s+(?:and\s+a\s+half|and\s+half|n\s+a\s+half)\b", re.IGNORECASE)
# "due in June" is a pregnancy unless it is a review, jab or bill that is due.
_DUE_NOT_BABY = re.compile(r"\b(?:review|check|check-?up|appointment|jabs?|vaccinations?|injections?|"
                           r"immunisations?|visit|test|assessment|bill|rent|payment|form|fees?)\s+"
                           r"(?:is\s+|are\s+|was\s+|were\s+)?$", re.IGNORECASE)
_TWINS = re.compile(r"\b(?:twins?|twinnies|triplets)\b", re.IGNORECASE)
_MONTH_NAMES = (r"(?:january|february|march|april|may|june|july|august|september|october|november|"
                r"december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)")
_PREGNANT_WEEKS = re.compile(
    rf"\b{_NUM}\s*(?:\+\s*\d\s*)?(?:weeks?|wks?|wk|w)\s*(?:pregnant|preg|preggers|gone|along|\+)",
    re.IGNORECASE,
)
_PREGNANT = re.compile(
    r"\b(?:pregnant|pregnent|pregant|preggers|preggo|preg|expecting|mum\s*-?\s*to\s*-?\s*be|"
    r"mom\s*-?\s*to\s*-?\s*be|dad\s*-?\s*to\s*-?\s*be|parents?\s*-?\s*to\s*-?\s*be|"
    r"having\s+a\s+baby|baby\s+on\s+the\s+way|my\s+bump|due\s+date|(?:i\s*'?m|im|i\s+am)\s+due|"
    r"due\s+(?:in|on|at\s+the\s+end\s+of|early|late|mid)\s*-?\s*(?:{months}|(?:\d+|a|two|three|four|a\s+few)\s+(?:weeks?|months?))|"
    r"first\s+trimester|second\s+trimester|third\s+trimester)\b".format(months=_MONTH_NAMES),
    re.IGNORECASE,
)


def _number(raw: str) -> float:
    raw = raw.lower()
    return float(raw) if raw[0].isdigit() else float(_NUMBER_WORDS[raw])


def _plausible(m: re.Match) -> bool:
    """A number word needs a spelt-out unit: "a year old" is an age, "any" ("an" + "y") is not."""
    if m.group("num")[0].isdigit():
        return True
    return m.group("unit").lower() in ("month", "months", "year", "years", "week", "weeks", "yrs", "mths")


def _half(m: re.Match) -> float:
    return 0.5 if m.groupdict().get("half") else 0.0


@dataclass(frozen=True)
class AgeParse:
    """Everything a message says about the child's age or a pregnancy."""

    ages: list[Found]
    pregnant: Found | None
    twins: bool


def parse_ages(text: str) -> AgeParse:
    """Child ages in months ("18 month old" 18, "2yo" 24, "3 and a half" 42, "newborn" 0).

    Pregnancy ("20 weeks pregnant", "expecting", "due in May") is a separate result, never an
    age. "Twins" keeps the age and sets ``twins``; the age entities then carry ``twins=True``.
    """
    taken: list[tuple[int, int]] = []
    ages: list[Found] = []

    def free(m: re.Match) -> bool:
        return all(m.end() <= s or m.start() >= e for s, e in taken)

    def add(m: re.Match, months: float) -> None:
        taken.append((m.start(), m.end()))
        ages.append(_found("child_age", int(months), m))

    pregnant = None
    for m in _PREGNANT_WEEKS.finditer(text):
        taken.append((m.start(), m.end()))
        pregnant = pregnant or _found("pregnant", True, m, weeks=int(_number(m.group("num"))))
    for m in _PREGNANT.finditer(text):
        if m.group(0).lower().startswith("due") and _DUE_NOT_BABY.search(text[:m.start()]):
            continue
        if free(m):
            taken.append((m.start(), m.end()))
            pregnant = pregnant or _found("pregnant", True, m)
    for m in _MONTHS_AGE.finditer(text):
        if free(m) and _plausible(m) and _number(m.group("num")) <= 60:
            add(m, _number(m.group("num")) + _half(m))
    for m in _YEARS_AGE.finditer(text):
        if free(m) and _plausible(m) and _number(m.group("num")) <= 18:
            add(m, (_number(m.group("num")) + _half(m)) * 12)
    for m in _WEEKS_AGE.finditer(text):
        weeks = _number(m.group("num"))
        # "20 weeks" alone after "pregnant" talk is a pregnancy, not a baby.
        if free(m) and _plausible(m) and (m.group("old") or not pregnant) and weeks <= 104:
            add(m, weeks * 7 // 30.44)
    for m in _DAYS_AGE.finditer(text):
        if free(m):
            add(m, 0)
    for m in _NEWBORN.finditer(text):
        if free(m):
            add(m, 0)
    for m in _BARE_AGE.finditer(text):
        num = _number(m.group("num"))
        if free(m) and num <= 18:
            start = m.start("num")
            ages.append(Found("child_age", int((num + _half(m)) * 12), start, m.end(), text[start:m.end()]))
            taken.append((start, m.end()))
    for m in _HALF_AGE.finditer(text):
        if free(m) and _number(m.group("num")) <= 12:
            add(m, (_number(m.group("num")) + 0.5) * 12)
    twins = bool(_TWINS.search(text))
    ages.sort(key=lambda f: f.start)
    if twins:
        ages = [Found(f.entity, f.value, f.start, f.end, f.text, {**f.extra, "twins": True}) for f in ages]
    return AgeParse(ages=ages, pregnant=pregnant, twins=twins)


_ONLY_NUMBER = re.compile(rf"^\s*{_NUM}{_HALF}\s*[.!]?\s*$", re.IGNORECASE)


def bare_number_age(text: str) -> Found | None:
    """A reply that is only a number ("2", "two", "3 and a half"), read as years.

    Alone it could be anything, so the caller uses it only when the message was understood as
    giving a child's age (the answer to "how old is your child?").
    """
    m = _ONLY_NUMBER.match(text)
    if not m or m.group("num").lower() in ("a", "an") or _number(m.group("num")) > 18:
        return None
    start = m.start("num")
    end = m.end("half") if m.group("half") else m.end("num")
    return Found("child_age", int((_number(m.group("num")) + _half(m)) * 12), start, end, text[start:end])


# --------------------------------------------------------------------------------------------
# Days and times
# --------------------------------------------------------------------------------------------

_DAY = re.compile(rf"\b(?:{DAY_PATTERN})\b", re.IGNORECASE)
_WEEKEND = re.compile(r"\bweek\s*-?\s*ends?\b", re.IGNORECASE)
_WEEKDAYS = re.compile(r"\b(?:week\s*-?\s*days?|during\s+the\s+week|mon(?:day)?\s*(?:-|to)\s*fri(?:day)?)\b",
                       re.IGNORECASE)
_RELATIVE = re.compile(r"\b(?P<word>today|tonight|tomorrow|tmrw|tmr|tomoz|2moro|2morrow|tommorow|tomorow)\b",
                       re.IGNORECASE)
# "sat" and "sun" are also ordinary words: "I sat down", "in the sun".
_NOT_DAY_BEFORE = re.compile(r"(?:\b(?:i|we|she|he|they|just|the|had|have|was|been)\s+|c['’])$", re.IGNORECASE)


def find_days(text: str, now: datetime | None = None) -> list[Found]:
    """Days as MO..SU, one ``Found`` per day: "weekend" gives SA and SU; "tomorrow" is relative to ``now``."""
    now = now or datetime.now(LONDON)
    found: list[Found] = []
    taken: list[tuple[int, int]] = []
    for m in _WEEKDAYS.finditer(text):
        found += [_found("day", code, m) for code in DAY_CODES[:5]]
        taken.append((m.start(), m.end()))
    for m in _WEEKEND.finditer(text):
        if all(m.end() <= s or m.start() >= e for s, e in taken):
            found += [_found("day", "SA", m), _found("day", "SU", m)]
            taken.append((m.start(), m.end()))
    for m in _DAY.finditer(text):
        if not all(m.end() <= s or m.start() >= e for s, e in taken):
            continue
        code = next(c for c in DAY_CODES if m.group(c))
        word = m.group(0).lower()
        if word in ("sat", "sun", "wed", "mon") and _NOT_DAY_BEFORE.search(text[:m.start()]):
            continue
        found.append(_found("day", code, m))
    for m in _RELATIVE.finditer(text):
        word = m.group("word").lower()
        offset = 0 if word in ("today", "tonight") else 1
        found.append(_found("day", DAY_CODES[(now + timedelta(days=offset)).weekday()], m))
    seen: set[str] = set()
    unique = []
    for f in sorted(found, key=lambda f: (f.start, DAY_CODES.index(f.value))):
        if f.value not in seen:
            seen.add(f.value)
            unique.append(f)
    return unique


_TIMES = [
    ("morning", re.compile(r"\b(?:mornings?|morn|mornin|am\s+sessions?|in\s+the\s+am|before\s+lunch|"
                           r"early\s+(?:on|start))\b", re.IGNORECASE)),
    ("afternoon", re.compile(r"\b(?:afternoons?|aftrnoon|arvo|after\s*noon|after\s+lunch|lunch\s*time|"
                             r"in\s+the\s+pm|pm\s+sessions?|after\s+school(?!\s+club)|nap\s*time)\b",
                             re.IGNORECASE)),
    ("evening", re.compile(r"\b(?:evenings?|evening\s+time|tonight|after\s+work|after\s+tea|"
                           r"after\s+(?:5|6|7|five|six|seven)(?:\s*pm)?|"
                           r"late\s+(?:on|sessions?)|out\s+of\s+hours|when\s+i\s+finish\s+work)\b",
                           re.IGNORECASE)),
]
_CLOCK = re.compile(r"\b(?:at|from|around|about|for|after|before)?\s*(?P<h>\d{1,2})(?::(?P<m>\d{2}))?\s*(?P<ap>am|pm)\b",
                    re.IGNORECASE)


def find_times(text: str) -> list[Found]:
    """Times of day: morning, afternoon or evening ("after work" -> evening, "2pm" -> afternoon)."""
    found: list[Found] = []
    for value, pattern in _TIMES:
        found += [_found("time_of_day", value, m) for m in pattern.finditer(text)]
    for m in _CLOCK.finditer(text):
        hour = int(m.group("h")) % 12 + (12 if m.group("ap").lower() == "pm" else 0)
        value = "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"
        if all(m.end() <= f.start or m.start() >= f.end for f in found):
            found.append(_found("time_of_day", value, m))
    return sorted(found, key=lambda f: f.start)


# --------------------------------------------------------------------------------------------
# Cost, audience, access
# --------------------------------------------------------------------------------------------

_FREE = re.compile(
    r"\b(?:free(?:\s+of\s+charge)?|fee\s*free|no\s+cost|no\s+charge|no\s+fee|costs?\s+nothing|"
    r"(?:does\s*n[o']?t|doesnt|dont|don't|won't|wont)\s+cost(?:\s+(?:anything|owt|a\s+penny|money))?|"
    r"without\s+paying|not\s+(?:have|having)\s+to\s+pay|for\s+nothing|"
    r"can'?t\s+afford|cannot\s+afford|cant\s+pay|can't\s+pay|no\s+money|skint)\b",
    re.IGNORECASE,
)
# "free" that names a need or a thing, not a price: "free hours", "tax free childcare", "step free".
_FREE_NOT_PRICE_AFTER = re.compile(r"\s*(?:-\s*)?(?:hours?|hrs|childcare|child\s+care|nursery|place|places|"
                                   r"entitlement|early\s+education|school\s+meals|time|of\s+charge\s+hours|"
                                   r"15|30|fifteen|thirty|period|access|entry|parking)\b", re.IGNORECASE)
_FREE_NOT_PRICE_BEFORE = re.compile(r"\b(?:tax|step|gluten|dairy|nut|smoke|hands|stress|sugar|"
                                    r"lactose|alcohol|scent|fragrance|wheelchair)\s*-?\s*$", re.IGNORECASE)


def find_cost(text: str) -> list[Found]:
    """"free", "no cost", "can't afford" -> cost "free". "cheap" is not free, so it gives nothing."""
    found = []
    for m in _FREE.finditer(text):
        word = m.group(0).lower()
        if word.startswith("free") and (_FREE_NOT_PRICE_AFTER.match(text, m.end())
                                        or _FREE_NOT_PRICE_BEFORE.search(text[:m.start()])):
            continue
        found.append(_found("cost", "free", m))
    return found[:1]


_FATHER = re.compile(
    r"\b(?:dads?|dad's|daddy|daddies|daddys|father'?s?|fathers'|fatherhood|grand\s*-?\s*dads?|"
    r"gran(?:d)?\s*-?\s*dads?|grandpas?|grampa|grandfathers?|step\s*-?\s*dads?|stepfathers?|"
    r"step\s*-?\s*fathers?|male\s+carers?|male\s+parents?|male\s+guardians?|men|mens|men's|"
    r"sahd|single\s+dads?|new\s+dads?|uncles?)\b",
    re.IGNORECASE,
)


def find_audience(text: str) -> list[Found]:
    """Dads, grandads, step-dads and male carers -> audience "father" (surface dads' sessions)."""
    m = _FATHER.search(text)
    return [_found("audience", "father", m)] if m else []


_ACCESS = re.compile(
    r"\b(?:wheel\s*-?\s*chairs?|wheelchair\s+(?:access|accessible|user|users)|step\s*-?\s*free|"
    r"no\s+steps|without\s+steps|(?:pushchair|push\s+chair|buggy|pram|double\s+buggy)\s+"
    r"(?:access|accessible|friendly|parking|space|spaces|room)|accessible|accessibility|"
    r"disabled\s+(?:access|parking|toilet|toilets|loo)|ramp|ramps|lift|lifts|level\s+access|"
    r"mobility\s+(?:issues|problems|scooter|aid)|uses\s+a\s+wheelchair|in\s+a\s+wheelchair)\b",
    re.IGNORECASE,
)
# "lift" is also a verb and a car ride: "can't lift", "give me a lift".
_NOT_ACCESS_BEFORE = re.compile(r"\b(?:(?:give|giving|gave)\s+(?:me|us|you|her|him)\s+a|get\s+a|need\s+a|can'?t|"
                                r"cannot|to|i|you)\s*$", re.IGNORECASE)


def find_access(text: str) -> list[Found]:
    """Wheelchair, step-free and pushchair access -> access "wheelchair"."""
    for m in _ACCESS.finditer(text):
        if m.group(0).lower() in ("lift", "lifts") and _NOT_ACCESS_BEFORE.search(text[:m.start()]):
            continue
        return [_found("access", "wheelchair", m)]
    return []


# --------------------------------------------------------------------------------------------
# Everything at once
# --------------------------------------------------------------------------------------------

def parse_all(text: str, *, known_places: Iterable[str] = (), now: datetime | None = None) -> list[Found]:
    """Every parser over ``text``, as one list sorted by position."""
    ages = parse_ages(text)
    found = [*find_places(text, known_places), *ages.ages, *find_days(text, now),
             *find_times(text), *find_cost(text), *find_audience(text), *find_access(text)]
    if ages.pregnant:
        found.append(ages.pregnant)
    # A postcode-looking token inside an age ("2yo" never is, but "m8") or a time is not a place.
    spans = [(f.start, f.end) for f in found if f.entity != "place"]
    found = [f for f in found if f.entity != "place"
             or all(f.end <= s or f.start >= e for s, e in spans)]
    return sorted(found, key=lambda f: (f.start, f.entity))
