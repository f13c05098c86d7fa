#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-reading-e2e.sh: the bugs a new user met in the first hour (issue 11),
# each driven through the real fenestra under Xvfb with xdotool and judged
# from screenshots: which slice (the phantom's bars), which way up (its bone
# insert), what the overlay says (tesseract), what else is on screen.
#
#   test-reading-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR MAKE_SAMPLE MAKE_FIXTURE
#
# 1. A series whose files sort in the reverse of the series order opens on
#    its first slice; arrow keys change the slice even with the sidebar
#    focused.
# 2. Measurements belong to their slice; two coexist; a scale bar in mm.
# 3. Escape closes the tag browser; the shortcuts window fits the screen;
#    key 4 is CT's lung window whatever the file holds, Shift+1 the file's;
#    Ctrl+E exports into Pictures under the series and slice's name, and a
#    toast says so.
# 4. 1x2 of CT and NM: a window drag on CT leaves the NM pane's window; the
#    NM pane's window reads with the decimals its values need (HU x 0.01).
# 5. 2x2 with two series shows each twice (A B / A B); the links show as
#    check marks in the Layout menu and as a line in each pane.
# 6. fen-make-sample --help prints help and creates nothing.
# 7. The same folder twice and three broken files: one series of 12 images;
#    the banner counts the three failures and Show All lists each by name.
# 8. CT, NM, MR, RGB and a multi-frame image: clicking through the sidebar
#    while the tag browser opens and closes raises no critical (bug 14).
# The viewer runs with G_DEBUG=fatal-criticals. Exit 0 pass, 1 fail.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
MAKE_SAMPLE=$5
MAKE_FIXTURE=$6
SIZE=256
SLICES=12

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 241 290 tesseract

# Exports go to the user's Pictures folder (xdg-user-dirs).
mkdir -p "$WORK/config" "$WORK/Pictures"
echo "XDG_PICTURES_DIR=\"$WORK/Pictures\"" > "$WORK/config/user-dirs.dirs"

"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 0 --reverse-names -o "$WORK/ct" \
  || { fail "CT series generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 1 --z-offset 100 --modality NM --slope 0.01 --unit CNTS \
  -o "$WORK/nm" || { fail "NM series generated"; exit 1; }

echo "1..28"

# open_app NAME ARGS...: start_app, then until every file has loaded: one
# open of EXPECT images, else of a series per argument.
open_app () {
  local name=$1
  shift
  start_app "$name" "$@" || return 1
  wait_opened "$name" "${EXPECT:-$(( $# * SLICES ))}" || fail "$name: the files opened"
  sleep 0.5
}
# yellow PNG X Y R: measurement-yellow pixels within R of (X, Y).
yellow () {
  convert "$1" -crop $((2 * $4))x$((2 * $4))+$(($2 - $4))+$(($3 - $4)) +repage \
    -fuzz 12% -fill white -opaque 'rgb(255,217,25)' -fill black +opaque white -format '%[fx:round(mean*w*h)]' info:
}

