"""The staff spreadsheet: one row per session, checked whole, errors by line and column."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from directory import csv_io, oruk, shape, store
from directory.csv_io import CsvError
from directory.db import open_db
from directory.oruk import ImportRejected

HEADER = ("service_id,service_name,description,needs,min_age,max_age,cost,phone,email,"
          "centre_id,centre_name,address,town,postcode,latitude,longitude,days,frequency,"
          "week_of_month,interval,opens_at,closes_at,first_date,valid_from,valid_to,"
          "by_appointment\n")
DADS = ("dads-1,Dads' Saturday Club,Play and a cuppa. Mums and carers welcome too.,"
        "father_friendly;stay_and_play,0,4,Free,01254 000001,hub@example.org,"
        "c-1,Darwen Family Hub,1 Market St,Darwen,BB3 1NG,53.6981,-2.4651,Saturday,monthly,1,,"
        "10:00,11:30,,,,\n")
DADS_WEEKLY = ("dads-1,Dads' Saturday Club,Play and a cuppa. Mums and carers welcome too.,"
               "father_friendly;stay_and_play,0,4,Free,01254 000001,hub@example.org,"
               "c-1,Darwen Family Hub,1 Market St,Darwen,BB3 1NG,53.6981,-2.4651,Tue,weekly,,,"
               "18:00,19:30,,2026-01-01,2026-12-31,\n")
ADVICE = ("money-1,Money and childcare advice,Help with Universal Credit childcare costs.,"
          "jobcentre_plus,,,,01254 000002,,c-2,Mill Hill Centre,2 Mill Lane,Blackburn,BB2 4PH,"
          "53.73,-2.50,,,,,,,,,,yes\n")


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "directory.db")
    store.sync_taxonomy(database)
    yield database
    database.close()


def _rejected(db, text: str) -> list[CsvError]:
    before = {t: db[t].count for t in shape.CONTENT_TABLES}
    with pytest.raises(ImportRejected) as raised:
        csv_io.import_csv(db, text)
    assert {t: db[t].count for t in shape.CONTENT_TABLES} == before
    return raised.value.errors


def test_rows_become_one_service_with_its_sessions(db):
    report = csv_io.import_csv(db, HEADER + DADS + DADS_WEEKLY + ADVICE)
    assert (report.imported, report.created) == (2, 2)
    dads = store.get_service(db, "dads-1")
    assert [a["taxonomy_term_id"] for a in dads["attributes"]] == ["father_friendly",
                                                                   "stay_and_play"]
    assert dads["minimum_age"] == 0 and dads["maximum_age"] == 4
    assert dads["cost_options"][0]["amount"] == 0
    assert dads["phones"][0]["number"] == "01254 000001"
    (sal,) = dads["service_at_locations"]
    assert sal["location"]["name"] == "Darwen Family Hub"
    assert sal["location"]["addresses"][0]["postal_code"] == "BB3 1NG"
    first, second = sal["schedules"]
    assert (first["freq"], first["byday"], first["opens_at"]) == ("MONTHLY", "1SA", "10:00")
    assert (second["freq"], second["byday"], second["valid_to"]) == ("WEEKLY", "TU", "2026-12-31")
    advice = store.get_service(db, "money-1")
    (appointment,) = advice["service_at_locations"][0]["schedules"]
    assert "freq" not in appointment  # by appointment: no regular sessions


def test_export_writes_the_same_layout_and_reimports_unchanged(db):
    csv_io.import_csv(db, HEADER + DADS + DADS_WEEKLY + ADVICE)
    text = csv_io.export_csv(db)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert rows[0]["days"] == "Saturday" and rows[0]["week_of_month"] == "1"
    assert rows[0]["needs"] == "father_friendly;stay_and_play"
    assert rows[2]["by_appointment"] == "yes"
    report = csv_io.import_csv(db, text)
    assert report.imported == 0 and report.unchanged == 2
    assert csv_io.export_csv(db) == text


def test_csv_round_trip_into_a_new_directory(db, tmp_path):
    csv_io.import_csv(db, HEADER + DADS + DADS_WEEKLY + ADVICE)
    text = csv_io.export_csv(db)
    other = open_db(tmp_path / "other.db")
    store.sync_taxonomy(other)
    csv_io.import_csv(other, text)
    assert csv_io.export_csv(other) == text


def test_a_spreadsheet_edit_keeps_details_the_sheet_does_not_show(db, sample_services):
    oruk.import_oruk(db, sample_services)
    before = {s["id"]: s for s in oruk.export_oruk(db)}
    text = csv_io.export_csv(db)
    rows = list(csv.DictReader(io.StringIO(text)))
    target = next(r for r in rows if r["opens_at"])
    edited = text.replace(f"{target['session_id']},{target['days']}",
                          f"{target['session_id']},Sunday", 1)
    report = csv_io.import_csv(db, edited)
    assert report.imported == 1
    after = store.get_service(db, target["service_id"])
    old = before[target["service_id"]]
    schedules = after["schedules"] + [s for sal in after["service_at_locations"]
                                      for s in sal["schedules"]]
    assert any(s["id"] == target["session_id"] and s["byday"] == "SU" for s in schedules)
    old_location = old["service_at_locations"][0]["location"]
    new_location = after["service_at_locations"][0]["location"]
    assert new_location["accessibility"] == old_location["accessibility"]
    assert after["contacts"] == old["contacts"]


def test_errors_name_the_line_and_column(db):
    bad = DADS.replace("Saturday,monthly", "Caturday,monthly")
    worse = DADS_WEEKLY.replace("18:00,19:30", "19:30,18:00").replace("dads-1", "dads-2")
    errors = _rejected(db, HEADER + bad + worse)
    assert [(e.line, e.column) for e in errors] == [(2, "days")]
    errors = _rejected(db, HEADER + worse)
    assert [(e.line, e.column) for e in errors] == [(2, "closes_at")]
    assert "not after" in errors[0].message


def test_one_bad_row_in_a_long_sheet_changes_nothing(db):
    rows = [DADS.replace("dads-1", f"dads-{n}") for n in range(40)]
    rows[25] = rows[25].replace(",0,4,", ",7,4,")
    errors = _rejected(db, HEADER + "".join(rows))
    assert [(e.line, e.column) for e in errors] == [(27, "min_age")]
    assert "max_age is 4" in errors[0].message


def test_unknown_needs_and_columns_are_explained(db):
    errors = _rejected(db, HEADER + DADS.replace("father_friendly;", "dad_stuff;"))
    assert (errors[0].line, errors[0].column) == (2, "needs")
    assert "dad_stuff" in errors[0].message
    errors = _rejected(db, HEADER.replace("postcode", "post code here") + DADS)
    assert errors[0].line == 1 and "post code here" in errors[0].message


def test_rows_of_one_service_must_agree(db):
    clash = DADS_WEEKLY.replace("Play and a cuppa.", "Different words.")
    errors = _rejected(db, HEADER + DADS + clash)
    assert [(e.line, e.column) for e in errors] == [(3, "description")]
    assert "line 2" in errors[0].message


def test_uk_dates_and_day_names_are_understood(db):
    row = DADS_WEEKLY.replace("2026-01-01,2026-12-31", "01/02/2026,31/12/2026").replace(
        "Tue,weekly", "mon and wednesdays,weekly")
    csv_io.import_csv(db, HEADER + row)
    schedule = store.get_service(db, "dads-1")["service_at_locations"][0]["schedules"][0]
    assert (schedule["valid_from"], schedule["valid_to"]) == ("2026-02-01", "2026-12-31")
    assert schedule["byday"] == "MO,WE"


def test_hostile_text_is_kept_and_formulas_are_defused_on_export(db):
    row = DADS.replace("Dads' Saturday Club", '"=HYPERLINK(""http://x"",""Click"")"').replace(
        "Play and a cuppa.", '"<script>alert(1)</script> \'; DROP TABLE service;--"')
    csv_io.import_csv(db, HEADER + row)
    service = store.get_service(db, "dads-1")
    assert service["name"] == '=HYPERLINK("http://x","Click")'
    assert service["description"].startswith("<script>alert(1)</script>")
    exported = list(csv.DictReader(io.StringIO(csv_io.export_csv(db))))[0]
    assert exported["service_name"].startswith("'=")
    assert exported["longitude"] == "-2.4651"  # numbers are never quoted
    csv_io.import_csv(db, csv_io.export_csv(db))
    assert store.get_service(db, "dads-1")["name"] == '=HYPERLINK("http://x","Click")'


def test_control_characters_in_a_cell_are_refused(db):
    errors = _rejected(db, HEADER + DADS.replace("Play and a cuppa.", "Play\x00and a cuppa."))
    assert errors[0].line == 2 and "code 0" in errors[0].message
    assert errors[0].column in ("description", "")  # Python 3.10's csv stops at the NUL
    errors = _rejected(db, HEADER + DADS.replace("Play and a cuppa.", "Play\x1band a cuppa."))
    assert (errors[0].line, errors[0].column) == (2, "description")


def test_a_non_utf8_file_gets_advice(db, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes((HEADER + DADS.replace("Darwen", "Darwén")).encode("cp1252"))
    with pytest.raises(oruk.ImportFileError, match="CSV UTF-8"):
        csv_io.import_csv(db, path)


def test_excel_byte_order_mark_and_file_paths_work(db, tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_bytes(("\ufeff" + HEADER + DADS).encode("utf-8"))
    assert csv_io.import_csv(db, path).imported == 1
    out = tmp_path / "out.csv"
    assert csv_io.write_csv(db, out) == 1
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert csv_io.import_csv(db, out).unchanged == 1


def test_replace_from_a_spreadsheet_empties_the_directory_first(db, sample_services):
    oruk.import_oruk(db, sample_services)
    csv_io.import_csv(db, HEADER + ADVICE, replace=True)
    assert store.list_service_ids(db) == ["money-1"]


def test_the_example_in_the_docs_imports(db):
    docs = (Path(__file__).resolve().parents[2] / "docs" / "csv.md").read_text(encoding="utf-8")
    example = docs.split("```csv\n", 1)[1].split("```", 1)[0]
    report = csv_io.import_csv(db, example)
    assert report.created == 2
    dads = store.get_service(db, "dads-1")
    assert [s["byday"] for s in dads["service_at_locations"][0]["schedules"]] == ["1SA", "TU"]


def test_centre_and_session_problems_point_at_their_cells(db):
    far = DADS.replace("53.6981", "153.6981")
    fortnightly = DADS_WEEKLY.replace("dads-1", "dads-2").replace("c-1,", "c-9,").replace(
        "Tue,weekly,,,", "Tue,weekly,,2,").replace("2026-01-01,2026-12-31", ",")
    errors = _rejected(db, HEADER + far + fortnightly)
    assert [(e.line, e.column) for e in errors] == [(2, "latitude"), (3, "interval")]
    assert "first_date" in errors[1].message and "dtstart" not in errors[1].message


# --- centres' opening hours -------------------------------------------------------------------

def _set_hours(text: str, centre_id: str, cell: str) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row["centre_id"] == centre_id:
            row["centre_opening_hours"] = cell
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_io.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_opening_hours_go_out_and_come_back_in_the_spreadsheet(db, sample_services):
    from directory.opening_hours import describe_hours, location_schedules
    oruk.import_oruk(db, sample_services)
    text = csv_io.export_csv(db)
    rows = list(csv.DictReader(io.StringIO(text)))
    darwen = next(r for r in rows if r["centre_name"] == "Darwen Family Hub")
    assert darwen["centre_opening_hours"] == "Mon-Fri 09:00-17:00; Sat 10:00-13:00"
    # Importing the export unchanged changes nothing.
    assert csv_io.import_csv(db, text).imported == 0
    edited = _set_hours(text, darwen["centre_id"], "Mon-Thu 09:00-16:30; Fri 9-12")
    csv_io.import_csv(db, edited)
    assert describe_hours(location_schedules(db, darwen["centre_id"])) == \
        "Monday to Thursday, 9am to 4:30pm and Friday, 9am to 12pm"
    again = list(csv.DictReader(io.StringIO(csv_io.export_csv(db))))
    assert next(r for r in again if r["centre_id"] == darwen["centre_id"])["centre_opening_hours"] \
        == "Mon-Thu 09:00-16:30; Fri 09:00-12:00"


def test_opening_hours_that_make_no_sense_are_rejected_by_cell(db, sample_services):
    oruk.import_oruk(db, sample_services)
    text = csv_io.export_csv(db)
    darwen = next(r for r in csv.DictReader(io.StringIO(text)) if r["centre_name"] == "Darwen Family Hub")
    errors = _rejected(db, _set_hours(text, darwen["centre_id"], "Mon-Fri 17:00-09:00; Caturday 10-12"))
    assert {e.column for e in errors} == {"centre_opening_hours"}
    messages = " ".join(e.message for e in errors)
    assert "closing time is not after the opening time" in messages
    assert "'Caturday' is not a day" in messages
