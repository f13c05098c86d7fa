# SPDX-License-Identifier: GPL-3.0-or-later
# e2e-lib.sh: what every end-to-end script shares. Sourced, not run: TAP
# helpers, a private Xvfb, a deterministic GTK environment (no GL, scale 1,
# default theme, no session bus unless a private one is asked for, settings
# in memory), the one start-up of the viewer, and the readers of the screen.
# The script sets WORK, SCHEMA_DIR and FENESTRA, sources this file and calls
#   fen_e2e_setup FIRST_DISPLAY LAST_DISPLAY [EXTRA_TOOL...]
# which FAILS (exit 1) when a tool is missing or Xvfb cannot start: tools/test
# installs the tools (tools/deps.sh), and a test that cannot run has not
# passed. Each script searches its own display range, so scripts never race
# for one. Every GTK or GLib critical aborts the viewer (G_DEBUG=fatal-criticals).

. "$(dirname "${BASH_SOURCE[0]}")/../session-bus.sh"

START_TIME=$(date +%s.%N)
FAILURES=0
APP_PID=
SAMPLER_PID=
XVFB_PID=
BUS_PID=

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

# The field "updates", "delta.NAME" or "after.NAME" of the last operation
# whose label starts with $1 in the JSON-lines memory log $3: the memory
# monitor's own figures (bytes, counts), never what the screen shows.
json_field () {
  local line
  line=$(grep -F "\"op\":\"$1" "$3" | tail -n1)
  case $2 in
    updates) sed -E 's/.*"updates":([0-9]+).*/\1/' <<<"$line" ;;
    delta.*) sed -E "s/.*\"delta\":\\{[^}]*\"${2#delta.}\":(-?[0-9]+).*/\\1/" <<<"$line" ;;
    after.*) sed -E "s/.*\"after\":\\{[^}]*\"${2#after.}\":(-?[0-9]+).*/\\1/" <<<"$line" ;;
  esac
}
# Mean grey (0..255) of an N x N patch centred on (x, y).
patch_mean () {
  convert "$1" -crop $4x$4+$(($2 - $4 / 2))+$(($3 - $4 / 2)) +repage -colorspace Gray -format '%[fx:mean*255]' info:
}

# Operations whose label matches the extended regex $1 in memory log $2.
count_ops () { grep -cE "\"op\":\"$1" "$2"; }
# Resident set size of process $1 in bytes (/proc/PID/status VmRSS).
rss_of () { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status" 2>/dev/null; }
# PS3.3 C.11.2.1.2 (LINEAR): the grey (0..255) of modality value $1 under
# window centre $2, width $3.
predict_grey () {
  awk -v x="$1" -v c="$2" -v w="$3" 'BEGIN {
    if (x <= c - 0.5 - (w - 1) / 2) y = 0;
    else if (x > c - 0.5 + (w - 1) / 2) y = 255;
    else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    printf "%.3f", y }'
}

fen_e2e_cleanup () {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
  [ -n "$BUS_PID" ] && kill "$BUS_PID" 2>/dev/null
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
# viewport_on_screen TAG: where the (single) viewport is on the screen,
# "X Y W H", from its last "geometry:" debug line in $WORK/TAG.out plus the
# window's origin X, Y: where to aim and crop, never what to judge.
viewport_on_screen () {
  grep -E 'geometry: x=' "$WORK/$1.out" | tail -n1 | on_screen
}
# on_screen: a filter; each debug line's "x=X y=Y width=W height=H" as
# "X Y W H" on the screen (the window's origin X, Y added).
on_screen () {
  sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/' |
    awk -v x="$X" -v y="$Y" '{ print x + $1, y + $2, $3, $4 }'
}
# phantom_point IX IY VX VY VW VH SIZE: screen point of image point (IX, IY)
# in a viewport at (VX, VY) of VW x VH showing a SIZE x SIZE image fitted,
# centred, unrotated.
phantom_point () {
  awk -v ix="$1" -v iy="$2" -v x="$3" -v y="$4" -v w="$5" -v h="$6" -v s="$7" 'BEGIN {
    z = w / s < h / s ? w / s : h / s;
    printf "%d %d", x + w / 2 + (ix - s / 2) * z, y + h / 2 + (iy - s / 2) * z }'
}
# phantom_hu IX IY INDEX LESION SIZE: the HU that fen_phantom_fill writes at
# image pixel (IX, IY) of picture INDEX (-1: the single phantom), with the
# --lesion square when LESION is 1: the fixture's known values, in C's
# integer arithmetic.
phantom_hu () {
  awk -v x="$1" -v y="$2" -v i="$3" -v l="$4" -v s="$5" 'BEGIN {
    hu = -1000;
    if (x >= int(s / 10) && x < s - int(s / 10) && y >= int(s / 10) && y < s - int(s / 10)) hu = 40;
    if (x >= int(s / 8) && x < int(s / 4) && y >= int(s / 8) && y < int(s / 4)) hu = 700;
    if (i >= 0) {
      step = int(s / 40); k = i % 24;
      bx = int(s / 4) + k * step; by = int(s / 3) + int(k * step / 2);
      if (x >= bx && x < bx + int(s / 10) && y >= by && y < by + int(s / 10)) hu = 700;
      bw = int(s / 24); bit = int((x - int(s / 4)) / bw);
      if (y >= int(s * 3 / 4) && y < int(s * 3 / 4) + int(s / 16) && x >= int(s / 4) && bit >= 0 && bit < 12 &&
          (x - int(s / 4)) % bw < int(s / 32))
        hu = int(i / 2 ^ (11 - bit)) % 2 ? 300 : -200;
    }
    if (l && x >= int(s * 6 / 10) && x < int(s * 3 / 4) && y >= int(s * 15 / 100) && y < int(s * 3 / 10)) hu = 140;
    print hu }'
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

