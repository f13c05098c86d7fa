#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-viewer-e2e.sh: drives the real fenestra under Xvfb with xdotool.
#
#   test-viewer-e2e.sh FENESTRA PHANTOM_TOOL FIXTURE_TOOL SCHEMA_DIR WORK_DIR [FENESTRA_CLI]
#
# 1. Opens a CT phantom (flat 40 HU tissue, W 400 L 40 in the file) and an
#    unreadable file; the error reaches stderr, the viewer keeps going.
# 2. Checks the grey of the tissue on screen against PS3.3 C.11.2.1.2.
# 3. Left-drags a known path; the final window follows the documented
#    sensitivity, the screen follows the window, the drag is ONE operation in
#    the memory log with many updates, and 500 drag events grow RSS < 1 MiB.
# 4. Zooms (Ctrl+wheel, +), closes the phantom (store bytes come back), scrolls
#    a multi-frame image, and finds no GTK/GLib warning on stderr.
# 5. Measures RSS with a 2800 x 2800 16-bit image against an empty window,
#    and logs (no assertion) the CPU time per drag event there next to
#    fenestra-cli wl-bench's figure for the same viewport size.
# Exit 0 pass, 1 fail, 77 skip (no Xvfb).
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
FIXTURE_TOOL=$3
SCHEMA_DIR=$4
WORK=${5:-$(mktemp -d)}
FENESTRA_CLI=${6:-}

FEN_E2E_DEBUG=fen-viewport
. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 91 140

# --- Inputs -----------------------------------------------------------------
"$PHANTOM_TOOL" -o "$WORK/phantom.dcm" || { fail "phantom generated"; exit 1; }
"$FIXTURE_TOOL" --kind multiframe --frames 5 -o "$WORK/multiframe.dcm" >/dev/null || { fail "multiframe fixture"; exit 1; }
# A DICOM preamble and magic with nothing valid after it.
{ head -c 128 /dev/zero; printf 'DICM'; head -c 300 /dev/urandom; } > "$WORK/broken.dcm"

# Starts fenestra with the given arguments; sets APP_PID and WIN.
start_app () {
  local tag=$1; shift
  : > "$WORK/$tag.err"
  # --new-instance: never hand the files to another instance over D-Bus.
  stdbuf -oL "$FENESTRA" --new-instance --memory-log "$WORK/$tag.jsonl" "$@" >"$WORK/$tag.out" 2>"$WORK/$tag.err" &
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
  # No window manager: place and size it ourselves.
  xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1600 1000
  sleep 1.0
  return 0
}

stop_app () {
  [ -n "$APP_PID" ] || return
  kill "$APP_PID" 2>/dev/null
  wait "$APP_PID" 2>/dev/null
  APP_PID=
}

# The viewport's last reported geometry (surface coordinates), plus the window origin.
read_geometry () {
  local line
  line=$(cat "$1".out "$1".err | grep -E 'geometry: x=' | tail -n1)
  VX=$(sed -E 's/.*x=([0-9-]+).*/\1/' <<<"$line")
  VY=$(sed -E 's/.* y=([0-9-]+).*/\1/' <<<"$line")
  VW=$(sed -E 's/.*width=([0-9]+).*/\1/' <<<"$line")
  VH=$(sed -E 's/.*height=([0-9]+).*/\1/' <<<"$line")
  eval "$(xdotool getwindowgeometry --shell "$WIN")"   # X, Y, WIDTH, HEIGHT
  CX=$((X + VX + VW / 2))
  CY=$((Y + VY + VH / 2))
}

# Mean grey (0..255) of a 40 x 40 patch centred on ($2, $3) of screenshot $1.
patch_mean () {
  convert "$1" -crop 40x40+$(($2 - 20))+$(($3 - 20)) +repage -colorspace Gray -format '%[fx:mean*255]' info:
}

# PS3.3 C.11.2.1.2 (LINEAR): the grey of modality value x under window c, w.
predict_grey () {
  awk -v x="$1" -v c="$2" -v w="$3" 'BEGIN {
    if (x <= c - 0.5 - (w - 1) / 2) y = 0;
    else if (x > c - 0.5 + (w - 1) / 2) y = 255;
    else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    printf "%.3f", y }'
}

