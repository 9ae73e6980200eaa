"""The staff spreadsheet importer under hostile files: the documented rejection or a clean import.

Hypothesis starts from the real export of the sample directory (``export_csv``), then breaks it:
a cell swapped for hostile text (formulas, quotes, newlines, control characters, HTML, SQL,
right-to-left text, 25,000 characters), a column renamed or dropped, the file cut short, or
bytes that are not UTF-8 at all. The promises (``directory/csv_io.py``, ``docs/csv.md``):

- ``import_csv`` imports, or raises ``ImportRejected`` whose errors are ``CsvError``s with a
  line and a plain-words message, or ``ImportFileError`` for a file that is not UTF-8 —
  never any other exception;
- on rejection the directory is byte-for-byte what it was; ``PRAGMA integrity_check`` is ok.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings as hsettings, strategies as st

from directory.csv_io import COLUMNS, CsvError, export_csv, import_csv
from directory.db import open_db
from directory.oruk import ImportFileError, ImportRejected
from tests.directory.test_oruk_import_fuzz import fingerprint, integrity

FUZZ = hsettings(max_examples=100, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

CELLS = st.one_of(
    st.text(max_size=200),
    st.sampled_from(["", "=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "'=1", '"', '""',
                     "a,b", "line\nbreak", "\r", "\x00", "\x1b[31m", "<script>alert(1)</script>",
                     "'); DROP TABLE service; --", "مرحبا", "\u202e", "😀" * 30, "x" * 25_000,
                     "MO,TU", "Monday", "1SA", "-1FR", "99", "-5", "1e309", "nan", "yes", "maybe",
                     "25:00", "9am", "2026-02-30", "BB1 7DD", "BB99 9ZZ", "weekly", "hourly"]))


@pytest.fixture(scope="module")
def template(sample_directory_file: Path) -> tuple[Path, str, list[list[str]]]:
    db = open_db(sample_directory_file)
    text = export_csv(db)
    db.close()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return sample_directory_file, fingerprint(sample_directory_file), rows


def to_csv(rows: list[list[str]]) -> str:
    """Every cell quoted by hand: Python 3.10's csv writer refuses a NUL byte that 3.11's writes."""
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'
    return "".join(",".join(cell(v) for v in row) + "\r\n" for row in rows)


@st.composite
def edits(draw, rows: list[list[str]]) -> str | bytes:
    """The exported sheet, broken in one to three ways."""
    rows = [list(r) for r in draw(st.lists(st.sampled_from(rows[1:]), min_size=1, max_size=6))]
    header = list(COLUMNS)
    body: list[list[str]] = rows
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "rename", "drop", "extra_cells"]))
        if kind == "cell":
            r = draw(st.integers(0, len(body) - 1))
            c = draw(st.integers(0, len(header) - 1))
            body[r][c] = draw(CELLS)
        elif kind == "rename":
            c = draw(st.integers(0, len(header) - 1))
            header[c] = draw(st.sampled_from(["", "Service Name", "postcode ", "unknown", "days",
                                              header[c].upper()]))
        elif kind == "drop":
            c = draw(st.integers(0, len(header) - 1))
            header.pop(c)
            body = [row[:c] + row[c + 1:] for row in body]
        else:
            r = draw(st.integers(0, len(body) - 1))
            body[r] = body[r] + draw(st.lists(CELLS, min_size=1, max_size=3))
    text = to_csv([header] + body)
    how = draw(st.sampled_from(["text", "text", "bytes", "cut", "not_utf8"]))
    if how == "bytes":
        return text.encode("utf-8")
    if how == "cut":
        return text[:draw(st.integers(0, len(text)))]
    if how == "not_utf8":
        raw = bytearray(text.encode("utf-8"))
        raw.insert(draw(st.integers(0, len(raw))), draw(st.sampled_from([0xff, 0xfe, 0xc3, 0x80])))
        return bytes(raw)
    return text


@FUZZ
@given(data=st.data(), replace=st.booleans())
def test_hostile_spreadsheet_is_rejected_whole_or_imported_and_the_database_stays_sound(
        template, data, replace: bool) -> None:
    source, before, rows = template
    sheet = data.draw(edits(rows))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "directory.db"
        shutil.copy(source, path)
        db = open_db(path)
        try:
            try:
                report = import_csv(db, sheet, replace=replace)
            except ImportRejected as rejected:
                event("rejected")
                assert rejected.errors
                for error in rejected.errors:
                    assert isinstance(error, CsvError) and error.message.strip()
                    assert error.line >= 0  # 0: the whole file (e.g. "no services")
            except ImportFileError as error:
                event("not UTF-8")
                assert isinstance(sheet, bytes) and str(error)
            else:
                event("imported")
                assert integrity(db) == "ok"
                if report.imported == 0 and not replace:  # e.g. a file cut after the header
                    db.close()
                    assert fingerprint(path) == before
                return
            assert integrity(db) == "ok"
        finally:
            db.close()
        assert fingerprint(path) == before, "a rejected spreadsheet changed the directory"


def test_the_unbroken_export_imports_cleanly(template) -> None:
    """The fuzzer's starting point is valid, so the rejections above are the breakage's doing."""
    source, _, rows = template
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "directory.db"
        shutil.copy(source, path)
        db = open_db(path)
        try:
            report = import_csv(db, to_csv(rows))
            assert report.imported + report.unchanged >= 1
            assert integrity(db) == "ok"
        finally:
            db.close()
