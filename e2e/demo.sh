#!/usr/bin/env bash
# The README's first command: runs Gatehouse locally, the whole flow, and tells what happened.
#
# A real kube-apiserver + etcd + kube-controller-manager on loopback (built from source, see
# e2e/kube), the CRDs and a Gateway/Resource/Policy applied to it; the operator with its API node
# on PostgreSQL; the gateway pods the operator asks for, run as containers by a real kubelet (containerd + runc) in
# network namespaces; a web resource in a namespace of its own; and the headless client in a
# namespace that can reach only the gateways' UDP port and the API node. The client fetches a
# page and a file through a gateway; then garbage UDP, an API node restart, a killed gateway and a
# revoked policy. It ends with a table of the figures and exits non-zero if any scenario failed.
# Every process and namespace it starts is gone at the end (PostgreSQL too, if the demo started
# it). Needs root. Takes about 3 minutes once built; a fresh machine first installs packages,
# builds Kubernetes and wireguard-go from source and fills the Maven repository (README: times).
#
# Extra Maven options come from MAVEN_ARGS, e.g. MAVEN_ARGS="-Dmaven.repo.local=$(mktemp -d)"
# proves the build from an empty local repository (.ci/run does).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
SETUP_LOGS="$ROOT/e2e/logs/demo-setup"
mkdir -p "$SETUP_LOGS"

current_step="checking the user"
step() { current_step="$*"; printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Any command that fails outside run_logged still names the step it broke.
trap 'status=$?; echo "demo.sh: step \"$current_step\" failed: \"$BASH_COMMAND\" exited with $status (line $LINENO)" >&2' ERR

# Runs a command with its output in a log of its own; on failure prints the log's tail and path.
run_logged() {
  local name="$1"; shift
  local log="$SETUP_LOGS/$name.log"
  local start=$SECONDS status=0
  "$@" >"$log" 2>&1 || status=$?
  if ((status == 0)); then
    echo "  $name: done in $((SECONDS - start)) s (log: ${log#"$ROOT"/})"
    return 0
  fi
  {
    echo "demo.sh: $name failed (exit $status) in step \"$current_step\": $*"
    echo "---- last 40 lines of $log ----"
    tail -n 40 "$log"
    echo "----"
  } >&2
  trap - ERR
  exit "$status"
}

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

step "Preparing: packages, Kubernetes and wireguard-go binaries, PostgreSQL (e2e/setup.sh)"
run_logged setup bash e2e/setup.sh
JAVA_HOME="$(bash e2e/scripts/java-home.sh)"; export JAVA_HOME
export PATH="$PATH:/usr/local/go/bin"
KUBE_BIN="$(bash e2e/kube/build-binaries.sh 2>/dev/null)"
export PATH="$KUBE_BIN:$PATH"
echo "  JDK $JAVA_HOME; kube binaries $KUBE_BIN"

step "Building the operator, gateway, client and the demo (Maven${MAVEN_ARGS:+, MAVEN_ARGS=$MAVEN_ARGS})"
CP_FILE="$ROOT/e2e/target/demo.classpath"
rm -f "$CP_FILE"
# One reactor build: the e2e module's package phase writes its classpath (e2e/pom.xml), with the
# sibling modules resolved from this same build, so an empty local repository works.
run_logged build ./mvnw -B -ntp package -DskipTests -pl operator,client,gateway-sidecar,e2e -am
[[ -s "$CP_FILE" ]] || { echo "demo.sh: the build wrote no classpath at $CP_FILE" >&2; exit 1; }

step "Running the demo"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$ROOT/e2e/target/classes:$(cat "$CP_FILE")" dev.gatehouse.e2e.local.Demo "$ROOT"
