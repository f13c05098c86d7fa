#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-compare-e2e.sh: two generated studies side by side in the real
# fenestra under Xvfb, driven with xdotool.
#
#   test-compare-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR
#
# Opens two studies of 12 slices (a bright block walks with the slice), goes
# to the 1x2 layout (Alt+2), scrolls and drags in the left pane and checks,
# from the screenshot and the memory log, that the right pane followed (the
# block where slice 5 has it, the tissue grey of the new window) and that no
# pixel buffer was added; then 2x2 shows each study twice on the same buffers.
# Exit 0 pass, 1 fail, 77 skip.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SIZE=256
SLICES=12

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 141 190

"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 0 -o "$WORK/study-a" || { fail "study A generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 1 -o "$WORK/study-b" || { fail "study B generated"; exit 1; }

predict_grey () {
  awk -v x="$1" -v c="$2" -v w="$3" 'BEGIN {
    if (x <= c - 0.5 - (w - 1) / 2) y = 0;
    else if (x > c - 0.5 + (w - 1) / 2) y = 255;
    else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    printf "%.3f", y }'
}

echo "1..9"

: > "$WORK/cmp.err"
stdbuf -oL "$FENESTRA" --new-instance --memory-log "$WORK/cmp.jsonl" "$WORK/study-a" "$WORK/study-b" \
  >"$WORK/cmp.out" 2>"$WORK/cmp.err" &
APP_PID=$!
WIN=
for _ in $(seq 300); do
  WIN=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | head -n1)
  [ -n "$WIN" ] && break
  sleep 0.1
done
[ -n "$WIN" ] || { fail "window appeared"; exit 1; }
xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1600 1000
for _ in $(seq 300); do
  [ "$(grep -c '"op":"open img-' "$WORK/cmp.jsonl" 2>/dev/null)" -ge $((2 * SLICES)) ] && break
  sleep 0.1
done
sleep 1.0
PIXELS=$((2 * SLICES * SIZE * SIZE * 2))

# --- 1x2 --------------------------------------------------------------------
: > "$WORK/cmp.out.mark"
LINES_BEFORE=$(wc -l < "$WORK/cmp.out")
xdotool mousemove 800 500 click 1
sleep 0.3
xdotool key alt+2
sleep 1.5
STORE=$(json_field "layout 1x2" after.store "$WORK/cmp.jsonl")
log "store after 1x2: $STORE bytes; the two studies' pixels: $PIXELS"
[ "$STORE" = "$PIXELS" ] && pass "1x2 layout: the store holds the two studies once ($STORE bytes)" \
  || fail "store after layout $STORE, want $PIXELS"

# Each pane's viewport reports its geometry; left is the smaller x.
tail -n +"$LINES_BEFORE" "$WORK/cmp.out" | grep -E 'geometry: x=' | tail -n 2 | sort -t= -k2 -n > "$WORK/geometry.txt"
eval "$(xdotool getwindowgeometry --shell "$WIN")"
read -r LX LY LW LH <<<"$(head -n1 "$WORK/geometry.txt" | sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/')"
read -r RX RY RW RH <<<"$(tail -n1 "$WORK/geometry.txt" | sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/')"
log "left pane +$LX+$LY ${LW}x$LH, right pane +$RX+$RY ${RW}x$RH"
fcheck "$RX > $LX + 100 && $RW > 200 && $LW > 200" && pass "two viewports side by side" || fail "geometry: $(cat "$WORK/geometry.txt")"

# Screen point of image point ($1, $2) in the right pane (fitted, centred).
right_point () {
  awk -v ix="$1" -v iy="$2" -v x="$X" -v y="$Y" -v vx="$RX" -v vy="$RY" -v w="$RW" -v h="$RH" -v s="$SIZE" 'BEGIN {
    z = w / s < h / s ? w / s : h / s;
    printf "%d %d", x + vx + w / 2 + (ix - s / 2) * z, y + vy + h / 2 + (iy - s / 2) * z }'
}
# The block of slice k (fen-e2e-phantom.c): its centre in image pixels.
block_centre () {
  local step=$((SIZE / 40)) k=$(($1 % 24))
  echo "$((SIZE / 4 + k * step + SIZE / 20)) $((SIZE / 3 + k * step / 2 + SIZE / 20))"
}
read -r BX BY <<<"$(block_centre 5)"
read -r SX SY <<<"$(right_point "$BX" "$BY")"
import -window root "$WORK/before.png"
GREY_BEFORE=$(patch_mean "$WORK/before.png" "$SX" "$SY" 10)

