#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-adaptive-e2e.sh: the memory budget, end to end, in the real fenestra
# under Xvfb, judged from the memory log, /proc and screenshots.
#
#   test-adaptive-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR
#
# 1. With --memory-budget 48M, hands a running, empty viewer a folder of 12
#    different 2048 x 2048 16-bit slices (96 MiB: twice the budget) and
#    scrolls through them and back: the bars on screen read 0, 11, 0;
#    "evict images" operations happen, evicted slices reload, RSS above the
#    same process's empty window never passes the budget by more than 10 %
#    (one process, one run), the first slice looks the same before and
#    after its eviction, the fitted view draws from a pyramid level, and
#    the budget state changes are logged.
# 2. An image that cannot fit the budget is refused with a clear message.
# 3. A 300-slice 512 x 512 series: time to the first slice and to fully
#    loaded, from the memory log (figures for docs/PERFORMANCE.md).
# 4. Cancelling a long load (64 slices of 8 MiB) closes what it had opened.
# No GTK or GLib warning on stderr in any run. Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 141 190 compare dbus-daemon

# Largest value of field $1 ("rss", "peak_rss") in the after snapshots of $2.
max_after () { grep -oE "\"after\":\\{[^}]*\"$1\":[0-9]+" "$2" | sed -E 's/.*:([0-9]+)$/\1/' | sort -n | tail -n1; }
duration_ms () { grep -F "\"op\":\"$1" "$2" | tail -n1 | sed -E 's/.*"duration_us":([0-9]+).*/\1/' | awk '{ printf "%.0f", $1 / 1000 }'; }

# The image area of the viewport, without the corner overlays.
shoot_image () {
  import -window root "$WORK/screen.png"
  convert "$WORK/screen.png" -crop $((VW - 360))x$((VH - 200))+$((VX + 180))+$((VY + 100)) +repage "$1"
}

# Waits until the slice on screen has its pixels (the reload indicator is a
# debug line per reload: wait for as many reload operations to end).
wait_reloads () {
  local want=$1
  for _ in $(seq 150); do
    [ "$(count_ops 'reload img-' "$WORK/budget.jsonl")" -ge "$want" ] && return 0
    sleep 0.1
  done
  return 1
}

echo "1..18"

# --- Inputs -------------------------------------------------------------------
BUDGET=$((48 * 1024 * 1024))
"$PHANTOM_TOOL" --size 2048 --series 12 -o "$WORK/large" || { fail "large series generated"; exit 1; }
"$PHANTOM_TOOL" --size 512 --series 300 -o "$WORK/series" || { fail "300-slice series generated"; exit 1; }
"$PHANTOM_TOOL" --size 4096 -o "$WORK/huge.dcm" || { fail "4096 x 4096 phantom generated"; exit 1; }
# Long enough to load (several seconds) that a cancel lands in the middle.
"$PHANTOM_TOOL" --size 2048 --series 96 -o "$WORK/long" || { fail "long series generated"; exit 1; }

# --- 1. Twice the budget --------------------------------------------------------
# One process: its RSS with the window empty and settled is the baseline;
# then a second fenestra hands it the folder over the private session bus
# (GApplication open), so no difference between two processes enters.
fen_e2e_session_bus
start_primary budget --memory-budget 48M || exit 1
sleep 3.5
RSS_EMPTY=$(rss_of "$APP_PID")
log "baseline RSS (this process, its window empty): $((RSS_EMPTY / 1048576)) MiB"
# RSS every 50 ms from here to the end of the run.
( while kill -0 "$APP_PID" 2>/dev/null; do rss_of "$APP_PID"; sleep 0.05; done ) > "$WORK/rss-samples.txt" &
SAMPLER_PID=$!
open_in_running "$WORK/large" && wait_opened budget 12 && pass "the folder handed to the running viewer opened (one operation)" \
  || fail "open in the running viewer: $(tail -n1 "$WORK/remote.err")"
