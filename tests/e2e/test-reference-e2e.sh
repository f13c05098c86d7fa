#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-reference-e2e.sh: reference lines and the 3D cursor (issue 12, point
# 4) in the real fenestra under Xvfb, driven with xdotool, judged from
# screenshots against positions computed here from the phantom's geometry.
#
#   test-reference-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR [SCREENSHOT]
#
# Two series in one Frame of Reference (fen-e2e-phantom.c): 12 axial slices
# at z = 0..11 mm and 40 coronal ones at y = -64 + j mm, 256 x 256 pixels
# of 0.5 mm; the axial images start at x = y = -128, the coronal ones at
# x = -128, z = 64 with rows going down. So (PS3.3 C.7.6.2.1.1, pixel
# centres at i + 0.5 in image coordinates):
#   axial slice k cuts the coronal images along row 128.5 - 2k;
#   coronal slice j cuts the axial images along row 128.5 + 2j;
#   axial image point (x, y) on slice k is the patient point
#   (-128 + (x - 0.5) / 2, -128 + (y - 0.5) / 2, k), nearest coronal slice
#   j = y_patient + 64, where it projects to coronal image point (x, 128.5 - 2k).
# In 1x2 (axial left, active; coronal right) the test checks:
# 1. the coronal pane shows the axial slice's line (the left pane's cyan)
#    as a horizontal line at the predicted screen row, and the axial pane
#    the coronal slice's (orange);
# 2. scrolling the axial pane five slices moves the line to the row of
#    slice 5, and the coronal pane keeps its slice (bars 0): planes at an
#    angle are not linked by index;
# 3. Shift+click on an axial point: the coronal pane goes to the slice whose
#    bars read the expected number and marks the point (red crosshair) at
#    the predicted place; the axial pane marks the clicked point;
# 4. Escape clears both marks; L hides the lines and shows them again;
# 5. no GTK or GLib warning.
# Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SHOT_OUT=${5:-}
SIZE=256
AXIAL=12
CORONAL=40

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 541 590

"$PHANTOM_TOOL" --size $SIZE --series $AXIAL --study 1 --frame-of-reference 1 -o "$WORK/axial" \
  || { fail "axial series generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series $CORONAL --study 2 --frame-of-reference 1 --orientation coronal \
  -o "$WORK/coronal" || { fail "coronal series generated"; exit 1; }

echo "1..13"

# colour_row PNG X Y0 H KIND: the mean screen row (centre, + 0.5) of the
# pixels of colour KIND (cyan: the first pane's line, orange: the second's)
# in the column X from row Y0 down H rows, or "none".
colour_row () {
  convert "$1" -crop "1x$4+$2+$3" +repage -depth 8 txt:- | awk -v y0="$3" -v kind="$5" -F'[(,)]+' '
    NR > 1 { r = $3; g = $4; b = $5
      if (kind == "cyan" && r < 140 && g > 160 && b > 200) { s += $2; n++ }
      if (kind == "orange" && r > 200 && g > 110 && g < 190 && b < 90) { s += $2; n++ } }
    END { if (n == 0) print "none"; else printf "%.2f\n", y0 + s / n + 0.5 }'
}
# red_centre PNG X Y W H: "CX CY N", the centre of the cursor mark's red
# pixels in that rectangle (screen coordinates), or "none".
red_centre () {
  convert "$1" -crop "$4x$5+$2+$3" +repage -depth 8 txt:- | awk -v x0="$2" -v y0="$3" -F'[(,)]+' '
    NR > 1 && $3 > 200 && $4 < 100 && $5 < 100 { sx += $1; sy += $2; n++ }
    END { if (n < 8) print "none"; else printf "%.2f %.2f %d\n", x0 + sx / n + 0.5, y0 + sy / n + 0.5, n }'
}
# Screen point of image point ($1, $2) in the pane at ($3, $4) of $5 x $6
# (fitted, centred, unrotated), to 0.01 px.
screen_of () {
  awk -v ix="$1" -v iy="$2" -v x="$3" -v y="$4" -v w="$5" -v h="$6" -v s="$SIZE" 'BEGIN {
    z = w / s < h / s ? w / s : h / s;
    printf "%.2f %.2f", x + w / 2 + (ix - s / 2) * z, y + h / 2 + (iy - s / 2) * z }'
}
# Image point of screen point ($1, $2), the inverse.
image_of () {
  awk -v sx="$1" -v sy="$2" -v x="$3" -v y="$4" -v w="$5" -v h="$6" -v s="$SIZE" 'BEGIN {
    z = w / s < h / s ? w / s : h / s;
    printf "%.4f %.4f", (sx - x - w / 2) / z + s / 2, (sy - y - h / 2) / z + s / 2 }'
}
near () { fcheck "($1 - $2)^2 <= $3 * $3"; }