# --- Scroll five slices in the left pane -------------------------------------
LCX=$((X + LX + LW / 2)); LCY=$((Y + LY + LH / 2))
xdotool mousemove "$LCX" "$LCY"
sleep 0.2
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.15; done
sleep 1.0
import -window root "$WORK/scrolled.png"
GREY_AFTER=$(patch_mean "$WORK/scrolled.png" "$SX" "$SY" 10)
log "right pane at slice 5's block ($SX,$SY): grey $GREY_BEFORE before, $GREY_AFTER after the scroll"
grep -q 'pane 1 follows slice 5' "$WORK/cmp.out" && pass "the right pane followed to slice 5 ($(grep -m1 -o 'pane 1 follows slice 5 by [a-z]*' "$WORK/cmp.out"))" \
  || fail "no 'pane 1 follows slice 5' in the log"
fcheck "$GREY_AFTER > 200 && $GREY_BEFORE < 200" && pass "screenshot: slice 5's block appears in the right pane" \
  || fail "right pane grey at the block: $GREY_BEFORE -> $GREY_AFTER"
SCROLL_STORE=$(json_field "scroll " delta.store "$WORK/cmp.jsonl")
SCROLL_AFTER=$(json_field "scroll " after.store "$WORK/cmp.jsonl")
[ "$SCROLL_STORE" = 0 ] && [ "$SCROLL_AFTER" = "$PIXELS" ] && pass "scrolling both panes added no pixel buffer (store delta 0, $SCROLL_AFTER bytes)" \
  || fail "scroll store delta $SCROLL_STORE, after $SCROLL_AFTER"

# --- Drag window/level in the left pane ---------------------------------------
xdotool mousemove "$LCX" "$LCY"
sleep 0.2
xdotool mousedown 1
for i in $(seq 1 60); do xdotool mousemove $((LCX + i * 2)) $((LCY - i)); done
sleep 0.3
xdotool mouseup 1
sleep 1.0
WL=$(grep -E 'window drag:' "$WORK/cmp.out" | tail -n1)
C=$(sed -E 's/.*center=([-0-9.]+).*/\1/' <<<"$WL")
W=$(sed -E 's/.*width=([-0-9.]+).*/\1/' <<<"$WL")
import -window root "$WORK/dragged.png"
read -r TX TY <<<"$(right_point 160 150)"
GREY=$(patch_mean "$WORK/dragged.png" "$TX" "$TY" 10)
WANT=$(predict_grey 40 "$C" "$W")
log "after the drag: W $W L $C; right pane tissue grey $GREY, predicted $WANT"
fcheck "($GREY - $WANT) < 2.5 && ($WANT - $GREY) < 2.5 && ($W - 400)^2 > 100" && pass "the right pane follows the left pane's window (C.11.2.1.2 grey)" \
  || fail "right pane grey $GREY, want $WANT"
DRAG_STORE=$(json_field "wl-drag " delta.store "$WORK/cmp.jsonl")
[ "$DRAG_STORE" = 0 ] && pass "the linked drag added no pixel buffer" || fail "drag store delta $DRAG_STORE"

# --- 2x2: each study in two panes, one buffer ---------------------------------
xdotool key alt+4
sleep 1.5
STORE_DELTA=$(json_field "layout 2x2" delta.store "$WORK/cmp.jsonl")
STORE=$(json_field "layout 2x2" after.store "$WORK/cmp.jsonl")
log "layout 2x2: store delta $STORE_DELTA, store $STORE; $(grep -c 'pane [23]: slice' "$WORK/cmp.out") images placed in panes 3-4"
[ "$STORE_DELTA" = 0 ] && [ "$STORE" = "$PIXELS" ] && pass "2x2 shows each image twice on its one buffer (store $STORE bytes, delta 0)" \
  || fail "2x2 store delta $STORE_DELTA, store $STORE"
import -window root "$WORK/quad.png"

kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null; APP_PID=
if grep -E 'Gtk-WARNING|Gtk-CRITICAL|GLib-.*CRITICAL|WARNING \*\*' "$WORK/cmp.err"; then
  fail "GTK/GLib warnings on stderr"
else
  pass "no GTK or GLib warning or critical on stderr"
fi
[ "$FAILURES" = 0 ] || { log "$FAILURES failure(s); work files in $WORK"; exit 1; }
exit 0
