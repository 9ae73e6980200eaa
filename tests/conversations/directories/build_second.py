"""Build the second evaluation directory: an invented Wakefield family hubs directory.

The conversation evaluation must also run against a directory the bot never saw while it was
being built (the bot was developed against ``directory/sample/sample_directory.json``, Blackburn
and Darwen). This script writes three files next to itself:

- ``second_directory.json``: ORUK 3.0 services (the same shape as the sample, so
  ``python -m directory import FILE`` accepts it), tagged with Signpost's need terms
  (taxonomy ``signpost-core-offer``) exactly as the answer key says.
- ``second_directory_no_terms.json``: the same services with the same ids, carrying NO Signpost
  terms. Instead most carry the council's own categories from a small home-made taxonomy
  ("Early Help", "Play and Learning", "SEND Local Offer"...), and some carry none at all, as in
  many councils' feeds.
- ``second_answer_key.yml``: for every service id, the Signpost needs that truly fit it (empty for
  services outside the core offer, such as the food bank) and a few words from its own name or
  description that free-text search should find it by.

The town is Wakefield (West Yorkshire), with a venue in the village of Crigglestone and one in
the neighbouring town of Ossett. Postcodes are real (ONS Postcode Directory, read from the
postcode index ``var/geo.db``; coordinates below are that index's, to 1e-5 degrees). The council
service, the centres' names and street addresses, the people, the charities and the phone numbers
are invented (numbers are in Ofcom's drama ranges 01632 960xxx and 0113 496 0xxx).

Deterministic: uuid5 ids, no clock, no randomness, no network. A rebuild with no edits gives
byte-identical files, and ``--check`` proves the committed files are current.

Run (web environment, from the repository root):
    PYTHONPATH=. .venv/web/bin/python tests/conversations/directories/build_second.py
    PYTHONPATH=. .venv/web/bin/python tests/conversations/directories/build_second.py --check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from directory.sample.build_sample import FREE, appointment, monthly, paid, weekly
from directory.taxonomy import load_taxonomy

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "second_directory.json"
OUTPUT_NO_TERMS = HERE / "second_directory_no_terms.json"
ANSWER_KEY = HERE / "second_answer_key.yml"

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://wakefield-familyhubs.example.org/signpost-eval")
SITE = "https://wakefield-familyhubs.example.org"
MAIL = "wakefield-familyhubs.example.org"
COUNTY = "West Yorkshire"

# ---------------------------------------------------------------------------------------------
# Organisations: the (invented) council service and its partners. ``phone`` (optional) is used
# for the services they run instead of the venue's reception.
# ---------------------------------------------------------------------------------------------
ORGANISATIONS: dict[str, dict[str, str]] = {
    "council": {
        "name": "Wakefield District Family Hubs",
        "description": "Family hubs, children's centres and outreach for families with children "
                       "aged 0-19 (up to 25 with SEND) across the Wakefield district.",
        "email": f"familyhubs@{MAIL}",
        "website": SITE,
    },
    "health": {
        "name": "Calder and Pennine Community Health NHS Trust",
        "description": "The 0-19 Healthy Child Service (health visitors, school nurses and "
                       "nursery nurses), the Infant Feeding Team and community midwives.",
        "email": "0-19.wakefield@calder-pennine-health.example.org",
        "website": "https://calder-pennine-health.example.org",
        "phone": "0113 496 0421",
    },
    "jobcentre": {
        "name": "Jobcentre Plus Wakefield",
        "description": "Work coaches and partnership managers for the Wakefield district.",
        "email": "wakefield.jcp@jobcentre.example.org",
        "website": "https://jobcentre.example.org/wakefield",
        "phone": "0113 496 0750",
    },
    "money": {
        "name": "Calder Money Advice",
        "description": "Independent charity giving free, confidential debt and benefits advice.",
        "email": "advice@calder-money-advice.example.org",
        "website": "https://calder-money-advice.example.org",
        "phone": "0113 496 0312",
    },
    "libraries": {
        "name": "Wakefield District Libraries",
        "description": "Public libraries across the district.",
        "email": f"libraries@{MAIL}",
        "website": f"{SITE}/libraries",
    },
    "church": {
        "name": "St Paul's Church, Alverthorpe",
        "description": "Parish church. The church hall hosts community groups through the week.",
        "email": "office@stpauls-alverthorpe.example.org",
        "website": "https://stpauls-alverthorpe.example.org",
    },
    "foodshare": {
        "name": "Calder Valley Food Share",
        "description": "Volunteer-run food bank with sessions in church halls across Wakefield.",
        "email": "hello@calder-foodshare.example.org",
        "website": "https://calder-foodshare.example.org",
        "phone": "01632 960911",
    },
    "babybank": {
        "name": "Little Sprouts Baby Bank",
        "description": "Registered charity passing on pre-loved baby equipment and clothing.",
        "email": "referrals@little-sprouts.example.org",
        "website": "https://little-sprouts.example.org",
        "phone": "01632 960922",
    },
    "ossett": {
        "name": "Ossett Community Association",
        "description": "Charity that runs Ossett Community Centre and its groups.",
        "email": "bookings@ossett-community.example.org",
        "website": "https://ossett-community.example.org",
    },
}

# ---------------------------------------------------------------------------------------------
# Venues: real postcodes (in the ONS data and the postcode index), invented street addresses.
#   key: (name, address_1, town, postcode, phone, email user, features, description)
# ---------------------------------------------------------------------------------------------
WHEELCHAIR = ("Wheelchair accessible", "Level access throughout and an accessible toilet.")
STEP_FREE = ("Step-free entrance", "Ramped entrance at the side of the building.")
LOOP = ("Induction loop", "Hearing loop fitted at reception.")
CHANGING = ("Baby changing facilities", "Baby change in the accessible toilet.")
PARKING = ("Parking", "Free car park with two blue badge bays.")
NO_LIFT = ("Upstairs room", "The meeting room is on the first floor and there is no lift.")

VENUES: dict[str, tuple[str, str, str, str, str, str, tuple[tuple[str, str], ...], str]] = {
    "city": ("Wakefield City Family Hub", "14 Tanners Row", "Wakefield", "WF1 1PQ",
             "01632 960500", "cityhub", (WHEELCHAIR, LOOP, CHANGING),
             "Family hub in the city centre, five minutes' walk from the bus station. "
             "Health, Early Help, employment and SEND teams are based here."),
    "lupset": ("Lupset Family Hub", "40 Hollin Walk", "Wakefield", "WF2 8NT",
               "01632 960510", "lupset", (WHEELCHAIR, CHANGING, PARKING),
               "Family hub with a day nursery on site, an enclosed garden and a community kitchen."),
    "eastmoor": ("Eastmoor Children's Centre", "2 Flaxton Close", "Wakefield", "WF1 4AH",
                 "01632 960520", "eastmoor", (WHEELCHAIR, LOOP, CHANGING, PARKING),
                 "Children's centre with a sensory room, a woodland garden and a wraparound club."),
    "bellevue": ("Belle Vue and Agbrigg Children's Centre", "81 Doncaster Row", "Wakefield",
                 "WF1 5HX", "01632 960530", "bellevue", (STEP_FREE, CHANGING),
                 "Children's centre and pre-school. Several staff and volunteers speak community "
                 "languages."),
    "outwood": ("Outwood Family Hub", "6 Lingwell Parade", "Wakefield", "WF1 2PG",
                "01632 960540", "outwood", (WHEELCHAIR, LOOP, CHANGING, PARKING),
                "Family hub on the north side of the city, next to the park and the primary school."),
    "library": ("Wakefield Central Library", "1 Burton Walk", "Wakefield", "WF1 2TA",
                "01632 960560", "library", (WHEELCHAIR, LOOP, CHANGING),
                "The main library, with a children's library and a family learning room on the "
                "ground floor."),
    "stpauls": ("St Paul's Church Hall", "Church Lane", "Wakefield", "WF2 0HB",
                "01632 960570", "stpauls", (STEP_FREE,),
                "Church hall in Alverthorpe, behind St Paul's Church. Limited on-street parking."),
    "crigg": ("Crigglestone Village Hall", "3 Chapel Fold", "Crigglestone", "WF4 3PR",
              "01632 960580", "outreach", (),
              "Village hall used by the Family Hubs outreach team. Two steps at the main door; "
              "please ring ahead if you need the side ramp put out."),
    "ossett": ("Ossett Community Centre", "22 Cobbler's Yard", "Ossett", "WF5 8BE",
               "01632 960590", "ossett", (WHEELCHAIR, CHANGING, NO_LIFT),
               "Community centre in Ossett town centre, run by a local charity. Family Hubs "
               "staff use the main hall and the upstairs meeting room."),
}

# Latitude and longitude of each postcode, from the postcode index (var/geo.db, ONS data).
POSTCODE_COORDINATES: dict[str, tuple[float, float]] = {
    "WF1 1PQ": (53.68285, -1.49868),
    "WF2 8NT": (53.67365, -1.53441),
    "WF1 4AH": (53.69172, -1.48398),
    "WF1 5HX": (53.66982, -1.48235),
    "WF1 2PG": (53.71164, -1.51176),
    "WF1 2TA": (53.68377, -1.50309),
    "WF2 0HB": (53.68909, -1.52336),
    "WF4 3PR": (53.64380, -1.52793),
    "WF5 8BE": (53.68003, -1.57935),
}

VENUE_LEADS: dict[str, tuple[str, str]] = {
    "city": ("Joanne Hepworth", "Family Hub manager"),
    "lupset": ("Mark Sugden", "Family Hub manager"),
    "eastmoor": ("Claire Ridsdale", "Centre co-ordinator"),
    "bellevue": ("Aneela Akhtar", "Centre co-ordinator"),
    "outwood": ("Rebecca Thewlis", "Family Hub manager"),
    "library": ("Paula Gaunt", "Children's librarian"),
    "stpauls": ("Revd Sarah Lumb", "Vicar"),
    "crigg": ("Nicola Senior", "Outreach family practitioner"),
    "ossett": ("Dave Illingworth", "Centre manager"),
}

LANGUAGES = {"en": "English", "pl": "Polish", "ro": "Romanian", "ur": "Urdu", "pa": "Punjabi",
             "ar": "Arabic"}

# ---------------------------------------------------------------------------------------------
# The council's own categories (for the no-terms file): a small home-made taxonomy.
# ---------------------------------------------------------------------------------------------
COUNCIL_TAXONOMY = {
    "name": "Wakefield Family Services Directory",
    "description": "Categories used on the Wakefield District Family Hubs website.",
}
COUNCIL_CATEGORIES: dict[str, str] = {
    "Early Help": "Support for families from the Early Help team and partners.",
    "Health and Wellbeing": "Physical and emotional health for children and adults.",
    "Pregnancy and Early Days": "Services for pregnancy, birth and the first year.",
    "Play and Learning": "Groups, activities and learning for children and families.",
    "Dads": "Sessions and support for fathers and male carers.",
    "Money and Work": "Employment, skills, benefits and money advice.",
    "SEND Local Offer": "Services for children and young people with SEND and their families.",
    "Childcare and Early Years": "Childcare, funded early education and support for providers.",
    "Parenting Support": "Parenting programmes and workshops.",
    "Cost of Living Support": "Food, clothing, warm spaces and essentials.",
    "Housing": "Housing advice and homelessness prevention.",
    "Libraries": "Library events and services.",
}
# A need's usual council category, used when a service does not list its own.
NEED_CATEGORY = {
    "health_visiting": "Health and Wellbeing",
    "antenatal": "Pregnancy and Early Days",
    "infant_feeding": "Pregnancy and Early Days",
    "stay_and_play": "Play and Learning",
    "father_friendly": "Dads",
    "jobcentre_plus": "Money and Work",
    "disability_send": "SEND Local Offer",
    "childcare_early_education": "Childcare and Early Years",
    "family_support": "Early Help",
    "parenting_courses": "Parenting Support",
    "parent_wellbeing": "Health and Wellbeing",
    "childminder_support": "Childcare and Early Years",
}

# ---------------------------------------------------------------------------------------------
# Schedule shorthand (ORUK / RFC 5545 rows), as in directory/sample/build_sample.py.
# ---------------------------------------------------------------------------------------------


def fortnightly(byday: str, opens: str, closes: str, **kw: Any) -> dict[str, Any]:
    return weekly(byday, opens, closes, interval=2, **kw)


TERM_TIME = "Term time only."


# ---------------------------------------------------------------------------------------------
# The services. Each row: key, name, venue, needs (the answer key: the Signpost needs that truly
# fit), kw (words from its own name or description that free-text search should find it by),
# description, schedules, and options:
#   ages=(min, max) in YEARS, cost=FREE | paid(...) | [..], langs=("pl", ...), org=ORGANISATIONS
#   key, contact=(name, title), assured="YYYY-MM-DD", cats=(council categories) to replace the
#   ones derived from the needs (an empty tuple: this service has no category in the council feed).
# ---------------------------------------------------------------------------------------------
SERVICES: list[dict[str, Any]] = [
    # --- Wakefield City Family Hub ------------------------------------------------------------
    dict(key="city-child-health-clinic", name="Child Health Clinic", venue="city",
         needs=["health_visiting"], kw=["weighed", "red book", "teething"],
         ages=(0, 5), org="health",
         description="Drop-in clinic run by the 0-19 Healthy Child team. Have your baby weighed "
                     "and ask about feeding, sleep, teething or development. Please bring your "
                     "baby's red book (PCHR).",
         schedules=[weekly("MO", "09:30", "11:30")]),
    dict(key="city-bump-to-birth", name="Bump to Birth (4-week course)", venue="city",
         needs=["antenatal"], kw=["labour", "birth partner", "pain relief"], org="health",
         description="Our midwives and health visitors run this four-week evening course for you "
                     "and your birth partner. Topics include labour and birth, pain relief, "
                     "feeding your baby and the first few weeks at home. Book through your "
                     "midwife or call the hub.",
         schedules=[weekly("WE", "18:00", "20:00", valid_from="2027-01-13", valid_to="2027-02-03")],
         contact=("Helen Oxley", "Community midwife")),
    dict(key="city-dads-to-be", name="Dads-to-be Evening", venue="city",
         needs=["antenatal", "father_friendly"], kw=["expectant", "scan", "partners"],
         description="An informal evening for expectant dads and partners. Ask the questions you "
                     "didn't like to ask at the scan: what happens on the day, how you can help "
                     "with feeding, and looking after yourself too.",
         schedules=[monthly("18:30", "20:00", byday="3TH")],
         contact=("Liam Gledhill", "Family practitioner (fathers)")),
    dict(key="city-solid-foods", name="Introducing Solid Foods", venue="city",
         needs=["infant_feeding"], kw=["solid foods", "tasters", "ready"], ages=(0, 1),
         org="health",
         description="For parents of babies aged around 4 to 6 months. When is my baby ready? "
                     "What should I offer first? Includes a demonstration and tasters.",
         schedules=[monthly("13:30", "15:00", byday="2WE")]),
    dict(key="city-sensory-babies", name="Sensory Babies", venue="city",
         needs=["stay_and_play"], kw=["bubbles", "textures", "crawling"], ages=(0, 1),
         cost=paid(2, "£2 per session, pay on the door"),
         description="Lights, bubbles, textures and music for babies from birth to crawling. "
                     "£2 per session, pay on the door.",
         schedules=[weekly("TH", "10:00", "11:00")]),
    dict(key="city-work-coach", name="Jobcentre Plus Work Coach Surgery", venue="city",
         needs=["jobcentre_plus"], kw=["work coach", "Universal Credit", "training"],
         org="jobcentre",
         description="A Jobcentre Plus work coach is based at the hub every Tuesday morning. Talk "
                     "about looking for work, training, or how Universal Credit can help with "
                     "childcare costs. You don't need to be claiming benefits to come along.",
         schedules=[weekly("TU", "10:00", "12:30")], contact=("Stuart Lodge", "Work coach")),
    dict(key="city-money-advice", name="Money and Debt Advice", venue="city",
         needs=["jobcentre_plus"], kw=["debt", "budgeting", "council tax"], org="money",
         description="Free, confidential advice on debt, budgeting, benefit checks and priority "
                     "bills such as rent, council tax and energy. Run by Calder Money Advice. "
                     "Appointments preferred, but we will see people who drop in when we can.",
         schedules=[fortnightly("FR", "09:30", "12:30")], contact=("Tariq Mahmood", "Debt adviser")),
    dict(key="city-housing-options", name="Housing Options Drop-in", venue="city",
         needs=[], kw=["housing register", "homelessness", "landlord"], cats=("Housing",),
         description="Officers from the council's Housing Options team can talk to you about "
                     "finding a home, preventing homelessness, problems with a landlord and "
                     "joining the housing register.",
         schedules=[monthly("13:00", "15:30", byday="1TU")], contact=("Gareth Moxon", "Housing options officer")),
    dict(key="city-early-help", name="Early Help Family Support", venue="city",
         needs=["family_support"], kw=["Early Help", "practitioners", "attendance"],
         description="Every family needs a bit of extra help sometimes. Our Early Help family "
                     "practitioners work alongside parents and carers at home, at the hub or "
                     "somewhere else that suits you. Support can cover routines, school "
                     "attendance, managing money, children's behaviour or getting things back on "
                     "track after a difficult time. You can ask for help yourself; you don't need "
                     "a referral from a professional. We will talk with you about what is going "
                     "well and what you would like to change, agree a plan together, and link "
                     "you with other services such as health visiting, school, housing or money "
                     "advice if that would help. Support is voluntary and usually lasts a few "
                     "months. Interpreters can be booked for any language.",
         schedules=[appointment("Monday to Friday, by arrangement. Phone the hub or complete the "
                                "online request for support form.")],
         contact=("Leanne Firth", "Early Help team manager")),
    dict(key="city-first-aid-parents", name="Emergency First Aid for Parents and Carers",
         venue="city", needs=["parenting_courses"], kw=["choking", "CPR", "burns"],
         description="Two hours covering choking, CPR for babies and children, burns, head bumps "
                     "and when to call 999. Free, but places are limited so please book.",
         schedules=[monthly("10:00", "12:00", byday="2SA")]),
    dict(key="city-childminder-network", name="Childminder Network Evening", venue="city",
         needs=["childminder_support"], kw=["EYFS", "safeguarding", "network"],
         description="For registered childminders across the district. Network meetings cover "
                     "EYFS updates, Ofsted, safeguarding refreshers and sharing good practice. "
                     "Hosted by the Early Years Quality team.",
         schedules=[monthly("18:30", "20:30", byday="1TH")],
         contact=("Karen Stead", "Early Years quality officer")),
    dict(key="city-brighter-days", name="Brighter Days", venue="city",
         needs=["parent_wellbeing"], kw=["anxious", "perinatal", "peer support"],
         description="A peer support group for mums and dads who are finding pregnancy or the "
                     "first year with a baby harder than they expected: feeling anxious, low, or "
                     "not quite themselves. Babies welcome. Run with our perinatal mental health "
                     "practitioner.",
         schedules=[weekly("WE", "10:00", "11:30")]),
    dict(key="city-stop-smoking", name="Stop Smoking Service", venue="city",
         needs=[], kw=["stop smoking", "nicotine", "vape"], org="health",
         description="One-to-one support to stop smoking, with free nicotine replacement or a "
                     "vape starter kit. Open to any adult who lives or works in the district.",
         schedules=[weekly("MO", "13:00", "16:00")]),
    dict(key="city-funded-childcare", name="Funded Childcare: Help to Apply", venue="city",
         needs=["childcare_early_education"], kw=["entitled", "9 months", "National Insurance"],
         description="Not sure what you're entitled to? Some 2 year olds, and all 3 and 4 year "
                     "olds, can get free early education, and working parents may get up to 30 "
                     "hours from when their child is 9 months old. Bring your National "
                     "Insurance number and we'll help you apply for a code.",
         schedules=[weekly("TH", "13:00", "15:00")], contact=("Sam Firth", "Early education officer")),

    # --- Lupset Family Hub --------------------------------------------------------------------
    dict(key="lupset-weigh-and-chat", name="Baby Weigh and Chat", venue="lupset",
         needs=["health_visiting"], kw=["weighing", "health visiting"], ages=(0, 5), org="health",
         description="Drop-in baby weighing with the health visiting team. No appointment needed.",
         schedules=[weekly("WE", "13:30", "15:00")]),
    dict(key="lupset-midwife", name="Community Midwife Clinic", venue="lupset",
         needs=["antenatal"], kw=["midwife", "antenatal appointments"], org="health",
         description="Antenatal appointments with your community midwife. By appointment only; "
                     "your midwife will arrange this with you.",
         schedules=[weekly("TU", "09:00", "12:00", notes="Appointments only.")]),
    dict(key="lupset-feeding-friends", name="Feeding Friends", venue="lupset",
         needs=["infant_feeding"], kw=["peer supporters", "feeding"], ages=(0, 1), org="health",
         description="A relaxed group for anyone feeding a baby, however you're doing it. Trained "
                     "peer supporters and a member of the Infant Feeding Team are on hand. "
                     "Pregnant? You're welcome to come before your baby arrives too.",
         schedules=[weekly("TH", "10:00", "11:30")]),
    dict(key="lupset-toddle-time", name="Toddle Time", venue="lupset",
         needs=["stay_and_play"], kw=["toddlers", "sand", "snack"], ages=(1, 3), cats=(),
         description="Songs, stories, sand, paint and a healthy snack for toddlers and their "
                     "grown-ups.",
         schedules=[weekly("FR", "09:30", "11:00")]),
    dict(key="lupset-baby-massage", name="Baby Massage (5 weeks)", venue="lupset",
         needs=["stay_and_play"], kw=["massage", "colic", "soothe"], ages=(0, 1),
         cost=paid(8, "£8 for the five-week course, including oil"),
         description="Learn gentle massage strokes to soothe your baby and help with wind and "
                     "colic. Runs for five weeks; £8 for the course, including oil. For babies "
                     "from 6 weeks old until they are crawling.",
         schedules=[weekly("MO", "13:30", "14:30", valid_from="2027-01-11", valid_to="2027-02-08")]),
    dict(key="lupset-dads-den", name="Dads' Den", venue="lupset",
         needs=["father_friendly", "stay_and_play"], kw=["bacon butties", "grandads", "Lego"],
         ages=(0, 5),
         description="First Saturday of the month. Bacon butties, the football table, Lego and "
                     "messy play for dads, grandads, uncles and male carers with their kids "
                     "aged 0-5.",
         schedules=[monthly("10:00", "12:00", byday="1SA")],
         contact=("Craig Senior", "Family practitioner (fathers)")),
    dict(key="lupset-portage", name="Portage Home Visiting", venue="lupset",
         needs=["disability_send"], kw=["Portage", "pre-school", "small steps"], ages=(0, 5),
         description="Portage is a home-visiting educational service for pre-school children with "
                     "significant additional needs or disabilities. A Portage home visitor works "
                     "with you to set small steps your child can achieve through play. Referrals "
                     "are accepted from health visitors, paediatricians and parents.",
         schedules=[appointment("Home visits, usually fortnightly, arranged with the family.")],
         contact=("Julie Hinchliffe", "Portage home visitor")),
    dict(key="lupset-nursery", name="Lupset Nursery", venue="lupset",
         needs=["childcare_early_education"], kw=["nursery", "Ofsted-registered", "30 hours"],
         ages=(2, 4), cost=[FREE, paid(5.8, "£5.80 an hour for additional hours")],
         description="Ofsted-registered nursery on the hub site for children aged 2 to 4. We offer "
                     "funded places for eligible 2 year olds and 15 or 30 hours for 3 and 4 year "
                     "olds, with additional paid hours available.",
         schedules=[weekly("MO,TU,WE,TH,FR", "08:00", "18:00", notes="Open 50 weeks a year.")]),
    dict(key="lupset-young-parents", name="Young Parents' Group", venue="lupset",
         needs=["family_support", "parent_wellbeing"], kw=["25 and under", "college", "brew"],
         description="For parents and parents-to-be aged 25 and under. Meet others, get support "
                     "with housing, benefits, college and work, and have a brew. Free lunch.",
         schedules=[weekly("TU", "13:00", "15:00")]),
    dict(key="lupset-solihull", name="Understanding Your Child (Solihull Approach)",
         venue="lupset", needs=["parenting_courses"], kw=["Solihull", "feelings", "creche"],
         description="A 10-week group looking at how children develop, feelings and behaviour, and "
                     "the ups and downs of family life. Free creche available (please book). "
                     "Term time only.",
         schedules=[weekly("WE", "09:30", "11:30", valid_from="2027-01-13", valid_to="2027-03-24",
                           notes="No session in February half term.")]),
    dict(key="lupset-childminders-play", name="Childminders' Play and Learn", venue="lupset",
         needs=["childminder_support", "stay_and_play"], kw=["childminders", "consultants"],
         ages=(0, 4),
         description="Fortnightly session for registered childminders and the children they care "
                     "for. Early years consultants attend every other month.",
         schedules=[fortnightly("WE", "13:00", "14:30")]),
    dict(key="lupset-community-pantry", name="Lupset Community Pantry", venue="lupset",
         needs=[], kw=["pantry", "food club", "proof of address"], cats=("Cost of Living Support",),
         cost=paid(4.5, "£4.50 a shop (members)"),
         description="A membership food club. For £4.50 a week members choose at least 10 items "
                     "of fresh, chilled and cupboard food worth much more. Open to residents of "
                     "WF2; just come along with proof of address to join.",
         schedules=[weekly("TH", "12:30", "14:30")]),
    dict(key="lupset-time-for-you", name="Time for You", venue="lupset",
         needs=["parent_wellbeing"], kw=["pamper", "mindfulness", "hot cup of tea"],
         description="Take a couple of hours for yourself. Each week is different: mindfulness, "
                     "pamper sessions, crafts, or just a hot cup of tea while it's still hot. "
                     "Free creche for under 5s.",
         schedules=[weekly("MO", "10:00", "12:00", notes=TERM_TIME)]),

    # --- Eastmoor Children's Centre -----------------------------------------------------------
    dict(key="eastmoor-well-baby", name="Well Baby Clinic", venue="eastmoor",
         needs=["health_visiting"], kw=["nursery nurse", "weigh"], ages=(0, 5), org="health",
         description="Fortnightly. Weigh your baby and chat with a health visitor or nursery nurse.",
         schedules=[fortnightly("TH", "13:00", "15:00")]),
    dict(key="eastmoor-sleep-clinic", name="Sleep Well Clinic", venue="eastmoor",
         needs=["health_visiting"], kw=["night waking", "settling", "early rising"],
         ages=(0, 5), org="health",
         description="One-to-one appointments with a trained sleep practitioner for parents of "
                     "children aged 6 months to 5 years, covering settling, night waking and "
                     "early rising.",
         schedules=[appointment("By appointment on Wednesday afternoons. Ask your health visitor "
                                "or phone the 0-19 service.")]),
    dict(key="eastmoor-smokefree-pregnancy", name="Smokefree Pregnancy", venue="eastmoor",
         needs=["antenatal"], kw=["carbon monoxide", "smoking", "household"], org="health",
         description="Specialist support to help you and your household stop smoking during "
                     "pregnancy. Free nicotine replacement and carbon monoxide monitoring. Your "
                     "midwife can refer you, or phone us directly.",
         schedules=[appointment("Appointments at the centre or at home, Monday to Friday.")]),
    dict(key="eastmoor-infant-feeding-clinic", name="Infant Feeding Clinic", venue="eastmoor",
         needs=["infant_feeding"], kw=["tongue-tie", "painful", "weight gain"], ages=(0, 1),
         org="health",
         description="Specialist appointments for feeding difficulties including painful feeding, "
                     "slow weight gain and suspected tongue-tie. Ask your midwife or health "
                     "visitor to book, or call the Infant Feeding Team.",
         schedules=[weekly("TU", "13:00", "15:00", notes="Booked appointments only.")]),
    dict(key="eastmoor-messy-makers", name="Messy Makers", venue="eastmoor",
         needs=["stay_and_play"], kw=["gloop", "glitter", "shaving foam"], ages=(1, 5),
         cost=paid(1, "£1 per child"), cats=(),
         description="Gloop, paint, shaving foam and glitter: the more mess the better. £1 per "
                     "child. Please dress your little ones in old clothes!",
         schedules=[fortnightly("WE", "13:30", "15:00")]),
    dict(key="eastmoor-outdoor-explorers", name="Outdoor Explorers", venue="eastmoor",
         needs=["stay_and_play"], kw=["mud kitchen", "wellies", "den building"], ages=(2, 5),
         description="Mud kitchen, bug hunts, den building and a campfire snack in our woodland "
                     "garden. Sessions run in all weathers, so bring wellies and waterproofs.",
         schedules=[weekly("MO", "10:00", "11:30")]),
    dict(key="eastmoor-dad-and-me", name="Dad and Me Saturday Club", venue="eastmoor",
         needs=["father_friendly", "stay_and_play"], kw=["kickabout", "stepdads", "breakfast"],
         ages=(0, 5),
         description="Every other Saturday morning. Toys, crafts, a kickabout and breakfast. Open "
                     "to dads, stepdads, grandads and other male carers with children under 5.",
         schedules=[fortnightly("SA", "09:30", "11:30")]),
    dict(key="eastmoor-sensory-room", name="Sensory Room Sessions", venue="eastmoor",
         needs=["disability_send"], kw=["sensory room", "sensory processing", "autism"],
         ages=(0, 8),
         description="Our sensory room can be booked by families in 45-minute slots, Monday to "
                     "Friday. It is especially helpful for children with sensory processing "
                     "differences, autism or additional needs, but any family can book. "
                     "Please phone to book.",
         schedules=[appointment("Bookable 45-minute slots, Monday to Friday, 9:30am to 3pm.")]),
    dict(key="eastmoor-family-links", name="Family Links Nurturing Programme", venue="eastmoor",
         needs=["parenting_courses"], kw=["nurturing", "discipline", "certificate"],
         description="A 10-week course for parents and carers of children aged 0 to 12. Explore "
                     "emotional health, positive discipline and looking after yourself. "
                     "Certificate on completion. Term time only.",
         schedules=[weekly("TH", "09:30", "11:30", valid_from="2027-02-25", valid_to="2027-05-06",
                           notes="No sessions in the Easter holidays.")]),
    dict(key="eastmoor-walk-and-talk", name="Walk and Talk", venue="eastmoor",
         needs=["parent_wellbeing"], kw=["walk", "buggy", "sling"],
         description="Meet at reception for a gentle 45-minute walk around the park and back for "
                     "a cuppa. Bring your buggy or sling.",
         schedules=[weekly("TU", "10:00", "11:00")]),
    dict(key="eastmoor-uniform-swap", name="School Uniform Swap", venue="eastmoor",
         needs=[], kw=["uniform", "PE kits", "school shoes"], cats=("Cost of Living Support",),
         description="Pre-loved school uniform, PE kits and school shoes, free to take. Donations "
                     "of clean, good-condition uniform are welcome at reception at any time.",
         schedules=[monthly("15:00", "17:30", byday="-1WE")]),
    dict(key="eastmoor-paediatric-first-aid", name="Paediatric First Aid (12 hours)",
         venue="eastmoor", needs=["childminder_support"], kw=["Ofqual", "nursery staff", "EYFS"],
         cost=paid(55, "£55 per person"),
         description="Ofqual-regulated 12-hour paediatric first aid course that meets EYFS "
                     "requirements. Suitable for childminders, nursery staff and anyone working "
                     "with under 5s. Runs over two Saturdays; you must attend both.",
         schedules=[weekly("SA", "09:00", "15:30", valid_from="2027-03-06", valid_to="2027-03-13")]),
    dict(key="eastmoor-wraparound", name="Eastmoor Breakfast and After-School Club",
         venue="eastmoor", needs=["childcare_early_education"],
         kw=["wraparound", "after-school", "Tax-Free Childcare"], ages=(4, 11),
         cost=[paid(4.5, "Breakfast club £4.50 a session"),
               paid(9.5, "After-school club £9.50 a session")],
         description="Wraparound care for children at local primary schools. We walk children to "
                     "and from school. Breakfast club £4.50, after-school club £9.50 per "
                     "session. Tax-Free Childcare and Universal Credit childcare accepted.",
         schedules=[weekly("MO,TU,WE,TH,FR", "07:45", "08:45", notes=TERM_TIME),
                    weekly("MO,TU,WE,TH,FR", "15:15", "18:00", notes=TERM_TIME)]),

    # --- Belle Vue and Agbrigg Children's Centre -----------------------------------------------
    dict(key="bellevue-two-year-review", name="2 to 2½ Year Development Reviews", venue="bellevue",
         needs=["health_visiting"], kw=["ASQ", "second birthday", "review"], ages=(2, 2),
         org="health",
         description="Your child's review with the health visiting team around their second "
                     "birthday, looking at speech, play, behaviour and growth. You will be sent "
                     "an ASQ questionnaire to fill in beforehand.",
         schedules=[appointment("By appointment. A letter with your time will be sent to you.")]),
    dict(key="bellevue-preparing-for-parenthood", name="Preparing for Parenthood",
         venue="bellevue", needs=["antenatal"], kw=["interpreters", "daytime", "parenthood"],
         org="health", langs=("ar", "ur"),
         description="Five-week daytime antenatal course. Interpreters for Arabic and Urdu are "
                     "available at every session; please tell us when you book. Bring your birth "
                     "partner or a friend.",
         schedules=[weekly("MO", "13:00", "15:00", valid_from="2027-01-18", valid_to="2027-02-15")]),
    dict(key="bellevue-milk-matters", name="Milk Matters", venue="bellevue",
         needs=["infant_feeding"], kw=["latching", "expressing", "formula"], ages=(0, 1),
         org="health", langs=("pl", "ro"),
         description="Breast, bottle or both. Drop in for help with latching, expressing, formula, "
                     "or going back to work while you're still feeding. Polish and "
                     "Romanian-speaking peer supporters attend.",
         schedules=[fortnightly("WE", "10:00", "11:30")]),
    dict(key="bellevue-stay-and-play", name="Stay and Play", venue="bellevue",
         needs=["stay_and_play"], kw=["stay and play"], ages=(0, 5), cats=(),
         description="Drop in. Free. 0-5s.",
         schedules=[weekly("MO", "13:30", "15:00")]),
    dict(key="bellevue-zabawa", name="Zabawa: Polish and English Playgroup", venue="bellevue",
         needs=["stay_and_play"], kw=["Zabawa", "bilingual", "Polish-speaking"], ages=(0, 5),
         langs=("pl",),
         description="Bilingual play, songs and stories for Polish-speaking families and anyone "
                     "who would like to join in. Zapraszamy!",
         schedules=[weekly("SA", "10:00", "11:30")]),
    dict(key="bellevue-being-dad", name="Being Dad", venue="bellevue",
         needs=["father_friendly", "parenting_courses"], kw=["fathers", "father figures", "anger"],
         langs=("ur", "pa"),
         description="Eight-week evening programme for fathers and father figures, covering child "
                     "development, communication, anger and stress, and the role of dads. "
                     "Delivered by male facilitators; Urdu and Punjabi spoken.",
         schedules=[weekly("TU", "18:30", "20:30", valid_from="2027-01-12", valid_to="2027-03-02")],
         contact=("Imran Hussain", "Family practitioner (fathers)")),
    dict(key="bellevue-talking-tots", name="Talking Tots", venue="bellevue",
         needs=["disability_send", "health_visiting"],
         kw=["talking", "Speech and Language Therapy", "referral"], ages=(1, 3), org="health",
         description="Small group run by the Speech and Language Therapy service for toddlers who "
                     "are late to start talking. Referral through your health visitor.",
         schedules=[weekly("TH", "09:30", "10:30", notes=TERM_TIME)]),
    dict(key="bellevue-preschool", name="Pre-school Room", venue="bellevue",
         needs=["childcare_early_education"], kw=["pre-school", "universal", "extended"],
         ages=(3, 4), cost=[FREE, paid(2.5, "Lunch £2.50 a day")],
         description="Term-time pre-school for 3 and 4 year olds using their universal 15 hours "
                     "or extended 30 hours. Lunch is available at £2.50 a day.",
         schedules=[weekly("MO,TU,WE,TH,FR", "08:45", "15:15", notes=TERM_TIME)]),
    dict(key="bellevue-new-to-wakefield", name="New to Wakefield? Welcome Sessions",
         venue="bellevue", needs=["family_support"], kw=["moved", "GP registration", "refugees"],
         langs=("ar", "ro", "pl", "ur"),
         description="For families who have recently moved to the area, including refugees and "
                     "people seeking asylum. Find out about GP registration, school places, "
                     "health visitors and what's on locally. Volunteers speak Arabic, Romanian, "
                     "Polish and Urdu.",
         schedules=[monthly("10:00", "12:00", byday="2TH")]),
    dict(key="bellevue-womens-wellbeing", name="Women's Wellbeing Circle", venue="bellevue",
         needs=["parent_wellbeing"], kw=["women-only", "chai", "relaxation"], langs=("ur", "pa"),
         description="A friendly women-only group with gentle exercise, relaxation and a chat over "
                     "chai. Urdu and Punjabi spoken. Creche for under 5s.",
         schedules=[weekly("FR", "10:00", "12:00")]),
    dict(key="bellevue-esol", name="English for Parents (ESOL)", venue="bellevue",
         needs=["jobcentre_plus"], kw=["ESOL", "speaking", "Entry 1"],
         description="Improve your speaking, listening, reading and writing in a friendly class. "
                     "Free creche for under 5s. Entry 1 to Level 1; there is a short assessment "
                     "before you start.",
         schedules=[weekly("TU,TH", "09:30", "11:30", valid_from="2026-09-07",
                           valid_to="2027-07-16", notes=TERM_TIME)]),
    dict(key="bellevue-baby-bank", name="Baby Bank", venue="bellevue",
         needs=[], kw=["prams", "cots", "pre-loved"], org="babybank",
         cats=("Cost of Living Support",),
         description="Good-quality pre-loved baby clothes, prams, cots, Moses baskets, sterilisers "
                     "and toiletries, free to families who need them. We work by referral from a "
                     "health visitor, midwife, social worker or family hub worker and cannot "
                     "accept self-referrals.",
         schedules=[weekly("WE", "13:00", "15:00", notes="Collections by appointment only.")],
         contact=("Beverley Crowther", "Baby bank co-ordinator")),

    # --- Outwood Family Hub -------------------------------------------------------------------
    dict(key="outwood-healthy-child", name="0-19 Healthy Child Drop-in", venue="outwood",
         needs=["health_visiting"], kw=["growth", "baby weighing", "birth to 19"], org="health",
         description="Drop in for advice on any aspect of your child's health, growth or "
                     "development, from birth to 19. Baby weighing available.",
         schedules=[weekly("FR", "09:30", "11:30")]),
    dict(key="outwood-bumps-and-babies", name="Bumps and Babies", venue="outwood",
         needs=["antenatal", "parent_wellbeing"], kw=["parents-to-be", "same stage", "tips"],
         description="Relaxed group for parents-to-be and parents with babies under 6 months. "
                     "Meet people at the same stage as you and pick up tips from our family "
                     "practitioners.",
         schedules=[weekly("TH", "13:00", "14:30")]),
    dict(key="outwood-infant-feeding-team", name="Infant Feeding Team: One-to-One Support",
         venue="outwood", needs=["infant_feeding"], kw=["breastfeeding", "bottle feeding",
                                                         "self-referral"],
         ages=(0, 1), org="health",
         description="Specialist help with breastfeeding and bottle feeding in the first weeks, "
                     "including home visits where needed. Self-referral welcome.",
         schedules=[appointment("Monday to Friday, 9am to 4pm. Phone the team to arrange support "
                                "at home, at the hub or by phone.")]),
    dict(key="outwood-little-movers", name="Little Movers", venue="outwood",
         needs=["stay_and_play"], kw=["parachute", "action songs", "music"], ages=(1, 4),
         cats=(),
         description="Action songs, parachute games and music to get toddlers moving.",
         schedules=[weekly("TH", "10:00", "10:45")]),
    dict(key="outwood-sunflower-club", name="Sunflower Club", venue="outwood",
         needs=["disability_send", "stay_and_play"], kw=["SEND", "soft play", "quiet room"],
         ages=(0, 8),
         description="Inclusive Saturday play for children with SEND and their brothers and "
                     "sisters. Soft play, sensory toys and a quiet room. Parent carers can chat to "
                     "other families and to staff from the SEND Local Offer team.",
         schedules=[monthly("10:00", "12:00", byday="2SA,4SA")]),
    dict(key="outwood-uc-childcare", name="Universal Credit and Childcare Costs Drop-in",
         venue="outwood", needs=["jobcentre_plus"], kw=["85%", "childcare costs", "invoices"],
         org="jobcentre",
         description="Find out how Universal Credit can pay up to 85% of your childcare costs, "
                     "and how Tax-Free Childcare works. Bring any childcare invoices you have.",
         schedules=[monthly("10:00", "12:00", byday="3WE")]),
    dict(key="outwood-toddler-behaviour", name="Toddler Tantrums and Behaviour Workshop",
         venue="outwood", needs=["parenting_courses"], kw=["tantrums", "workshop", "practical"],
         description="One-off workshop on why toddlers have tantrums, with practical ideas to try "
                     "at home. It repeats every month, so come when it suits you.",
         schedules=[monthly("13:00", "14:30", byday="1WE")]),
    dict(key="outwood-ready-for-school", name="Getting Ready for School", venue="outwood",
         needs=["childcare_early_education"], kw=["reception", "lunch trays", "September"],
         ages=(3, 4),
         description="Summer term sessions for children starting reception in September and their "
                     "parents: practising lunch trays, coats and shoes, sharing and listening, "
                     "plus a Q&A with a reception teacher.",
         schedules=[weekly("WE", "13:30", "15:00", valid_from="2027-04-21", valid_to="2027-07-14",
                           notes="Summer term only.")]),
    dict(key="outwood-thinking-of-childminding", name="Thinking of Childminding?",
         venue="outwood", needs=["childminder_support"],
         kw=["start-up grants", "agency", "register"],
         description="Information evening on how to register with Ofsted or a childminder agency, "
                     "start-up grants, training and what the job is really like, from a local "
                     "childminder.",
         schedules=[monthly("18:30", "20:00", byday="3TU")]),

    # --- Wakefield Central Library ------------------------------------------------------------
    dict(key="library-bounce-and-rhyme", name="Bounce and Rhyme", venue="library",
         needs=["stay_and_play"], kw=["rhymes", "bouncing", "join the library"], ages=(0, 2),
         org="libraries", cats=("Libraries",),
         description="Rhymes, songs and bouncing fun for babies and toddlers. Free, no need to "
                     "book. Stay afterwards to choose some books; children can join the library "
                     "from birth.",
         schedules=[weekly("TU", "10:30", "11:00")]),
    dict(key="library-saturday-storytime", name="Saturday Storytime", venue="library",
         needs=["stay_and_play"], kw=["stories", "craft"], ages=(2, 5), org="libraries",
         cats=(),
         description="Stories and a craft for under 5s.",
         schedules=[weekly("SA", "11:00", "11:30")]),
    dict(key="library-dads-story-club", name="Dads' Story Club", venue="library",
         needs=["father_friendly", "stay_and_play"], kw=["story", "uncles", "rhyme"],
         ages=(0, 5), org="libraries", cats=("Libraries", "Dads"),
         description="A monthly story and rhyme session led by dads, for dads and their children. "
                     "Grandads, uncles and male carers are very welcome.",
         schedules=[monthly("10:00", "10:45", byday="3SA")]),
    dict(key="library-job-search-help", name="Job Search and CV Help", venue="library",
         needs=["jobcentre_plus"], kw=["CV", "apply", "email account"], org="libraries",
         cats=("Libraries", "Money and Work"),
         description="Volunteers can help you write or update your CV, search and apply for jobs "
                     "online, and set up an email account. Free computer use with your library "
                     "card.",
         schedules=[weekly("TH", "13:30", "15:30")]),
    dict(key="library-warm-welcome", name="Warm Welcome Space", venue="library",
         needs=[], kw=["warm", "Wi-Fi", "hot drinks"], org="libraries",
         cats=("Cost of Living Support", "Libraries"),
         description="Somewhere warm to sit, read, charge your phone and use free Wi-Fi, with free "
                     "hot drinks. November to March. Everyone is welcome, and nobody will ask "
                     "why you are here.",
         schedules=[weekly("MO,TU,WE,TH,FR", "10:00", "16:00", valid_from="2026-11-02",
                           valid_to="2027-03-26")]),
    dict(key="library-lego-club", name="Lego Club (ages 5-11)", venue="library",
         needs=[], kw=["Lego", "build"], ages=(5, 11), org="libraries", cats=("Libraries",),
         description="Build something brilliant! For children aged 5 to 11. Children under 8 must "
                     "be accompanied by an adult.",
         schedules=[weekly("SA", "14:00", "15:00")]),
    dict(key="library-childminder-book-boxes", name="Childminder Book Boxes", venue="library",
         needs=["childminder_support"], kw=["book box", "picture books", "themed"],
         org="libraries", cats=("Libraries",),
         description="Registered childminders can borrow a themed box of 30 picture books for six "
                     "weeks, free of charge. Collect from the children's library.",
         schedules=[appointment("Order online or at the children's desk, then collect during "
                                "library opening hours.")]),
    dict(key="library-relaxed-hour", name="Relaxed Library Hour", venue="library",
         needs=["disability_send"], kw=["quieter", "dimmed", "autistic"], org="libraries",
         cats=("Libraries", "SEND Local Offer"),
         description="The library opens an hour early with the lights dimmed and no announcements, "
                     "for children and adults who prefer a quieter space, including autistic "
                     "people and people with sensory needs.",
         schedules=[weekly("SA", "08:30", "09:30")]),

    # --- St Paul's Church Hall, Alverthorpe ------------------------------------------------------
    dict(key="stpauls-little-lambs", name="Little Lambs", venue="stpauls",
         needs=["stay_and_play"], kw=["toddler group", "toast", "singing"], ages=(0, 4),
         org="church", cost=paid(1.5, "£1.50 per family"), cats=(),
         description="Toddler group run by church volunteers. Toys, craft, singing and a snack for "
                     "the children, and tea and toast for the grown-ups. £1.50 per family. Term "
                     "time only.",
         schedules=[weekly("TU", "09:30", "11:30", notes=TERM_TIME)]),
    dict(key="stpauls-food-bank", name="Alverthorpe Food Bank", venue="stpauls",
         needs=[], kw=["food bank", "voucher", "emergency food"], org="foodshare",
         cats=("Cost of Living Support",),
         description="Three days' emergency food for families and individuals. Please bring a "
                     "food bank voucher; these are available from family hubs, Citizens Advice, "
                     "GP surgeries and other agencies. If you can't get a voucher, come anyway "
                     "and we will help.",
         schedules=[weekly("FR", "12:00", "14:00"), weekly("WE", "17:00", "18:30")],
         contact=("Alan Briggs", "Session leader")),
    dict(key="stpauls-parenting-puzzle", name="The Parenting Puzzle", venue="stpauls",
         needs=["parenting_courses"], kw=["boundaries", "praise", "self-esteem"],
         description="A 10-week evening course for parents and carers of children of any age. "
                     "Topics include praise, boundaries, self-esteem and looking after yourself. "
                     "Delivered by trained volunteers with the Family Hubs team.",
         schedules=[weekly("TH", "19:00", "21:00", valid_from="2027-01-14", valid_to="2027-03-18")]),
    dict(key="stpauls-coffee-morning", name="Parents' Coffee Morning", venue="stpauls",
         needs=["parent_wellbeing"], kw=["cake", "coffee", "play corner"], org="church",
         cats=(),
         description="Cake, coffee and good company. Bring the baby; there is a play corner.",
         schedules=[monthly("10:00", "11:30", byday="1FR")]),

    # --- Crigglestone Village Hall (outreach) -----------------------------------------------------
    dict(key="crigg-baby-clinic", name="Crigglestone Baby Clinic", venue="crigg",
         needs=["health_visiting"], kw=["village hall", "baby weighing"], ages=(0, 5),
         org="health",
         description="Monthly clinic in the village hall. Baby weighing and a chat with the health "
                     "visiting team, so you don't need to travel into Wakefield.",
         schedules=[monthly("13:30", "15:00", byday="2TU")]),
    dict(key="crigg-play-morning", name="Village Play Morning", venue="crigg",
         needs=["stay_and_play", "family_support"],
         kw=["outreach team", "every other Wednesday", "private word"], ages=(0, 4),
         description="The outreach team brings the toys to Crigglestone every other Wednesday. A "
                     "family practitioner is on hand if you'd like a private word about anything.",
         schedules=[fortnightly("WE", "09:30", "11:00")]),
    dict(key="crigg-villages-family-worker", name="Outlying Villages Family Worker",
         venue="crigg", needs=["family_support"], kw=["Durkar", "Netherton", "at home"],
         description="A family worker can meet you at home, at the village hall or somewhere else "
                     "nearby. Covering Crigglestone, Durkar, Painthorpe, Netherton, Middlestown "
                     "and the surrounding villages.",
         schedules=[appointment("By arrangement. Phone or email the outreach team.")]),
    dict(key="crigg-coffee-and-company", name="Coffee and Company", venue="crigg",
         needs=["parent_wellbeing"], kw=["get-together", "grandparents", "villages"], cats=(),
         description="A monthly get-together for parents, carers and grandparents in the villages. "
                     "Kids welcome.",
         schedules=[monthly("10:00", "11:30", byday="4TH")]),

    # --- Ossett Community Centre ----------------------------------------------------------------
    dict(key="ossett-baby-clinic", name="Ossett Baby Clinic", venue="ossett",
         needs=["health_visiting"], kw=["Horbury", "health visitor"], ages=(0, 5), org="health",
         description="Health visitor drop-in for Ossett and Horbury families.",
         schedules=[weekly("TU", "13:30", "15:30")]),
    dict(key="ossett-pregnancy-yoga", name="Pregnancy Yoga", venue="ossett",
         needs=["antenatal"], kw=["yoga", "14 weeks", "breathing"], org="ossett",
         cost=[paid(5, "£5 per class"), paid(25, "£25 for a block of six")],
         description="Gentle yoga for pregnancy from 14 weeks until birth: breathing, stretching "
                     "and positions for labour. £5 per class, or £25 for six. Bring a mat and a "
                     "cushion.",
         schedules=[weekly("MO", "19:00", "20:00")], contact=("Emma Walsh", "Yoga teacher")),
    dict(key="ossett-latte-club", name="The Latte Club", venue="ossett",
         needs=["infant_feeding"], kw=["cuppa", "breastfeeding peer supporters", "bottle-feeding"],
         ages=(0, 1), cats=(),
         description="Cuppa, cake and feeding support from trained breastfeeding peer supporters. "
                     "Bottle-feeding parents are welcome too.",
         schedules=[weekly("FR", "10:00", "11:30")]),
    dict(key="ossett-tots", name="Ossett Tots", venue="ossett",
         needs=["stay_and_play"], kw=["ride-on toys", "siblings", "hall"], ages=(0, 4),
         org="ossett", cost=paid(1, "£1 per child, siblings 50p"), cats=(),
         description="Run by parents for parents. Big hall, ride-on toys, a craft table and a "
                     "snack. £1 per child, siblings 50p.",
         schedules=[weekly("WE", "09:30", "11:00")]),
    dict(key="ossett-dads-walk", name="Dads' Walk and Talk", venue="ossett",
         needs=["father_friendly", "parent_wellbeing"], kw=["carriers", "walk", "brew"],
         description="A monthly walk from the community centre for dads and male carers. Bring the "
                     "kids in buggies or carriers. Ends with a brew.",
         schedules=[monthly("10:00", "11:30", byday="2SA")]),
    dict(key="ossett-job-club", name="Ossett Job Club", venue="ossett",
         needs=["jobcentre_plus"], kw=["interview practice", "laptops", "applications"],
         org="ossett", cats=("Money and Work",),
         description="Weekly club for anyone looking for work. Help with applications, interview "
                     "practice and free use of laptops. Tea and biscuits provided.",
         schedules=[weekly("WE", "13:00", "15:00")]),
    dict(key="ossett-parent-carers", name="Parent Carer Coffee Morning", venue="ossett",
         needs=["disability_send", "parent_wellbeing"],
         kw=["diagnosis", "guest speakers", "parent carer forum"],
         description="For parents and carers of children and young people with additional needs "
                     "or disabilities, with or without a diagnosis. Meet others, share "
                     "information and hear from guest speakers, including the local parent carer "
                     "forum.",
         schedules=[monthly("10:00", "12:00", byday="1WE")]),
    dict(key="ossett-kinship-carers", name="Kinship Carers Network", venue="ossett",
         needs=["family_support", "parent_wellbeing"],
         kw=["kinship", "legal orders", "allowances"],
         description="For grandparents, aunts, uncles, older brothers and sisters and friends who "
                     "are raising a child who cannot live with their parents. Advice on legal "
                     "orders and allowances, and a chance to meet others in the same situation.",
         schedules=[monthly("12:30", "14:30", byday="3TU")]),
    dict(key="ossett-childminder-drop-in", name="Childminder Drop-in", venue="ossett",
         needs=["childminder_support"], kw=["minded children", "Early Years adviser"],
         cats=(),
         description="Monthly drop-in for Ossett and Horbury childminders: play space for minded "
                     "children, a catch-up, and an Early Years adviser on hand for questions.",
         schedules=[monthly("09:30", "11:30", byday="2TH")]),
    dict(key="ossett-holiday-activities", name="Holiday Activities and Food (HAF)",
         venue="ossett", needs=["childcare_early_education"],
         kw=["holiday club", "healthy lunch", "free school meals"], ages=(5, 16),
         cost=[FREE, paid(15, "£15 a day for children not eligible for free school meals, "
                             "if places are left")],
         cats=("Play and Learning", "Cost of Living Support"),
         description="Free holiday club with activities and a healthy lunch for children aged 5 "
                     "to 16 who get benefits-related free school meals. Other children may be able "
                     "to book a paid place. Runs in the Easter, summer and Christmas holidays; "
                     "booking essential.",
         schedules=[weekly("MO,TU,WE,TH", "10:00", "14:00", valid_from="2027-03-29",
                           valid_to="2027-04-08", notes="Easter holidays. Summer dates to follow.")]),
]

# Some entries have not been checked for a while (the council shows "last reviewed" dates).
OLD_ASSURED = {
    "ossett-tots": "2025-10-14",
    "stpauls-coffee-morning": "2026-02-03",
    "library-lego-club": "2026-03-20",
}


# ---------------------------------------------------------------------------------------------
# Building the ORUK objects.
# ---------------------------------------------------------------------------------------------

def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(parts)))


def assured_date(key: str) -> str:
    """A stable date between 2026-06-01 and 2026-11-27, spread by the service key."""
    if key in OLD_ASSURED:
        return OLD_ASSURED[key]
    span = (date(2026, 11, 27) - date(2026, 6, 1)).days
    offset = int(hashlib.sha256(key.encode()).hexdigest(), 16) % (span + 1)
    return (date(2026, 6, 1) + timedelta(days=offset)).isoformat()


def build_locations() -> dict[str, dict[str, Any]]:
    locations = {}
    for key, (name, street, town, postcode, _phone, _email, features, about) in VENUES.items():
        loc_id = uid("location", key)
        lat, lon = POSTCODE_COORDINATES[postcode]
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
                "state_province": COUNTY,
                "postal_code": postcode,
                "country": "GB",
                "address_type": "physical",
            }],
            "accessibility": [
                {"id": uid("accessibility", key, label), "location_id": loc_id,
                 "description": label, "details": details}
                for label, details in features
            ],
        }
    return locations


def build_organisations() -> dict[str, dict[str, Any]]:
    return {key: {"id": uid("organization", key),
                  **{k: v for k, v in org.items() if k != "phone"}}
            for key, org in ORGANISATIONS.items()}


def council_taxonomy_id() -> str:
    return uid("taxonomy", COUNCIL_TAXONOMY["name"])


def council_term(name: str) -> dict[str, Any]:
    return {"id": uid("taxonomy_term", name), "name": name,
            "description": COUNCIL_CATEGORIES[name],
            "taxonomy": COUNCIL_TAXONOMY["name"], "taxonomy_id": council_taxonomy_id()}


def council_categories(row: dict[str, Any]) -> list[str]:
    """The council's own categories for a service: its ``cats``, or those of its needs."""
    if "cats" in row:
        return list(row["cats"])
    return list(dict.fromkeys(NEED_CATEGORY[need] for need in row["needs"]))


