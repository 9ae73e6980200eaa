#!/usr/bin/env bash
# Every test, in the environment each part runs in. `make test` calls this after setting up.
# Tests are grouped by the part of the system they cover (docs/architecture.md, "Tests"):
#   Rasa environment (Python 3.10): tests/common, tests/directory (the library runs in both),
#     tests/bot (NLU components, domain, trained model), tests/actions, tests/safety
#   web environment (Python 3.11): tests/common, tests/directory, tests/project (the repository:
#     setup on a fresh machine, docs match the code), tests/web (with web/staff and web/browser),
#     tests/conversations, tests/safety, tests/deploy, tests/system (the whole stack)
# The fault and load proofs (marked `faults`, in tests/system) take longer: `make test-faults`,
# which CI also runs.
set -uo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false
mkdir -p test-output

status=0
echo "== Rasa environment (Python 3.10): common, directory library, NLU, actions, safety"
.venv/rasa/bin/python -m pytest -q -p no:cacheprovider -m "not faults" \
  tests/common tests/directory tests/bot tests/actions tests/safety "$@" || status=1
echo "== Web environment (Python 3.11): common, directory library, web tier, staff, whole stack, browser"
.venv/web/bin/python -m pytest -q -p no:cacheprovider -m "not faults" \
  tests/common tests/directory tests/project tests/conversations tests/web tests/safety tests/deploy tests/system "$@" || status=1
exit $status
