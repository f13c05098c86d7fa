#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-mpr-e2e.sh: the MPR layout (issue 15, viewer) on a generated CT
# volume, judged from screenshots. The phantom (fen-e2e-phantom --cube):
# 256 x 256 x 120, 0.5 mm pixels, 1 mm slices, first pixel at x = y = -128,
# slice i at z = i; tissue (40 HU) in the middle 80 % of each slice and one
# bone cube (700 HU) off the middle in all three axes. Every prediction
# below comes from that geometry and the layout's documented rules (each
# pane fits the volume's box, centred, radiological; fen-mpr-planes.h),
# never from what the viewer logs about its planes:
#  1. Alt+5 enters MPR; the memory log's "mpr-enter" operation has a store
#     delta of 0 (no pixel copied), and so has "mpr-leave". The bar under
#     the slices (slice slider, cine controls) is gone while MPR is shown
#     (the lower panes reach down over where it was) and P plays
#     nothing; it is back, reading its rate, on leaving.
#  2. Axial, coronal and sagittal panes each show the tissue where predicted
#     and not the cube (the planes through the middle miss it); the edge
#     letters (tesseract) are R L A P, R L H F, A P H F.
#  3. Dragging the crosshair centre in the axial pane onto the cube's x, y
#     moves the coronal and sagittal planes: both now show the cube where
#     predicted, the axial one still does not.
#  4. Dragging the centre in the coronal pane down to the cube's z moves the
#     axial plane: it shows the cube.
#  4b. Dragging the end of the coronal line in the axial pane 30 degrees
#     clockwise turns the coronal and sagittal planes about the axial normal:
#     the coronal pane's edges read RA and LP, the sagittal's AL and PR, and
#     the coronal pane still shows the cube at its centre, tissue where the
#     turned plane leaves it; dragging back straightens them.
#  5. Ten wheel clicks in the axial pane move it 10 mm up (one slice each):
#     the cube is gone from it, and the coronal pane's axial line (red) is
#     10 mm higher.
#  5b. The slab control: MIP over 10 mm brings the cube back into the axial
#     pane (slices within 5 mm hold it); over 8 mm as well; the average over
#     8 mm shows the mean of 2 cube and 6 tissue slices (205 HU); I
#     (invert) on it and I again show its grey inverted and back.
#  6. A window drag in one pane changes the window of all three (read by
#     tesseract), and the tissue's grey in each follows it; I inverts them
#     all (the window keys act on MPR); back on the slices, the slice view
#     has the window dragged in MPR (one series, one window).
#  7. Ctrl+wheel zooms a pane about the pointer: the tissue's edge moves
#     where the zoom predicts; F fits it again.
#  7b. The keys act on the pane under the pointer, else the one last
#     pressed: = (1:1) and F on the coronal pane, End, Home, Right and Page
#     Down on the sagittal one (its x label and the picture follow, the
#     axial pane stays), Page Up over no pane on the axial one.
#  8. The same volume acquired 20 degrees oblique (--tilt 20) gets a fourth
#     pane, its acquisition plane (edges R L AF PH), and the sagittal pane
#     shows the stack turned where the geometry puts it.
#
#   test-mpr-e2e.sh FENESTRA PHANTOM SCHEMA_DIR WORK_DIR [SCREENSHOT]
# With SCREENSHOT, the layout after step 4 is also cropped there.
set -u

FENESTRA=$1
PHANTOM=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SCREENSHOT=${5:-}

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 791 840 tesseract
export G_MESSAGES_DEBUG=fen-viewport,fen-window,fen-mpr

S=256 N=120
"$PHANTOM" --series $N --size $S --cube -o "$WORK/cube" || { fail "phantom written"; exit 1; }
echo "1..60"

# The volume's box, the cube and the crosshair's start (e2e-lib.sh
# mpr_cube); the crosshair starts on the voxel centre of pixel (S/2, S/2) of
# slice N/2.
mpr_cube $S $N
START_Z=$((N / 2))
log "box middle $VCX $VCX $VCZ, cube centre $CUBE_X $CUBE_Y $CUBE_Z, crosshair $START_X $START_X $START_Z"

mpr_open app "$WORK/cube" $N || exit 1
# The cine bar on the slices: its rate control (where, from the log; what
# it reads, from the screen: the default 15).
shot slices
read -r FX FY FW FH <<<"$(grep -E 'cine rate control: x=' "$WORK/app.out" | tail -n1 |
  sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/')"
