"""``python -m directory probe URL``: the ORUK validator's checks against a feed. Our own API
passes every required check; a feed that misbehaves fails exactly the checks for what it does
wrong, and sync can ask ``supports(filter)`` before relying on a filter."""

from __future__ import annotations

import copy
import json
import socket
import uuid
from pathlib import Path

import pytest

# The probe checks schemas with jsonschema's ``referencing``: a web-environment tool.
pytest.importorskip("referencing", reason="the probe runs in the web environment")

from directory import cli
from directory.probe import probe, probe_feed
from tests.directory.feed_server import FeedServer, FeedShape

SAMPLE = Path(__file__).resolve().parents[2] / "directory" / "sample" / "sample_directory.json"
# The filters our feed server understands; it has no postcode search, so that one never passes.
SERVER_FILTERS = {"text", "taxonomy_term_id", "minimum_age", "maximum_age", "day",
                  "modified_after"}


def services() -> list[dict]:
    """The sample directory as a conformant feed publishes it: every term id a UUID."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for service in data:
        for attribute in service.get("attributes", []):
            term = str(uuid.uuid5(uuid.NAMESPACE_URL, attribute["taxonomy_term_id"]))
            attribute["taxonomy_term_id"] = term
            if isinstance(attribute.get("taxonomy_term"), dict):
                attribute["taxonomy_term"]["id"] = term
                if attribute["taxonomy_term"].get("taxonomy_id"):
                    attribute["taxonomy_term"]["taxonomy_id"] = str(uuid.uuid5(
                        uuid.NAMESPACE_URL, attribute["taxonomy_term"]["taxonomy_id"]))
    return data


def failed(result) -> set[str]:
    return {c.name for c in result.failed()}


def run(shape: FeedShape):
    with FeedServer(shape) as url:
        return probe_feed(url)


async def test_our_own_api_passes_every_required_check(client):
    base = str(client.make_url("/oruk")).rstrip("/")
    result = await probe(base, session=client.session)
    assert result.error is None
    assert result.ok, result.table()
    required = {c.name for c in result.checks if c.required}
    assert {"endpoint /", "endpoint /services", "endpoint /services/{id}", "pagination",
            "schema: services list", "schema: full services"} <= required
    assert all(c.outcome == "pass" for c in result.checks if c.required), result.table()
    for name in ("text", "search", "taxonomy_term_id", "minimum_age", "maximum_age", "day"):
        assert result.supports(name), (name, result.table())
    # Our API honours modified_after, so another Signpost syncing ours reads only what changed.
    assert result.supports("modified_after"), result.table()


def test_an_honest_feed_passes_and_its_filters_are_supported():
    result = run(FeedShape(services(), full_api=True))
    assert result.ok, result.table()
    assert failed(result) == {"filter postcode"}, result.table()
    assert all(result.supports(f) for f in SERVER_FILTERS), result.table()
    assert not result.supports("postcode")


def test_paging_that_never_ends_fails_only_pagination_and_exits_1(capsys):
    with FeedServer(FeedShape(services(), full_api=True, endless=True)) as url:
        code = cli.main(["probe", url])
    out, err = capsys.readouterr()
    assert code == 1
    assert "pagination" in err
    pagination = next(line for line in out.splitlines() if line.startswith("pagination"))
    assert "fail" in pagination and "repeats" in pagination


def test_paging_that_never_ends_fails_exactly_pagination():
    result = run(FeedShape(services(), full_api=True, endless=True))
    assert not result.ok
    # Endless paging hands back the first page every time, so filters that page are not judged.
    assert {c.name for c in result.failed() if c.required} == {"pagination"}, result.table()


@pytest.mark.parametrize("ignored", ["day", "text", "minimum_age", "taxonomy_term_id"])
def test_an_ignored_filter_fails_only_its_own_check(ignored):
    result = run(FeedShape(services(), full_api=True, ignored_filters=frozenset({ignored})))
    assert result.ok, result.table()  # filters are not required
    assert failed(result) == {"filter postcode", f"filter {ignored}"}, result.table()
    assert not result.supports(ignored)
    assert all(result.supports(f) for f in SERVER_FILTERS - {ignored})


def test_an_invalid_service_fails_the_schema_checks():
    bad = services()
    bad[0] = copy.deepcopy(bad[0])
    bad[0]["status"] = "maybe"          # not one of ORUK's statuses
    result = run(FeedShape(bad, full_api=True))
    assert not result.ok
    # The service at locations list embeds the same service, so it fails there too.
    assert failed(result) == {"filter postcode", "schema: services list", "schema: full services",
                              "schema: service at locations"}, result.table()
    assert "maybe" in result.check("schema: services list").detail


def test_a_server_error_fails_that_endpoint():
    result = run(FeedShape(services(), full_api=True, fail_paths=frozenset({"/taxonomy_terms"})))
    assert result.ok, result.table()  # /taxonomy_terms is recommended, not required
    assert failed(result) == {"filter postcode", "endpoint /taxonomy_terms"}, result.table()
    assert "500" in result.check("endpoint /taxonomy_terms").detail


def test_a_feed_without_the_root_and_lists_fails_the_required_root():
    result = run(FeedShape(services()))
    assert not result.ok
    assert "endpoint /" in {c.name for c in result.failed() if c.required}


def test_an_unreachable_address_gives_a_clear_message_and_exit_1(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = cli.main(["probe", f"http://127.0.0.1:{port}/api", "--timeout", "2"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert "Could not read" in err and "where /services lives" in err
