#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-compare-e2e.sh: two generated studies side by side in the real
# fenestra under Xvfb, driven with xdotool and judged from the screen.
#
#   test-compare-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR
#
# Opens two studies of 12 slices (a bright block walks with the slice), goes
# to the 1x2 layout (Alt+2), scrolls and drags in the left pane and checks
# from screenshots that the right pane followed (its bars and its "Slice"
# overlay, the block where slice 5 has it; both overlays' W/L read by
# tesseract, the tissue grey of that window), and from the memory log that
# no pixel buffer was added; then 2x2 shows four panes on the same buffers.
# Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SIZE=256
SLICES=12

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 141 190 tesseract

"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 0 -o "$WORK/study-a" || { fail "study A generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 1 -o "$WORK/study-b" || { fail "study B generated"; exit 1; }
PIXELS=$((2 * SLICES * SIZE * SIZE * 2))

echo "1..10"

start_app cmp "$WORK/study-a" "$WORK/study-b" || exit 1
wait_opened cmp $((2 * SLICES)) || { fail "the two studies opened"; exit 1; }
sleep 1.0

# --- 1x2 --------------------------------------------------------------------
xdotool mousemove 800 500 click 1
sleep 0.3
layout cmp alt+2 2 > "$WORK/panes.txt"
STORE=$(json_field "layout 1x2" after.store "$WORK/cmp.jsonl")
log "store after 1x2: $STORE bytes; the two studies' pixels: $PIXELS"
[ "$STORE" = "$PIXELS" ] && pass "1x2 layout: the store holds the two studies once ($STORE bytes)" \
  || fail "store after layout $STORE, want $PIXELS"

read -r LX LY LW LH RX RY RW RH <<<"$(tr '\n' ' ' < "$WORK/panes.txt")"
log "left pane +$LX+$LY ${LW}x$LH, right pane +$RX+$RY ${RW}x$RH"
fcheck "$RX > $LX + 100 && $RW > 200 && $LW > 200" && pass "two viewports side by side" \
  || fail "geometry: $(tr '\n' ' ' < "$WORK/panes.txt")"

# The block of slice k (fen-e2e-phantom.c): its centre in image pixels.
block_centre () {
  local step=$((SIZE / 40)) k=$(($1 % 24))
  echo "$((SIZE / 4 + k * step + SIZE / 20)) $((SIZE / 3 + k * step / 2 + SIZE / 20))"
}
read -r BX BY <<<"$(block_centre 5)"
read -r SX SY <<<"$(phantom_point "$BX" "$BY" "$RX" "$RY" "$RW" "$RH" $SIZE)"
shot before
GREY_BEFORE=$(patch_mean "$WORK/before.png" "$SX" "$SY" 10)

# --- Scroll five slices in the left pane -------------------------------------
LCX=$((LX + LW / 2)); LCY=$((LY + LH / 2))
scroll_slices "$LCX" "$LCY" 5
shot scrolled
GREY_AFTER=$(patch_mean "$WORK/scrolled.png" "$SX" "$SY" 10)
BARS_L=$(phantom_slice "$WORK/scrolled.png" "$LX" "$LY" "$LW" "$LH" $SIZE)
BARS_R=$(phantom_slice "$WORK/scrolled.png" "$RX" "$RY" "$RW" "$RH" $SIZE)
SLICE_R=$(ocr_slice "$WORK/scrolled.png" "$RX" "$RY" "$RW" "$RH")
log "after five slices down: bars left $BARS_L, right $BARS_R; right overlay '$SLICE_R'; right pane at slice 5's block ($SX,$SY): grey $GREY_BEFORE before, $GREY_AFTER after"
[ "$BARS_L" = 5 ] && [ "$BARS_R" = 5 ] && [ "$SLICE_R" = "6 12" ] \
  && pass "the right pane followed to slice 5: its bars read 5, its overlay 'Slice 6 / 12'" \
  || fail "right pane after the scroll: bars $BARS_R, overlay '$SLICE_R' (left bars $BARS_L; want 5, '6 12')"
fcheck "$GREY_AFTER > 200 && $GREY_BEFORE < 200" && pass "screenshot: slice 5's block appears in the right pane" \
  || fail "right pane grey at the block: $GREY_BEFORE -> $GREY_AFTER"
SCROLL_STORE=$(json_field "scroll " delta.store "$WORK/cmp.jsonl")
SCROLL_AFTER=$(json_field "scroll " after.store "$WORK/cmp.jsonl")
[ "$SCROLL_STORE" = 0 ] && [ "$SCROLL_AFTER" = "$PIXELS" ] && pass "scrolling both panes added no pixel buffer (store delta 0, $SCROLL_AFTER bytes)" \
  || fail "scroll store delta $SCROLL_STORE, after $SCROLL_AFTER"

# --- Drag window/level in the left pane ---------------------------------------
drag "$LCX" "$LCY" 120 -60 60
shot dragged
read -r W C <<<"$(ocr_window "$WORK/dragged.png" "$LX" "$LY" "$LW" "$LH")"
read -r RW_ RC_ <<<"$(ocr_window "$WORK/dragged.png" "$RX" "$RY" "$RW" "$RH")"
read -r TX TY <<<"$(phantom_point 160 150 "$RX" "$RY" "$RW" "$RH" $SIZE)"
GREY=$(patch_mean "$WORK/dragged.png" "$TX" "$TY" 10)
WANT=$(predict_grey 40 "${RC_:-40}" "${RW_:-400}")
log "after the drag the overlays read: left W ${W:-?} L ${C:-?}, right W ${RW_:-?} L ${RC_:-?}; right pane tissue grey $GREY, predicted $WANT"
[ -n "${W:-}" ] && [ "$W $C" = "${RW_:-} ${RC_:-}" ] && fcheck "($W - 400)^2 > 100 && ($GREY - $WANT)^2 < 6.25" \
  && pass "the right pane follows the left pane's window: both overlays read W $W L $C, and its tissue grey is C.11.2.1.2's" \
  || fail "window link: left W ${W:-?} L ${C:-?}, right W ${RW_:-?} L ${RC_:-?}, right grey $GREY want $WANT"
DRAG_STORE=$(json_field "wl-drag " delta.store "$WORK/cmp.jsonl")
[ "$DRAG_STORE" = 0 ] && pass "the linked drag added no pixel buffer" || fail "drag store delta $DRAG_STORE"

# --- 2x2: each study in two panes, one buffer ---------------------------------
layout cmp alt+4 4 > "$WORK/quad.txt"
shot quad
STORE_DELTA=$(json_field "layout 2x2" delta.store "$WORK/cmp.jsonl")
STORE=$(json_field "layout 2x2" after.store "$WORK/cmp.jsonl")
QUAD=
while read -r qx qy qw qh; do
  QUAD="$QUAD $(phantom_slice "$WORK/quad.png" "$qx" "$qy" "$qw" "$qh" $SIZE)"
done < "$WORK/quad.txt"
log "layout 2x2: store delta $STORE_DELTA, store $STORE; the four panes' bars read:$QUAD"
[ "$STORE_DELTA" = 0 ] && [ "$STORE" = "$PIXELS" ] && [[ "$QUAD" =~ ^(\ [0-9]+){4}$ ]] \
  && pass "2x2 shows a slice in each of four panes on the two studies' buffers (store $STORE bytes, delta 0)" \
  || fail "2x2 store delta $STORE_DELTA, store $STORE, bars$QUAD"

still_running cmp
stop_app
no_warnings cmp
fen_e2e_finish
