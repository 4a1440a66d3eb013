#!/usr/bin/env bash
# Cross-implementation checks, one command each (needs the Java jars: scripts/doorbell and scripts/uplink):
#   clients/python/e2e.sh py-to-java [--work DIR]   Python device -> Java uplink -> Java open: must be OK
#   clients/python/e2e.sh java-to-py [--work DIR]   Java devices -> Java uplink -> Python open: must be OK
# Format v2: the Java owner's tools make the owner (owner init) and pair the devices; both sides open with
# --identity OWNER. Exit 0 when every clip opens OK. Traffic stays on 127.0.0.1; every wait has a deadline.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
direction="${1:-}"
shift || true
work="$(mktemp -d)"
while [ $# -gt 0 ]; do
  case "$1" in
    --work) work="$2"; shift 2 ;;
    *) echo "e2e: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$direction" in py-to-java|java-to-py) ;; *) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;; esac
mkdir -p "$work"

uplink_pid=""
stop_uplink() {
  if [ -n "$uplink_pid" ] && kill -0 "$uplink_pid" 2>/dev/null; then
    kill -TERM "$uplink_pid" 2>/dev/null || true
    wait "$uplink_pid" 2>/dev/null || true
  fi
  uplink_pid=""
}
trap stop_uplink EXIT

"$root/scripts/doorbell" provision --devices 1 --out "$work/fleet"
device_dir="$(find "$work/fleet/devices" -mindepth 1 -maxdepth 1 -type d | sort | head -1)"
"$root/scripts/doorbell" owner init --out "$work/owner" --phrase-file "$work/phrase.txt"
"$root/scripts/doorbell" pair --owner "$work/owner" --device "$device_dir"
"$root/scripts/uplink" serve --data "$work/store" --tls "$work/fleet/uplink" --host 127.0.0.1 --port 0 \
  --port-file "$work/uplink.port" >"$work/uplink.log" 2>&1 &
uplink_pid=$!
for _ in $(seq 1 600); do
  [ -s "$work/uplink.port" ] && break
  kill -0 "$uplink_pid" 2>/dev/null || { cat "$work/uplink.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/uplink.port" ] || { echo "e2e: the uplink did not start within 60 s" >&2; exit 1; }
port="$(cat "$work/uplink.port")"

if [ "$direction" = py-to-java ]; then
  "$here/doorbell-py" upload --device-dir "$device_dir" --uplink "127.0.0.1:$port" --synthetic 12 --timeout 30
  stop_uplink
  "$root/scripts/doorbell" open --store "$work/store" --identity "$work/owner" --out "$work/opened"
else
  "$root/scripts/doorbell" simulate --devices-dir "$work/fleet/devices" --uplink "127.0.0.1:$port" --seed 7 \
    --duration 8s --ring-at "$(basename "$device_dir")=1s"
  stop_uplink
  "$here/doorbell-py" open --store "$work/store" --identity "$work/owner" --out "$work/opened"
fi
echo "e2e $direction: OK (work: $work)"