[ -n "${FH:-}" ] || { fail "the cine rate control's place is in the log"; exit 1; }
FX=$((X + FX)); FY=$((Y + FY))
bar_rate () { ocr "$1" "$FX" "$FY" $((FW / 2 + 10)) "$FH" 50; }
got=$(bar_rate "$WORK/slices.png")
grep -Eq "(^| )15( |$)" <<<"$got" && pass "on the slices the cine bar shows its rate ('$got')" ||
  fail "on the slices the cine rate control reads '$got' (want 15)"
# Where each pane is (pane_geometry, from its "mpr-pane" line after Alt+5).
mpr_enter app
read -r AX AY AW AH <<<"$(pane_geometry Axial)"
read -r CX CY CW CH <<<"$(pane_geometry Coronal)"
read -r SX SY SW SH <<<"$(pane_geometry Sagittal)"
if [ -z "${AW:-}" ] || [ -z "${CW:-}" ] || [ -z "${SW:-}" ]; then
  fail "MPR entered (Alt+5): three panes"; stop_app; fen_e2e_finish
fi
pass "MPR entered (Alt+5): axial +$AX+$AY ${AW}x$AH, coronal +$CX+$CY ${CW}x$CH, sagittal +$SX+$SY ${SW}x$SH"

# Fitted zoom (pixels per mm) of each pane: the box in the pane, centred.
ZA=$(awkv "a = $AW / $EXT_XY; b = $AH / $EXT_XY; print a < b ? a : b")
ZC=$(awkv "a = $CW / $EXT_XY; b = $CH / $EXT_Z; print a < b ? a : b")
ZS=$(awkv "a = $SW / $EXT_XY; b = $SH / $EXT_Z; print a < b ? a : b")
# Screen point of a patient point in each pane (radiological):
# axial x right, y down; coronal x right, z up; sagittal y right, z up.
on_axial () { awkv "printf \"%d %d\", $AX + $AW / 2 + ($1 - $VCX) * $ZA, $AY + $AH / 2 + ($2 - $VCX) * $ZA"; }
on_coronal () { awkv "printf \"%d %d\", $CX + $CW / 2 + ($1 - $VCX) * $ZC, $CY + $CH / 2 - ($2 - $VCZ) * $ZC"; }
on_sagittal () { awkv "printf \"%d %d\", $SX + $SW / 2 + ($1 - $VCX) * $ZS, $SY + $SH / 2 - ($2 - $VCZ) * $ZS"; }

# The bar is hidden: where its rate control was, the coronal pane's image
# (the lower panes reach down over the bar); P (cine) does nothing.
[ $((SY + SH)) -gt $((FY + FH)) ] && pass "in MPR the panes reach over the cine bar (sagittal bottom $((SY + SH)) > $((FY + FH)))" ||
  fail "in MPR the sagittal pane ends at $((SY + SH)), above the cine bar's $((FY + FH))"
xdotool key p
sleep 1
shot nobar
got=$(bar_rate "$WORK/nobar.png")
! grep -Eq "(^| )15( |$)" <<<"$got" && ! grep -q "cine: playing" "$WORK/app.out" &&
  pass "in MPR no cine bar is on screen ('$got' where its rate was) and P plays nothing" ||
  fail "in MPR the cine bar's place reads '$got', or P started cine"
STORE_DELTA=$(json_field "mpr-enter" delta.store "$WORK/app.jsonl")
STORE_AFTER=$(json_field "mpr-enter" after.store "$WORK/app.jsonl")
log "mpr-enter: store delta $STORE_DELTA, store after $STORE_AFTER"
[ "$STORE_DELTA" = "0" ] && [ "$STORE_AFTER" = "$((S * S * 2 * N))" ] &&
  pass "entering MPR adds 0 bytes to the store (it holds the $N slices, $STORE_AFTER bytes, as before)" ||
  fail "mpr-enter store delta \"$STORE_DELTA\", store after \"$STORE_AFTER\""

