#!/usr/bin/env bash
# Runs every Gatehouse test: sets the machine up (idempotent), then the Maven build with unit
# tests, integration tests against real PostgreSQL / kube-apiserver / wireguard-go, and e2e.
# Extra arguments go to Maven, e.g. e2e/test.sh -pl operator
set -euo pipefail
cd "$(dirname "$0")/.."
bash e2e/setup.sh
JAVA_HOME="$(bash e2e/scripts/java-home.sh)"
export JAVA_HOME
echo "test: using JDK at $JAVA_HOME" >&2
exec ./mvnw -B -ntp verify "$@"