def build_service(row: dict[str, Any], locations: dict[str, dict[str, Any]],
                  organisations: dict[str, dict[str, Any]], *, signpost_terms: bool
                  ) -> dict[str, Any]:
    key = row["key"]
    service_id = uid("service", key)
    venue = row["venue"]
    venue_name, _street, _town, _postcode, venue_phone, email_user, _f, _a = VENUES[venue]
    org_key = row.get("org", "council")
    org = organisations[org_key]
    phone = ORGANISATIONS[org_key].get("phone")
    assured = row.get("assured") or assured_date(key)
    costs = row.get("cost", FREE)
    costs = costs if isinstance(costs, list) else [costs]
    lead = row.get("contact") or VENUE_LEADS[venue]
    langs = row.get("langs", ())

    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": org["id"],
        "name": row["name"],
        "description": row["description"],
        "url": f"{SITE}/services/{key}",
        "email": f"{email_user}@{MAIL}" if org_key == "council" else org["email"],
        "status": "active",
    }
    if "ages" in row:
        service["minimum_age"], service["maximum_age"] = row["ages"]
    if signpost_terms:
        taxonomy = load_taxonomy()
        attributes = [
            {"id": uid("attribute", key, term_id), "link_id": service_id,
             "taxonomy_term_id": term_id,
             "taxonomy_term": taxonomy.term(term_id).as_oruk(taxonomy.id, taxonomy.name)}
            for term_id in row["needs"]]
    else:
        attributes = []
        for name in council_categories(row):
            term = council_term(name)
            attributes.append({"id": uid("attribute", key, term["id"]), "link_id": service_id,
                               "taxonomy_term_id": term["id"], "taxonomy_term": term})
    service.update({
        "assured_date": assured,
        "assurer_email": f"{email_user}@{MAIL}",
        "last_modified": f"{assured}T09:00:00Z",
        "schedules": [{"id": uid("schedule", key, str(i)), "service_id": service_id, **sched}
                      for i, sched in enumerate(row["schedules"])],
        "service_at_locations": [{
            "id": uid("service_at_location", key),
            "service_id": service_id,
            "location_id": locations[venue]["id"],
            "location": locations[venue],
        }],
        "languages": [{"id": uid("language", key, code), "service_id": service_id,
                       "name": LANGUAGES[code], "code": code}
                      for code in (("en",) + tuple(langs) if langs else ())],
        "phones": [{"id": uid("phone", key), "number": phone or venue_phone,
                    "description": (org["name"] if phone else f"{venue_name} reception")}],
        "organization": org,
        "cost_options": [
            {"id": uid("cost_option", key, str(i)), "service_id": service_id, "option": option,
             "amount": amount, **({"amount_description": what} if what else {})}
            for i, (option, amount, what) in enumerate(costs)
        ],
        "contacts": [{"id": uid("contact", key), "service_id": service_id,
                      "name": lead[0], "title": lead[1]}],
        "attributes": attributes,
    })
    return service


