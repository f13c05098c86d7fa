# SPDX-License-Identifier: GPL-3.0-or-later
# session-bus.sh (sourced by test scripts): fen_session_bus DIR starts a
# private D-Bus session bus listening on DIR/bus (no service directories:
# nothing is activated on it), sets BUS_PID and exports
# DBUS_SESSION_BUS_ADDRESS. The caller stops it (kill "$BUS_PID") on every
# way out. Returns 1 when dbus-daemon did not start.
fen_session_bus () {
  local dir=$1
  cat > "$dir/bus.conf" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/bus</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
EOC
  BUS_PID=$(dbus-daemon --config-file="$dir/bus.conf" --fork --print-pid) || return 1
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$dir/bus"
}
