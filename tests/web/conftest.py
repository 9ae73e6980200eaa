"""The web tier's tests: the real app (fixtures in ``tests/conftest.py``), and one headless
Chromium for every browser test (``tests/web/browser``, ``tests/web/staff/test_browser.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.browsing import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (never a downloaded browser) through Playwright, for the whole run."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `scripts/setup.sh chromium`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
