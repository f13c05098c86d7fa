#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-difference-e2e.sh: the difference and flicker modes in the real
# fenestra under Xvfb, driven with xdotool.
#
#   test-difference-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR [SCREENSHOT]
#
# Two studies of 12 slices share a Frame of Reference UID; the second starts
# two slices further along the normal (z-offset 2) and has a 140 HU lesion in
# the tissue (40 HU). In 1x2, five slices down in the left pane the right one
# must follow by position (its slice 3, the same z); D then shows left minus
# right: -100 HU in the lesion, 0 elsewhere, so the screenshot must show the
# lesion's grey and mid grey around it as PS3.3 C.11.2.1.2 predicts from the
# logged difference window, and the memory log must show no store bytes
# added. A left drag changes the difference window; Shift+D flickers.
# Exit 0 pass, 1 fail, 77 skip.
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SIZE=256
SLICES=12

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 191 240

SHOT_OUT=${5:-}
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 0 --frame-of-reference 1 -o "$WORK/study-a" \
  || { fail "study A generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 1 --frame-of-reference 1 --z-offset 2 --lesion \
  -o "$WORK/study-b" || { fail "study B generated"; exit 1; }

predict_grey () {
  awk -v x="$1" -v c="$2" -v w="$3" 'BEGIN {
    if (x <= c - 0.5 - (w - 1) / 2) y = 0;
    else if (x > c - 0.5 + (w - 1) / 2) y = 255;
    else y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255;
    printf "%.3f", y }'
}

echo "1..9"

: > "$WORK/diff.err"
stdbuf -oL "$FENESTRA" --new-instance --memory-log "$WORK/diff.jsonl" "$WORK/study-a" "$WORK/study-b" \
  >"$WORK/diff.out" 2>"$WORK/diff.err" &
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
  [ "$(grep -c '"op":"open img-' "$WORK/diff.jsonl" 2>/dev/null)" -ge $((2 * SLICES)) ] && break
  sleep 0.1
done
sleep 1.0
PIXELS=$((2 * SLICES * SIZE * SIZE * 2))

LINES_BEFORE=$(wc -l < "$WORK/diff.out")
xdotool mousemove 800 500 click 1
sleep 0.3
xdotool key alt+2
sleep 1.5
tail -n +"$LINES_BEFORE" "$WORK/diff.out" | grep -E 'geometry: x=' | tail -n 2 | sort -t= -k2 -n > "$WORK/geometry.txt"
eval "$(xdotool getwindowgeometry --shell "$WIN")"
read -r LX LY LW LH <<<"$(head -n1 "$WORK/geometry.txt" | sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/')"
read -r RX RY RW RH <<<"$(tail -n1 "$WORK/geometry.txt" | sed -E 's/.*x=([0-9-]+) y=([0-9-]+) width=([0-9]+) height=([0-9]+).*/\1 \2 \3 \4/')"
log "left pane +$LX+$LY ${LW}x$LH, right pane +$RX+$RY ${RW}x$RH"
fcheck "$RX > $LX + 100 && $RW > 200 && $LW > 200" && pass "1x2: two viewports side by side" || fail "geometry: $(cat "$WORK/geometry.txt")"

# Screen point of image point ($1, $2) in the left pane (fitted, centred).
left_point () {
  awk -v ix="$1" -v iy="$2" -v x="$X" -v y="$Y" -v vx="$LX" -v vy="$LY" -v w="$LW" -v h="$LH" -v s="$SIZE" 'BEGIN {
    z = w / s < h / s ? w / s : h / s;
    printf "%d %d", x + vx + w / 2 + (ix - s / 2) * z, y + vy + h / 2 + (iy - s / 2) * z }'
}

# --- Scroll: the right pane follows by position ------------------------------
LCX=$((X + LX + LW / 2)); LCY=$((Y + LY + LH / 2))
xdotool mousemove "$LCX" "$LCY"
sleep 0.2
for _ in 1 2 3 4 5; do xdotool click 5; sleep 0.15; done
sleep 1.0
if grep -q 'pane 1 follows slice 3 by position' "$WORK/diff.out"; then
  pass "one frame of reference: left slice 5 (z 5) -> right slice 3 (z 5), by position"
