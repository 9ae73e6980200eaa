"""Councils' feeds for staff: each feed's last sync and problems, what each of the feed's
categories means in Signpost's needs (accept or change it), and services no need finds."""

from __future__ import annotations

from aiohttp import web

from directory import sync, term_mapping
from directory.taxonomy import load_taxonomy
from web.staff import auth
from web.staff.base import render
from web.staff.directory import run

routes = web.RouteTableDef()


@routes.get("/feeds")
@auth.requires(auth.EDITOR)
async def feeds(request: web.Request) -> web.Response:
    return render("feeds.html", request, {
        "feeds": await run(request, sync.feed_status),
        "terms": await run(request, term_mapping.mapping_table),
        "unmatched": await run(request, term_mapping.services_without_need),
        "needs": [(t.id, t.name) for t in load_taxonomy().terms],
        "saved": request.query.get("saved")})


@routes.post("/feeds/terms/{term_id}")
@auth.requires(auth.EDITOR)
async def set_term(request: web.Request) -> web.Response:
    form = await request.post()
    chosen = [str(v) for v in form.getall("need", [])]
    try:
        await run(request, term_mapping.set_mapping, request.match_info["term_id"], chosen,
                  by=auth.current_user(request).username)
    except ValueError as problem:
        raise web.HTTPBadRequest(text=str(problem))
    raise web.HTTPFound("/staff/feeds?saved=mapping")
