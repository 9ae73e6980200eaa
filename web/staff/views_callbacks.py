"""Call-back inbox: parents who asked a person to ring or email them."""

from __future__ import annotations

from aiohttp import web

from directory import callbacks, edits
from directory.centres import centre_names
from web.staff import auth
from web.staff.base import render
from web.staff.directory import run

routes = web.RouteTableDef()


def callback_visible(user, row: dict) -> bool:
    """Editors see only their own centres' requests; those for no centre go to admins, who
    pass them on, so a parent's number is not shown to every centre."""
    return user.is_admin or (bool(row["centre_id"]) and row["centre_id"] in user.centre_ids)


@routes.get("/callbacks")
@auth.requires(auth.EDITOR)
async def inbox(request: web.Request) -> web.Response:
    user = auth.current_user(request)
    show = "closed" if request.query.get("show") == "closed" else "open"
    found, names = await run(request, lambda db: (callbacks.list_callbacks(db, show),
                                                  centre_names(db)))
    rows = [r for r in found if callback_visible(user, r)]
    for r in rows:
        r["centre"] = names.get(r["centre_id"], "")
    return render("callbacks.html", request, {"rows": rows, "show": show,
                                              "closed": request.query.get("closed"),
                                              "deleted": request.query.get("deleted")})


async def _load(request: web.Request) -> dict:
    try:
        row = await run(request, callbacks.get_callback, int(request.match_info["id"]))
    except (ValueError, callbacks.CallbackNotFound):
        raise web.HTTPNotFound(text="There is no call-back request with that number. "
                                    "Closed requests are deleted after 90 days.")
    if not callback_visible(auth.current_user(request), row):
        raise web.HTTPForbidden(text="This request is for another centre.")
    return row


@routes.get("/callbacks/{id}")
@auth.requires(auth.EDITOR)
async def request_page(request: web.Request) -> web.Response:
    row = await _load(request)
    names = await run(request, centre_names)
    row["centre"] = names.get(row["centre_id"], "")
    return render("callback.html", request, {"row": row})


@routes.post("/callbacks/{id}/close")
@auth.requires(auth.EDITOR)
async def close(request: web.Request) -> web.Response:
    row = await _load(request)
    await run(request, edits.close_callback, row["id"], actor=auth.current_user(request).username)
    raise web.HTTPFound(f"/staff/callbacks?closed={row['id']}")


@routes.post("/callbacks/{id}/delete")
@auth.requires(auth.EDITOR)
async def delete(request: web.Request) -> web.Response:
    """Delete a request at once: the privacy page promises this to any parent who asks."""
    row = await _load(request)
    await run(request, edits.delete_callback, row["id"], actor=auth.current_user(request).username)
    raise web.HTTPFound(f"/staff/callbacks?deleted={row['id']}")
