#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-difference-e2e.sh: the difference and flicker modes in the real
# fenestra under Xvfb, driven with xdotool and judged from the screen.
#
#   test-difference-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR [SCREENSHOT]
#
# Two studies of 12 slices share a Frame of Reference UID; the second starts
# two slices further along the normal (z-offset 2) and has a 140 HU lesion in
# the tissue (40 HU). In 1x2, five slices down in the left pane the right one
# must follow by position: its bars read 5 like the left's and its overlay
# "Slice 4 / 12" (by index it would show slice 6, bars 7). D then shows left
# minus right: -100 HU in the lesion, 0 elsewhere; the greys on screen must be
# what PS3.3 C.11.2.1.2 predicts from the difference window the overlay reads
# (tesseract), the pointer value over the lesion must read the difference of
# the two images' values there (bug 9), and the memory log must show no store
# bytes added. A left drag changes the difference window, not the image's;
# Shift+D flickers between the two images and stops on Shift+D again.
# Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SHOT_OUT=${5:-}
SIZE=256
SLICES=12

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 191 240 tesseract

"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 0 --frame-of-reference 1 -o "$WORK/study-a" \
  || { fail "study A generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 1 --frame-of-reference 1 --z-offset 2 --lesion \
  -o "$WORK/study-b" || { fail "study B generated"; exit 1; }
PIXELS=$((2 * SLICES * SIZE * SIZE * 2))

echo "1..11"

start_app diff "$WORK/study-a" "$WORK/study-b" || exit 1
wait_opened diff $((2 * SLICES)) || { fail "the two studies opened"; exit 1; }
sleep 1.0

xdotool mousemove 800 500 click 1
sleep 0.3
layout diff alt+2 2 > "$WORK/panes.txt"
read -r LX LY LW LH RX RY RW RH <<<"$(tr '\n' ' ' < "$WORK/panes.txt")"
log "left pane +$LX+$LY ${LW}x$LH, right pane +$RX+$RY ${RW}x$RH"
fcheck "$RX > $LX + 100 && $RW > 200 && $LW > 200" && pass "1x2: two viewports side by side" \
  || fail "geometry: $(tr '\n' ' ' < "$WORK/panes.txt")"

# --- Scroll: the right pane follows by position ------------------------------
LCX=$((LX + LW / 2)); LCY=$((LY + LH / 2))
scroll_slices "$LCX" "$LCY" 5
shot scrolled
BARS_L=$(phantom_slice "$WORK/scrolled.png" "$LX" "$LY" "$LW" "$LH" $SIZE)
BARS_R=$(phantom_slice "$WORK/scrolled.png" "$RX" "$RY" "$RW" "$RH" $SIZE)
SLICE_L=$(ocr_slice "$WORK/scrolled.png" "$LX" "$LY" "$LW" "$LH")
SLICE_R=$(ocr_slice "$WORK/scrolled.png" "$RX" "$RY" "$RW" "$RH")
log "after five slices down: left bars $BARS_L, overlay '$SLICE_L'; right bars $BARS_R, overlay '$SLICE_R'"
[ "$BARS_L" = 5 ] && [ "$SLICE_L" = "6 12" ] && [ "$BARS_R" = 5 ] && [ "$SLICE_R" = "4 12" ] \
  && pass "one frame of reference: left slice 6 of 12 (z 5) -> right slice 4 of 12 (z 5), by position (bars 5 in both)" \
  || fail "right pane did not follow by position: left $BARS_L '$SLICE_L', right $BARS_R '$SLICE_R' (want 5 '6 12', 5 '4 12')"

# --- D: the difference -------------------------------------------------------
xdotool key d
sleep 1.2
shot difference
read -r W C <<<"$(ocr_window "$WORK/difference.png" "$LX" "$LY" "$LW" "$LH")"
MODE=$(ocr "$WORK/difference.png" "$LX" $((LY + LH - 90)) 420 90 | grep -o 'Difference: this')
# The default difference window: centred on 0, a quarter of the phantom's
# value range (-1000 .. 700 HU) wide.
WANT_W=$(( (700 - -1000) / 4 ))
log "difference overlay: '$MODE', window W ${W:-?} L ${C:-?} (want W $WANT_W L 0)"
[ -n "$MODE" ] && [ "${W:-}" = "$WANT_W" ] && [ "${C:-}" = 0 ] \
  && pass "difference mode on: the overlay says so, window W $W L $C" \
  || fail "difference overlay: '$MODE', W '${W:-}' L '${C:-}'"
