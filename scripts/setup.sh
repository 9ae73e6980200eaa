#!/usr/bin/env bash
# Set up what is missing, and only that. Each step is skipped when its stamp is current, so a
# second `make test` or `make run` starts in seconds.
#   scripts/setup.sh web|rasa|node|chromium|all
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false PIP_DISABLE_PIP_VERSION_CHECK=1

log() { printf '[setup] %s\n' "$*" >&2; }
quiet_pip() {  # pip, without the machine's noisy "Location ... is ignored" warnings
  "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
}

find_python() {  # find_python 3.10 -> path to that interpreter
  local want=$1 candidate
  for candidate in "python$want" "$(command -v pyenv >/dev/null && pyenv root)/versions/$want"*/bin/python \
                   "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want"*/bin/python /usr/bin/python"$want" /usr/local/bin/python"$want"; do
    if [ -x "$(command -v "$candidate" 2>/dev/null || echo "$candidate")" ] && \
       "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
      command -v "$candidate" 2>/dev/null || echo "$candidate"; return 0
    fi
  done
  log "Python $want not found. Install it (for example: pyenv install $want) and try again."; return 1
}

stamp_ok() {  # stamp_ok STAMPFILE INPUT... : true when STAMPFILE records the inputs' checksum
  local stamp=$1; shift
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(cat "$@" | sha256sum | cut -c1-16)" ]
}
stamp_write() { local stamp=$1; shift; cat "$@" | sha256sum | cut -c1-16 > "$stamp"; }

venv() {  # venv NAME PYVERSION
  local name=$1 py=$2 dir=.venv/$1
  if stamp_ok "$dir/.stamp" "requirements/$name.in" "requirements/$name.lock"; then return 0; fi
  log "Installing the $name environment (Python $py) into $dir ..."
  [ -x "$dir/bin/python" ] || "$(find_python "$py")" -m venv "$dir"
  quiet_pip "$dir/bin/pip" install -q "pip==24.0"
  quiet_pip "$dir/bin/pip" install -q -r "requirements/$name.in" -c "requirements/$name.lock"
  stamp_write "$dir/.stamp" "requirements/$name.in" "requirements/$name.lock"
}

node_modules() {
  if stamp_ok node_modules/.stamp package.json package-lock.json; then return 0; fi
  log "Installing front-end packages (npm ci) ..."
  npm ci --no-audit --no-fund --silent
  stamp_write node_modules/.stamp package.json package-lock.json
}

# The browser tests drive Debian's Chromium. Look for the binary itself: `command -v` would also
# find a shell function or alias of that name. CHROMIUM_BIN lets tests point at another path.
CHROMIUM_BIN=${CHROMIUM_BIN:-/usr/bin/chromium}
install_chromium() {
  [ -x "$CHROMIUM_BIN" ] && return 0
  log "Installing Debian's chromium for the browser tests ..."
  local sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  if [ ! -x "$CHROMIUM_BIN" ]; then
    log "apt-get installed chromium, but there is no $CHROMIUM_BIN. Install Debian's chromium and try again."
    return 1
  fi
}

case "${1:-all}" in
  web) venv web 3.11 ;;
  rasa) venv rasa 3.10 ;;
  node) node_modules ;;
  chromium) install_chromium ;;
  all) venv web 3.11; venv rasa 3.10 ;;
  *) log "unknown step: $1"; exit 2 ;;
esac
