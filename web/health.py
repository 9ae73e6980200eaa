"""``GET /healthz``: is each tier up? For ``scripts/run.sh``, monitoring and a worried developer.

Always answers 200 while the web tier itself is up, with the state of every tier in the body,
so a probe can tell "web up, Rasa still loading the model" from "nothing there".
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from directory.store import active_service_count
from web import keys

routes = web.RouteTableDef()


async def directory_state(app: web.Application) -> dict:
    try:
        count = await asyncio.wait_for(
            app[keys.DIRECTORY].run(lambda d: active_service_count(d.db)), timeout=2)
        return {"status": "ok", "services": count}
    except Exception as error:  # any failure is a state to report, not a crash
        return {"status": f"error ({type(error).__name__})"}


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    app = request.app
    settings = app[keys.SETTINGS]
    rasa, actions, directory = await asyncio.gather(
        app[keys.RASA].ping("/"),
        app[keys.RASA].ping("/health", base_url=settings.actions_url),
        directory_state(app),
    )
    tiers = {"web": "ok", "rasa": rasa, "actions": actions, "directory": directory["status"]}
    body = {
        "status": "ok" if all(v == "ok" for v in tiers.values()) else "degraded",
        "tiers": tiers,
        "services": directory.get("services"),
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})
