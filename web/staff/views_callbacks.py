"""Call-back inbox: parents who asked a person to ring or email them."""

from __future__ import annotations

from aiohttp import web

from web.staff import DB, auth, render
from directory import audit, callbacks
from directory.store import write_transaction

routes = web.RouteTableDef()


def _visible(user, row: dict) -> bool:
    """Editors see requests for their centres and those not tied to a centre."""
    return user.is_admin or not row["centre_id"] or row["centre_id"] in user.centre_ids


@routes.get("/callbacks")
@auth.requires(auth.EDITOR)
async def inbox(request: web.Request) -> web.Response:
    db, user = request.app[DB], auth.current_user(request)
    show = "closed" if request.query.get("show") == "closed" else "open"
    rows = [r for r in callbacks.list_callbacks(db, show) if _visible(user, r)]
    names = dict(db.execute("SELECT id, name FROM location").fetchall())
    for r in rows:
        r["centre"] = names.get(r["centre_id"], "")
    return render("callbacks.html", request, {"rows": rows, "show": show,
                                              "closed": request.query.get("closed")})


def _load(request: web.Request) -> dict:
    try:
        row = callbacks.get_callback(request.app[DB], int(request.match_info["id"]))
    except (ValueError, callbacks.CallbackNotFound):
        raise web.HTTPNotFound(text="There is no call-back request with that number. "
                                    "Closed requests are deleted after 90 days.")
    if not _visible(auth.current_user(request), row):
        raise web.HTTPForbidden(text="This request is for another centre.")
    return row


@routes.get("/callbacks/{id}")
@auth.requires(auth.EDITOR)
async def request_page(request: web.Request) -> web.Response:
    row = _load(request)
    names = dict(request.app[DB].execute("SELECT id, name FROM location").fetchall())
    row["centre"] = names.get(row["centre_id"], "")
    return render("callback.html", request, {"row": row})


@routes.post("/callbacks/{id}/close")
@auth.requires(auth.EDITOR)
async def close(request: web.Request) -> web.Response:
    db = request.app[DB]
    row = _load(request)
    user = auth.current_user(request).username
    with write_transaction(db):  # the close and its audit row together, or neither
        closed = callbacks.close_callback(db, row["id"], user)
        audit.record(db, actor=user, action="close", table="callback", record_id=str(row["id"]),
                     before={"status": row["status"]},
                     after={"status": closed["status"], "closed_by": closed["closed_by"],
                            "closed_at": closed["closed_at"]})
    raise web.HTTPFound(f"/staff/callbacks?closed={row['id']}")
