"""``make staff ARGS=...``: create accounts, reset passwords, list them, from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyotp

from directory import audit, staff_totp, staff_users
from directory.db import open_db

ROOT = Path(__file__).resolve().parents[3]


def staff(db_path: Path, *args: str, password: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.staff", "--db", str(db_path), *args],
                          input=password + "\n", capture_output=True, text=True, cwd=ROOT,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)


def test_create_an_editor_for_a_centre_then_sign_in_with_that_password(directory_db, centres):
    done = staff(directory_db, "create", "Nadia", "--role", "editor", "--centre", centres[0],
                 password="blue kettle singing")
    assert done.returncode == 0, done.stderr
    assert f"Created editor nadia for {centres[0]}." in done.stdout
    db = open_db(directory_db)
    user = staff_users.authenticate(db, "nadia", "blue kettle singing")
    assert user.role == "editor" and user.centre_ids == (centres[0],)
    listing = staff(directory_db, "list")
    assert "nadia" in listing.stdout and centres[0] in listing.stdout and "ada" in listing.stdout


def test_bad_requests_say_what_to_do(directory_db):
    unknown = staff(directory_db, "create", "sam", "--role", "editor", "--centre", "nowhere",
                    password="blue kettle singing")
    assert unknown.returncode == 2 and "No centre with id nowhere" in unknown.stderr
    no_centre = staff(directory_db, "create", "sam", "--role", "editor", password="blue kettle singing")
    assert no_centre.returncode == 2 and "--centre" in no_centre.stderr
    short = staff(directory_db, "create", "sam", "--role", "admin", password="short")
    assert short.returncode == 2 and "at least 10 characters" in short.stderr
    twice = staff(directory_db, "create", "ada", "--role", "admin", password="blue kettle singing")
    assert twice.returncode == 2 and "already an account called ada" in twice.stderr


def test_passwd_sets_a_new_password(directory_db):
    db = open_db(directory_db)
    done = staff(directory_db, "passwd", "eddie", password="fresh green apples")
    assert done.returncode == 0, done.stderr
    assert staff_users.authenticate(db, "eddie", "fresh green apples") is not None


def test_reset_second_factor_removes_a_lost_one_and_signs_them_out(directory_db):
    db = open_db(directory_db)
    ada = staff_users.find_user(db, "ada")
    secret = staff_totp.start_enrolment(db, ada)
    staff_totp.confirm_enrolment(db, ada, pyotp.TOTP(secret).now())
    assert staff_users.find_user(db, "ada").totp_enrolled
    assert "(second factor)" in staff(directory_db, "list").stdout
    done = staff(directory_db, "reset-second-factor", "ada")
    assert done.returncode == 0, done.stderr
    assert "Second factor removed for ada" in done.stdout
    assert not staff_users.find_user(db, "ada").totp_enrolled
    entry = audit.list_entries(db, table="staff_user", record_id="ada")[0]
    assert entry["action"] == "second factor reset" and entry["actor"] == "command line"
    assert secret not in str(audit.list_entries(db, table="staff_user"))
    missing = staff(directory_db, "reset-second-factor", "nobody")
    assert missing.returncode == 2 and "No account called nobody" in missing.stderr