# --- 1. First slice in series order; arrow keys -------------------------------
open_app single "$WORK/ct" || exit 1
read -r VX VY VW VH <<<"$(viewport_on_screen single)"
log "viewport +$VX+$VY ${VW}x$VH"
shot opened
S=$(phantom_slice "$WORK/opened.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
U=$(phantom_upright "$WORK/opened.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
log "opened on the slice whose bars read $S (files named last slice first), upright: $U"
[ "$S" = 0 ] && [ "$U" = yes ] && pass "the series opens on its first slice in series order, upright (bars read 0)" \
  || fail "opened on slice $S, upright $U (want 0, yes)"

# The scale bar: "2 cm" under a white bar as long as 20 mm at this zoom
# (0.5 mm pixels, the image fitted to the viewport's height), bottom centre.
BAR_Y=$((VY + VH - 15))
BAR_PX=$(convert "$WORK/opened.png" -crop "$((VW / 3))x1+$((VX + VW / 3))+${BAR_Y}" +repage -colorspace Gray -threshold 80% \
  -format '%[fx:round(mean*w)]' info:)
BAR_WANT=$(awk -v h="$VH" -v w="$VW" -v s=$SIZE 'BEGIN { z = w / s < h / s ? w / s : h / s; printf "%.1f", 40 * z }')
OCR_BAR=$(ocr "$WORK/opened.png" $((VX + VW / 2 - 60)) $((VY + VH - 40)) 120 24)
log "scale bar: $BAR_PX px white, 20 mm is $BAR_WANT px; label '$OCR_BAR'"
fcheck "($BAR_PX - $BAR_WANT)^2 < 9" && grep -q '2 *cm' <<<"$OCR_BAR" && pass "a 2 cm scale bar of the right length ($BAR_PX px)" \
  || fail "scale bar $BAR_PX px (want $BAR_WANT), label '$OCR_BAR'"

# Focus the sidebar's list (its first row, top left), then the arrows.
xdotool mousemove $((X + 120)) $((Y + 90)) click 1
sleep 0.5
xdotool key Down; sleep 0.3; xdotool key Down; sleep 0.3; xdotool key Down; sleep 0.8
shot down3
S3=$(phantom_slice "$WORK/down3.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
xdotool key Right; sleep 0.8
shot right
S4=$(phantom_slice "$WORK/right.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
xdotool key Up; sleep 0.3; xdotool key Left; sleep 0.8
shot upleft
S2=$(phantom_slice "$WORK/upleft.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
log "sidebar focused: Down x3 -> $S3, Right -> $S4, Up, Left -> $S2"
[ "$S3" = 3 ] && [ "$S4" = 4 ] && [ "$S2" = 2 ] && pass "arrow keys change the slice with the sidebar focused (3, 4, 2)" \
  || fail "arrow keys: $S3 $S4 $S2 (want 3 4 2)"

# --- 2. Measurements belong to their slice ------------------------------------
xdotool key m; sleep 0.3
read -r AX AY <<<"$(phantom_point 40 40 "$VX" "$VY" "$VW" "$VH" $SIZE)"
read -r BX BY <<<"$(phantom_point 100 40 "$VX" "$VY" "$VW" "$VH" $SIZE)"
xdotool mousemove "$AX" "$AY" mousedown 1
for i in $(seq 1 20); do xdotool mousemove $((AX + (BX - AX) * i / 20)) "$AY"; done
xdotool mouseup 1; sleep 0.5
MID1X=$(((AX + BX) / 2))
xdotool key Down; sleep 0.8
shot measure-other
ON_OTHER=$(yellow "$WORK/measure-other.png" "$MID1X" "$AY" 12)
read -r CX CY <<<"$(phantom_point 40 60 "$VX" "$VY" "$VW" "$VH" $SIZE)"
read -r DX DY <<<"$(phantom_point 40 110 "$VX" "$VY" "$VW" "$VH" $SIZE)"
xdotool mousemove "$CX" "$CY" mousedown 1
for i in $(seq 1 20); do xdotool mousemove "$CX" $((CY + (DY - CY) * i / 20)); done
xdotool mouseup 1; sleep 0.5
MID2Y=$(((CY + DY) / 2))
shot measure-second
SECOND=$(yellow "$WORK/measure-second.png" "$CX" "$MID2Y" 12)
FIRST_GONE=$(yellow "$WORK/measure-second.png" "$MID1X" "$AY" 12)
xdotool key Up; sleep 0.8
shot measure-back
FIRST_BACK=$(yellow "$WORK/measure-back.png" "$MID1X" "$AY" 12)
SECOND_HERE=$(yellow "$WORK/measure-back.png" "$CX" "$MID2Y" 12)
SB=$(phantom_slice "$WORK/measure-back.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
log "yellow pixels: line 1 on the next slice $ON_OTHER; line 2 there $SECOND (line 1 $FIRST_GONE); back on slice $SB: line 1 $FIRST_BACK, line 2 $SECOND_HERE"
[ "$ON_OTHER" -eq 0 ] && [ "$FIRST_GONE" -eq 0 ] && [ "$SECOND_HERE" -eq 0 ] && [ "$SECOND" -gt 20 ] && [ "$FIRST_BACK" -gt 20 ] && [ "$SB" = 2 ] \
  && pass "a measurement stays on its slice, a second one does not replace the first" \
  || fail "measurements: $ON_OTHER $SECOND $FIRST_GONE $FIRST_BACK $SECOND_HERE on slice $SB"
xdotool key m; sleep 0.3

# --- 3. Escape closes the tag browser -------------------------------------------
xdotool key ctrl+t; sleep 1.5
TAGS=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -vc "^$WIN\$")
xdotool key Escape; sleep 1.0
TAGS_AFTER=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -vc "^$WIN\$")
log "visible windows besides the main one: $TAGS with the tag browser, $TAGS_AFTER after Escape"
[ "$TAGS" -ge 1 ] && [ "$TAGS_AFTER" = 0 ] && pass "Escape closes the tag browser" \
  || fail "tag browser windows: $TAGS, after Escape $TAGS_AFTER"

# The shortcuts window: narrower than the screen, no GtkLabel warnings.
xdotool key ctrl+question; sleep 1.5
HELP=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -v "^$WIN\$" | head -n1)
HELP_W=0 HELP_H=0
if [ -n "$HELP" ]; then
  HELP_W=$(xdotool getwindowgeometry --shell "$HELP" | sed -n 's/^WIDTH=//p')
  HELP_H=$(xdotool getwindowgeometry --shell "$HELP" | sed -n 's/^HEIGHT=//p')
  shot shortcuts
fi
xdotool key Escape; sleep 0.8
log "shortcuts window: $HELP_W x $HELP_H px (screen 1920 x 1200)"
[ -n "$HELP" ] && [ "$HELP_W" -gt 300 ] && [ "$HELP_W" -le 1600 ] && [ "$HELP_H" -le 1200 ] \
  && pass "the shortcuts window fits the screen ($HELP_W x $HELP_H px)" \
  || fail "shortcuts window $HELP_W x $HELP_H px"

# Presets: 4 is the lung window on every CT; Shift+1 the file's first window.
xdotool mousemove $((VX + VW / 2)) $((VY + VH / 2)); sleep 0.2
xdotool key 4; sleep 0.8
shot preset-lung
OCR_LUNG=$(ocr "$WORK/preset-lung.png" "$VX" $((VY + VH - 70)) 420 70)
xdotool key shift+1; sleep 0.8
shot preset-file
OCR_FILE=$(ocr "$WORK/preset-file.png" "$VX" $((VY + VH - 70)) 420 70)
log "after 4: $OCR_LUNG; after Shift+1: $OCR_FILE"
grep -q 'W 1500 *L -600 *HU' <<<"$OCR_LUNG" && grep -q 'W 400 *L 40 *HU' <<<"$OCR_FILE" \
  && pass "key 4 is CT's lung window (W 1500 L -600), Shift+1 the file's own (W 400 L 40)" \
  || fail "presets: after 4 '$OCR_LUNG', after Shift+1 '$OCR_FILE'"

# Export: the chooser opens in Pictures with a name from series and slice;
# Return accepts it.
xdotool key ctrl+e; sleep 2.0
xdotool key Return; sleep 1.5
shot exported
EXPORTED=$(ls "$WORK/Pictures" 2>/dev/null | tr '\n' ' ')
OCR_TOAST=$(ocr "$WORK/exported.png" "$X" $((Y + 50)) 900 46)
log "Pictures holds: $EXPORTED; the toast reads: $OCR_TOAST"
[ "$EXPORTED" = "CT-series2-slice003.png " ] && [ -s "$WORK/Pictures/CT-series2-slice003.png" ] && [ ! -e "$WORK/view.png" ] \
  && pass "Ctrl+E exports CT-series2-slice003.png into Pictures" || fail "export wrote '$EXPORTED'"
grep -q 'Exported CT-series2-slice003.png' <<<"$OCR_TOAST" && pass "a toast confirms the export" \
  || fail "toast: '$OCR_TOAST'"
still_running single
stop_app
no_warnings single

# --- 4. CT and NM side by side ------------------------------------------------
open_app pair "$WORK/ct" "$WORK/nm" || exit 1
xdotool mousemove 800 500 click 1; sleep 0.3
read -r LX LY LW LH RX RY RW RH <<<"$(layout pair alt+2 2 | tr '\n' ' ')"
log "left +$LX+$LY ${LW}x$LH, right +$RX+$RY ${RW}x$RH"
shot pair-before
SL=$(phantom_slice "$WORK/pair-before.png" "$LX" "$LY" "$LW" "$LH" $SIZE)
SR=$(phantom_slice "$WORK/pair-before.png" "$RX" "$RY" "$RW" "$RH" $SIZE)
log "bars: left $SL, right $SR"
[ "$SL" = 0 ] && [ "$SR" = 100 ] && pass "1x2: CT on the left (bars 0), NM on the right (bars 100)" \
  || fail "1x2 panes show $SL and $SR (want 0, 100)"
read -r TLX TLY <<<"$(phantom_point 160 150 "$LX" "$LY" "$LW" "$LH" $SIZE)"
read -r TRX TRY <<<"$(phantom_point 160 150 "$RX" "$RY" "$RW" "$RH" $SIZE)"
GL0=$(patch_mean "$WORK/pair-before.png" "$TLX" "$TLY" 10)
GR0=$(patch_mean "$WORK/pair-before.png" "$TRX" "$TRY" 10)
# The NM pane's overlay, bottom left: its window in its own units.
OCR_NM=$(ocr "$WORK/pair-before.png" "$RX" $((RY + RH - 90)) 420 90)
log "NM overlay reads: $OCR_NM"
grep -q "W 4\.00 *L 0\.40 *CNTS" <<<"$OCR_NM" && pass "the NM window reads W 4.00 L 0.40 CNTS (decimals and unit)" \
  || fail "NM overlay: '$OCR_NM' (want W 4.00 L 0.40 CNTS)"
OCR_CT=$(ocr "$WORK/pair-before.png" "$LX" $((LY + LH - 90)) 420 90)
log "CT overlay reads: $OCR_CT"
grep -q 'W 400 *L 40 *HU' <<<"$OCR_CT" && pass "the CT window reads W 400 L 40 HU" || fail "CT overlay: '$OCR_CT'"

LCX=$((LX + LW / 2)); LCY=$((LY + LH / 2))
xdotool mousemove "$LCX" "$LCY"; sleep 0.2
xdotool mousedown 1
for i in $(seq 1 60); do xdotool mousemove $((LCX + i * 2)) $((LCY - i)); done
sleep 0.3
xdotool mouseup 1; sleep 1.0
shot pair-dragged
GL1=$(patch_mean "$WORK/pair-dragged.png" "$TLX" "$TLY" 10)
GR1=$(patch_mean "$WORK/pair-dragged.png" "$TRX" "$TRY" 10)
log "tissue grey: CT $GL0 -> $GL1, NM $GR0 -> $GR1"
fcheck "($GL1 - $GL0)^2 > 25 && ($GR1 - $GR0)^2 < 1" && pass "a CT window drag leaves the NM pane's window (W/L linked only within one modality and unit)" \
  || fail "CT grey $GL0 -> $GL1, NM grey $GR0 -> $GR1"

# Zoom link: "+" twice over the left pane zooms both; with Alt+Z off, "-"
# zooms the left one alone.
xdotool mousemove "$LCX" "$LCY"; sleep 0.2
xdotool key plus; sleep 0.3; xdotool key plus; sleep 0.8
shot zoomed
xdotool key alt+z; sleep 0.3; xdotool key minus; sleep 0.8
shot zoomed-unlinked
xdotool key alt+z; sleep 0.3
xdotool key f; sleep 0.8   # fitted again (linked), for the 2x2 below
Z_L=$(ocr "$WORK/zoomed.png" "$LX" $((LY + LH - 40)) 300 40 | grep -oE 'Zoom [0-9]+' | head -n1)
Z_R=$(ocr "$WORK/zoomed.png" "$RX" $((RY + RH - 40)) 300 40 | grep -oE 'Zoom [0-9]+' | head -n1)
U_L=$(ocr "$WORK/zoomed-unlinked.png" "$LX" $((LY + LH - 40)) 300 40 | grep -oE 'Zoom [0-9]+' | head -n1)
U_R=$(ocr "$WORK/zoomed-unlinked.png" "$RX" $((RY + RH - 40)) 300 40 | grep -oE 'Zoom [0-9]+' | head -n1)
log "zoom linked: left '$Z_L', right '$Z_R'; unlinked after '-': left '$U_L', right '$U_R'"
[ -n "$Z_L" ] && [ "$Z_L" = "$Z_R" ] && [ "$Z_L" != "Zoom 266" ] && [ "$U_R" = "$Z_R" ] && [ "$U_L" != "$Z_L" ] \
  && pass "zoom is linked through the binding, and not when the link is off" || fail "zoom link: $Z_L $Z_R / $U_L $U_R"

# --- 5. 2x2 with two series -----------------------------------------------------
layout pair alt+4 4 > "$WORK/quad.txt"
shot quad
QUAD=
while read -r qx qy qw qh; do
  QUAD="$QUAD $(phantom_slice "$WORK/quad.png" "$qx" "$qy" "$qw" "$qh" $SIZE)"
done < "$WORK/quad.txt"
read -r Q1X Q1Y _ Q1H < "$WORK/quad.txt"
log "2x2 panes (rows top to bottom, left to right) show bars:$QUAD"

# Links: check marks in the Layout menu, and the state in each pane.
xdotool mousemove $((X + 236)) $((Y + 26)) click 1; sleep 1.0
shot layout-menu
xdotool key Escape; sleep 0.5
OCR_LINKS=$(ocr "$WORK/quad.png" "$Q1X" $((Q1Y + Q1H - 70)) 420 70)
xdotool key alt+w; sleep 0.8
shot links-off
OCR_LINKS_OFF=$(ocr "$WORK/links-off.png" "$Q1X" $((Q1Y + Q1H - 70)) 420 70)
xdotool mousemove $((X + 236)) $((Y + 26)) click 1; sleep 1.0
shot layout-menu-off
xdotool key Escape; sleep 0.5
# The check mark left of "Window / level" (third item of the link section).
MARK_ON=$(patch_mean "$WORK/layout-menu.png" $((X + 27)) $((Y + 287)) 10)
MARK_OFF=$(patch_mean "$WORK/layout-menu-off.png" $((X + 27)) $((Y + 287)) 10)
log "pane overlay: '$OCR_LINKS', after Alt+W: '$OCR_LINKS_OFF'; menu check mark grey $MARK_ON on, $MARK_OFF off"
grep -q 'Linked: scroll W/L zoom' <<<"$OCR_LINKS" && grep -q 'Linked: scroll zoom' <<<"$OCR_LINKS_OFF" \
  && fcheck "$MARK_ON > $MARK_OFF + 15" && pass "the links show as check marks in the Layout menu and in each pane" \
  || fail "links: '$OCR_LINKS' / '$OCR_LINKS_OFF', check mark $MARK_ON / $MARK_OFF"
[ "$QUAD" = " 0 100 0 100" ] && pass "2x2 with two series shows each twice (A B / A B)" || fail "2x2 shows$QUAD (want 0 100 0 100)"
still_running pair
stop_app
no_warnings pair

# --- 6. fen-make-sample --help ------------------------------------------------
( cd "$WORK" && "$MAKE_SAMPLE" --help > "$WORK/sample-help.txt" 2>&1 )
STATUS=$?
if [ "$STATUS" = 0 ] && grep -q 'Usage' "$WORK/sample-help.txt" && [ ! -e "$WORK/--help" ]; then
  pass "fen-make-sample --help prints its usage and creates no folder"
else
  fail "fen-make-sample --help: status $STATUS, $(head -n1 "$WORK/sample-help.txt"), folder: $(ls -d "$WORK/--help" 2>/dev/null)"
fi

# --- 7. Duplicates and failures ------------------------------------------------
mkdir -p "$WORK/broken"
head -c 4096 /dev/urandom > "$WORK/broken/broken-a.dcm"
{ head -c 128 /dev/zero; printf 'DICM\002\000\000\000UL\004\000'; } > "$WORK/broken/broken-b.dcm"
: > "$WORK/broken/broken-c.dcm"
EXPECT=24 open_app dup "$WORK/ct" "$WORK/ct" "$WORK/broken" || exit 1
xdotool mousemove $((X + 800)) $((Y + 600)); sleep 1.0   # no tooltip over the banner
shot dup
OCR_BANNER=$(ocr "$WORK/dup.png" "$X" $((Y + 50)) 1300 46)
OCR_SIDEBAR=$(ocr "$WORK/dup.png" $((X + 85)) $((Y + 118)) 140 40)
log "banner: '$OCR_BANNER'; sidebar: '$OCR_SIDEBAR'"
grep -q '3 files could not be opened' <<<"$OCR_BANNER" && pass "the banner says how many files failed (3)" \
  || fail "banner: '$OCR_BANNER'"
grep -q '12 images' <<<"$OCR_SIDEBAR" && pass "the same folder opened twice is one series of 12 images" \
  || fail "sidebar: '$OCR_SIDEBAR'"
# Show All: the button left of the banner's close button.
xdotool mousemove $((X + 1600 - 95)) $((Y + 72)) click 1; sleep 1.5
PROBLEMS=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -v "^$WIN\$" | head -n1)
OCR_LIST=
if [ -n "$PROBLEMS" ]; then
  eval "$(xdotool getwindowgeometry --shell "$PROBLEMS" | sed 's/^/P_/')"
  shot problems
  OCR_LIST=$(ocr "$WORK/problems.png" "$P_X" "$P_Y" "$P_WIDTH" "$P_HEIGHT")
fi
log "the list reads: $OCR_LIST"
grep -q 'broken-a.dcm' <<<"$OCR_LIST" && grep -q 'broken-b.dcm' <<<"$OCR_LIST" && grep -q 'broken-c.dcm' <<<"$OCR_LIST" \
  && pass "Show All lists every file that failed, by name" || fail "problem list: '$OCR_LIST'"
xdotool key Escape; sleep 0.5
still_running dup
stop_app
no_warnings dup

# --- 8. A mix of modalities, the sidebar and the tag browser ---------------------
mkdir -p "$WORK/mix"
for kind in mr rgb multiframe mono1 rtdose seg; do
  "$MAKE_FIXTURE" --kind $kind --rows 64 --cols 80 -o "$WORK/mix/$kind.dcm" || fail "fixture $kind generated"
done
EXPECT=30 open_app mix "$WORK/ct" "$WORK/nm" "$WORK/mix" || exit 1
# Xvfb has no window manager: the tag browser opens at 0,0, over the
# sidebar; move it aside each time it appears.
aside () {
  local w
  for w in $(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null); do
    [ "$w" = "$WIN" ] || xdotool windowmove "$w" 1000 300
  done
}
SEEN=
for round in 1 2 3; do
  for k in 0 1 2 3 4 5 6 7; do
    xdotool mousemove $((X + 120)) $((Y + 90 + 66 * k)) click 1; sleep 0.25
    if [ $((k % 2)) = 0 ]; then xdotool key ctrl+t; sleep 0.4; aside; sleep 0.2; fi
    xdotool key Down; sleep 0.1
    [ "$round" = 1 ] && { shot "mix-$k"; SEEN="$SEEN $(ocr "$WORK/mix-$k.png" $((X + 1600 - 300)) $((Y + 52)) 300 20)"; }
  done
done
sleep 0.5
shot mix
log "modalities on screen while clicking through:$SEEN"
still_running mix
stop_app
no_warnings mix

fen_e2e_finish
