#!/usr/bin/env bash
# Install RingDesk's desktop integration for the current user: the .desktop entry (which
# registers the tel:, sip:, sips:, callto: and sms: URL schemes), the icon and the AppStream
# metainfo, under $XDG_DATA_HOME (default ~/.local/share). Nothing needs root.
#
#   packaging/install.sh [--exec COMMAND] [--set-default-handler] [--uninstall]
#
# --exec COMMAND           what the menu entry runs (default: `ringdesk` on PATH, else this
#                          checkout's .venv/bin/ringdesk)
# --set-default-handler    also make RingDesk the default app for those links (xdg-mime)
# --uninstall              remove what an earlier run installed
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APP_ID="org.ringdesk.RingDesk"
SCHEMES=(tel sip sips callto sms)

exec_command=""
set_default=0
uninstall=0
while [ $# -gt 0 ]; do
  case "$1" in
    --exec) exec_command="${2:?--exec needs a command}"; shift 2 ;;
    --set-default-handler) set_default=1; shift ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

data_home="${XDG_DATA_HOME:-}"
case "$data_home" in /*) ;; *) data_home="$HOME/.local/share" ;; esac  # relative: ignored (XDG spec)
applications="$data_home/applications"
icon="$data_home/icons/hicolor/scalable/apps/$APP_ID.svg"
metainfo="$data_home/metainfo/$APP_ID.metainfo.xml"
entry="$applications/$APP_ID.desktop"

refresh_caches() {
  if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$applications" || true; fi
  if command -v gtk-update-icon-cache >/dev/null && [ -f "$data_home/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$data_home/icons/hicolor" || true
  fi
}

if [ "$uninstall" -eq 1 ]; then
  rm -f "$entry" "$icon" "$metainfo"
  refresh_caches
  echo "removed RingDesk's desktop entry, icon and metainfo from $data_home"
  exit 0
fi

if [ -z "$exec_command" ]; then
  if command -v ringdesk >/dev/null; then
    exec_command="$(command -v ringdesk)"
  elif [ -x "$ROOT/.venv/bin/ringdesk" ]; then
    exec_command="$ROOT/.venv/bin/ringdesk"
  else
    echo "install.sh: no ringdesk command found; install RingDesk first or pass --exec" >&2
    exit 1
  fi
fi
case "$exec_command" in
  *[[:space:]\"\'\\\$\`%]*) echo "install.sh: --exec must be a path without spaces, quotes or %" >&2; exit 2 ;;
esac

mkdir -p "$applications" "$(dirname "$icon")" "$(dirname "$metainfo")"
sed -e "s|^Exec=ringdesk |Exec=$exec_command |" -e "s|^TryExec=ringdesk$|TryExec=$exec_command|" \
  "$ROOT/resources/$APP_ID.desktop" > "$entry.tmp"
mv "$entry.tmp" "$entry"
chmod 644 "$entry"
install -m 644 "$ROOT/resources/icons/$APP_ID.svg" "$icon"
install -m 644 "$ROOT/resources/$APP_ID.metainfo.xml" "$metainfo"
refresh_caches

if [ "$set_default" -eq 1 ]; then
  if command -v xdg-mime >/dev/null; then
    for scheme in "${SCHEMES[@]}"; do xdg-mime default "$APP_ID.desktop" "x-scheme-handler/$scheme"; done
    echo "RingDesk now opens ${SCHEMES[*]} links"
  else
    echo "install.sh: xdg-mime not found (package xdg-utils); default handler not set" >&2
  fi
fi
echo "installed $entry (runs $exec_command), $icon and $metainfo"
