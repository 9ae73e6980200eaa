"""Term dates, closures and the two session flags survive ORUK and CSV, out and back in.

And ``python -m directory search --after``: what's on in Christmas week.
"""

from __future__ import annotations

import json

import pytest

from directory import calendar_csv, csv_io, edits, oruk, store
from directory.cli import main
from directory.db import open_db
from directory.oruk_ids import public_id
from directory.oruk_pages import full_service
from directory.search import SearchQuery, search
from tests.directory.test_closed_days import (CHRISTMAS, MILL_HILL_CLINIC, MILL_HILL_PLAY,
                                              add_terms, at, centre_of, mark_schedules,
                                              service_named)


@pytest.fixture
def db(directory_db):
    connection = open_db(directory_db)
    yield connection
    connection.close()


@pytest.fixture
def dated(db):
    """The sample with terms, a term-time service, one closure of each scope, and a service
    that runs on bank holidays."""
    add_terms(db)
    mark_schedules(db, MILL_HILL_PLAY, term_time_only=True)
    mark_schedules(db, MILL_HILL_CLINIC, runs_on_bank_holidays=True)
    edits.save_period(db, {**CHRISTMAS, "id": "xmas-all", "valid_from": "2026-12-24",
                           "valid_to": "2026-12-24"}, actor="test")
    edits.save_period(db, {**CHRISTMAS, "id": "xmas-centre",
                           "location_id": centre_of(db, MILL_HILL_CLINIC)}, actor="test")
    edits.save_period(db, {**CHRISTMAS, "id": "xmas-service", "description": "Staff training",
                           "valid_from": "2027-01-06", "valid_to": "2027-01-06",
                           "service_id": service_named(db, MILL_HILL_CLINIC)["id"]},
                      actor="test")
    return db


def answers(db) -> list[tuple[str, list[str], str]]:
    found = search(db, SearchQuery(limit=100), now=at("2026-12-14"))
    return sorted((r["name"], r["next_sessions"], r["schedule_text"] or "") for r in found)


def empty_db(tmp_path, name: str):
    db = open_db(tmp_path / name)
    store.sync_taxonomy(db)
    return db


def test_the_oruk_service_shows_what_search_knows(dated):
    clinic = full_service(dated, service_named(dated, MILL_HILL_CLINIC)["id"])
    assert [(c["id"], c["applies_to"]) for c in clinic["closures"]] == [
        (public_id("xmas-centre"), "centre"), (public_id("xmas-all"), "authority"),
        (public_id("xmas-service"), "service")]
    assert clinic["closures"][0]["location_id"] == public_id(centre_of(dated, MILL_HILL_CLINIC))
    assert clinic["closures"][0]["valid_from"] == "2026-12-19"
    assert clinic["schedules"][0]["runs_on_bank_holidays"] is True
    assert "term_dates" not in clinic
    play = full_service(dated, service_named(dated, MILL_HILL_PLAY)["id"])
    assert play["schedules"][0]["term_time_only"] is True
    assert [t["description"] for t in play["term_dates"]] == ["Autumn 1", "Autumn 2",
                                                              "Spring 1"]


def test_an_oruk_export_imported_elsewhere_gives_the_same_answers(dated, tmp_path):
    exported = oruk.export_oruk(dated)
    other = empty_db(tmp_path, "other.db")
    oruk.import_oruk(other, json.loads(json.dumps(exported)))
    assert oruk.export_oruk(other) == exported
    assert answers(other) == answers(dated)
    # A second import of the same file changes nothing (the ids there are the UUIDs the
    # export published, so compare the other directory with itself).
    before = calendar_csv.export_dates_csv(other)
    oruk.import_oruk(other, json.loads(json.dumps(exported)))
    assert calendar_csv.export_dates_csv(other) == before


def test_an_oruk_import_without_the_keys_leaves_the_dates_alone(dated):
    before = calendar_csv.export_dates_csv(dated)
    service = store.get_service(dated, service_named(dated, MILL_HILL_CLINIC)["id"])
    service.pop("version")
    oruk.import_oruk(dated, [service])
    assert calendar_csv.export_dates_csv(dated) == before


def test_a_bad_closure_in_an_oruk_file_is_refused_and_nothing_changes(dated):
    service = full_service(dated, service_named(dated, MILL_HILL_CLINIC)["id"])
    service["name"] = "Changed"
    service["closures"][2]["valid_to"] = "2026-13-01"
    with pytest.raises(oruk.ImportRejected) as rejected:
        oruk.import_oruk(dated, [service])
    assert [(e.path, e.message) for e in rejected.value.errors] == [
        ("closures[2]", "valid_to must be a date like 2026-12-24, not '2026-13-01'")]
    assert service_named(dated, MILL_HILL_CLINIC)["name"] == MILL_HILL_CLINIC


