#!/usr/bin/env bash
# Operator throughput on a real kube-apiserver (kube-api-test): N Resources (default 1000) from
# creation to Ready, beside the API server's own time to accept the creates. Prints one line.
# Usage: operator/scripts/bench.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA_HOME="$(bash e2e/scripts/java-home.sh)"
export JAVA_HOME
./mvnw -B -q -ntp -pl operator -am test-compile -DskipTests
./mvnw -B -q -ntp -pl operator dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cd operator  # the tests find crds/ at ../crds
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.gatehouse.operator.bench.ReconcileBenchmark "${1:-1000}"
