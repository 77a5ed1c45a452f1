#!/usr/bin/env bash
# Builds bench/target/benchmarks.jar if needed and runs JMH with a JDK >= 21; arguments go to JMH.
# Example (the figures in bench/RESULTS.md):  bench/jmh.sh RouteLookupBenchmark -prof gc
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/lib/java.sh"
pier_select_jdk
jar="$repo/bench/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$repo/bench/src" "$repo/proxy/src/main" "$repo/watcher/src/main" "$repo/tls/src/main" -newer "$jar" -print -quit)" ]; then
  (cd "$repo" && ./mvnw -B -q -ntp -pl bench -am package -DskipTests)
fi
exec "$JAVA_HOME/bin/java" -jar "$jar" "$@"
