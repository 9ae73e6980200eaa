#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed; otherwise say so and stop within a second or two.
#   scripts/train.sh [--force]
# Inputs: config.yml, domain/, data/, bot/nlu/*.py, directory/taxonomy.yml (+ taxonomy.py).
# Their hash is stored next to the model (models/signpost.inputs), so a second run is instant.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" TF_CPP_MIN_LOG_LEVEL=2

PY=.venv/rasa/bin/python
RASA=.venv/rasa/bin/rasa
MODEL=models/signpost.tar.gz
STAMP=models/signpost.inputs
SPACY_MODEL=var/spacy/en_signpost
FORCE=${1:-}
case "$FORCE" in
  ""|--force) ;;
  *) echo "usage: scripts/train.sh [--force]  (trains only when config.yml, domain/, data/ or bot/nlu changed)" >&2; exit 2 ;;
esac

log() { printf '[train] %s\n' "$*" >&2; }

inputs_hash() {
  {
    find config.yml domain data bot/nlu directory/taxonomy.yml directory/taxonomy.py -type f \
      \( -name '*.yml' -o -name '*.yaml' -o -name '*.py' -o -name '*.md' \) \
      -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum
    ls -d .venv/rasa/lib/python3*/site-packages/rasa-*.dist-info 2>/dev/null  # the Rasa version, cheaply
  } | sha256sum | cut -c1-32
}

mkdir -p models
exec 9>models/.train.lock
flock 9  # two `make` targets at once: the second waits, then finds the model up to date

if [ ! -f "$SPACY_MODEL/meta.json" ]; then
  log "Building the spaCy model in $SPACY_MODEL ..."
  "$PY" -m bot.nlu.spacy_model build --out "$SPACY_MODEL"
fi

if [ "$FORCE" != "--force" ] && [ -f "$MODEL" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(inputs_hash)" ]; then
  log "Model is up to date ($MODEL)"
  exit 0
fi

log "Checking the spaCy model ..."
"$PY" -m bot.nlu.spacy_model build --out "$SPACY_MODEL"
log "Generating NLU data from directory/taxonomy.yml ..."
"$PY" -m bot.nlu.generate --out data/nlu
HASH=$(inputs_hash)

# A machine-wide cache keyed by the inputs' hash: a fresh clone on the same machine (CI, a second
# stack) reuses the model instead of training it again.
CACHE_DIR="${SIGNPOST_MODEL_CACHE:-$HOME/.cache/signpost/models}"
if [ "$FORCE" != "--force" ] && [ -f "$CACHE_DIR/$HASH.tar.gz" ]; then
  cp "$CACHE_DIR/$HASH.tar.gz" "$MODEL.tmp" && mv "$MODEL.tmp" "$MODEL"
  echo "$HASH" > "$STAMP"
  [ -f "$CACHE_DIR/$HASH.train_seconds" ] && cp "$CACHE_DIR/$HASH.train_seconds" models/signpost.train_seconds
  log "Model is up to date (taken from the cache in $CACHE_DIR)"
  exit 0
fi

log "Training the Rasa model (this takes a few minutes) ..."
start=$(date +%s)
"$RASA" train --config config.yml --domain domain --data data --out models \
  --fixed-model-name signpost --force
echo "$HASH" > "$STAMP"
seconds=$(( $(date +%s) - start ))
echo "$seconds" > models/signpost.train_seconds  # bench/all.py reports it as the training time
if mkdir -p "$CACHE_DIR" 2>/dev/null; then
  cp "$MODEL" "$CACHE_DIR/$HASH.tar.gz.tmp" && mv "$CACHE_DIR/$HASH.tar.gz.tmp" "$CACHE_DIR/$HASH.tar.gz"
  cp models/signpost.train_seconds "$CACHE_DIR/$HASH.train_seconds"
  ls -1t "$CACHE_DIR"/*.tar.gz 2>/dev/null | tail -n +6 | while read -r old; do rm -f "$old" "${old%.tar.gz}.train_seconds"; done
fi
log "Trained $MODEL in ${seconds}s"
