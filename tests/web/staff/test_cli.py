"""``make staff ARGS=...``: create accounts, reset passwords, list them, from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from directory import staff_users
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


def test_passwd_sets_a_new_password_and_unlocks(directory_db):
    db = open_db(directory_db)
    db.execute("UPDATE staff_user SET locked_until = '2999-01-01T00:00:00+00:00' WHERE username = 'eddie'")
    db.conn.commit()
    done = staff(directory_db, "passwd", "eddie", password="fresh green apples")
    assert done.returncode == 0, done.stderr
    assert staff_users.authenticate(db, "eddie", "fresh green apples") is not None
