#!/usr/bin/env bash
# Runs Pier on the TLS example with no cluster. Creates a certificate for myapp.com with openssl (once), writes it
# as the kubernetes.io/tls Secret myapp-secret-tls next to the Ingress, starts the demo site on 127.0.0.1:9011, then
# Pier: HTTP on 127.0.0.1:8080, HTTPS on 127.0.0.1:8443, admin on 10254. Ctrl-C stops everything.
# Run it again with --renew to issue a new certificate while Pier runs: the next handshake uses it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/lib/java.sh"
pier_select_jdk

certs="$here/certs"            # git-ignored: the CA-less self-signed certificate and its key
secret="$here/manifests/myapp-secret-tls.yaml"   # git-ignored: the Secret Pier reads

issue() {
  mkdir -p "$certs"
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=myapp.com" \
    -addext "subjectAltName=DNS:myapp.com" -keyout "$certs/tls.key" -out "$certs/tls.crt" 2>/dev/null
  # What `kubectl create secret tls myapp-secret-tls --cert=tls.crt --key=tls.key --dry-run=client -o yaml` writes.
  cat > "$secret.tmp" <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: myapp-secret-tls
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 < "$certs/tls.crt")
  tls.key: $(base64 -w0 < "$certs/tls.key")
YAML
  mv "$secret.tmp" "$secret"   # one rename: Pier never reads half a file
  echo "Issued a certificate for myapp.com, SHA-256 $(openssl x509 -in "$certs/tls.crt" -noout -fingerprint -sha256 | cut -d= -f2)"
}

if [ "${1:-}" = "--renew" ]; then
  issue
  exit 0
fi
[ -f "$secret" ] || issue

jar="$repo/watcher/target/pier.jar"
pier_build_jar "$repo"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
"$JAVA_HOME/bin/jwebserver" -b 127.0.0.1 -p 9011 -d "$here/sites/myapp" -o none >/dev/null 2>&1 &
pids+=($!)

cat <<TXT

Try, in another terminal (from the repository root):
  curl --cacert examples/tls/certs/tls.crt --resolve myapp.com:8443:127.0.0.1 https://myapp.com:8443/
  curl -i --resolve myapp.com:8080:127.0.0.1 http://myapp.com:8080/          (308 to https://myapp.com:8443/)
  curl -k -sv https://127.0.0.1:8443/ 2>&1 | grep subject:                   (no SNI: the default certificate)
  curl --http2 -k -sI --resolve myapp.com:8443:127.0.0.1 https://myapp.com:8443/   (HTTP/2)
  examples/tls/run.sh --renew                                                (rotate; the next handshake sees it)
  curl http://127.0.0.1:10254/routes                                         (routes and certificates, as JSON)

TXT
"$JAVA_HOME/bin/java" -XX:+UseSerialGC -Xmx256m -jar "$jar" --manifests "$here/manifests" \
  --bind-address 127.0.0.1 "$@" &
pids+=($!)
wait "${pids[-1]}"
