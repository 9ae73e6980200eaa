"""Fuzzing fixtures: the real web app against a stand-in Rasa on loopback (``tests/web``'s own
fixtures, reused), and a fresh directory per importer run.

Every Hypothesis test here is bounded (``max_examples``) so the whole folder runs in a minute or two.
"""

from __future__ import annotations

from tests.web.conftest import (directory_db, make_client, sample_directory_file,  # noqa: F401
                                settings, standin_rasa)


import pytest  # noqa: E402

NO_LIMITS = {"rate_limit_session": "1000000/minute", "rate_limit_client": "1000000/minute"}


@pytest.fixture
async def fuzz_client(make_client):  # noqa: F811
    """One real app for all of a test's examples, with the rate limits out of the way."""
    return await make_client(**NO_LIMITS)
