"""The trained model understands parents the way they write: intent, need, age, place, day.

Needs models/signpost.tar.gz (`make test` trains it first through scripts/train.sh).
"""

import asyncio
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "signpost.tar.gz"

pytestmark = pytest.mark.skipif(not MODEL.exists(),
                                reason="no trained model in models/ (run scripts/train.sh or `make test`)")


@pytest.fixture(scope="module")
def parse(tmp_path_factory):
    from rasa.core.agent import Agent

    old_cwd, old_db = os.getcwd(), os.environ.get("SIGNPOST_DIRECTORY_DB")
    os.chdir(ROOT)  # config.yml loads the spaCy model from var/ relative to the repo
    os.environ["SIGNPOST_DIRECTORY_DB"] = str(tmp_path_factory.mktemp("dir") / "none.db")
    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()
    os.chdir(old_cwd)
    if old_db is None:
        os.environ.pop("SIGNPOST_DIRECTORY_DB", None)
    else:
        os.environ["SIGNPOST_DIRECTORY_DB"] = old_db


def ents(result, kind):
    return [e["value"] for e in result["entities"] if e["entity"] == kind]


@pytest.mark.parametrize("text, need", [
    ("any dads groups on a sat near darwen", "father_friendly"),
    ("is there a baby massage class near me", "stay_and_play"),
    ("i want to go back to work but childcare costs so much", "jobcentre_plus"),
    ("my baby wont latch any breastfeeding help", "infant_feeding"),
    ("looking for a childminder in blackburn", "childminder_support"),
    ("feeling really lonely since the baby came", "parent_wellbeing"),
    ("antenatal classes in the evening", "antenatal"),
])
def test_find_service_with_the_need(parse, text, need):
    result = parse(text)
    assert result["intent"]["name"] == "find_service"
    assert need in ents(result, "need")


def test_a_whole_request_is_understood(parse):
    result = parse("any free dads groups on a sat morning near darwen for my 18 month old")
    assert result["intent"]["name"] == "find_service"
    assert ents(result, "need") == ["father_friendly"]
    assert ents(result, "day") == ["SA"]
    assert ents(result, "time_of_day") == ["morning"]
    assert ents(result, "cost") == ["free"]
    assert ents(result, "child_age") == [18]
    assert ents(result, "place") == ["Darwen"]


def test_lo_review_needs_health_visiting_and_age(parse):
    result = parse("LO is 9 months and hasnt had her review")
    assert "health_visiting" in ents(result, "need")
    assert ents(result, "child_age") == [9]


@pytest.mark.parametrize("text, intent", [
    ("hiya", "greet"),
    ("ta ra", "goodbye"),
    ("thanks thats brill", "thanks"),
    ("yes please", "affirm"),
    ("nah", "deny"),
    ("r u a real person", "bot_challenge"),
    ("can i talk to someone please", "request_human"),
    ("what about saturday", "refine_search"),
    ("free ones only", "refine_search"),
    ("anything closer", "refine_search"),
    ("show me others", "more_results"),
    ("bb3", "give_location"),
    ("im in darwen", "give_location"),
    ("she's 2", "give_child_age"),
    ("18 months", "give_child_age"),
    ("whats the weather tomorrow", "out_of_scope"),
])
def test_conversation_moves(parse, text, intent):
    assert parse(text)["intent"]["name"] == intent


@pytest.mark.parametrize("text, answer", [
    ("what is a health visitor", "what_is_health_visitor"),
    ("how do the 15 and 30 free hours work", "free_hours_15_30"),
    ("what is portage", "what_is_portage"),
    ("whats an ehcp", "what_is_ehcp"),
    ("who is the family nurse partnership for", "family_nurse_partnership"),
    ("what is tax free childcare", "tax_free_childcare"),
])
def test_core_offer_questions_pick_the_right_answer(parse, text, answer):
    result = parse(text)
    assert result["intent"]["name"] == "ask_core_offer_info"
    picked = result["response_selector"]["ask_core_offer_info"]["response"]["intent_response_key"]
    assert picked == f"ask_core_offer_info/{answer}"


def test_pregnancy_and_place_from_a_postcode(parse):
    result = parse("im 20 weeks pregnant and live in bb3 1ab")
    assert ents(result, "pregnant") == [True]
    assert ents(result, "place") == ["BB3 1AB"]
    assert ents(result, "child_age") == []
