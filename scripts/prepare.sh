#!/usr/bin/env bash
# Data the running system needs, built once: the postcode index, the spaCy model, the learned
# safety detector (rebuilt when its training data changes), the sample directory.
# Each step skips itself when its output is already there (an existing directory is never overwritten).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false
: "${SIGNPOST_DIRECTORY_DB:=var/directory.db}" "${SIGNPOST_GEO_DB:=var/geo.db}"
export SIGNPOST_DIRECTORY_DB SIGNPOST_GEO_DB

.venv/web/bin/python -m directory.geo build --out "$SIGNPOST_GEO_DB"
.venv/rasa/bin/python -m bot.nlu.spacy_model build
.venv/rasa/bin/python -m bot.safety.detector build --if-changed
# With SIGNPOST_FEED_URLS set, the directory is the council's feeds (the web tier syncs them when
# it starts): the Blackburn sample is never mixed in.
if [ -n "${SIGNPOST_FEED_URLS:-}" ]; then
  .venv/web/bin/python -m directory seed --no-sample
else
  .venv/web/bin/python -m directory seed
fi
