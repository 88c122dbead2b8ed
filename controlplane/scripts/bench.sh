#!/usr/bin/env bash
# Prints the control-plane figures recorded in BENCHMARKS.md ("## Control plane"):
# cache memory (no database needed) and CDC throughput/latency (needs the local PostgreSQL,
# started here with e2e/scripts/postgres.sh), plus the CDC path without the database (apply).
# Usage: controlplane/scripts/bench.sh [memory|apply|cdc|all]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
./mvnw -B -q -pl controlplane test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
CP="controlplane/target/test-classes:controlplane/target/classes:$(cat controlplane/target/test-classpath.txt)"
what="${1:-all}"
if [[ "$what" == memory || "$what" == all ]]; then
  "$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx3g -cp "$CP" \
    dev.gatehouse.controlplane.bench.CacheMemoryBenchmark
fi
if [[ "$what" == apply || "$what" == all ]]; then
  "$JAVA_HOME/bin/java" -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    dev.gatehouse.controlplane.bench.ApplyThroughputBenchmark
fi
if [[ "$what" == cdc || "$what" == all ]]; then
  bash e2e/scripts/postgres.sh start >/dev/null
  "$JAVA_HOME/bin/java" -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" \
    dev.gatehouse.controlplane.pg.CdcBenchmark
fi
