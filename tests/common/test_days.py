"""Days and times of day are written one way everywhere: ``common/days.py`` has the only copy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.days import DAY_CODES, day_code, days_in, days_words, time_of_day

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, code", [
    ("MO", "MO"), ("sa", "SA"), ("Monday", "MO"), ("saturday", "SA"), ("Saturdays", "SA"),
    ("Tues", "TU"), ("weds", "WE"), ("thur", "TH"), ("sun", "SU"), ("sats", "SA"),
    (" Friday ", "FR"),
])
def test_a_day_written_any_usual_way_is_its_code(text, code):
    assert day_code(text) == code


@pytest.mark.parametrize("text", ["Funday", "satisfied", "", "weekend", "M"])
def test_what_is_not_one_day_has_no_code(text):
    assert day_code(text) is None


def test_weekends_weekdays_and_names_in_a_value_become_codes_in_week_order():
    assert days_in(["weekend"]) == ["SA", "SU"]
    assert days_in(["weekdays"]) == list(DAY_CODES[:5])
    assert days_in(["SU", "saturday", "MO"]) == ["MO", "SA", "SU"]
    assert days_in(["saturdays please"]) == ["SA"]
    assert days_in(["satisfied"]) == []


def test_times_of_day_split_at_noon_and_five():
    assert [time_of_day(m) for m in (0, 719, 720, 1019, 1020, 1439)] == [
        "morning", "morning", "afternoon", "afternoon", "evening", "evening"]


def test_days_in_words():
    assert days_words(["SA", "SU"]) == "at the weekend"
    assert days_words(["FR", "MO"]) == "on Monday or Friday"
    assert days_words([]) == ""


#: Where a day list may still be spelt out: the one copy, a shipped migration (never edited),
#: and the NLU training templates (words parents type, not the vocabulary).
ALLOWED = {"common/days.py", "directory/schema.py", "bot/nlu/generate.py"}
COPY = re.compile(r"""["']MO["'],\s*["']TU["']|["']Monday["']|"mon":\s*"MO"|["']morning["'],\s*["']afternoon["']""")


def test_no_module_keeps_its_own_copy_of_the_day_or_time_vocabulary():
    copies = []
    for folder in ("common", "directory", "bot", "actions", "web", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            name = path.relative_to(ROOT).as_posix()
            if name in ALLOWED or "/safety/" in name:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if COPY.search(line):
                    copies.append(f"{name}:{number}: {line.strip()}")
    assert not copies, "use common.days instead of:\n" + "\n".join(copies)
