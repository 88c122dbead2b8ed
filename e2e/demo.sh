#!/usr/bin/env bash
# The README's first command: runs Gatehouse locally, the whole flow, and tells what happened.
#
# A real kube-apiserver + etcd + kube-controller-manager on loopback (built from source, see
# e2e/kube), the CRDs and a Gateway/Resource/Policy applied to it; the operator with its API node
# on PostgreSQL; the gateway pods the operator asks for, run by a local kubelet as processes in
# network namespaces; a web resource in a namespace of its own; and the headless client in a
# namespace that can reach only the gateways' UDP port and the API node. The client fetches a
# page and a file through a gateway; then garbage UDP, an API node restart, a killed gateway and a
# revoked policy. Every process and namespace it starts is gone at the end (PostgreSQL too, if
# the demo started it). Needs root. Takes about 3 minutes once built (the first run builds
# Kubernetes from source: about 5 more).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "demo.sh: run as root (network namespaces, TUN devices)" >&2; exit 1
fi

pg_was_running=no
if bash e2e/scripts/postgres.sh status >/dev/null 2>&1; then pg_was_running=yes; fi
cleanup() {
  local status=$?
  if [[ $pg_was_running == no ]]; then bash e2e/scripts/postgres.sh stop >/dev/null 2>&1 || true; fi
  exit "$status"
}
trap cleanup EXIT

step "Preparing: packages, Kubernetes binaries, PostgreSQL (e2e/setup.sh), then the build"
bash e2e/setup.sh 2>&1 | sed 's/^/  /'
JAVA_HOME="$(bash e2e/scripts/java-home.sh)"; export JAVA_HOME
export PATH="$PATH:/usr/local/go/bin"
KUBE_BIN="$(bash e2e/kube/build-binaries.sh)"
export PATH="$KUBE_BIN:$PATH"
./mvnw -B -q -ntp package -DskipTests -pl operator,client,gateway-sidecar,e2e -am
CP_FILE="$ROOT/e2e/target/demo.classpath"
./mvnw -B -q -ntp -pl e2e dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
echo "  JDK $JAVA_HOME; kube binaries $KUBE_BIN; built"

"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$ROOT/e2e/target/classes:$(cat "$CP_FILE")" dev.gatehouse.e2e.local.Demo "$ROOT"
