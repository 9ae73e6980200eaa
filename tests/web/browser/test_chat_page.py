"""The chat as a parent uses it, in headless Chromium."""

from __future__ import annotations

import re
import time

import pytest

from tests.web.browsing import axe_violations, screenshot

pytestmark = pytest.mark.browser

NEED = "is there a stay and play near Darwen"


def wait_until(condition, timeout: float = 30.0) -> None:
    """Poll from Python: the page's CSP rightly refuses the eval that wait_for_function uses."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not get there in time")
        time.sleep(0.1)


def send(page, text: str) -> None:
    page.fill("#chat-input", text)
    page.keyboard.press("Enter")


def stored(page) -> dict:
    return page.evaluate("""() => ({
        session: JSON.parse(sessionStorage.getItem('signpost-chat') || 'null'),
        local: localStorage.length, cookies: document.cookie})""")


def test_type_a_need_see_a_card_press_a_button_and_reload_keeps_the_history(visit_factory, chat_site):
    visit = visit_factory(chat_site.url)
    page = visit.page
    page.goto(chat_site.url + "/")
    assert page.locator("#chat-log[role=log]").count() == 1
    send(page, NEED)
    card = page.locator(".sp-card").first
    card.wait_for(timeout=30_000)
    facts = card.inner_text()
    for label in ("When", "Where", "Cost", "Phone"):
        assert label in facts
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} "
                     r"[A-Z][a-z]+, \d{1,2}(:\d\d)?[ap]m", facts)
    assert card.locator("a[href^='tel:']").count() == 1
    assert card.locator("a[href^='https://www.openstreetmap.org/']").count() == 1
    assert page.locator("#chat-input").evaluate("el => el === document.activeElement")

    buttons = page.locator(".sp-replies button")
    buttons.first.wait_for()
    titles = buttons.all_inner_texts()
    before = page.locator(".sp-msg").count()
    buttons.first.click()
    wait_until(lambda: page.locator(".sp-msg").count() > before + 1)
    assert page.locator(".sp-msg--me").last.inner_text().endswith(titles[0])

    history = page.locator("#chat-log").inner_text()
    data = stored(page)
    assert data["session"]["sessionId"] and len(data["session"]["items"]) >= 4
    assert data["local"] == 0 and data["cookies"] == ""

    page.reload()
    page.locator(".sp-card").first.wait_for()
    assert page.locator("#chat-log").inner_text() == history
    assert visit.elsewhere == []


def test_end_chat_clears_the_conversation(visit_factory, chat_site):
    page = visit_factory(chat_site.url).page
    page.goto(chat_site.url + "/")
    send(page, "hello")
    page.locator(".sp-msg--bot").nth(1).wait_for(timeout=30_000)
    page.click("#chat-end")
    assert page.locator(".sp-msg").count() == 1  # only the greeting
    assert stored(page)["session"] is None
    assert "Chat ended" in page.locator("#chat-typing").inner_text()
    page.reload()
    assert page.locator(".sp-msg").count() == 1


@pytest.mark.parametrize("how", ["button", "shift three times"])
def test_exit_this_page_leaves_for_a_neutral_site_and_clears_the_chat(visit_factory, chat_site, how):
    visit = visit_factory(chat_site.url)
    page = visit.page
    page.goto(chat_site.url + "/")
    send(page, "hello")
    page.locator(".sp-msg--bot").nth(1).wait_for(timeout=30_000)
    assert stored(page)["session"] is not None
    if how == "button":
        page.click("#exit-this-page")
    else:
        page.locator("body").click(position={"x": 5, "y": 300})
        for _ in range(3):
            page.keyboard.press("Shift")
    page.wait_for_url("https://www.bbc.co.uk/weather**")
    assert visit.exits
    # Back on our site in the same tab: nothing of the conversation is left.
    page.goto(chat_site.url + "/")
    assert stored(page)["session"] is None
    assert page.locator(".sp-msg").count() == 1


def test_bot_text_is_shown_as_text_never_as_html(visit_factory, standin_site):
    page = visit_factory(standin_site.url).page
    page.goto(standin_site.url + "/")
    payload = '<img src=x id=pwned onerror="window.pwned=1">'
    send(page, payload)
    page.get_by_text("You said <img", exact=False).wait_for()
    assert page.locator("#pwned").count() == 0
    assert page.evaluate("window.pwned === undefined")


def test_chat_is_usable_with_the_keyboard_alone(visit_factory, chat_site):
    page = visit_factory(chat_site.url).page
    page.goto(chat_site.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className").startswith("govuk-skip-link")
    page.keyboard.press("Enter")
    # Tab through to the message box and send without a mouse.
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "chat-input":
            break
    assert page.evaluate("document.activeElement.id") == "chat-input"
    page.keyboard.type("hello")
    page.keyboard.press("Enter")
    page.locator(".sp-msg--bot").nth(1).wait_for(timeout=30_000)
    assert page.evaluate("document.activeElement.id") == "chat-input"


def test_controls_are_big_enough_to_tap_and_the_page_fits_a_small_phone(visit_factory, chat_site):
    for width in (320, 640):  # 640 = a 1280 px screen at 200 % zoom
        page = visit_factory(chat_site.url, width=width, height=740).page
        page.goto(chat_site.url + "/")
        send(page, NEED)
        page.locator(".sp-card").first.wait_for(timeout=30_000)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        small = page.evaluate("""() => [...document.querySelectorAll(
                'button, .govuk-button, input, select, textarea, .sp-card a, .sp-msg a')]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim() || e.id, e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 24 || r.height < 24).map(([n]) => n)""")
        assert small == []


def test_no_animation_when_the_parent_asks_for_reduced_motion(visit_factory, chat_site):
    page = visit_factory(chat_site.url, reduced_motion="reduce").page
    page.goto(chat_site.url + "/")
    page.evaluate("""() => { const d = document.createElement('span');
        d.className = 'sp-typing__dot'; d.id = 'probe'; document.body.appendChild(d); }""")
    duration = page.evaluate("getComputedStyle(document.getElementById('probe')).animationName")
    assert duration == "none"


def test_chat_page_has_no_accessibility_violations_and_screenshots(visit_factory, chat_site):
    for width in (320, 1280):
        visit = visit_factory(chat_site.url, width=width, height=900)
        page = visit.page
        page.goto(chat_site.url + "/")
        assert axe_violations(page) == []
        screenshot(page, f"chat-empty-{width}")
        send(page, NEED)
        page.locator(".sp-card").first.wait_for(timeout=30_000)
        page.locator(".sp-replies button").first.wait_for()
        assert axe_violations(page) == []
        screenshot(page, f"chat-{width}")
        assert visit.elsewhere == []


def test_the_typing_indicator_says_in_words_that_a_reply_is_coming(visit_factory, standin_site):
    page = visit_factory(standin_site.url).page
    page.goto(standin_site.url + "/")
    send(page, "hello, take your time")
    status = page.locator("#chat-typing[role=status]")
    wait_until(lambda: "Signpost is typing" in status.inner_text(), timeout=5)
    page.locator(".sp-msg--bot").nth(1).wait_for()
    wait_until(lambda: status.inner_text().strip() == "", timeout=5)


def test_when_the_bot_is_down_the_parent_gets_numbers_to_call_not_an_error(visit_factory, standin_site):
    page = visit_factory(standin_site.url).page
    page.goto(standin_site.url + "/")
    send(page, "simulate an outage please")
    reply = page.locator(".sp-msg--bot").nth(1)
    reply.wait_for(timeout=15_000)
    assert "Sorry, the chat is not working right now" in reply.inner_text()
    assert "Darwen Family Hub" in reply.inner_text()
    assert reply.locator("a[href='tel:01632960180']").count() == 1
    assert reply.locator("a[href='tel:999']").count() == 1


def test_a_reply_arriving_after_end_chat_does_not_bring_the_chat_back(visit_factory, standin_site):
    page = visit_factory(standin_site.url).page
    page.goto(standin_site.url + "/")
    send(page, "hello, take your time")
    page.fill("#chat-input", "typed while waiting")
    page.keyboard.press("Enter")
    assert page.input_value("#chat-input") == "typed while waiting"  # kept, not lost
    page.click("#chat-end")
    page.wait_for_timeout(2500)  # the stand-in answers after 1.5 s
    assert page.locator(".sp-msg").count() == 1
    assert stored(page)["session"] is None


def test_save_what_ive_told_you_shows_a_summary_to_copy_or_print(visit_factory, chat_site):
    from tests.stack import DEFAULT_MODEL

    if not DEFAULT_MODEL.exists():
        pytest.skip("needs the trained bot (make train); the stand-in Rasa has no summary")
    visit = visit_factory(chat_site.url)
    page = visit.page
    page.goto(chat_site.url + "/")
    send(page, NEED)
    page.locator(".sp-card").first.wait_for(timeout=30_000)
    page.click("#chat-summary")
    summary = page.locator(".sp-card", has_text="What you have told me")
    summary.wait_for(timeout=30_000)
    text = summary.inner_text()
    assert "Darwen" in text
    assert "stay and play" in text.lower()
    assert summary.get_by_role("button", name="Copy").count() == 1
    assert summary.get_by_role("button", name="Print").count() == 1
    assert page.locator(".sp-msg--me").last.inner_text().endswith("Save what I've told you")
