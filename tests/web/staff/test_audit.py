"""The audit log: every change recorded with who, what, when, before and after; never rewritten."""

from __future__ import annotations

import sqlite3

import pytest

from directory import edits
from web.staff.service_form import strip_shared
from directory import audit, store
from directory.store import VersionConflict
from tests.web.staff.helpers import page_token, sign_in
from tests.web.staff.test_editing import form_for, service_at


async def test_a_service_edit_writes_one_audit_row_with_before_and_after(client, db, sample_services, centres):
    service = store.get_service(db, service_at(sample_services, centres[0])["id"])
    await sign_in(client, "eddie")
    token = await page_token(client, f"/staff/services/{service['id']}")
    await client.post(f"/staff/services/{service['id']}", data=form_for(service, token, name="Audited Name"))
    rows = audit.list_entries(db, table="service", record_id=service["id"])
    assert len(rows) == 1
    row = rows[0]
    assert row["actor"] == "eddie" and row["action"] == "update"
    assert row["before"]["name"] == service["name"] and row["after"]["name"] == "Audited Name"
    assert "name" in audit.changed_fields(row["before"], row["after"])
    assert row["at"][:2] == "20"


def test_audit_rows_cannot_be_changed_or_deleted(db):
    audit.record(db, actor="ada", action="update", table="service", record_id="x", after={"a": 1})
    db.conn.commit()
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET actor = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")
    db.conn.rollback()
    assert [r["actor"] for r in audit.list_entries(db, record_id="x")] == ["ada"]


def test_a_refused_change_leaves_no_audit_row(db, sample_services):
    """The audit row is written in the same transaction as the change: a conflict rolls back both."""
    service = strip_shared(store.get_service(db, sample_services[0]["id"]))
    service["name"] = "Never saved"
    before = audit.count_entries(db)
    with pytest.raises(VersionConflict):
        edits.save_service(db, service, expected_version=999, actor="ada", action="update")
    assert audit.count_entries(db) == before
    assert store.get_service(db, service["id"])["name"] != "Never saved"


def test_a_crash_between_change_and_audit_keeps_neither(db, sample_services, monkeypatch):
    service = strip_shared(store.get_service(db, sample_services[0]["id"]))
    version = store.get_service(db, service["id"])["version"]
    service["name"] = "Half written"

    def broken_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(RuntimeError):
        edits.save_service(db, service, expected_version=version, actor="ada", action="update")
    assert store.get_service(db, service["id"])["name"] != "Half written"
    assert store.get_service(db, service["id"])["version"] == version


async def test_admins_read_the_audit_log_and_editors_cannot(client, db):
    audit.record(db, actor="eddie", action="update", table="service", record_id="svc-1",
                 before={"name": "Old <b>name</b>"}, after={"name": "New name"})
    db.conn.commit()
    await sign_in(client, "eddie")
    assert (await client.get("/staff/audit", allow_redirects=False)).status == 403
    await sign_in(client, "ada")
    page = await (await client.get("/staff/audit")).text()
    assert "svc-1" in page and "Changed: name" in page
    assert "Old &lt;b&gt;name&lt;/b&gt;" in page  # before/after shown, escaped
    filtered = await (await client.get("/staff/audit?actor=nobody")).text()
    assert "svc-1" not in filtered


async def test_account_changes_and_phrases_are_audited(client, db):
    await sign_in(client, "ada")
    token = await page_token(client, "/staff/users")
    await client.post("/staff/users", data={"csrf_token": token, "username": "newbie",
                                            "password": "lovely long password", "role": "admin"})
    await client.post("/staff/needs/antenatal", data={"csrf_token": token, "phrase": "bump class"})
    kinds = {(r["table_name"], r["action"], r["actor"]) for r in audit.list_entries(db)}
    assert ("staff_user", "create", "ada") in kinds
    assert ("taxonomy_term_phrase", "create", "ada") in kinds
    password_rows = [r for r in audit.list_entries(db, table="staff_user")]
    assert all("lovely long password" not in str(r) for r in password_rows)
