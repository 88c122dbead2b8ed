#!/usr/bin/env bash
# Runs the tunnel's interop IT (our TunnelRunner <-> wireguard-go in network namespaces) on its
# own, without the unit tests. Needs root, iproute2, wireguard-tools, iperf3, iputils-ping, the
# Debian wireguard-go package (second baseline) and Go (the IT builds upstream wireguard-go
# through e2e/scripts/wireguard-go.sh). Takes about 1.5 minutes.
# Usage: e2e/scripts/tunnel-interop.sh [extra maven args, e.g. -Dit.test=WireGuardGoInteropIT#rekey*]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
missing=()
for t in ip wg iperf3 ping; do command -v "$t" >/dev/null || missing+=("$t"); done
[[ -x /usr/bin/wireguard-go ]] || missing+=("wireguard-go (Debian package)")
command -v go >/dev/null || [[ -x /usr/local/go/bin/go ]] || missing+=("go")
if [[ ${#missing[@]} -gt 0 || $(id -u) != 0 ]]; then
  echo "tunnel-interop.sh: need root and: ${missing[*]:-nothing else}" >&2
  echo "  apt-get install -y iproute2 wireguard-tools wireguard-go iperf3 iputils-ping" >&2
  exit 2
fi
cd "$ROOT"
exec ./mvnw -B -pl tunnel verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false "$@"
