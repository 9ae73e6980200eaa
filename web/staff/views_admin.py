"""Admins: import (upload → preview with row-level errors → confirm, atomic), export, audit log."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from datetime import datetime, timezone

from aiohttp import web

from directory import audit, csv_io, edits, oruk, store
from web.staff import auth
from web.staff.base import PENDING_IMPORTS, render
from web.security import TooDeep, parse_json
from web.staff.directory import run

routes = web.RouteTableDef()
PENDING_SECONDS = 30 * 60
MAX_ERRORS_SHOWN = 200


async def _page(request, status: int = 200, **context) -> web.Response:
    base = {"errors": [], "error_count": 0, "filename": "", "file_error": "", "preview": None,
            "token": "", "done": None, "csv_available": True,
            "service_count": await run(request, store.service_count)}
    base.update(context)
    return render("import.html", request, base, status=status)


@routes.get("/import")
@auth.requires(auth.ADMIN)
async def import_form(request: web.Request) -> web.Response:
    done = request.query.get("done")
    try:
        summary = parse_json(done) if done and done.startswith("{") else None
    except ValueError:  # a hand-made address: show the page without the summary
        summary = None
    return await _page(request, done=summary if isinstance(summary, dict) else None)


def _problem(error) -> dict:
    """One import problem for the table: where in the file, which field, what to do."""
    if hasattr(error, "line"):  # the staff CSV: line and column
        return {"where": f"Line {error.line}", "service_id": error.service_id,
                "field": error.column, "message": error.message}
    return {"where": f"Service {error.index + 1}", "service_id": error.service_id,
            "field": error.path, "message": error.message}


def _trial(db, kind: str, payload, replace: bool) -> tuple[oruk.ImportReport, int, dict]:
    """The exact preview (``directory.edits.trial_import``) and the names to list in it."""
    report, before = edits.trial_import(db, kind, payload, replace)
    if kind == "json":
        names = {s.get("id"): s.get("name", "") for s in payload if isinstance(s, dict)}
    else:
        names = store.service_names(db)
    return report, before, names


def _read_upload(filename: str, raw: bytes) -> tuple[str, object]:
    """``("csv", bytes)`` or ``("json", services)``; ``ImportFileError`` if unreadable."""
    if filename.lower().endswith(".csv"):
        return "csv", raw
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise oruk.ImportFileError(f"The file is not UTF-8 text (byte {exc.start}). "
                                   f"Save it as UTF-8 and upload it again.") from None
    try:
        data = parse_json(text)
    except TooDeep as deep:
        raise oruk.ImportFileError(f"{deep} Nothing was imported.") from None
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
@auth.large_upload
async def upload(request: web.Request) -> web.Response:
    """Check the file and show exactly what would change. Nothing is written yet."""
    form = await request.post()
    upload = form.get("file")
    if not hasattr(upload, "file") or not getattr(upload, "filename", ""):
        return await _page(request, file_error="Choose a file to upload.", status=400)
    filename = upload.filename
    replace = form.get("replace") == "yes"
    try:
        raw = upload.file.read()
        # Decoding and checking a 20 MB file is work for a thread, not the event loop.
        kind, payload = await asyncio.to_thread(_read_upload, filename, raw)
        report, before, names = await run(request, _trial, kind, payload, replace)
    except oruk.ImportRejected as rejected:
        return await _page(request, errors=[_problem(e) for e in rejected.errors[:MAX_ERRORS_SHOWN]],
                           error_count=len(rejected.errors), filename=filename, status=400)
    except (oruk.ImportFileError, ValueError) as problem:
        return await _page(request, file_error=str(problem), status=400)
    pending = request.app[PENDING_IMPORTS]
    _prune(pending)
    token = secrets.token_urlsafe(16)
    pending[token] = {"user_id": auth.current_user(request).id, "kind": kind, "payload": payload,
                      "filename": filename, "replace": replace, "created": time.monotonic()}
    preview = {"filename": filename, "count": report.imported, "new": report.created,
               "updated": report.updated, "replace": replace,
               "unchanged": getattr(report, "unchanged", 0),
               "removed": max(0, before - report.updated) if replace else 0,
               "names": [names.get(i) or i for i in report.service_ids[:50]]}
    return await _page(request, preview=preview, token=token)


@routes.post("/import/confirm")
@auth.requires(auth.ADMIN)
async def confirm(request: web.Request) -> web.Response:
    form = await request.post()
    pending = request.app[PENDING_IMPORTS]
    _prune(pending)
    item = pending.get(str(form.get("token", "")))
    if item is None or item["user_id"] != auth.current_user(request).id:
        return await _page(request, file_error="That upload has expired. Please upload the file again.",
                           status=400)
    del pending[str(form.get("token"))]
    try:
        report = await run(request, edits.apply_import, item["payload"], kind=item["kind"],
                           replace=item["replace"], actor=auth.current_user(request).username,
                           filename=item["filename"])
    except oruk.ImportRejected as rejected:
        return await _page(request, errors=[_problem(e) for e in rejected.errors[:MAX_ERRORS_SHOWN]],
                           error_count=len(rejected.errors), filename=item["filename"], status=400)
    done = json.dumps({"imported": report.imported, "created": report.created,
                       "updated": report.updated, "replaced": report.replaced})
    raise web.HTTPFound(f"/staff/import?done={done}")


@routes.get("/export.json")
@auth.requires(auth.ADMIN)
async def export_json(request: web.Request) -> web.Response:
    services = await run(request, oruk.export_oruk)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    return web.Response(text=json.dumps(services, ensure_ascii=False, indent=1),
                        content_type="application/json", charset="utf-8", headers={
                            "Content-Disposition": f'attachment; filename="signpost-directory-{stamp}.json"'})


@routes.get("/export.csv")
@auth.requires(auth.ADMIN)
async def export_csv(request: web.Request) -> web.Response:
    body = await run(request, csv_io.export_csv)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    # A byte-order mark so Excel reads accents; csv_io.import_csv reads it back the same way.
    return web.Response(text="\ufeff" + body, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="signpost-directory-{stamp}.csv"'})


@routes.get("/audit")
@auth.requires(auth.ADMIN)
async def audit_log(request: web.Request) -> web.Response:
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    filters = {k: request.query.get(k) or None for k in ("table", "record_id", "actor")}
    per_page = 50
    entries = await run(request, audit.list_entries, limit=per_page + 1,
                        offset=(page - 1) * per_page, **filters)
    for e in entries:
        e["changed"] = audit.changed_fields(e["before"], e["after"])
        e["before_text"] = json.dumps(e["before"], indent=1, ensure_ascii=False) if e["before"] else ""
        e["after_text"] = json.dumps(e["after"], indent=1, ensure_ascii=False) if e["after"] else ""
    return render("audit.html", request, {"entries": entries[:per_page], "page": page,
                                          "more": len(entries) > per_page, "filters": filters})
