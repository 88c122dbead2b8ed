#!/usr/bin/env bash
# Prints the API node figures recorded in BENCHMARKS.md ("## API node"): client channels per
# replica (heap/RSS/CPU of the node process per channel) and revocation latency under load.
# Needs the local PostgreSQL (started here with e2e/scripts/postgres.sh). Loopback only.
# Usage: apinode/scripts/bench.sh [clients=2000] [revocations=200]
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
bash e2e/scripts/postgres.sh start >/dev/null
./mvnw -B -q -pl apinode test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
CP="apinode/target/test-classes:apinode/target/classes:$(cat apinode/target/test-classpath.txt)"
"$JAVA_HOME/bin/java" -Xmx3g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  --enable-native-access=ALL-UNNAMED -Djdk.httpclient.allowRestrictedHeaders=host -cp "$CP" \
  dev.gatehouse.apinode.it.ApiNodeBenchmark "${1:-2000}" "${2:-200}"