else
  fail "right pane did not follow slice 3 by position: $(grep 'pane 1 follows' "$WORK/diff.out" | tail -n 2 | tr '\n' ' ')"
fi

# --- D: the difference -------------------------------------------------------
xdotool key d
sleep 1.2
DW=$(grep -E 'difference window default:' "$WORK/diff.out" | tail -n1)
C=$(sed -E 's/.*center=([-0-9.]+).*/\1/' <<<"$DW")
W=$(sed -E 's/.*width=([-0-9.]+).*/\1/' <<<"$DW")
grep -q 'compare img-[0-9]* with img-[0-9]*: pixel for pixel' "$WORK/diff.out" && [ -n "$W" ] \
  && pass "difference mode on: $(grep -o 'compare img-[0-9]* with img-[0-9]*: pixel for pixel' "$WORK/diff.out" | tail -n1), window C $C W $W" \
  || fail "no difference mode in the log"
import -window root "$WORK/difference.png"
read -r PX PY <<<"$(left_point 172 57)"       # the lesion: 40 - 140 = -100 HU
read -r QX QY <<<"$(left_point 200 150)"      # tissue in both: 0
read -r AX AY <<<"$(left_point 12 12)"        # air in both: 0
read -r BX BY <<<"$(left_point 106 112)"      # slice 5's block, the same in both: 0
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

# --- Left drag: the difference's own window ----------------------------------
xdotool mousemove "$LCX" "$LCY"
sleep 0.2
xdotool mousedown 1
for i in $(seq 1 40); do xdotool mousemove $((LCX - i * 2)) $((LCY)); done
sleep 0.3
xdotool mouseup 1
sleep 1.0
DW2=$(grep -E 'difference window drag:' "$WORK/diff.out" | tail -n1)
C2=$(sed -E 's/.*center=([-0-9.]+).*/\1/' <<<"$DW2")
W2=$(sed -E 's/.*width=([-0-9.]+).*/\1/' <<<"$DW2")
import -window root "$WORK/difference-drag.png"
G2=$(patch_mean "$WORK/difference-drag.png" "$PX" "$PY" 10)
WANT2=$(predict_grey -100 "${C2:-0}" "${W2:-1}")
IMG_W=$(grep -E 'window (default|drag|preset)' "$WORK/diff.out" | grep -v difference | tail -n1)
log "after the drag: difference W $W2 C $C2, lesion $G2 (want $WANT2); image window still: $IMG_W"
fcheck "${W2:-0} < $W && ($G2 - $WANT2)^2 < 6.25" && grep -q '"op":"difference-drag img-' "$WORK/diff.jsonl" \
  && pass "a left drag narrows the difference window ($W -> $W2), not the image's; lesion $G2" \
  || fail "difference drag: W $W -> ${W2:-none}, lesion $G2 want $WANT2"

# --- Shift+D: flicker, and stopping it ---------------------------------------
xdotool key shift+d
sleep 2.2
N1=$(grep -c 'flicker: ' "$WORK/diff.out")
xdotool key shift+d
sleep 0.3
N2=$(grep -c 'flicker: ' "$WORK/diff.out")
sleep 1.5
N3=$(grep -c 'flicker: ' "$WORK/diff.out")
F_DELTA=$(json_field "flicker " delta.store "$WORK/diff.jsonl")
log "flicker toggles: $N1 in 2.2 s, $N2 at stop, $N3 1.5 s later; store delta $F_DELTA"
fcheck "$N1 >= 3 && $N3 == $N2" && grep -q 'flicker: partner' "$WORK/diff.out" && [ "$F_DELTA" = 0 ] \
  && pass "Shift+D alternates the two images every 500 ms and stops on Shift+D again; nothing stored" \
  || fail "flicker: $N1 / $N2 / $N3 toggles, store delta $F_DELTA"

kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null; APP_PID=
if grep -E 'Gtk-WARNING|Gtk-CRITICAL|GLib-.*CRITICAL|WARNING \*\*' "$WORK/diff.err"; then
  fail "GTK/GLib warnings on stderr"
else
  pass "no GTK or GLib warning or critical on stderr"
fi
[ "$FAILURES" = 0 ] || { log "$FAILURES failure(s); work files in $WORK"; exit 1; }
exit 0
