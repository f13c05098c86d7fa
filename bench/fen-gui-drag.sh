#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# fen-gui-drag.sh: the CPU a window/level drag costs in the viewer, beside
# Aeskulap (Debian's GTK DICOM viewer, DCMTK's renderer) on the same 2800 x
# 2800 CT, in the same 1600 x 1000 window, under the same Xvfb, with the
# same xdotool drag, and beside the headless figure (fenestra-cli wl-bench)
# for the viewport size (issue 14, point 4). A benchmark, not a test:
# rounds alternate the two viewers so the machine's load falls on both;
# the medians are printed. With --perf, the viewer's drag is also recorded
# with perf and its top symbols printed.
#
#   fen-gui-drag.sh FENESTRA FENESTRA_CLI FIXTURE_TOOL SCHEMA_DIR [--perf] [ROUNDS]
set -u
FENESTRA=$1 FENESTRA_CLI=$2 FIXTURE_TOOL=$3 SCHEMA_DIR=$4
PERF=; [ "${5:-}" = --perf ] && { PERF=1; shift; }
ROUNDS=${5:-3}
EVENTS=200
for tool in Xvfb xdotool aeskulap; do
  command -v "$tool" >/dev/null || { echo "fen-gui-drag: $tool is missing (tools/deps.sh installs it)" >&2; exit 1; }
done
[ -z "$PERF" ] || command -v perf >/dev/null || { echo "fen-gui-drag: perf is missing" >&2; exit 1; }

WORK=$(mktemp -d)
DISPLAY_NUM=
for n in $(seq 400 440); do
  [ ! -e /tmp/.X11-unix/X$n ] && [ ! -e /tmp/.X$n-lock ] && { DISPLAY_NUM=$n; break; }
done
[ -n "$DISPLAY_NUM" ] || { echo "fen-gui-drag: no free display" >&2; exit 1; }
Xvfb :$DISPLAY_NUM -screen 0 1920x1200x24 -nolisten tcp -noreset >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
APP_PID=
cleanup () { [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null; kill "$XVFB_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
export DISPLAY=:$DISPLAY_NUM
for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
unset WAYLAND_DISPLAY GTK_THEME
export GDK_BACKEND=x11 GDK_SCALE=1 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 LC_ALL=C
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR=$SCHEMA_DIR
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache HOME=$WORK

"$FIXTURE_TOOL" --kind ct-s16 --rows 2800 --cols 2800 -o "$WORK/big.dcm" >/dev/null || exit 1

# CPU time (user + system, all threads) of a process in ms.
cpu_ms () { sed -E 's/.*\) //' "/proc/$1/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($12 + $13) * 1000 / hz }'; }

# start NAME CMD...: runs CMD, waits for its window, 1600 x 1000 at 0,0.
start () {
  local name=$1 win=
  shift
  "$@" >"$WORK/$name.out" 2>&1 &
  APP_PID=$!
  for _ in $(seq 300); do
    win=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | head -n1)
    [ -n "$win" ] && break
    sleep 0.1
  done
  [ -n "$win" ] || { echo "fen-gui-drag: no $name window" >&2; exit 1; }
  xdotool windowmove "$win" 0 0 windowsize "$win" 1600 1000
  sleep 4   # loaded, drawn, settled
}
stop () { kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null; APP_PID=; }

# drag: EVENTS motion events with the left button down over the image
# (window/level in both viewers); prints the CPU ms they cost.
drag () {
  local c0 c1
  c0=$(cpu_ms "$APP_PID")
  xdotool mousemove 800 500 mousedown 1
  for i in $(seq 1 $EVENTS); do xdotool mousemove $((800 + i)) $((500 - i / 2)); done
  xdotool mouseup 1
  sleep 1
  c1=$(cpu_ms "$APP_PID")
  echo $((c1 - c0))
}

median () { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: > "$WORK/fen.ms"; : > "$WORK/aesk.ms"; : > "$WORK/updates"
for r in $(seq "$ROUNDS"); do
  start fenestra "$FENESTRA" --new-instance --memory-log "$WORK/fen-$r.jsonl" "$WORK/big.dcm"
  drag >/dev/null   # warm: the first drag builds the table's first window
  drag >> "$WORK/fen.ms"
  grep -oE '"op":"wl-drag img-[0-9]+"[^}]*"updates":[0-9]+' "$WORK/fen-$r.jsonl" | tail -n1 \
    | sed -E 's/.*"updates":([0-9]+)/\1/' >> "$WORK/updates"
  stop
  start aeskulap aeskulap "$WORK/big.dcm"
  drag >/dev/null
  drag >> "$WORK/aesk.ms"
  stop
done
FEN=$(median < "$WORK/fen.ms")
AESK=$(median < "$WORK/aesk.ms")
UPD=$(median < "$WORK/updates")
VIEWPORT=$(grep -oE 'geometry: x=[0-9-]+ y=[0-9-]+ width=[0-9]+ height=[0-9]+' "$WORK/fenestra.out" | tail -n1 \
  | sed -E 's/.*width=([0-9]+) height=([0-9]+)/\1x\2/')
HEADLESS=$("$FENESTRA_CLI" wl-bench "$WORK/big.dcm" --size "${VIEWPORT:-1367x882}" --updates 200 2>&1 \
  | sed -nE 's/.*CPU ([0-9.]+) ms per update.*/\1/p')
echo "# $ROUNDS rounds, $EVENTS motion events per drag, window 1600x1000, image 2800x2800 CT"
echo "# per round, fenestra CPU ms: $(tr '\n' ' ' < "$WORK/fen.ms")  aeskulap: $(tr '\n' ' ' < "$WORK/aesk.ms")"
awk -v f="$FEN" -v a="$AESK" -v e="$EVENTS" -v u="${UPD:-0}" -v h="${HEADLESS:-nan}" -v vp="${VIEWPORT:-?}" 'BEGIN {
  printf "{\"gui_drag_fen_cpu_ms_per_event\": %.3f, \"gui_drag_aeskulap_cpu_ms_per_event\": %.3f, ", f / e, a / e;
  printf "\"gui_drag_aeskulap_over_fen\": %.2f, \"gui_drag_fen_updates\": %d, ", (f > 0 ? a / f : 0), u;
  printf "\"gui_drag_fen_cpu_ms_per_update\": %.3f, \"headless_cpu_ms_per_update\": %s, \"viewport\": \"%s\"}\n",
    (u > 0 ? f / u : 0), h, vp }'

if [ -n "$PERF" ]; then
  start fenestra "$FENESTRA" --new-instance "$WORK/big.dcm"
  drag >/dev/null
  perf record -q -g -o "$WORK/perf.data" -p "$APP_PID" -- sleep 12 >/dev/null 2>&1 &
  PERF_PID=$!
  sleep 0.5
  drag >/dev/null; drag >/dev/null; drag >/dev/null
  wait "$PERF_PID"
  stop
  echo "# perf: the viewer's top symbols over three drags (self time)"
  perf report -q -i "$WORK/perf.data" --no-children --sort dso,symbol 2>/dev/null | grep -v '^$' | head -n 25
fi
