# Shared set-up for scripts/run-demo and scripts/run-tests (sourced, not run).
# Installs missing Debian packages with apt-get and the project into ./.venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

# Qt's xcb platform plugin needs these at run time.
QT_RUNTIME_PACKAGES=(
  libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libx11-xcb1 libegl1 libgl1
  libfontconfig1 libdbus-1-3 fonts-dejavu-core
  libpulse0  # QtMultimedia links it (voicemail playback), even with no sound card
)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_debian_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    log "missing system packages (${missing[*]}) and no apt-get: install them by hand"
    return 1
  fi
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

find_python() {
  local candidate
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  log "RingDesk needs Python 3.11 or newer"; return 1
}

ensure_venv() {
  local extras="$1"
  if [ ! -x "$VENV/bin/python" ]; then
    local python; python="$(find_python)"
    if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
      ensure_debian_packages python3-venv
    fi
    log "creating $VENV"
    "$python" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$extras"
  if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
    log "installing RingDesk ($extras) into $VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$ROOT[$extras]" 2>&1 \
      | grep -v "^WARNING: Location" || true
    "$VENV/bin/python" -c 'import PySide6, qasync, httpx, socketio' || { log "install failed"; return 1; }
    touch "$stamp"
  fi
  # Byte-compile our own sources once: with PYTHONDONTWRITEBYTECODE set (as on our
  # machines) every start would otherwise recompile them (~0.15 s of start-up).
  "$VENV/bin/python" -m compileall -q "$ROOT/app" "$ROOT/ui" >/dev/null
}

# Start a private Xvfb and export DISPLAY (used when there is no display at all).
start_xvfb() {
  ensure_debian_packages xvfb xauth
  local n
  for n in $(seq 90 140); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
    export DISPLAY=":$n"
    return 0
  done
  log "no free X display number"; return 1
}
