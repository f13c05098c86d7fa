#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-viewer-e2e.sh: drives the real fenestra under Xvfb with xdotool.
#
#   test-viewer-e2e.sh FENESTRA PHANTOM_TOOL FIXTURE_TOOL SCHEMA_DIR WORK_DIR [FENESTRA_CLI]
#
# 1. Opens a CT phantom (flat 40 HU tissue, W 400 L 40 in the file) and an
#    unreadable file; the error reaches stderr, the viewer keeps going.
# 2. Checks the overlay's window (tesseract) and the grey of the tissue on
#    screen against PS3.3 C.11.2.1.2.
# 3. Left-drags a known path; the window the overlay then reads follows the
#    documented sensitivity from the file's, the screen follows the window,
#    the drag is ONE operation in the memory log with many updates, and
#    500 drag events grow RSS < 1 MiB.
# 4. Zooms (Ctrl+wheel, +), closes the phantom (store bytes come back), scrolls
#    a multi-frame image, and finds no GTK/GLib warning on stderr.
# 5. Measures RSS with a 2800 x 2800 16-bit image against the same
#    process's empty window (the image handed to it over a private session
#    bus), one run, and logs (no assertion) the CPU time per drag event there
#    next to fenestra-cli wl-bench's figure for the same viewport size.
# Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
FIXTURE_TOOL=$3
SCHEMA_DIR=$4
WORK=${5:-$(mktemp -d)}
FENESTRA_CLI=${6:-}

FEN_E2E_DEBUG=fen-viewport
. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 91 140 tesseract dbus-daemon

# --- Inputs -----------------------------------------------------------------
"$PHANTOM_TOOL" -o "$WORK/phantom.dcm" || { fail "phantom generated"; exit 1; }
"$FIXTURE_TOOL" --kind multiframe --frames 5 -o "$WORK/multiframe.dcm" >/dev/null || { fail "multiframe fixture"; exit 1; }
# A DICOM preamble and magic with nothing valid after it.
{ head -c 128 /dev/zero; printf 'DICM'; head -c 300 /dev/urandom; } > "$WORK/broken.dcm"

# The viewport of $WORK/$1.out on the screen: VX VY VW VH and its centre CX CY.
read_geometry () {
  read -r VX VY VW VH <<<"$(viewport_on_screen "$1")"
  CX=$((VX + VW / 2)); CY=$((VY + VH / 2))
}

echo "1..17"

# --- 1. Open -------------------------------------------------------------------
start_app main "$WORK/phantom.dcm" "$WORK/broken.dcm" "$WORK/multiframe.dcm" || exit 1
wait_opened main 2 100 && pass "open is one operation in the memory log" || fail "open logged"
wait_for 'geometry: x=' "$WORK/main.out" 50
sleep 0.5
read_geometry main
log "window at $X,$Y; viewport at +$VX+$VY, $VW x $VH; centre $CX,$CY"
if grep -q 'broken.dcm' "$WORK/main.err"; then pass "unreadable file reported on stderr: $(grep -m1 'broken.dcm' "$WORK/main.err")"
else fail "unreadable file reported"; fi

# --- 2. The grey of the default window ----------------------------------------------
shot before
GREY=$(patch_mean "$WORK/before.png" "$CX" "$CY" 40)
WANT=$(predict_grey 40 40 400)
OCR_WL=$(ocr_window "$WORK/before.png" "$VX" "$VY" "$VW" "$VH")
log "tissue grey before: $GREY, predicted $WANT (W 400 L 40); the overlay reads W L '$OCR_WL'"
[ "$OCR_WL" = "400 40" ] && pass "the overlay shows the file's window, W 400 L 40" || fail "overlay window '$OCR_WL', want '400 40'"
fcheck "($GREY - $WANT) < 2.5 && ($WANT - $GREY) < 2.5" && pass "default window grey matches C.11.2.1.2" \
  || fail "default window grey $GREY != $WANT"

