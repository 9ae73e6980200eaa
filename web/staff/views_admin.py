"""Admins: import (upload → preview with row-level errors → confirm, atomic), export, audit log."""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime, timezone

from aiohttp import web

from web.staff import DB, PENDING_IMPORTS, auth, render
from directory import audit, oruk, store

routes = web.RouteTableDef()
PENDING_SECONDS = 30 * 60
MAX_ERRORS_SHOWN = 200


def _csv_io():
    """The staff CSV format (``directory.csv_io``), if this install has it."""
    try:
        from directory import csv_io
    except ImportError:
        return None
    return csv_io


def _page(request, status: int = 200, **context) -> web.Response:
    base = {"errors": [], "error_count": 0, "filename": "", "file_error": "", "preview": None,
            "token": "", "done": None, "csv_available": _csv_io() is not None,
            "service_count": store.service_count(request.app[DB])}
    base.update(context)
    return render("import.html", request, base, status=status)


@routes.get("/import")
@auth.requires(auth.ADMIN)
async def import_form(request: web.Request) -> web.Response:
    done = request.query.get("done")
    return _page(request, done=json.loads(done) if done and done.startswith("{") else None)


def _problem(error) -> dict:
    """One import problem for the table: where in the file, which field, what to do."""
    if hasattr(error, "line"):  # the staff CSV: line and column
        return {"where": f"Line {error.line}", "service_id": error.service_id,
                "field": error.column, "message": error.message}
    return {"where": f"Service {error.index + 1}", "service_id": error.service_id,
            "field": error.path, "message": error.message}


class _DryRun(Exception):
    """Raised to roll back a trial import once its report is known."""


def _run_import(db, kind: str, payload, replace: bool) -> oruk.ImportReport:
    if kind == "csv":
        return _csv_io().import_csv(db, payload, replace=replace)
    return oruk.import_oruk(db, payload, replace=replace)


def _trial(db, kind: str, payload, replace: bool) -> oruk.ImportReport:
    """Run the real import inside a transaction that is always rolled back: an exact preview."""
    try:
        with store.write_transaction(db):
            report = _run_import(db, kind, payload, replace)
            raise _DryRun(report)
    except _DryRun as done:
        return done.args[0]


def _read_upload(filename: str, raw: bytes) -> tuple[str, object]:
    """``("csv", bytes)`` or ``("json", services)``; ``ImportFileError`` if unreadable."""
    if filename.lower().endswith(".csv"):
        if _csv_io() is None:
            raise oruk.ImportFileError("This server cannot read CSV files yet. Upload ORUK JSON.")
        return "csv", raw
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise oruk.ImportFileError(f"The file is not UTF-8 text (byte {exc.start}). "
                                   f"Save it as UTF-8 and upload it again.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise oruk.ImportFileError(f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, "
                                   f"column {exc.colno}. Nothing was imported.") from None
    return "json", oruk.services_from(data, source="The file")


def _prune(pending: dict) -> None:
    now = time.monotonic()
    for key in [k for k, v in pending.items() if now - v["created"] > PENDING_SECONDS]:
        del pending[key]


@routes.post("/import")
@auth.requires(auth.ADMIN)
async def upload(request: web.Request) -> web.Response:
    """Check the file and show exactly what would change. Nothing is written yet."""
    form = await request.post()
    upload = form.get("file")
    if not hasattr(upload, "file") or not getattr(upload, "filename", ""):
        return _page(request, file_error="Choose a file to upload.", status=400)
    filename = upload.filename
    replace = form.get("replace") == "yes"
    db = request.app[DB]
    try:
        kind, payload = _read_upload(filename, upload.file.read())
        before = store.service_count(db)
        report = _trial(db, kind, payload, replace)
    except oruk.ImportRejected as rejected:
        return _page(request, errors=[_problem(e) for e in rejected.errors[:MAX_ERRORS_SHOWN]],
                     error_count=len(rejected.errors), filename=filename, status=400)
    except (oruk.ImportFileError, ValueError) as problem:
        return _page(request, file_error=str(problem), status=400)
    pending = request.app[PENDING_IMPORTS]
    _prune(pending)
    token = secrets.token_urlsafe(16)
    pending[token] = {"user_id": auth.current_user(request).id, "kind": kind, "payload": payload,
                      "filename": filename, "replace": replace, "created": time.monotonic()}
    if kind == "json":
        names = {s.get("id"): s.get("name", "") for s in payload if isinstance(s, dict)}
    else:
        names = dict(db.execute("SELECT id, name FROM service").fetchall())
    preview = {"filename": filename, "count": report.imported, "new": report.created,
               "updated": report.updated, "replace": replace,
               "unchanged": getattr(report, "unchanged", 0),
               "removed": max(0, before - report.updated) if replace else 0,
               "names": [names.get(i) or i for i in report.service_ids[:50]]}
    return _page(request, preview=preview, token=token)


