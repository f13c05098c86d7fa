#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# test-pacs-keyring.sh TEST WORKDIR: the PACS secrets with a real Secret
# Service. A private D-Bus session bus (nothing activated on it) and a
# private HOME / XDG_DATA_HOME, where gnome-keyring-daemon creates a login
# keyring unlocked with a password on stdin and serves org.freedesktop.secrets;
# then TEST (test-pacs-keyring) runs against it. A missing dbus-daemon or
# gnome-keyring-daemon FAILS the test (tools/deps.sh installs them); the
# daemon and the bus are stopped on every way out.
set -u
test_bin=$1
work=$2

for tool in dbus-daemon gnome-keyring-daemon gdbus; do
  command -v "$tool" >/dev/null || { echo "not ok - $tool is missing (tools/deps.sh installs it)"; exit 1; }
done

rm -rf "$work"
mkdir -p "$work/home" "$work/data" "$work/config" "$work/cache" "$work/run"
chmod 700 "$work/run"
export HOME="$work/home" XDG_DATA_HOME="$work/data" XDG_CONFIG_HOME="$work/config"
export XDG_CACHE_HOME="$work/cache" XDG_RUNTIME_DIR="$work/run"

BUS_PID=
KEYRING_PID=
fen_keyring_cleanup () {
  if [ -n "$KEYRING_PID" ]; then kill "$KEYRING_PID" 2>/dev/null; wait "$KEYRING_PID" 2>/dev/null; fi
  if [ -n "$BUS_PID" ]; then kill "$BUS_PID" 2>/dev/null; fi
}
trap fen_keyring_cleanup EXIT

. "$(dirname "$0")/../session-bus.sh"
fen_session_bus "$work" || { echo "not ok - private session bus started"; exit 1; }

# --unlock reads the login keyring's password from stdin and creates the
# keyring when there is none; --foreground keeps the daemon our child, so
# that its pid is the one stopped at the end.
printf '%s' "fenestra-keyring-test" \
  | gnome-keyring-daemon --foreground --unlock --components=secrets >"$work/keyring.out" 2>"$work/keyring.err" &
KEYRING_PID=$!

owned=no
for _ in $(seq 100); do
  if gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
       --method org.freedesktop.DBus.NameHasOwner org.freedesktop.secrets 2>/dev/null | grep -q true; then
    owned=yes
    break
  fi
  kill -0 "$KEYRING_PID" 2>/dev/null || break
  sleep 0.1
done
if [ "$owned" != yes ]; then
  echo "not ok - gnome-keyring-daemon serves org.freedesktop.secrets on the private bus"
  cat "$work/keyring.err"
  exit 1
fi
echo "# gnome-keyring-daemon $KEYRING_PID on $DBUS_SESSION_BUS_ADDRESS"

"$test_bin" --tap
rc=$?
exit $rc