start_app ref "$WORK/axial" "$WORK/coronal" || exit 1
wait_opened ref $((AXIAL + CORONAL)) || { fail "both series opened"; exit 1; }
sleep 1.0

xdotool mousemove 800 500 click 1
sleep 0.3
# Left pane first (one row: left to right).
layout ref alt+2 2 > "$WORK/geometry.txt"
read -r LX LY LW LH <<<"$(sed -n 1p "$WORK/geometry.txt")"
read -r RX RY RW RH <<<"$(sed -n 2p "$WORK/geometry.txt")"
log "left pane +$LX+$LY ${LW}x$LH, right pane +$RX+$RY ${RW}x$LH"

# --- 1. The lines where the two slices cross ---------------------------------
shot lines-0
SL=$(phantom_slice "$WORK/lines-0.png" "$LX" "$LY" "$LW" "$LH" $SIZE)
SR=$(phantom_slice "$WORK/lines-0.png" "$RX" "$RY" "$RW" "$RH" $SIZE)
[ "$SL" = 0 ] && [ "$SR" = 0 ] && fcheck "$RX > $LX + 100" \
  && pass "1x2: axial slice 0 on the left, coronal slice 0 on the right (bars $SL, $SR)" \
  || fail "1x2 panes: bars $SL and $SR (want 0, 0), geometry $(tr '\n' ' ' < "$WORK/geometry.txt")"

# The columns to read the lines in: image x 220 (clear of the bars and the
# walking block) in each pane.
read -r RCOL _ <<<"$(screen_of 220.5 0 "$RX" "$RY" "$RW" "$RH")"
read -r LCOL _ <<<"$(screen_of 220.5 0 "$LX" "$LY" "$LW" "$LH")"
RCOL=${RCOL%.*}; LCOL=${LCOL%.*}
read -r _ WANT_R0 <<<"$(screen_of 0 128.5 "$RX" "$RY" "$RW" "$RH")"      # axial z 0 on the coronal
read -r _ WANT_L0 <<<"$(screen_of 0 128.5 "$LX" "$LY" "$LW" "$LH")"      # coronal y -64 on the axial
GOT_R0=$(colour_row "$WORK/lines-0.png" "$RCOL" "$RY" "$RH" cyan)
GOT_L0=$(colour_row "$WORK/lines-0.png" "$LCOL" "$LY" "$LH" orange)
log "axial slice 0 on the coronal pane: row $GOT_R0 (want $WANT_R0); coronal slice 0 on the axial pane: row $GOT_L0 (want $WANT_L0)"
[ "$GOT_R0" != none ] && near "$GOT_R0" "$WANT_R0" 1.5 \
  && pass "the coronal pane shows the axial slice (z 0) as a line at screen row $GOT_R0 (predicted $WANT_R0)" \
  || fail "axial slice's line on the coronal pane at $GOT_R0, want $WANT_R0"
[ "$GOT_L0" != none ] && near "$GOT_L0" "$WANT_L0" 1.5 \
  && pass "the axial pane shows the coronal slice (y -64) as a line at screen row $GOT_L0 (predicted $WANT_L0)" \
  || fail "coronal slice's line on the axial pane at $GOT_L0, want $WANT_L0"

# --- 2. Scrolling the axial pane moves the line -------------------------------
read -r CX CY <<<"$(screen_of 128 128 "$LX" "$LY" "$LW" "$LH")"
xdotool mousemove "${CX%.*}" "${CY%.*}"
sleep 0.2
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.15; done
sleep 1.0
shot lines-5
SL=$(phantom_slice "$WORK/lines-5.png" "$LX" "$LY" "$LW" "$LH" $SIZE)
SR=$(phantom_slice "$WORK/lines-5.png" "$RX" "$RY" "$RW" "$RH" $SIZE)
read -r _ WANT_R5 <<<"$(screen_of 0 118.5 "$RX" "$RY" "$RW" "$RH")"      # z 5: row 128.5 - 10
GOT_R5=$(colour_row "$WORK/lines-5.png" "$RCOL" "$RY" "$RH" cyan)
log "after five wheel steps: bars left $SL, right $SR; the line at row $GOT_R5 (want $WANT_R5)"
[ "$SL" = 5 ] && [ "$GOT_R5" != none ] && near "$GOT_R5" "$WANT_R5" 1.5 && fcheck "$GOT_R5 < $GOT_R0 - 5" \
  && pass "axial slice 5: the line moved up to row $GOT_R5 (predicted $WANT_R5, from $GOT_R0)" \
  || fail "after scrolling to axial slice $SL the line is at $GOT_R5, want $WANT_R5"
[ "$SR" = 0 ] && grep -q 'pane 1 keeps slice 0: its planes cross' "$WORK/ref.out" \
  && pass "the coronal pane keeps its slice (bars 0): crossing planes are not linked by index" \
  || fail "the coronal pane moved to bars $SR while the axial pane scrolled"

