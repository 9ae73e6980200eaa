""""This is wrong": a parent says a listing's facts are wrong, and the centre's staff put it right.

A report is written from a result card (the chat or ``/search``) and read and closed by staff at
``/staff/reports``. It holds no personal data unless the parent chose to add some: the reason is
one of a fixed list, and the free text is kept only when the parent ticked that they agree to us
keeping it (``consent``). Reports are tied to the centre (ORUK location) the card showed, so the
staff of that centre see them. Done reports are deleted after 90 days by the retention job
(``purge_done_reports``), like call-backs, because the free text may name someone.

Writing and closing are audited in ``directory.edits`` (the audit row never holds the free
text: the audit log is kept for ever and cannot be edited).
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone

import sqlite_utils

from directory.store import write_transaction

OPEN, DONE = "open", "done"

#: What a parent can say is wrong: (code, what the card's button says, what staff read).
REASONS: tuple[tuple[str, str, str], ...] = (
    ("time", "The day or time is wrong", "Day or time is wrong"),
    ("place", "The place is wrong", "Place is wrong"),
    ("cost", "The cost is wrong", "Cost is wrong"),
    ("closed", "It has stopped or closed", "Stopped or closed"),
    ("other", "Something else is wrong", "Something else"),
)
REASON_CODES = frozenset(code for code, _, _ in REASONS)
STAFF_WORDS = {code: words for code, _, words in REASONS}
#: The most a parent may type, the same as a chat message.
MAX_DETAILS_CHARS = 1000


class ReportNotFound(LookupError):
    """No report with that id (a done one may have been deleted)."""


class ReportRefused(ValueError):
    """The report cannot be kept as sent; the message says why in plain words."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def clean_details(text: str | None) -> str | None:
    """The parent's words without control characters (new lines kept); None when empty.

    Raises ``ReportRefused`` for more than ``MAX_DETAILS_CHARS`` characters.
    """
    if text is None:
        return None
    kept = "".join(ch for ch in str(text).replace("\r\n", "\n")
                   if ch == "\n" or unicodedata.category(ch)[0] != "C").strip()
    if len(kept) > MAX_DETAILS_CHARS:
        raise ReportRefused(f"Please keep what you write under {MAX_DETAILS_CHARS:,} characters.")
    return kept or None


def service_locations(db: sqlite_utils.Database, service_id: str) -> list[str]:
    """The centres (location ids) a service runs at, in the order they were written."""
    return [r[0] for r in db.execute(
        "SELECT location_id FROM service_at_location WHERE service_id = ? ORDER BY rowid",
        [service_id])]


def create_report(db: sqlite_utils.Database, *, service_id: str, reason: str,
                  location_id: str | None = None, details: str | None = None,
                  consent: bool = False) -> int:
    """Store an open report and return its id (in the caller's transaction, if any).

    Refuses (``ReportRefused``) an unknown service or reason, and free text without consent:
    the parent is asked to tick the box, so nothing they typed is kept without their say-so.
    A ``location_id`` that is not one of the service's centres is replaced by its first centre.
    """
    if reason not in REASON_CODES:
        raise ReportRefused("Please choose what is wrong from the list.")
    details = clean_details(details)
    if details and not consent:
        raise ReportRefused("Please tick the box to say we may keep what you wrote, "
                            "or clear the box and send the report without it.")
    row = db.execute("SELECT name FROM service WHERE id = ?", [service_id]).fetchone()
    if row is None:
        raise ReportRefused("We could not find that service. It may have been taken off the list.")
    centres = service_locations(db, service_id)
    if location_id not in centres:
        location_id = centres[0] if centres else None
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO listing_report (created_at, service_id, service_name, location_id, "
            "reason, details, consent, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now().isoformat(timespec="seconds"), service_id, row[0], location_id, reason,
             details, 1 if details else 0, OPEN))
    return int(cursor.lastrowid)


def list_reports(db: sqlite_utils.Database, status: str = OPEN) -> list[dict]:
    """Open reports oldest first (the longest wrong is put right first); done newest first."""
    if status == OPEN:
        sql = "SELECT * FROM listing_report WHERE status = ? ORDER BY created_at, id"
    elif status == DONE:
        sql = "SELECT * FROM listing_report WHERE status = ? ORDER BY done_at DESC, id DESC"
    else:
        raise ValueError(f"status must be 'open' or 'done', not {status!r}")
    return list(db.query(sql, [status]))


def get_report(db: sqlite_utils.Database, report_id: int) -> dict:
    rows = list(db.query("SELECT * FROM listing_report WHERE id = ?", [report_id]))
    if not rows:
        raise ReportNotFound(f"No report {report_id}.")
    return rows[0]


def mark_done(db: sqlite_utils.Database, report_id: int, done_by: str) -> dict:
    """Mark a report done; doing it twice keeps the first person and time."""
    with write_transaction(db):
        row = get_report(db, report_id)
        if row["status"] != DONE:
            db.conn.execute("UPDATE listing_report SET status = ?, done_by = ?, done_at = ? "
                            "WHERE id = ?",
                            (DONE, done_by, _now().isoformat(timespec="seconds"), report_id))
    return get_report(db, report_id)


def purge_done_reports(db: sqlite_utils.Database, older_than_days: int = 90,
                       *, now: datetime | None = None) -> int:
    """Delete reports done more than ``older_than_days`` ago (overwritten on disk); how many."""
    cutoff = ((now or _now()) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
    db.execute("PRAGMA secure_delete = ON")
    with write_transaction(db):
        cursor = db.conn.execute(
            "DELETE FROM listing_report WHERE status = ? AND done_at < ?", (DONE, cutoff))
    return cursor.rowcount