def test_the_staff_spreadsheet_keeps_the_session_flags(dated, tmp_path):
    sheet = csv_io.export_csv(dated)
    rows = [line for line in sheet.splitlines() if MILL_HILL_PLAY in line]
    assert rows and all(",yes," in row or row.endswith(",yes,") for row in rows)
    other = empty_db(tmp_path, "other.db")
    csv_io.import_csv(other, sheet)
    calendar_csv.import_dates_csv(other, calendar_csv.export_dates_csv(dated))
    assert csv_io.export_csv(other) == sheet
    assert calendar_csv.export_dates_csv(other) == calendar_csv.export_dates_csv(dated)
    assert answers(other) == answers(dated)


def test_a_sheet_without_the_flag_columns_keeps_the_flags(dated):
    sheet = csv_io.export_csv(dated)
    header, *lines = sheet.splitlines()
    keep = [i for i, name in enumerate(header.split(",")) if name not in ("term_time_only",
                                                                         "bank_holidays")]
    import csv as _csv
    import io
    rows = list(_csv.reader(io.StringIO(sheet)))
    trimmed = io.StringIO()
    _csv.writer(trimmed).writerows([[row[i] for i in keep] for row in rows])
    csv_io.import_csv(dated, trimmed.getvalue())
    assert service_named(dated, MILL_HILL_PLAY)["schedules"][0]["term_time_only"] is True


def test_a_malformed_dates_sheet_is_refused_whole_with_every_line_named(dated):
    before = calendar_csv.export_dates_csv(dated)
    bad = ("kind,valid_from,valid_to,centre_id,service_id,description\r\n"
           "closure,2027-02-15,2027-02-19,,,Half term\r\n"
           "holiday,2027-04-01,2027-04-02,,,\r\n"
           "closure,31/12/2026,24/12/2026,,,\r\n"
           "closure,2027-05-01,2027-05-01,no-such-centre,,\r\n"
           "term,2027-02-22,someday,,,\r\n")
    with pytest.raises(oruk.ImportRejected) as rejected:
        calendar_csv.import_dates_csv(dated, bad)
    assert [str(e) for e in rejected.value.errors] == [
        "Line 3, column kind: kind must be term or closure, not 'holiday'",
        "Line 4, column valid_to: valid_to 2026-12-24 is before valid_from 2026-12-31",
        "Line 5, column centre_id: there is no centre with id 'no-such-centre'",
        "Line 6, column valid_to: must be a date like 2026-12-25 or 25/12/2026, not 'someday'",
    ]
    assert calendar_csv.export_dates_csv(dated) == before


# --- the command line: what's on in Christmas week ---------------------------------------------

def test_search_after_a_moment_offers_nothing_on_the_bank_holidays(directory_db, geo_db,
                                                                   capsys):
    args = ["--db", str(directory_db), "--geo-db", str(geo_db), "search", "--near", "BB3",
            "--radius-km", "50", "--limit", "100", "--after", "2026-12-21", "--json"]
    assert main(args) == 0
    results = json.loads(capsys.readouterr().out)
    days = {s[:10] for r in results for s in r["next_sessions"]}
    assert "2026-12-21" in days and "2026-12-24" in days  # the week still has sessions
    assert not days & {"2026-12-25", "2026-12-28", "2027-01-01"}
    assert all(s >= "2026-12-21" for r in results for s in r["next_sessions"])


def test_search_after_takes_a_time_and_a_zone(directory_db, capsys):
    assert main(["--db", str(directory_db), "search", "--limit", "100", "--json",
                 "--after", "2026-12-21T09:45:00Z"]) == 0
    results = json.loads(capsys.readouterr().out)
    starts = [s for r in results for s in r["next_sessions"]]
    assert starts and min(starts) >= "2026-12-21T10:00"


def test_search_after_refuses_what_is_not_a_date(directory_db, capsys):
    with pytest.raises(SystemExit):
        main(["--db", str(directory_db), "search", "--after", "next tuesday"])
    assert "is not a date and time" in capsys.readouterr().err


def test_dates_export_and_import_from_the_command_line(dated, directory_db, tmp_path, capsys):
    path = tmp_path / "dates.csv"
    assert main(["--db", str(directory_db), "export-dates", str(path)]) == 0
    assert "Exported 6 periods" in capsys.readouterr().err
    assert main(["--db", str(directory_db), "import-dates", str(path), "--replace"]) == 0
    assert "Imported 6 periods" in capsys.readouterr().out
