#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# fen-gui-pacs.sh: the viewer's memory and times while it retrieves a
# real-size study from the study browser (issue 13: peak at most 1.1 x the
# study's pixel bytes, first image within 1 s, whole study within 1.5 x
# getscu). fenestra-bench-pacs --serve starts Debian's Orthanc on loopback
# holding a generated 512 x 512 x N CT series (16-bit, explicit VR little
# endian) and serves until this script ends. In the same run: DCMTK's getscu
# retrieves the series by C-GET (wall time); then the viewer, under a
# private Xvfb, with the node in a private keyfile: its window shown with
# nothing loaded, Ctrl+B, a search, the study's row clicked; VmRSS then is
# "before" (VmHWM reset through /proc/PID/clear_refs); Alt+O opens the
# series; VmRSS is polled every 50 ms and VmHWM read at the end (the memory
# log's "open img-A..img-B (N) pacs"). ratio = (peak - before) / pixel
# bytes. The first slice's time is the viewer's own (the memory log's
# "first-slice img-N": from Open to the image handed to the window), and
# the open's line says what the store, the render buffers and the heap
# grew by. A benchmark, not a test: run by hand.
#
#   fen-gui-pacs.sh FENESTRA FENESTRA_BENCH_PACS SCHEMA_DIR [SLICES]
set -u
FENESTRA=$1 BENCH=$2 SCHEMA_DIR=$3
SLICES=${4:-300}
for tool in Xvfb xdotool xclip getscu; do
  command -v "$tool" >/dev/null || { echo "fen-gui-pacs: $tool is missing (tools/deps.sh installs it)" >&2; exit 1; }
done

WORK=$(mktemp -d)
DISPLAY_NUM=
for n in $(seq 441 480); do
  [ ! -e /tmp/.X11-unix/X$n ] && [ ! -e /tmp/.X$n-lock ] && { DISPLAY_NUM=$n; break; }
