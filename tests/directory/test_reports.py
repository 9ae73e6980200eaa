""""This is wrong" reports (``directory.reports``): kept without personal data unless the parent
agrees, tied to the centre the parent saw, audited without the parent's words, purged when done."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from directory import audit, edits, reports
from directory.db import open_db


@pytest.fixture
def db(directory_db: Path):
    connection = open_db(directory_db)
    yield connection
    connection.close()


def _service_at_two_centres(db) -> tuple[str, str, str]:
    row = db.execute("SELECT service_id, min(location_id), max(location_id) FROM service_at_location "
                     "GROUP BY service_id HAVING count(DISTINCT location_id) >= 1 LIMIT 1").fetchone()
    return row[0], row[1], row[2]


def test_a_report_needs_only_a_reason_and_keeps_no_words_it_was_not_given(db):
    service_id, location_id, _ = _service_at_two_centres(db)
    report_id = edits.file_report(db, service_id=service_id, reason="time", location_id=location_id)
    row = reports.get_report(db, report_id)
    assert (row["reason"], row["location_id"], row["status"]) == ("time", location_id, "open")
    assert row["details"] is None and row["consent"] == 0
    name = db.execute("SELECT name FROM service WHERE id = ?", [service_id]).fetchone()[0]
    assert row["service_name"] == name


def test_words_without_consent_are_refused_politely_and_nothing_is_kept(db):
    service_id, _, _ = _service_at_two_centres(db)
    with pytest.raises(reports.ReportRefused, match="tick the box"):
        edits.file_report(db, service_id=service_id, reason="cost",
                          details="It costs £2 now. Ring me on 07700 900123")
    assert reports.list_reports(db) == []
    assert audit.list_entries(db, table="listing_report") == []


def test_words_with_consent_are_kept_but_never_written_to_the_audit_log(db):
    service_id, _, _ = _service_at_two_centres(db)
    report_id = edits.file_report(db, service_id=service_id, reason="cost", consent=True,
                                  details="It costs £2 now.\x00\x1b[31m Ring Sam on 07700 900123")
    row = reports.get_report(db, report_id)
    assert row["details"] == "It costs £2 now.[31m Ring Sam on 07700 900123" and row["consent"] == 1
    entry = audit.list_entries(db, table="listing_report", record_id=str(report_id))[0]
    assert entry["actor"] == "parent" and entry["after"]["reason"] == "cost"
    assert entry["after"]["has_details"] is True and "07700" not in str(entry)


def test_unknown_services_reasons_and_long_words_get_a_plain_message(db):
    service_id, _, _ = _service_at_two_centres(db)
    with pytest.raises(reports.ReportRefused, match="could not find that service"):
        edits.file_report(db, service_id="no-such-service", reason="time")
    with pytest.raises(reports.ReportRefused, match="choose what is wrong"):
        edits.file_report(db, service_id=service_id, reason="<script>")
    with pytest.raises(reports.ReportRefused, match="under 1,000 characters"):
        edits.file_report(db, service_id=service_id, reason="other", consent=True, details="x" * 1001)


def test_a_centre_that_does_not_run_the_service_is_replaced_by_one_that_does(db):
    service_id, first, _ = _service_at_two_centres(db)
    report_id = edits.file_report(db, service_id=service_id, reason="place", location_id="elsewhere")
    assert reports.get_report(db, report_id)["location_id"] == first


def test_done_reports_keep_who_and_when_and_are_purged_after_90_days(db):
    service_id, _, _ = _service_at_two_centres(db)
    old, recent, waiting = (edits.file_report(db, service_id=service_id, reason="closed")
                            for _ in range(3))
    assert [r["id"] for r in reports.list_reports(db)] == [old, recent, waiting]
    done = edits.close_report(db, old, actor="eddie")
    assert done["status"] == "done" and done["done_by"] == "eddie"
    assert edits.close_report(db, old, actor="ada")["done_by"] == "eddie"
    edits.close_report(db, recent, actor="eddie")
    long_ago = (datetime.now(timezone.utc) - timedelta(days=91)).isoformat(timespec="seconds")
    db.execute("UPDATE listing_report SET done_at = ?, created_at = ? WHERE id = ?",
               [long_ago, long_ago, old])
    db.execute("UPDATE listing_report SET created_at = ? WHERE id = ?", [long_ago, waiting])
    db.conn.commit()
    assert reports.purge_done_reports(db) == 1
    assert [r["id"] for r in reports.list_reports(db, "done")] == [recent]
    assert [r["id"] for r in reports.list_reports(db)] == [waiting]
