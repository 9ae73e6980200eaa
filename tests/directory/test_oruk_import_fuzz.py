"""The ORUK importer under hostile files: the documented rejection or a clean import, nothing else.

Hypothesis takes a real sample service, swaps some part of it (any field at any depth) for
something hostile — wrong types, nested junk, NaN and infinities, control characters, 25,000
characters, HTML, SQL — and imports the file into a copy of the sample directory. The promises:

- ``validate_services`` returns ``RowError``s (or ``ImportFileError`` for a file that is not a
  list of services) and never raises anything else;
- ``import_oruk`` either imports, or raises ``ImportRejected`` with row errors — never another
  exception — and on rejection the directory is byte-for-byte what it was;
- ``PRAGMA integrity_check`` is ``ok`` afterwards, whatever happened.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, event, given, settings as hsettings, strategies as st

from directory.db import open_db
from directory.oruk import ImportFileError, ImportRejected, RowError, import_oruk, validate_services
from directory.store import get_service

ROOT = Path(__file__).resolve().parents[2]
SAMPLE: list[dict] = json.loads((ROOT / "directory/sample/sample_directory.json").read_text("utf-8"))
FUZZ = hsettings(max_examples=120, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

HOSTILE_TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "a\x07b", "\u202e", "<script>alert(1)</script>",
                     "'); DROP TABLE service; --", "NULL", "null", "-1", "1e309", "😀" * 50,
                     "x" * 25_000, "2026-02-30", "25:61:00", "FREQ=SECONDLY", "BB1 7DD"]))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**70, max_value=2**70),
                    st.floats(allow_nan=True, allow_infinity=True), HOSTILE_TEXT)
JUNK = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)


def paths(value: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every place in a JSON value (dict keys and list indexes), depth first."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from paths(child, prefix + (index,))


def replace_at(value: Any, path: tuple, new: Any, delete: bool) -> Any:
    if not path:
        return new
    parent = value
    for part in path[:-1]:
        parent = parent[part]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return value


#: Text that is allowed (no control characters) but hostile to anything that would run it.
PRINTABLE_HOSTILE = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300),
    st.sampled_from(["<script>alert(1)</script>", "'); DROP TABLE service; --", "\u202eevil",
                     "مرحبا", "👨\u200d👧" * 40, "{{7*7}}", "%s%s%n", "x" * 19_000]))
TEXT_KEYS = {"name", "description", "details", "address_1", "city", "alternate_name", "title"}


@st.composite
def hostile_files(draw) -> Any:
    """A list of services where one to three parts have been swapped for junk — or, half the
    time, where free-text fields hold hostile but allowed text (so imports succeed too)."""
    services = copy.deepcopy(draw(st.lists(st.sampled_from(SAMPLE), min_size=1, max_size=3)))
    mild = draw(st.booleans())
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(services) - 1))
        if mild:
            texts = [p for p in paths(services[index]) if p and p[-1] in TEXT_KEYS]
            path = draw(st.sampled_from(texts))
            services[index] = replace_at(services[index], path, draw(PRINTABLE_HOSTILE), False)
            continue
        path = draw(st.sampled_from(list(paths(services[index]))))
        delete = bool(path) and draw(st.booleans())
        services[index] = replace_at(services[index], path, draw(JUNK), delete)
    if draw(st.booleans()):  # a new service rather than an update of one already there
        first = services[0]
        if isinstance(first, dict) and isinstance(first.get("id"), str):
            first["id"] = "fuzz-" + first["id"]
    return services


def fingerprint(path: Path) -> str:
    """Everything in the database, as SQL text: equal fingerprints mean nothing changed."""
    db = open_db(path)
    try:
        return hashlib.sha256("\n".join(db.conn.iterdump()).encode()).hexdigest()
    finally:
        db.close()


@pytest.fixture(scope="module")
def template(sample_directory_file: Path) -> tuple[Path, str]:
    return sample_directory_file, fingerprint(sample_directory_file)


def integrity(db) -> str:
    return db.execute("PRAGMA integrity_check").fetchone()[0]


@FUZZ
@given(data=st.one_of(hostile_files(), JUNK))
def test_validation_only_ever_returns_row_errors(data: Any) -> None:
    try:
        errors = validate_services(data)
    except ImportFileError as error:
        assert not isinstance(data, list) and str(error)
        return
    assert all(isinstance(e, RowError) and e.message for e in errors)


@FUZZ
@given(data=hostile_files(), replace=st.booleans())
def test_hostile_import_is_rejected_whole_or_imported_and_the_database_stays_sound(
        template: tuple[Path, str], data: Any, replace: bool) -> None:
    source, before = template
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "directory.db"
        shutil.copy(source, path)
        db = open_db(path)
        try:
            try:
                report = import_oruk(db, data, replace=replace)
            except ImportRejected as rejected:
                event("rejected")
                assert rejected.errors and all(isinstance(e, RowError) for e in rejected.errors)
                assert integrity(db) == "ok"
                db.close()
                assert fingerprint(path) == before, "a rejected import changed the directory"
                return
            event("imported")
            assert integrity(db) == "ok"
            # What was imported reads back, hostile text and all.
            for service in data:
                stored = get_service(db, service["id"])
                assert stored is not None and stored["name"] == service["name"]
            assert report.imported == len(data)
        finally:
            db.close()


def test_the_fuzzer_reaches_both_outcomes() -> None:
    """Guard against a fuzzer that only ever makes files the validator rejects at once."""
    clean = copy.deepcopy(SAMPLE[:2])
    clean[0]["name"] = "<b>Dads' group</b> '); DROP TABLE service; -- 👨‍👧 مرحبا"
    assert validate_services(clean) == []
    broken = copy.deepcopy(SAMPLE[:1])
    broken[0]["minimum_age"] = math.inf
    assert validate_services(broken)
