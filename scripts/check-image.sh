#!/usr/bin/env bash
# Checks what the Dockerfile builds, on a machine without a Docker engine: the same jlink-ed runtime
# (scripts/image-runtime.sh), the same JVM flags (read from the Dockerfile's JDK_JAVA_OPTIONS, which must be
# bin/jvm.options for the image's Java 25), run as uid 65532
# with the working directory and HOME unwritable. Pier must start on the example manifests, become ready, serve
# HTTP, HTTPS with BoringSSL and the epoll transport, and stop cleanly on SIGTERM. Loopback only.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/scripts/lib/java.sh"
pier_select_jdk
cd "$repo"
[ -f watcher/target/pier.jar ] || ./mvnw -B -q -ntp -pl watcher -am package -DskipTests
work=$(mktemp -d)
trap 'pkill -f "$work/pier.jar" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
scripts/image-runtime.sh watcher/target/pier.jar "$work/java" >/dev/null
mkdir -p "$work/tmp" && chown 65532:65532 "$work/tmp" 2>/dev/null || true
cp watcher/target/pier.jar "$work/pier.jar"
cp -r examples/demowebsite/manifests "$work/manifests"
chmod -R a+rX "$work"
opts=$(sed -n '/^ENV JDK_JAVA_OPTIONS=/,/"$/p' Dockerfile | tr -d '\\\n' | sed 's/^ENV JDK_JAVA_OPTIONS="//; s/"$//')
echo "JDK_JAVA_OPTIONS=$opts"
# One set of JVM options for every way of running Pier: the image's must be bin/jvm.options for the image's Java.
if [ "$(pier_java_major "$work/java/bin/java")" = 25 ]; then
  launcher=$(JAVA_HOME=$JAVA_HOME bin/pier --print-jvm-options)
  [ "$launcher" = "$opts" ] || { echo "FAIL: the Dockerfile's JDK_JAVA_OPTIONS ($opts) differ from bin/jvm.options for Java 25 ($launcher)"; exit 1; }
fi
run=(env -i PATH=/nonexistent HOME=/nonexistent "JDK_JAVA_OPTIONS=$opts -Djava.io.tmpdir=$work/tmp"
     "$work/java/bin/java" -jar "$work/pier.jar" --manifests "$work/manifests" --bind-address 127.0.0.1
     --http-port 18080 --https-port 18443 --admin-port 20254)
if [ "$(id -u)" -eq 0 ]; then
  (cd / && setpriv --reuid=65532 --regid=65532 --clear-groups "${run[@]}" > "$work/out.log" 2>&1) &
else
  (cd / && "${run[@]}" > "$work/out.log" 2>&1) &
fi
pid=$!
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:20254/readyz >/dev/null 2>&1 && break
  sleep 0.2
done
curl -sf http://127.0.0.1:20254/readyz >/dev/null || { cat "$work/out.log"; echo "FAIL: not ready"; exit 1; }
for _ in $(seq 1 50); do  # the traffic listeners open right after the first configuration is in force
  grep -q 'HTTPS on' "$work/out.log" && break
  sleep 0.2
done
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: nowhere.example' http://127.0.0.1:18080/)
[ "$status" = 502 ] || [ "$status" = 200 ] || { echo "FAIL: HTTP answered $status"; exit 1; }
version=$(curl -sk --http2 -o /dev/null -w '%{http_version}' https://127.0.0.1:18443/)
[ "$version" = 2 ] || { echo "FAIL: no HTTP/2 over TLS ($version)"; exit 1; }
grep -q 'OPENSSL TLS engine' "$work/out.log" || { cat "$work/out.log"; echo "FAIL: BoringSSL did not load"; exit 1; }
grep -q 'epoll transport' "$work/out.log" || { cat "$work/out.log"; echo "FAIL: epoll did not load"; exit 1; }
metrics=$(curl -sf http://127.0.0.1:20254/metrics)  # not piped into grep -q: with pipefail, curl's SIGPIPE fails
grep -q '^pier_requests_total' <<<"$metrics" || { echo "FAIL: no metrics"; exit 1; }
uid=$(awk '/^Uid:/ {print $2}' "/proc/$(pgrep -f "$work/pier.jar" | head -1)/status")
kill -TERM "$(pgrep -f "$work/pier.jar" | head -1)"
wait "$pid" || true
grep -q 'stopped' "$work/out.log" || { cat "$work/out.log"; echo "FAIL: no clean stop"; exit 1; }
routed="routed"
[ "$status" = 502 ] && routed="routed (502: the upstream it names does not run here, as expected)"
echo "OK: runtime $(du -sh "$work/java" | cut -f1), uid $uid, ready, $routed, HTTP/2 over BoringSSL, epoll, metrics, clean stop"
