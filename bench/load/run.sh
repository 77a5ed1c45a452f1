#!/usr/bin/env bash
# Side-by-side load benchmark: Pier, nginx and HAProxy in front of one fast upstream, each pinned to CPU 0 with one
# worker / event loop; wrk (or h2load) and the upstream share CPU 1. Installs what it needs from Debian, builds Pier,
# then runs bench/load/loadbench.py with the arguments given (see --help). Loopback only; every run is time-bounded
# and everything started is stopped at the end.
#   bench/load/run.sh                                  # every scenario, 3 rounds of 10 s
#   bench/load/run.sh --scenarios https-keepalive,https-handshake --proxies pier,pier-jdk,nginx
#   bench/load/run.sh --scenarios keepalive --proxies pier,pier-alt,nginx --pier-alt-jvm=-Dsome.flag=1
#   bench/load/run.sh --anatomy                        # Pier's keep-alive tail against its JVM's events (anatomy.py)
#   bench/load/run.sh --objects                        # what Pier allocates per request, class by class (objects.py)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/lib/java.sh"
pier_select_jdk

missing=()
for tool in nginx:nginx haproxy:haproxy wrk:wrk h2load:nghttp2-client openssl:openssl taskset:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing+=("${tool##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian..."
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get install -y -q "${missing[@]}" >/dev/null || { $sudo_cmd apt-get update -q >/dev/null && $sudo_cmd apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "needs 2 CPUs: one for the proxy under test, one for the load generator and upstream" >&2
  exit 1
fi

jar="$repo/watcher/target/pier.jar"
pier_build_jar "$repo"
script=loadbench.py
if [ "${1:-}" = "--anatomy" ]; then
  script=anatomy.py
  shift
elif [ "${1:-}" = "--objects" ]; then
  script=objects.py
  shift
fi
exec python3 "$here/$script" --java "$JAVA_HOME/bin/java" --jar "$jar" "$@"
