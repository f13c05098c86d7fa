# SPDX-License-Identifier: GPL-3.0-or-later
# e2e-lib.sh: what every end-to-end script shares. Sourced, not run: TAP
# helpers, a private Xvfb, and a deterministic GTK environment (no GL, scale
# 1, default theme, no session bus, settings in memory). The script sets
# WORK and SCHEMA_DIR, sources this file and calls
#   fen_e2e_setup FIRST_DISPLAY LAST_DISPLAY [EXTRA_TOOL...]
# which FAILS (exit 1) when a tool is missing or Xvfb cannot start: tools/test
# installs the tools (tools/deps.sh), and a test that cannot run has not
# passed. Each script searches its own display range, so scripts never race
# for one. Every GTK or GLib critical aborts the viewer (G_DEBUG=fatal-criticals).

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
    command -v "$tool" >/dev/null || { echo "not ok - $tool is missing (tools/deps.sh installs it)"; exit 1; }
  done
  rm -rf "$WORK" && mkdir -p "$WORK"

  DISPLAY_NUM=
  for n in $(seq "$first" "$last"); do
    if [ ! -e /tmp/.X11-unix/X$n ] && [ ! -e /tmp/.X$n-lock ]; then DISPLAY_NUM=$n; break; fi
  done
  [ -n "$DISPLAY_NUM" ] || { echo "not ok - no free X display in :$first..:$last"; exit 1; }
  Xvfb :$DISPLAY_NUM -screen 0 1920x1200x24 -nolisten tcp -noreset >"$WORK/xvfb.log" 2>&1 &
  XVFB_PID=$!
  trap fen_e2e_cleanup EXIT

  export DISPLAY=:$DISPLAY_NUM
  for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
  xdotool getdisplaygeometry >/dev/null 2>&1 || { echo "not ok - Xvfb did not start"; cat "$WORK/xvfb.log"; exit 1; }

  unset GTK_THEME WAYLAND_DISPLAY
  export GDK_BACKEND=x11 GDK_SCALE=1 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1
  export DBUS_SESSION_BUS_ADDRESS=unix:path=$WORK/no-bus GSETTINGS_BACKEND=memory
  export GSETTINGS_SCHEMA_DIR=$SCHEMA_DIR
  export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache
  export G_MESSAGES_DEBUG=${FEN_E2E_DEBUG:-fen-viewport,fen-window} LC_ALL=C
  # A critical is a bug (issue 11, bug 14): the viewer aborts on the first.
  export G_DEBUG=fatal-criticals
}

# --- Reading the phantom (fen-e2e-phantom.c) from a screenshot ---------------
# The viewport's place on the screen: "X Y W H" from its last "geometry:"
# debug line (where to aim, not what to judge), plus the window's origin.
# viewport_geometry LOG [N]: the N-th last line (default 1).
viewport_geometry () {
  grep -E 'geometry: x=' "$1" | tail -n "${2:-1}" | head -n1 |
    sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/'
}
# phantom_point IX IY VX VY VW VH SIZE: screen point of image point (IX, IY)
# in a viewport at (VX, VY) of VW x VH showing a SIZE x SIZE image fitted,
# centred, unrotated.
phantom_point () {
  awk -v ix="$1" -v iy="$2" -v x="$3" -v y="$4" -v w="$5" -v h="$6" -v s="$7" 'BEGIN {
    z = w / s < h / s ? w / s : h / s;
    printf "%d %d", x + w / 2 + (ix - s / 2) * z, y + h / 2 + (iy - s / 2) * z }'
}
# phantom_slice PNG VX VY VW VH SIZE: the slice number the twelve bars
# carry (fen_phantom_fill: bit b spans x in [S/4 + b (S/24), + S/32), y in
# [3S/4, 3S/4 + S/16), bright for 1), or -1 when a bar is neither bright nor
# dark (not the phantom, or not this way up).
phantom_slice () {
  local png=$1 s=$6 n=0 b cx cy sx sy g
  for b in $(seq 0 11); do
    cx=$((s / 4 + b * (s / 24) + s / 64)); cy=$((s * 3 / 4 + s / 32))
    read -r sx sy <<<"$(phantom_point "$cx" "$cy" "$2" "$3" "$4" "$5" "$s")"
    g=$(patch_mean "$png" "$sx" "$sy" 4)
    if fcheck "$g > 200"; then n=$((n * 2 + 1))
    elif fcheck "$g < 55"; then n=$((n * 2))
    else echo -1; return; fi
  done
  echo "$n"
}
# phantom_upright PNG VX VY VW VH SIZE: "yes" when the bone insert (the one
# bright corner square) is at the image's top left on screen and the other
# three corners of the tissue are not bright: not flipped, not turned.
phantom_upright () {
  local s=$6 tl tr bl br
  read -r x y <<<"$(phantom_point $((s * 3 / 16)) $((s * 3 / 16)) "$2" "$3" "$4" "$5" "$s")"; tl=$(patch_mean "$1" "$x" "$y" 4)
  read -r x y <<<"$(phantom_point $((s * 13 / 16)) $((s * 3 / 16)) "$2" "$3" "$4" "$5" "$s")"; tr=$(patch_mean "$1" "$x" "$y" 4)
  read -r x y <<<"$(phantom_point $((s * 3 / 16)) $((s * 13 / 16)) "$2" "$3" "$4" "$5" "$s")"; bl=$(patch_mean "$1" "$x" "$y" 4)
  read -r x y <<<"$(phantom_point $((s * 13 / 16)) $((s * 13 / 16)) "$2" "$3" "$4" "$5" "$s")"; br=$(patch_mean "$1" "$x" "$y" 4)
  if fcheck "$tl > 200 && $tr < 200 && $bl < 200 && $br < 200"; then echo yes; else echo "no ($tl $tr $bl $br)"; fi
}
# ocr PNG X Y W H [FLOOR]: the text in that rectangle, read by tesseract
# (scaled up, what is darker than FLOOR % dropped so that only the light
# overlay text stays (default 30; 75 over light tissue), inverted to dark on
# light, one block of text).
ocr () {
  convert "$1" -crop "$4x$5+$2+$3" +repage -colorspace Gray -level "${6:-30}%,100%" -resize 400% -negate "$WORK/ocr-in.png" &&
    tesseract "$WORK/ocr-in.png" - --psm 6 2>/dev/null | tr -s ' \n' ' '
}