# ocr_until TRIES NAME X Y W H REGEX...: every 0.5 s, up to TRIES times, a
# screenshot $WORK/NAME.png and the text in that rectangle (ocr, spaces
# squeezed), until the text matches every extended REGEX; prints the last
# text read (what it read, matched or not).
ocr_until () {
  local tries=$1 name=$2 x=$3 y=$4 w=$5 h=$6 text= re ok
  shift 6
  for _ in $(seq "$tries"); do
    sleep 0.5
    shot "$name"
    text=$(ocr "$WORK/$name.png" "$x" "$y" "$w" "$h" | tr -s ' ')
    ok=1
    for re in "$@"; do grep -qE -- "$re" <<<"$text" || { ok=0; break; }; done
    [ $ok = 1 ] && break
  done
  printf '%s' "$text"
}

# --- The viewer: start, stop, drive ---------------------------------------------
# start_app TAG [ARGS...]: fenestra in a process of its own (--new-instance:
# it never hands its files to another instance), from $WORK (a file written
# to the working directory shows), memory log $WORK/TAG.jsonl, stdout (GLib
# debug lines) $WORK/TAG.out, stderr $WORK/TAG.err. Waits for its window,
# puts it at 0,0 in 1600 x 1000 (Xvfb has no window manager), then SETTLE
# seconds (default 1.0). Sets APP_PID, WIN and the window's X, Y; a window
# that never appears is a failure (returns 1).
start_app () { fen_e2e_start "$1" --new-instance "${@:2}"; }
# start_primary TAG [ARGS...]: the same, but registered on the private
# session bus (fen_e2e_session_bus) as THE instance, so that open_in_running
# can hand it files: one process measured before and after an open.
start_primary () { fen_e2e_start "$@"; }

fen_e2e_start () {
  local tag=$1
  shift
  : > "$WORK/$tag.err"
  (cd "$WORK" && exec stdbuf -oL "$FENESTRA" --memory-log "$WORK/$tag.jsonl" "$@" \
    >"$WORK/$tag.out" 2>"$WORK/$tag.err") &
  APP_PID=$!
  # Polled rather than --sync: a search races with windows of the previous
  # instance being destroyed, and xdotool then gives up. Up to 30 s: on a
  # machine busy with fuzzers and benchmarks a window took more than 10 s.
  WIN=
  for _ in $(seq 300); do
    WIN=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | head -n1)
    [ -n "$WIN" ] && break
    sleep 0.1
  done
  if [ -z "$WIN" ]; then
    fail "$tag: window appeared (process $(kill -0 "$APP_PID" 2>/dev/null && echo alive || echo gone))"
    tail -n 5 "$WORK/$tag.err" | sed 's/^/# /'
    return 1
  fi
  xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1600 1000
  sleep "${SETTLE:-1.0}"
  eval "$(xdotool getwindowgeometry --shell "$WIN")"   # X, Y, WIDTH, HEIGHT
  return 0
}

# wait_opened TAG N [TENTHS]: waits (default 30 s) until one open operation
# has loaded N images ("open img-A..img-B (N)" in the memory log; the viewer
# logs one per open, however many files it was given). 1 when it never came.
wait_opened () {
  wait_for "\"op\":\"open img-[^\"]*\\($2\\)" "$WORK/$1.jsonl" "${3:-300}"
}

stop_app () {
  [ -n "$APP_PID" ] || return 0
  kill "$APP_PID" 2>/dev/null
  wait "$APP_PID" 2>/dev/null
  APP_PID=
}

