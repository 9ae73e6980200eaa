"""What families ask for: anonymised search counts over a chosen period, charts and CSV."""

from __future__ import annotations

from datetime import date, timedelta

from aiohttp import web

from directory import demand
from web.staff import auth
from web.staff.base import render
from web.staff.charts import bar_chart
from web.staff.directory import run

routes = web.RouteTableDef()


def _period(request: web.Request) -> tuple[date, date, dict[str, str]]:
    today = date.today()
    errors: dict[str, str] = {}
    values = {}
    for name, default in (("from", today - timedelta(days=30)), ("to", today)):
        raw = request.query.get(name, "")
        try:
            values[name] = date.fromisoformat(raw) if raw else default
        except ValueError:
            errors[name] = "Enter the date as year-month-day, like 2026-09-01."
            values[name] = default
    if values["to"] < values["from"]:
        errors["to"] = "The end date must be on or after the start date."
        values["to"] = values["from"]
    return values["from"], values["to"], errors


@routes.get("/demand")
@auth.requires(auth.EDITOR)
async def demand_page(request: web.Request) -> web.Response:
    start, end, errors = _period(request)
    summary = await run(request, demand.summarise, start, end)
    charts = {
        "need": bar_chart("Searches by need", summary.by_need),
        "district": bar_chart("Searches by postcode district", summary.by_district),
        "day": bar_chart("Days families asked for", summary.by_day),
        "time": bar_chart("Times of day families asked for", summary.by_time),
        "unmet_need": bar_chart("Searches that found nothing, by need", summary.unmet_by_need, unmet=True),
        "unmet_district": bar_chart("Searches that found nothing, by district",
                                    summary.unmet_by_district, unmet=True),
    }
    return render("demand.html", request, {"s": summary, "charts": charts, "errors": errors,
                                           "start": start.isoformat(), "end": end.isoformat()})


@routes.get("/demand.csv")
@auth.requires(auth.EDITOR)
async def demand_csv(request: web.Request) -> web.Response:
    start, end, _errors = _period(request)
    body = demand.to_csv(await run(request, demand.rows_between, start, end))
    return web.Response(text=body, content_type="text/csv", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="signpost-demand-{start}-to-{end}.csv"'})