@routes.post("/import/confirm")
@auth.requires(auth.ADMIN)
async def confirm(request: web.Request) -> web.Response:
    form = await request.post()
    pending = request.app[PENDING_IMPORTS]
    _prune(pending)
    item = pending.get(str(form.get("token", "")))
    if item is None or item["user_id"] != auth.current_user(request).id:
        return _page(request, file_error="That upload has expired. Please upload the file again.",
                     status=400)
    del pending[str(form.get("token"))]
    db = request.app[DB]
    try:
        report = apply_import(db, item["payload"], kind=item["kind"], replace=item["replace"],
                              actor=auth.current_user(request).username, filename=item["filename"])
    except oruk.ImportRejected as rejected:
        return _page(request, errors=[_problem(e) for e in rejected.errors[:MAX_ERRORS_SHOWN]],
                     error_count=len(rejected.errors), filename=item["filename"], status=400)
    done = json.dumps({"imported": report.imported, "created": report.created,
                       "updated": report.updated, "replaced": report.replaced})
    raise web.HTTPFound(f"/staff/import?done={done}")


def apply_import(db, payload, *, replace: bool, actor: str, filename: str,
                 kind: str = "json") -> oruk.ImportReport:
    """Import in ONE transaction with its audit row: all of it, or (on any failure or crash) none."""
    with store.write_transaction(db):
        before = store.service_count(db)
        report = _run_import(db, kind, payload, replace)
        audit.record(db, actor=actor, action="import", table="service", record_id="*",
                     before={"services": before},
                     after={"file": filename, "services": store.service_count(db),
                            "created": report.created, "updated": report.updated,
                            "replaced": replace, "service_ids": report.service_ids})
    return report


@routes.get("/export.json")
@auth.requires(auth.ADMIN)
async def export_json(request: web.Request) -> web.Response:
    services = oruk.export_oruk(request.app[DB])
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return web.Response(text=json.dumps(services, ensure_ascii=False, indent=1),
                        content_type="application/json", charset="utf-8", headers={
                            "Content-Disposition": f'attachment; filename="signpost-directory-{stamp}.json"'})


@routes.get("/export.csv")
@auth.requires(auth.ADMIN)
async def export_csv(request: web.Request) -> web.Response:
    csv_io = _csv_io()
    if csv_io is None:
        raise web.HTTPNotFound(text="CSV export is not available on this server. Use JSON.")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    # A byte-order mark so Excel reads accents; csv_io.import_csv reads it back the same way.
    return web.Response(text="\ufeff" + csv_io.export_csv(request.app[DB]), content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="signpost-directory-{stamp}.csv"'})


@routes.get("/audit")
@auth.requires(auth.ADMIN)
async def audit_log(request: web.Request) -> web.Response:
    db = request.app[DB]
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    filters = {k: request.query.get(k) or None for k in ("table", "record_id", "actor")}
    per_page = 50
    entries = audit.list_entries(db, limit=per_page + 1, offset=(page - 1) * per_page, **filters)
    for e in entries:
        e["changed"] = audit.changed_fields(e["before"], e["after"])
        e["before_text"] = json.dumps(e["before"], indent=1, ensure_ascii=False) if e["before"] else ""
        e["after_text"] = json.dumps(e["after"], indent=1, ensure_ascii=False) if e["after"] else ""
    return render("audit.html", request, {"entries": entries[:per_page], "page": page,
                                          "more": len(entries) > per_page, "filters": filters})