# fen_e2e_session_bus: a private D-Bus session bus for this script (no
# service directories: nothing is activated on it), so that a second
# fenestra without --new-instance hands its files to the running one.
fen_e2e_session_bus () {
  fen_session_bus "$WORK" || { echo "not ok - private session bus started"; exit 1; }
}

# open_in_running FILE...: GApplication's command line: a second fenestra
# (no --new-instance) finds the primary on the session bus, hands it the
# files and exits. 1 when it failed.
open_in_running () {
  timeout 30 "$FENESTRA" "$@" >>"$WORK/remote.out" 2>>"$WORK/remote.err"
}

# no_warnings TAG: no GTK or GLib warning or critical in $WORK/TAG.err (with
# fatal criticals a critical also ends the viewer: see still_running).
no_warnings () {
  if grep -E 'Gtk-WARNING|Gtk-CRITICAL|GLib-.*CRITICAL|WARNING \*\*|CRITICAL \*\*' "$WORK/$1.err"; then
    fail "$1: GTK/GLib warnings or criticals on stderr"
  else
    pass "$1: no GTK or GLib warning or critical on stderr (G_DEBUG=fatal-criticals)"
  fi
}
# still_running TAG: the viewer lives (a critical would have aborted it).
still_running () {
  if kill -0 "$APP_PID" 2>/dev/null; then pass "$1: viewer still running"
  else fail "$1: viewer died: $(grep -m1 -E 'CRITICAL|ERROR' "$WORK/$1.err")"; fi
}

# shot NAME: a screenshot of the whole screen, $WORK/NAME.png.
shot () { import -window root "$WORK/$1.png"; }

# drag X Y DX DY STEPS: a left-button drag from (X, Y) in STEPS motion
# events to (X + DX, Y + DY). Odd steps overshoot by a pixel and the next
# comes back, so that every event moves.
drag () {
  local x=$1 y=$2 dx=$3 dy=$4 steps=$5 i
  xdotool mousemove "$x" "$y"
  sleep 0.2
  xdotool mousedown 1
  sleep 0.1
  for i in $(seq 1 "$steps"); do
    xdotool mousemove $((x + i * dx / steps + (i % 2))) $((y + i * dy / steps))
  done
  xdotool mousemove $((x + dx)) $((y + dy))
  sleep 0.3
  xdotool mouseup 1
  sleep 0.8
}

# scroll_slices X Y N: N wheel clicks down (the next slice each) over (X, Y).
scroll_slices () {
  xdotool mousemove "$1" "$2"
  sleep 0.2
  for _ in $(seq "$3"); do xdotool click 5; sleep 0.15; done
  sleep 1.0
}

# fen_e2e_finish: the time taken; exit 0 only when no check failed.
fen_e2e_finish () {
  log "elapsed $(elapsed) s"
  [ "$FAILURES" = 0 ] || { log "$FAILURES failure(s); work files in $WORK"; exit 1; }
  exit 0
}

# --- Where the viewports are --------------------------------------------------
# layout TAG KEY N: the layout shortcut KEY (alt+2: 1x2, alt+4: 2x2), then
# the N panes as panes_since prints them.
layout () {
  local mark
  mark=$(log_mark "$1")
  xdotool key "$2"
  sleep 1.5
  panes_since "$1" "$mark" "$3"
}
# log_mark TAG: the lines $WORK/TAG.out has now, for panes_since.
log_mark () { wc -l < "$WORK/$1.out"; }
# panes_since TAG MARK N: the N viewports that last reported their geometry
# after line MARK of $WORK/TAG.out, on the screen (window origin X, Y
# added): one "X Y W H" a line, top to bottom, then left to right. Where to
# aim and crop, never what to judge.
panes_since () {
  tail -n +"$2" "$WORK/$1.out" | grep -E 'geometry: x=' | tail -n "$3" | on_screen | sort -n -k2,2 -k1,1
}

