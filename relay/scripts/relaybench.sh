#!/usr/bin/env bash
# Relay benchmarks, printed as RESULT lines (BENCHMARKS.md, "Relay"):
#   1. allocations per second against a relay on loopback (relay/.../AllocationRateBench)
#   2. relayed against direct through the tunnel in the same run, on network namespaces: ping RTT,
#      iperf3 TCP up and down, the relay's CPU seconds per GB (gateway-sidecar/.../RelayedPathBench)
# Needs root, iproute2, nftables, iperf3, curl. Takes about 3 minutes.
# Usage: relay/scripts/relaybench.sh [extra maven args]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
JAVA_HOME="${JAVA_HOME:-$(bash e2e/scripts/java-home.sh)}"; export JAVA_HOME
if [[ $(id -u) != 0 ]]; then echo "relaybench.sh: run as root (network namespaces)" >&2; exit 2; fi
one() { # module test
  ./mvnw -B -ntp verify -pl "$1" -Dit.test="$2" -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
    -Dfailsafe.failIfNoSpecifiedTests=false -Dspotless.check.skip "${@:3}" | grep -E '^RESULT|Tests run:|FAIL'
}
./mvnw -B -q -ntp install -DskipTests -Dspotless.check.skip -pl tunnel,relay,protocol,client -am "$@"
one relay AllocationRateBench "$@"
one gateway-sidecar RelayedPathBench "$@"