done
[ -n "$DISPLAY_NUM" ] || { echo "fen-gui-pacs: no free display" >&2; exit 1; }
XVFB_PID= APP_PID= SERVE_PID=
cleanup () {
  [ -n "$APP_PID" ] && { kill "$APP_PID" 2>/dev/null; wait "$APP_PID" 2>/dev/null; }
  [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
  if [ -n "$SERVE_PID" ]; then
    # Its stdin's end stops Orthanc and removes its folder.
    exec {SERVE[1]}>&- 2>/dev/null
    for _ in $(seq 100); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    kill "$SERVE_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# The study browser's steps, shared with tests/e2e/test-pacs-browser-e2e.sh.
. "$(dirname "$0")/../tests/e2e/e2e-pacs-lib.sh"

# --- Orthanc with the series ----------------------------------------------------------
coproc SERVE { exec "$BENCH" --serve --slices "$SLICES" 2>"$WORK/serve.err"; }
SERVE_PID=$SERVE_PID
read -r -t 900 DICOM_PORT HTTP_PORT STUDY_UID SERIES_UID <&"${SERVE[0]}" \
  || { echo "fen-gui-pacs: Orthanc did not come up" >&2; cat "$WORK/serve.err" >&2; exit 1; }
PIXEL_BYTES=$(( SLICES * 512 * 512 * 2 ))
echo "Orthanc on 127.0.0.1:$DICOM_PORT, $SLICES slices of 512 x 512 ($PIXEL_BYTES pixel bytes)"

# --- getscu, the same series in the same run ----------------------------------------------
t0=$(date +%s%N)
getscu -aet FENESTRA -aec ORTHANC 127.0.0.1 "$DICOM_PORT" -S -k QueryRetrieveLevel=SERIES \
  -k StudyInstanceUID="$STUDY_UID" -k SeriesInstanceUID="$SERIES_UID" -od "$(mkdir -p "$WORK/getscu" && echo "$WORK/getscu")" \
  >/dev/null 2>"$WORK/getscu.err" || { echo "fen-gui-pacs: getscu failed" >&2; cat "$WORK/getscu.err" >&2; exit 1; }
GETSCU_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "getscu: $(ls "$WORK/getscu" | wc -l) objects in $GETSCU_MS ms"

# --- The viewer ------------------------------------------------------------------------------
Xvfb :$DISPLAY_NUM -screen 0 1920x1200x24 -nolisten tcp -noreset >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
export DISPLAY=:$DISPLAY_NUM
for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
unset WAYLAND_DISPLAY GTK_THEME
export GDK_BACKEND=x11 GDK_SCALE=1 GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1 LC_ALL=C
export GSETTINGS_SCHEMA_DIR=$SCHEMA_DIR GSETTINGS_BACKEND=keyfile
export XDG_CONFIG_HOME=$WORK/config XDG_DATA_HOME=$WORK/data XDG_CACHE_HOME=$WORK/cache HOME=$WORK
export no_proxy=127.0.0.1,localhost NO_PROXY=127.0.0.1,localhost
pacs_nodes_keyfile "('bench', 'Orthanc (C-GET)', 'dicom://ORTHANC@127.0.0.1:$DICOM_PORT?calling=FENESTRA&method=get&timeout=60', 'none', '')"

"$FENESTRA" --new-instance --memory-log "$WORK/pacs.jsonl" >"$WORK/app.out" 2>"$WORK/app.err" &
APP_PID=$!
WIN=
for _ in $(seq 300); do
  WIN=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | head -n1)
  [ -n "$WIN" ] && break
  sleep 0.1
done
[ -n "$WIN" ] || { echo "fen-gui-pacs: no viewer window" >&2; exit 1; }
xdotool windowmove "$WIN" 0 0 windowsize "$WIN" 1000 1200
sleep 1.0
pacs_browser_open || { echo "fen-gui-pacs: Ctrl+B opened no study browser" >&2; exit 1; }
pacs_browser_search 'BENCH*'
sleep 3.0
xdotool mousemove 1100 217 click 1
sleep 3.0

status_kb () { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$APP_PID/status"; }
echo 5 > "/proc/$APP_PID/clear_refs"
BEFORE_KB=$(status_kb VmRSS)
PEAK_KB=$BEFORE_KB
t0=$(date +%s%N)
xdotool key alt+o
done_ms=
for _ in $(seq 12000); do
  rss=$(status_kb VmRSS) || break
  [ -n "$rss" ] && [ "$rss" -gt "$PEAK_KB" ] && PEAK_KB=$rss
  if grep -qE '"op":"open img-[0-9]+\.\.img-[0-9]+ \('"$SLICES"'\) pacs"' "$WORK/pacs.jsonl" 2>/dev/null; then
    done_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    break
  fi
  sleep 0.05
done
[ -n "$done_ms" ] || { echo "fen-gui-pacs: the series was not opened whole" >&2; tail -5 "$WORK/app.err" >&2; exit 1; }
HWM_KB=$(status_kb VmHWM)
[ "$HWM_KB" -gt "$PEAK_KB" ] && PEAK_KB=$HWM_KB
AFTER_KB=$(status_kb VmRSS)
cp "/proc/$APP_PID/smaps_rollup" "$WORK/smaps_rollup" 2>/dev/null
first_ms=$(grep -E '"op":"first-slice img-[0-9]+"' "$WORK/pacs.jsonl" | head -n1 \
           | grep -oE '"duration_us":[0-9]+' | cut -d: -f2)
first_ms=$(( ${first_ms:-0} / 1000 ))
whole_log_ms=$(grep -E '"op":"open img-[0-9]+\.\.img-[0-9]+ \('"$SLICES"'\) pacs"' "$WORK/pacs.jsonl" \
               | grep -oE '"duration_us":[0-9]+' | head -n1 | cut -d: -f2)

awk -v b="$BEFORE_KB" -v p="$PEAK_KB" -v a="$AFTER_KB" -v px="$PIXEL_BYTES" -v f="${first_ms:-none}" \
    -v w="${whole_log_ms:-0}" -v d="$done_ms" -v g="$GETSCU_MS" 'BEGIN {
  printf "viewer RSS before the Open  %8.1f MB\n", b * 1024 / 1e6
  printf "viewer peak during the Open %8.1f MB (VmHWM and 50 ms polls)\n", p * 1024 / 1e6
  printf "viewer RSS after            %8.1f MB\n", a * 1024 / 1e6
  printf "pixel bytes                 %8.1f MB\n", px / 1e6
  printf "(peak - before) / pixels    %8.3f\n", (p - b) * 1024 / px
  printf "(after - before) / pixels   %8.3f\n", (a - b) * 1024 / px
  printf "first slice (viewer log)    %8s ms\n", f
  printf "whole series (memory log)   %8.0f ms (script: %d ms)\n", w / 1000, d
  printf "getscu, same series         %8d ms  (viewer / getscu: %.2f)\n", g, (w > 0 ? w / 1000 : d) / g
}'
# The open's memory-log line: what grew between its start and its end.
grep -E '"op":"open img-[0-9]+\.\.img-[0-9]+ \('"$SLICES"'\) pacs"' "$WORK/pacs.jsonl" | head -n1 | awk '{
  n = split("rss heap store render", k, " ")
  for (i = 1; i <= n; i++) {
    if (match($0, "\"before\":\\{[^}]*\"" k[i] "\":[0-9]+")) { b = substr($0, RSTART, RLENGTH); sub(/.*:/, "", b) }
    if (match($0, "\"after\":\\{[^}]*\"" k[i] "\":[0-9]+")) { a = substr($0, RSTART, RLENGTH); sub(/.*:/, "", a) }
    printf "memory log, the open: %-6s %+8.1f MB\n", k[i], (a - b) / 1e6
  }
}'
grep -E '^(Rss|Anonymous|Private_Dirty|Shared_Clean)' "$WORK/smaps_rollup" 2>/dev/null | sed 's/^/smaps_rollup /'
