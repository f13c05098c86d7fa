#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The PACS tests against a real Orthanc (Debian's orthanc + orthanc-dicomweb):
# started here as an ordinary process with a temporary configuration and
# storage folder, on free loopback ports it picks itself (DICOM, HTTP and our
# storage SCP's port for C-MOVE), our AE title in DicomModalities and the
# DICOMweb plugin loaded. The generated studies are uploaded through the REST
# API, then test-pacs runs; Orthanc is stopped at the end, failure or not.
# A missing Orthanc or plugin fails the test: tools/test installs both.
#
# Usage: test-pacs-orthanc.sh FIXTURE SHIM TEST_PROGRAM CLI WORKDIR
set -euo pipefail
fixture=$1 shim=$2 test_program=$3 cli=$4 work=$5

orthanc=$(command -v Orthanc || true)
[ -z "$orthanc" ] && [ -x /usr/sbin/Orthanc ] && orthanc=/usr/sbin/Orthanc
if [ -z "$orthanc" ]; then
  echo "Bail out! Orthanc is not installed (tools/deps.sh lists orthanc)"
  exit 1
fi
plugin=$(dpkg -L orthanc-dicomweb 2>/dev/null | grep '/libOrthancDicomWeb\.so[.0-9]*$' | head -n 1 || true)
if [ -z "$plugin" ] || [ ! -f "$plugin" ]; then
  echo "Bail out! the Orthanc DICOMweb plugin is not installed (tools/deps.sh lists orthanc-dicomweb)"
  exit 1
fi
command -v curl >/dev/null || { echo "Bail out! curl is not installed"; exit 1; }

rm -rf "$work"
mkdir -p "$work/storage"
pid=""
cleanup() {
  local status=$?
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [ "$status" -ne 0 ] && [ -f "$work/orthanc.log" ]; then
    echo "# Orthanc's log, last lines:"
    tail -n 30 "$work/orthanc.log" | sed 's/^/# /'
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

mapfile -t ports < <("$fixture" ports 4)
if [ ${#ports[@]} -ne 4 ]; then
  echo "Bail out! no free loopback ports"
  exit 1
fi
dicom_port=${ports[0]} http_port=${ports[1]} store_port=${ports[2]} closed_port=${ports[3]}

cat > "$work/orthanc.json" <<JSON
{
  "Name": "fenestra-test",
  "StorageDirectory": "$work/storage",
  "IndexDirectory": "$work/storage",
  "Plugins": [ "$plugin" ],
  "HttpPort": $http_port,
  "DicomPort": $dicom_port,
  "DicomAet": "ORTHANC",
  "DicomCheckCalledAet": true,
  "RemoteAccessAllowed": false,
  "AuthenticationEnabled": false,
  "DicomModalities": { "fenestra": [ "FENESTRA", "127.0.0.1", $store_port ] },
  "DicomAssociationCloseDelay": 0,
  "DicomScpTimeout": 30,
  "SaveJobs": false,
  "HttpCompressionEnabled": false,
  "DicomWeb": { "Enable": true, "Root": "/dicom-web/", "EnableWado": false }
}
JSON

# Orthanc 1.10 has no bind address: the shim turns its wildcard binds into
# loopback binds, and the check below proves it.
LD_PRELOAD="$shim" "$orthanc" "$work/orthanc.json" > "$work/orthanc.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$http_port"
for _ in $(seq 1 240); do
  curl -sf "$base/system" > /dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "Bail out! Orthanc exited at start"; exit 1; }
  sleep 0.25
done
curl -sf "$base/system" > /dev/null || { echo "Bail out! Orthanc did not answer within 60 s"; exit 1; }

# Every listening socket on Orthanc's ports must be on 127.0.0.1.
for p in "$dicom_port" "$http_port"; do
  hex=$(printf '%04X' "$p")
  exposed=$(awk -v port="$hex" '$4 == "0A" { split($2, a, ":"); if (a[2] == port && a[1] != "0100007F") print $2 }' \
            /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
  listening=$(awk -v port="$hex" '$4 == "0A" { split($2, a, ":"); if (a[2] == port) print }' /proc/net/tcp)
  if [ -n "$exposed" ] || [ -z "$listening" ]; then
    echo "Bail out! Orthanc's port $p is not listening on 127.0.0.1 only"
    exit 1
  fi
done
echo "# Orthanc $("$orthanc" --version 2>/dev/null | head -n 1 | tr -d '\r') on 127.0.0.1: DICOM $dicom_port, HTTP $http_port; our SCP $store_port"

expected=$("$fixture" studies "$work/studies")
args=()
for f in "$work"/studies/*.dcm; do
  [ ${#args[@]} -gt 0 ] && args+=(--next)
  args+=(-sS -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/dicom'
         --data-binary "@$f" "$base/instances")
done
t0=$(date +%s%N)
codes=$(curl "${args[@]}")
bad=$(printf '%s\n' "$codes" | grep -vc '^200$' || true)
if [ "$bad" -ne 0 ]; then
  echo "Bail out! $bad of $expected uploads failed"
  exit 1
fi
count=$(curl -sf "$base/statistics" | tr -d ' \n' | sed -n 's/.*"CountInstances":\([0-9]*\).*/\1/p')
if [ "$count" != "$expected" ]; then
  echo "Bail out! Orthanc holds $count instances, $expected were uploaded"
  exit 1
fi
echo "# uploaded $expected instances in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# Loopback never goes through a proxy the environment may name.
export no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}" NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"
export FEN_PACS_GET="dicom://ORTHANC@127.0.0.1:$dicom_port?calling=FENESTRA&method=get&timeout=60"
export FEN_PACS_MOVE="dicom://ORTHANC@127.0.0.1:$dicom_port?calling=FENESTRA&method=move&port=$store_port&timeout=60"
export FEN_PACS_WEB="$base/dicom-web"
export FEN_PACS_HTTP="$base"
export FEN_PACS_CLOSED_PORT="$closed_port"
export FEN_PACS_ORTHANC_PID="$pid"
export FEN_PACS_UPLOADED="$work/studies"
export FEN_PACS_WORK="$work"
export FEN_CLI="$cli"
"$test_program" --tap