TISSUE=$(predict_grey 40 40 400)
BONE=$(predict_grey 700 40 400)
# check_grey NAME PNG X Y EXPECTED: the mean of a 5 x 5 patch within 12.
check_grey () {
  local g
  g=$(patch_mean "$2" "$3" "$4" 5)
  fcheck "($g - $5) < 12 && ($5 - $g) < 12" && pass "$1: grey $g (predicted $5)" ||
    fail "$1: grey $g at $3,$4, predicted $5"
}
# grey_on PANE XMM YMM NAME PNG EXPECTED: check_grey at the screen point
# (on_PANE) of the plane point whose mm are the awk expressions XMM, YMM.
grey_on () {
  local x y
  read -r x y <<<"$(on_$1 "$(awkv "print $2")" "$(awkv "print $3")")"
  check_grey "$4" "$5" "$x" "$y" "$6"
}
# drag_on PANE X0 Y0 X1 Y1: a drag in 12 steps from the screen point
# (on_PANE) of plane point (X0, Y0) mm to that of (X1, Y1).
drag_on () {
  local x0 y0 x1 y1
  read -r x0 y0 <<<"$(on_$1 "$2" "$3")"
  read -r x1 y1 <<<"$(on_$1 "$4" "$5")"
  drag "$x0" "$y0" $((x1 - x0)) $((y1 - y0)) 12
}
# Points a few mm off the cube's centre, clear of the crosshair lines (the
# centre's lines pass through it once it is dragged there).
OFF=3

shot initial
grey_on axial "$VCX - 30" "$VCX + 25" "axial: tissue left of and below the middle" "$WORK/initial.png" "$TISSUE"
grey_on axial "$CUBE_X + $OFF" "$CUBE_Y + $OFF" "axial at z = $START_Z: no cube (it spans z $((N / 3 - 8))..$((N / 3 + 7)))" "$WORK/initial.png" "$TISSUE"
grey_on coronal "$CUBE_X + $OFF" "$CUBE_Z + $OFF" "coronal at y = $START_X: no cube" "$WORK/initial.png" "$TISSUE"
grey_on sagittal "$CUBE_Y + $OFF" "$CUBE_Z + $OFF" "sagittal at x = $START_X: no cube" "$WORK/initial.png" "$TISSUE"
# Air beyond the tissue's edge (x < -128 + S/10 / 2 mm), in the coronal pane.
read -r x y <<<"$(on_coronal "$(awkv "print -128 + int($S / 10) * 0.5 - 4")" "$VCZ")"
check_grey "coronal: air beyond the tissue's right-hand (patient right) edge" "$WORK/initial.png" "$x" "$((y + 20))" 0

# --- Orientation letters ---------------------------------------------------
edge () {
  convert "$1" -crop "$4x$5+$2+$3" +repage -colorspace Gray -level 30%,100% -resize 400% -negate \
    -bordercolor white -border 20 "$WORK/edge.png" &&
    tesseract "$WORK/edge.png" - --psm 7 2>/dev/null | tr 'a-z' 'A-Z' | tr -cd 'RLAPHF'
}
letters () { # PNG PX PY PW PH [SIDE]: SIDE px wide at the sides (two letters: 24)
  local l r t b side=${6:-12}
  # Inside each letter's dark veil: the tissue right beside it is no text.
  l=$(edge "$1" $(($2 + 4)) $(($3 + $5 / 2 - 8)) "$side" 16)
  r=$(edge "$1" $(($2 + $4 - 4 - side)) $(($3 + $5 / 2 - 8)) "$side" 16)
  t=$(edge "$1" $(($2 + $4 / 2 - side / 2)) $(($3 + 4)) "$side" 17)
  b=$(edge "$1" $(($2 + $4 / 2 - side / 2)) $(($3 + $5 - 21)) "$side" 17)
  echo "${l:--} ${r:--} ${t:--} ${b:--}"
}
for p in "Axial $AX $AY $AW $AH R L A P" "Coronal $CX $CY $CW $CH R L H F" "Sagittal $SX $SY $SW $SH A P H F"; do
  read -r name px py pw ph l r t b <<<"$p"
  got=$(letters "$WORK/initial.png" "$px" "$py" "$pw" "$ph")
  [ "$got" = "$l $r $t $b" ] && pass "$name: edges read \"$got\" (radiological)" ||
    fail "$name: edges read \"$got\", expected \"$l $r $t $b\""
done

# --- 3. The centre dragged in the axial pane onto the cube's x, y -----------
drag_on axial "$START_X" "$START_X" "$CUBE_X" "$CUBE_Y"
shot moved
grey_on coronal "$CUBE_X + $OFF" "$CUBE_Z + $OFF" "after the axial drag: the coronal plane (now y = $CUBE_Y) shows the cube" "$WORK/moved.png" "$BONE"
grey_on coronal "$CUBE_X + 12" "$CUBE_Z + $OFF" "coronal: tissue beside the cube (12 mm to the patient's left)" "$WORK/moved.png" "$TISSUE"
grey_on sagittal "$CUBE_Y + $OFF" "$CUBE_Z + $OFF" "after the axial drag: the sagittal plane (now x = $CUBE_X) shows the cube" "$WORK/moved.png" "$BONE"
grey_on sagittal "$CUBE_Y + $OFF" "$CUBE_Z + 12" "sagittal: tissue above the cube (12 mm towards the head)" "$WORK/moved.png" "$TISSUE"
grey_on axial "$CUBE_X + $OFF" "$CUBE_Y + $OFF" "the axial plane itself did not move (still no cube)" "$WORK/moved.png" "$TISSUE"

