#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-mpr-measure-e2e.sh: measurements on reformatted planes (issue 15,
# point 4), judged from screenshots. The phantom (fen-e2e-phantom --cube, as
# in test-mpr-e2e.sh): 256 x 256 x 120, 0.5 mm pixels, 1 mm slices, first
# pixel at x = y = -128, slice i at z = i; tissue 40 HU; a bone cube of
# 700 HU over columns 80..111, rows 144..175 and slices 32..47: 16 mm along
# each axis. Every prediction comes from that geometry and the layout's
# documented rules (fitted panes, radiological; fen-mpr-planes.h):
#  1. MPR entered, the centre dragged in the axial pane onto the cube's x, y:
#     the coronal plane (y fixed) cuts the cube; the grey confirms the cube's
#     edges where predicted.
#  2. M, then a drag across the cube from edge to edge in the coronal pane:
#     its label (tesseract) reads the drag's length in mm, which is the
#     cube's 16 mm within one pixel (0.5 mm).
#  3. One wheel click moves the coronal plane 0.5 mm (one row): the
#     measurement is not on it and its label goes; a click back shows it.
#  4. Ctrl+wheel zooms the pane about the pointer: the label follows its end
#     point where the zoom predicts, with the same figure.
#  5. Delete removes the selected (last drawn) measurement: its label goes.
#  6. E, then an ellipse inside the cube: its label reads a mean of 700.0 HU
#     (the cube's value) and SD 0; B, then a rectangle inside it: the same.
#  7. The side panel (F8) lists a distance drawn on the coronal plane with
#     its plane and length; the viewer started again on the series lists it
#     again (kept), its plane elsewhere; selecting its row brings the
#     coronal plane to it, selected; the row's button deletes it.
#  8. A rectangle on the coronal plane 10 mm past the cube reads tissue; a
#     MIP slab of 8 mm reaching the cube makes it read the cube's 700 HU
#     (the projection the pane shows), and the panel says so.
#  9. A (angle) and C (Cobb angle) draw on the plane as on a slice; their
#     labels and the panel read the angles of the drags' screen points.
#  10. Shift+P traces a freehand region: in tissue it reads 40 HU, SD 0,
#     and the area of the pentagon the pointer went round; a press inside
#     it and a drag move it whole, its label with it (same area).
#  11. T draws an arrow; its text, typed in the entry it asks with, is its
#     label and the panel's.
#  12. In MPR, Export Structured Report (F10, D; the path pasted in the file
#     chooser) writes the planes' measurements: dciodvfy reports no error on
#     the Comprehensive 3D SR, and dsrdump reads back the arrow's text and
#     its head as a SCOORD3D POINT at the patient point it was drawn to.
#
#   test-mpr-measure-e2e.sh FENESTRA PHANTOM SCHEMA_DIR WORK_DIR
set -u

FENESTRA=$1
PHANTOM=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 841 890 tesseract xclip dciodvfy dsrdump
export G_MESSAGES_DEBUG=fen-viewport,fen-window,fen-mpr

S=256 N=120
# A Frame of Reference UID (PS3.3 C.7.4.1): the planes' report (12) puts
# its SCOORD3D points in it, and refuses a series without one.
"$PHANTOM" --series $N --size $S --cube --frame-of-reference 1 -o "$WORK/cube" || { fail "phantom written"; exit 1; }
echo "1..30"

# The volume's box, the cube's centre CUBE_X, CUBE_Y, CUBE_Z (PS3.3
# C.7.6.2.1.1: positions are pixel centres, so its faces lie half a voxel
# beyond its outer voxels' centres) and the crosshair's start (e2e-lib.sh
# mpr_cube); the cube's edge 16 mm.
mpr_cube $S $N
EDGE=16
log "cube centre $CUBE_X $CUBE_Y $CUBE_Z, edge $EDGE mm"

mpr_open app "$WORK/cube" $N || exit 1
# Where each pane is (pane_geometry, its "mpr-pane" line): where to aim and
# crop only.
mpr_enter app
read -r AX AY AW AH <<<"$(pane_geometry Axial)"
read -r CX CY CW CH <<<"$(pane_geometry Coronal)"
if [ -z "${AW:-}" ] || [ -z "${CW:-}" ]; then
  fail "MPR entered (Alt+5)"; stop_app; fen_e2e_finish
fi
pass "MPR entered: axial +$AX+$AY ${AW}x$AH, coronal +$CX+$CY ${CW}x$CH"

ZA=$(awkv "a = $AW / $EXT_XY; b = $AH / $EXT_XY; print a < b ? a : b")
ZC=$(awkv "a = $CW / $EXT_XY; b = $CH / $EXT_Z; print a < b ? a : b")
# Screen points (rounded) of patient points: axial x right, y down; coronal
# x right, z up (radiological).
on_axial () { awkv "printf \"%d %d\", $AX + $AW / 2 + ($1 - $VCX) * $ZA + 0.5, $AY + $AH / 2 + ($2 - $VCX) * $ZA + 0.5"; }
on_coronal () { awkv "printf \"%d %d\", $CX + $CW / 2 + ($1 - $VCX) * $ZC + 0.5, $CY + $CH / 2 - ($2 - $VCZ) * $ZC + 0.5"; }

