""""This is wrong" reports from parents: each centre's staff see their own, put the listing
right and mark the report done (the same pattern as the call-back inbox)."""

from __future__ import annotations

from aiohttp import web

from directory import edits, reports
from directory.centres import centre_names
from web.staff import auth
from web.staff.base import render
from web.staff.directory import run

routes = web.RouteTableDef()


def visible(user, row: dict) -> bool:
    """Editors see reports about their centres (and any not tied to a centre)."""
    return user.is_admin or not row["location_id"] or row["location_id"] in user.centre_ids


def _words(row: dict, names: dict[str, str]) -> dict:
    return {**row, "centre": names.get(row["location_id"] or "", ""),
            "what": reports.STAFF_WORDS.get(row["reason"], row["reason"])}


@routes.get("/reports")
@auth.requires(auth.EDITOR)
async def inbox(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    show = "done" if request.query.get("show") == "done" else "open"
    found, names = await run(request, lambda db: (reports.list_reports(db, show), centre_names(db)))
    rows = [_words(r, names) for r in found if visible(user, r)]
    return render("reports.html", request, {"rows": rows, "show": show,
                                            "done": request.query.get("done")})


async def _load(request: web.Request) -> dict:
    try:
        row = await run(request, reports.get_report, int(request.match_info["id"]))
    except (ValueError, reports.ReportNotFound):
        raise web.HTTPNotFound(text="There is no report with that number. "
                                    "Done reports are deleted after 90 days.")
    if not visible(auth.current_user(request), row):
        raise web.HTTPForbidden(text="This report is about another centre.")
    return row


@routes.get("/reports/{id}")
@auth.requires(auth.EDITOR)
async def report_page(request: web.Request) -> web.Response:
    row = _words(await _load(request), await run(request, centre_names))
    return render("report.html", request, {"row": row})


@routes.post("/reports/{id}/done")
@auth.requires(auth.EDITOR)
async def done(request: web.Request) -> web.Response:
    row = await _load(request)
    await run(request, edits.close_report, row["id"], actor=auth.current_user(request).username)
    raise web.HTTPFound(f"/staff/reports?done={row['id']}")
