"""A second factor for staff: six-digit codes from an authenticator app (TOTP, RFC 6238).

A stolen or guessed password alone must not open an admin account. ``pyotp`` makes and checks
the codes; we keep the secret, and the 30-second step of the last code accepted so that no
code works twice (someone watching over a shoulder cannot reuse it within its window).

Enrolling is two steps: ``start_enrolment`` keeps a new secret as *pending* and shows it; only a
right code from the app (``confirm_enrolment``) makes it the account's factor. ``reset`` (the
command line, for a lost phone) removes it. Every change is audited, never with the secret.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import sqlite_utils

from directory import audit
from directory.staff_users import AccountError, StaffUser, _row
from directory.store import write_transaction

ISSUER = "Signpost staff"
#: Codes from one step either side are accepted, for phone clocks a little out.
VALID_WINDOW = 1


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` address an authenticator app reads (typed in, or as a QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step ``code`` belongs to (within the window), or ``None``."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now // totp.interval)
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def start_enrolment(db: sqlite_utils.Database, user: StaffUser) -> str:
    """Keep a new pending secret for ``user`` and return it (the page shows it once)."""
    secret = pyotp.random_base32()
    with write_transaction(db):
        db.conn.execute("UPDATE staff_user SET totp_pending = ? WHERE id = ?", (secret, user.id))
    return secret


def pending_secret(db: sqlite_utils.Database, user: StaffUser) -> str | None:
    row = _row(db, user.username)
    return row["totp_pending"] if row else None


def confirm_enrolment(db: sqlite_utils.Database, user: StaffUser, code: str,
                      *, now: float | None = None) -> None:
    """Make the pending secret the account's second factor, if ``code`` is right for it."""
    now = time.time() if now is None else now
    with write_transaction(db):
        row = _row(db, user.username)
        secret = row["totp_pending"] if row else None
        if not secret:
            raise AccountError("Start again: open the second factor page for a new code.")
        step = _matching_step(secret, code, now)
        if step is None:
            raise AccountError("That code is not right. Type the 6 numbers your app shows now.")
        db.conn.execute(
            "UPDATE staff_user SET totp_secret = ?, totp_pending = NULL, totp_last_step = ? "
            "WHERE id = ?", (secret, step, row["id"]))
        audit.record(db, actor=user.username, action="second factor on", table="staff_user",
                     record_id=user.username, after={"second_factor": True})


def verify(db: sqlite_utils.Database, user_id: int, code: str, *, now: float | None = None) -> bool:
    """Is ``code`` right for this account, and not used before? A used code is spent."""
    now = time.time() if now is None else now
    with write_transaction(db):
        rows = list(db.query("SELECT totp_secret, totp_last_step FROM staff_user WHERE id = ?",
                             [user_id]))
        if not rows or not rows[0]["totp_secret"]:
            return False
        step = _matching_step(rows[0]["totp_secret"], code, now)
        if step is None or step <= (rows[0]["totp_last_step"] or 0):
            return False
        db.conn.execute("UPDATE staff_user SET totp_last_step = ? WHERE id = ?", (step, user_id))
    return True


def reset(db: sqlite_utils.Database, username: str, *, actor: str) -> None:
    """Remove an account's second factor (a lost phone) and sign it out everywhere; audited."""
    row = _row(db, username)
    if row is None:
        raise AccountError(f"No account called {username}.")
    with write_transaction(db):
        db.conn.execute("UPDATE staff_user SET totp_secret = NULL, totp_pending = NULL, "
                        "totp_last_step = NULL WHERE id = ?", (row["id"],))
        db.conn.execute("DELETE FROM staff_session WHERE user_id = ?", (row["id"],))
        audit.record(db, actor=actor, action="second factor reset", table="staff_user",
                     record_id=row["username"], before={"second_factor": bool(row["totp_secret"])},
                     after={"second_factor": False})