# --- 3. Shift+click: the 3D cursor --------------------------------------------
read -r PX PY <<<"$(screen_of 100.5 160.5 "$LX" "$LY" "$LW" "$LH")"
PX=$(printf '%.0f' "$PX"); PY=$(printf '%.0f' "$PY")
# Where the click really is: GTK gets the pointer at (PX, PY) exactly.
read -r IX IY <<<"$(image_of "$PX" "$PY" "$LX" "$LY" "$LW" "$LH")"
WANT_J=$(awk -v iy="$IY" 'BEGIN { y = -128 + (iy - 0.5) / 2; printf "%d", (y + 64 >= 0 ? int(y + 64 + 0.5) : -1) }')
read -r WANT_MX WANT_MY <<<"$(screen_of "$IX" 118.5 "$RX" "$RY" "$RW" "$RH")"
xdotool mousemove "$PX" "$PY"
sleep 0.2
xdotool keydown shift click 1 keyup shift
sleep 1.2
shot cursor
SL=$(phantom_slice "$WORK/cursor.png" "$LX" "$LY" "$LW" "$LH" $SIZE)
SR=$(phantom_slice "$WORK/cursor.png" "$RX" "$RY" "$RW" "$RH" $SIZE)
MARK_R=$(red_centre "$WORK/cursor.png" "$RX" "$RY" "$RW" "$RH")
MARK_L=$(red_centre "$WORK/cursor.png" "$LX" "$LY" "$LW" "$LH")
log "Shift+click at image ($IX, $IY) of axial slice 5: coronal bars $SR (want $WANT_J), axial bars $SL"
log "marks: coronal $MARK_R (want $WANT_MX $WANT_MY), axial $MARK_L (want $PX $PY)"
[ "$SR" = "$WANT_J" ] && [ "$SL" = 5 ] \
  && pass "the coronal pane went to the slice nearest the point: bars read $SR (y = $((WANT_J - 64)) mm)" \
  || fail "after Shift+click the coronal pane shows bars $SR, want $WANT_J (axial $SL, want 5)"
read -r MX MY _ <<<"$MARK_R"
[ "$MARK_R" != none ] && near "$MX" "$WANT_MX" 1.5 && near "$MY" "$WANT_MY" 1.5 \
  && pass "the coronal pane marks the point at ($MX, $MY), predicted ($WANT_MX, $WANT_MY)" \
  || fail "coronal mark at '$MARK_R', want $WANT_MX $WANT_MY"
read -r MX MY _ <<<"$MARK_L"
[ "$MARK_L" != none ] && near "$MX" "$PX" 1.5 && near "$MY" "$PY" 1.5 \
  && pass "the axial pane marks the clicked point at ($MX, $MY)" \
  || fail "axial mark at '$MARK_L', want $PX $PY"
# The coronal slice moved: its line on the axial pane now runs through the point.
read -r _ WANT_LJ <<<"$(screen_of 0 $((128 + 2 * WANT_J)).5 "$LX" "$LY" "$LW" "$LH")"
GOT_LJ=$(colour_row "$WORK/cursor.png" "$LCOL" "$LY" "$LH" orange)
[ "$GOT_LJ" != none ] && near "$GOT_LJ" "$WANT_LJ" 1.5 \
  && pass "the coronal slice's line on the axial pane followed it to row $GOT_LJ (predicted $WANT_LJ)" \
  || fail "coronal line on the axial pane at $GOT_LJ, want $WANT_LJ"
if [ -n "$SHOT_OUT" ]; then
  convert "$WORK/cursor.png" -crop 1600x1000+0+0 +repage -colors 128 "$SHOT_OUT"
fi

# --- 4. Escape clears the marks; L hides the lines ----------------------------
xdotool key Escape
sleep 0.8
shot cleared
MARK_R=$(red_centre "$WORK/cleared.png" "$RX" "$RY" "$RW" "$RH")
MARK_L=$(red_centre "$WORK/cleared.png" "$LX" "$LY" "$LW" "$LH")
[ "$MARK_R" = none ] && [ "$MARK_L" = none ] && pass "Escape clears the 3D cursor's marks" \
  || fail "marks after Escape: coronal '$MARK_R', axial '$MARK_L'"
xdotool key l
sleep 0.8
shot lines-off
OFF=$(colour_row "$WORK/lines-off.png" "$RCOL" "$RY" "$RH" cyan)
xdotool key l
sleep 0.8
shot lines-on
ON=$(colour_row "$WORK/lines-on.png" "$RCOL" "$RY" "$RH" cyan)
log "the axial line on the coronal pane: '$OFF' after L, '$ON' after L again"
[ "$OFF" = none ] && [ "$ON" != none ] && near "$ON" "$WANT_R5" 1.5 \
  && pass "L hides the reference lines and shows them again" \
  || fail "L: line '$OFF' when off, '$ON' when on (want none, $WANT_R5)"

still_running ref
stop_app
no_warnings ref
fen_e2e_finish
