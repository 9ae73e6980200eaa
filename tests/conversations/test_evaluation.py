"""The conversation evaluation's own logic (``evaluation/``), without a running stack: filling
the set's places, judging replies, dead ends, the answer keys, the baseline's ranking and the
figures. A judge that is wrong makes every figure wrong, so each rule here is pinned down.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import yaml

from evaluation import baseline
from evaluation.answer_key import KeyedService, load_answer_key
from evaluation.conversation_set import (Conversation, Directory, Expected, directories, fill,
                                         load_multi, load_set, load_singles, without_places)
from evaluation.conversations import (ask_baseline, check_targets, prepare_directory,
                                      summarise, talk)
from evaluation.judging import (ReplyKinds, gives_phone, has_dead_end, judge_reply,
                                judge_services, says_word, services_in)

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = {}
for _path in (ROOT / "domain").glob("*.yml"):
    DOMAIN.update((yaml.safe_load(_path.read_text(encoding="utf-8")) or {}).get("responses") or {})


def domain_text(name: str) -> str:
    return DOMAIN[name][0]["text"]


def said(text: str) -> list[dict]:
    return [{"recipient_id": "x", "text": text}]


def shows(*ids: str, phone: str | None = None) -> list[dict]:
    cards = [{"id": sid, "name": sid, "phone": phone} for sid in ids]
    return [{"recipient_id": "x", "text": "Here are 3 services near Town."},
            {"recipient_id": "x", "custom": {"type": "services", "services": cards}}]


KEY = {
    "clinic": KeyedService("clinic", "Child Health Clinic", "Get your baby weighed. Drop-in.",
                           frozenset({"health_visiting"}), frozenset({"MO"})),
    "play": KeyedService("play", "Messy Play", "Paint and sand for toddlers.",
                         frozenset({"stay_and_play"}), frozenset({"SA"})),
    "work": KeyedService("work", "Work Club", "Help with your CVS and job search.",
                         frozenset({"jobcentre_plus"}), frozenset(), any_day=True),
    "food": KeyedService("food", "Food Bank", "Free food parcels.", frozenset(), frozenset()),
}
SAMPLE_PLACES = {"town": "Blackburn", "postcode": "BB2 1NE", "district": "BB1",
                 "village": "Hoddlesden", "other_town": "Darwen"}


# --- placeholders -----------------------------------------------------------------------------

def test_fill_puts_this_directorys_places_in():
    assert fill("baby groups near {postcode} or in {other_town}", SAMPLE_PLACES) == \
        "baby groups near BB2 1NE or in Darwen"


@pytest.mark.parametrize("template", ["groups in {city}", "groups in {village}"])
def test_fill_refuses_a_placeholder_it_cannot_fill(template):
    with pytest.raises(ValueError, match="city|village"):
        fill(template, {"town": "Blackburn"})


def test_every_item_fills_for_every_directory_with_no_braces_left():
    for directory in directories():
        for conversation in load_set():
            for turn in conversation.turns:
                assert not re.search(r"[{}]", fill(turn, directory.places)), (directory.name,
                                                                              conversation.id)


def test_the_baseline_gets_the_words_without_the_place():
    assert without_places("any sleep help round {town}?") == "any sleep help round?"
    assert without_places("{postcode}") == ""


def test_the_set_is_read_whole_with_its_patterns_and_days():
    singles, multi = load_singles(), load_multi()
    assert len(singles) >= 200 and len(multi) >= 40
    assert all(m.pattern for m in multi)
    by_id = {c.id: c for c in singles + multi}
    assert by_id["m001"].pattern == "faq_then_place"
    assert by_id["m019"].expected.days == frozenset({"SA"})
    assert by_id["m043"].expected.human
    assert by_id["m023"].last_place == "village"  # "is there one nearer? im in {village}"
    assert by_id["s005"].names_place is False
    assert by_id["s236"].language == "ur"


def test_a_single_whose_place_field_disagrees_with_its_text_is_refused(tmp_path):
    path = tmp_path / "single.yml"
    path.write_text("- id: x1\n  text: 'baby groups in {town}'\n  needs: [stay_and_play]\n"
                    "  words: []\n  place: none\n")
    with pytest.raises(ValueError, match="x1"):
        load_singles(path)


def test_three_directories_the_copy_without_terms_shares_the_second_key():
    found = {d.name: d for d in directories()}
    assert list(found) == ["sample", "second", "second_no_terms"]
    assert found["sample"].answer_key_file is None
    assert found["second_no_terms"].answer_key_file == found["second"].answer_key_file
    assert found["second_no_terms"].oruk_file != found["second"].oruk_file


# --- answer keys ------------------------------------------------------------------------------

def test_the_samples_key_is_its_signpost_terms():
    key = load_answer_key(directories()[0])
    by_name = {s.name: s for s in key.values()}
    assert by_name["Baby Clinic at Blackburn Central Family Hub"].needs == {"health_visiting"}
    assert by_name["Baby Clinic at Blackburn Central Family Hub"].days == {"MO"}


def test_the_copy_without_terms_is_judged_by_the_same_true_needs():
    found = {d.name: d for d in directories()}
    with_terms, no_terms = (load_answer_key(found["second"]),
                            load_answer_key(found["second_no_terms"]))
    assert {k: v.needs for k, v in with_terms.items()} == {k: v.needs for k, v in no_terms.items()}
    assert any(not v.needs for v in no_terms.values())  # the food bank and friends


# --- judging ----------------------------------------------------------------------------------

def test_a_right_need_in_the_first_three_is_right_and_fourth_is_not():
    expected = Expected(needs=frozenset({"stay_and_play"}))
    assert judge_reply(shows("clinic", "work", "play"), expected, KEY).right_id == "play"
    assert not judge_services(["clinic", "work", "food", "play"], expected, KEY).right


def test_the_services_payload_is_read_among_text_messages():
    assert [s["id"] for s in services_in(shows("clinic", "play"))] == ["clinic", "play"]
    assert services_in(said("Where should I look?")) == []
    assert not judge_reply(said("Messy Play is great"), Expected(frozenset({"stay_and_play"})),
                           KEY).right


def test_a_word_counts_at_the_start_of_a_word_of_the_services_own_text():
    assert says_word("Get your baby weighed", "weigh")
    assert says_word("Drop-in, no need to book", "drop in")
    assert says_word("Write your CV, then apply", "cv")
    assert not says_word("Help with job search", "cv")
    assert not says_word("a service", "vice")
    expected = Expected(needs=frozenset({"antenatal"}), words=("weigh",))
    assert judge_services(["food", "clinic"], expected, KEY).right_id == "clinic"
    assert not judge_services(["food", "unknown-id"], expected, KEY).right


def test_a_person_asked_for_needs_a_phone_number_not_a_service_card():
    expected = Expected(needs=frozenset({"health_visiting"}), human=True)
    assert judge_reply(said("Call the family hubs team on 01254 666444, 9am to 5pm."),
                       expected, KEY).right
    assert judge_reply([{"custom": {"type": "handoff", "phone": "01632 960560"}}],
                       expected, KEY).right
    assert not judge_reply(shows("clinic", phone="01632 960100"), expected, KEY).right
    assert not gives_phone(said("Call 999 or Samaritans on 116 123 in 2 years"))


def test_the_day_asked_is_checked_on_the_right_service():
    on_saturday = Expected(needs=frozenset({"stay_and_play", "jobcentre_plus"}),
                           days=frozenset({"SA"}))
    assert judge_services(["play"], on_saturday, KEY).on_a_day_asked is True
    assert judge_services(["work"], on_saturday, KEY).on_a_day_asked is True  # by appointment
    on_friday = Expected(needs=frozenset({"health_visiting"}), days=frozenset({"FR"}))
    assert judge_services(["clinic"], on_friday, KEY).on_a_day_asked is False
    assert judge_services(["clinic"], Expected(frozenset({"health_visiting"})),
                          KEY).on_a_day_asked is None


# --- generic prompts and dead ends ------------------------------------------------------------

@pytest.fixture(scope="module")
def kinds() -> ReplyKinds:
    return ReplyKinds()


@pytest.mark.parametrize("response", ["utter_default", "utter_ask_need",
                                      "utter_ask_what_help", "utter_out_of_scope"])
def test_the_domains_generic_prompts_are_generic(kinds, response):
    assert kinds.is_generic(said(domain_text(response)))
    assert kinds.kind(said(domain_text(response))) == response


def test_questions_answers_and_results_are_not_generic(kinds):
    assert not kinds.is_generic(said(ASK_PLACE))
    faq = domain_text("utter_ask_core_offer_info/what_is_health_visitor")
    assert not kinds.is_generic(said(faq)) and kinds.kind(said(faq)) == "faq_answer"
    assert not kinds.is_generic(said(faq) + said(domain_text("utter_ask_need")))
    assert not kinds.is_generic(shows("clinic"))
    assert not kinds.is_generic([])
    assert kinds.kind(said("I couldn't find Wakefeld. Did you mean Wakefield?")) == \
        "unknown_place"


def test_a_dead_end_is_two_generic_prompts_in_a_row():
    assert has_dead_end([False, True, True])
    assert not has_dead_end([True, False, True])
    assert not has_dead_end([True])


# --- talking (with a scripted bot instead of a stack) -----------------------------------------

def scripted(*replies: list[dict]):
    sent: list[tuple[str, str]] = []
    queue = list(replies)

    def say(sender: str, text: str) -> list[dict]:
        sent.append((sender, text))
        return queue.pop(0)

    say.sent = sent  # type: ignore[attr-defined]
    return say


#: The frame's "where?" question (actions/replies.py ask_place), as the parent sees it.
ASK_PLACE = "Where should I look for stay and play sessions? Tell me your town or postcode, like Darwen or BB3."
SAMPLE_DIRECTORY = Directory("sample", "sample (Blackburn)", Path("unused.json"), SAMPLE_PLACES)
PLAY = Expected(needs=frozenset({"stay_and_play"}))


def test_a_message_with_no_place_gets_the_town_when_the_bot_asks(kinds):
    single = Conversation("t1", "single", ("somewhere for my toddler to play",), PLAY)
    say = scripted(said(ASK_PLACE), shows("play"))
    outcome = talk(say, single, SAMPLE_DIRECTORY, KEY, kinds, "sender-1")
    assert [text for _, text in say.sent] == ["somewhere for my toddler to play", "Blackburn"]
    assert {sender for sender, _ in say.sent} == {"sender-1"}
    assert outcome.right and outcome.turns_to_result == 2


def test_a_message_with_no_place_answered_at_once_gets_no_second_turn(kinds):
    single = Conversation("t1", "single", ("somewhere for my toddler to play",), PLAY)
    say = scripted(shows("play"))
    outcome = talk(say, single, SAMPLE_DIRECTORY, KEY, kinds, "s")
    assert len(say.sent) == 1 and outcome.right and outcome.turns_to_result == 1


def test_a_message_with_a_place_is_judged_on_its_first_reply(kinds):
    single = Conversation("t2", "single", ("toddler play in {other_town}",), PLAY)
    say = scripted(said(domain_text("utter_ask_age")))
    outcome = talk(say, single, SAMPLE_DIRECTORY, KEY, kinds, "s")
    assert say.sent == [("s", "toddler play in Darwen")]
    assert not outcome.right and outcome.turns_to_result is None
    assert outcome.final_kind == "utter_ask_age"


def test_a_conversation_is_judged_on_its_last_reply_and_its_dead_ends_counted(kinds):
    conversation = Conversation("t3", "multi", ("hi", "{postcode}", "play", "more"), PLAY)
    generic = said(domain_text("utter_default"))
    say = scripted(generic, said(domain_text("utter_ask_need")), shows("play"),
                   shows("clinic"))
    outcome = talk(say, conversation, SAMPLE_DIRECTORY, KEY, kinds, "s")
    assert outcome.dead_end and outcome.turns_to_result == 3 and not outcome.right
    assert outcome.kinds == ["utter_default", "utter_ask_need", "services",
                             "services"]


def test_a_failed_request_is_a_wrong_answer_not_a_crash(kinds):
    def say(sender: str, text: str) -> list[dict]:
        raise ConnectionRefusedError("Rasa is down")

    outcome = talk(say, Conversation("t4", "single", ("play {town}",), PLAY),
                   SAMPLE_DIRECTORY, KEY, kinds, "s")
    assert not outcome.right and outcome.final_kind == "error" and "Rasa" in outcome.error


# --- the baseline -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    from common.settings import Settings
    from directory.db import Directory

    path = tmp_path_factory.mktemp("baseline") / "directory.db"
    prepare_directory(path, directories()[0].oruk_file)
    geo = Settings.from_env().geo_db
    directory = Directory.open(path, geo if geo.is_absolute() else ROOT / geo)
    yield directory
    directory.close()


def _names(directory, ids):
    return [directory.db.execute("SELECT name FROM service WHERE id = ?", [i]).fetchone()[0]
            for i in ids]


def test_the_baseline_ranks_the_services_own_words_first(sample_db):
    area = baseline.candidates(sample_db, near="Blackburn")
    ranked = baseline.rank(sample_db, "sensory room", area)
    assert _names(sample_db, ranked)[0] == "Inclusive Play in the Sensory Room"
    assert baseline.rank(sample_db, "the and of", area) == []


def test_the_baseline_keeps_to_the_place_and_the_age(sample_db):
    everywhere = baseline.candidates(sample_db, near="Darwen")
    close = baseline.candidates(sample_db, near="Darwen", radius_km=1.0)
    assert close and len(close) < len(everywhere)
    assert all(distance <= 1.0 for distance in close.values())
    babies = baseline.candidates(sample_db, near="Darwen", age_months=3)
    assert "Chatterbox Talking Drop-in" in _names(sample_db, everywhere)  # from age 1
    assert "Chatterbox Talking Drop-in" not in _names(sample_db, babies)


def test_equal_scores_go_nearest_first(sample_db):
    area = {"a": 5.0, "b": 1.0, "c": None}
    scores = {"a": 2.0, "b": 2.0, "c": 2.0}
    original = baseline.bm25_scores
    baseline.bm25_scores = lambda db, text, ids: dict(scores)
    try:
        assert baseline.rank(sample_db, "anything", area) == ["b", "a", "c"]
    finally:
        baseline.bm25_scores = original


def test_the_baseline_reads_the_whole_conversation_and_cannot_hand_over(sample_db):
    key = load_answer_key(directories()[0])
    talks = Conversation("t5", "multi", ("hi", "sensory room in {other_town}"),
                         Expected(frozenset({"disability_send"})))
    outcome = ask_baseline(sample_db, talks, SAMPLE_DIRECTORY, key)
    assert outcome.messages == ["hi sensory room in", "Darwen"] and outcome.right
    person = Conversation("t6", "multi", ("sensory room {town}", "can i ring someone"),
                          Expected(frozenset({"disability_send"}), human=True))
    assert not ask_baseline(sample_db, person, SAMPLE_DIRECTORY, key).right


# --- figures and targets ----------------------------------------------------------------------

def _outcome(kind, right, turns, language="en", dead_end=False, system="bot"):
    from evaluation.conversations import Outcome

    return Outcome("d", system, "x", kind, language, None, [], right, turns_to_result=turns,
                   dead_end=dead_end, final_kind="services" if right else "utter_default")


def test_the_figures_count_what_they_say():
    outcomes = [_outcome("single", True, 1), _outcome("single", False, None, "pl"),
                _outcome("single", True, 2), _outcome("multi", True, 3),
                _outcome("multi", False, None, dead_end=True)]
    figures = summarise(outcomes)
    assert figures["single"]["rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["single"]["english"]["rate"] == 1.0
    assert figures["single"]["other_languages"]["rate"] == 0.0
    assert figures["multi"]["rate"] == 0.5
    assert figures["dead_ends"] == {"conversations": 1, "single": 0, "multi": 1}
    assert figures["median_turns_to_result"] == {"single": 2, "multi": None}  # never: inf
    assert figures["failures_by_final_reply"] == {"utter_default": 2}


def test_targets_are_met_only_on_every_directory():
    good = summarise([_outcome("single", True, 1)] * 19 + [_outcome("single", False, 1)]
                     + [_outcome("multi", True, 2)])
    weak = summarise([_outcome("single", True, 1, system="baseline")] * 5
                     + [_outcome("single", False, None, system="baseline")] * 15)
    met = check_targets({"a": {"bot": good, "baseline": weak}})
    assert all(t["met"] for t in met), met
    close_baseline = summarise([_outcome("single", True, 1, system="baseline")] * 16
                               + [_outcome("single", False, 1, system="baseline")] * 4)
    checked = check_targets({"a": {"bot": good, "baseline": weak},
                             "b": {"bot": good, "baseline": close_baseline}})
    assert [t["met"] for t in checked] == [True, False, True, True, True]
    assert not math.isnan(good["single"]["rate"])
