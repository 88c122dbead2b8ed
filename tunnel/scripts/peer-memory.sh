#!/usr/bin/env bash
# Prints the gateway's memory per connected client (BENCHMARKS.md, "Gateway memory per connected
# client"):
#  1. ours: retained heap per WireGuard peer in the tunnel library, configured and with a live
#     session (PeerMemoryBenchmark; -XX:+UseSerialGC, used heap after full GCs);
#  2. upstream wireguard-go (e2e/scripts/wireguard-go.sh) in a network namespace made here: growth
#     of its resident set after `wg addconf` of the same number of configured peers (no sessions:
#     that would need as many live clients). Needs root, iproute2 and wireguard-tools; skipped
#     with a message otherwise.
# Usage: tunnel/scripts/peer-memory.sh [peers]   (default 5000)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-5000}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[[ -x "$JAVA_HOME/bin/java" ]] || { echo "peer-memory.sh: no JDK 25 at $JAVA_HOME (set JAVA_HOME)" >&2; exit 1; }
./mvnw -B -q -pl tunnel test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
CP="tunnel/target/test-classes:tunnel/target/classes:$(cat tunnel/target/test-classpath.txt)"
echo "== Gatehouse tunnel (retained heap)"
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx2g -cp "$CP" \
  dev.gatehouse.tunnel.bench.PeerMemoryBenchmark "$N"

echo "== upstream wireguard-go (resident set growth)"
if [[ $EUID -ne 0 ]] || ! command -v wg >/dev/null || ! command -v ip >/dev/null; then
  echo "skipped: needs root, wg and ip"
  exit 0
fi
WG_GO="$(bash e2e/scripts/wireguard-go.sh)"
NS="ghpm$$"
IF="ghpm0"
PID=""
cleanup() {
  [[ -n "$PID" ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  ip netns del "$NS" 2>/dev/null || true
  rm -f "/tmp/$NS.conf"
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" env WG_PROCESS_FOREGROUND=1 LOG_LEVEL=error "$WG_GO" "$IF" &
PID=$!
for _ in $(seq 1 50); do [[ -S "/var/run/wireguard/$IF.sock" ]] && break; sleep 0.1; done
ip netns exec "$NS" wg set "$IF" private-key <(wg genkey) listen-port 51999
ip netns exec "$NS" ip link set "$IF" up
rss() { awk '/VmRSS/ {print $2 * 1024}' "/proc/$PID/status"; }
sleep 1
before="$(rss)"
python3 - "$N" >"/tmp/$NS.conf" <<'PY'
import base64, os, sys
n = int(sys.argv[1])
for i in range(n):
    hi, lo = (i >> 8) & 0xff, i & 0xff
    print("[Peer]")
    print("PublicKey = " + base64.b64encode(os.urandom(32)).decode())
    print("PresharedKey = " + base64.b64encode(os.urandom(32)).decode())
    print(f"AllowedIPs = 100.64.{hi}.{lo}/32, fd00:2021:1111::{hi:x}:{lo}/128")
PY
ip netns exec "$NS" wg addconf "$IF" "/tmp/$NS.conf"
sleep 2
after="$(rss)"
peers="$(ip netns exec "$NS" wg show "$IF" peers | wc -l)"
[[ "$peers" == "$N" ]] || { echo "expected $N peers in wireguard-go, got $peers" >&2; exit 1; }
echo "peers: $N (each with 2 allowed IPs and a preshared key), $WG_GO"
awk -v b="$before" -v a="$after" -v n="$N" \
  'BEGIN { printf "configured, no session: %.0f B per peer (RSS %.1f MB -> %.1f MB)\n", (a-b)/n, b/1e6, a/1e6 }'
