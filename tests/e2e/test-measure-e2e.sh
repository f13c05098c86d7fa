#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-measure-e2e.sh: measurements that stay (issue 12, points 2 and 3),
# driven through the real fenestra under Xvfb with xdotool and judged from
# screenshots and the side panel read by tesseract.
#
#   test-measure-e2e.sh FENESTRA PHANTOM_TOOL CLI SCHEMA_DIR WORK_DIR
#
# 1. An ellipse drawn (key E) on the phantom's block of fixed noise: the
#    panel's mean and SD equal what fenestra-cli measure computes from the
#    file for the ellipse the viewer kept (its points, read from the kept
#    JSON); an ellipse on flat tissue reads 40.00 HU, SD 0.00 (by hand: the
#    phantom's tissue is 40 HU everywhere there).
# 2. The next slice does not show them (yellow pixels on the outline: none;
#    the panel says none), back on the slice they are there again.
# 3. Quit and start again on the same folder: the ellipses are back and the
#    panel reads the same values.
# 4. Export the structured report through the window menu (F10, D) and the
#    file chooser (the path pasted); dciodvfy reports no error, dsrdump reads
#    the mean back. The CSV (F10, V) has both ellipses and the same mean.
# 5. A click on the flat ellipse's outline selects it, Delete removes it
#    (the screen and the panel).
# The viewer runs with G_DEBUG=fatal-criticals. Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
CLI=$3
SCHEMA_DIR=$4
WORK=${5:-$(mktemp -d)}
SIZE=256
SLICES=3

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 291 340 tesseract xclip dciodvfy dsrdump

mkdir -p "$WORK/config" "$WORK/Pictures"
echo "XDG_PICTURES_DIR=\"$WORK/Pictures\"" > "$WORK/config/user-dirs.dirs"

"$PHANTOM_TOOL" --size $SIZE --series $SLICES --noise -o "$WORK/ct" || { fail "CT series generated"; exit 1; }
FIRST="$WORK/ct/slice-000.dcm"
UID_FIRST=2.25.32938470134786239384601740124.901.3.0
KEPT="$WORK/data/fenestra/measurements/$UID_FIRST.json"

echo "1..15"

