"""``/widget.js``: the script a centre website includes to show the chat in a frame.

The chat page it frames is ``/widget/chat`` (see ``web.pages``); ``web.security``
lets only the origins in ``SIGNPOST_EMBED_ORIGINS`` frame it.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

LOADER = Path(__file__).resolve().parent / "static" / "widget-loader.js"

routes = web.RouteTableDef()


@routes.get("/widget.js")
async def widget_js(request: web.Request) -> web.Response:
    return web.Response(
        body=LOADER.read_bytes(),
        content_type="text/javascript",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )
