#!/usr/bin/env bash
# Every test, in the environment each part runs in. `make test` calls this after setting up.
#   tests/directory  the directory library, on both Pythons (3.10 for Rasa's actions, 3.11 for the web)
#   tests/bot        NLU components, actions, stories (Rasa env)
#   tests/safety     both: rules and redaction in each, tests/safety/bot in Rasa, tests/safety/web in web
#   tests/conversations (the evaluation sets stay unseen), tests/web, tests/staff, tests/fuzz, tests/deploy, tests/e2e, tests/browser  web tier and the whole stack (web env)
#   tests/project    the repository itself: setup.sh on a fresh machine, no machine-specific paths (web env)
# The fault and load tests (tests/faults) take longer: `make test-faults`, which CI also runs.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false
mkdir -p test-output

status=0
echo "== Rasa environment (Python 3.10): directory library, NLU, actions, stories"
.venv/rasa/bin/python -m pytest -q -p no:cacheprovider tests/common tests/directory tests/bot tests/safety "$@" || status=1
echo "== Web environment (Python 3.11): directory library, web tier, staff, end-to-end, browser"
web_dirs=(tests/common tests/directory)
for d in tests/project tests/conversations tests/web tests/staff tests/safety tests/fuzz tests/deploy tests/e2e tests/browser; do [ -d "$d" ] && web_dirs+=("$d"); done
.venv/web/bin/python -m pytest -q -p no:cacheprovider "${web_dirs[@]}" "$@" || status=1
exit $status
