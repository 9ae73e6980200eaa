#!/usr/bin/env bash
# Start the Rasa server on 127.0.0.1 only, with the REST channel and the SQL tracker store.
# Needs a trained model (scripts/train.sh). Ports and paths come from the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" RASA_TELEMETRY_ENABLED=false
export SIGNPOST_RASA_PORT="${SIGNPOST_RASA_PORT:-5005}"
export SIGNPOST_ACTIONS_PORT="${SIGNPOST_ACTIONS_PORT:-5055}"
export SIGNPOST_TRACKER_DB="${SIGNPOST_TRACKER_DB:-var/tracker.db}"
model="${SIGNPOST_MODEL:-models/signpost.tar.gz}"
# deploy/endpoints.yml for the PostgreSQL tracker store and Redis lock store (several servers).
endpoints="${SIGNPOST_RASA_ENDPOINTS:-endpoints.yml}"
if [ ! -f "$model" ]; then
  echo "No trained model at $model. Run 'make train' first." >&2
  exit 1
fi
mkdir -p "$(dirname "$SIGNPOST_TRACKER_DB")"
# bot/rasa_server.py is `rasa` with one speed fix (action answers validated with a cached schema).
exec .venv/rasa/bin/python -m bot.rasa_server run \
  --interface 127.0.0.1 --port "$SIGNPOST_RASA_PORT" \
  --model "$model" --endpoints "$endpoints" --credentials credentials.yml \
  "$@"
