#!/usr/bin/env bash
# The slow proofs (issue 7), apart from `make test`: each starts whole stacks and takes minutes.
# Marked `faults` (tests/system): kill -9 of each tier mid-conversation, staff writes vs bot
# reads on SQLite, a full disk mid-import, 20 parents for 60 s (bench/load.py, shortened), and
# the compose story on real PostgreSQL and Redis servers (two Rasa servers, tests/engines.py).
# Needs a trained model (scripts/train.sh). About 10-13 minutes on 2 cores.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false
exec .venv/web/bin/python -m pytest -q -p no:cacheprovider -s -m faults tests/system "$@"
