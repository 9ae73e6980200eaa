#!/usr/bin/env bash
# Start Signpost: the action server, Rasa and the web tier, on the ports and databases in the
# environment. Waits until each answers its health check, prints the address, and stops all
# three on Ctrl-C or when any of them exits. `make run` calls this after setup and training.
#
# Two stacks can run side by side: give the second its own ports and databases, e.g.
#   SIGNPOST_PORT=8081 SIGNPOST_RASA_PORT=5006 SIGNPOST_ACTIONS_PORT=5056 \
#   SIGNPOST_DIRECTORY_DB=var/b/directory.db SIGNPOST_TRACKER_DB=var/b/tracker.db \
#   SIGNPOST_CHAT_SESSIONS_DB=var/b/chat_sessions.db scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD" RASA_TELEMETRY_ENABLED=false
export SIGNPOST_PORT="${SIGNPOST_PORT:-8080}"
export SIGNPOST_RASA_PORT="${SIGNPOST_RASA_PORT:-5005}"
export SIGNPOST_ACTIONS_PORT="${SIGNPOST_ACTIONS_PORT:-5055}"
export SIGNPOST_DIRECTORY_DB="${SIGNPOST_DIRECTORY_DB:-var/directory.db}"
export SIGNPOST_TRACKER_DB="${SIGNPOST_TRACKER_DB:-var/tracker.db}"
export SIGNPOST_GEO_DB="${SIGNPOST_GEO_DB:-var/geo.db}"
export SIGNPOST_CHAT_SESSIONS_DB="${SIGNPOST_CHAT_SESSIONS_DB:-var/chat_sessions.db}"
# Plain HTTP on this computer: staff cookies without Secure (the web tier refuses that on any
# other address; behind HTTPS leave SIGNPOST_SECURE_COOKIES unset or 1).
case "${SIGNPOST_HOST:-127.0.0.1}" in
  127.*|localhost|::1) export SIGNPOST_SECURE_COOKIES="${SIGNPOST_SECURE_COOKIES:-0}" ;;
esac
LOGS="${SIGNPOST_LOG_DIR:-var/log/$SIGNPOST_PORT}"
TIMEOUT="${SIGNPOST_START_TIMEOUT:-300}"
mkdir -p "$LOGS"

say() { printf '[run] %s\n' "$*" >&2; }

pids=()
names=()
stop_all() {
  trap - EXIT INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    say "Stopping Signpost ..."
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for var in SIGNPOST_PORT SIGNPOST_RASA_PORT SIGNPOST_ACTIONS_PORT; do
  if port_in_use "${!var}"; then
    say "Port ${!var} ($var) is already in use. Stop what is using it, or choose another:"
    say "  $var=<free port> make run"
    exit 1
  fi
done

start() {  # start NAME COMMAND... : run in the background, output to $LOGS/NAME.log
  local name=$1; shift
  "$@" >"$LOGS/$name.log" 2>&1 &
  pids+=($!)
  names+=("$name")
  say "Started $name (pid $!), log: $LOGS/$name.log"
}

wait_healthy() {  # wait_healthy NAME URL [METHOD]
  local name=$1 url=$2 method=${3:-GET} index=$(( ${#pids[@]} - 1 )) waited=0 i
  for i in "${!names[@]}"; do [ "${names[$i]}" = "$name" ] && index=$i; done
  local pid=${pids[$index]}
  until .venv/web/bin/python - "$url" "$method" <<'PY' 2>/dev/null
import json, sys, urllib.request
url, method = sys.argv[1], sys.argv[2]
data = json.dumps({"sender": "run-sh-readiness-probe", "message": "/greet"}).encode() if method == "POST" else None
request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
with urllib.request.urlopen(request, timeout=10) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
  do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "$name stopped while starting. The end of its log ($LOGS/$name.log):"
      tail -n 30 "$LOGS/$name.log" >&2
      exit 1
    fi
    if [ "$waited" -ge "$TIMEOUT" ]; then
      say "$name was not ready after ${TIMEOUT}s. The end of its log ($LOGS/$name.log):"
      tail -n 30 "$LOGS/$name.log" >&2
      exit 1
    fi
    sleep 1; waited=$((waited + 1))
  done
  say "$name is ready"
}

start actions scripts/start_actions.sh
start rasa scripts/start_rasa.sh
start web .venv/web/bin/python -m web
wait_healthy actions "http://127.0.0.1:$SIGNPOST_ACTIONS_PORT/health"
wait_healthy web "http://127.0.0.1:$SIGNPOST_PORT/healthz"
say "Rasa is loading the model (this can take a minute) ..."
wait_healthy rasa "http://127.0.0.1:$SIGNPOST_RASA_PORT/webhooks/rest/webhook" POST

echo "Signpost is running at http://localhost:$SIGNPOST_PORT"
echo "Press Ctrl-C to stop."
# Stay up until Ctrl-C, or until any of the three stops (then stop the others too).
wait -n "${pids[@]}" || true
say "A Signpost process stopped; see the logs in $LOGS"
exit 1
