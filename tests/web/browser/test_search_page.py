"""The no-JavaScript search page, in headless Chromium with JavaScript turned off."""

from __future__ import annotations

import pytest

from tests.web.browsing import axe_violations, screenshot

pytestmark = pytest.mark.browser


def test_search_works_with_javascript_turned_off(visit_factory, standin_site):
    visit = visit_factory(standin_site.url, javascript=False)
    page = visit.page
    page.goto(standin_site.url + "/search")
    page.select_option("#need", "stay_and_play")
    page.fill("#near", "BB3")
    page.select_option("#age", "2")
    page.check("#free")
    page.click("button[type=submit]")
    page.locator(".sp-card").first.wait_for()
    assert "services found" in page.locator("#results-title").inner_text()
    card = page.locator(".sp-card").first.inner_text()
    for label in ("When", "Where", "Cost", "Who it is for", "Phone", "Checked on"):
        assert label in card
    assert visit.elsewhere == []


def test_an_unknown_place_without_javascript_offers_suggestions(visit_factory, standin_site):
    page = visit_factory(standin_site.url, javascript=False).page
    page.goto(standin_site.url + "/search?need=stay_and_play&near=Darwn")
    assert "There is a problem" in page.inner_text(".govuk-error-summary")
    page.get_by_role("link", name="Darwen", exact=True).click()
    page.locator(".sp-card").first.wait_for()


def test_the_chat_form_without_javascript_falls_back_to_search(visit_factory, standin_site):
    page = visit_factory(standin_site.url, javascript=False).page
    page.goto(standin_site.url + "/")
    page.fill("#chat-input", "dads")
    page.click("#chat-send")
    page.wait_for_url("**/search?text=dads")
    page.locator("#results-title").wait_for()


def test_search_pages_have_no_accessibility_violations_and_screenshots(visit_factory, standin_site):
    for width in (320, 1280):
        page = visit_factory(standin_site.url, width=width).page
        page.goto(standin_site.url + "/search")
        assert axe_violations(page) == []
        page.goto(standin_site.url + "/search?need=father_friendly&near=BB3")
        page.locator(".sp-card").first.wait_for()
        assert axe_violations(page) == []
        screenshot(page, f"search-{width}")
        page.goto(standin_site.url + "/search?near=Darwn")
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= width
