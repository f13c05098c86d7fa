#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-orientation-e2e.sh: the orientation letters on the viewport's four
# edges (issue 11, bug 4), read back from screenshots with tesseract: the
# sample's axial CT shows R left, L right, A top, P bottom (radiological
# convention); H swaps left and right; Ctrl+R turns them a quarter; O hides
# them. In a 1x2 layout of the same series, a quarter turn of the active pane
# turns the other one too while zoom, pan and orientation are linked
# (Alt+Z), and no longer once the link is off. Judged from the screen,
# never from the viewer's log.
#
#   test-orientation-e2e.sh FENESTRA SCHEMA_DIR WORK_DIR MAKE_SAMPLE
set -u

FENESTRA=$1
SCHEMA_DIR=$2
WORK=${3:-$(mktemp -d)}
MAKE_SAMPLE=$4

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 291 340 tesseract

"$MAKE_SAMPLE" "$WORK/sample" >/dev/null || { fail "sample study written"; exit 1; }
echo "1..10"

start_app app "$WORK/sample" || exit 1
wait_opened app 24 || { fail "sample opened"; exit 1; }
sleep 0.5
read -r VX VY VW VH <<<"$(viewport_on_screen app)"
log "viewport +$VX+$VY ${VW}x$VH"

# letters PNG: "LEFT RIGHT TOP BOTTOM" as tesseract reads each edge's
# middle (one letter, single-line mode; a lone P reads as "p"). The side
# crops stay inside the letter's dark veil: an image edge right beside it
# (the sample's bright bar, turned to the pane's side) is not text.
edge () {
  convert "$1" -crop "$4x$5+$2+$3" +repage -colorspace Gray -level 30%,100% -resize 400% -negate \
    -bordercolor white -border 20 "$WORK/edge.png" &&
    tesseract "$WORK/edge.png" - --psm 7 2>/dev/null | tr 'a-z' 'A-Z' | tr -cd 'RLAPHF'
}
letters () {
  local l r t b
  l=$(edge "$1" $((VX + 4)) $((VY + VH / 2 - 9)) 16 18)
  r=$(edge "$1" $((VX + VW - 20)) $((VY + VH / 2 - 9)) 16 18)
  t=$(edge "$1" $((VX + VW / 2 - 30)) "$VY" 60 30)
  # Above the scale bar and its label.
  b=$(edge "$1" $((VX + VW / 2 - 30)) $((VY + VH - 72)) 60 36)
  echo "${l:--} ${r:--} ${t:--} ${b:--}"
}
check () { # NAME EXPECTED PNG
  local got
  got=$(letters "$3")
  [ "$got" = "$2" ] && pass "$1: edges read \"$got\"" || fail "$1: edges read \"$got\", expected \"$2\""
}

xdotool mousemove $((VX + VW / 2)) $((VY + VH / 2)) click 1
sleep 0.5
shot plain
check "axial, as stored" "R L A P" "$WORK/plain.png"
xdotool key h
sleep 0.8
shot flipped
check "flipped left-right (H)" "L R A P" "$WORK/flipped.png"
xdotool key h ctrl+r
sleep 0.8
shot turned
# Turned a quarter clockwise: what was on top (A) is on the right.
check "turned a quarter (Ctrl+R)" "P A R L" "$WORK/turned.png"
xdotool key o
sleep 0.8
shot hidden
# Nothing there to read: the four edge regions hold no bright pixel at all
# (OCR on an empty crop reads noise as letters).
BRIGHT=0
for region in "40x40+$VX+$((VY + VH / 2 - 20))" "40x40+$((VX + VW - 40))+$((VY + VH / 2 - 20))" \
              "60x30+$((VX + VW / 2 - 30))+$VY" "60x36+$((VX + VW / 2 - 30))+$((VY + VH - 72))"; do
  m=$(convert "$WORK/hidden.png" -crop "$region" +repage -colorspace Gray -format '%[fx:maxima]' info:)
  fcheck "$m > 0.5" && BRIGHT=$((BRIGHT + 1))
done
[ "$BRIGHT" = 0 ] && pass "overlays hidden (O): no letter at any edge" \
  || fail "overlays hidden (O): $BRIGHT edge(s) still show something"

# --- Linked orientation in 1x2 ----------------------------------------------
xdotool key o
# Left pane first (one row: left to right).
layout app alt+2 2 > "$WORK/geometry.txt"
read -r LX LY LW LH <<<"$(sed -n 1p "$WORK/geometry.txt")"
read -r RX RY RW RH <<<"$(sed -n 2p "$WORK/geometry.txt")"
log "left pane +$LX+$LY ${LW}x$LH, right pane +$RX+$RY ${RW}x$RH"
# Both panes' letters from one screenshot: "LEFT PANE | RIGHT PANE".
both () {
  local left right
  VX=$LX VY=$LY VW=$LW VH=$LH left=$(letters "$1")
  VX=$RX VY=$RY VW=$RW VH=$RH right=$(letters "$1")
  echo "$left | $right"
}
check_both () { # NAME EXPECTED PNG
  local got
  got=$(both "$3")
  [ "$got" = "$2" ] && pass "$1: edges read \"$got\"" || fail "$1: edges read \"$got\", expected \"$2\""
}
# The left pane is active (it was the only one); the turn of the single
# layout is kept, so both start turned a quarter.
xdotool mousemove $((LX + LW / 2)) $((LY + LH / 2)) click 1
sleep 0.5
shot pair
check_both "1x2, one series, linked" "P A R L | P A R L" "$WORK/pair.png"
xdotool key ctrl+r
sleep 0.8
shot pair-turned
check_both "a quarter turn of the active pane turns the linked one" "L R P A | L R P A" "$WORK/pair-turned.png"
xdotool key alt+z ctrl+r
sleep 0.8
shot pair-unlinked
check_both "with zoom, pan and orientation unlinked (Alt+Z) only the active pane turns" "A P L R | L R P A" \
  "$WORK/pair-unlinked.png"
still_running app
stop_app
no_warnings app

fen_e2e_finish