# --- 3. Drags ------------------------------------------------------------------------
# A short warm-up drag, then the measured one: 500 motion events ending
# 100 px right and 60 px up of where it started.
# The warm-up fills the render pool (up to 3 frame buffers while GTK still
# holds the previous frames); the measured drag must then allocate nothing.
drag "$CX" "$CY" -20 10 100
drag "$CX" "$CY" 100 -60 500
N_DRAGS=$(count_ops "wl-drag img-1\"" "$WORK/main.jsonl")
UPDATES=$(json_field "wl-drag img-1\"" updates "$WORK/main.jsonl")
RSS_GROWTH=$(json_field "wl-drag img-1\"" delta.rss "$WORK/main.jsonl")
RENDER_GROWTH=$(json_field "wl-drag img-1\"" delta.render "$WORK/main.jsonl")
RENDER_AFTER=$(json_field "wl-drag img-1\"" after.render "$WORK/main.jsonl")
log "drags in the log: $N_DRAGS; last drag: $UPDATES updates, RSS delta $RSS_GROWTH bytes, render pool delta $RENDER_GROWTH (now $RENDER_AFTER)"
[ "$N_DRAGS" = 2 ] && pass "each drag is ONE operation (2 drags, 2 entries)" || fail "drag entries: $N_DRAGS"
[ "${UPDATES:-0}" -gt 1 ] && pass "the drag grouped $UPDATES updates" || fail "drag updates: $UPDATES"
# Growth the bounded pool explains (it never exceeds 3 frames) is not a leak;
# anything else must stay under 1 MiB.
fcheck "${RSS_GROWTH:-99999999} - ${RENDER_GROWTH:-0} < 1048576 && ${RENDER_AFTER:-0} <= 3 * $VW * $VH * 4" \
  && pass "500 drag events grew RSS by $RSS_GROWTH bytes ($RENDER_GROWTH of it the 3-frame render pool; < 1 MiB otherwise)" \
  || fail "drag RSS growth $RSS_GROWTH (render $RENDER_GROWTH)"

# The window the two drags must leave, from the file's (W 400 L 40) and the
# documented sensitivity: per pixel 2 max(W0, range/256) / max(viewport
# width, 256), W0 the width when the drag begins, range the phantom's
# -1000 .. 700 HU; right widens, up raises the level.
PRED=$(awk -v vw="$VW" 'BEGIN {
  r = (700 - -1000) / 256; w = 400; c = 40;
  p = 2 * (w > r ? w : r) / (vw > 256 ? vw : 256); w += -20 * p; c -= 10 * p;
  p = 2 * (w > r ? w : r) / (vw > 256 ? vw : 256); w += 100 * p; c -= -60 * p;
  printf "%.3f %.3f", w, c }')
read -r PW PC <<<"$PRED"
shot after
read -r W C <<<"$(ocr_window "$WORK/after.png" "$VX" "$VY" "$VW" "$VH")"
log "window after the drags: the overlay reads W ${W:-?} L ${C:-?}; predicted W $PW L $PC"
[ -n "${W:-}" ] && fcheck "($C - $PC)^2 < 1 && ($W - $PW)^2 < 1" && pass "drag right widens, drag up raises the level, as documented (overlay W $W L $C)" \
  || fail "window after drag: overlay W ${W:-?} L ${C:-?}, predicted W $PW L $PC"

GREY=$(patch_mean "$WORK/after.png" "$CX" "$CY" 40)
WANT=$(predict_grey 40 "$PC" "$PW")
log "tissue grey after: $GREY, predicted $WANT"
fcheck "($GREY - $WANT) < 2.5 && ($WANT - $GREY) < 2.5" && pass "grey after the drag matches C.11.2.1.2" \
  || fail "grey after drag $GREY != $WANT"

# --- 4. Zoom, close, scroll --------------------------------------------------------------
xdotool mousemove "$CX" "$CY"
xdotool keydown ctrl click 4 click 4 keyup ctrl
sleep 0.2
xdotool key plus key minus key f
sleep 0.8
[ "$(count_ops "zoom img-1\"" "$WORK/main.jsonl")" -ge 1 ] && pass "zoom logged as an operation" || fail "zoom not logged"

xdotool key ctrl+w
sleep 0.8
STORE_DELTA=$(json_field "close img-1\"" delta.store "$WORK/main.jsonl")
CLOSE_RSS=$(json_field "close img-1\"" delta.rss "$WORK/main.jsonl")
log "close img-1: store delta $STORE_DELTA, RSS delta $CLOSE_RSS"
[ "$STORE_DELTA" = "-524288" ] && pass "closing frees the 512 x 512 x 2 pixel buffer" || fail "close store delta $STORE_DELTA"