# Field $2 of the JSON object of the operation named $1 (last match), e.g.
# json_field "wl-drag img-1" updates / delta.rss (file in $3).
json_field () {
  local line
  line=$(grep -F "\"op\":\"$1\"" "$3" | tail -n1)
  case $2 in
    updates) sed -E 's/.*"updates":([0-9]+).*/\1/' <<<"$line" ;;
    delta.*) sed -E "s/.*\"delta\":\\{[^}]*\"${2#delta.}\":(-?[0-9]+).*/\\1/" <<<"$line" ;;
    after.*) sed -E "s/.*\"after\":\\{[^}]*\"${2#after.}\":(-?[0-9]+).*/\\1/" <<<"$line" ;;
  esac
}

count_ops () { grep -cF "\"op\":\"$1\"" "$2"; }

echo "1..14"

# --- 1. Open -------------------------------------------------------------------
start_app main "$WORK/phantom.dcm" "$WORK/broken.dcm" "$WORK/multiframe.dcm" || exit 1
wait_for '"op":"open img-' "$WORK/main.jsonl" 100 && pass "open is one operation in the memory log" \
  || fail "open logged"
wait_for 'geometry: x=' "$WORK/main.out" 50
sleep 0.5
read_geometry "$WORK/main"
log "window at $X,$Y; viewport at +$VX+$VY, $VW x $VH; centre $CX,$CY"
if grep -q 'broken.dcm' "$WORK/main.err"; then pass "unreadable file reported on stderr: $(grep -m1 'broken.dcm' "$WORK/main.err")"
else fail "unreadable file reported"; fi

# --- 2. The grey of the default window ----------------------------------------------
import -window root "$WORK/before.png"
GREY=$(patch_mean "$WORK/before.png" "$CX" "$CY")
WANT=$(predict_grey 40 40 400)
log "tissue grey before: $GREY, predicted $WANT (W 400 L 40)"
fcheck "($GREY - $WANT) < 2.5 && ($WANT - $GREY) < 2.5" && pass "default window grey matches C.11.2.1.2" \
  || fail "default window grey $GREY != $WANT"

# --- 3. Drags ------------------------------------------------------------------------
# A short warm-up drag, then the measured one: 500 motion events ending
# 100 px right and 60 px up of where it started.
drag () {
  local steps=$1 ddx=$2 ddy=$3
  xdotool mousemove "$CX" "$CY"
  sleep 0.2
  xdotool mousedown 1
  sleep 0.1
  for i in $(seq 1 "$steps"); do
    # The first steps overshoot and come back, so that every event moves.
    xdotool mousemove $((CX + i * ddx / steps + (i % 2))) $((CY + i * ddy / steps))
  done
  xdotool mousemove $((CX + ddx)) $((CY + ddy))
  sleep 0.3
  xdotool mouseup 1
  sleep 0.5
}
# The warm-up fills the render pool (up to 3 frame buffers while GTK still
# holds the previous frames); the measured drag must then allocate nothing.
drag 100 -20 10
drag 500 100 -60
N_DRAGS=$(count_ops "wl-drag img-1" "$WORK/main.jsonl")
UPDATES=$(json_field "wl-drag img-1" updates "$WORK/main.jsonl")
RSS_GROWTH=$(json_field "wl-drag img-1" delta.rss "$WORK/main.jsonl")
RENDER_GROWTH=$(json_field "wl-drag img-1" delta.render "$WORK/main.jsonl")
RENDER_AFTER=$(json_field "wl-drag img-1" after.render "$WORK/main.jsonl")
log "drags in the log: $N_DRAGS; last drag: $UPDATES updates, RSS delta $RSS_GROWTH bytes, render pool delta $RENDER_GROWTH (now $RENDER_AFTER)"
[ "$N_DRAGS" = 2 ] && pass "each drag is ONE operation (2 drags, 2 entries)" || fail "drag entries: $N_DRAGS"
[ "${UPDATES:-0}" -gt 1 ] && pass "the drag grouped $UPDATES updates" || fail "drag updates: $UPDATES"
# Growth the bounded pool explains (it never exceeds 3 frames) is not a leak;
# anything else must stay under 1 MiB.
fcheck "${RSS_GROWTH:-99999999} - ${RENDER_GROWTH:-0} < 1048576 && ${RENDER_AFTER:-0} <= 3 * $VW * $VH * 4" \
  && pass "500 drag events grew RSS by $RSS_GROWTH bytes ($RENDER_GROWTH of it the 3-frame render pool; < 1 MiB otherwise)" \
  || fail "drag RSS growth $RSS_GROWTH (render $RENDER_GROWTH)"

