#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-cine-e2e.sh: cine (issue 12, point 1) through the real fenestra under
# Xvfb, driven with xdotool. A 100-slice phantom series whose files say
# Frame Time 40 ms: the cine bar offers 25 fps; 20 typed into its spin
# button; P plays.
#   (a) the viewer's log says 20 +- 2 frames a second, over 2 s and more;
#   (b) the screen moves: two screenshots about a second apart show slices
#       (read from the phantom's bars, never from the log) whose difference
#       is what 20 fps makes of the time between them (mod 100: it loops);
#   (c) a click stops it: two screenshots a second apart show one slice;
#   then a key and the wheel stop it too, P pauses, a run is one "cine"
#   operation in the memory log and a warm run of 60 frames keeps nothing
#   on the heap beyond the render pool.
# The viewer runs with G_DEBUG=fatal-criticals. Exit 0 pass, 1 fail.
#
#   test-cine-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SIZE=256
SLICES=100
FPS=20

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 391 440 tesseract dcmodify

"$PHANTOM_TOOL" --size $SIZE --series $SLICES -o "$WORK/ct" || { fail "100-slice series generated"; exit 1; }
# The files' own rate: Frame Time 40 ms, 25 fps (PS3.3 C.7.6.5), set by
# DCMTK's dcmodify; the cine bar must offer it before the user types 20.
dcmodify -nb -q -i "(0018,1063)=40" "$WORK"/ct/*.dcm || { fail "dcmodify set Frame Time"; exit 1; }
echo "1..15"

start_app app "$WORK/ct" || exit 1
# 800 x 560, not the 1600 x 1000 of the other tests: Xvfb and the cairo
# renderer copy every frame through the X server, which on this shared
# machine kept larger viewports below 20 fps under load (docs/ARCHITECTURE.md):
# the test judges the pacing, not the software renderer.
xdotool windowsize "$WIN" 800 560
wait_opened app $SLICES 600 || { fail "series opened"; exit 1; }
sleep 1.5
eval "$(xdotool getwindowgeometry --shell "$WIN")"
read -r VX VY VW VH <<<"$(viewport_on_screen app)"
log "viewport +$VX+$VY ${VW}x$VH"

# shot NAME: the whole screen; prints when it was taken, in seconds: import
# grabs the screen first and spends the rest of its time encoding.
shot () {
  date +%s.%N
  import -window root "$WORK/$1.png"
}
slice () { phantom_slice "$WORK/$1.png" "$VX" "$VY" "$VW" "$VH" $SIZE; }
# rates: the rate of every "cine: N fps achieved" line (the 2 s reports).
rates () { grep -E 'cine: [0-9.]+ fps achieved' "$WORK/app.out" | sed -E 's/.*cine: ([0-9.]+) fps.*/\1/' | tr '\n' ' '; }

T=$(shot start)
S=$(slice start)
[ "$S" = 0 ] && pass "the series opens on slice 0 (bars read $S)" || fail "opened on slice $S"

# --- The rate: typed into the spin button, Enter gives the keys back ----------
read -r FX FY FW FH <<<"$(grep -E 'cine rate control: x=' "$WORK/app.out" | tail -n1 |
  sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/')"
[ -n "${FH:-}" ] || { fail "the cine rate control's place is in the log"; exit 1; }
FX=$((X + FX)); FY=$((Y + FY))
log "rate control +$FX+$FY ${FW}x$FH"
OCR_FILE_RATE=$(ocr "$WORK/start.png" "$FX" "$FY" $((FW / 2 + 10)) "$FH" 50)
grep -Eq "(^| )25( |$)" <<<"$OCR_FILE_RATE" && grep -q "cine: the file's rate, 25.00 fps" "$WORK/app.out" \
  && pass "the cine bar offers the files' own rate, 25 fps from Frame Time 40 ms ('$OCR_FILE_RATE')" \
  || fail "the files' rate: the control reads '$OCR_FILE_RATE' (want 25)"
xdotool mousemove $((FX + FW / 4)) $((FY + FH / 2)) click --repeat 3 --delay 80 1
sleep 0.3
xdotool key ctrl+a type "$FPS"
xdotool key Return
sleep 0.5
T=$(shot rate)
OCR_RATE=$(ocr "$WORK/rate.png" "$FX" "$FY" $((FW / 2 + 10)) "$FH" 50)
grep -Eq "(^| )$FPS( |$)" <<<"$OCR_RATE" && pass "the rate control reads $FPS on screen ('$OCR_RATE')" \
  || fail "the rate control reads '$OCR_RATE' (want $FPS)"
S=$(slice rate)

# --- P plays ---------------------------------------------------------------------
xdotool key p
wait_for 'cine: playing' "$WORK/app.out" 30
PLAYING=$(grep -E 'cine: playing' "$WORK/app.out" | tail -n1)
log "${PLAYING#*: }"
grep -q "from $S at $FPS fps (loop)" <<<"$PLAYING" && pass "P plays the $SLICES slices from the one shown ($S) at $FPS fps, looping" \
  || fail "P: '$PLAYING' (want from $S at $FPS fps)"

# (a) the log, while the test only waits (screenshots and OCR take the
# shared CPU from the viewer): the 2 s reports say 20 +- 2.
sleep 4.6
R=$(rates)
log "reported rates: $R"
N_OK=0; N_BAD=0
for r in $R; do if fcheck "($r - $FPS)^2 <= 4"; then N_OK=$((N_OK + 1)); else N_BAD=$((N_BAD + 1)); fi; done
[ "$N_OK" -ge 2 ] && [ "$N_BAD" = 0 ] && pass "the log: $N_OK reports of 2 s, each $FPS +- 2 fps ($R)" \
  || fail "reported rates '$R' (want >= 2, all $FPS +- 2)"

