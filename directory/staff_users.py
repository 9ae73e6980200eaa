"""Staff accounts: who may sign in to ``/staff`` and what they may change.

Accounts live in the directory database so one backup holds the directory, its audit log and
who may edit it. Passwords are hashed with Argon2id (``argon2-cffi``). Guessing is slowed down
by the web tier (``web/staff/throttle.py``), never by locking an account: a lock would let anyone
shut an admin out, and its message would tell them which usernames exist. Accounts may add a
second factor (``directory/staff_totp.py``). Roles:

- ``admin``: changes everything, manages accounts, imports and exports.
- ``editor``: changes the services and centres of their own centres (``centre_ids``, location ids).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from directory import audit
from directory.store import write_transaction

ROLES = ("admin", "editor")
MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password, only here to spend the same time")


class AccountError(ValueError):
    """A request about an account that cannot be done; the message says why, in plain words."""


@dataclass(frozen=True)
class StaffUser:
    id: int
    username: str
    role: str
    centre_ids: tuple[str, ...]
    active: bool = True
    #: A one-time code from an authenticator app is asked for after the password.
    totp_enrolled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def may_edit_location(self, location_id: str | None) -> bool:
        return self.is_admin or (location_id is not None and location_id in self.centre_ids)

    def may_edit_service(self, service: dict) -> bool:
        """Admins: any service. Editors: a service offered at one of their centres."""
        if self.is_admin:
            return True
        return any(sal.get("location_id") in self.centre_ids
                   for sal in service.get("service_at_locations") or [])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _user(row: dict) -> StaffUser:
    return StaffUser(id=row["id"], username=row["username"], role=row["role"],
                     centre_ids=tuple(json.loads(row["centre_ids"] or "[]")),
                     active=bool(row["active"]), totp_enrolled=bool(row.get("totp_secret")))


def check_password_strength(password: str, username: str = "") -> None:
    """Long passphrases beat complex rules (NCSC advice): length, and not the username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Use at least {MIN_PASSWORD_LENGTH} characters. Three random words work well.")
    if username and username.lower() in password.lower():
        raise AccountError("Do not use your username in your password.")


def _row(db: sqlite_utils.Database, username: str) -> dict | None:
    rows = list(db.query("SELECT * FROM staff_user WHERE username = ?", [username.strip().lower()]))
    return rows[0] if rows else None


def create_user(db: sqlite_utils.Database, username: str, password: str, role: str,
                centre_ids: list[str] | tuple[str, ...] = (), *, actor: str = "command line") -> StaffUser:
    """Add an account. Editors need at least one centre; the change is audited."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise AccountError("A username is 2 to 40 letters, numbers, dots, dashes or underscores.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    centre_ids = [c.strip() for c in centre_ids if c and c.strip()]
    if role == "editor" and not centre_ids:
        raise AccountError("An editor needs at least one centre.")
    check_password_strength(password, username)
    if _row(db, username):
        raise AccountError(f"There is already an account called {username}.")
    now = _iso(_now())
    record = {"username": username, "password_hash": _hasher.hash(password), "role": role,
              "centre_ids": json.dumps(centre_ids), "created_at": now,
              "password_changed_at": now, "active": 1}
    with write_transaction(db):
        cursor = db.conn.execute(
            f"INSERT INTO staff_user ({', '.join(record)}) VALUES ({', '.join('?' * len(record))})",
            list(record.values()))
        audit.record(db, actor=actor, action="create", table="staff_user", record_id=username,
                     after={"username": username, "role": role, "centre_ids": centre_ids})
    return get_user(db, int(cursor.lastrowid))


def get_user(db: sqlite_utils.Database, user_id: int) -> StaffUser:
    rows = list(db.query("SELECT * FROM staff_user WHERE id = ?", [user_id]))
    if not rows:
        raise AccountError(f"No account with id {user_id}.")
    return _user(rows[0])


def find_user(db: sqlite_utils.Database, username: str) -> StaffUser | None:
    row = _row(db, username)
    return _user(row) if row else None


def list_users(db: sqlite_utils.Database) -> list[dict]:
    """Accounts for the admin screen, without password hashes."""
    return [
        {**_user(row).__dict__, "created_at": row["created_at"],
         "password_changed_at": row["password_changed_at"]}
        for row in db.query("SELECT * FROM staff_user ORDER BY username")
    ]


def authenticate(db: sqlite_utils.Database, username: str, password: str) -> StaffUser | None:
    """The account if the password is right, else ``None`` — the same for every wrong answer.

    Unknown and switched-off usernames still verify a password against a dummy hash, so a wrong
    name takes as long as a wrong password. How often one may try is the web tier's business.
    """
    row = _row(db, username or "")
    if row is None or not row["active"]:
        try:
            _hasher.verify(_DUMMY_HASH, password or "")
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(row["password_hash"], password or "")
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        with write_transaction(db):
            db.conn.execute("UPDATE staff_user SET password_hash = ? WHERE id = ?",
                            (_hasher.hash(password), row["id"]))
    return _user(row)


def set_password(db: sqlite_utils.Database, username: str, new_password: str,
                 *, actor: str) -> None:
    """Replace a password; audited without the password itself."""
    row = _row(db, username)
    if row is None:
        raise AccountError(f"No account called {username}.")
    check_password_strength(new_password, row["username"])
    with write_transaction(db):
        db.conn.execute(
            "UPDATE staff_user SET password_hash = ?, password_changed_at = ? WHERE id = ?",
            (_hasher.hash(new_password), _iso(_now()), row["id"]))
        # Signing in again everywhere is the point of changing a password.
        db.conn.execute("DELETE FROM staff_session WHERE user_id = ?", (row["id"],))
        audit.record(db, actor=actor, action="password", table="staff_user",
                     record_id=row["username"], after={"password_changed": True})


def change_own_password(db: sqlite_utils.Database, user: StaffUser, current: str, new: str) -> None:
    """A signed-in person changes their password; the current one must be right."""
    row = _row(db, user.username)
    try:
        _hasher.verify(row["password_hash"], current or "")
    except (VerificationError, InvalidHashError):
        raise AccountError("Your current password is not right.") from None
    set_password(db, user.username, new, actor=user.username)


def update_user(db: sqlite_utils.Database, username: str, *, role: str, centre_ids: list[str],
                active: bool, actor: str) -> StaffUser:
    """Change an account's role, centres or whether it may sign in; audited."""
    row = _row(db, username)
    if row is None:
        raise AccountError(f"No account called {username}.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of: {', '.join(ROLES)}.")
    centre_ids = [c.strip() for c in centre_ids if c and c.strip()]
    if role == "editor" and not centre_ids:
        raise AccountError("An editor needs at least one centre.")
    before = _user(row)
    with write_transaction(db):
        db.conn.execute("UPDATE staff_user SET role = ?, centre_ids = ?, active = ? WHERE id = ?",
                        (role, json.dumps(centre_ids), int(active), row["id"]))
        if not active:
            db.conn.execute("DELETE FROM staff_session WHERE user_id = ?", (row["id"],))
        audit.record(db, actor=actor, action="update", table="staff_user", record_id=row["username"],
                     before={"role": before.role, "centre_ids": list(before.centre_ids),
                             "active": before.active},
                     after={"role": role, "centre_ids": centre_ids, "active": active})
    return get_user(db, row["id"])
