"""The staff area in a real browser (Debian's Chromium through Playwright).

- XSS: a hostile string saved in every editable field comes back as plain text, and no dialog
  fires, with the page's Content-Security-Policy switched OFF so escaping alone is tested.
- A centre worker signs in, changes a session's time, and the bot's next answer shows it: through
  the real stack (``tests/stack.py``: actions, Rasa, web tier) when a trained model exists;
  otherwise through the running web tier's search page, which calls the same
  ``directory.search`` as the bot's action.
- Screenshots of every staff page go to ``test-output/staff-*.png``, each page checked with
  axe-core for WCAG 2.2 AA first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

import pytest

from directory import callbacks, demand, staff_users, store
from directory.db import open_db
from directory.search import SearchQuery
from tests.stack import DEFAULT_MODEL, Stack, free_port
from tests.web.browsing import axe_violations, screenshot, wait_for
from tests.web.staff.helpers import PASSWORD

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[3]
XSS = "\"'><img src=x onerror=alert(1)><script>alert(2)</script>&amp;"


@dataclass
class Site:
    url: str
    directory_db: Path
    stack: Stack | None = None
    processes: list[subprocess.Popen] = field(default_factory=list)


def _add_accounts(path: Path) -> tuple[str, str]:
    db = open_db(path)
    store.sync_taxonomy(db)
    centre = db.execute("SELECT location_id FROM service_at_location ORDER BY rowid LIMIT 1").fetchone()[0]
    other = db.execute("SELECT location_id FROM service_at_location WHERE location_id != ? "
                       "ORDER BY rowid LIMIT 1", [centre]).fetchone()[0]
    for name, role, centres in (("ada", "admin", []), ("eddie", "editor", [centre])):
        if staff_users.find_user(db, name) is None:
            staff_users.create_user(db, name, PASSWORD, role, centres)
    db.close()
    return centre, other


@pytest.fixture(scope="module")
def site(tmp_path_factory, geo_db) -> Iterator[Site]:
    """The real stack when a model is trained, else the web tier alone on a free port."""
    model = Path(os.environ.get("SIGNPOST_MODEL") or DEFAULT_MODEL)
    if model.exists():
        stack = Stack(model=model, web=True, env={"SIGNPOST_GEO_DB": str(geo_db)}, startup_timeout=600)
        stack.start()
        _add_accounts(stack.directory_db)
        try:
            yield Site(url=stack.web_url, directory_db=stack.directory_db, stack=stack)
        finally:
            stack.stop()
        return
    tmp = tmp_path_factory.mktemp("staff-site")
    path = tmp / "directory.db"
    from directory.oruk import import_oruk
    db = open_db(path)
    import_oruk(db, json.loads((ROOT / "directory/sample/sample_directory.json").read_text()))
    db.close()
    _add_accounts(path)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SIGNPOST_PORT": str(port), "SIGNPOST_HOST": "127.0.0.1",
           "SIGNPOST_SECURE_COOKIES": "0",
           "SIGNPOST_DIRECTORY_DB": str(path), "SIGNPOST_GEO_DB": str(geo_db),
           "SIGNPOST_RASA_PORT": str(free_port()), "SIGNPOST_ACTIONS_PORT": str(free_port())}
    proc = subprocess.Popen([sys.executable, "-m", "web"], cwd=ROOT, env=env)
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", timeout=60, proc=proc)
        yield Site(url=f"http://127.0.0.1:{port}", directory_db=path, processes=[proc])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def tab(browser, site):
    """A fresh browser tab (own cookies). CSP is bypassed so only escaping protects the page."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def sign_in(page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/staff/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/staff/")


def shot(page, name: str) -> None:
    screenshot(page, f"staff-{name}")


def assert_inert(page) -> None:
    """The payload did not become markup: no injected image or script, no dialog."""
    assert page.locator("img[src=x]").count() == 0
    assert all("alert" not in (s or "") for s in page.locator("script").evaluate_all(
        "els => els.map(e => e.textContent)"))
    assert page.dialogs == []


def _ask_the_bot(stack: Stack, service: dict, city: str) -> str:
    """Talk to the real bot until it offers ``service``; return that card's schedule text."""
    sender = f"staff-browser-test-{time.monotonic_ns()}"
    term = service["attributes"][0]["taxonomy_term"]["name"].lower()
    low, high = service.get("minimum_age"), service.get("maximum_age")
    years = max(1, int(low or 0))
    age = f"my child is {years} years old" if high is None or years <= high else "my baby is 6 months old"
    transcript = []
    reply = stack.say(sender, f"{term} in {city}")
    for _ in range(8):
        transcript += reply
        for message in reply:
            custom = message.get("custom") or {}
            for card in custom.get("services") or []:
                if card.get("id") == service["id"]:
                    return card.get("schedule_text") or ""
        said = " ".join(m.get("text") or "" for m in reply)
        if "How old" in said:
            reply = stack.say(sender, age)
        elif "town or postcode" in said:
            reply = stack.say(sender, city)
        else:
            reply = stack.say(sender, "more")
    raise AssertionError(f"The bot never offered {service['name']}: {json.dumps(transcript)[:3000]}")