W=${W:-1}; C=${C:-0}
read -r PX PY <<<"$(phantom_point 172 57 "$LX" "$LY" "$LW" "$LH" $SIZE)"    # the lesion: 40 - 140 = -100 HU
read -r QX QY <<<"$(phantom_point 200 150 "$LX" "$LY" "$LW" "$LH" $SIZE)"   # tissue in both: 0
read -r AX AY <<<"$(phantom_point 12 12 "$LX" "$LY" "$LW" "$LH" $SIZE)"     # air in both: 0
read -r BX BY <<<"$(phantom_point 106 112 "$LX" "$LY" "$LW" "$LH" $SIZE)"   # slice 5's block, the same in both: 0
G_LESION=$(patch_mean "$WORK/difference.png" "$PX" "$PY" 10)
G_TISSUE=$(patch_mean "$WORK/difference.png" "$QX" "$QY" 10)
G_AIR=$(patch_mean "$WORK/difference.png" "$AX" "$AY" 6)
G_BLOCK=$(patch_mean "$WORK/difference.png" "$BX" "$BY" 10)
WANT_LESION=$(predict_grey -100 "$C" "$W")
WANT_ZERO=$(predict_grey 0 "$C" "$W")
log "difference greys: lesion $G_LESION (want $WANT_LESION), tissue $G_TISSUE, air $G_AIR, block $G_BLOCK (want $WANT_ZERO)"
fcheck "($G_LESION - $WANT_LESION)^2 < 6.25 && ($WANT_ZERO - $G_LESION) > 20" \
  && pass "screenshot: the lesion shows A - B = -100 HU as C.11.2.1.2 predicts ($G_LESION)" || fail "lesion grey $G_LESION, want $WANT_LESION"
fcheck "($G_TISSUE - $WANT_ZERO)^2 < 6.25 && ($G_AIR - $WANT_ZERO)^2 < 6.25 && ($G_BLOCK - $WANT_ZERO)^2 < 6.25" \
  && pass "screenshot: tissue, air and the matched slice's block are mid grey ($WANT_ZERO): the slices match by position" \
  || fail "zero-difference greys $G_TISSUE / $G_AIR / $G_BLOCK, want $WANT_ZERO"
D_DELTA=$(json_field "difference " delta.store "$WORK/diff.jsonl")
D_AFTER=$(json_field "difference " after.store "$WORK/diff.jsonl")
[ "$D_DELTA" = 0 ] && [ "$D_AFTER" = "$PIXELS" ] \
  && pass "the difference is not stored: store delta 0, $D_AFTER bytes (the two studies' pixels)" \
  || fail "difference store delta $D_DELTA, after $D_AFTER (want 0, $PIXELS)"
[ -n "$SHOT_OUT" ] && convert "$WORK/difference.png" -crop 1600x1000+0+0 +repage -colors 64 "$SHOT_OUT"

# --- Bug 9: the pointer value is the difference -------------------------------
# Over the lesion A holds 40 HU and B 140 HU, over the bone insert both 700:
# the value must read -100 and 0, never one image's 40, 140 or 700. What is
# expected comes from the fixture's values at the pixel the overlay names.
POINTER_OK=0
for point in "172 57" "48 48"; do
  read -r IX IY <<<"$point"
  # The centre of image pixel (IX, IY), not its edge.
  read -r HX HY <<<"$(phantom_point "$IX.5" "$IY.5" "$LX" "$LY" "$LW" "$LH" $SIZE)"
  xdotool mousemove "$HX" "$HY"
  sleep 0.8
  shot "pointer-$IX-$IY"
  read -r OX OY OV <<<"$(ocr_pointer "$WORK/pointer-$IX-$IY.png" "$LX" "$LY" "$LW" "$LH")"
  if [ -n "${OV:-}" ]; then
    A=$(phantom_hu "$OX" "$OY" 5 0 $SIZE)
    B=$(phantom_hu "$OX" "$OY" 5 1 $SIZE)
    WANT=$((A - B))
  else
    A=?; B=?; WANT=?
  fi
  log "pointer over image pixel ($IX, $IY): overlay reads x ${OX:-?} y ${OY:-?} value ${OV:-?}; A $A HU - B $B HU = $WANT"
  [ -n "${OV:-}" ] && [ "$OV" = "$WANT" ] && [ "$OX $OY" = "$IX $IY" ] \
    && POINTER_OK=$((POINTER_OK + 1))