# --- MPR (Alt+5) on the phantom's cube volume (fen-e2e-phantom --cube) ---------
# awkv PROGRAM: awk's BEGIN block, for the scripts' arithmetic.
awkv () { awk "BEGIN { $1 }"; }
# mpr_cube S N: the --cube volume's geometry (S x S x N, 0.5 mm pixels, 1 mm
# slices, first pixel at x = y = -128, slice i at z = i; PS3.3
# C.7.6.2.1.1: positions are pixel centres, so the box reaches half a voxel
# beyond them): VCX (box middle, x and y), VCZ, EXT_XY, EXT_Z (its extents,
# mm); the cube (columns [3S/8 - S/16, 3S/8 + S/16), rows 5S/8, slices
# N/3 +- 8) centred at CUBE_X, CUBE_Y, CUBE_Z; START_X, the x and y of the
# voxel centre (S/2, S/2) the crosshair starts on.
mpr_cube () {
  VCX=$(awkv "print -128 + ($1 - 1) * 0.25")
  VCZ=$(awkv "print ($2 - 1) / 2")
  EXT_XY=$(awkv "print $1 * 0.5")
  EXT_Z=$2
  CUBE_X=$(awkv "print -128 + (int($1 * 3 / 8) - 0.5) * 0.5")
  CUBE_Y=$(awkv "print -128 + (int($1 * 5 / 8) - 0.5) * 0.5")
  CUBE_Z=$(awkv "print int($2 / 3) - 0.5")
  START_X=$(awkv "print -128 + int($1 / 2) * 0.5")
}
# mpr_open TAG DIR N [WHAT]: start_app TAG on DIR, waits until its N slices
# are open (else the failure "WHAT", default "series opened"), then clicks
# in the image so that the viewport takes the keys. 1 when either failed.
mpr_open () {
  start_app "$1" "$2" || return 1
  wait_opened "$1" "$3" || { fail "${4:-series opened}"; return 1; }
  sleep 0.5
  xdotool mousemove $((X + 600)) $((Y + 400)) click 1
  sleep 0.3
}
# mpr_enter TAG: Alt+5 (MPR) in viewer TAG; MARK is the log's length before
# it, so that pane_geometry reads only what came after.
mpr_enter () {
  MPR_TAG=$1
  MARK=$(log_mark "$1")
  xdotool key alt+5
  sleep 2
}
# pane_geometry NAME: "X Y W H" on the screen of MPR pane NAME (Axial,
# Coronal, Sagittal, Acquisition), from its last "mpr-pane NAME at" line
# after line MARK of $WORK/$MPR_TAG.out: where to aim and crop, never what
# to judge.
pane_geometry () {
  tail -n +"$MARK" "$WORK/$MPR_TAG.out" | grep -E "mpr-pane $1 at" | tail -n1 | on_screen
}
# mpr_control NAME: "X Y W H" on the screen of an MPR slab control
# (slab-mode, slab-thickness), from its last "mpr-control" line.
mpr_control () {
  grep -E "mpr-control $1 at" "$WORK/$MPR_TAG.out" | tail -n1 | on_screen
}

# --- What the overlay says (tesseract) -------------------------------------------
# Each takes a screenshot and a viewport on it (VX VY VW VH, screen
# coordinates) and prints numbers only, or nothing when the text is not there.
# ocr_window: "W L" from the bottom-left overlay's "W 400  L 40 HU".
# (320 px wide: clear of the "P" and the scale bar at the pane's bottom
# centre; tesseract may drop the space after "W".)
ocr_window () {
  ocr "$1" "$2" $(($3 + $5 - 90)) 320 90 | grep -oE 'W ?-?[0-9.]+ +L ?-?[0-9.]+' | tail -n1 |
    sed -E 's/W ?(-?[0-9.]+) +L ?(-?[0-9.]+)/\1 \2/'
}
# ocr_slice: "N M" from the top-right overlay's "Slice N / M" (N from 1).
ocr_slice () {
  ocr "$1" $(($2 + $4 - 300)) "$3" 300 100 | grep -oE 'Slice [0-9]+ ?/ ?[0-9]+' | head -n1 |
    sed -E 's#Slice ([0-9]+) ?/ ?([0-9]+)#\1 \2#'
}
# ocr_pointer: "X Y VALUE" from the bottom-right overlay, the image pixel
# under the pointer and its value ("x 172  y 57" over "Δ -100 HU").
ocr_pointer () {
  ocr "$1" $(($2 + $4 - 300)) $(($3 + $5 - 60)) 300 60 |
    sed -nE 's/.*x ([0-9]+) +y ([0-9]+) .* (-?[0-9.]+) *HU.*/\1 \2 \3/p'
}

# export_via_menu KEY PATH NAME: the window menu (F10), the item's mnemonic KEY, the
# path pasted into the chooser's name, Enter.
export_via_menu () {
  local dlg=
  for _ in 1 2 3; do
    # No window manager: once a chooser has closed, the keyboard focus is
    # nobody's until given back.
    xdotool windowfocus "$WIN" 2>/dev/null; sleep 0.3
    xdotool key --window "$WIN" F10; sleep 0.8
    xdotool key "$1"
    for _ in $(seq 40); do
      dlg=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -v "^$WIN\$" | head -n1)
      [ -n "$dlg" ] && break 2
      sleep 0.1
    done
    xdotool key Escape; sleep 0.3
  done
  [ -n "$dlg" ] || return 1
  sleep 1.0
  printf '%s' "$2" | xclip -selection clipboard -i
  xdotool key ctrl+a ctrl+v; sleep 0.8
  shot "$3-typed"
  xdotool key Return; sleep 2.0
  shot "$3-exported"
}
