# SPDX-License-Identifier: GPL-3.0-or-later
# e2e-pacs-lib.sh: what the study browser's end-to-end test
# (test-pacs-browser-e2e.sh) and the GUI PACS benchmark (bench/fen-gui-pacs.sh)
# share. Sourced, not run; needs xdotool and xclip, DISPLAY set, the viewer
# running as APP_PID with its main window WIN, and XDG_CONFIG_HOME private.

# pacs_nodes_keyfile NODES: the viewer's settings as a GSettings keyfile
# (GSETTINGS_BACKEND=keyfile) in $XDG_CONFIG_HOME whose pacs-nodes are
# NODES: "('id', 'name', 'uri', 'auth', 'user'), ..." as the preferences
# write them.
pacs_nodes_keyfile () {
  mkdir -p "$XDG_CONFIG_HOME/glib-2.0/settings"
  printf '[org/fenestra/Viewer]\npacs-nodes=[%s]\n' "$1" > "$XDG_CONFIG_HOME/glib-2.0/settings/keyfile"
}

# app_window TITLE: the id of the viewer's visible window titled TITLE,
# waited for up to 5 s; nothing when it never came.
app_window () {
  local id=
  for _ in $(seq 50); do
    id=$(xdotool search --all --onlyvisible --pid "$APP_PID" --name "^$1\$" 2>/dev/null | head -n1)
    [ -n "$id" ] && break
    sleep 0.1
  done
  echo "$id"
}

# pacs_browser_open: Ctrl+B in the main window; the study browser, BROWSER,
# moved right of a 1000 px wide viewer (1000,0, 920 x 1200) and given the
# focus. 1 when no browser came.
pacs_browser_open () {
  xdotool windowfocus --sync "$WIN"
  xdotool key ctrl+b
  BROWSER=$(app_window "Study Browser")
  [ -n "$BROWSER" ] || return 1
  xdotool windowmove "$BROWSER" 1000 0 windowsize "$BROWSER" 920 1200
  sleep 1.0
  xdotool windowfocus --sync "$BROWSER"
}

# pacs_browser_search NAME: in the browser (as pacs_browser_open left it),
# the patient name NAME pasted whole into its field (Alt+P, its label's
# mnemonic) and Return: the search starts.
pacs_browser_search () {
  xdotool mousemove 1460 1000
  xdotool key alt+p
  sleep 0.3
  printf '%s' "$1" | xclip -selection clipboard -i
  xdotool key ctrl+a ctrl+v
  sleep 0.3
  xdotool key Return
}