def test_a_centre_worker_changes_a_session_time_and_the_next_answer_shows_it(tab, site):
    db = open_db(site.directory_db)
    centre = json.loads(db.execute("SELECT centre_ids FROM staff_user WHERE username = 'eddie'").fetchone()[0])[0]
    service_id, schedule_id, byday = db.execute(
        "SELECT sc.service_id, sc.id, sc.byday FROM schedule sc JOIN service_at_location sal "
        "ON sal.service_id = sc.service_id WHERE sal.location_id = ? AND sc.freq = 'WEEKLY' "
        "AND sc.interval = 1 AND sc.valid_to IS NULL ORDER BY sc.rowid LIMIT 1", [centre]).fetchone()
    service = store.get_service(db, service_id)
    city = db.execute("SELECT city FROM address WHERE location_id = ?", [centre]).fetchone()[0]
    db.close()
    page = tab
    sign_in(page, site, "eddie")
    page.get_by_role("link", name="Services and sessions").click()
    page.get_by_role("link", name=service["name"], exact=True).click()
    page.locator(f'a[href$="/sessions/{schedule_id}"]').click()
    page.get_by_label("Start time").fill("16:05")
    page.get_by_label("Finish time").fill("17:25")
    shot(page, "session-form")
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url("**?saved=session")
    assert "Session saved" in page.locator("main").inner_text()
    assert "4:05pm to 5:25pm" in page.locator("#sessions + table").inner_text()
    assert page.dialogs == []

    if site.stack is not None:
        schedule_text = _ask_the_bot(site.stack, service, city)
    else:
        # No trained model here: ask the running web tier's search page, which uses the same
        # directory.search() the bot's search action calls.
        page.goto(f"{site.url}/search?text={urllib.request.quote(service['name'])}")
        schedule_text = page.locator("main").inner_text()
    assert "4:05pm to 5:25pm" in schedule_text, schedule_text


def test_screenshots_of_the_staff_pages(tab, site):
    db = open_db(site.directory_db)
    centre = json.loads(db.execute("SELECT centre_ids FROM staff_user WHERE username = 'eddie'").fetchone()[0])[0]
    service_id = db.execute("SELECT service_id FROM service_at_location WHERE location_id = ? "
                            "ORDER BY rowid LIMIT 1", [centre]).fetchone()[0]
    cid = callbacks.create_callback(db, first_name="Priya", phone="01632 960321", centre_id=centre,
                                    good_time="Weekday mornings",
                                    summary="Looking for: stay and play, dads' groups. Child: 2 years. Area: BB1.")
    for i, (terms, near, days, found) in enumerate([
            (["stay_and_play"], "BB1 7DD", ["SA"], 3), (["father_friendly"], "BB3 1AB", ["SA"], 0),
            (["childcare_early_education"], "BB2 4HA", ["MO"], 2), (["father_friendly"], "BB3", ["SU"], 0),
            (["parent_wellbeing"], "BB1", [], 1), (["stay_and_play"], "BB3", ["SA"], 2)] * 3):
        demand.record_search(db, SearchQuery(terms=terms, near=near, days=days, time_of_day="morning"),
                             found, "bot", today=date.today() - timedelta(days=i))
    db.execute("UPDATE service SET assured_date = '2025-01-10' WHERE id = ?", [service_id])
    db.conn.commit()
    db.close()
    page = tab
    page.goto(f"{site.url}/staff/sign-in")
    shot(page, "sign-in")
    sign_in(page, site, "eddie")
    for name, path in (("home", "/staff/"), ("services", "/staff/services"),
                       ("service", f"/staff/services/{service_id}"),
                       ("session-new", f"/staff/services/{service_id}/sessions/new"),
                       ("centre", f"/staff/centres/{centre}"), ("needs", "/staff/needs"),
                       ("need", "/staff/needs/father_friendly"), ("callbacks", "/staff/callbacks"),
                       ("callback", f"/staff/callbacks/{cid}"), ("demand", "/staff/demand"),
                       ("password", "/staff/password")):
        page.goto(site.url + path)
        assert page.locator("h1").count() == 1, path
        assert axe_violations(page) == [], path
        shot(page, name)
    page.goto(f"{site.url}/staff/services/{service_id}")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_role("button", name="Save service").click()
    shot(page, "service-error")
    assert page.locator(".govuk-error-summary").count() == 1
    page.context.clear_cookies()
    sign_in(page, site, "ada")
    for name, path in (("import", "/staff/import"), ("users", "/staff/users"), ("audit", "/staff/audit")):
        page.goto(site.url + path)
        assert axe_violations(page) == [], path
        shot(page, name)
    # The expiry warning appears shortly before the session ends (the page's clock is moved on).
    page.clock.install()
    page.goto(f"{site.url}/staff/")
    banner = page.locator("#session-warning")
    assert banner.is_hidden()
    page.clock.fast_forward("26:00")
    banner.wait_for(state="visible", timeout=5000)
    assert "You will be signed out soon" in banner.inner_text()
    shot(page, "session-warning")
    with page.expect_response("**/staff/session/extend") as extended:
        page.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 200


