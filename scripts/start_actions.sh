#!/usr/bin/env bash
# Start the action server (actions/server.py) on 127.0.0.1 only. It reads its settings
# (SIGNPOST_DIRECTORY_DB, SIGNPOST_GEO_DB, SIGNPOST_ACTIONS_PORT ...) once and opens the
# directory at start-up.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" RASA_TELEMETRY_ENABLED=false
exec .venv/rasa/bin/python -m actions.server --host 127.0.0.1 \
  --port "${SIGNPOST_ACTIONS_PORT:-5055}" "$@"
