"""Export gives back everything that was imported, and importing an export changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from directory import oruk
from directory.db import open_db
from directory.oruk_ids import public_id, publish

from tests.directory.oruk_data import make_service, make_services

#: The UK profile's own example service (vendored, see tests/directory/oruk_examples/README.md).
ORUK_EXAMPLE = Path(__file__).resolve().parent / "oruk_examples" / "service_full.json"


def _contains(big, small, path="") -> list[str]:
    """Where ``small`` is not inside ``big`` (dicts may gain keys, lists keep order)."""
    if isinstance(small, dict):
        if not isinstance(big, dict):
            return [path]
        return [p for k, v in small.items()
                for p in (_contains(big[k], v, f"{path}.{k}") if k in big else [f"{path}.{k}"])]
    if isinstance(small, list):
        if not isinstance(big, list) or len(big) != len(small):
            return [path]
        return [p for i, (b, s) in enumerate(zip(big, small)) for p in _contains(b, s, f"{path}[{i}]")]
    return [] if big == small and type(big) is type(small) or (
        isinstance(big, (int, float)) and isinstance(small, (int, float)) and big == small) \
        else [path]


def _round_trip(tmp_path, services: list[dict]) -> tuple[list[dict], list[dict]]:
    first = open_db(tmp_path / "first.db")
    oruk.import_oruk(first, services)
    exported = json.loads(json.dumps(oruk.export_oruk(first)))
    second = open_db(tmp_path / "second.db")
    oruk.import_oruk(second, exported)
    again = json.loads(json.dumps(oruk.export_oruk(second)))
    return exported, again


def test_generated_directory_round_trips_losslessly(tmp_path):
    services = make_services(300, locations=20)
    services[0]["x_council_ref"] = {"ward": "Mill Hill", "codes": [1, 2]}
    services[1]["schedules"][0]["notes"] = "Bring a snack"
    exported, again = _round_trip(tmp_path, services)
    # ids come out as UUIDs (directory.oruk_ids); everything else as it went in
    assert [s["id"] for s in exported] == [public_id(s["id"]) for s in services]
    for original, out in zip(services, exported):
        assert _contains(out, publish(original)) == []
    assert again == exported


def test_official_example_round_trips_losslessly(tmp_path):
    service = json.loads(ORUK_EXAMPLE.read_text())
    location = service["service_at_locations"][0]["location"]
    location["latitude"], location["longitude"] = 53.75, -2.48
    del service["schedules"][0]["bymonthday"]
    exported, again = _round_trip(tmp_path, [service])
    assert _contains(exported[0], publish(service)) == []
    assert again == exported


def test_sample_directory_round_trips_losslessly(tmp_path, sample_path):
    services = json.loads(sample_path.read_text(encoding="utf-8"))
    exported, again = _round_trip(tmp_path, services)
    assert len(exported) == len(services)
    for original, out in zip(services, exported):
        assert _contains(out, publish(original)) == []
    assert again == exported


def test_export_leaves_out_our_version_counter(tmp_path):
    db = open_db(tmp_path / "d.db")
    oruk.import_oruk(db, [make_service(1)])
    assert "version" not in oruk.export_oruk(db)[0]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters="".join(
                                           chr(c) for c in range(32) if chr(c) not in "\t\n\r")
                                       + "\x7f"),
                max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_text.filter(str.strip), description=_text, note=_text,
       amount=st.floats(min_value=0, max_value=10_000, allow_nan=False),
       age=st.integers(min_value=0, max_value=18))
def test_any_text_and_numbers_survive_a_round_trip(tmp_path_factory, name, description, note,
                                                   amount, age):
    service = make_service(7)
    service.update(name=name, description=description, minimum_age=age, maximum_age=age)
    service["cost_options"][0]["amount"] = amount
    service["contacts"][0]["title"] = note
    db = open_db(tmp_path_factory.mktemp("rt") / "d.db")
    oruk.import_oruk(db, [service])
    out = json.loads(json.dumps(oruk.export_oruk(db)))[0]
    assert out["name"] == name and out["description"] == description
    assert out["contacts"][0]["title"] == note
    assert out["cost_options"][0]["amount"] == amount
    assert out["minimum_age"] == age
