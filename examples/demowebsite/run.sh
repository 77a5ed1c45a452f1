#!/usr/bin/env bash
# Runs Pier on this example with no cluster: builds Pier if needed, starts the three demo web servers
# (the JDK's jwebserver on 127.0.0.1:9001-9003), then Pier on 127.0.0.1:8080 (admin on 10254).
# Ctrl-C stops everything. Edit manifests/*.yaml while it runs: Pier applies changes within a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/lib/java.sh"
pier_select_jdk

pier_build_jar "$repo"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
for site in app1:9001 app2:9002 fallback:9003; do
  "$JAVA_HOME/bin/jwebserver" -b 127.0.0.1 -p "${site##*:}" -d "$here/sites/${site%%:*}" -o none >/dev/null 2>&1 &
  pids+=($!)
done

cat <<'TXT'

Try, in another terminal:
  curl -H 'Host: app1.demowebsite.com' http://127.0.0.1:8080/
  curl -H 'Host: app2.demowebsite.com' http://127.0.0.1:8080/
  curl -H 'Host: demowebsite.com' http://127.0.0.1:8080/app1/
  curl -H 'Host: demowebsite.com' http://127.0.0.1:8080/app2/
  curl -H 'Host: anything.else' http://127.0.0.1:8080/     (the catch-all Ingress's defaultBackend)
  curl http://127.0.0.1:10254/routes                       (the routing table, as JSON)

TXT
JAVA_OPTS="-Xmx256m ${JAVA_OPTS:-}" "$repo/bin/pier" --manifests "$here/manifests" --bind-address 127.0.0.1 "$@" &
pids+=($!)
wait "${pids[-1]}"
