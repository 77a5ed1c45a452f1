#!/usr/bin/env bash
# Runs Pier's whole test suite (unit and socket-level tests, Netty leak detector at paranoid), then checks the
# container image's Java runtime (scripts/check-image.sh). Extra arguments go to Maven and skip the image check,
# e.g. scripts/test.sh -pl proxy -Dtest=RouteTableTest
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/java.sh
pier_select_jdk
echo "Using JDK at $JAVA_HOME"
./mvnw -B -ntp verify "$@"
if [ $# -eq 0 ]; then
  scripts/check-image.sh
fi