wait_for 'geometry: x=' "$WORK/budget.out" 50
sleep 1.0
read -r VX VY VW VH <<<"$(viewport_on_screen budget)"
CX=$((VX + VW / 2)); CY=$((VY + VH / 2))
log "viewport at +$VX+$VY, $VW x $VH"
shoot_image "$WORK/first.png"
BARS_FIRST=$(phantom_slice "$WORK/screen.png" "$VX" "$VY" "$VW" "$VH" 2048)

xdotool mousemove "$CX" "$CY"
N_RELOADS=$(count_ops 'reload img-' "$WORK/budget.jsonl")
for i in $(seq 11); do
  xdotool click 5
  # Slices evicted while the folder loaded come back one by one.
  sleep 0.3
  wait_reloads "$N_RELOADS"
done
sleep 1.0
shot last
BARS_LAST=$(phantom_slice "$WORK/last.png" "$VX" "$VY" "$VW" "$VH" 2048)
N_RELOADS_DOWN=$(count_ops 'reload img-' "$WORK/budget.jsonl")
for i in $(seq 11); do xdotool click 4; sleep 0.3; done
wait_for '"op":"reload img-1"' "$WORK/budget.jsonl" 150
sleep 1.5
shoot_image "$WORK/back.png"
BARS_BACK=$(phantom_slice "$WORK/screen.png" "$VX" "$VY" "$VW" "$VH" 2048)
log "the bars read $BARS_FIRST when opened, $BARS_LAST eleven slices down, $BARS_BACK back up"
[ "$BARS_FIRST $BARS_LAST $BARS_BACK" = "0 11 0" ] && pass "screenshots: slice 0, down to slice 11 and back to 0 through evictions and reloads" \
  || fail "bars read $BARS_FIRST $BARS_LAST $BARS_BACK (want 0 11 0)"
N_EVICT=$(count_ops 'evict images' "$WORK/budget.jsonl")
N_RELOADS=$(count_ops 'reload img-' "$WORK/budget.jsonl")
N_FAILED=$(count_ops 'reload img-[0-9]+ failed' "$WORK/budget.jsonl")
log "evict images: $N_EVICT operations; reloads: $N_RELOADS ($N_RELOADS_DOWN scrolling down), failed $N_FAILED"
[ "$N_EVICT" -ge 1 ] && pass "\"evict images\" operations in the memory log ($N_EVICT)" || fail "no eviction logged"
[ "$N_RELOADS" -ge 2 ] && [ "$N_FAILED" = 0 ] && pass "evicted slices reloaded when viewed ($N_RELOADS reloads)" \
  || fail "reloads: $N_RELOADS, failed $N_FAILED"
grep -F '"op":"reload img-' "$WORK/budget.jsonl" | sed -E 's/.*"op":"([^"]*)".*"duration_us":([0-9]+).*/\1 \2/' \
  | awk '{ n++; s += $3; if ($3 > m) m = $3 } END { if (n) printf "# reload time: mean %.0f ms, max %.0f ms over %d reloads\n", s / n / 1000, m / 1000, n }'
grep -q '"op":"reload img-1"' "$WORK/budget.jsonl" && pass "slice 1 was evicted and reloaded when scrolled back to" \
  || fail "slice 1 never reloaded"
DIFF=$(compare -metric AE "$WORK/first.png" "$WORK/back.png" null: 2>&1)
[ "$DIFF" = 0 ] && pass "slice 1 after eviction and reload looks the same as before (0 pixels differ)" \
  || fail "slice 1 differs after reload: $DIFF pixels"
grep -q 'state warning\|state critical' "$WORK/budget.jsonl" && pass "budget state changes are logged ($(grep -oE '"op":"state [a-z]+' "$WORK/budget.jsonl" | sed 's/"op":"//' | tr '\n' ',' ))" \
  || fail "no state change logged"
MAX_CACHE=$(max_after cache "$WORK/budget.jsonl")
[ "${MAX_CACHE:-0}" -gt 0 ] && pass "fitted 2048 x 2048 slices render from a pyramid level, counted as cache (up to $((MAX_CACHE / 1024)) KiB)" \
  || fail "no cache bytes: pyramid not used or not accounted"

