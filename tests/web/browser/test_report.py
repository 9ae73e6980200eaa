""""This is wrong" in a real browser: a parent files a report from a ``/search`` card with
JavaScript off and from a chat card with it on, and a centre worker sees both on the staff page
and marks one done. axe-core checks every page on the way (WCAG 2.2 A/AA)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from directory import staff_users
from directory.db import open_db
from tests.stack import free_port
from tests.web.browser.conftest import ROOT, WebTier, start_web_tier
from tests.web.browsing import axe_violations, screenshot, wait_for
from tests.web.staff.helpers import PASSWORD
from tests.web.standin_rasa import SAMPLE_SERVICE

pytestmark = pytest.mark.browser
DARWEN_HUB = SAMPLE_SERVICE["location_id"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebTier, Path]]:
    """The web tier before the stand-in Rasa, with an editor at Darwen Family Hub."""
    tmp = tmp_path_factory.mktemp("report-site")
    rasa_port = free_port()
    rasa = subprocess.Popen([sys.executable, "-m", "tests.web.standin_rasa", str(rasa_port)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(f"http://127.0.0.1:{rasa_port}/", proc=rasa)
        tier = start_web_tier(tmp, rasa_port, rasa_port)
    except Exception:
        rasa.terminate()
        raise
    tier.processes.insert(0, rasa)
    db = open_db(tmp / "directory.db")
    staff_users.create_user(db, "dana", PASSWORD, "editor", [DARWEN_HUB])
    db.close()
    yield tier, tmp / "directory.db"
    tier.stop()


def _no_violations(page, where: str) -> None:
    assert axe_violations(page) == [], where


def test_a_parent_reports_from_search_and_chat_and_the_centre_sees_both(visit_factory, site):
    tier, _ = site
    # 1. /search with JavaScript off: open "This is wrong" on the Darwen card, tap what is wrong.
    page = visit_factory(tier.url, javascript=False).page
    page.goto(tier.url + "/search?need=stay_and_play&near=Darwen")
    card = page.locator(".sp-card", has_text=SAMPLE_SERVICE["name"]).first
    card.locator("summary", has_text="This is wrong").click()
    screenshot(page, "report-search-open")
    card.get_by_role("button", name="The cost is wrong").click()
    page.wait_for_url("**/report/sent?**")
    assert "We have told the staff at Darwen Family Hub" in page.inner_text("main")
    sent = page.url
    page.get_by_role("link", name="Back to your search").click()
    page.wait_for_url("**/search?need=stay_and_play&near=Darwen")
    # axe runs as a script, so it checks the same two pages in a tab with JavaScript on.
    checker = visit_factory(tier.url).page
    checker.goto(tier.url + "/search?need=stay_and_play&near=Darwen")
    checker.locator(".sp-card", has_text=SAMPLE_SERVICE["name"]).first.locator("summary").click()
    _no_violations(checker, "/search with a report form open")
    checker.goto(sent)
    _no_violations(checker, "/report/sent")

    # 2. The chat: the card's "This is wrong", with a note the parent agrees we keep.
    page = visit_factory(tier.url).page
    page.goto(tier.url + "/")
    page.fill("#chat-input", "stay and play near Darwen")
    page.click("#chat-send")
    card = page.locator("#chat-log .sp-card", has_text=SAMPLE_SERVICE["name"]).first
    card.wait_for()
    card.locator("summary", has_text="This is wrong").click()
    card.get_by_label("Add a note (optional)").fill("The hall is shut on Saturdays now")
    card.get_by_role("button", name="It has stopped or closed").click()  # the box is not ticked
    card.get_by_role("alert").filter(has_text="Please tick the box").wait_for()
    card.get_by_label("I agree that Signpost can keep my note").check()
    _no_violations(page, "the chat with a report form open")
    card.get_by_role("button", name="It has stopped or closed").click()
    card.get_by_role("status").filter(has_text="We have told the staff at Darwen Family Hub").wait_for()
    assert card.locator("form").count() == 0
    _no_violations(page, "the chat after a report")
    screenshot(page, "report-chat-sent")

    # 3. The centre worker sees both, reads the note and marks one done.
    page = visit_factory(tier.url).page
    page.goto(tier.url + "/staff/sign-in")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(tier.url + "/staff/")
    page.get_by_role("link", name="Reports from parents").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "Cost is wrong" in rows.nth(0).inner_text()
    assert "Stopped or closed (with a note)" in rows.nth(1).inner_text()
    _no_violations(page, "/staff/reports")
    screenshot(page, "staff-reports")
    rows.nth(1).get_by_role("link").click()
    assert "The hall is shut on Saturdays now" in page.inner_text("main")
    _no_violations(page, "/staff/reports/{id}")
    page.get_by_role("button", name="mark as done").click()
    page.wait_for_url("**/staff/reports?done=*")
    assert "marked as done" in page.inner_text("main")
    assert page.locator("tbody tr").count() == 1
    _no_violations(page, "/staff/reports after marking one done")


def test_the_accessibility_statement_and_the_new_filters_pass_axe(visit_factory, site):
    tier, _ = site
    page = visit_factory(tier.url, width=320).page
    page.goto(tier.url + "/accessibility")
    _no_violations(page, "/accessibility")
    page.goto(tier.url + "/search?near=Darwen&access=1&language=ur")
    _no_violations(page, "/search with access and language filters")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
