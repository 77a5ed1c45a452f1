#!/usr/bin/env bash
# Runs Pier's whole test suite (unit and socket-level tests, Netty leak detector at paranoid).
# Extra arguments go to Maven, e.g. scripts/test.sh -pl proxy -Dtest=RouteTableTest
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/java.sh
pier_select_jdk
echo "Using JDK at $JAVA_HOME"
exec ./mvnw -B -ntp verify "$@"