# --- 4. The centre dragged in the coronal pane down to the cube's z ---------
drag_on coronal "$CUBE_X" "$START_Z" "$CUBE_X" "$CUBE_Z"
shot all
grey_on axial "$CUBE_X + $OFF" "$CUBE_Y + $OFF" "after the coronal drag: the axial plane (now z = $CUBE_Z) shows the cube" "$WORK/all.png" "$BONE"
grey_on axial "$CUBE_X - $OFF" "$CUBE_Y - 12" "axial: tissue anterior to the cube" "$WORK/all.png" "$TISSUE"
grey_on sagittal "$CUBE_Y - $OFF" "$CUBE_Z - $OFF" "the sagittal plane still shows the cube" "$WORK/all.png" "$BONE"
grey_on coronal "$CUBE_X - $OFF" "$CUBE_Z - $OFF" "the coronal plane, dragged in, stayed on the cube (y = $CUBE_Y)" "$WORK/all.png" "$BONE"
if [ -n "$SCREENSHOT" ]; then
  convert "$WORK/all.png" -crop "1600x1000+$X+$Y" +repage "$SCREENSHOT" && log "screenshot: $SCREENSHOT"
fi

# --- 4b. The crosshair turned 30 degrees in the axial pane ------------------
R=$(awkv "a = $AW < $AH ? $AW : $AH; print int(a * 0.375)")
read -r ax ay <<<"$(on_axial "$CUBE_X" "$CUBE_Y")"
turn () { # FROM TO (degrees, clockwise on screen): a drag from the coronal line's handle
  local x0 y0 x1 y1
  read -r x0 y0 <<<"$(awkv "a = $1 * 3.14159265 / 180; printf \"%d %d\", $ax + $R * cos(a), $ay + $R * sin(a)")"
  read -r x1 y1 <<<"$(awkv "a = $2 * 3.14159265 / 180; printf \"%d %d\", $ax + $R * cos(a), $ay + $R * sin(a)")"
  drag "$x0" "$y0" $((x1 - x0)) $((y1 - y0)) 12
}
turn 0 30
shot turned
got="$(letters "$WORK/turned.png" "$CX" "$CY" "$CW" "$CH" 24) | $(letters "$WORK/turned.png" "$SX" "$SY" "$SW" "$SH" 24)"
[ "$got" = "RA LP H F | AL PR H F" ] && pass "turned 30 degrees: coronal and sagittal edges read \"$got\" (oblique)" ||
  fail "turned 30 degrees: edges read \"$got\", expected \"RA LP H F | AL PR H F\""
# The turned coronal plane: right = (cos 30, sin 30, 0), down = -z, through
# the centre (the cube's); its screen point of in-plane offsets (U, V) mm.
on_turned () {
  awkv "c = cos(3.14159265 / 6); s = sin(3.14159265 / 6);
        u = ($CUBE_X - $VCX) * c + ($CUBE_Y - $VCX) * s + $1; v = -($CUBE_Z - $VCZ) + $2;
        printf \"%d %d\", $CX + $CW / 2 + u * $ZC, $CY + $CH / 2 + v * $ZC"
}
read -r x y <<<"$(on_turned $OFF $OFF)"
check_grey "turned coronal plane: the cube at its centre" "$WORK/turned.png" "$x" "$y" "$BONE"
read -r x y <<<"$(on_turned 14 $OFF)"
check_grey "turned coronal plane: tissue 14 mm along it (the cube's x + 12, y + 7)" "$WORK/turned.png" "$x" "$y" "$TISSUE"
turn 30 0
shot straight
got="$(letters "$WORK/straight.png" "$CX" "$CY" "$CW" "$CH")"
[ "$got" = "R L H F" ] && pass "turned back: coronal edges read \"$got\"" || fail "turned back: coronal edges read \"$got\""

# --- 5. Ten wheel clicks in the axial pane: 10 mm up ------------------------
read -r x y <<<"$(on_axial "$(awkv "print $VCX + 30")" "$(awkv "print $VCX - 30")")"
scroll_slices "$x" "$y" 10
shot scrolled
grey_on axial "$CUBE_X + $OFF" "$CUBE_Y + $OFF" "after 10 wheel clicks (z = $(awkv "print $CUBE_Z + 10")): the cube is gone from the axial pane" \
  "$WORK/scrolled.png" "$TISSUE"
