# SPDX-License-Identifier: GPL-3.0-or-later
# e2e-lib.sh: what every end-to-end script shares. Sourced, not run: TAP
# helpers, a private Xvfb, and a deterministic GTK environment (no GL, scale
# 1, default theme, no session bus, settings in memory). The script sets
# WORK and SCHEMA_DIR, sources this file and calls
#   fen_e2e_setup FIRST_DISPLAY LAST_DISPLAY [EXTRA_TOOL...]
# which skips (exit 77) when a tool or a free display is missing. Each script
# searches its own display range, so scripts never race for one.

START_TIME=$(date +%s.%N)
FAILURES=0
APP_PID=
SAMPLER_PID=
XVFB_PID=

log () { printf '# %s\n' "$*"; }
pass () { printf 'ok - %s\n' "$*"; }
fail () { printf 'not ok - %s\n' "$*"; FAILURES=$((FAILURES + 1)); }
# Floating-point test: fcheck "expr" (awk syntax, true is pass)
fcheck () { awk "BEGIN { exit !($1) }"; }
elapsed () { awk -v s="$START_TIME" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }'; }

# Waits for $1 (an extended regex) in file $2, up to $3 tenths of a second.
wait_for () {
  for _ in $(seq "$3"); do grep -Eq "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# The field "delta.NAME" or "after.NAME" of the last operation whose label
# starts with $1 in the JSON-lines memory log $3.
json_field () {
  local line
  line=$(grep -F "\"op\":\"$1" "$3" | tail -n1)
  case $2 in
    delta.*) sed -E "s/.*\"delta\":\\{[^}]*\"${2#delta.}\":(-?[0-9]+).*/\\1/" <<<"$line" ;;
    after.*) sed -E "s/.*\"after\":\\{[^}]*\"${2#after.}\":(-?[0-9]+).*/\\1/" <<<"$line" ;;
  esac
}
# Mean grey (0..255) of an N x N patch centred on (x, y).
patch_mean () {
  convert "$1" -crop $4x$4+$(($2 - $4 / 2))+$(($3 - $4 / 2)) +repage -colorspace Gray -format '%[fx:mean*255]' info:
}

fen_e2e_cleanup () {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
  wait 2>/dev/null
}

fen_e2e_setup () {
  local first=$1 last=$2 tool n
  shift 2
  for tool in Xvfb xdotool import convert "$@"; do
    command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing"; exit 77; }
  done
  rm -rf "$WORK" && mkdir -p "$WORK"

  DISPLAY_NUM=
  for n in $(seq "$first" "$last"); do
    if [ ! -e /tmp/.X11-unix/X$n ] && [ ! -e /tmp/.X$n-lock ]; then DISPLAY_NUM=$n; break; fi
  done
  [ -n "$DISPLAY_NUM" ] || { echo "1..0 # SKIP no free X display"; exit 77; }
  Xvfb :$DISPLAY_NUM -screen 0 1920x1200x24 -nolisten tcp -noreset >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  trap fen_e2e_cleanup EXIT

  export DISPLAY=:$DISPLAY_NUM
  for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
  xdotool getdisplaygeometry >/dev/null 2>&1 || { echo "1..0 # SKIP Xvfb did not start"; exit 77; }

  unset GTK_THEME WAYLAND_DISPLAY
  export GDK_BACKEND=x11 GDK_SCALE=1 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$WORK/no-bus GSETTINGS_BACKEND=memory
  export GSETTINGS_SCHEMA_DIR=$SCHEMA_DIR
  export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
  export G_MESSAGES_DEBUG=${FEN_E2E_DEBUG:-fen-viewport,fen-window} LC_ALL=C
}
