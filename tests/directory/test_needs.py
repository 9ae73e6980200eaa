"""Needs read from a council's service that carries no Signpost need: the service's own words
say what it is, and the venue it is held at does not."""

from __future__ import annotations

import pytest

from directory.needs import infer_needs, infer_service_needs
from directory.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def phrases() -> dict[str, tuple[str, ...]]:
    return {t.id: (*t.phrases, t.name) for t in load_taxonomy().terms}


def test_a_baby_massage_class_held_at_the_family_hub_is_not_family_support(phrases):
    needs = infer_service_needs(
        "Baby Massage", "Gentle baby massage for babies under 1, held at the family hub.", [],
        phrases)
    assert needs == ["stay_and_play"]


def test_a_session_named_after_its_childrens_centre_is_not_family_support(phrases):
    needs = infer_service_needs("Stay and Play at Mill Hill Children's Centre",
                                "Toys, songs and a snack.", [], phrases)
    assert needs == ["stay_and_play"]


def test_a_real_family_support_service_is_still_family_support(phrases):
    needs = infer_service_needs(
        "Family Support Drop-in",
        "Pop in at the family hub to talk to a family worker about anything.", [], phrases)
    assert "family_support" in needs
    assert "family_support" in infer_service_needs(
        "Tuesday drop-in", "A family support worker can visit you at home.", [], phrases)


def test_one_passing_word_in_a_description_is_not_enough_but_two_are(phrases):
    passing = "Get help with jobs. A creche is free while you take part."
    assert "childcare_early_education" not in infer_service_needs("Job Club", passing, [],
                                                                  phrases)
    assert "parent_wellbeing" in infer_service_needs(
        "Calm Parents", "A course on stress and anxiety.", [], phrases)


def test_the_team_that_runs_a_service_is_not_what_it_offers(phrases):
    needs = infer_service_needs("Childminder Drop-in",
                                "Borrow toys and chat to our early years team.", [], phrases)
    assert needs == ["childminder_support"]


def test_the_longer_phrase_says_which_need(phrases):
    assert infer_service_needs("Universal Credit Childcare Advice", "", [], phrases) \
        == ["jobcentre_plus"]


def test_a_category_named_after_a_venue_means_no_need(phrases):
    assert infer_needs(["Family Hubs"], phrases) == []
    assert infer_needs(["Early Help"], phrases) == ["family_support"]


def test_who_refers_a_family_is_not_what_the_service_offers(phrases):
    """A food bank reached through a health visitor is not a health visiting service."""
    for how in ["Vouchers come through a referral from your midwife or health visitor.",
                "You can refer yourself, or ask your health visitor.",
                "Our volunteers can signpost you to breastfeeding support too."]:
        needs = infer_service_needs("Hillside Pantry",
                                    f"Low-cost food for local households. {how}", [], phrases)
        assert needs == [], how
    # The service itself still counts when it says so in another sentence.
    assert infer_service_needs(
        "Drop-in", "A weekly health visitor clinic for babies. Self-referral welcome.", [],
        phrases) == ["health_visiting"]


def test_an_advisor_or_an_extra_is_not_the_service(phrases):
    assert "childcare_early_education" not in infer_service_needs(
        "Childminder Meet-up", "A morning for registered childminders with an Early Years "
        "Advisor on hand.", [], phrases)
    assert "health_visiting" not in infer_service_needs(
        "Summer Fun Day", "Bouncy castle and face painting in the park. Parents can also have a "
        "word with the health visitors.", [], phrases)
