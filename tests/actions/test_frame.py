"""The search frame (``actions/frame.py``) turn by turn, on the sample directory: what a parent
sees when they give things in any order, give only a place, an age or a day, or say something
the bot cannot read. Each tracker is built here from what the parent said and what NLU found."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.frame import ActionAfterExplaining, ActionSearchServices, own_words
from actions.refine import ActionRefineSearch
from tests.actions.test_actions import domain, payloads_of_buttons, services, slot_sets, texts  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
SLOTS = ("need", "place", "age_months", "pregnant", "days", "time_of_day", "free_only",
         "audience", "accessible", "last_query", "asked", "words", "circumstances", "language")


def entity(kind: str, value: Any, text: str = "", said: str = "",
           confidence: float | None = None) -> dict[str, Any]:
    """An entity as NLU gives it, its span found in ``said``."""
    start = said.lower().find(text.lower()) if text else 0
    found = {"entity": kind, "value": value, "start": max(start, 0),
             "end": max(start, 0) + len(text)}
    if confidence is not None:
        found["confidence_entity"] = confidence
    return found


def turn(text: str, intent: str, entities: list[dict] = (), events: list[dict] = (),
         faq: str | None = None, **slots: Any) -> Tracker:
    message: dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9},
                               "entities": list(entities)}
    if faq:
        message["response_selector"] = {"ask_core_offer_info": {"response": {
            "intent_response_key": f"ask_core_offer_info/{faq}"}}}
    values = {s: None for s in SLOTS}
    values.update(results_offset=0, **slots)
    return Tracker("parent", values, message, list(events), False, None, {}, "action_listen")


def run(action, tracker: Tracker, domain) -> tuple[dict[str, Any], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = action.run(dispatcher, tracker, domain)
    return slot_sets(events), dispatcher.messages


def responses(messages: list[dict]) -> list[str]:
    return [m.get("response") for m in messages if m.get("response")]


# --- the parent's own words -------------------------------------------------------------------

def test_own_words_leave_out_the_place_day_and_filler():
    said = "is there anything with a sensory room near BB1 on saturday please"
    words = own_words({"text": said, "entities": [entity("place", "BB1", "BB1", said),
                                                  entity("day", "SA", "saturday", said)]})
    assert words == "sensory room"


def test_a_buttons_payload_is_not_words():
    assert own_words({"text": '/find_service{"need": "stay_and_play"}', "entities": []}) == ""


# --- asking only for what is missing ----------------------------------------------------------

def test_a_need_with_no_place_asks_where_and_names_the_need(context, domain):
    said = "baby clinic"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("need", "health_visiting", said, said)],
                              need=["health_visiting"]), domain)
    assert texts(messages).startswith("Where should I look for health visitor clinics")
    assert kept["asked"] == "place"


def test_a_bare_town_after_where_is_taken_as_the_place(context, domain):
    kept, messages = run(ActionSearchServices(context),
                         turn("we live in darwen", "nlu_fallback", need=["stay_and_play"],
                              asked="place"), domain)
    assert kept["place"] == "darwen"
    found = services(messages)
    assert found and all("stay_and_play" in s["taxonomy_terms"] for s in found)


def test_a_misspelt_bare_town_gets_did_you_mean_and_the_question_stays(context, domain):
    kept, messages = run(ActionSearchServices(context),
                         turn("Darwn", "nlu_fallback", need=["stay_and_play"], asked="place"),
                         domain)
    assert "I couldn't find Darwn. Did you mean Darwen?" in texts(messages)
    assert kept["asked"] == "place"


def test_a_place_alone_asks_what_once_then_shows_what_is_on(context, domain):
    said = "Darwen"
    first, messages = run(ActionSearchServices(context),
                          turn(said, "give_location", [entity("place", "Darwen", said, said)],
                               place="Darwen"), domain)
    assert responses(messages) == ["utter_ask_need"] and first["asked"] == "need"
    said = "not sure really"
    second, messages = run(ActionSearchServices(context),
                           turn(said, "nlu_fallback", place="Darwen", asked="need"), domain)
    found = services(messages)
    assert found and "utter_ask_need" not in responses(messages)
    # Everyday services first: what any family could drop in to.
    assert {"health_visiting", "stay_and_play", "family_support"} & set(found[0]["taxonomy_terms"])
    assert "tell me what you want" in texts(messages)


def test_whats_on_sunday_near_a_town_needs_no_need(context, domain):
    said = "what can we do on saturday near Darwen"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("day", "SA", "saturday", said),
                                                     entity("place", "Darwen", "Darwen", said)],
                              place="Darwen", days=["SA"]), domain)
    found = services(messages)
    assert found and all("Saturday" in s["schedule_text"] or s["schedule_text"].startswith("By appointment")
                     for s in found)


def test_the_parents_words_find_a_service_with_no_need_named(context, domain):
    said = "anything with a sensory room near Blackburn"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("place", "Blackburn", "Blackburn", said)],
                              place="Blackburn"), domain)
    assert kept["words"] == "sensory room"
    assert "Sensory Room" in services(messages)[0]["name"]


def test_two_needs_in_one_message_both_show_on_the_first_page_in_the_order_said(context, domain):
    """Ranked together, the three nearest job services would hide every antenatal class."""
    said = "any antenatal classes, and help with universal credit? Blackburn"
    _, messages = run(ActionSearchServices(context), turn(said, "find_service", [
        entity("need", "antenatal", "antenatal classes", said),
        entity("need", "jobcentre_plus", "universal credit", said),
        entity("place", "Blackburn", "Blackburn", said)],
        need=["jobcentre_plus", "antenatal"], place="Blackburn"), domain)
    shown = services(messages)
    assert "antenatal" in shown[0]["taxonomy_terms"]
    assert any("jobcentre_plus" in s["taxonomy_terms"] for s in shown)


def test_a_weak_second_need_is_not_lifted_onto_the_first_page(context, domain):
    said = "any antenatal classes near Blackburn, not sure about money"
    _, messages = run(ActionSearchServices(context), turn(said, "find_service", [
        entity("need", "antenatal", "antenatal classes", said),
        entity("need", "jobcentre_plus", "money", said, confidence=0.4),
        entity("place", "Blackburn", "Blackburn", said)],
        need=["antenatal", "jobcentre_plus"], place="Blackburn"), domain)
    assert all("antenatal" in s["taxonomy_terms"] for s in services(messages))


@pytest.fixture(scope="module")
def council_feed_context(tmp_path_factory):
    """A council's feed whose services carry the council's own categories and none of ours
    (the second directory's no-terms copy): needs are read from each service's own words."""
    from actions.context import ActionContext
    from common.settings import Settings
    from directory.db import Directory
    from directory.oruk import import_oruk, load_json_file

    folder = tmp_path_factory.mktemp("council-feed")
    directory = Directory.open(folder / "directory.db", folder / "no-geo.db")
    import_oruk(directory.db, load_json_file(
        ROOT / "tests/conversations/directories/second_directory_no_terms.json"))
    yield ActionContext(directory, Settings(directory_db=folder / "directory.db"))
    directory.close()


@pytest.mark.parametrize("need, said", [("father_friendly", "dads group"),
                                        ("health_visiting", "baby clinic")])
def test_a_council_feed_without_our_terms_still_answers_a_need(council_feed_context, domain,
                                                                need, said):
    """Not "I couldn't find any": the services whose own words say so are the answer."""
    said = f"{said} in Wakefield"
    _, messages = run(ActionSearchServices(council_feed_context), turn(said, "find_service", [
        entity("need", need, said.split(" in ")[0], said),
        entity("place", "Wakefield", "Wakefield", said)], need=[need], place="Wakefield"), domain)
    assert "couldn't find" not in texts(messages)
    key = yaml.safe_load((ROOT / "tests/conversations/directories/second_answer_key.yml")
                         .read_text())["services"]
    shown = [need in key[s["id"]]["needs"] for s in services(messages)]
    assert shown[0] and sum(shown) >= 2, shown


def test_a_need_nlu_was_unsure_of_is_not_named_in_the_reply(context, domain):
    said = "we both lost our jobs, need help with money, Blackburn"
    _, messages = run(ActionSearchServices(context), turn(said, "find_service", [
        entity("need", "father_friendly", "we both", said, confidence=0.44),
        entity("need", "jobcentre_plus", "help with money", said),
        entity("place", "Blackburn", "Blackburn", said)],
        need=["father_friendly", "jobcentre_plus"], place="Blackburn"), domain)
    assert "dads" not in texts(messages).split(".")[0].lower()
    assert "open to all mums, dads and carers" in texts(messages)


def test_words_with_no_place_ask_where_then_search_them(context, domain):
    said = "help with my cv"
    kept, messages = run(ActionSearchServices(context), turn(said, "nlu_fallback"), domain)
    assert kept["asked"] == "place" and kept["words"]
    kept, messages = run(ActionSearchServices(context),
                         turn("BB1", "give_location", [entity("place", "BB1", "BB1", "BB1")],
                              place="Blackburn", asked="place", words=kept["words"]), domain)
    assert services(messages)


# --- the age, after the results ---------------------------------------------------------------

def test_results_come_first_and_the_age_is_asked_after_when_ages_matter(context, domain):
    said = "childcare in Darwen"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service",
                              [entity("need", "childcare_early_education", "childcare", said),
                               entity("place", "Darwen", "Darwen", said)],
                              need=["childcare_early_education"], place="Darwen"), domain)
    assert services(messages) and responses(messages)[-1:] == ["utter_ask_age"]
    assert kept["asked"] == "age"


def test_the_age_is_never_asked_twice(context, domain):
    said = "childcare in Darwen"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service",
                              [entity("need", "childcare_early_education", "childcare", said)],
                              need=["childcare_early_education"], place="Darwen",
                              events=[{"event": "slot", "name": "asked", "value": "age"}]), domain)
    assert services(messages) and "utter_ask_age" not in responses(messages)


def test_a_bare_number_after_how_old_is_the_age_in_years(context, domain):
    kept, messages = run(ActionSearchServices(context),
                         turn("2", "nlu_fallback", need=["childcare_early_education"],
                              place="Darwen", asked="age"), domain)
    assert kept["age_months"] == 24
    assert all(s["age_text"] for s in services(messages))


def test_stay_and_play_does_not_ask_the_age(context, domain):
    said = "stay and play in Darwen"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("need", "stay_and_play", "stay and play", said)],
                              need=["stay_and_play"], place="Darwen"), domain)
    assert services(messages) and "utter_ask_age" not in responses(messages)


# --- never a dead end -------------------------------------------------------------------------

def test_not_understood_twice_gives_a_person_not_a_third_try(context, domain):
    kept, messages = run(ActionSearchServices(context), turn("asdfgh qwerty", "nlu_fallback"),
                         domain)
    assert responses(messages) == ["utter_default"] and kept["asked"] == "not_understood"
    kept, messages = run(ActionSearchServices(context),
                         turn("zzkx qwv", "nlu_fallback", asked="not_understood"), domain)
    assert "utter_default" not in responses(messages)
    handoff = [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == "handoff"]
    assert handoff and handoff[0]["phone"] in texts(messages)


def test_a_refinement_before_any_search_is_a_search(context, domain):
    said = "free ones on saturday in Darwen"
    kept, messages = run(ActionRefineSearch(context),
                         turn(said, "refine_search", [entity("cost", "free", "free", said),
                                                      entity("day", "SA", "saturday", said),
                                                      entity("place", "Darwen", "Darwen", said)],
                              free_only="free", days=["SA"], place="Darwen"), domain)
    found = services(messages)
    assert found and all(s["free"] for s in found)


# --- circumstances ----------------------------------------------------------------------------

def test_no_car_puts_home_visits_and_the_nearest_first_and_says_so(context, domain):
    said = "we don't drive and live out in the sticks near Darwen, anything for a newborn"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("place", "Darwen", "Darwen", said),
                                                     entity("child_age", 0, "newborn", said)],
                              place="Darwen", age_months=0), domain)
    assert kept["circumstances"] == ["cant_travel"]
    assert "can come to you" in texts(messages)
    found = services(messages)
    distances = [s["distance_km"] for s in found]
    assert found and distances == sorted(distances) or any("Home Visits" in s["name"] for s in found)


def test_working_all_week_puts_evenings_and_weekends_first(context, domain):
    said = "stay and play in Blackburn, I work all week"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service",
                              [entity("need", "stay_and_play", "stay and play", said),
                               entity("place", "Blackburn", "Blackburn", said)],
                              need=["stay_and_play"], place="Blackburn"), domain)
    first = services(messages)[0]
    assert any(w in first["schedule_text"] for w in ("Saturday", "Sunday", "pm")), first


# --- an explanation, then a search ------------------------------------------------------------

def test_after_explaining_a_need_the_bot_offers_to_find_one(context, domain):
    kept, messages = run(ActionAfterExplaining(context),
                         turn("what is a health visitor", "ask_core_offer_info",
                              faq="what_is_health_visitor"), domain)
    assert kept["need"] == ["health_visiting"] and kept["asked"] == "place"
    assert '/find_service{"need": "health_visiting"}' in payloads_of_buttons(messages)


def test_after_explaining_with_a_known_place_the_nearest_are_shown(context, domain):
    kept, messages = run(ActionAfterExplaining(context),
                         turn("what is portage", "ask_core_offer_info", faq="what_is_portage",
                              place="Blackburn"), domain)
    found = services(messages)
    assert found and "disability_send" in found[0]["taxonomy_terms"]


def test_where_is_one_near_after_an_explanation_searches_that_need(context, domain):
    said = "where is one near Darwen"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("place", "Darwen", "Darwen", said)],
                              need=["health_visiting"], place="Darwen", asked="place"), domain)
    found = services(messages)
    assert found and "health_visiting" in found[0]["taxonomy_terms"]


def test_a_general_question_adds_no_need(context, domain):
    kept, messages = run(ActionAfterExplaining(context),
                         turn("do i need to book", "ask_core_offer_info",
                              faq="do_i_need_to_book"), domain)
    assert kept == {} and messages == []


# --- other languages --------------------------------------------------------------------------

def test_a_message_in_polish_gets_services_and_the_interpreter_offer_in_polish(context, domain):
    said = "czy są grupy dla dzieci w Blackburn"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service",
                              [entity("language", "pl", said, said),
                               entity("need", "stay_and_play", "grupy dla dzieci", said),
                               entity("place", "Blackburn", "Blackburn", said)],
                              need=["stay_and_play"], place="Blackburn", language="pl"), domain)
    found = services(messages)
    assert found and all("stay_and_play" in s["taxonomy_terms"] for s in found)
    offer = messages[-1]["text"]
    assert context.settings.family_hubs_phone in offer and "Polish" in offer
    assert "tłumacz" in offer.casefold()
    assert not kept.get("words")  # Polish words are not searched as English


def test_an_english_message_gets_no_interpreter_offer(context, domain):
    said = "stay and play in Darwen"
    _, messages = run(ActionSearchServices(context),
                      turn(said, "find_service", [entity("need", "stay_and_play", "stay and play", said)],
                           need=["stay_and_play"], place="Darwen"), domain)
    assert context.settings.family_hubs_phone not in texts(messages)


def test_a_general_answer_goes_on_to_the_need_the_question_named(context, domain):
    said = "do I need an appointment to get baby weighed"
    kept, messages = run(ActionAfterExplaining(context),
                         turn(said, "ask_core_offer_info",
                              [entity("need", "health_visiting", "baby weighed", said)],
                              faq="do_i_need_to_book"), domain)
    assert kept["need"] == ["health_visiting"] and kept["asked"] == "place"


def test_a_place_and_an_age_show_what_is_on_for_that_age(context, domain):
    said = "anything for my 1 year old in Darwen"
    kept, messages = run(ActionSearchServices(context),
                         turn(said, "find_service", [entity("child_age", 12, "1 year old", said),
                                                     entity("place", "Darwen", "Darwen", said)],
                              place="Darwen", age_months=12), domain)
    assert services(messages) and "utter_ask_need" not in responses(messages)


def test_more_before_any_search_is_read_by_the_frame_not_met_with_a_blank(context, domain):
    from actions.refine import ActionMoreResults
    kept, messages = run(ActionMoreResults(context),
                         turn("any more stay and play", "more_results",
                              [entity("need", "stay_and_play", "stay and play", "any more stay and play")],
                              need=["stay_and_play"]), domain)
    assert texts(messages).startswith("Where should I look for stay and play")


def test_what_is_on_is_called_services_not_places_for_services(context, domain):
    said = "what can we do on saturday near Darwen"
    _, messages = run(ActionSearchServices(context),
                      turn(said, "find_service", [entity("day", "SA", "saturday", said),
                                                  entity("place", "Darwen", "Darwen", said)],
                           place="Darwen", days=["SA"]), domain)
    assert texts(messages).startswith("Here are 3 services near Darwen.")


def test_a_circumstance_is_not_searched_as_words(context, domain):
    said = "we don't drive, anything near Darwen"
    kept, _ = run(ActionSearchServices(context),
                  turn(said, "find_service", [entity("place", "Darwen", "Darwen", said)],
                       place="Darwen"), domain)
    assert "drive" not in (kept.get("words") or "")
    assert kept["circumstances"] == ["cant_travel"]


# --- dates the parent names ("Christmas week", "next week") ---------------------------------

def _spy_on_search(context) -> list:
    """Every ``now`` the frame's searches start from."""
    starts = []
    search = context.directory.search

    def spy(query, *, now=None):
        starts.append(now)
        return search(query, now=now)

    context.directory.search = spy
    return starts


def test_christmas_week_searches_from_monday_21_december(context, domain):
    from datetime import datetime, timezone
    context.clock = lambda: datetime(2026, 12, 5, 11, tzinfo=timezone.utc)
    starts = _spy_on_search(context)
    said = "what's on in Christmas week near Darwen"
    slots, messages = run(ActionSearchServices(context),
                          turn(said, "find_service", [entity("place", "Darwen", "Darwen", said)],
                               place="Darwen"), domain)
    assert starts and all(s.isoformat() == "2026-12-21T00:00:00+00:00" for s in starts)
    assert texts(messages).startswith("Here is what is on in the week of 21 December.")
    for service in services(messages):
        assert all(s >= "2026-12-21" for s in service["next_sessions"])
    # The week is kept with the search, and "christmas" is not searched as a word.
    assert slots["last_query"]["when"] == "in the week of 21 December"
    assert "christmas" not in (slots.get("words") or "")


def test_a_date_said_before_the_place_is_used_when_the_place_comes(context, domain):
    from datetime import datetime, timezone
    context.clock = lambda: datetime(2026, 12, 2, 9, tzinfo=timezone.utc)
    starts = _spy_on_search(context)
    events = [{"event": "user", "text": "anything on next week?"},
              {"event": "bot", "text": "Where should I look?"},
              {"event": "user", "text": "Darwen"}]
    _, messages = run(ActionSearchServices(context),
                      turn("Darwen", "give_location", [entity("place", "Darwen", "Darwen", "Darwen")],
                           events=events, place="Darwen", asked="place"), domain)
    assert starts[-1].isoformat() == "2026-12-07T00:00:00+00:00"
    assert "Here is what is on in the week of 7 December." in texts(messages)


def test_the_week_is_kept_for_a_refinement_and_dropped_once_past(context, domain):
    from datetime import datetime, timezone
    from actions.search import starts_from
    last = {"after": "2026-12-21T00:00:00+00:00", "when": "in the week of 21 December"}
    assert starts_from(last, datetime(2026, 12, 5, tzinfo=timezone.utc)).day == 21
    assert starts_from(last, datetime(2026, 12, 22, tzinfo=timezone.utc)) is None


def test_without_a_date_the_search_starts_now(context, domain):
    starts = _spy_on_search(context)
    said = "stay and play in Darwen"
    _, messages = run(ActionSearchServices(context),
                      turn(said, "find_service", [entity("need", "stay_and_play", "stay and play", said),
                                                  entity("place", "Darwen", "Darwen", said)],
                           need=["stay_and_play"], place="Darwen"), domain)
    assert starts and all(s is None for s in starts)
    assert "Here is what is on" not in texts(messages)


def test_christmas_week_offers_nothing_on_the_bank_holidays(context, domain):
    """Issue 15: the Darwen baby clinic runs on Fridays, but not on Friday 25 December 2026 or
    Friday 1 January 2027 (bank holidays): the chat offers the Fridays after them."""
    from datetime import date, datetime, timezone
    context.clock = lambda: datetime(2026, 12, 5, 11, tzinfo=timezone.utc)
    said = "baby clinic in Christmas week near Darwen"
    _, messages = run(ActionSearchServices(context),
                      turn(said, "find_service", [entity("need", "health_visiting", "baby clinic", said),
                                                  entity("place", "Darwen", "Darwen", said)],
                           need=["health_visiting"], place="Darwen"), domain)
    sessions = {s[:10] for service in services(messages) for s in service["next_sessions"]}
    assert any(date.fromisoformat(d).weekday() == 4 for d in sessions), sessions  # a Friday
    assert not {"2026-12-25", "2026-12-28", "2027-01-01"} & sessions