# The final window: from the log line, and from the documented sensitivity
# (per pixel: 2 max(W0, range/256) / max(viewport width, 256); range 1700 HU).
# GLib writes debug messages to stdout.
WL=$(grep -E 'window drag:' "$WORK/main.out" | tail -n1)
C=$(sed -E 's/.*center=([-0-9.]+).*/\1/' <<<"$WL")
W=$(sed -E 's/.*width=([-0-9.]+).*/\1/' <<<"$WL")
W0=$(grep -E 'window drag:' "$WORK/main.out" | tail -n2 | head -n1 | sed -E 's/.*width=([-0-9.]+).*/\1/')
C0=$(grep -E 'window drag:' "$WORK/main.out" | tail -n2 | head -n1 | sed -E 's/.*center=([-0-9.]+).*/\1/')
PRED=$(awk -v w0="$W0" -v c0="$C0" -v vw="$VW" 'BEGIN {
  r = 1700 / 256; m = w0 > r ? w0 : r; p = 2 * m / (vw > 256 ? vw : 256);
  printf "%.3f %.3f", c0 + 60 * p, w0 + 100 * p }')
log "window after the drag: C $C W $W (from C $C0 W $W0); predicted C W = $PRED"
read -r PC PW <<<"$PRED"
fcheck "($C - $PC)^2 < 1 && ($W - $PW)^2 < 1" && pass "drag right widens, drag up raises the level, as documented" \
  || fail "window after drag C $C W $W, predicted $PRED"

import -window root "$WORK/after.png"
GREY=$(patch_mean "$WORK/after.png" "$CX" "$CY")
WANT=$(predict_grey 40 "$C" "$W")
log "tissue grey after: $GREY, predicted $WANT"
fcheck "($GREY - $WANT) < 2.5 && ($WANT - $GREY) < 2.5" && pass "grey after the drag matches C.11.2.1.2" \
  || fail "grey after drag $GREY != $WANT"

# --- 4. Zoom, close, scroll --------------------------------------------------------------
xdotool mousemove "$CX" "$CY"
xdotool keydown ctrl click 4 click 4 keyup ctrl
sleep 0.2
xdotool key plus key minus key f
sleep 0.8
[ "$(count_ops "zoom img-1" "$WORK/main.jsonl")" -ge 1 ] && pass "zoom logged as an operation" || fail "zoom not logged"

xdotool key ctrl+w
sleep 0.8
STORE_DELTA=$(json_field "close img-1" delta.store "$WORK/main.jsonl")
CLOSE_RSS=$(json_field "close img-1" delta.rss "$WORK/main.jsonl")
log "close img-1: store delta $STORE_DELTA, RSS delta $CLOSE_RSS"
[ "$STORE_DELTA" = "-524288" ] && pass "closing frees the 512 x 512 x 2 pixel buffer" || fail "close store delta $STORE_DELTA"

xdotool mousemove "$CX" "$CY" click 5 click 5 click 4
sleep 0.8
[ "$(count_ops "scroll img-2" "$WORK/main.jsonl")" -ge 1 ] && pass "wheel scroll through the multi-frame image logged" \
  || { fail "scroll not logged"; grep -F '"op"' "$WORK/main.jsonl" | sed -E 's/.*"op":"([^"]*)".*/# \1/'; }

kill -0 "$APP_PID" 2>/dev/null && pass "viewer still running after all that" || fail "viewer died"
stop_app
if grep -E 'Gtk-WARNING|Gtk-CRITICAL|GLib-.*CRITICAL|WARNING \*\*' "$WORK/main.err"; then
  fail "GTK/GLib warnings on stderr"
else
  pass "no GTK or GLib warning or critical on stderr"
fi

