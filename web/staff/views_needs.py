"""The words parents use for each need: staff add local phrases, and the chat knows them at once."""

from __future__ import annotations

from aiohttp import web

from directory import edits, store
from web.staff import auth
from web.staff.base import render
from web.staff.directory import run

routes = web.RouteTableDef()


async def _term(request: web.Request) -> dict:
    term = await run(request, store.find_term, request.match_info["term_id"])
    if term is None:
        raise web.HTTPNotFound(text="There is no need with that id.")
    return term


@routes.get("/needs")
@auth.requires(auth.EDITOR)
async def needs(request: web.Request) -> web.Response:
    rows = await run(request, store.needs_with_phrase_counts)
    return render("needs.html", request, {"needs": rows})


async def _context(request, term, errors=None, value="") -> dict:
    phrases = await run(request, store.term_phrases, term["id"])
    return {"term": term, "staff": [p for p in phrases if p["source"] == "staff"],
            "builtin": [p for p in phrases if p["source"] != "staff"], "errors": errors or {},
            "value": value, "saved": request.query.get("saved")}


@routes.get("/needs/{term_id}")
@auth.requires(auth.EDITOR)
async def need(request: web.Request) -> web.Response:
    term = await _term(request)
    return render("need.html", request, await _context(request, term))


@routes.post("/needs/{term_id}")
@auth.requires(auth.EDITOR)
async def add_phrase(request: web.Request) -> web.Response:
    term = await _term(request)
    form = await request.post()
    phrase = str(form.get("phrase", ""))
    try:
        added = await run(request, edits.add_phrase, term["id"], phrase,
                          actor=auth.current_user(request).username)
    except ValueError as problem:
        return render("need.html", request,
                      await _context(request, term, {"phrase": str(problem)}, phrase), status=400)
    if not added:
        return render("need.html", request, await _context(
            request, term, {"phrase": "That phrase is already on the list."}, phrase), status=400)
    raise web.HTTPFound(f"/staff/needs/{term['id']}?saved=added")


@routes.post("/needs/{term_id}/phrases/{phrase_id}/delete")
@auth.requires(auth.EDITOR)
async def remove_phrase(request: web.Request) -> web.Response:
    term = await _term(request)
    try:
        phrase_id = int(request.match_info["phrase_id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such phrase.")
    removed = await run(request, edits.remove_phrase, phrase_id,
                        actor=auth.current_user(request).username)
    if removed is None or removed["taxonomy_term_id"] != term["id"]:
        raise web.HTTPNotFound(text="There is no such phrase added by staff.")
    raise web.HTTPFound(f"/staff/needs/{term['id']}?saved=removed")