# (b) the screen moves at the rate asked.
TA=$(shot play-a)
sleep 1
TB=$(shot play-b)
A=$(slice play-a); B=$(slice play-b)
D=$(( ((B - A) % SLICES + SLICES) % SLICES ))
WANT=$(awk -v a="$TA" -v b="$TB" -v f=$FPS 'BEGIN { printf "%.1f", (b - a) * f }')
log "screenshots $(awk -v a="$TA" -v b="$TB" 'BEGIN { printf "%.2f", b - a }') s apart: slices $A then $B, $D on; $FPS fps makes $WANT"
[ "$A" -ge 0 ] && [ "$B" -ge 0 ] && fcheck "($D - $WANT)^2 <= 16" \
  && pass "the screen plays: slice $A then $B a second later ($D slices, $WANT expected +- 4)" \
  || fail "slices $A then $B ($D on, want $WANT +- 4)"

# (c) a click on the image stops it.
xdotool mousemove $((VX + VW / 2)) $((VY + VH / 3)) click 1
wait_for 'cine: stopped' "$WORK/app.out" 30
sleep 0.3
TC=$(shot stop-a); sleep 1; TD=$(shot stop-b)
C=$(slice stop-a); E=$(slice stop-b)
log "after the click: slices $C then $E; $(grep -E 'cine: stopped' "$WORK/app.out" | tail -n1 | sed 's/.*cine: //')"
grep -q 'cine: stopped (a click)' "$WORK/app.out" && [ "$C" -ge 0 ] && [ "$C" = "$E" ] \
  && pass "a click stops it: slice $C, and still $E a second later" || fail "after the click: $C then $E"
RUN=$(grep -E 'cine run: ' "$WORK/app.out" | tail -n1)
RUN_FPS=$(sed -E 's/.*run: ([0-9.]+) fps.*/\1/' <<<"$RUN")
RUN_S=$(sed -E 's/.* in ([0-9.]+) s.*/\1/' <<<"$RUN")
log "${RUN#*: }"
# The whole run includes the screenshots' load: at least 2 s, near the rate.
fcheck "($RUN_FPS - $FPS)^2 <= 16 && $RUN_S >= 2" && pass "the whole run: $RUN_FPS fps over $RUN_S s (screenshots included)" \
  || fail "the run: '$RUN'"

# A key stops it (the key still does its own work). This run is the warm
# one, after the first filled GTK's and the render pool's buffers: one
# "cine" operation in the memory log, one update per frame shown, and the
# heap grows by the bounded render pool (refilled after its idle trim) and
# less than 64 KiB else: nothing is allocated per frame that stays. (Until
# the presets menu stopped being rebuilt at every slice, each frame kept
# some 14 KB: 850 KB over these 60 frames.) RSS is logged, not judged:
# the allocator keeps what it freed.
xdotool key p; sleep 3; xdotool key Right; sleep 0.5
grep -q 'cine: stopped (a key)' "$WORK/app.out" && pass "another key stops it" || fail "a key did not stop it"
CINE_OP=$(grep -F '"op":"cine img-' "$WORK/app.jsonl" | tail -n1)
UPDATES=$(sed -E 's/.*"updates":([0-9]+).*/\1/' <<<"$CINE_OP")
RSS_GROWTH=$(json_field "cine img-" delta.rss "$WORK/app.jsonl")
HEAP_GROWTH=$(json_field "cine img-" delta.heap "$WORK/app.jsonl")
RENDER_GROWTH=$(json_field "cine img-" delta.render "$WORK/app.jsonl")
log "memory log, first run: $(grep -F '"op":"cine img-' "$WORK/app.jsonl" | head -n1 | sed -E 's/.*("updates":[0-9]+).*"delta":\{("rss":[0-9-]+,"heap":[0-9-]+).*("render":[0-9-]+).*/\1 \2 \3/')"
log "memory log, warm run: ${UPDATES:-?} updates, RSS delta ${RSS_GROWTH:-?}, heap delta ${HEAP_GROWTH:-?}, render pool delta ${RENDER_GROWTH:-?}"
fcheck "${UPDATES:-0} >= 50" && pass "the warm run is one cine operation of $UPDATES frames in the memory log" \
  || fail "cine operation updates '${UPDATES:-}'"
fcheck "${HEAP_GROWTH:-99999999} - ${RENDER_GROWTH:-0} < 65536" \
  && pass "$UPDATES frames grew the heap by $HEAP_GROWTH bytes ($RENDER_GROWTH of it the render pool; < 64 KiB otherwise)" \
  || fail "cine heap growth $HEAP_GROWTH (render $RENDER_GROWTH; RSS $RSS_GROWTH)"

# The wheel stops it, P pauses.
xdotool key p; sleep 1; xdotool mousemove $((VX + VW / 2)) $((VY + VH / 2)) click 5; sleep 0.5
grep -q 'cine: stopped (a scroll)' "$WORK/app.out" && pass "the wheel stops it" || fail "the wheel did not stop it"
xdotool key p; sleep 1; xdotool key p; sleep 0.5
grep -q 'cine: stopped (the cine key)' "$WORK/app.out" && pass "P pauses" || fail "P did not pause"

still_running app
stop_app
no_warnings app
fen_e2e_finish