# The axial plane's line in the coronal pane (red: R high, G and B low),
# 20 mm to the patient's left of the centre, clear of everything else.
red_at () {
  convert "$1" -crop "1x1+$2+$3" +repage -format '%[fx:int(255*r)] %[fx:int(255*g)] %[fx:int(255*b)]' info:
}
line_found () { # PNG X Y: the red line within 1 px of (X, Y)
  local dy r g b
  for dy in -1 0 1; do
    read -r r g b <<<"$(red_at "$1" "$2" $(($3 + dy)))"
    [ "$r" -gt 180 ] && [ "$g" -lt 140 ] && [ "$b" -lt 140 ] && return 0
  done
  return 1
}
read -r x y <<<"$(on_coronal "$(awkv "print $CUBE_X + 20")" "$(awkv "print $CUBE_Z + 10")")"
read -r xo yo <<<"$(on_coronal "$(awkv "print $CUBE_X + 20")" "$CUBE_Z")"
line_found "$WORK/scrolled.png" "$x" "$y" && ! line_found "$WORK/scrolled.png" "$xo" "$yo" &&
  pass "coronal pane: the axial line moved 10 mm up, to screen y $y (from $yo)" ||
  fail "coronal pane: no red axial line at y $y ($(red_at "$WORK/scrolled.png" "$x" "$y")) or still one at $yo"

# --- 5b. Slabs ---------------------------------------------------------------
read -r MX MY MW MH <<<"$(mpr_control slab-mode)"
read -r TX TY TW TH <<<"$(mpr_control slab-thickness)"
slab_mode () { # KEYS...: open the drop-down, move, pick
  xdotool mousemove $((MX + MW / 2)) $((MY + MH / 2)) click 1
  sleep 0.8
  xdotool key "$@" Return
  sleep 1
}
read -r cx cy <<<"$(on_axial "$(awkv "print $CUBE_X + $OFF")" "$(awkv "print $CUBE_Y + $OFF")")"
slab_mode Down
shot mip10
check_grey "MIP over 10 mm at z = $(awkv "print $CUBE_Z + 10"): the cube is back (slices 45..47 hold it)" \
  "$WORK/mip10.png" "$cx" "$cy" "$BONE"
xdotool mousemove $((TX + 20)) $((TY + TH / 2)) click 1
sleep 0.3
xdotool key ctrl+a type 8
xdotool key Return
sleep 1
shot mip8
check_grey "MIP over 8 mm: still (slices 46, 47)" "$WORK/mip8.png" "$cx" "$cy" "$BONE"
slab_mode Down Down
shot avg8
# PS3.3 C.11.1: (2 x 1724 + 6 x 1064) / 8 = 1229 stored, 205 HU.
check_grey "average over 8 mm: 2 of 8 slices cube, 205 HU" "$WORK/avg8.png" "$cx" "$cy" "$(predict_grey 205 40 400)"
# A window change on a slab plane maps the plane's kept values (the
# projection is not taken again): I inverts the average, I again restores
# it, each grey as the window predicts.
xdotool mousemove "$cx" "$cy" key i
sleep 1
shot avg8-inverted
check_grey "I on the 8 mm average: inverted, 255 - its grey" "$WORK/avg8-inverted.png" "$cx" "$cy" \
  "$(awkv "print 255 - $(predict_grey 205 40 400)")"
xdotool key i
sleep 1
shot avg8-again
check_grey "I again: the average's grey is back" "$WORK/avg8-again.png" "$cx" "$cy" "$(predict_grey 205 40 400)"
slab_mode Up Up Up
shot noslab
check_grey "no slab again: tissue" "$WORK/noslab.png" "$cx" "$cy" "$TISSUE"

# --- 6. Window / level: one drag, three panes ------------------------------
read -r x y <<<"$(on_sagittal "$(awkv "print $VCX + 30")" "$(awkv "print $VCZ + 30")")"
drag "$x" "$y" 120 -60 12
shot window
WINDOWS=
for p in "$AX $AY $AW $AH" "$CX $CY $CW $CH" "$SX $SY $SW $SH"; do
  read -r px py pw ph <<<"$p"
  WINDOWS="$WINDOWS|$(ocr_window "$WORK/window.png" "$px" "$py" "$pw" "$ph")"
done
log "windows read: $WINDOWS"
read -r W L <<<"$(cut -d'|' -f2 <<<"$WINDOWS")"
if [ -n "${W:-}" ] && [ "$WINDOWS" = "|$W $L|$W $L|$W $L" ] && [ "$W" != 400 ]; then
  pass "one window drag in the sagittal pane: all three panes read W $W L $L (was W 400 L 40)"
