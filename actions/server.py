"""The action server: ``python -m actions.server`` (``scripts/start_actions.sh``, the actions image).

rasa-sdk's own ``python -m rasa_sdk --actions actions`` builds every Action class with no
arguments, which leaves module globals as the only way for an action to reach the directory.
This launcher reads ``Settings`` once, opens the ``Directory`` at start-up and builds each action
with the same ``ActionContext``. The HTTP side is rasa-sdk's: its ``ActionExecutor`` runs the
actions behind the same routes (``GET /health``, ``POST /webhook``, ``GET /actions``).
"""

from __future__ import annotations

import argparse
import json
import logging
import zlib

from rasa_sdk import Action, utils
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.callback import (ActionAskCallbackShareSummary, ActionStopCallback,
                              ActionSubmitCallback, ValidateCallbackForm)
from actions.context import ActionContext
from actions.frame import ActionAfterExplaining, ActionSearchServices
from actions.handoff import ActionHandoff
from actions.refine import ActionMoreResults, ActionRefineSearch
from actions.safety import ActionSafetyCheck, ActionSafetyReply
from actions.summary import ActionShowSummary
from common.logsafe import log_fault
from common.settings import Settings
from directory.db import Directory

logger = logging.getLogger(__name__)


def build_actions(context: ActionContext) -> list[Action]:
    """Every custom action the domain names, built with the shared context."""
    return [
        ActionSearchServices(context), ActionAfterExplaining(context),
        ActionRefineSearch(context), ActionMoreResults(context), ActionHandoff(context),
        ValidateCallbackForm(context), ActionAskCallbackShareSummary(context),
        ActionSubmitCallback(context), ActionStopCallback(context),
        ActionShowSummary(context), ActionSafetyReply(context), ActionSafetyCheck(context),
    ]


def create_app(context: ActionContext, name: str = "signpost_actions") -> Sanic:
    """The action server's Sanic app, running ``build_actions(context)``."""
    app = Sanic(name, configure_logging=False)
    executor = ActionExecutor()
    for action in build_actions(context):
        executor.register_action(action)

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"}, status=200)

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        if request.headers.get("Content-Encoding") == "deflate":
            action_call = json.loads(zlib.decompress(request.body))
        else:
            action_call = request.json
        if action_call is None:
            return response.json({"error": "Invalid body request"}, status=400)
        utils.check_version_compatibility(action_call.get("version"))
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as e:
            logger.debug(e)
            return response.json({"error": e.message, "action_name": e.action_name}, status=400)
        except ActionNotFoundException as e:
            logger.error(e)
            return response.json({"error": e.message, "action_name": e.action_name}, status=404)
        return response.json(result, status=200)

    @app.get("/actions")
    async def actions(_: Request) -> HTTPResponse:
        return response.json([{"name": name} for name in executor.actions], status=200)

    @app.exception(Exception)
    async def exception_handler(request: Request, exception: Exception) -> HTTPResponse:
        # The request body is the conversation, and the exception's message may quote it: log
        # and answer with the type and place only, never what a parent typed.
        log_fault(logger, f"An action failed ({request.method} {request.path})", exception,
                  logging.ERROR)
        return response.json({"error": type(exception).__name__}, status=500)

    return app


def main(argv: list[str] | None = None) -> None:
    settings = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m actions.server",
                                     description="Signpost's Rasa action server.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; 0.0.0.0 in a container)")
    parser.add_argument("--port", type=int, default=settings.actions_port,
                        help=f"port (default: $SIGNPOST_ACTIONS_PORT, {settings.actions_port})")
    utils.add_logging_level_option_arguments(parser)
    args = parser.parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    # One worker: the directory connection belongs to the server's one thread.
    directory = Directory.open(settings.directory_db, settings.geo_db, nation=settings.nation)
    app = create_app(ActionContext(directory, settings))
    logger.info(f"Action server listening on http://{args.host}:{args.port}")
    try:
        app.run(args.host, args.port, workers=1)
    finally:
        directory.close()


if __name__ == "__main__":
    main()
