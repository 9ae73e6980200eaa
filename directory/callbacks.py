"""Call-back requests: a parent asked a person at a centre to ring or email them.

Written by the bot's call-back form (after the parent agreed to what is kept and for how long),
read and closed by staff in the inbox at ``/staff/callbacks``. Closed requests are deleted after
90 days by the retention job (``purge_closed_callbacks``), and requests nobody closed after
``Settings.callback_open_days`` (``purge_old_open_callbacks``), so contact details are not kept
longer than the job needs. Staff can delete one at once when a parent asks
(``directory.edits.delete_callback``). Every deletion is audited, without contact details.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlite_utils

from directory import audit
from directory.store import write_transaction

OPEN, CLOSED = "open", "closed"


class CallbackNotFound(LookupError):
    """No call-back request with that id (it may have been purged)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _clean(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split()) if limit <= 200 else str(value).strip()
    return value[:limit] or None


def create_callback(db: sqlite_utils.Database, *, first_name: str, phone: str | None = None,
                    email: str | None = None, good_time: str | None = None,
                    summary: str | None = None, centre_id: str | None = None) -> int:
    """Store a request and return its id. A way to reach the parent is required."""
    first_name = _clean(first_name, 80)
    if not first_name:
        raise ValueError("A call-back needs a first name.")
    phone, email = _clean(phone, 40), _clean(email, 200)
    if not phone and not email:
        raise ValueError("A call-back needs a phone number or an email address.")
    with write_transaction(db):
        cursor = db.conn.execute(
            "INSERT INTO callback (created_at, first_name, phone, email, good_time, summary, "
            "centre_id, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (_now().isoformat(timespec="seconds"), first_name, phone, email,
             _clean(good_time, 200), _clean(summary, 4000), _clean(centre_id, 200), OPEN),
        )
    return int(cursor.lastrowid)


def list_callbacks(db: sqlite_utils.Database, status: str | None = None) -> list[dict]:
    """Open requests oldest first (the longest wait is answered first); closed newest first."""
    if status not in (None, OPEN, CLOSED):
        raise ValueError(f"status must be 'open' or 'closed', not {status!r}")
    if status == OPEN:
        sql, params = "SELECT * FROM callback WHERE status = ? ORDER BY created_at, id", [OPEN]
    elif status == CLOSED:
        sql, params = "SELECT * FROM callback WHERE status = ? ORDER BY closed_at DESC, id DESC", [CLOSED]
    else:
        sql, params = ("SELECT * FROM callback ORDER BY status = 'closed', created_at, id", [])
    return list(db.query(sql, params))


def get_callback(db: sqlite_utils.Database, callback_id: int) -> dict:
    rows = list(db.query("SELECT * FROM callback WHERE id = ?", [callback_id]))
    if not rows:
        raise CallbackNotFound(f"No call-back request {callback_id}.")
    return rows[0]


def close_callback(db: sqlite_utils.Database, callback_id: int, closed_by: str) -> dict:
    """Mark a request done, recording who closed it and when; returns the closed row.

    Closing twice keeps the first closer: the record says who actually rang the parent.
    """
    with write_transaction(db):
        row = get_callback(db, callback_id)
        if row["status"] != CLOSED:
            db.conn.execute(
                "UPDATE callback SET status = ?, closed_by = ?, closed_at = ? WHERE id = ?",
                (CLOSED, closed_by, _now().isoformat(timespec="seconds"), callback_id),
            )
    return get_callback(db, callback_id)


def purge_closed_callbacks(db: sqlite_utils.Database, older_than_days: int = 90,
                           *, now: datetime | None = None) -> int:
    """Delete closed requests closed more than ``older_than_days`` ago; returns how many.

    SQLite's ``secure_delete`` overwrites the deleted rows on disk instead of leaving them in
    free pages (it stays on for this connection).
    """
    cutoff = ((now or _now()) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
    db.execute("PRAGMA secure_delete = ON")
    with write_transaction(db):
        cursor = db.conn.execute(
            "DELETE FROM callback WHERE status = ? AND closed_at < ?", (CLOSED, cutoff))
    return cursor.rowcount


def delete_callback(db: sqlite_utils.Database, callback_id: int) -> dict:
    """Delete one request (the caller audits it, in its transaction); returns the deleted row."""
    row = get_callback(db, callback_id)
    db.execute("PRAGMA secure_delete = ON")
    db.conn.execute("DELETE FROM callback WHERE id = ?", (callback_id,))
    return row


def purge_old_open_callbacks(db: sqlite_utils.Database, older_than_days: int = 90,
                             *, now: datetime | None = None) -> int:
    """Delete open requests made more than ``older_than_days`` ago, each with an audit row.

    A request nobody answered in that time will not be answered; keeping the parent's number
    longer helps nobody.
    """
    cutoff = ((now or _now()) - timedelta(days=older_than_days)).isoformat(timespec="seconds")
    db.execute("PRAGMA secure_delete = ON")
    with write_transaction(db):
        old = [row["id"] for row in db.query(
            "SELECT id FROM callback WHERE status = ? AND created_at < ?", [OPEN, cutoff])]
        for callback_id in old:
            db.conn.execute("DELETE FROM callback WHERE id = ?", (callback_id,))
            audit.record(db, actor="retention job", action="expire", table="callback",
                         record_id=str(callback_id), before={"status": OPEN},
                         after={"deleted": True, "older_than_days": older_than_days})
    return len(old)