done
[ "$POINTER_OK" = 2 ] && pass "bug 9: the pointer value in the difference view reads A - B (-100 HU over the lesion, 0 over the bone)" \
  || fail "bug 9: $POINTER_OK of 2 pointer values read A - B"

# --- Left drag: the difference's own window ----------------------------------
drag "$LCX" "$LCY" -80 0 40
shot difference-drag
read -r W2 C2 <<<"$(ocr_window "$WORK/difference-drag.png" "$LX" "$LY" "$LW" "$LH")"
read -r RW2 RC2 <<<"$(ocr_window "$WORK/difference-drag.png" "$RX" "$RY" "$RW" "$RH")"
G2=$(patch_mean "$WORK/difference-drag.png" "$PX" "$PY" 10)
WANT2=$(predict_grey -100 "${C2:-0}" "${W2:-1}")
log "after the drag: difference W ${W2:-?} L ${C2:-?}, lesion $G2 (want $WANT2); right pane's image window W ${RW2:-?} L ${RC2:-?}"
fcheck "${W2:-$W} < $W && ($G2 - $WANT2)^2 < 6.25" && [ "${RW2:-}" = 400 ] && [ "${RC2:-}" = 40 ] \
  && pass "a left drag narrows the difference window ($W -> $W2), not the image's (right pane still W 400 L 40); lesion $G2" \
  || fail "difference drag: W $W -> ${W2:-none}, lesion $G2 want $WANT2; right pane W ${RW2:-?} L ${RC2:-?}"

# --- Shift+D: flicker, and stopping it ---------------------------------------
# In the left pane the lesion's place alternates between A's tissue (40 HU)
# and B's lesion (140 HU), both under the image window W 400 L 40; after
# Shift+D again it stays on A.
GREY_A=$(predict_grey 40 40 400); GREY_B=$(predict_grey 140 40 400)
which_image () {
  local g
  g=$(patch_mean "$1" "$PX" "$PY" 10)
  if fcheck "($g - $GREY_A)^2 < 6.25"; then echo A
  elif fcheck "($g - $GREY_B)^2 < 6.25"; then echo B
  else echo "?($g)"; fi
}
xdotool mousemove "$LCX" "$LCY" key shift+d
sleep 0.3
# Screenshots first (about 0.2 s apart against the 0.5 s period), read after.
for i in $(seq 12); do shot "flicker-$i"; sleep 0.1; done
xdotool key shift+d
sleep 0.5
for i in $(seq 5); do shot "stopped-$i"; sleep 0.3; done
SEEN=; STOPPED=
for i in $(seq 12); do SEEN="$SEEN$(which_image "$WORK/flicker-$i.png")"; done
for i in $(seq 5); do STOPPED="$STOPPED$(which_image "$WORK/stopped-$i.png")"; done
F_DELTA=$(json_field "flicker " delta.store "$WORK/diff.jsonl")
CHANGES=$(sed -E 's/(.)\1*/\1/g' <<<"$SEEN" | awk '{ print length($0) - 1 }')
log "flickering, the lesion's place showed $SEEN ($CHANGES changes); stopped: $STOPPED; store delta $F_DELTA"
[ "$CHANGES" -ge 2 ] && [[ "$SEEN" =~ ^[AB]+$ ]] && [ "$STOPPED" = AAAAA ] && [ "$F_DELTA" = 0 ] \
  && pass "Shift+D alternates the two images on screen and stops on A at Shift+D again; nothing stored" \
  || fail "flicker: seen $SEEN, stopped $STOPPED, store delta $F_DELTA"

still_running diff
stop_app
no_warnings diff
fen_e2e_finish