xdotool mousemove "$CX" "$CY" click 5 click 5 click 4
sleep 0.8
[ "$(count_ops "scroll img-2\"" "$WORK/main.jsonl")" -ge 1 ] && pass "wheel scroll through the multi-frame image logged" \
  || { fail "scroll not logged"; grep -F '"op"' "$WORK/main.jsonl" | sed -E 's/.*"op":"([^"]*)".*/# \1/'; }

still_running main
stop_app
no_warnings main

# --- 5. Memory with a 2800 x 2800 16-bit image ---------------------------------------
# One process, measured twice: the empty window once settled, then the same
# process after the image was handed to it over the session bus (the
# command line of a second fenestra), so that no run-to-run difference
# between two processes (thread arenas, fonts, X buffers) enters the delta.
# The gate is fixed: 1.1 x (pixels + the pyramid level the fitted view
# draws from, cache bytes the budget sheds first) + 2 frame buffers (the
# one on screen and its copy on its way to the X server).
"$FIXTURE_TOOL" --kind ct-s16 --rows 2800 --cols 2800 -o "$WORK/big.dcm" >/dev/null || fail "big fixture"
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
  drag "$CX" "$CY" 100 -60 200
  cpu1=$(cpu_ms_of "$APP_PID")
  op=$(grep -oE '"op":"wl-drag img-[0-9]+"' "$WORK/big.jsonl" | tail -n1 | sed -E 's/"op":"([^"]*)"/\1/')
  updates=$(json_field "$op\"" updates "$WORK/big.jsonl")
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

fen_e2e_session_bus
start_primary big || exit 1
# The empty window's first frames, and the viewer's own baseline (noted 1 s
# after the window maps).
sleep 3.5
RSS_EMPTY=$(rss_of "$APP_PID")
open_in_running "$WORK/big.dcm" && wait_for '"op":"open img-' "$WORK/big.jsonl" 150 \
  && pass "the image handed to the running viewer over the session bus (GApplication open)" \
  || fail "open in the running viewer: status $?, $(tail -n1 "$WORK/remote.err")"
# The pool keeps only the frame on screen once 2 s pass without a frame.
sleep 3.5
RSS_BIG=$(rss_of "$APP_PID")
read_geometry big
shot big
# Fitted, the 2800 x 2800 image is drawn from a pyramid level, which the
# overlay names ("display 1:2 (pyramid level 1)": 1400 x 1400, a quarter of
# the pixels). Unread, it counts 0: a stricter gate, never a wider one.
LEVEL=$(ocr "$WORK/big.png" "$VX" $((VY + VH - 40)) 420 40 | grep -oE 'pyramid level [0-9]+' | grep -oE '[0-9]+$')
CACHE=$(( ${LEVEL:-0} > 0 ? (2800 >> LEVEL) * (2800 >> LEVEL) * 2 : 0 ))
# After the RSS reading: the CPU time of a drag, for the log only.
gui_drag_figure
stop_app
no_warnings big
RENDER=$((VW * VH * 4))
awk -v e="$RSS_EMPTY" -v b="$RSS_BIG" -v p="$PIXELS" -v r="$RENDER" -v c="$CACHE" -v l="${LEVEL:-unread}" 'BEGIN {
  d = b - e; lim = 1.1 * (p + c) + 2 * r;
  printf "# one process: RSS empty %.1f MiB, with image %.1f MiB: delta %.2f MiB = %.3f x pixels (%.2f MiB); limit %.2f MiB (1.1 x (pixels + %.2f MiB pyramid level %s) + 2 render buffers of %.2f MiB); margin %.2f MiB\n",
    e / 1048576, b / 1048576, d / 1048576, d / p, p / 1048576, lim / 1048576, c / 1048576, l, r / 1048576, (lim - d) / 1048576 }' \
  | tee -a "$WORK/memory-figure.txt"
fcheck "($RSS_BIG - $RSS_EMPTY) < 1.1 * ($PIXELS + $CACHE) + 2 * $RENDER" \
  && pass "RSS with a 15 MB image stays under 1.1 x (pixels + pyramid level) + 2 render buffers (one process, one run)" \
  || fail "RSS delta too large"

fen_e2e_finish
