"""The kinds of disclosure Signpost answers with safety help: one list for every part.

The rules, the learned detector, the Rasa intents (``safety_<category>``), the replies and the
evaluation all read this module. To add a category, see docs/safety.md ("Adding a category").
"""

from __future__ import annotations

CATEGORIES = (
    "child_harm",                # a child hurt, abused, neglected, missing or taken
    "domestic_abuse",            # abuse or control by a partner, ex or family member
    "self_harm",                 # suicidal thoughts, self-harm, an overdose
    "medical",                   # a medical emergency: 999 now
    "parent_fear",               # a parent afraid they may hurt their child
    "perinatal_mental_health",   # frightening thoughts or feelings in pregnancy or after a birth
    "urgent_health",             # urgent but not 999: a head injury, a high temperature ... NHS 111
    "urgent_need",               # no food, no heating, no home tonight: same-day help
)
LEVELS = ("emergency", "urgent")
#: When a message fits more than one category, the reply leads with the first of these.
PRIORITY = ("medical", "self_harm", "child_harm", "domestic_abuse", "parent_fear",
            "perinatal_mental_health", "urgent_health", "urgent_need")
#: Always danger now: the reply starts with 999 whatever else the message says.
ALWAYS_EMERGENCY = frozenset({"medical"})
#: Never an emergency on their own (a 999 sign makes it ``medical`` instead).
NEVER_EMERGENCY = frozenset({"urgent_health", "urgent_need"})

assert set(PRIORITY) == set(CATEGORIES)
