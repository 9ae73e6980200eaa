"""Every word Signpost can say, checked for the stigma list and for reading age.

Covers each response in ``domain/*.yml`` and each text ``actions/replies.py`` can build,
rendered with real services from the sample directory. Plain English for a reading age of
about 9 means a Flesch-Kincaid grade of 6 or less, per message.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import textstat
import yaml

from actions import replies
from directory.opening_hours import CentreHours
from common.settings import DEFAULT_MAIN_LINE as MAIN_LINE
from common.settings import DEFAULT_MAIN_LINE_HOURS as MAIN_LINE_HOURS
from directory.db import open_db
from directory.language import stigma_phrases_in
from directory.oruk import import_oruk, load_json_file
from directory.search import SearchQuery, search
from directory.taxonomy import load_taxonomy

_WEDNESDAY = datetime(2026, 12, 2, 18, tzinfo=timezone.utc)

ROOT = Path(__file__).resolve().parents[2]
MAX_GRADE = 6.0


def domain_texts() -> list[tuple[str, str, bool]]:
    """(where, text, is_safety) for every response variation and button title."""
    found = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text()) or {}).get("responses") or {}
        for name, variations in responses.items():
            for variation in variations:
                if variation.get("text"):
                    found.append((f"{path.name}:{name}", variation["text"],
                                  path.name == "safety.yml"))
    return found


@pytest.fixture(scope="module")
def sample_results(tmp_path_factory) -> dict[str, list[dict]]:
    db = open_db(tmp_path_factory.mktemp("lang") / "directory.db")
    import_oruk(db, load_json_file(ROOT / "directory" / "sample" / "sample_directory.json"))
    return {term: search(db, SearchQuery(terms=[term], near="Darwen", limit=3))
            for term in load_taxonomy().ids}


def action_texts(sample_results: dict[str, list[dict]]) -> list[tuple[str, str]]:
    taxonomy = load_taxonomy()
    out: list[tuple[str, str]] = []
    for term, page in sample_results.items():
        query = {"terms": [term], "near": "darwen", "days": ["SA"], "time_of_day": "morning",
                 "free": True, "father": term == "father_friendly"}
        out += [
            (f"results {term}", replies.results(taxonomy, query, page, total=9).text),
            (f"results 1 {term}", replies.results(taxonomy, query, page[:1], total=1).text),
            (f"more {term}", replies.results(taxonomy, query, page, total=9, offset=3).text),
            (f"widened {term}", replies.results(taxonomy, query, page, total=3,
                                                widened=replies.widened_related(taxonomy, query)).text),
            (f"no results {term}", replies.no_results(taxonomy, query).text),
            (f"no more {term}", replies.no_more_results(taxonomy, query).text),
            (f"ask place {term}", replies.ask_place(taxonomy, [term]).text),
            (f"offer to find {term}", replies.offer_to_find(taxonomy, term).text),
            (f"nearest {term}", replies.results(taxonomy, query, page, total=3,
                                                widened=replies.nearest_intro(taxonomy, term)).text),
        ]
    query = {"terms": ["stay_and_play"], "near": "BB3", "days": ["SA", "SU"]}
    out += [
        ("widened days", replies.widened_days(query)),
        ("widened distance", replies.widened_distance()),
        ("widened cost", replies.widened_cost()),
        ("unknown place", replies.unknown_place("Darwn", ["Darwen"]).text),
        ("unknown place, 3 ideas", replies.unknown_place("Blakburn", ["Blackburn", "BB1", "BB2"]).text),
        ("unknown place, no ideas", replies.unknown_place("Zzz", []).text),
        ("ask day", replies.ask_day().text),
        ("handoff centre", replies.handoff(centre="Darwen Family Hub", phone="01254 222333",
                                           main_line=MAIN_LINE, hours=MAIN_LINE_HOURS).text),
        ("handoff centre open", replies.handoff(
            centre="Darwen Family Hub", phone="01254 222333", main_line=MAIN_LINE,
            hours=MAIN_LINE_HOURS, now=_WEDNESDAY,
            centre_hours=CentreHours("Monday to Friday, 9am to 5pm", True, None, None)).text),
        ("handoff centre closed", replies.handoff(
            centre="Darwen Family Hub", phone="01254 222333", main_line=MAIN_LINE,
            hours=MAIN_LINE_HOURS, now=_WEDNESDAY,
            centre_hours=CentreHours("Monday to Friday, 9am to 5pm", False, None,
                                     _WEDNESDAY + timedelta(hours=15))).text),
        ("results in a named week", replies.results(
            taxonomy, {"terms": [], "near": "BB3", "when": "in the week of 21 December"},
            next(iter(sample_results.values())), total=3).text),
        ("handoff main line", replies.handoff(centre=None, phone=None, main_line=MAIN_LINE,
                                              hours=MAIN_LINE_HOURS).text),
        ("search failed", replies.search_failed().text),
        ("nothing closer", replies.nothing_closer().text),
        ("ask place, no need", replies.ask_place(taxonomy, []).text),
        ("what is on nearby", replies.results(taxonomy, {"terms": [], "near": "Darwen"},
                                              next(iter(sample_results.values())), total=9,
                                              then=replies.how_to_narrow()).text),
        ("not understood twice", replies.not_understood_twice(
            centre=None, phone=None, main_line=MAIN_LINE, hours=MAIN_LINE_HOURS).text),
    ]
    for circumstance in taxonomy.circumstances:
        if circumstance.says:
            out.append((f"circumstance {circumstance.id}", circumstance.says))
    return out


def test_no_response_template_uses_a_stigma_phrase():
    bad = [(where, stigma_phrases_in(text, safety=safety))
           for where, text, safety in domain_texts() if stigma_phrases_in(text, safety=safety)]
    assert not bad


def test_every_response_template_reads_at_grade_6_or_below():
    hard = [(where, textstat.flesch_kincaid_grade(text), text)
            for where, text, _ in domain_texts() if textstat.flesch_kincaid_grade(text) > MAX_GRADE]
    assert not hard


def test_no_action_reply_uses_a_stigma_phrase(sample_results):
    bad = [(where, stigma_phrases_in(text)) for where, text in action_texts(sample_results)
           if stigma_phrases_in(text)]
    assert not bad


def test_every_action_reply_reads_at_grade_6_or_below(sample_results):
    texts = action_texts(sample_results)
    assert len(texts) > 60
    hard = [(where, textstat.flesch_kincaid_grade(text), text) for where, text in texts
            if textstat.flesch_kincaid_grade(text) > MAX_GRADE]
    assert not hard


def test_replies_speak_to_mums_dads_and_carers_alike(sample_results):
    taxonomy = load_taxonomy()
    text = replies.results(taxonomy, {"terms": ["stay_and_play"], "near": "Darwen"},
                           sample_results["stay_and_play"], total=3).text
    assert "mums, dads and carers" in text
    greeting = yaml.safe_load((ROOT / "domain" / "core.yml").read_text())["responses"]["utter_greet"]
    assert "chatbot" in greeting[0]["text"]
