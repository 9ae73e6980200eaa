"""The words parents use for each need: staff add local phrases, and the chat knows them at once."""

from __future__ import annotations

from aiohttp import web

from web.staff import DB, auth, render
from web.staff import directory_edits as edits

routes = web.RouteTableDef()


def _term(db, term_id: str) -> dict:
    rows = list(db.query("SELECT id, name, description FROM taxonomy_term WHERE id = ?", [term_id]))
    if not rows:
        raise web.HTTPNotFound(text="There is no need with that id.")
    return rows[0]


@routes.get("/needs")
@auth.requires(auth.EDITOR)
async def needs(request: web.Request) -> web.Response:
    rows = list(request.app[DB].query(
        "SELECT t.id, t.name, t.description, "
        "sum(p.source = 'staff') AS staff_phrases, count(p.id) AS phrases "
        "FROM taxonomy_term t LEFT JOIN taxonomy_term_phrase p ON p.taxonomy_term_id = t.id "
        "WHERE t.taxonomy_id = 'signpost-core-offer' GROUP BY t.id ORDER BY t.rowid"))
    return render("needs.html", request, {"needs": rows})


def _context(request, term, errors=None, value="") -> dict:
    phrases = list(request.app[DB].query(
        "SELECT id, phrase, source FROM taxonomy_term_phrase WHERE taxonomy_term_id = ? "
        "ORDER BY source = 'taxonomy', phrase", [term["id"]]))
    return {"term": term, "staff": [p for p in phrases if p["source"] == "staff"],
            "builtin": [p for p in phrases if p["source"] != "staff"], "errors": errors or {},
            "value": value, "saved": request.query.get("saved")}


@routes.get("/needs/{term_id}")
@auth.requires(auth.EDITOR)
async def need(request: web.Request) -> web.Response:
    term = _term(request.app[DB], request.match_info["term_id"])
    return render("need.html", request, _context(request, term))


@routes.post("/needs/{term_id}")
@auth.requires(auth.EDITOR)
async def add_phrase(request: web.Request) -> web.Response:
    db = request.app[DB]
    term = _term(db, request.match_info["term_id"])
    form = await request.post()
    phrase = str(form.get("phrase", ""))
    try:
        added = edits.add_phrase(db, term["id"], phrase, actor=auth.current_user(request).username)
    except ValueError as problem:
        return render("need.html", request, _context(request, term, {"phrase": str(problem)}, phrase),
                      status=400)
    if not added:
        return render("need.html", request, _context(
            request, term, {"phrase": "That phrase is already on the list."}, phrase), status=400)
    raise web.HTTPFound(f"/staff/needs/{term['id']}?saved=added")


@routes.post("/needs/{term_id}/phrases/{phrase_id}/delete")
@auth.requires(auth.EDITOR)
async def remove_phrase(request: web.Request) -> web.Response:
    db = request.app[DB]
    term = _term(db, request.match_info["term_id"])
    try:
        phrase_id = int(request.match_info["phrase_id"])
    except ValueError:
        raise web.HTTPNotFound(text="There is no such phrase.")
    removed = edits.remove_phrase(db, phrase_id, actor=auth.current_user(request).username)
    if removed is None or removed["taxonomy_term_id"] != term["id"]:
        raise web.HTTPNotFound(text="There is no such phrase added by staff.")
    raise web.HTTPFound(f"/staff/needs/{term['id']}?saved=removed")