TISSUE=$(predict_grey 40 40 400)
BONE=$(predict_grey 700 40 400)
check_grey () {
  local g
  g=$(patch_mean "$2" "$3" "$4" 3)
  fcheck "($g - $5) < 12 && ($5 - $g) < 12" && pass "$1: grey $g (predicted $5)" ||
    fail "$1: grey $g at $3,$4, predicted $5"
}
# label_text PNG X Y W H: the text (tesseract) of a label whose dark veil
# starts at X, Y (a label's text starts 3 px inside its veil); the crop is
# inverted to dark on light and given a white margin, as tesseract wants.
label_text () {
  convert "$1" -crop "$4x$5+$2+$3" +repage -colorspace Gray -level 30%,100% -resize 400% -negate \
    -bordercolor white -border 20 "$WORK/label.png" &&
    tesseract "$WORK/label.png" - --psm 6 2>/dev/null | tr -s ' \n' ' '
}

# --- 1. The coronal plane onto the cube ---------------------------------------
read -r x0 y0 <<<"$(on_axial "$START_X" "$START_X")"
read -r x1 y1 <<<"$(on_axial "$CUBE_X" "$CUBE_Y")"
drag "$x0" "$y0" $((x1 - x0)) $((y1 - y0)) 12
shot onto
# The distance runs 5 mm above the cube's centre; the edges checked 3 mm
# above that (clear of the line), 1.5 mm inside and outside each face.
LZ=$(awkv "print $CUBE_Z + 5")
CZ=$(awkv "print $LZ + 3")
ok=1
for side in -1 1; do
  read -r x y <<<"$(on_coronal "$(awkv "print $CUBE_X + $side * ($EDGE / 2 - 1.5)")" "$CZ")"
  g=$(patch_mean "$WORK/onto.png" "$x" "$y" 3)
  fcheck "($g - $BONE) < 12 && ($BONE - $g) < 12" || ok=0
  read -r x y <<<"$(on_coronal "$(awkv "print $CUBE_X + $side * ($EDGE / 2 + 1.5)")" "$CZ")"
  g2=$(patch_mean "$WORK/onto.png" "$x" "$y" 3)
  fcheck "($g2 - $TISSUE) < 12 && ($TISSUE - $g2) < 12" || ok=0
  log "face $side: inside $g, outside $g2"
done
[ $ok = 1 ] && pass "coronal plane on the cube: bone within its faces at x = $CUBE_X +- 8 mm, tissue beyond" ||
  fail "coronal plane: the cube's faces are not where predicted"

# --- 2. A distance across the cube ---------------------------------------------
xdotool key m
sleep 0.3
read -r dx0 dy0 <<<"$(on_coronal "$(awkv "print $CUBE_X - $EDGE / 2")" "$LZ")"
read -r dx1 dy1 <<<"$(on_coronal "$(awkv "print $CUBE_X + $EDGE / 2")" "$LZ")"
drag "$dx0" "$dy0" $((dx1 - dx0)) $((dy1 - dy0)) 12
shot distance
# What the drag spans on the plane (screen pixels / zoom), and the cube's edge.
WANT=$(awkv "printf \"%.2f\", sqrt(($dx1 - $dx0)^2 + ($dy1 - $dy0)^2) / $ZC")
text=$(label_text "$WORK/distance.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
got=$(grep -oE '[0-9]+\.[0-9] ?mm' <<<"$text" | head -n1 | grep -oE '[0-9]+\.[0-9]')
log "distance label \"$text\", the drag spans $WANT mm"
[ -n "$got" ] && fcheck "($got - $WANT) <= 0.06 && ($WANT - $got) <= 0.06 && ($got - $EDGE) <= 0.5 && ($EDGE - $got) <= 0.5" &&
  pass "distance across the cube on the coronal plane reads $got mm (the drag: $WANT mm; the cube's edge $EDGE mm, within a 0.5 mm pixel)" ||
  fail "distance label \"$text\": expected $WANT mm, $EDGE +- 0.5 mm"
# The line lies where it was drawn: yellow a quarter along it (its middle
# is under the sagittal plane's blue line).
QUARTER="$(awkv "printf \"%d %d\", $dx0 + ($dx1 - $dx0) / 4, $dy0 + ($dy1 - $dy0) / 4")"
read -r x y <<<"$QUARTER"
rgb=$(convert "$WORK/distance.png" -crop "1x1+$x+$y" +repage -format '%[fx:int(255*r)] %[fx:int(255*g)] %[fx:int(255*b)]' info:)
read -r r g b <<<"$rgb"
[ "$r" -gt 200 ] && [ "$g" -gt 170 ] && [ "$b" -lt 100 ] && pass "the distance's line is drawn (yellow $rgb a quarter along it)" ||
  fail "no yellow line at $x,$y: $rgb"

