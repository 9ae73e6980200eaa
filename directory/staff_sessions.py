"""Staff sign-in sessions, stored server-side in ``staff_session``.

The cookie holds a random token and the table only its SHA-256, so a copy of the database
cannot be used to sign in. A session ends after ``IDLE_MINUTES`` without a request (each
request slides the expiry) and after ``MAX_HOURS`` whatever happens. The staff area
(``web/staff/auth.py``) sets the cookie and decides who may open what.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

import sqlite_utils

from directory.staff_users import StaffUser, get_user
from directory.store import write_transaction

IDLE_MINUTES = 30
MAX_HOURS = 12


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db: sqlite_utils.Database, user: StaffUser, csrf_token: str, *,
                  now: datetime | None = None) -> str:
    """Create a session and return the cookie token (a new one at every sign-in)."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    with write_transaction(db):
        db.conn.execute("DELETE FROM staff_session WHERE expires_at < ?", (now.isoformat(),))
        db.conn.execute(
            "INSERT INTO staff_session (token_hash, user_id, csrf_token, created_at, last_seen, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (_hash(token), user.id, csrf_token, now.isoformat(), now.isoformat(),
             (now + timedelta(minutes=IDLE_MINUTES)).isoformat()))
    return token


def load_session(db: sqlite_utils.Database, token: str | None, *, now: datetime | None = None,
                 touch: bool = True) -> tuple[dict | None, bool]:
    """``(session row with 'user', expired?)``; a live session's idle expiry slides forward."""
    if not token:
        return None, False
    now = now or _now()
    rows = list(db.query("SELECT * FROM staff_session WHERE token_hash = ?", [_hash(token)]))
    if not rows:
        return None, False
    row = rows[0]
    created = datetime.fromisoformat(row["created_at"])
    if datetime.fromisoformat(row["expires_at"]) <= now or now - created > timedelta(hours=MAX_HOURS):
        end_session(db, token)
        return None, True
    user = get_user(db, row["user_id"])
    if not user.active:
        end_session(db, token)
        return None, False
    if touch:
        row["expires_at"] = (now + timedelta(minutes=IDLE_MINUTES)).isoformat()
        row["last_seen"] = now.isoformat()
        with write_transaction(db):
            db.conn.execute("UPDATE staff_session SET last_seen = ?, expires_at = ? WHERE token_hash = ?",
                            (row["last_seen"], row["expires_at"], row["token_hash"]))
    row["user"] = user
    return row, False


def end_session(db: sqlite_utils.Database, token: str | None) -> None:
    if token:
        with write_transaction(db):
            db.conn.execute("DELETE FROM staff_session WHERE token_hash = ?", (_hash(token),))
