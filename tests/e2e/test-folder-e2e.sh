#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-folder-e2e.sh: Open Folder through the real window (issue 11, point 5:
# one walker, the study index). The viewer starts with nothing; Ctrl+Shift+O (win.open-folder)
# opens the file chooser, Ctrl+L and the typed path pick a folder whose
# series is spread over nested folders, its files named in the reverse of
# the series order, next to a hidden folder holding another series and a
# PNG. Judged from screenshots:
# 1. the series opens on its first slice in series order (the phantom's
#    bars read 0), upright;
# 2. the overlay reads "Slice 1 / 12": the nested slices were found, the
#    hidden series was not mixed in;
# 3. the sidebar lists the series with 12 images and the PNG beside it
#    (two rows), the hidden series nowhere;
# 4. End shows the last slice: the bars read 11, the overlay Slice 12 / 12;
# 5. in a new viewer, Open (Ctrl+O) of a DICOMDIR (written by dcmmkdir over
#    files named last slice first) opens its series on its first slice.
# The viewer runs with G_DEBUG=fatal-criticals. Exit 0 pass, 1 fail.
#
#   test-folder-e2e.sh FENESTRA PHANTOM_TOOL SCHEMA_DIR WORK_DIR
set -u

FENESTRA=$1
PHANTOM_TOOL=$2
SCHEMA_DIR=$3
WORK=${4:-$(mktemp -d)}
SIZE=256
SLICES=12

. "$(dirname "$0")/e2e-lib.sh"
fen_e2e_setup 341 390 tesseract dcmmkdir xclip

# The study: slices 0-3 at the top, 4-7 one folder down, 8-11 two down;
# the file loaded first by name is the last slice (--reverse-names).
"$PHANTOM_TOOL" --size $SIZE --series $SLICES --study 0 --reverse-names -o "$WORK/gen" \
  || { echo "not ok - phantom series generated"; exit 1; }
"$PHANTOM_TOOL" --size $SIZE --series 3 --study 1 --z-offset 100 -o "$WORK/gen-hidden" \
  || { echo "not ok - hidden series generated"; exit 1; }
STUDY="$WORK/study folder"
mkdir -p "$STUDY/part b/deeper" "$STUDY/.hidden"
n=0
for f in $(ls "$WORK/gen" | sort); do
  # Reverse names: the first file by name is the last slice (11).
  slice=$((SLICES - 1 - n))
  if [ $slice -lt 4 ]; then dest="$STUDY"; elif [ $slice -lt 8 ]; then dest="$STUDY/part b"; else dest="$STUDY/part b/deeper"; fi
  mv "$WORK/gen/$f" "$dest/"
  n=$((n + 1))
done
mv "$WORK/gen-hidden/"* "$STUDY/.hidden/"
convert -size 64x48 gradient: "$STUDY/photo.png" || { echo "not ok - PNG written"; exit 1; }
log "study: $(find "$STUDY" -type f | wc -l) files; top: $(ls "$STUDY" | tr '\n' ' ')"
# Media: five slices as SUB/IM0..IM4 (IM0 the last slice), a DICOMDIR by
# DCMTK's dcmmkdir beside them.
MEDIA="$WORK/media"
"$PHANTOM_TOOL" --size $SIZE --series 5 --study 2 --reverse-names -o "$WORK/gen-media" \
  || { echo "not ok - media series generated"; exit 1; }
mkdir -p "$MEDIA/SUB"
n=0
for f in $(ls "$WORK/gen-media" | sort); do cp "$WORK/gen-media/$f" "$MEDIA/SUB/IM$n"; n=$((n + 1)); done
(cd "$MEDIA" && dcmmkdir --general-purpose --recurse --invent SUB >"$WORK/dcmmkdir.log" 2>&1) \
  || { echo "not ok - dcmmkdir wrote the DICOMDIR"; cat "$WORK/dcmmkdir.log"; exit 1; }

echo "1..14"

