"""Delete what Signpost no longer needs: old conversations and closed call-back requests.

    python -m web.retention        (also: make purge)

Conversations: every event in the Rasa tracker database (table ``events``: the tracker store's
own SQL) older than ``SIGNPOST_RETENTION_DAYS`` days (default
30) is deleted, so a conversation left alone for that long is gone completely and a long one
never keeps old parts. The tracker database is the SQLite file ``SIGNPOST_TRACKER_DB`` (one
server), or PostgreSQL when ``SIGNPOST_TRACKER_HOST`` is set (``deploy/compose.yaml``: the same
``SIGNPOST_TRACKER_*`` variables Rasa's ``deploy/endpoints.yml`` reads).
Call-backs: requests closed more than 90 days ago are deleted from the directory database
(``directory.callbacks.purge_closed_callbacks``), and so are "this is wrong" reports marked done
more than 90 days ago (``directory.reports.purge_done_reports``: a parent's note may name them).
SQLite's ``secure_delete`` overwrites the deleted rows on disk instead of leaving them in free
pages. Chat session ids: the web tier's record of issued ids (``SIGNPOST_CHAT_SESSIONS_DB``,
hashes only) loses those idle for longer than a chat lasts (4 hours); the web tier also does
this itself every minute.

The web tier runs the same purge when it starts and then once a day (``scheduled_purge``),
with the same ``Settings``; ``python -m web.retention --every-hours 24`` does the same as a
service of its own (the compose file's ``purge``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import AsyncIterator, Mapping

from common.settings import Settings, SettingsError
from directory.callbacks import purge_closed_callbacks, purge_old_open_callbacks
from directory.db import open_db
from directory.reports import purge_done_reports
from web.sessions import purge_expired as purge_expired_chat_sessions

log = logging.getLogger("signpost.retention")

DEFAULT_RETENTION_DAYS = 30
CALLBACK_RETENTION_DAYS = 90
PURGE_EVERY = timedelta(days=1)


@dataclass(frozen=True)
class RetentionSettings:
    tracker_db: Path = Path("var/tracker.db")
    directory_db: Path = Path("var/directory.db")
    chat_sessions_db: Path = Path("var/chat_sessions.db")
    retention_days: int = DEFAULT_RETENTION_DAYS
    callback_days: int = CALLBACK_RETENTION_DAYS
    #: Open call-back requests older than this are deleted (nobody answered them).
    callback_open_days: int = CALLBACK_RETENTION_DAYS
    #: libpq connection parameters of a PostgreSQL tracker store; None means the SQLite file.
    tracker_postgres: Mapping[str, str] | None = None

    @classmethod
    def from_settings(cls, settings: Settings,
                      env: Mapping[str, str] | None = None) -> "RetentionSettings":
        """The databases and retention days of this process's ``Settings``, and the PostgreSQL
        tracker store when ``SIGNPOST_TRACKER_HOST`` names one (as Rasa's deploy endpoints do)."""
        env = os.environ if env is None else env
        postgres = None
        if env.get("SIGNPOST_TRACKER_HOST"):
            postgres = {"host": env["SIGNPOST_TRACKER_HOST"],
                        "port": env.get("SIGNPOST_TRACKER_PORT", "5432"),
                        "dbname": env.get("SIGNPOST_TRACKER_DBNAME", "signpost_tracker"),
                        "user": env.get("SIGNPOST_TRACKER_USER", "signpost"),
                        "password": env.get("SIGNPOST_TRACKER_PASSWORD", "")}
        return cls(tracker_db=Path(settings.tracker_db), directory_db=Path(settings.directory_db),
                   chat_sessions_db=Path(settings.chat_sessions_db),
                   retention_days=int(settings.retention_days),
                   callback_open_days=int(settings.callback_open_days), tracker_postgres=postgres)

    @property
    def tracker_name(self) -> str:
        """Where conversations are, for messages (never the password)."""
        if self.tracker_postgres:
            pg = self.tracker_postgres
            return f"PostgreSQL {pg['host']}:{pg['port']}/{pg['dbname']}"
        return str(self.tracker_db)


@dataclass(frozen=True)
class PurgeResult:
    events: int
    conversations: int
    callbacks: int
    chat_sessions: int = 0
    reports: int = 0
    open_callbacks: int = 0

    def __str__(self) -> str:
        return (f"Deleted {self.events} conversation events ({self.conversations} whole "
                f"conversations), {self.callbacks} closed call-back requests, "
                f"{self.open_callbacks} call-back requests nobody answered, "
                f"{self.reports} done reports from parents and "
                f"{self.chat_sessions} expired chat session ids.")


def purge_conversations(tracker_db: Path, older_than_days: int,
                        *, now: datetime | None = None) -> tuple[int, int]:
    """Delete tracker events older than the cut-off; returns (events, whole conversations).

    A missing database or table means Rasa has not stored anything yet: nothing to do.
    """
    if not tracker_db.exists():
        return 0, 0
    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)).timestamp()
    conn = sqlite3.connect(tracker_db, timeout=30)
    try:
        has_events = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").fetchone()
        if not has_events:
            return 0, 0
        conn.execute("PRAGMA secure_delete = ON")
        with conn:
            gone = conn.execute(
                "SELECT count(*) FROM (SELECT sender_id FROM events GROUP BY sender_id "
                "HAVING max(coalesce(timestamp, 0)) < ?)", [cutoff]).fetchone()[0]
            deleted = conn.execute("DELETE FROM events WHERE coalesce(timestamp, 0) < ?",
                                   [cutoff]).rowcount
        return deleted, gone
    finally:
        conn.close()


def purge_conversations_postgres(connection: Mapping[str, str], older_than_days: int,
                                 *, now: datetime | None = None) -> tuple[int, int]:
    """``purge_conversations`` for Rasa's SQL tracker store on PostgreSQL (several Rasa servers).

    The same statements in one transaction. Deleted rows are overwritten when PostgreSQL's
    autovacuum reuses their space, not at once as with SQLite's ``secure_delete``.
    """
    import psycopg2  # only the PostgreSQL deployment needs the driver

    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=older_than_days)).timestamp()
    conn = psycopg2.connect(connect_timeout=30, **connection)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('public.events') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return 0, 0
            cursor.execute(
                "SELECT count(*) FROM (SELECT sender_id FROM events GROUP BY sender_id "
                "HAVING max(coalesce(timestamp, 0)) < %s) AS old", [cutoff])
            gone = cursor.fetchone()[0]
            cursor.execute("DELETE FROM events WHERE coalesce(timestamp, 0) < %s", [cutoff])
            return cursor.rowcount, gone
    finally:
        conn.close()


def purge_callbacks(directory_db: Path, older_than_days: int = CALLBACK_RETENTION_DAYS,
                    *, now: datetime | None = None,
                    open_older_than_days: int = CALLBACK_RETENTION_DAYS) -> tuple[int, int]:
    """Closed requests past their time, and open ones nobody answered; returns both counts."""
    if not directory_db.exists():
        return 0, 0
    db = open_db(directory_db)
    try:
        return (purge_closed_callbacks(db, older_than_days, now=now),
                purge_old_open_callbacks(db, open_older_than_days, now=now))
    finally:
        db.conn.close()


def purge_reports(directory_db: Path, older_than_days: int = CALLBACK_RETENTION_DAYS,
                  *, now: datetime | None = None) -> int:
    """Done "this is wrong" reports, kept as long as closed call-backs."""
    if not directory_db.exists():
        return 0
    db = open_db(directory_db)
    try:
        return purge_done_reports(db, older_than_days, now=now)
    finally:
        db.conn.close()


def purge(settings: RetentionSettings, *, now: datetime | None = None) -> PurgeResult:
    if settings.tracker_postgres:
        events, conversations = purge_conversations_postgres(
            settings.tracker_postgres, settings.retention_days, now=now)
    else:
        events, conversations = purge_conversations(settings.tracker_db, settings.retention_days,
                                                    now=now)
    callbacks, open_callbacks = purge_callbacks(settings.directory_db, settings.callback_days,
                                                now=now,
                                                open_older_than_days=settings.callback_open_days)
    done_reports = purge_reports(settings.directory_db, settings.callback_days, now=now)
    chat_sessions = purge_expired_chat_sessions(settings.chat_sessions_db,
                                                now=None if now is None else now.timestamp())
    return PurgeResult(events, conversations, callbacks, chat_sessions, done_reports,
                       open_callbacks)


def scheduled_purge(settings: Settings, every: timedelta = PURGE_EVERY):
    """A ``cleanup_ctx`` for the web app: purge at start-up, then every ``every``.

    Runs in a worker thread so chat requests are never held up; a failure is logged (without
    any personal data) and retried at the next run.
    """
    retention = RetentionSettings.from_settings(settings)

    async def run_forever() -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                result = await loop.run_in_executor(None, purge, retention)
                log.info("Retention: %s", result)
            except Exception as error:  # noqa: BLE001 - keep serving; try again tomorrow
                log.error("Retention purge failed: %s", type(error).__name__)
            await asyncio.sleep(every.total_seconds())

    async def context(app) -> AsyncIterator[None]:
        task = asyncio.create_task(run_forever(), name="signpost-retention")
        yield
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass

    return context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Delete old conversations and closed "
                                     "call-back requests.")
    parser.add_argument("--every-hours", type=float, default=None,
                        help="keep running and purge again every this many hours "
                             "(a scheduled service); without it, purge once")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = RetentionSettings.from_settings(Settings.from_env())
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    while True:
        try:
            result = purge(settings)
        except Exception as error:  # noqa: BLE001 - as a service: log, try again next time
            if args.every_hours is None:
                raise
            log.error("Retention purge failed: %s", type(error).__name__)
        else:
            print(f"{result} Conversations are kept {settings.retention_days} days "
                  f"({settings.tracker_name}); closed call-backs and done reports "
                  f"{settings.callback_days} days "
                  f"({settings.directory_db}).", flush=True)
        if args.every_hours is None:
            return 0
        time.sleep(args.every_hours * 3600)


if __name__ == "__main__":
    sys.exit(main())
