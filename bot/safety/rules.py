"""The safety rule layer: does this message disclose danger, and how urgent is it?

Pure Python over normalised words and lemmas (``bot.safety.normalise``), so the Rasa component
(``bot.nlu.safety_component``), the actions and the web tier (``web/chat.py``, when Rasa is down) all give the same answer. It favours recall: a missed
disclosure costs far more than a helpline number shown to someone who did not need it.

Each rule is a regular expression over the lemma text ("he check my phone and will not let me
see my friend"), written with a few named word classes. Two checks keep the everyday near-misses
out: a negation just before the match in the same clause ("he has never hit me"), and a clause
about a film, the news, a course or an essay ("we watched a film about domestic abuse").

    >>> detect("he checks my phone and won't let me see my friends").category
    'domestic_abuse'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.safety.categories import CATEGORIES, LEVELS, PRIORITY  # noqa: F401 (re-exported)
from bot.safety.normalise import CLAUSE_BREAKS, SENTENCE_BREAKS, Normalised, normalise


#: Word classes the rules are written with (lemmas; "kids" is "kid").
WORDS = {
    # Any word, for short gaps: "{W}{0,3}" is up to three words (never punctuation).
    "W": r"(?:[a-z0-9']+ )",
    "PARTNER": r"(?:partner|husband|boyfriend|wife|girlfriend|ex|he|she|fiance|man|bloke)",
    "ADULT": (r"(?:partner|husband|boyfriend|wife|girlfriend|ex|dad|daddy|father|stepdad|"
              r"stepfather|mum|mummy|mother|stepmum|stepmother|uncle|aunt|auntie|grandad|"
              r"grandma|nan|grandfather|grandmother|man|woman|someone|somebody|he|she|they|"
              r"childminder|babysitter|neighbour|teacher|cousin|bloke)"),
    "CHILD": (r"(?:baby|babies|son|daughter|child|kid|toddler|boy|girl|newborn|infant|twin|"
              r"little brother|little sister|brother|sister|stepson|stepdaughter|"
              r"[0-9]+ (?:year|month|week) old)"),
    "HARM": (r"(?:hit|hurt|beat|punch|kick|slap|smack|shake|strangle|choke|burn|batter|abuse|"
             r"harm|thump|whack|belt|throttle|bruise)"),
    "HARM_ME": (r"(?:hit|hurt|beat|punch|kick|slap|smack|shake|strangle|choke|burn|batter|abuse|"
                r"push|shove|rape|assault|bite|spit on|thump|headbutt|throttle|scare|attack)"),
    "HARM_FEAR": r"(?:shake|hurt|hit|harm|smack|slap|throw|smother|snap at|lose it with)",
    "AFRAID": r"(?:scared|afraid|frightened|terrified|worried|worry|fear|petrified)",
    "PILLS": (r"(?:tablet|pill|medicine|medication|paracetamol|ibuprofen|calpol|bleach|battery|"
              r"button battery|magnet|capsule|detergent|washing tablet|chemical|poison|"
              r"antidepressant|vitamin|iron tablet|liquid|e ?cig|vape liquid|dishwasher tablet)"),
}


@dataclass(frozen=True)
class Rule:
    name: str
    category: str
    level: str
    pattern: str
    #: Medical rules ignore "what if my baby stops breathing" and "would stop breathing".
    hypothetical_blocks: bool = False
    #: A clause with these words is not this disclosure ("he kicks me" during a nappy change).
    unless: str | None = None
    #: True when the pattern itself says "not" ("won't let me"): then only a negation *before*
    #: the match cancels it. Otherwise one inside it does too ("my partner has never hit me").
    negation_in_pattern: bool = field(init=False, compare=False)
    regex: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        expanded = self.pattern
        for name, words in WORDS.items():
            expanded = expanded.replace("{" + name + "}", words)
        object.__setattr__(self, "negation_in_pattern",
                           bool(re.search(r"(?<![a-z])(?:not|never|no|nobody)(?![a-z])", self.pattern)))
        object.__setattr__(self, "regex", re.compile(r"(?<![a-z0-9'])(?:" + expanded + r")(?![a-z0-9'])"))


def _r(name: str, category: str, level: str, pattern: str, **kwargs) -> Rule:
    return Rule(name, category, level, pattern, **kwargs)


C, D, S, M, P, PMH, UH, UN = CATEGORIES
U, E = "urgent", "emergency"

RULES: tuple[Rule, ...] = (
    # --- a child hurt or in danger ---------------------------------------------------------
    _r("adult harms child", C, U, r"{ADULT} {W}{0,3}{HARM} {W}{0,2}{CHILD}"),
    _r("adult marks child", C, U,
       r"{ADULT} {W}{0,2}(?:leave|give) {W}{0,2}(?:bruise|mark|burn|cut)s? (?:on|to) {W}{0,2}{CHILD}"),
    _r("injury blamed on adult", C, U,
       r"(?:bruise|mark|burn|injury|cut)s? {W}{0,6}{ADULT} (?:do|cause|give) (?:it|this|that|them)"),
    _r("adult touches child", C, U,
       r"{ADULT} {W}{0,3}touch {W}{0,2}(?:{CHILD}|him|her|them|me)"),
    _r("child afraid to go home", C, U,
       r"{CHILD} {W}{0,4}{AFRAID} (?:to go|of go|of be) (?:home|back|to|with|round|alone)"),
    _r("child not safe", C, U, r"{CHILD} (?:be |'s |feel )?not safe"),
    _r("child left alone", C, U,
       r"{ADULT} {W}{0,2}leave {W}{0,2}{CHILD} (?:on (?:their|his|her) own|alone|home alone|by (?:themselves|himself|herself))"),
    _r("adult throws at child", C, U, r"{ADULT} {W}{0,3}throw {W}{0,2}at {W}{0,2}{CHILD}"),
    _r("child being hurt", C, U,
       r"{CHILD} (?:be|'s|get) (?:be |get )?(?:hurt|abuse|hit|beat|harm|neglect|batter|touch)"),
    _r("adult locks child in", C, U, r"{ADULT} {W}{0,2}lock {W}{0,2}{CHILD} (?:in|out)"),
    _r("rough with child", C, U, r"(?:rough|violent|aggressive) (?:with|towards|to) {W}{0,2}{CHILD}"),
    _r("adult grabs child", C, U,
       r"{ADULT} {W}{0,5}{CHILD} {W}{0,2}(?:and )?(?:grab|shove|push|drag|throw|{HARM}) (?:him|her|them)"),
    _r("child says adult hurt them", C, U,
       r"{CHILD} {W}{0,2}(?:say|tell|told) {W}{0,3}{ADULT} {W}{0,2}(?:{HARM}|grab|push|touch|shove) (?:him|her|them|me)"),
    _r("marks found on child", C, U,
       r"(?:find|notice|see|spot) {W}{0,1}(?:bruise|mark|burn|bite mark)s? on {W}{0,2}{CHILD}"),
    _r("child taken", C, E,
       r"(?:someone|somebody|stranger|a man|a woman) (?:have )?(?:take|snatch|abduct|grab) {W}{0,2}{CHILD}"),
    _r("child missing", C, E, r"{CHILD} (?:(?:be|is|are|'s) miss(?:ing)?|(?:have |has )?(?:go|gone|be|been) missing)"),

    # --- domestic abuse and coercive control ----------------------------------------------
    _r("partner harms me", D, U, r"{PARTNER} {W}{0,3}{HARM_ME} me",
       # A baby kicking in the womb or on the changing mat.
       unless=r"nappy|nappies|changing|rib|ribs|womb|movement|movements|bladder"),
    _r("hands round my neck", D, U, r"hand (?:round|around|on) my (?:neck|throat)"),
    _r("strangled", D, U, r"(?:strangle|choke|throttle)d? me"),
    _r("checks my phone", D, U,
       r"{PARTNER} {W}{0,2}(?:check|go through|read|look through) my (?:phone|message|text|email|bank|account)"),
    _r("won't let me", D, U,
       r"{PARTNER} {W}{0,2}(?:will not|do not|never|not) (?:let|allow) me (?:to )?(?:see|go|leave|talk|speak|"
       r"have|visit|work|meet|out|use|spend|wear|drive|get|ring|call|phone|text|sleep in my|eat)"),
    _r("breaks my phone", D, U,
       r"{PARTNER} {W}{0,2}(?:throw|smash|break|snatch|take) my (?:phone|mobile)"),
    _r("grabs the baby off me", D, U,
       r"{PARTNER} {W}{0,2}(?:grab|snatch|take|pull) (?:the |my |our )?{CHILD} (?:off|from|out of) (?:me|my)"),
    _r("takes my money", D, U,
       r"(?:take|control|keep|have) {W}{0,2}(?:all )?my (?:money|bank card|card|wage|benefit|pay|salary|child benefit)"),
    _r("allowance", D, U, r"give me (?:an|a little) (?:allowance|pocket money)"),
    _r("controls everything", D, U,
       r"{PARTNER} {W}{0,2}control (?:everything|all|what i|where i|who i|my life|me)"),
    _r("asks permission", D, U, r"ask (?:his|her|their|for his|for her) permission"),
    _r("tracks me", D, U,
       r"{PARTNER} {W}{0,3}(?:track|follow|monitor|spy on|watch) (?:where i|my (?:phone|location|every)|me everywhere|everything i)"),
    _r("afraid of partner", D, U,
       r"{AFRAID} of (?:my )?(?:partner|husband|boyfriend|wife|girlfriend|ex|him|what he|what she)"),
    _r("eggshells", D, U, r"walk on eggshell"),
    _r("put-downs", D, U,
       r"{PARTNER} {W}{0,2}call me (?:worthless|useless|stupid|fat|ugly|name|a slag|a bitch|pathetic)"),
    _r("nobody else would want me", D, U, r"(?:nobody|no one) else (?:would|will|could) (?:want|love|have) me"),
    _r("threat to take the children", D, U,
       r"{PARTNER} {W}{0,3}(?:say|threaten) {W}{0,3}take (?:the|my|our) (?:kid|child|baby|babies)"),
    _r("threatened", D, U, r"threaten(?:ed)? (?:to )?(?:kill|hurt|harm|hit) me|threaten me"),
    _r("turns up at my house", D, U, r"(?:keep |always )?turn up at (?:my|our) (?:house|door|home|flat|work)"),
    _r("won't leave me alone", D, U, r"(?:will not|do not) leave me alone"),
    _r("stalking", D, U, r"(?:stalk|harass)(?:ing)? me"),
    _r("not safe at home", D, U,
       r"(?:not|never) (?:feel )?safe (?:at home|in my (?:own )?home|with (?:him|her|my (?:partner|husband|boyfriend|wife|girlfriend|ex)))"),
    _r("forced sex", D, U, r"(?:force|make|pressure) me (?:to )?(?:have sex|do sexual|sleep with)|rape me|be rape"),
    _r("smashes things", D, U,
       r"{PARTNER} {W}{0,3}(?:smash|punch|break|throw) (?:a |the |his |her )?(?:thing|wall|door|stuff|plate|cup|glass|mug|chair|my)"),
    _r("thrown at my head", D, U, r"(?:throw|hurl|chuck|swing) {W}{0,3}(?:at|past|near) my (?:head|face)"),
    _r("get away from him", D, U,
       r"(?:get|run) away from (?:my )?(?:partner|husband|boyfriend|wife|girlfriend|ex|him|her)"),
    _r("abusive relationship", D, U,
       r"abusive (?:relationship|partner|husband|boyfriend|marriage)|domestic (?:abuse|violence)|coercive control"),
    _r("partner is violent", D, U,
       r"(?:partner|husband|boyfriend|wife|girlfriend|ex|he|she) (?:be|'s|can be|get) (?:very |so |really )?(?:violent|abusive|controlling)"),
    _r("jealous", D, U, r"jealous (?:if|when|whenever) i (?:talk|speak|see|go|text|look)"),
    _r("afraid to go home", D, U, r"{AFRAID} (?:to go|of go) (?:back )?home"),
    _r("takes my phone", D, U,
       r"take (?:my|our) (?:phone|key|car key|bank card|card|passport|money) (?:off|from|away)"),
    _r("weapon", D, E,
       r"(?:have|get|'s got|'s get|with|hold|pull) (?:a )?(?:knife|gun|weapon|hammer|bat)(?! (?:crime|skill|safety))"),
    _r("trying to get in", D, E, r"try to (?:get|break|kick|force) (?:in|into|the door)|kick (?:the|my) door"),
    _r("going to kill me", D, E, r"(?:go to|gonna|will|want to) (?:kill|murder|hurt) me"),
    _r("hiding from him", D, E, r"hide from (?:him|her|them|my (?:partner|husband|boyfriend|wife|girlfriend|ex))"),

    # --- self-harm and suicidal thoughts ---------------------------------------------------
    _r("want to die", S, U,
       r"(?:want|wish|like|going|go|ready) to (?:die(?! (?:my|her|his|their|your|the) hair)|be dead|end it|end my life|kill myself|not be here|disappear forever)"),
    _r("disappear forever", S, U, r"disappear (?:and never|forever|for good)"),
    _r("life not worth living", S, U, r"not worth (?:live|living|it anymore|be alive|go on)"),
    _r("pills ready", S, E,
       r"(?:get|have|'s got) (?:the|my|all (?:the|my)|a (?:box|packet|bottle) of) (?:{PILLS})s? (?:in my hand|ready|here|out|next to me|with me)"),
    _r("better off without me", S, U,
       r"better off (?:without me|if i (?:be )?(?:not here|not around|dead|go|never)|with me go|when i be go)"),
    _r("don't want to be here", S, U,
       r"not want to (?:be here|be alive|be around|live|exist|wake up|go on)"),
    _r("harm myself", S, U,
       r"(?:cut|harm|hurt|burn|starve|punish) myself(?!(?: [a-z']+){0,2} (?:shave|shaving|chop|chopping|cook|cooking|by accident|accidentally|by mistake))"),
    _r("self-harm", S, U, r"self (?:harm|injur[a-z]*)"),
    _r("ending it", S, U, r"end (?:it all|my life|things|my own life)|end it(?= [.,!?;:\n]|$)"),
    _r("can't go on", S, U,
       r"can not (?:go on|carry on|do this anymore|take (?:it|this|any) (?:more|anymore))(?: like this| anymore| any longer|(?= [.,!?;:\n])|$)"),
    _r("no point living", S, U,
       r"no (?:point|reason) (?:in |to )?(?:live|living|go on|be alive|be here|carry on|anything)"),
    _r("don't see the point", S, U, r"not see the point (?:in|of) (?:anything|life|live|go on|carry on|be here)"),
    _r("do something stupid", S, U,
       r"before i do something (?:stupid|silly|daft|bad|i regret|i will regret|i would regret)"),
    _r("suicidal", S, U, r"suicid[a-z]*|kill myself|take my (?:own )?life|end my (?:own )?life"),
    _r("never wake up", S, U, r"(?:sleep|go to sleep) and (?:never|not) wake up"),
    _r("wish I were dead", S, U, r"wish i (?:be |were |was )?(?:dead|not (?:here|alive|born)|never bear|could disappear)"),
    _r("overdose", S, E,
       r"i (?:have )?(?:just )?(?:take|swallow) (?:{W}{0,2}(?:too many|all|a lot of|lot of|loads of|a whole|the whole|a packet|a box|a bottle) {W}{0,2}(?:{PILLS})|an overdose)|overdose"
       # "i took like 20 paracetamol": ten or more at once is never a dose.
       r"|i (?:have )?(?:just )?(?:take|swallow) (?:like |about |around |maybe |nearly |over )?"
       r"(?:[1-9][0-9]+|ten|twelve|fifteen|sixteen|twenty|thirty|forty|fifty) (?:{W} )?(?:of )?(?:my |his |her |the )?{W}{0,2}(?:{PILLS})"),
    _r("about to jump", S, E,
       r"(?:bridge|roof|edge|cliff|railway|track|balcony) {W}{0,6}jump|jump (?:off|from|in front)"),

    # --- medical emergency ------------------------------------------------------------------
    _r("not breathing", M, E,
       r"(?:not|stop|no longer|can not|struggle to|difficulty|trouble|hard to|barely) breathe?",
       hypothetical_blocks=True),
    _r("gone blue", M, E,
       r"(?:go|turn|gone) {W}{0,2}blue|(?:lip|face|skin|mouth) (?:be |'s |look |go |turn |have go )(?:{W})?blue",
       hypothetical_blocks=True),
    _r("floppy or unresponsive", M, E,
       r"floppy|limp|unresponsive|unconscious|not respond|(?:will not|can not|not) wake (?:up|him|her)?|be not move|not move at all",
       hypothetical_blocks=True),
    _r("swallowed something", M, E,
       r"(?:swallow|eat|drink|(?<!i )(?:have|'s|be) take|suck|chew|get into) {W}{0,3}(?:{PILLS})(?! (?:to|at|into) )",
       hypothetical_blocks=True),
    _r("fitting", M, E,
       r"(?:be|'s|keep|start|start to) (?:fit|seize|convulse)(?! (?:in|into|for|and healthy|well))|have (?:a |another )?(?:fit|seizure|convulsion)",
       hypothetical_blocks=True),
    _r("choking", M, E, r"(?:be|'s|start) choke(?! (?:hazard|risk))", hypothetical_blocks=True),
    _r("rash that doesn't fade", M, E, r"rash {W}{0,6}(?:glass|not fade|not go away when)",
       hypothetical_blocks=True),
    _r("bleeding badly", M, E,
       r"bleed {W}{0,5}(?:not stop|a lot|heavy|heavily|badly|loads|everywhere|so much|through)", hypothetical_blocks=True),
    _r("grunting", M, E, r"grunt", hypothetical_blocks=True),

    # --- a parent afraid of harming their child ----------------------------------------------
    _r("afraid I will hurt them", P, U,
       r"{AFRAID} (?:that )?i {W}{0,5}{HARM_FEAR} {W}{0,2}(?:him|her|them|{CHILD})"),
    _r("feel like I could hurt them", P, U,
       r"(?:feel like|feel as if|think) i (?:could|might|will|would|be go to|be gonna) {W}{0,2}{HARM_FEAR} {W}{0,2}(?:him|her|them|{CHILD})"),
    _r("afraid of what I might do", P, U, r"{AFRAID} of what i (?:might|could|will|would|may) do"),
    _r("don't trust myself", P, U, r"not trust myself"),
    _r("afraid of myself", P, U, r"{AFRAID} of myself"),
    _r("feel like throwing them", P, U,
       r"feel like (?:shake|throw|hit|hurt|smack|slap|smother) {W}{0,2}(?:him|her|them|{CHILD})"),
    _r("lose it with the children", P, U,
       r"lose (?:it|my temper|control) (?:with|at|on) {W}{0,2}(?:him|her|them|{CHILD})"),
    _r("thoughts of harming", P, U,
       r"thought (?:of|about) {W}{0,1}(?:hurt|harm|shake|throw|smother|hit|kill|drown|suffocate|drop) {W}{0,2}(?:him|her|them|{CHILD})"),
    _r("want to shake them", P, U,
       r"want to (?:shake|hit|hurt|smack|slap|throw|smother) {W}{0,2}(?:him|her|them|{CHILD})"),
    # A baby who has been shaken needs checking now: 999 first.
    _r("I shook them", P, E, r"i (?:have |just )?(?:shake|throw) (?:the |my |our )?(?:him|her|them|{CHILD})"),
    _r("hit too hard", P, U,
       r"i (?:have )?(?:smack|hit|slap) {W}{0,2}(?:him|her|them|{CHILD}) {W}{0,3}(?:too hard|hard|leave a mark)"),
    _r("nearly hit them", P, U, r"(?:nearly|almost) (?:hit|hurt|shake|smack|slap|throw)"),
    # "going to hurt her, please help": said by the parent (no one else named first), now.
    _r("about to hurt them", P, E,
       r"(?:^|i (?:be )?)(?:go to|gonna|about to) {HARM_FEAR} {W}{0,2}(?:him|her|them|{CHILD})"),
)

NEGATIONS = frozenset({"not", "never", "nobody", "no"})
#: A negation followed by one of these is not about the event ("I don't know if he hits them").
NOT_NEGATING = frozenset({"know", "sure", "think", "understand", "remember", "mind"})
HYPOTHETICAL = frozenset({"if", "would", "might", "could", "worried", "worry", "scared", "afraid",
                          "in case", "whether", "what"})
#: A clause about a film, the news, a course or an essay is not a disclosure about the parent.
OTHER_CONTEXT = re.compile(
    r"(?<![a-z])(?:news|tv|telly|film|movie|programme|documentary|story|storyline|book|soap|"
    r"eastenders|coronation street|corrie|emmerdale|hollyoaks|drama|series|podcast|"
    r"essay|assignment|homework|research|dissertation|college|university|training|course|class|"
    r"module|lecture|exam|studying|leaflet|poster|signs of|safeguarding|awareness|assembly|"
    r"first aid|quiz|game|video|article|youth worker|volunteer|read about|reading about)(?![a-z])")
#: A figure of speech in the clause: "I wanted to die of embarrassment", "choking me with love".
FIGURATIVE = re.compile(
    r"(?<![a-z])(?:of (?:embarrassment|shame|boredom|laughter|laughing|cringe)|with (?:love|kisses|"
    r"cuddles)|die laughing|kill for a|murder a)(?![a-z])")
NEGATION_WINDOW = 4
#: "right now" turns an urgent disclosure into an emergency.
NOW_WORDS = frozenset({"now", "tonight"})


@dataclass(frozen=True)
class Match:
    """One rule that matched: what it found and where (as words of the normalised message)."""

    category: str
    level: str
    rule: str
    words: str


@dataclass(frozen=True)
class Detection:
    """The verdict on a message: the category and level the reply leads with, and every match."""

    category: str
    level: str
    matches: tuple[Match, ...]

    @property
    def categories(self) -> tuple[str, ...]:
        """Every category found, the leading one first (the reply lists helplines for each)."""
        return tuple(dict.fromkeys([self.category, *(m.category for m in self.matches)]))

    def payload(self) -> dict[str, str]:
        """The ``custom`` payload of the safety reply (docs/architecture.md)."""
        return {"type": "safety", "category": self.category, "level": self.level}


def _token_index(char_offsets: list[int], position: int) -> int:
    """The index of the word that starts at or contains ``position`` in the joined lemma text."""
    index = 0
    for i, start in enumerate(char_offsets):
        if start <= position:
            index = i
        else:
            break
    return index


def _clause_start(tokens: tuple[str, ...], index: int, breaks: frozenset[str]) -> int:
    while index > 0 and tokens[index - 1] not in breaks:
        index -= 1
    return index


def _clause_end(tokens: tuple[str, ...], index: int, breaks: frozenset[str]) -> int:
    while index < len(tokens) and tokens[index] not in breaks:
        index += 1
    return index


def _negated(lemmas: tuple[str, ...], start: int, end: int) -> bool:
    """A negation up to four words before the match in its clause, or inside it (``end``)."""
    first = max(_clause_start(lemmas, start, CLAUSE_BREAKS), start - NEGATION_WINDOW)
    for i in range(first, end):
        if lemmas[i] in NEGATIONS:
            following = lemmas[i + 1] if i + 1 < len(lemmas) else ""
            if following not in NOT_NEGATING:
                return True
    return False


def _hypothetical(lemmas: tuple[str, ...], start: int) -> bool:
    first = _clause_start(lemmas, start, CLAUSE_BREAKS)
    return any(lemma in HYPOTHETICAL for lemma in lemmas[first:start])


def _clause(message: Normalised, start: int, end: int) -> str:
    first = _clause_start(message.tokens, start, CLAUSE_BREAKS)
    last = _clause_end(message.tokens, end, CLAUSE_BREAKS)
    return " ".join(message.tokens[first:last])


def _other_context(message: Normalised, start: int, end: int) -> bool:
    clause = _clause(message, start, end)
    return bool(OTHER_CONTEXT.search(clause) or FIGURATIVE.search(clause))


def _unless(rule: Rule, message: Normalised, start: int, end: int) -> bool:
    return rule.unless is not None and re.search(
        r"(?<![a-z])(?:" + rule.unless + r")(?![a-z])", _clause(message, start, end)) is not None


def _happening_now(message: Normalised, start: int) -> bool:
    first = _clause_start(message.tokens, start, SENTENCE_BREAKS)
    last = _clause_end(message.tokens, start, SENTENCE_BREAKS)
    return any(token in NOW_WORDS for token in message.tokens[first:last])


def find_matches(text: str) -> list[Match]:
    """Every rule that matches ``text`` after the negation and other-context checks."""
    return _matches(text)[0]


def vetoed(text: str) -> bool:
    """True when a rule matched but a check cancelled it ("I'm not suicidal", "on the news"):
    the message is about danger in words, and the rules have read it as not a disclosure."""
    found, cancelled = _matches(text)
    return not found and cancelled > 0


def _matches(text: str) -> tuple[list[Match], int]:
    message = normalise(text)
    if not message.tokens:
        return [], 0
    cancelled = 0
    found: list[Match] = []
    # The rules read both the lemmas ("he check my phone") and the words as typed ("is fitting").
    for joined in {message.lemma_text, message.text}:
        offsets, position = [], 0
        for word in joined.split(" "):
            offsets.append(position)
            position += len(word) + 1
        lemmas = tuple(joined.split(" "))
        for rule in RULES:
            for hit in rule.regex.finditer(joined):
                start = _token_index(offsets, hit.start())
                end = _token_index(offsets, max(hit.end() - 1, hit.start()))
                if (_negated(lemmas, start, start if rule.negation_in_pattern else end + 1)
                        or _other_context(message, start, end + 1)
                        or _unless(rule, message, start, end + 1)
                        or (rule.hypothetical_blocks and _hypothetical(lemmas, start))):
                    cancelled += 1
                    continue

                level = rule.level
                if level == "urgent" and rule.category != "parent_fear" and _happening_now(message, start):
                    level = "emergency"
                found.append(Match(rule.category, level, rule.name, hit.group(0)))
                break
    unique = {(m.category, m.level, m.rule): m for m in found}
    return list(unique.values()), cancelled


def detect(text: str) -> Detection | None:
    """The safety verdict on one message, or None when it discloses nothing we look for."""
    return read(text)[0]


def read(text: str) -> tuple[Detection | None, bool]:
    """The verdict and whether a match was cancelled as a near miss (``vetoed``), in one pass."""
    matches, cancelled = _matches(text)
    return _verdict(matches), not matches and cancelled > 0


def _verdict(matches: list[Match]) -> Detection | None:
    if not matches:
        return None
    level = "emergency" if any(m.level == "emergency" for m in matches) else "urgent"
    leading = [m for m in matches if m.level == level]
    category = min((m.category for m in leading), key=PRIORITY.index)
    ordered = sorted(matches, key=lambda m: (m.level != level, PRIORITY.index(m.category)))
    return Detection(category, level, tuple(ordered))