# start_viewer NAME: the viewer with nothing open (e2e-lib's start-up),
# focused for the keys that open the file chooser.
start_viewer () {
  start_app "$1" || exit 1
  xdotool windowactivate --sync "$WIN" 2>/dev/null || xdotool windowfocus "$WIN"
  sleep 0.3
}
# choose NAME KEYS PATH N: KEYS opens the file chooser; Ctrl+L, PATH typed,
# Enter (and Open, if Enter only moved into a folder); then waits for the
# open of N images. Sets X, Y, VX, VY, VW, VH and takes NAME.png.
choose () {
  local name=$1 keys=$2 path=$3 count=$4 dlg= i
  # Up to three presses: on a busy machine the first can reach a window
  # that is mapped but not yet taking keys.
  for _ in 1 2 3; do
    xdotool key --window "$WIN" "$keys"
    for _ in $(seq 40); do
      dlg=$(xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -v "^$WIN\$" | head -n1)
      [ -n "$dlg" ] && break 2
      sleep 0.1
    done
  done
  if [ -n "$dlg" ]; then
    pass "$name: $keys opens a file chooser"
  else
    fail "$name: $keys opened no file chooser"; exit 1
  fi
  sleep 1.0
  xdotool key ctrl+l; sleep 0.5
  # Pasted whole, not typed: the entry completes inline as keys arrive
  # (the rest of a name, selected, once a folder has loaded), and a key
  # typed over that selection can be lost ("/work" became "/wrk"). A paste
  # is one edit; Delete then drops any suggestion after it.
  printf '%s' "$path" | xclip -selection clipboard -i
  xdotool key ctrl+a ctrl+v
  sleep 0.8
  xdotool key Delete
  sleep 0.8
  shot "$name-typed"
  xdotool key Return; sleep 1.0
  if xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -q "^$dlg\$"; then
    log "$name: the chooser is still open after Enter: Return again (Open)"
    xdotool key Return; sleep 1.0
  fi
  for _ in $(seq 150); do
    grep -q "\"op\":\"open img-[^\"]*($count)" "$WORK/$name.jsonl" 2>/dev/null && break
    sleep 0.1
  done
  sleep 1.5
  if xdotool search --onlyvisible --pid "$APP_PID" 2>/dev/null | grep -q "^$dlg\$"; then
    fail "$name: the file chooser closed"
  else
    pass "$name: the file chooser closed on Open"
  fi
  log "$name: memory log: $(grep -o '"op":"open [^"]*"' "$WORK/$name.jsonl" | tail -n1)"
  eval "$(xdotool getwindowgeometry --shell "$WIN")"
  read -r VX VY VW VH <<<"$(viewport_on_screen "$name")"
  if [ -z "${VX:-}" ]; then fail "$name: the viewport showed an image (no geometry line)"; exit 1; fi
  log "$name: viewport +$VX+$VY ${VW}x$VH"
  shot "$name"
}

# --- Open Folder: Ctrl+Shift+O, the folder's path ---------------------------
start_viewer opened
# With a trailing slash the location entry holds the folder itself.
choose opened ctrl+shift+o "$STUDY/" 13

# --- 1. The first slice in series order ------------------------------------
S=$(phantom_slice "$WORK/opened.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
U=$(phantom_upright "$WORK/opened.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
log "opened on the slice whose bars read $S (files named last slice first, nested), upright: $U"
[ "$S" = 0 ] && [ "$U" = yes ] && pass "the folder opens on the first slice in series order, upright (bars read 0)" \
  || fail "opened on slice $S, upright $U (want 0, yes)"

# --- 2. The overlay counts every nested slice, not the hidden series --------
OCR_TR=$(ocr "$WORK/opened.png" $((VX + VW - 330)) "$VY" 330 130)
log "overlay, top right: $OCR_TR"
grep -qE 'Slice 1 ?/ ?12\b' <<<"$OCR_TR" && pass "the overlay reads Slice 1 / 12" \
  || fail "overlay '$OCR_TR' (want Slice 1 / 12)"

# --- 3. The sidebar: the series with 12 images, the PNG, nothing hidden -----
# The sidebar is the strip left of the viewport.
OCR_SIDE=$(ocr "$WORK/opened.png" "$X" "$VY" $((VX - X)) 400 45)
log "sidebar: $OCR_SIDE"
grep -qE '12 images' <<<"$OCR_SIDE" && pass "the sidebar lists the series with 12 images" \
  || fail "sidebar '$OCR_SIDE' (want 12 images)"
ROWS=$(grep -oE '[0-9]+ images?' <<<"$OCR_SIDE" | wc -l)
if grep -qE '3 images' <<<"$OCR_SIDE"; then
  fail "the hidden folder's series was opened"
elif [ "$ROWS" = 2 ]; then
  pass "two sidebar rows (the series and the PNG), the hidden series not among them"
else
  fail "sidebar rows with an image count: $ROWS (want 2)"
fi

# --- 4. The last slice -----------------------------------------------------
xdotool mousemove $((VX + VW / 2)) $((VY + VH / 2)); sleep 0.2
xdotool key End; sleep 1.0
shot last
SL=$(phantom_slice "$WORK/last.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
OCR_LAST=$(ocr "$WORK/last.png" $((VX + VW - 330)) "$VY" 330 130)
log "after End: bars read $SL; overlay: $OCR_LAST"
[ "$SL" = 11 ] && grep -qE 'Slice 12 ?/ ?12\b' <<<"$OCR_LAST" && pass "End shows the last slice (bars read 11, Slice 12 / 12)" \
  || fail "after End: bars $SL, overlay '$OCR_LAST' (want 11, Slice 12 / 12)"
still_running opened
stop_app
no_warnings opened

# --- 5. A DICOMDIR given to Open (Ctrl+O) opens the series it indexes -------
start_viewer dicomdir
choose dicomdir ctrl+o "$MEDIA/DICOMDIR" 5
S=$(phantom_slice "$WORK/dicomdir.png" "$VX" "$VY" "$VW" "$VH" $SIZE)
OCR_TR=$(ocr "$WORK/dicomdir.png" $((VX + VW - 330)) "$VY" 330 130)
log "DICOMDIR: bars read $S; overlay: $OCR_TR"
[ "$S" = 0 ] && grep -qE 'Slice 1 ?/ ?5\b' <<<"$OCR_TR" \
  && pass "a DICOMDIR opens its series (files IM0.. named last slice first) on its first slice, Slice 1 / 5" \
  || fail "DICOMDIR: bars $S, overlay '$OCR_TR' (want 0, Slice 1 / 5)"
still_running dicomdir
stop_app
no_warnings dicomdir

fen_e2e_finish
