#!/usr/bin/env bash
# Fuzzes one of Pier's request paths with Jazzer (coverage-guided, libFuzzer inside), for SECONDS (default 600):
#   http1  the HTTP/1.1 head and chunked-body path (dev.pier.proxy.http.Http1Fuzzer)
#   http2  HTTP/2 frames to HTTP/1.1 requests     (dev.pier.proxy.http.Http2Fuzzer)
# Starts from the committed corpus (proxy/src/test/resources/fuzz/TARGET) and works in target/fuzz/TARGET: the corpus
# it grows, and crash-* files for any input that fails (copy one into the committed corpus once fixed, so every build
# replays it). Netty's leak detector runs at paranoid. Usage: scripts/fuzz.sh http1|http2 [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/java.sh
pier_select_jdk

target=${1:-}
seconds=${2:-600}
case "$target" in
  http1) class=dev.pier.proxy.http.Http1Fuzzer ;;
  http2) class=dev.pier.proxy.http.Http2Fuzzer ;;
  *) echo "usage: scripts/fuzz.sh http1|http2 [SECONDS]" >&2; exit 2 ;;
esac

./mvnw -B -q -ntp install -DskipTests -pl tls,proxy -am
./mvnw -B -q -ntp dependency:build-classpath -pl proxy -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/target/fuzz/classpath.txt"
work=target/fuzz/$target
mkdir -p "$work/corpus"
cp -n proxy/src/test/resources/fuzz/"$target"/* "$work/corpus/"

echo "Fuzzing $class for ${seconds}s; corpus and findings in $work"
exec "$JAVA_HOME/bin/java" -Xmx2g -XX:+EnableDynamicAgentLoading \
  -Dio.netty.leakDetection.level=paranoid \
  -Dio.netty.customResourceLeakDetector=dev.pier.testing.RecordingLeakDetector \
  -cp "proxy/target/test-classes:proxy/target/classes:$(cat target/fuzz/classpath.txt)" \
  com.code_intelligence.jazzer.Jazzer --target_class="$class" \
  --instrumentation_includes='dev.pier.**:io.netty.handler.codec.**' \
  -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus"