else
  fail "windows after the drag: $WINDOWS"
fi
TISSUE2=$(predict_grey 40 "${L:-40}" "${W:-400}")
grey_on axial "$VCX + 30" "$VCX + 30" "axial tissue under the new window" "$WORK/window.png" "$TISSUE2"
grey_on coronal "$VCX + 30" "$VCZ + 30" "coronal tissue under the new window" "$WORK/window.png" "$TISSUE2"

# The window keys act on the planes too: I inverts all three.
xdotool key i
sleep 1
shot inverted
grey_on coronal "$VCX + 30" "$VCZ + 30" "I (invert) in MPR: coronal tissue inverted" "$WORK/inverted.png" "$(awkv "print 255 - $TISSUE2")"
xdotool key i
sleep 1

# --- 7. Ctrl+wheel zooms about the pointer --------------------------------
# The tissue's anterior edge in the axial pane, y = -128 + (S/10 - 0.5) 0.5.
EDGE_Y=$(awkv "print -128 + (int($S / 10) - 0.5) * 0.5")
read -r px py <<<"$(on_axial "$(awkv "print $VCX + 20")" "$(awkv "print $EDGE_Y + 10")")"
xdotool mousemove "$px" "$py"
sleep 0.2
xdotool keydown ctrl click 4 click 4 keyup ctrl
sleep 1.2
shot zoomed
F=1.5625   # 1.25 a click
zoomed_axial () { # X Y (mm): the screen point after the zoom about (px, py)
  read -r sx sy <<<"$(on_axial "$1" "$2")"
  awkv "printf \"%d %d\", $px + ($sx - $px) * $F, $py + ($sy - $py) * $F"
}
read -r x y <<<"$(zoomed_axial "$(awkv "print $VCX + 20")" "$(awkv "print $EDGE_Y + 1.5")")"
check_grey "zoomed x$F about the pointer: tissue 1.5 mm inside its anterior edge" "$WORK/zoomed.png" "$x" "$y" "$TISSUE2"
read -r x y <<<"$(zoomed_axial "$(awkv "print $VCX + 20")" "$(awkv "print $EDGE_Y - 1.5")")"
check_grey "zoomed: air 1.5 mm outside it" "$WORK/zoomed.png" "$x" "$y" 0
# F fits the focused plane again (a click focuses the axial pane).
xdotool mousemove "$px" "$py" click 1
sleep 0.3
xdotool key f
sleep 1
shot fitted
grey_on axial "$VCX + 20" "$EDGE_Y + 1.5" "F fits the axial pane again: tissue 1.5 mm inside the edge, unzoomed" "$WORK/fitted.png" "$TISSUE2"
grey_on axial "$VCX + 20" "$EDGE_Y - 1.5" "F: air 1.5 mm outside it" "$WORK/fitted.png" 0

# --- 7b. The slice and zoom keys act on the pane under the pointer ---------
# (else on the one last pressed: the axial, clicked above). Read from the
# panes' own labels: the zoom (px/cm) bottom left, the plane's coordinate
# top right, and from the picture.
zoom_read () { ocr "$1" "$2" $(($3 + $5 - 48)) 220 48 | grep -oE 'Zoom ?[0-9]+' | grep -oE '[0-9]+' | head -n1; }
depth_read () { ocr "$1" $(($2 + $4 - 150)) "$3" 150 28 | grep -oE -- '-?[0-9]+\.[0-9]' | head -n1; }
read -r x y <<<"$(on_coronal "$(awkv "print $VCX + 40")" "$(awkv "print $VCZ + 35")")"
xdotool mousemove "$x" "$y"
sleep 0.3
xdotool key equal
sleep 1
shot one2one
# 1:1: one 0.5 mm pixel (the finer of 0.5 mm across, 1 mm slices down) per
# screen pixel, about the pane's centre (still the box's middle).
got="$(zoom_read "$WORK/one2one.png" "$CX" "$CY" "$CW" "$CH") $(zoom_read "$WORK/one2one.png" "$AX" "$AY" "$AW" "$AH")"
[ "$got" = "20 $(awkv "printf \"%.0f\", $ZA * 10")" ] &&
  pass "= over the coronal pane: 1:1 there (Zoom 20 px/cm), the axial pane unchanged (read \"$got\")" ||
  fail "= over the coronal pane: zooms read \"$got\", expected \"20 $(awkv "printf \"%.0f\", $ZA * 10")\""