# --- 3. Off its plane, hidden; back, shown ----------------------------------------
read -r wx wy <<<"$(on_coronal "$(awkv "print $CUBE_X + 30")" "$(awkv "print $CUBE_Z - 30")")"
scroll_slices "$wx" "$wy" 1
shot off
text=$(label_text "$WORK/off.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
read -r x y <<<"$QUARTER"
rgb=$(convert "$WORK/off.png" -crop "1x1+$x+$y" +repage -format '%[fx:int(255*r)] %[fx:int(255*g)] %[fx:int(255*b)]' info:)
read -r r g b <<<"$rgb"
! grep -qE '[0-9]\.[0-9] ?mm' <<<"$text" && [ "$b" -gt 100 -o "$g" -lt 170 ] &&
  pass "one row (0.5 mm) off the plane it was drawn on: no label, no line ($rgb)" ||
  fail "0.5 mm off its plane the measurement still shows: \"$text\", $rgb"
xdotool mousemove "$wx" "$wy" click 4
sleep 1.0
shot back
text=$(label_text "$WORK/back.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
got=$(grep -oE '[0-9]+\.[0-9] ?mm' <<<"$text" | head -n1 | grep -oE '[0-9]+\.[0-9]')
[ -n "$got" ] && fcheck "($got - $WANT) <= 0.06 && ($WANT - $got) <= 0.06" &&
  pass "back on its plane: the label reads $got mm again" || fail "back on its plane: label \"$text\""

# --- 4. Zoom about the pointer: the label follows ------------------------------
# One Ctrl+wheel click up zooms 1.25 x about the pointer (at the cube's centre).
read -r px py <<<"$(on_coronal "$CUBE_X" "$CUBE_Z")"
xdotool mousemove "$px" "$py"
sleep 0.2
xdotool keydown ctrl click 4 keyup ctrl
sleep 1.0
shot zoomed
read -r zx1 zy1 <<<"$(awkv "printf \"%d %d\", $px + ($dx1 - $px) * 1.25 + 0.5, $py + ($dy1 - $py) * 1.25 + 0.5")"
text=$(label_text "$WORK/zoomed.png" $((zx1 + 5)) $((zy1 + 3)) 90 21)
got=$(grep -oE '[0-9]+\.[0-9] ?mm' <<<"$text" | head -n1 | grep -oE '[0-9]+\.[0-9]')
[ -n "$got" ] && fcheck "($got - $WANT) <= 0.06 && ($WANT - $got) <= 0.06" &&
  pass "zoomed 1.25 x about the cube's centre: the label moved with its end to $zx1,$zy1 and reads $got mm" ||
  fail "zoomed: no label \"$WANT mm\" at $zx1,$zy1: \"$text\""
xdotool key f
sleep 1.0

# --- 5. Delete removes it -----------------------------------------------------
xdotool key Delete
sleep 0.8
shot deleted
text=$(label_text "$WORK/deleted.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
! grep -qE '[0-9]\.[0-9] ?mm' <<<"$text" && pass "Delete removed the selected distance (no label)" ||
  fail "after Delete the label still reads \"$text\""

# --- 6. Regions inside the cube: the cube's value -----------------------------------
# region KEY NAME X0 Z0 X1 Z1: draw with KEY's tool from (X0, Z0) to (X1, Z1) mm
# and read the mean from the label, right of the shape's box at its top.
region () {
  local x0 y0 x1 y1 lx ly text mean
  xdotool key "$1"
  sleep 0.3
  read -r x0 y0 <<<"$(on_coronal "$3" "$4")"
  read -r x1 y1 <<<"$(on_coronal "$5" "$6")"
  drag "$x0" "$y0" $((x1 - x0)) $((y1 - y0)) 12
  shot "$2"
  if [ "$1" = e ]; then
    # The ellipse's box: its centre (X0, Z0) plus and minus the radii.
    lx=$((x0 + (x1 > x0 ? x1 - x0 : x0 - x1) + 5)); ly=$((y0 - (y1 > y0 ? y1 - y0 : y0 - y1) - 1))
  else
    lx=$(((x1 > x0 ? x1 : x0) + 5)); ly=$(((y1 < y0 ? y1 : y0) - 1))
  fi
  text=$(label_text "$WORK/$2.png" "$lx" "$ly" 130 40)
  mean=$(grep -oE -- '-?[0-9]+\.[0-9]' <<<"$text" | head -n1)
  sd=$(grep -oE -- '-?[0-9]+\.[0-9]' <<<"$text" | sed -n 2p)
  area=$(grep -oE -- '[0-9]+\.[0-9] ?mm' <<<"$text" | head -n1 | grep -oE '[0-9]+\.[0-9]')
  # The shape's area from the drag (screen pixels / zoom): pi a b for the
  # ellipse (radii), a b for the rectangle (sides).
  want=$(awkv "a = ($x1 - $x0) / $ZC; b = ($y1 - $y0) / $ZC; a = a < 0 ? -a : a; b = b < 0 ? -b : b;
               printf \"%.2f\", \"$1\" == \"e\" ? 3.14159265 * a * b : a * b")
  log "$2 label \"$text\", the drag's area $want mm2"
  [ "$mean" = "700.0" ] && [ "$sd" = "0.0" ] && grep -q "HU" <<<"$text" && [ -n "$area" ] &&
    fcheck "($area - $want) <= 0.06 && ($want - $area) <= 0.06" &&
    pass "$2 inside the cube on the coronal plane: mean $mean HU, SD $sd (the cube's 700 HU), area $area mm2 (the drag's $want)" ||
    fail "$2 label \"$text\": expected 700.0 ± 0.0 HU and $want mm2"
  xdotool key Delete
  sleep 0.5
}
# The ellipse: centre 3 mm right of and below the cube's centre, radii 3.5 mm.
region e ellipse "$(awkv "print $CUBE_X + 3")" "$(awkv "print $CUBE_Z - 3")" \
  "$(awkv "print $CUBE_X + 6.5")" "$(awkv "print $CUBE_Z - 6.5")"
region b rectangle "$(awkv "print $CUBE_X - 7")" "$(awkv "print $CUBE_Z - 1")" \
  "$(awkv "print $CUBE_X - 2")" "$(awkv "print $CUBE_Z - 6")"
xdotool key w

# --- 7. The measurement panel, and the measurements kept ---------------------------
# The distance across the cube again, then the side panel (F8): the panes
# narrow to make room (their new places from the log), the panel lies right
# of the coronal pane.
xdotool key m
sleep 0.3
drag "$dx0" "$dy0" $((dx1 - dx0)) $((dy1 - dy0)) 12
xdotool key w
MARK=$(log_mark app)
xdotool key F8
sleep 1.5
shot panel
read -r CX CY CW CH <<<"$(pane_geometry Coronal)"
PX=$((CX + CW)) PY=$CY PW=$((X + 1600 - CX - CW)) PH=600
panel_text () { ocr "$1" "$PX" "$PY" "$PW" "$PH"; }
# row_of PNG REGEX: the screen point of the first word matching REGEX in the
# panel (tesseract's boxes, read back from the 4 x enlarged crop).
row_of () {
  convert "$1" -crop "${PW}x$PH+$PX+$PY" +repage -colorspace Gray -level 30%,100% -resize 400% -negate "$WORK/row-in.png" &&
    tesseract "$WORK/row-in.png" - --psm 6 tsv 2>/dev/null |
    awk -F'\t' -v re="$2" -v x="$PX" -v y="$PY" '$12 ~ re { printf "%d %d", x + ($7 + $9 / 2) / 4, y + ($8 + $10 / 2) / 4; exit }'
}
# The row: its kind, its plane (the coronal plane through the cube's
# centre, y = CUBE_Y, %.1f), its length (the drag's, as the label).
PLANE_Y=$(awkv "printf \"%.1f\", $CUBE_Y")
panel_row_ok () { # TEXT
  local len
  len=$(grep -oE 'length [0-9]+\.[0-9]+ ?mm' <<<"$1" | grep -oE '[0-9]+\.[0-9]+')
  # The title wraps after "coronal,"; the row's trash icon, beside it,
  # reads as a stray character or two.
  grep -qE "1\. Distance, coronal, (.{1,2} )?y $PLANE_Y mm plane" <<<"$1" && [ -n "$len" ] &&
    fcheck "($len - $WANT) <= 0.06 && ($WANT - $len) <= 0.06"
}
text=$(panel_text "$WORK/panel.png")
log "panel: \"$text\""
panel_row_ok "$text" && pass "F8: the panel lists the plane's distance: \"1. Distance, coronal, y $PLANE_Y mm plane\", its length (the drag's $WANT mm)" ||
  fail "the panel reads \"$text\", expected the coronal distance at y $PLANE_Y mm, $WANT mm"
KEPT=$(ls "$WORK"/data/fenestra/measurements/*.mpr.json 2>/dev/null | wc -l)
still_running app
stop_app
no_warnings app

# The viewer again, on the same series: MPR starts with its planes through
# the middle (the coronal at y = $START_X), the distance is listed but not
# shown; selecting its row brings the coronal plane to it.
mpr_open app2 "$WORK/cube" $N "series opened again" || exit 1
xdotool key F8
sleep 1
mpr_enter app2
read -r CX CY CW CH <<<"$(pane_geometry Coronal)"
ZC=$(awkv "a = $CW / $EXT_XY; b = $CH / $EXT_Z; print a < b ? a : b")
read -r dx0 dy0 <<<"$(on_coronal "$(awkv "print $CUBE_X - $EDGE / 2")" "$LZ")"
read -r dx1 dy1 <<<"$(on_coronal "$(awkv "print $CUBE_X + $EDGE / 2")" "$LZ")"
shot restored
text=$(panel_text "$WORK/restored.png")
label=$(label_text "$WORK/restored.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
log "panel after the restart: \"$text\"; label \"$label\""
[ "$KEPT" = 1 ] && panel_row_ok "$text" && ! grep -qE '[0-9]\.[0-9] ?mm' <<<"$label" &&
  pass "restarted: the distance was kept and is listed again (\"$text\"), not shown on the coronal plane through the middle" ||
  fail "restarted: $KEPT file(s) kept; the panel reads \"$text\"; the label at $dx1,$dy1 reads \"$label\""
read -r rx ry <<<"$(row_of "$WORK/restored.png" '^Distance')"
if [ -n "${ry:-}" ]; then
  xdotool mousemove "$rx" "$ry" click 1
  sleep 1.2
  shot selected
  label=$(label_text "$WORK/selected.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
  got=$(grep -oE '[0-9]+\.[0-9] ?mm' <<<"$label" | head -n1 | grep -oE '[0-9]+\.[0-9]')
  # Selected: a black handle square on each end, where the yellow end dot
  # would be; the cube behind it (the coronal plane on it again).
  rgb=$(convert "$WORK/selected.png" -crop "1x1+$dx0+$dy0" +repage -format '%[fx:int(255*r)] %[fx:int(255*g)] %[fx:int(255*b)]' info:)
  read -r r g b <<<"$rgb"
  read -r x y <<<"$(on_coronal "$(awkv "print $CUBE_X - 4")" "$(awkv "print $CUBE_Z - 3")")"
  g2=$(patch_mean "$WORK/selected.png" "$x" "$y" 3)
  [ -n "$got" ] && fcheck "($got - $WANT) <= 0.06 && ($WANT - $got) <= 0.06" && [ "$r" -lt 60 ] && [ "$g" -lt 60 ] &&
    fcheck "($g2 - $BONE) < 12 && ($BONE - $g2) < 12" &&
    pass "its row selected: the coronal plane moved to it, the label reads $got mm, its ends carry the selection's handles ($rgb), the cube is there (grey $g2)" ||
    fail "its row selected: label \"$label\", end $rgb, cube grey $g2"
else
  fail "no \"Distance\" row found in the panel to select"
fi
# The row's delete button, at the panel's right end of the row.
read -r rx ry <<<"$(row_of "$WORK/selected.png" '^Distance')"
xdotool mousemove $((X + 1600 - 46)) "${ry:-0}" click 1
sleep 1
shot unlisted
text=$(panel_text "$WORK/unlisted.png")
label=$(label_text "$WORK/unlisted.png" $((dx1 + 5)) $((dy1 + 3)) 90 21)
log "after the delete button: panel \"$text\", label \"$label\""
# The empty list speaks of the planes, not of an image.
grep -q "None on these planes" <<<"$(tr -s '\n ' ' ' <<<"$text")" && ! grep -q "Distance" <<<"$text" &&
  ! grep -qE '[0-9]\.[0-9] ?mm' <<<"$label" &&
  [ "$(ls "$WORK"/data/fenestra/measurements/*.mpr.json 2>/dev/null | wc -l)" = 0 ] &&
  pass "the row's delete button removed it: from the panel (\"None on these planes\"), from the plane, and from what is kept" ||
  fail "after the delete button: panel \"$text\", label \"$label\""
# --- 8. A region on a slab plane measures the projection the pane shows ----------
# The coronal plane (on the cube's y, from the row selected above) two
# Page Downs (20 rows, 10 mm) along its normal (+y): past the cube's last
# row (y = -40.5) by some 2 mm. A rectangle where the cube is in x and z
# reads tissue there; a MIP slab of 8 mm (4 mm either side) reaches the
# cube's rows: the same rectangle now reads the cube's 700 HU, and the
# panel says the values are the slab's maximum.
# Where the panes are now (the panel's width follows its text).
coronal_again () {
  read -r CX CY CW CH <<<"$(pane_geometry Coronal)"
  ZC=$(awkv "a = $CW / $EXT_XY; b = $CH / $EXT_Z; print a < b ? a : b")
}
coronal_again
read -r wx wy <<<"$(on_coronal "$(awkv "print $CUBE_X + 30")" "$(awkv "print $CUBE_Z - 30")")"
xdotool mousemove "$wx" "$wy"
sleep 0.3
xdotool key Next Next
sleep 1
xdotool key b
sleep 0.3
read -r rx0 ry0 <<<"$(on_coronal "$(awkv "print $CUBE_X - 5")" "$(awkv "print $CUBE_Z + 5")")"
read -r rx1 ry1 <<<"$(on_coronal "$(awkv "print $CUBE_X + 5")" "$(awkv "print $CUBE_Z - 5")")"
drag "$rx0" "$ry0" $((rx1 - rx0)) $((ry1 - ry0)) 12
xdotool key w
sleep 0.5
shot slab-none
coronal_again
read -r rx1 ry0 <<<"$(on_coronal "$(awkv "print $CUBE_X + 5")" "$(awkv "print $CUBE_Z + 5")")"
region_mean () { label_text "$1" $((rx1 + 5)) $((ry0 - 1)) 130 40 | grep -oE -- '-?[0-9]+\.[0-9]' | head -n2 | tr '\n' ' '; }
got=$(region_mean "$WORK/slab-none.png")
[ "$got" = "40.0 0.0 " ] && pass "10 mm past the cube, no slab: the rectangle reads tissue, $got(mean, SD)" ||
  fail "10 mm past the cube, no slab: the rectangle reads \"$got\", expected 40.0 0.0"
read -r MX MY MW MH <<<"$(mpr_control slab-mode)"
read -r TX TY TW TH <<<"$(mpr_control slab-thickness)"
xdotool mousemove $((TX + 20)) $((TY + TH / 2)) click 1
sleep 0.3
xdotool key ctrl+a type 8
xdotool key Return
sleep 0.5
xdotool mousemove $((MX + MW / 2)) $((MY + MH / 2)) click 1
sleep 0.8
xdotool key Down Return
sleep 1.2
shot slab-mip
got=$(region_mean "$WORK/slab-mip.png")
text=$(panel_text "$WORK/slab-mip.png")
log "MIP 8 mm: label \"$got\", panel \"$text\""
[ "$got" = "700.0 0.0 " ] && grep -q "mean 700.00 HU" <<<"$text" && grep -q "slab's maximum over 8.0 mm" <<<"$text" &&
  pass "MIP over 8 mm: the rectangle reads the cube's 700 HU (label $got), the panel says it is the slab's maximum" ||
  fail "MIP over 8 mm: label \"$got\", panel \"$text\""
xdotool mousemove $((MX + MW / 2)) $((MY + MH / 2)) click 1
sleep 0.8
xdotool key Up Return
sleep 1.2
shot slab-back
got=$(region_mean "$WORK/slab-back.png")
[ "$got" = "40.0 0.0 " ] && pass "no slab again: tissue again ($got)" || fail "no slab again: \"$got\""

# --- 9. An angle and a Cobb angle on the plane, by the slices' rules ------------------
# A (angle): a drag from the end of one arm to the vertex, then a press and
# a drag to the end of the other arm; C (Cobb): a drag for each line. The
# labels and the panel read the angle of the screen points the drags
# ended on (the pane is isotropic: its mm are square), to 0.1 degree.
coronal_again
angle_of () { # X0 Y0 VX VY X2 Y2: the angle at V, degrees
  awkv "ax = $1 - $3; ay = $2 - $4; bx = $5 - $3; by = $6 - $4;
        c = (ax * bx + ay * by) / sqrt((ax * ax + ay * ay) * (bx * bx + by * by));
        printf \"%.2f\", atan2(sqrt(1 - c * c), c) * 180 / 3.14159265358979"
}
# (a crop of the label alone: the tissue beside it confuses tesseract)
label_deg () { label_text "$1" $(($2 + 5)) $(($3 + 3)) 46 21 | grep -oE '[0-9]+\.[0-9]' | head -n1; }
read -r vx vy <<<"$(on_coronal -50 45)"
read -r ax0 ay0 <<<"$(on_coronal -30 45)"
read -r ax2 ay2 <<<"$(on_coronal "$(awkv "print -50 + 20 * cos(3.14159265 / 3)")" "$(awkv "print 45 + 20 * sin(3.14159265 / 3)")")"
xdotool key a
sleep 0.3
drag "$ax0" "$ay0" $((vx - ax0)) $((vy - ay0)) 12
drag $((vx + 10)) $((vy - 10)) $((ax2 - vx - 10)) $((ay2 - vy + 10)) 12
shot angle
WANT_A=$(angle_of "$ax0" "$ay0" "$vx" "$vy" "$ax2" "$ay2")
# Cobb: a level line, then one 25 degrees down from it.
read -r cx0 cy0 <<<"$(on_coronal -120 22)"
read -r cx1 cy1 <<<"$(on_coronal -100 22)"
read -r cx2 cy2 <<<"$(on_coronal -120 12)"
read -r cx3 cy3 <<<"$(on_coronal "$(awkv "print -120 + 20 * cos(25 * 3.14159265 / 180)")" "$(awkv "print 12 - 20 * sin(25 * 3.14159265 / 180)")")"
xdotool key c
sleep 0.3
drag "$cx0" "$cy0" $((cx1 - cx0)) $((cy1 - cy0)) 12
drag "$cx2" "$cy2" $((cx3 - cx2)) $((cy3 - cy2)) 12
xdotool key w
sleep 0.5
shot cobb
WANT_C=$(awkv "ax = $cx1 - $cx0; ay = $cy1 - $cy0; bx = $cx3 - $cx2; by = $cy3 - $cy2;
               c = (ax * bx + ay * by) / sqrt((ax * ax + ay * ay) * (bx * bx + by * by)); c = c < 0 ? -c : c;
               printf \"%.2f\", atan2(sqrt(1 - c * c), c) * 180 / 3.14159265358979")
# The angle's label, read once another is selected (the selected one's
# handles sit by its vertex).
got=$(label_deg "$WORK/cobb.png" "$vx" "$vy")
[ -n "$got" ] && fcheck "($got - $WANT_A) <= 0.06 && ($WANT_A - $got) <= 0.06" &&
  pass "an angle on the coronal plane: its label at the vertex reads $got° (the drags' $WANT_A°, 60° asked)" ||
  fail "angle label \"$got\", expected $WANT_A"
got=$(label_deg "$WORK/cobb.png" "$cx3" "$cy3")
text=$(panel_text "$WORK/cobb.png")
log "cobb label \"$got\", panel \"$text\""
degs=$(grep -oE 'angle [0-9]+\.[0-9] degrees' <<<"$text" | grep -oE '[0-9]+\.[0-9]' | tr '\n' ' ')
read -r pa pc <<<"$degs"
[ -n "$got" ] && fcheck "($got - $WANT_C) <= 0.06 && ($WANT_C - $got) <= 0.06" &&
  pass "a Cobb angle on the coronal plane: its label reads $got° (the lines' $WANT_C°, 25° asked)" ||
  fail "Cobb label \"$got\", expected $WANT_C"
[ -n "${pc:-}" ] && fcheck "($pa - $WANT_A) <= 0.06 && ($WANT_A - $pa) <= 0.06 && ($pc - $WANT_C) <= 0.06 && ($WANT_C - $pc) <= 0.06" &&
  grep -q "Angle, coronal" <<<"$text" && grep -qE "Cobb angle, ?(.{1,2} )?coronal" <<<"$text" &&
  pass "the panel lists them: an angle of $pa degrees and a Cobb angle of $pc degrees on the coronal plane" ||
  fail "the panel reads \"$text\" (angles \"$degs\", expected $WANT_A and $WANT_C)"

# --- 10. A freehand region on the plane ------------------------------------------------
# Shift+P, then a drag through five corners: the outline's vertices are
# the pointer's places (each far enough from the last), so its area is the
# pentagon's; in tissue, it reads 40 HU, SD 0.
# (In tissue: x > -115.75 mm, the tissue's right-hand edge.)
read -r f0x f0y <<<"$(on_coronal -104 98)"
read -r f1x f1y <<<"$(on_coronal -84 99)"
read -r f2x f2y <<<"$(on_coronal -81 84)"
read -r f3x f3y <<<"$(on_coronal -90 74)"
read -r f4x f4y <<<"$(on_coronal -103 79)"
xdotool key shift+p
sleep 0.3
xdotool mousemove "$f0x" "$f0y"
sleep 0.2
xdotool mousedown 1
sleep 0.1
for pt in "$f1x $f1y" "$f2x $f2y" "$f3x $f3y" "$f4x $f4y"; do
  # shellcheck disable=SC2086
  xdotool mousemove $pt
  sleep 0.1
done
sleep 0.2
xdotool mouseup 1
sleep 0.5
xdotool key w
sleep 0.8
shot freehand
WANT_F=$(awkv "x[0] = $f0x; y[0] = $f0y; x[1] = $f1x; y[1] = $f1y; x[2] = $f2x; y[2] = $f2y; x[3] = $f3x; y[3] = $f3y;
               x[4] = $f4x; y[4] = $f4y; a = 0; for (i = 0; i < 5; i++) { j = (i + 1) % 5; a += x[i] * y[j] - x[j] * y[i] }
               a = a < 0 ? -a : a; printf \"%.2f\", a / 2 / ($ZC * $ZC)")
maxx=$(printf '%s\n' "$f0x" "$f1x" "$f2x" "$f3x" "$f4x" | sort -n | tail -n1)
miny=$(printf '%s\n' "$f0y" "$f1y" "$f2y" "$f3y" "$f4y" | sort -n | head -n1)
text=$(label_text "$WORK/freehand.png" $((maxx + 5)) $((miny - 1)) 130 40)
mean=$(grep -oE -- '-?[0-9]+\.[0-9]' <<<"$text" | head -n1)
sd=$(grep -oE -- '-?[0-9]+\.[0-9]' <<<"$text" | sed -n 2p)
area=$(grep -oE -- '[0-9]+\.[0-9] ?mm' <<<"$text" | head -n1 | grep -oE '[0-9]+\.[0-9]')
ptext=$(panel_text "$WORK/freehand.png")
log "freehand label \"$text\", the pentagon $WANT_F mm2; panel \"$ptext\""
[ "$mean" = "40.0" ] && [ "$sd" = "0.0" ] && [ -n "$area" ] && fcheck "($area - $WANT_F) <= 0.06 && ($WANT_F - $area) <= 0.06" &&
  grep -q "Freehand region" <<<"$ptext" &&
  pass "a freehand region on the coronal plane: mean $mean HU, SD $sd (tissue), area $area mm2 (the pentagon's $WANT_F), listed as a freehand region" ||
  fail "freehand label \"$text\" (want 40.0 ± 0.0 HU, $WANT_F mm2), panel \"$ptext\""

# --- 10b. The region taken by its inside moves whole -------------------------------------
# A press inside the outline (its centroid, over 10 mm from every vertex:
# no handle there) and a drag 12 mm to the right: the whole outline moves
# (as on a slice), so its edges are drawn 12 mm on and not where they were,
# its label follows with the same area and, still in tissue, 40 HU; the
# panel still lists one freehand region.
FDX=$(awkv "printf \"%d\", 12 * $ZC + 0.5")
read -r fcx fcy <<<"$(on_coronal -92.4 86.8)"
drag "$fcx" "$fcy" "$FDX" 0 12
xdotool mousemove 5 5
sleep 0.5
shot freehand-moved
# Yellow within a pixel of (X, Y): the outline's colour, not the handles'.
yellow_near () {
  local hex
  for hex in $(convert "$WORK/freehand-moved.png" -crop "3x3+$(($1 - 1))+$(($2 - 1))" +repage -depth 8 txt:- |
               grep -oE '#[0-9A-Fa-f]{6}'); do
    [ $((16#${hex:1:2})) -gt 200 ] && [ $((16#${hex:3:2})) -gt 170 ] && [ $((16#${hex:5:2})) -lt 100 ] && return 0
  done
  return 1
}
# The midpoints of the edges f0-f1 and f3-f4, before and after.
read -r m01x m01y <<<"$(awkv "printf \"%d %d\", ($f0x + $f1x) / 2, ($f0y + $f1y) / 2")"
read -r m34x m34y <<<"$(awkv "printf \"%d %d\", ($f3x + $f4x) / 2, ($f3y + $f4y) / 2")"
yellow_near $((m01x + FDX)) "$m01y" && yellow_near $((m34x + FDX)) "$m34y" &&
  ! yellow_near "$m34x" "$m34y" && ! yellow_near $((f4x - 3)) "$f4y" &&
  pass "a press inside the freehand region and a drag of $FDX px move its outline whole: its edges are drawn $FDX px (12 mm) on, none where they were" ||
  fail "after the body drag: edge midpoints ($((m01x + FDX)),$m01y) and ($((m34x + FDX)),$m34y) not both yellow, or the old ones ($m34x,$m34y), ($((f4x - 3)),$f4y) still are"
text=$(label_text "$WORK/freehand-moved.png" $((maxx + FDX + 5)) $((miny - 1)) 130 40)
mean=$(grep -oE -- '-?[0-9]+\.[0-9]' <<<"$text" | head -n1)
marea=$(grep -oE -- '[0-9]+\.[0-9] ?mm' <<<"$text" | head -n1 | grep -oE '[0-9]+\.[0-9]')
ptext=$(panel_text "$WORK/freehand-moved.png")
log "moved freehand label \"$text\"; panel \"$ptext\""
[ "$mean" = "40.0" ] && [ -n "$marea" ] && [ "$marea" = "$area" ] &&
  [ "$(grep -o 'Freehand region' <<<"$ptext" | wc -l)" -eq 1 ] &&
  pass "the moved region's label, $FDX px on, reads $mean HU and the same $marea mm2; the panel lists one freehand region" ||
  fail "moved freehand label \"$text\" (want 40.0 HU, $area mm2), panel \"$ptext\""

# --- 11. An arrow with its text ---------------------------------------------------------
# T, then a drag from the tail to the head: an entry asks for the text at
# the tail (as on a slice); typed and entered, it is the arrow's label and
# the panel's row.
read -r t0x t0y <<<"$(on_coronal -100 110)"
read -r t1x t1y <<<"$(on_coronal -80 104)"
xdotool key t
sleep 0.3
drag "$t0x" "$t0y" $((t1x - t0x)) $((t1y - t0y)) 12
sleep 0.5
xdotool type --delay 60 lesion
xdotool key Return
sleep 0.8
xdotool key w
sleep 0.5
shot arrow
text=$(label_text "$WORK/arrow.png" $((t0x + 3)) $((t0y + 3)) 60 21)
ptext=$(panel_text "$WORK/arrow.png")
log "arrow label \"$text\", panel \"$ptext\""
# The head: yellow 7 px back from its point along the arrow (inside the
# filled triangle, clear of its antialiased edge).
read -r hx hy <<<"$(awkv "d = sqrt(($t1x - $t0x)^2 + ($t1y - $t0y)^2); printf \"%d %d\", $t1x - 7 * ($t1x - $t0x) / d + 0.5, $t1y - 7 * ($t1y - $t0y) / d + 0.5")"
rgb=$(convert "$WORK/arrow.png" -crop "1x1+$hx+$hy" +repage -format '%[fx:int(255*r)] %[fx:int(255*g)] %[fx:int(255*b)]' info:)
read -r r g b <<<"$rgb"
grep -q "lesion" <<<"$text" && grep -q 'Arrow' <<<"$ptext" && grep -q 'text "lesion"' <<<"$ptext" &&
  [ "$r" -gt 200 ] && [ "$g" -gt 170 ] && [ "$b" -lt 100 ] &&
  pass "an arrow on the coronal plane: its head drawn ($rgb), its text typed in the entry at its tail reads \"lesion\" there and in the panel" ||
  fail "arrow: label \"$text\", head $rgb at $hx,$hy, panel \"$ptext\""

# --- 12. The planes' measurements as a structured report --------------------------------
# F10 opens the window menu, D its "Export Structured Report"; the chooser
# takes the path pasted into its name (no window manager: the focus is
# given back to the window first).
SR="$WORK/planes-sr.dcm"
export_via_menu d "$SR" sr || fail "F10, D opened no file chooser in MPR"
dciodvfy "$SR" > "$WORK/dciodvfy.txt" 2>&1
dsrdump +Pl "$SR" > "$WORK/dsrdump.txt" 2>&1
log "dciodvfy: $(tr '\n' ' ' < "$WORK/dciodvfy.txt" | cut -c1-300)"
[ -s "$SR" ] && ! grep -q '^Error' "$WORK/dciodvfy.txt" && grep -q 'Comprehensive3DSR' "$WORK/dciodvfy.txt" &&
  pass "in MPR, the exported report is a Comprehensive 3D SR that dciodvfy passes (no Error lines)" ||
  fail "SR: $(ls -l "$SR" 2>&1); $(grep -E '^Error' "$WORK/dciodvfy.txt" | head -n3)"
# The arrow's head, drawn at x -80, z 104 on the coronal plane: within one
# screen pixel (1/ZC mm) and the float's precision of it.
POINT=$(grep -oE 'SCOORD3D:.*"Image Region"\)=\(POINT,,[-0-9.e]+/[-0-9.e]+/[-0-9.e]+\)' "$WORK/dsrdump.txt" |
  tail -n1 | sed -E 's/.*POINT,,([^/]+)\/([^/]+)\/([^)]+)\)/\1 \2 \3/')
read -r px py pz <<<"${POINT:-}"
log "dsrdump: $(grep -c 'SCOORD3D' "$WORK/dsrdump.txt") SCOORD3D item(s); the arrow's point ${POINT:-none}"
[ -n "${pz:-}" ] && grep -q 'Comment")="lesion"' "$WORK/dsrdump.txt" &&
  fcheck "($px + 80)^2 <= (1.5 / $ZC)^2 && ($pz - 104)^2 <= (1.5 / $ZC)^2" &&
  pass "dsrdump reads the planes' report back: the arrow's text \"lesion\" and its head at ($px, $py, $pz) mm, drawn at (-80, y, 104)" ||
  fail "dsrdump: point \"${POINT:-}\"; $(grep -E 'lesion|POINT' "$WORK/dsrdump.txt" | head -n3)"

still_running app2
stop_app
no_warnings app2
fen_e2e_finish
