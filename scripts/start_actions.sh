#!/usr/bin/env bash
# Start the action server (rasa-sdk) on 127.0.0.1 only. rasa-sdk 3.6 has no host flag; it binds
# to SANIC_HOST. The directory database is opened on first use from SIGNPOST_DIRECTORY_DB.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" RASA_TELEMETRY_ENABLED=false
export SANIC_HOST=127.0.0.1
export SIGNPOST_DIRECTORY_DB="${SIGNPOST_DIRECTORY_DB:-var/directory.db}"
exec .venv/rasa/bin/python -m rasa_sdk --actions actions \
  --port "${SIGNPOST_ACTIONS_PORT:-5055}" "$@"