# open_viewer NAME: e2e-lib's start-up on the series, the measurements
# panel (F8) opened, and where the viewport is beside it (VX VY VW VH).
open_viewer () {
  start_app "$1" "$WORK/ct" || return 1
  wait_opened "$1" $SLICES || { fail "$1: the series opened"; return 1; }
  sleep 1.0
  xdotool key --window "$WIN" F8; sleep 1.5
  read -r VX VY VW VH <<<"$(viewport_on_screen "$1")"
  log "$1: viewport +$VX+$VY ${VW}x$VH"
}
# close_viewer NAME: still running (fatal criticals), stopped, no warnings.
close_viewer () {
  still_running "$1"
  stop_app
  no_warnings "$1"
}
# yellow PNG X Y R: measurement-yellow pixels within R of (X, Y).
yellow () {
  convert "$1" -crop $((2 * $4))x$((2 * $4))+$(($2 - $4))+$(($3 - $4)) +repage \
    -fuzz 12% -fill white -opaque 'rgb(255,217,25)' -fill black +opaque white -format '%[fx:round(mean*w*h)]' info:
}
# panel PNG: the side panel's text (dark on light), right of the viewport.
panel () {
  convert "$1" -crop "$((X + 1600 - VX - VW - 4))x600+$((VX + VW + 2))+$((Y + 50))" +repage -colorspace Gray \
    -resize 300% "$WORK/panel-in.png" && tesseract "$WORK/panel-in.png" - --psm 6 2>/dev/null
}
# jnum JSON NAME: a number of fenestra-cli's JSON object.
jnum () { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2" 2>/dev/null; }
# value TEXT WORD N: the number after WORD in the N-th row that has it.
value () { grep -oE "^ *$2 -?[0-9]+\.[0-9]+" <<<"$1" | sed -n "${3}p" | grep -oE -- '-?[0-9]+\.[0-9]+'; }
# drag_ellipse CX CY RX RY: image centre and radii, dragged from the centre.
drag_ellipse () {
  local ax ay bx by i
  read -r ax ay <<<"$(phantom_point "$1" "$2" "$VX" "$VY" "$VW" "$VH" $SIZE)"
  read -r bx by <<<"$(phantom_point $(($1 + $3)) $(($2 + $4)) "$VX" "$VY" "$VW" "$VH" $SIZE)"
  xdotool mousemove "$ax" "$ay" mousedown 1
  for i in $(seq 1 15); do xdotool mousemove $((ax + (bx - ax) * i / 15)) $((ay + (by - ay) * i / 15)); done
  sleep 0.2
  xdotool mouseup 1; sleep 0.8
}

# --- 1. Region statistics against the file -------------------------------------
open_viewer first || exit 1
# Noise block: x in [140.8, 204.8), y in [30.7, 81.9); flat tissue at left.
NCX=172; NCY=56; NRX=22; NRY=16
FCX=48; FCY=150; FRX=14; FRY=12
xdotool key e; sleep 0.3
drag_ellipse $NCX $NCY $NRX $NRY
drag_ellipse $FCX $FCY $FRX $FRY
xdotool key w; sleep 0.3
xdotool mousemove $((VX + 10)) $((VY + VH - 10)); sleep 0.8
shot roi
PANEL=$(panel "$WORK/roi.png")
log "panel reads: $(tr '\n' '|' <<<"$PANEL")"

# The ellipses the viewer kept, in image coordinates, and the CLI's values.
for k in 0 1; do
  ROI[$k]=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['measurements'][$k]['points']; \
print('ellipse:%r,%r,%r,%r' % (m[0], m[1], abs(m[2]-m[0]), abs(m[3]-m[1])))" "$KEPT" 2>/dev/null)
  REF[$k]=$("$CLI" measure "$FIRST" --roi "${ROI[$k]}" 2>/dev/null)
  log "kept ${ROI[$k]}; fenestra-cli measure: ${REF[$k]}"
done
REF_MEAN=$(jnum "${REF[0]}" mean); REF_SD=$(jnum "${REF[0]}" sd)
OCR_MEAN=$(value "$PANEL" mean 1); OCR_SD=$(value "$PANEL" SD 1)
log "noise ellipse: panel mean '$OCR_MEAN' SD '$OCR_SD', CLI mean $REF_MEAN SD $REF_SD"
[ -n "$OCR_MEAN" ] && [ -n "$REF_MEAN" ] && fcheck "($OCR_MEAN - $REF_MEAN)^2 < 0.006^2 && ($OCR_SD - $REF_SD)^2 < 0.006^2 && $REF_SD > 10" \
  && pass "the panel's mean and SD of the noise ellipse are the file's ($OCR_MEAN ± $OCR_SD HU)" \
  || fail "noise ellipse: panel '$OCR_MEAN' ± '$OCR_SD', CLI $REF_MEAN ± $REF_SD"
F_MEAN=$(value "$PANEL" mean 2); F_SD=$(value "$PANEL" SD 2)
log "flat ellipse: panel mean '$F_MEAN' SD '$F_SD'; CLI $(jnum "${REF[1]}" mean) ± $(jnum "${REF[1]}" sd)"
[ "$F_MEAN" = "40.00" ] && [ "$F_SD" = "0.00" ] && pass "an ellipse on flat 40 HU tissue reads mean 40.00, SD 0.00" \
  || fail "flat ellipse: '$F_MEAN' ± '$F_SD' (want 40.00 ± 0.00)"
grep -q 'area' <<<"$PANEL" && grep -q 'pixels' <<<"$PANEL" && grep -qE 'unit HU' <<<"$PANEL" \
  && pass "the panel gives pixels, area and unit in words" || fail "panel words missing"

# --- 2. Only on its own slice --------------------------------------------------
read -r EX EY <<<"$(phantom_point $((NCX + NRX)) $NCY "$VX" "$VY" "$VW" "$VH" $SIZE)"
HERE=$(yellow "$WORK/roi.png" "$EX" "$EY" 8)
xdotool key Down; sleep 1.0
shot roi-next
AWAY=$(yellow "$WORK/roi-next.png" "$EX" "$EY" 8)
PANEL_NEXT=$(panel "$WORK/roi-next.png")
xdotool key Up; sleep 1.0
shot roi-back
BACK=$(yellow "$WORK/roi-back.png" "$EX" "$EY" 8)
S_NEXT=$(phantom_slice "$WORK/roi-next.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
S_BACK=$(phantom_slice "$WORK/roi-back.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
log "yellow at the outline: $HERE drawn, $AWAY on slice $S_NEXT, $BACK back on slice $S_BACK"
[ "$HERE" -gt 5 ] && [ "$AWAY" = 0 ] && [ "$BACK" -gt 5 ] && [ "$S_NEXT" = 1 ] && [ "$S_BACK" = 0 ] \
  && pass "the ellipse shows on its slice only" || fail "ellipse: $HERE / $AWAY (slice $S_NEXT) / $BACK (slice $S_BACK)"
grep -q 'None on this image' <<<"$PANEL_NEXT" && pass "the next slice's panel lists none" \
  || fail "next slice panel: $(tr '\n' '|' <<<"$PANEL_NEXT")"
close_viewer first

# --- 3. They stay --------------------------------------------------------------
open_viewer again || exit 1
xdotool mousemove $((VX + 10)) $((VY + VH - 10)); sleep 0.8
shot roi-restart
PANEL2=$(panel "$WORK/roi-restart.png")
AGAIN=$(yellow "$WORK/roi-restart.png" "$EX" "$EY" 8)
R_MEAN=$(value "$PANEL2" mean 1); R_SD=$(value "$PANEL2" SD 1)
log "after a restart: yellow $AGAIN at the outline, panel mean '$R_MEAN' SD '$R_SD'"
[ "$AGAIN" -gt 5 ] && [ -n "$R_MEAN" ] && [ "$R_MEAN" = "$OCR_MEAN" ] && [ "$R_SD" = "$OCR_SD" ] \
  && pass "after a restart the ellipse is back with the same values" \
  || fail "restart: yellow $AGAIN, mean '$R_MEAN' SD '$R_SD' (before '$OCR_MEAN' '$OCR_SD')"

# --- 4. Structured report and CSV --------------------------------------------------
SR="$WORK/Pictures/measure-report.dcm"
export_via_menu d "$SR" sr || fail "F10, D opened no file chooser"
dciodvfy "$SR" > "$WORK/dciodvfy.txt" 2>&1
dsrdump "$SR" > "$WORK/dsrdump.txt" 2>&1
log "dciodvfy: $(grep -c '^Error' "$WORK/dciodvfy.txt") error line(s); dsrdump: $(grep -ciE 'mean' "$WORK/dsrdump.txt") mean line(s)"
[ -s "$SR" ] && ! grep -q '^Error' "$WORK/dciodvfy.txt" && pass "the exported SR passes dciodvfy (no Error lines)" \
  || fail "SR: $(ls -l "$SR" 2>&1); $(grep '^Error' "$WORK/dciodvfy.txt" | head -n3)"
# The first HU value of the report is the first ellipse's mean.
SR_MEAN=$(grep -oE "=\"-?[0-9.]+\" \(\[hnsf'U\]" "$WORK/dsrdump.txt" | head -n1 | grep -oE -- '-?[0-9.]+')
grep -qi 'mean' "$WORK/dsrdump.txt" && [ -n "$SR_MEAN" ] && fcheck "($SR_MEAN - $REF_MEAN)^2 < 1e-12" \
  && pass "dsrdump reads the report back, with the mean ($SR_MEAN HU)" || fail "dsrdump: $(head -n5 "$WORK/dsrdump.txt")"

CSV="$WORK/Pictures/measure-values.csv"
export_via_menu v "$CSV" csv || fail "F10, V opened no file chooser"
CSV_MEAN=$(awk -F, '$2 == "ellipse" { print $6; exit }' "$CSV" 2>/dev/null)
log "CSV: $(head -n1 "$CSV" 2>/dev/null | tr -d '\r'); first ellipse's mean '$CSV_MEAN'"
# The CSV writes four decimals.
[ -n "$CSV_MEAN" ] && fcheck "($CSV_MEAN - $REF_MEAN)^2 < 0.00006^2" && [ "$(grep -c ellipse "$CSV")" = 2 ] \
  && pass "the CSV export has both ellipses, the first with the file's mean" || fail "CSV: $(cat "$CSV" 2>&1 | head -n3)"

# --- 5. Select and delete --------------------------------------------------------
# The export's toast moved the viewport down: where it is now.
read -r VX VY VW VH <<<"$(viewport_on_screen again)"
log "after the toast: viewport +$VX+$VY ${VW}x$VH"
read -r EX EY <<<"$(phantom_point $((NCX + NRX)) $NCY "$VX" "$VY" "$VW" "$VH" $SIZE)"
read -r DX DY <<<"$(phantom_point $((FCX + FRX)) $FCY "$VX" "$VY" "$VW" "$VH" $SIZE)"
read -r DMX DMY <<<"$(phantom_point $FCX $((FCY - FRY)) "$VX" "$VY" "$VW" "$VH" $SIZE)"
xdotool mousemove "$DX" "$DY" click 1; sleep 0.5
shot selected
BEFORE=$(yellow "$WORK/selected.png" "$DMX" "$DMY" 8)
xdotool key Delete; sleep 0.8
xdotool mousemove $((VX + 10)) $((VY + VH - 10)); sleep 0.5
shot deleted
AFTER=$(yellow "$WORK/deleted.png" "$DMX" "$DMY" 8)
STILL=$(yellow "$WORK/deleted.png" "$EX" "$EY" 8)
PANEL3=$(panel "$WORK/deleted.png")
N_ROWS=$(grep -c 'Ellipse' <<<"$PANEL3")
log "flat ellipse top: yellow $BEFORE before, $AFTER after Delete; noise ellipse still $STILL; panel rows $N_ROWS"
[ "$BEFORE" -gt 5 ] && [ "$AFTER" = 0 ] && [ "$STILL" -gt 5 ] && [ "$N_ROWS" = 1 ] \
  && pass "a click selects the flat ellipse and Delete removes it (screen and panel)" \
  || fail "delete: $BEFORE -> $AFTER, other $STILL, rows $N_ROWS"
KEPT_N=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['measurements']))" "$KEPT" 2>/dev/null)
[ "$KEPT_N" = 1 ] && pass "the deletion is kept (one measurement in the file)" || fail "kept after delete: '$KEPT_N'"
close_viewer again

fen_e2e_finish