kill -0 "$APP_PID" 2>/dev/null && pass "viewer still running" || fail "viewer died"
SAMPLE_MAX=$(sort -n "$WORK/rss-samples.txt" | tail -n1)
PEAK_MAX=$(max_after peak_rss "$WORK/budget.jsonl")
stop_app
wait "$SAMPLER_PID" 2>/dev/null
SAMPLER_PID=
no_warnings budget
awk -v e="$RSS_EMPTY" -v s="${SAMPLE_MAX:-0}" -v p="${PEAK_MAX:-0}" -v b="$BUDGET" 'BEGIN {
  m = s > p ? s : p;
  printf "# RSS: baseline %.1f MiB; max sampled %.1f MiB, max peak in the log %.1f MiB; above baseline %.1f MiB = %.2f x the %.0f MiB budget (limit 1.10)\n",
    e / 1048576, s / 1048576, p / 1048576, (m - e) / 1048576, (m - e) / b, b / 1048576 }' | tee "$WORK/rss-figure.txt"
MAXRSS=$(( ${SAMPLE_MAX:-0} > ${PEAK_MAX:-0} ? ${SAMPLE_MAX:-0} : ${PEAK_MAX:-0} ))
fcheck "$MAXRSS - $RSS_EMPTY <= 1.10 * $BUDGET" && pass "RSS above the baseline stayed within the budget + 10 %" \
  || fail "RSS above the baseline passed the budget + 10 %"

# --- 2. Refused -------------------------------------------------------------------
start_app refuse --memory-budget 16M "$WORK/huge.dcm" || exit 1
wait_for 'memory budget' "$WORK/refuse.err" 150
if grep -q 'huge.dcm.*memory budget' "$WORK/refuse.err"; then
  pass "an image larger than the budget is refused: $(grep -m1 'memory budget' "$WORK/refuse.err")"
else
  fail "no refusal message"; tail -n3 "$WORK/refuse.err" | sed 's/^/# /'
fi
kill -0 "$APP_PID" 2>/dev/null && pass "viewer still running after the refusal" || fail "viewer died after refusal"
stop_app
no_warnings refuse

# --- 3. A 300-slice series ----------------------------------------------------------
start_app series --memory-budget 4G "$WORK/series" || exit 1
if wait_opened series 300 600; then
  FIRST=$(duration_ms 'first-slice img-' "$WORK/series.jsonl")
  FULL=$(duration_ms 'open img-' "$WORK/series.jsonl")
  N=$(grep -F '"op":"open img-' "$WORK/series.jsonl" | sed -E 's/.*\(([0-9]+)\).*/\1/')
  log "300 x 512 x 512: first slice after $FIRST ms, all $N loaded after $FULL ms" | tee "$WORK/series-figure.txt"
  [ "$N" = 300 ] && pass "300-slice series loaded: first slice $FIRST ms, fully loaded $FULL ms" || fail "series loaded $N slices"
else
  fail "series open never ended"
fi
stop_app

# --- 4. Cancel ----------------------------------------------------------------------
# Opening needs the file chooser in the GUI: the folder comes on the command
# line; focus the viewport, then cancel (Ctrl+. is win.cancel-load).
# The 768 MiB series loads in about a second here: the cancel goes as soon as
# the first eviction shows the load under way, not after a fixed settle time.
SETTLE=0 start_app cancel --memory-budget 256M "$WORK/long" || exit 1
wait_for '"op":"evict images"' "$WORK/cancel.jsonl" 120 || true
xdotool mousemove $((X + 800)) $((Y + 500)) click 1 key ctrl+period
if wait_for '"op":"open img-[^"]*cancelled' "$WORK/cancel.jsonl" 300; then
  STORE_AFTER=$(grep -F 'cancelled"' "$WORK/cancel.jsonl" | tail -n1 | sed -E 's/.*"after":\{[^}]*"store":([0-9]+).*/\1/')
  [ "$STORE_AFTER" = 0 ] && pass "a cancelled load frees what it had loaded (store 0 bytes after)" \
    || fail "store after cancel: $STORE_AFTER"
elif wait_for '"op":"open img-' "$WORK/cancel.jsonl" 10; then
  fail "the load finished before the cancel arrived"
else
  fail "cancelled open never ended"
fi
stop_app
no_warnings series
no_warnings cancel

fen_e2e_finish
