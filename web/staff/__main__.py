"""Staff accounts from the command line: ``make staff ARGS="create USER --role admin"``.

    python -m web.staff create USER --role admin|editor [--centre LOCATION_ID ...]
    python -m web.staff passwd USER
    python -m web.staff reset-second-factor USER
    python -m web.staff list

Passwords are typed at a hidden prompt (or piped on stdin for scripts), never on the command
line, where they would stay in the shell history. ``reset-second-factor`` is for someone who
lost the phone with their authenticator app: they sign in with the password and set up a new
one (admins must, when ``SIGNPOST_STAFF_ADMIN_TOTP`` is on).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from common.settings import Settings
from directory import staff_totp, staff_users
from directory.centres import unknown_centres
from directory.db import open_db


def _password(prompt_for: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {prompt_for} (at least {staff_users.MIN_PASSWORD_LENGTH} characters): ")
    again = getpass.getpass("Type it again: ")
    if first != again:
        raise staff_users.AccountError("The two passwords are not the same.")
    return first


def build_parser(settings: Settings) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="make staff ARGS=...", description="Manage staff accounts.")
    parser.add_argument("--db", default=settings.directory_db,
                        help=f"directory database (default: $SIGNPOST_DIRECTORY_DB, "
                             f"{settings.directory_db})")
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="add an account")
    create.add_argument("username")
    create.add_argument("--role", choices=staff_users.ROLES, required=True)
    create.add_argument("--centre", action="append", default=[], metavar="LOCATION_ID",
                        help="a centre (ORUK location id) an editor looks after; repeat for more")
    passwd = sub.add_parser("passwd", help="set a new password")
    passwd.add_argument("username")
    reset = sub.add_parser("reset-second-factor",
                           help="remove a lost second factor (they set up a new one)")
    reset.add_argument("username")
    sub.add_parser("list", help="show every account")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser(Settings.from_env()).parse_args(argv)
    db = open_db(args.db)
    try:
        if args.command == "create":
            centres = [c for value in args.centre for c in value.split(",") if c]
            if args.role == "editor" and not centres:
                print("An editor needs at least one centre: add --centre LOCATION_ID.", file=sys.stderr)
                return 2
            unknown = unknown_centres(db, centres)
            if unknown:
                print(f"No centre with id {', '.join(unknown)}. See the ids with "
                      f"`sqlite3 var/directory.db 'select id, name from location'`.", file=sys.stderr)
                return 2
            user = staff_users.create_user(db, args.username, _password(args.username), args.role,
                                           centres, actor="command line")
            print(f"Created {user.role} {user.username}"
                  + (f" for {', '.join(user.centre_ids)}" if user.centre_ids else "") + ".")
        elif args.command == "passwd":
            staff_users.set_password(db, args.username, _password(args.username), actor="command line")
            print(f"Password changed for {args.username}. They are signed out everywhere.")
        elif args.command == "reset-second-factor":
            staff_totp.reset(db, args.username, actor="command line")
            print(f"Second factor removed for {args.username}. They are signed out everywhere; "
                  f"they sign in with their password and set up a new one.")
        else:
            for u in staff_users.list_users(db):
                centres = "all centres" if u["role"] == "admin" else ", ".join(u["centre_ids"])
                state = ("" if u["active"] else " (switched off)") + (
                    " (second factor)" if u["totp_enrolled"] else "")
                print(f"{u['username']:<20} {u['role']:<7} {centres}{state}")
    except staff_users.AccountError as problem:
        print(problem, file=sys.stderr)
        return 2
    finally:
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