def test_xss_payloads_in_every_editable_field_come_back_as_plain_text(tab, site):
    db = open_db(site.directory_db)
    centre = json.loads(db.execute("SELECT centre_ids FROM staff_user WHERE username = 'eddie'").fetchone()[0])[0]
    service_id = db.execute("SELECT service_id FROM service_at_location WHERE location_id = ? "
                            "ORDER BY rowid LIMIT 1", [centre]).fetchone()[0]
    # A parent's call-back request carries text too (written by the bot, shown to staff).
    callback = callbacks.create_callback(db, first_name=XSS[:60], phone="01632 960999",
                                         good_time=XSS, summary=XSS, centre_id=centre)
    db.close()
    page = tab
    sign_in(page, site, "ada")

    page.goto(f"{site.url}/staff/services/{service_id}")
    for label in ("Name", "What happens there", "Cost details (optional)", "Note for families (optional)"):
        page.get_by_label(label, exact=True).fill(XSS)
    page.get_by_label("Web page (optional)").fill("https://x.example/" + XSS.replace(" ", "%20"))
    page.get_by_role("button", name="Save service").click()
    page.wait_for_url(f"**/staff/services/{service_id}?saved=details")
    assert_inert(page)
    assert page.get_by_label("Name", exact=True).input_value() == XSS
    assert page.get_by_label("What happens there").input_value() == XSS
    assert page.locator("h1").inner_text() == XSS
    # A value refused by the checks is shown back in the form, still as text.
    page.get_by_label("Email address (optional)").fill(XSS)
    page.get_by_role("button", name="Save service").click()
    assert page.get_by_label("Email address (optional)").input_value() == XSS
    assert_inert(page)

    page.goto(f"{site.url}/staff/services/{service_id}/sessions/new")
    page.get_by_label("By appointment – families book a time").check()
    page.get_by_label("Notes for families (optional, needed for 'by appointment')").fill(XSS)
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url("**?saved=session")
    assert XSS in page.locator("#sessions + table").inner_text()
    assert_inert(page)

    page.goto(f"{site.url}/staff/centres/{centre}")
    page.get_by_label("Centre name").fill(XSS)
    page.get_by_label("About the centre (optional)").fill(XSS)
    page.get_by_label("Address line").fill(XSS)
    page.get_by_label("Town or village").fill(XSS)
    page.get_by_role("button", name="Save centre").click()
    assert "saved=1" in page.url
    assert page.get_by_label("Centre name").input_value() == XSS
    assert_inert(page)

    page.goto(f"{site.url}/staff/needs/stay_and_play")
    page.get_by_label("Add words parents use").fill(XSS)
    page.get_by_role("button", name="Add").click()
    assert XSS in page.locator("main").inner_text()
    assert_inert(page)

    page.goto(f"{site.url}/staff/users")
    page.get_by_label("Username").fill(XSS)
    page.get_by_label("First password").fill("a long enough password")
    page.get_by_role("button", name="Add account").click()
    assert page.get_by_label("Username").input_value() == XSS  # refused, shown back as text
    assert_inert(page)

    for path in ("/staff/", "/staff/services", "/staff/centres", "/staff/needs/stay_and_play",
                 "/staff/callbacks", f"/staff/callbacks/{callback}", "/staff/audit",
                 f"/staff/services/{service_id}"):
        page.goto(site.url + path)
        assert page.locator("main").count() == 1, path
        assert_inert(page)
    page.goto(f"{site.url}/staff/callbacks/{callback}")
    assert XSS in page.locator("main").inner_text()
    page.goto(f"{site.url}/staff/audit")
    page.locator("details summary").first.click()
    assert XSS.replace('"', '\\"') in page.locator("main").inner_text()  # shown as JSON text
    assert_inert(page)