def build(*, signpost_terms: bool = True) -> list[dict[str, Any]]:
    """The whole directory, in table order."""
    locations = build_locations()
    organisations = build_organisations()
    return [build_service(row, locations, organisations, signpost_terms=signpost_terms)
            for row in SERVICES]


def render(services: list[dict[str, Any]]) -> str:
    return json.dumps(services, indent=2, ensure_ascii=False) + "\n"


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def render_answer_key() -> str:
    lines = [
        "# Answer key for second_directory.json and second_directory_no_terms.json (same ids).",
        "# Written by build_second.py from its SERVICES table: do not edit by hand.",
        "#",
        "# services.<service id>:",
        "#   needs:    the Signpost need ids (directory/taxonomy.yml) that truly fit the service;",
        "#             empty for services outside the core offer (food bank, warm space...).",
        "#             second_directory.json carries exactly these as signpost-core-offer terms.",
        "#   keywords: words from the service's own name or description that a free-text",
        "#             search should find it by.",
        "town: Wakefield",
        "services:",
    ]
    for row in SERVICES:
        lines += [
            f"  {uid('service', row['key'])}:",
            f"    key: {row['key']}",
            f"    name: {_yaml_str(row['name'])}",
            f"    venue: {_yaml_str(VENUES[row['venue']][0])}",
            f"    needs: [{', '.join(row['needs'])}]",
            f"    keywords: [{', '.join(_yaml_str(k) for k in row['kw'])}]",
        ]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    return {
        OUTPUT: render(build(signpost_terms=True)),
        OUTPUT_NO_TERMS: render(build(signpost_terms=False)),
        ANSWER_KEY: render_answer_key(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="don't write; exit 1 if a committed file differs from a fresh build")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"Wrote {path}")
    if stale:
        print(f"Out of date: {', '.join(stale)}. Run build_second.py.", file=sys.stderr)
        return 1
    if args.check:
        print("The second directory files are up to date.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
