"""The web tier's tests: the real app (fixtures in ``tests/conftest.py``), and the headless
Chromium every browser test uses (``tests/web/browser``, ``tests/web/staff/test_browser.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browsing import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium (never a downloaded browser) through Playwright, for one test module.

    Not for the whole run: Playwright's sync API keeps an event loop of its own while it is
    open, and the web tier's async tests that run after a browser module need theirs."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `scripts/setup.sh chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
