"""``python -m web``: serve the public web tier on SIGNPOST_HOST:SIGNPOST_PORT."""

from __future__ import annotations

import logging

from aiohttp import web

from web.app import create_app
from common.settings import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The access log would record search-page query strings (what a parent looked for): keep it off.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    settings = Settings.from_env()
    web.run_app(create_app(settings), host=settings.host, port=settings.port,
                access_log=None, print=lambda message: logging.getLogger("signpost.web").info(
                    "Web tier listening on http://%s:%s", settings.host, settings.port))


if __name__ == "__main__":
    main()
