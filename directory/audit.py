"""The audit log: who changed what, when, and what it looked like before and after.

The ``audit_log`` table is append-only — SQLite triggers (``schema.m002_staff_area``) abort any
UPDATE or DELETE — so nobody, not even an admin with a database tool, can quietly rewrite history.
``record()`` does not commit: call it inside the same transaction as the change it describes,
so a change is never saved without its audit row (and an audit row never outlives a rolled-back
change).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import sqlite_utils


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _as_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def record(db: sqlite_utils.Database, *, actor: str, action: str, table: str, record_id: str,
           before: Any = None, after: Any = None) -> int:
    """Append one audit row in the caller's open transaction; returns its id."""
    cursor = db.conn.execute(
        "INSERT INTO audit_log (at, actor, action, table_name, record_id, before, after) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_now(), actor, action, table, str(record_id), _as_json(before), _as_json(after)),
    )
    return int(cursor.lastrowid)


def list_entries(db: sqlite_utils.Database, *, table: str | None = None,
                 record_id: str | None = None, actor: str | None = None,
                 limit: int = 100, offset: int = 0) -> list[dict]:
    """Newest first; ``before``/``after`` decoded back into Python values."""
    where, params = [], []
    for column, value in (("table_name", table), ("record_id", record_id), ("actor", actor)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "SELECT * FROM audit_log"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY id DESC LIMIT ? OFFSET ?"
    rows = db.execute(sql, [*params, limit, offset])
    columns = [c[0] for c in rows.description]
    entries = []
    for raw in rows.fetchall():
        row = dict(zip(columns, raw))
        for key in ("before", "after"):
            row[key] = json.loads(row[key]) if row[key] else None
        entries.append(row)
    return entries


def count_entries(db: sqlite_utils.Database) -> int:
    return db.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def changed_fields(before: Any, after: Any) -> list[str]:
    """Top-level keys whose values differ: what an admin wants to see first."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    keys = sorted(set(before) | set(after))
    return [k for k in keys if before.get(k) != after.get(k) and k not in ("version", "last_modified")]
