"""The public ORUK API against the UK profile's OpenAPI document, fuzzed with schemathesis.

Every operation of the vendored ``oruk_schemas/openapi.json`` (see its README for the three
patches) gets a few generated requests — odd page numbers, unknown ids, strange text and times —
and every answer must be a non-5xx response that fits the document's schema. A handful of
examples per operation and no deadline: this runs in ``make test`` on two shared cores.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

OPENAPI = Path(__file__).resolve().parent / "oruk_schemas" / "openapi.json"
EXAMPLES = 6


def _fuzz(base_url: str) -> tuple[list[str], list[str]]:
    """Run every operation; returns (operations run, failures in words)."""
    schema = schemathesis.openapi.from_dict(json.loads(OPENAPI.read_text(encoding="utf-8")))
    ran, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        ran.append(f"{operation.method.upper()} {operation.path}")

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case) -> None:
            case.call_and_validate(base_url=base_url, timeout=30,
                                   checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as failure:  # noqa: BLE001 - reported with the operation's name
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}"[:2000])
    return ran, failures


async def test_every_operation_answers_within_the_openapi_document(client):
    base_url = str(client.make_url("/oruk")).rstrip("/")
    ran, failures = await asyncio.to_thread(_fuzz, base_url)
    assert len(ran) == 11 and "GET /taxonomies/{id}" in ran and "GET /organizations" in ran
    assert failures == []


@pytest.mark.parametrize("path", ["/taxonomies", "/service_at_locations/x", "/organizations"])
def test_the_document_covers_what_we_serve(path):
    paths = json.loads(OPENAPI.read_text(encoding="utf-8"))["paths"]
    assert path.replace("/x", "/{id}") in paths