# --- 5. Memory with a 2800 x 2800 16-bit image ---------------------------------------
"$FIXTURE_TOOL" --kind ct-s16 --rows 2800 --cols 2800 -o "$WORK/big.dcm" >/dev/null || fail "big fixture"
rss_of () { awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$1/status"; }

# Best of two runs, as the benchmarks do: RSS of a GTK process moves by a
# few MiB from run to run (loader thread arena, fonts, X buffers).
PIXELS=$((2800 * 2800 * 2))

# Process CPU time (user + system, all threads) in ms, from /proc/PID/stat
# fields 14 and 15 (counted after the ")" that ends the command name).
cpu_ms_of () {
  sed -E 's/.*\) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($12 + $13) * 1000 / hz }'
}
# A ~200-event drag over the fitted big image: GUI CPU per update, logged
# next to the headless figure for the same viewport size (not an assertion).
gui_drag_figure () {
  local cpu0 cpu1 op updates headless
  cpu0=$(cpu_ms_of "$APP_PID")
  drag 200 100 -60
  cpu1=$(cpu_ms_of "$APP_PID")
  op=$(grep -oE '"op":"wl-drag img-[0-9]+"' "$WORK/big.jsonl" | tail -n1 | sed -E 's/"op":"([^"]*)"/\1/')
  updates=$(json_field "$op" updates "$WORK/big.jsonl")
  if [ -z "$op" ] || [ "${updates:-0}" -lt 1 ]; then
    log "GUI drag: no wl-drag operation in the memory log; no CPU figure"
    return
  fi
  if [ -n "$FENESTRA_CLI" ] && [ -x "$FENESTRA_CLI" ]; then
    headless=$("$FENESTRA_CLI" wl-bench "$WORK/big.dcm" --size "${VW}x${VH}" --updates 200 2>&1)
    log "headless: $headless"
    headless=$(sed -nE 's/.*CPU ([0-9.]+) ms per update.*/\1/p' <<<"$headless")
  fi
  awk -v c="$((cpu1 - cpu0))" -v u="$updates" -v h="${headless:-}" -v w="$VW" -v hh="$VH" 'BEGIN {
    printf "# GUI drag: %d updates, CPU %.2f ms per update; ", u, c / u;
    if (h == "") printf "headless figure skipped (no fenestra-cli given)\n";
    else printf "headless (fenestra-cli wl-bench, same viewport size %dx%d): %.2f ms per update\n", w, hh, h }' \
    | tee -a "$WORK/drag-cpu-figure.txt"
  # GTK folds motion events into frame-clock updates: the per-event figure too.
  awk -v c="$((cpu1 - cpu0))" 'BEGIN { printf "# GUI drag: 201 motion events sent, CPU %.2f ms per event\n", c / 201 }' \
    | tee -a "$WORK/drag-cpu-figure.txt"
}
for attempt in 1 2; do
  start_app empty || exit 1
  sleep 3.5
  RSS_EMPTY=$(rss_of "$APP_PID")
  stop_app
  start_app big "$WORK/big.dcm" || exit 1
  wait_for '"op":"open img-' "$WORK/big.jsonl" 150
  # The pool keeps only the frame on screen once 2 s pass without a frame.
  sleep 3.5
  RSS_BIG=$(rss_of "$APP_PID")
  read_geometry "$WORK/big"
  # Fitted, the 2800 x 2800 image is drawn from pyramid level 1 (1400 x 1400,
  # a quarter of the pixels): cache bytes the budget counts and sheds first.
  LEVEL=$(grep -oE 'render [0-9]+x[0-9]+ level [0-9]+' "$WORK/big.out" | tail -n1 | awk '{ print $4 }')
  CACHE=$(( ${LEVEL:-0} > 0 ? (2800 >> LEVEL) * (2800 >> LEVEL) * 2 : 0 ))
  # Once, after the RSS reading: the CPU time of a drag, for the log only.
  [ -n "${GUI_DRAG:-}" ] || { gui_drag_figure; GUI_DRAG=done; }
  stop_app
  RENDER=$((VW * VH * 4))
  awk -v e="$RSS_EMPTY" -v b="$RSS_BIG" -v p="$PIXELS" -v r="$RENDER" -v c="${CACHE:-0}" -v a="$attempt" 'BEGIN {
    d = b - e; lim = 1.1 * (p + c) + 2 * r;
    printf "# run %d: RSS empty %.1f MiB, with image %.1f MiB: delta %.2f MiB = %.3f x pixels (%.2f MiB); limit %.2f MiB (1.1 x (pixels + %.2f MiB pyramid) + 2 render buffers of %.2f MiB)\n",
      a, e / 1048576, b / 1048576, d / 1048576, d / p, p / 1048576, lim / 1048576, c / 1048576, r / 1048576 }' | tee -a "$WORK/memory-figure.txt"
  fcheck "($RSS_BIG - $RSS_EMPTY) < 1.1 * ($PIXELS + ${CACHE:-0}) + 2 * $RENDER" && break
done
fcheck "($RSS_BIG - $RSS_EMPTY) < 1.1 * ($PIXELS + ${CACHE:-0}) + 2 * $RENDER" && pass "RSS with a 15 MB image stays under 1.1 x (pixels + pyramid level) + 2 render buffers" \
  || fail "RSS delta too large"

log "elapsed $(elapsed) s"
[ "$FAILURES" = 0 ] || { log "$FAILURES failure(s); work files in $WORK"; exit 1; }
exit 0
