#!/usr/bin/env bash
# Runs the gateway/client network-namespace IT (gateway-sidecar's GatewayClientNetnsIT) on its
# own: the client CLI, the Quarkus gateway (TUN, forwarding, nftables masquerade) and a fake API
# node in namespaces, a jwebserver resource behind the gateway. Needs root, iproute2, nftables and
# curl. Takes about a minute (most of it building).
# Usage: e2e/scripts/gateway-client-netns.sh [extra maven args]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
missing=()
for t in ip nft curl; do command -v "$t" >/dev/null || missing+=("$t"); done
if [[ ${#missing[@]} -gt 0 || $(id -u) != 0 ]]; then
  echo "gateway-client-netns.sh: need root and: ${missing[*]:-nothing else}" >&2
  echo "  apt-get install -y iproute2 nftables curl" >&2
  exit 2
fi
cd "$ROOT"
./mvnw -B -q -pl tunnel,protocol,client install -DskipTests
exec ./mvnw -B -pl gateway-sidecar verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=GatewayClientNetnsIT "$@"