on_coronal_1to1 () { awkv "printf \"%d %d\", $CX + $CW / 2 + ($1 - $VCX) * 2, $CY + $CH / 2 - ($2 - $VCZ) * 2"; }
# The tissue's right-hand (patient right) edge, x = -128 + (S/10 - 0.5) 0.5.
EDGE_X=$(awkv "print -128 + (int($S / 10) - 0.5) * 0.5")
grey_on coronal_1to1 "$EDGE_X + 1.5" "$VCZ + 20" "coronal at 1:1: tissue 1.5 mm inside its right-hand edge" "$WORK/one2one.png" "$TISSUE2"
grey_on coronal_1to1 "$EDGE_X - 1.5" "$VCZ + 20" "coronal at 1:1: air 1.5 mm outside it" "$WORK/one2one.png" 0
xdotool key f
sleep 1
shot refit
got=$(zoom_read "$WORK/refit.png" "$CX" "$CY" "$CW" "$CH")
[ "$got" = "$(awkv "printf \"%.0f\", $ZC * 10")" ] && pass "F over the coronal pane fits it again (Zoom $got px/cm)" ||
  fail "F over the coronal pane: zoom reads \"$got\", expected $(awkv "printf \"%.0f\", $ZC * 10")"
# The sagittal plane (x) by the slice keys: End, Home, 4 x Right, Page Down.
read -r x y <<<"$(on_sagittal "$(awkv "print $VCX + 40")" "$(awkv "print $VCZ + 35")")"
xdotool mousemove "$x" "$y"
sleep 0.3
DEPTHS=
for k in End Home "Right Right Right Right" Next; do
  # shellcheck disable=SC2086
  xdotool key --delay 120 $k
  sleep 1
  shot keys
  DEPTHS="$DEPTHS $(depth_read "$WORK/keys.png" "$SX" "$SY" "$SW" "$SH")"
done
AXIAL_Z=$(depth_read "$WORK/keys.png" "$AX" "$AY" "$AW" "$AH")
# The sagittal plane's normal points to the patient's right (-x), and the
# keys go as the wheel (Down: along the normal; fen-mpr-planes.h): End is
# the outer voxel centre at x = -128, Home the one at -128 + (S - 1) 0.5,
# each Right one 0.5 mm step to the right (-x), Page Down ten.
WANT=" $(awkv "printf \"%.1f %.1f %.1f %.1f\", -128, -128 + ($S - 1) * 0.5, -128 + ($S - 1 - 4) * 0.5, -128 + ($S - 1 - 14) * 0.5")"
# The axial plane is where the coronal drag put it (screen pixels: within
# 0.5 mm of the cube's z), 10 mm up by the wheel.
[ "$DEPTHS" = "$WANT" ] && fcheck "${AXIAL_Z:-99} - ($CUBE_Z + 10) < 0.5 && ($CUBE_Z + 10) - ${AXIAL_Z:-99} < 0.5" &&
  pass "End, Home, 4 x Right, Page Down over the sagittal pane: x reads$DEPTHS; the axial stays at z $AXIAL_Z" ||
  fail "slice keys over the sagittal pane: x reads \"$DEPTHS\" (want \"$WANT\"), axial z \"$AXIAL_Z\""
# Over no pane: the last pressed (axial) takes Page Up, 10 slices down.
xdotool mousemove $((X + 100)) $((Y + 500))
sleep 0.3
xdotool key Prior
sleep 1
shot keys2
read -r z2 x2 <<<"$(depth_read "$WORK/keys2.png" "$AX" "$AY" "$AW" "$AH") $(depth_read "$WORK/keys2.png" "$SX" "$SY" "$SW" "$SH")"
[ -n "${x2:-}" ] && [ "$(awkv "printf \"%.1f\", ${AXIAL_Z:-0} - ${z2:-0}")" = 10.0 ] &&
  [ "$x2" = "$(awkv "printf \"%.1f\", -128 + ($S - 1 - 14) * 0.5")" ] &&
  pass "Page Up with the pointer over no pane: the axial pane (last pressed) moves 10 mm down, z $AXIAL_Z to $z2; x stays $x2" ||
  fail "Page Up over no pane: z $AXIAL_Z to \"${z2:-}\" (want 10 mm less), x \"${x2:-}\""
grey_on axial "$CUBE_X + $OFF" "$CUBE_Y + $OFF" "and shows the cube again (z = $CUBE_Z)" "$WORK/keys2.png" "$BONE"

# --- Leaving ---------------------------------------------------------------
xdotool key alt+5
sleep 1
LEAVE_DELTA=$(json_field "mpr-leave" delta.store "$WORK/app.jsonl")
[ "$LEAVE_DELTA" = "0" ] && pass "leaving MPR (Alt+5): store delta 0" || fail "mpr-leave store delta \"$LEAVE_DELTA\""
shot left
read -r VX VY VW VH <<<"$(viewport_on_screen app)"
got=$(ocr_window "$WORK/left.png" "$VX" "$VY" "$VW" "$VH")
[ -n "${W:-}" ] && [ "$got" = "$W $L" ] && pass "back on the slices: the window dragged in MPR (W $W L $L) stays" ||
  fail "back on the slices: the window reads \"$got\", expected \"${W:-?} ${L:-?}\""
got=$(bar_rate "$WORK/left.png")
grep -Eq "(^| )15( |$)" <<<"$got" && pass "back on the slices the cine bar is back ('$got')" ||
  fail "back on the slices the cine rate control reads '$got' (want 15)"
still_running app
stop_app
no_warnings app

# --- 8. An oblique acquisition gets its own pane -----------------------------
# The same volume with its columns turned 20 degrees about x (--tilt 20):
# row (1, 0, 0), column (0, cos, sin), normal (0, -sin, cos), slice i at
# (-128, -128 - i sin, i cos).
"$PHANTOM" --series $N --size $S --cube --tilt 20 -o "$WORK/tilted" || { fail "tilted phantom written"; exit 1; }
mpr_open tilted "$WORK/tilted" $N "tilted series opened" || exit 1
mpr_enter tilted
read -r QX QY QW QH <<<"$(pane_geometry Acquisition)"
read -r SX SY SW SH <<<"$(pane_geometry Sagittal)"
if [ -n "${QW:-}" ] && [ -n "${SW:-}" ]; then
  pass "oblique acquisition (20 degrees): a fourth pane, +$QX+$QY ${QW}x$QH"
  shot tilted
  # Its plane as stored: rows along x, columns down and towards the head.
  got=$(letters "$WORK/tilted.png" "$QX" "$QY" "$QW" "$QH" 24)
  [ "$got" = "R L AF PH" ] && pass "acquisition pane: edges read \"$got\"" ||
    fail "acquisition pane: edges read \"$got\", expected \"R L AF PH\""
  # The sagittal pane shows the stack turned: its box's (y, z) corners, the
  # fit over them, and a point of tissue (row 200, slice 5) that an
  # upright stack would not have there, with air just below slice 0.
  read -r VY VZ EY EZ <<<"$(awkv "c = cos(20 * 3.14159265358979 / 180); s = sin(20 * 3.14159265358979 / 180);
    split(\"-0.25 $(awkv "print ($S - 0.5) * 0.5")\", R, \" \"); split(\"-0.5 $(awkv "print $N - 0.5")\", I, \" \");
    y0 = 1e9; y1 = -1e9; z0 = 1e9; z1 = -1e9;
    for (a = 1; a <= 2; a++) for (b = 1; b <= 2; b++) {
      y = -128 + R[a] * c - I[b] * s; z = R[a] * s + I[b] * c;
      if (y < y0) y0 = y; if (y > y1) y1 = y; if (z < z0) z0 = z; if (z > z1) z1 = z }
    print (y0 + y1) / 2, (z0 + z1) / 2, y1 - y0, z1 - z0")"
  ZT=$(awkv "a = $SW / $EY; b = $SH / $EZ; print a < b ? a : b")
  on_tilted () { # ROW SLICE: the sagittal screen point of (x = -64, row, slice)
    awkv "c = cos(20 * 3.14159265358979 / 180); s = sin(20 * 3.14159265358979 / 180);
          y = -128 + $1 * 0.5 * c - $2 * s; z = $1 * 0.5 * s + $2 * c;
          printf \"%d %d\", $SX + $SW / 2 + (y - $VY) * $ZT, $SY + $SH / 2 - (z - $VZ) * $ZT"
  }
  read -r x y <<<"$(on_tilted 200 5)"
  check_grey "sagittal of the tilted stack: tissue at row 200 of slice 5 (z 38.9 mm)" "$WORK/tilted.png" "$x" "$y" "$TISSUE"
  read -r x y <<<"$(on_tilted 200 -6)"
  check_grey "sagittal of the tilted stack: air 6 mm below slice 0" "$WORK/tilted.png" "$x" "$y" 0
else
  fail "oblique acquisition: no fourth pane"
fi
still_running tilted
stop_app
no_warnings tilted
fen_e2e_finish
