#!/usr/bin/env python3
"""Side-by-side load benchmark of Pier, nginx and HAProxy (run it through bench/load/run.sh).

Every proxy under test runs pinned to CPU 0 with one worker (nginx), one thread (HAProxy) or one event loop (Pier);
the load generator (wrk, or h2load for HTTP/2) and the upstream (a one-worker nginx answering a fixed body) share
CPU 1. All proxies of a scenario are started together, warmed up, then measured round by round, A B C A B C..., so
drift of a shared machine hits all alike; the warm-up is taken the same way, in runs of at most 10 s, each
beginning with 2 s of new connections. Per proxy:
median requests/s, p50 and p99 latency over the rounds, peak RSS, and the medians over rounds of its requests/s and
its p99 each divided by nginx's in the same round (a ratio within one round is not moved by the machine drifting
between rounds); the proxy core's CPU time per request (its busy share of CPU 0 over the requests completed) and its
ratio to nginx's; for Pier, the bytes its JVM allocated per request.

Loopback only. Each measurement is bounded by --duration; everything started is stopped at the end.
"""

import argparse
import datetime
import json
import os
import pathlib
import re
import signal
import socket
import statistics
import subprocess
import time
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
UPSTREAM_PORT = 9100
WARMUP_RUN = 10  # seconds per warm-up run
CHURN_RUN = 2  # seconds of each warm-up run spent on new connections (Connection: close) before the scenario's load
BODY = "hello from the upstream\n"

# name -> what the load is
SCENARIOS = {
    "shipped": dict(tls=False, close=False, path="/", hosts=1, shipped=True,
                    text="as shipped: keep-alive, small responses, each proxy logging every request to a file; Pier "
                         "with the image's JVM options (heap sized for the chart's 512 MiB memory limit) and its JSON "
                         "access log, nginx with ingress-nginx's log format"),
    "keepalive": dict(tls=False, close=False, path="/", hosts=1, text="keep-alive, small responses"),
    "close": dict(tls=False, close=True, path="/", hosts=1, text="Connection: close on every request"),
    "body64k": dict(tls=False, close=False, path="/64k", hosts=1, text="keep-alive, 64 KiB responses"),
    "hosts1000": dict(tls=False, close=False, path="/", hosts=1000, text="keep-alive, 1,000 hosts configured"),
    "hosts10000": dict(tls=False, close=False, path="/", hosts=10000, text="keep-alive, 10,000 hosts configured"),
    "https-keepalive": dict(tls=True, close=False, path="/", hosts=1, text="HTTPS keep-alive, small responses"),
    "https-handshake": dict(tls=True, close=True, path="/", hosts=1,
                            text="HTTPS with a new connection and full TLS handshake per request"),
    "h2": dict(tls=True, close=False, path="/", hosts=1, h2=True, text="HTTP/2 over TLS, many streams"),
}

# Pier's JVM flags: a small heap for one event loop, with a 48 MB young generation (about one young collection a
# second instead of three at 30,000 req/s: fewer requests held up by a pause, which p99 sees) and compact object
# headers as in the Dockerfile (fewer bytes per request); Netty's Unsafe paths (off by default on Java 25+); no leak
# detection sampling on the hot path.
PIER_JVM = ("-XX:+UseSerialGC -Xms64m -Xmx128m -Xmn48m -XX:+UseCompactObjectHeaders -XX:MaxDirectMemorySize=64m "
            "-XX:ReservedCodeCacheSize=48m -Xss512k --sun-misc-unsafe-memory-access=allow "
            "-Dio.netty.leakDetection.level=disabled")

# Pier variants: the flags that set each apart. Plain "pier" keeps no access log, as nginx and HAProxy here don't;
# "pier-log" writes its JSON access log (to a file) to show what logging costs.
PIER_VARIANTS = {
    "pier": ["--tls-engine", "openssl", "--access-log=false"],
    "pier-jdk": ["--tls-engine", "jdk", "--access-log=false"],
    "pier-log": ["--tls-engine", "openssl"],
    # The same Pier with only the Ingress of the host the load asks for: beside "pier" in a many-host scenario, the
    # cost of the other hosts is measured within each round ("pier / pier-1host"), not across scenarios that a
    # drifting machine runs at different speeds.
    "pier-1host": ["--tls-engine", "openssl", "--access-log=false"],
    # Pier with other JVM flags (--pier-alt-jvm, added to --pier-jvm) or another build (--pier-alt-jar): a change
    # tried in the same rounds as the default, against the same nginx.
    "pier-alt": ["--tls-engine", "openssl", "--access-log=false"],
}

# name -> (http port, https port)
PROXIES = {
    "pier": (8080, 8443),
    "pier-jdk": (8090, 8453),
    "pier-log": (8100, 8463),
    "pier-1host": (8110, 8473),
    "pier-alt": (8120, 8483),
    "nginx": (8081, 8444),
    "nginx-plain": (8083, 8446),
    "haproxy": (8082, 8445),
}


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", flush=True)


def wait_port(port, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def wait_ready(url, proc, log_file, timeout=120.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = pathlib.Path(log_file).read_text(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"exited with {proc.returncode} before {url} was ready: " + " / ".join(tail))
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def host(i):
    return f"h{i}.bench.test"


def target_host(hosts):
    return host(hosts // 2)


class Processes:
    """Everything started, stopped in reverse order at exit."""

    def __init__(self):
        self.started = []

    def start(self, name, cmd, log_file, cpu):
        full = ["taskset", "-c", str(cpu)] + cmd
        out = open(log_file, "w")
        p = subprocess.Popen(full, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.started.append((name, p))
        return p

    def stop(self, p, grace=10):
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.started = [(n, q) for n, q in self.started if q is not p]

    def stop_all(self):
        for _, p in reversed(list(self.started)):
            self.stop(p)


def peak_rss_kib(pid):
    """The largest VmHWM of a process and its children (for nginx, the worker's), in KiB."""
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    best = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmHWM:"):
                    kib = int(line.split()[1])
                    best = max(best, kib)
        except OSError:
            pass
    return best


def make_certificate(work):
    crt, key = work / "tls.crt", work / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "7",
                    "-subj", "/CN=bench.test", "-addext", "subjectAltName=DNS:*.bench.test,DNS:bench.test",
                    "-keyout", str(key), "-out", str(crt)], check=True, capture_output=True)
    (work / "tls.pem").write_text(crt.read_text() + key.read_text())
    return crt, key


# ingress-nginx's default access log line (its "log-format-upstream"), written unbuffered to a file as it writes it.
NGINX_ACCESS_LOG = """  log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" $request_length $request_time [$proxy_upstream_name] '
    '[$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length $upstream_response_time '
    '$upstream_status $request_id';
  access_log {path} upstreaminfo;"""


def nginx_conf(d, http_body, access_log=None):
    """An nginx.conf for one worker in the foreground, logging errors only (and requests to access_log, a path, when
    given), around the http-block body given."""
    conf = d / "nginx.conf"
    logging = NGINX_ACCESS_LOG.format(path=access_log) if access_log else "  access_log off;"
    conf.write_text(f"""
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 16384; }}
http {{
{logging}
  keepalive_requests 1000000;
{http_body}
}}
""")
    return conf


def write_upstream(work):
    d = work / "upstream"
    d.mkdir(exist_ok=True)
    (d / "64k").write_bytes(b"x" * 65536)
    return nginx_conf(d, f"""  keepalive_timeout 300s;
  server {{
    listen 127.0.0.1:{UPSTREAM_PORT} backlog=4096;
    location = / {{ default_type text/plain; return 200 "{BODY.strip()}\\n"; }}
    location = /64k {{ default_type application/octet-stream; alias {d}/64k; }}
    location = /headers {{
      default_type text/plain;
      return 200 "$http_x_forwarded_for|$http_x_real_ip|$http_x_forwarded_proto|$http_x_forwarded_host|$http_x_forwarded_port|$http_x_request_id\n";
    }}
  }}""")


def start_upstream(work, procs):
    """The upstream every proxy forwards to, a one-worker nginx on CPU 1, started and ready."""
    procs.start("upstream", ["nginx", "-c", str(write_upstream(work)), "-e", str(work / "upstream" / "error.log")],
                work / "upstream.log", 1)
    wait_port(UPSTREAM_PORT)


def write_pier_manifests(d, hosts, crt, key, only=None):
    """Manifests for Pier: the upstream Service, its EndpointSlice, the TLS Secret, and an Ingress per host (or, with
    only, the Ingress of that one host)."""
    import base64
    d.mkdir(parents=True, exist_ok=True)
    b64 = lambda p: base64.b64encode(p.read_bytes()).decode()
    parts = [f"""apiVersion: v1
kind: Service
metadata: {{name: upstream}}
spec: {{ports: [{{name: http, port: 80}}]}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {{name: upstream-1, labels: {{kubernetes.io/service-name: upstream}}}}
addressType: IPv4
ports: [{{name: http, port: {UPSTREAM_PORT}}}]
endpoints: [{{addresses: [127.0.0.1], conditions: {{ready: true}}}}]
---
apiVersion: v1
kind: Secret
metadata: {{name: bench-tls}}
type: kubernetes.io/tls
data: {{tls.crt: {b64(crt)}, tls.key: {b64(key)}}}
"""]
    for i in range(hosts):
        if only is not None and host(i) != only:
            continue
        parts.append(f"""---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {{name: app-{i}}}
spec:
  ingressClassName: pier
  rules: [{{host: {host(i)}, http: {{paths: [{{path: /, pathType: Prefix, backend: {{service: {{name: upstream, port: {{number: 80}}}}}}}}]}}}}]
""")
    (d / "bench.yaml").write_text("".join(parts))


# What ingress-nginx has nginx send the upstream for a plain Ingress: the request headers Pier sends too.
NGINX_FORWARDING = """  proxy_set_header Host $host;
  proxy_set_header X-Forwarded-For $remote_addr;
  proxy_set_header X-Forwarded-Proto $scheme;
  proxy_set_header X-Forwarded-Host $host;
  proxy_set_header X-Forwarded-Port $server_port;
  proxy_set_header X-Real-IP $remote_addr;
  proxy_set_header X-Request-ID $request_id;
"""


def write_nginx(d, hosts, crt, key, name="nginx", access_log=False, plain=False):
    """nginx as ingress-nginx configures it for a plain Ingress: the upstream gets the request headers Pier sends
    (Host, X-Forwarded-For/-Proto/-Host/-Port, X-Real-IP, X-Request-ID), so both proxies do the same work; with
    access_log, each request is logged as ingress-nginx logs it. With plain, a bare reverse proxy instead: proxy_pass
    with upstream keep-alive and nothing else, less work than any Ingress controller does (the floor)."""
    d.mkdir(parents=True, exist_ok=True)
    http_port, https_port = PROXIES[name]
    location = "proxy_pass http://up;" if plain else (
        'set $proxy_upstream_name "default-bench-80"; set $proxy_alternative_upstream_name ""; proxy_pass http://up;')
    servers = "".join(f"""
  server {{
    listen 127.0.0.1:{http_port}{' default_server backlog=4096' if i == 0 else ''};
    listen 127.0.0.1:{https_port} ssl http2{' default_server backlog=4096' if i == 0 else ''};
    server_name {host(i)};
    location / {{ {location} }}
  }}""" for i in range(hosts))
    return nginx_conf(d, f"""  keepalive_timeout 75s;
  server_names_hash_max_size 65536;
  server_names_hash_bucket_size 128;
  ssl_certificate {crt};
  ssl_certificate_key {key};
  ssl_protocols TLSv1.2 TLSv1.3;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
{'' if plain else NGINX_FORWARDING}  upstream up {{ server 127.0.0.1:{UPSTREAM_PORT}; keepalive 256; }}
{servers}""", access_log=d / "access.log" if access_log else None)


def write_haproxy(d, hosts, pem):
    """HAProxy sending the upstream the same request headers as Pier and nginx."""
    d.mkdir(parents=True, exist_ok=True)
    http_port, https_port = PROXIES["haproxy"]
    (d / "hosts.map").write_text("".join(f"{host(i)} up\n" for i in range(hosts)))
    conf = d / "haproxy.cfg"
    conf.write_text(f"""
global
  nbthread 1
  maxconn 8000
  tune.ssl.default-dh-param 2048
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  timeout connect 5s
  timeout client 75s
  timeout server 60s
  timeout http-keep-alive 75s
  option http-keep-alive
  http-reuse always
frontend web
  bind 127.0.0.1:{http_port} backlog 4096
  bind 127.0.0.1:{https_port} ssl crt {pem} alpn h2,http/1.1
  option forwardfor
  http-request set-header X-Forwarded-Proto http if !{{ ssl_fc }}
  http-request set-header X-Forwarded-Proto https if {{ ssl_fc }}
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  http-request set-header X-Forwarded-Port %[dst_port]
  http-request set-header X-Real-IP %[src]
  http-request set-header X-Request-ID %[uuid] unless {{ req.hdr(x-request-id) -m found }}
  use_backend %[req.hdr(host),lower,word(1,:),map({d}/hosts.map,nothere)]
backend up
  server s1 127.0.0.1:{UPSTREAM_PORT} maxconn 1000
backend nothere
  http-request return status 404
""")
    return conf


def start_proxies(names, scenario, work, procs, args, crt, key):
    hosts = scenario["hosts"]
    shipped = scenario.get("shipped", False)
    d = work / ("shipped" if shipped else f"hosts-{hosts}")
    running = {}
    for name in names:
        http_port, https_port = PROXIES[name]
        if name.startswith("pier"):
            manifests = d / f"{name}-manifests"
            write_pier_manifests(manifests, hosts, crt, key, target_host(hosts) if name == "pier-1host" else None)
            admin = admin_port(name)
            jvm = (args.shipped_jvm if shipped else args.pier_jvm) + (
                " " + args.pier_alt_jvm if name == "pier-alt" else "")
            jar = args.pier_alt_jar if name == "pier-alt" and args.pier_alt_jar else args.jar
            flags = [f for f in PIER_VARIANTS[name] if not (shipped and f == "--access-log=false")]
            cmd = [args.java] + jvm.split() + [
                "-jar", jar, "--manifests", str(manifests), "--bind-address", "127.0.0.1",
                "--http-port", str(http_port), "--https-port", str(https_port), "--admin-port", str(admin),
                "--io-threads", "1", "--default-ssl-certificate", "default/bench-tls", "--hsts", "off"
            ] + flags
            p = procs.start(name, cmd, d / f"{name}.log", 0)
            wait_ready(f"http://127.0.0.1:{admin}/readyz", p, d / f"{name}.log")
        elif name == "nginx":
            conf = write_nginx(d / "nginx", hosts, crt, key, access_log=shipped)
            p = procs.start(name, ["nginx", "-c", str(conf), "-e", str(d / "nginx" / "error.log")],
                            d / "nginx.log", 0)
        elif name == "nginx-plain":
            conf = write_nginx(d / "nginx-plain", hosts, crt, key, name="nginx-plain", plain=True)
            p = procs.start(name, ["nginx", "-c", str(conf), "-e", str(d / "nginx-plain" / "error.log")],
                            d / "nginx-plain.log", 0)
        elif name == "haproxy":
            conf = write_haproxy(d / "haproxy", hosts, work / "tls.pem")
            p = procs.start(name, ["haproxy", "-f", str(conf)], d / "haproxy.log", 0)
        else:
            raise SystemExit(f"unknown proxy {name}")
        wait_port(http_port)
        wait_port(https_port)
        running[name] = p
    return running


def cpu_times():
    """Busy and total jiffies of CPU 0 and CPU 1, from /proc/stat."""
    out = {}
    for line in open("/proc/stat"):
        parts = line.split()
        if parts[0] in ("cpu0", "cpu1"):
            values = [int(v) for v in parts[1:]]
            idle = values[3] + values[4]  # idle + iowait
            out[parts[0]] = (sum(values) - idle, sum(values))
    return out


def busy_percent(before, after):
    res = {}
    for cpu in before:
        busy = after[cpu][0] - before[cpu][0]
        total = after[cpu][1] - before[cpu][1]
        res[cpu] = round(100.0 * busy / total) if total else None
    return res


LAT = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)


def to_ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def admin_port(name):
    return 10254 + 10 * list(PIER_VARIANTS).index(name)


def allocated_bytes(name):
    """The bytes Pier's threads have allocated on the heap so far (its jvm_gc_memory_allocated_bytes_total), or None
    for another proxy."""
    if name not in PIER_VARIANTS:
        return None
    metrics = urllib.request.urlopen(f"http://127.0.0.1:{admin_port(name)}/metrics", timeout=10).read().decode()
    m = re.search(r"^jvm_gc_memory_allocated_bytes_total(?:\{[^}]*\})? (\S+)$", metrics, re.M)
    return float(m.group(1)) if m else None


def load(name, scenario, seconds, args):
    before = cpu_times()
    allocated = allocated_bytes(name)
    result = run_load(name, scenario, seconds, args)
    cpus = busy_percent(before, cpu_times())
    result["cpu0"], result["cpu1"] = cpus["cpu0"], cpus["cpu1"]
    result["cpu_us"] = (cpus["cpu0"] / 100 * seconds * 1e6 / result["requests"]) if result.get("requests") else None
    after = allocated_bytes(name)
    result["alloc"] = (after - allocated) / result["requests"] if after is not None and result["requests"] else None
    return result


def run_load(name, scenario, seconds, args):
    http_port, https_port = PROXIES[name]
    hostname = target_host(scenario["hosts"])
    if scenario.get("h2"):
        url = f"https://127.0.0.1:{https_port}{scenario['path']}"
        cmd = ["taskset", "-c", "1", "h2load", "-t", "1", "-c", str(args.h2_clients), "-m", str(args.h2_streams),
               "-D", str(seconds), "-H", f":authority: {hostname}", url]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
        rps = float(re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out).group(1))
        ok = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
        errors = int(ok.group(3)) + int(ok.group(4)) if ok else -1
        errors += int(re.search(r"(\d+) failed, (\d+) errored", out).group(1))
        lat = re.search(r"time for request:\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)\s+([\d.]+)(us|ms|s)", out)
        done = re.search(r"requests: \d+ total, \d+ started, (\d+) done", out)
        return dict(rps=rps, p50=to_ms(lat.group(5), lat.group(6)) if lat else None, p99=None, errors=errors,
                    requests=int(done.group(1)) if done else None, raw=out)
    scheme, port = ("https", https_port) if scenario["tls"] else ("http", http_port)
    url = f"{scheme}://127.0.0.1:{port}{scenario['path']}"
    cmd = ["taskset", "-c", "1", "wrk", "-t", "1", "-c", str(args.connections), "-d", f"{seconds}s", "--latency",
           "-H", f"Host: {hostname}"]
    if scenario["close"]:
        cmd += ["-H", "Connection: close"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {m.group(1): to_ms(m.group(2), m.group(3)) for m in LAT.finditer(out)}
    errors = 0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m and not scenario["close"]:  # with Connection: close, wrk counts every server close as a read error
        errors += sum(int(g) for g in m.groups())
    elif m:
        errors += int(m.group(1)) + int(m.group(3)) + int(m.group(4))
    done = re.search(r"(\d+) requests in", out)
    return dict(rps=rps, p50=lat.get("50"), p99=lat.get("99"), errors=errors,
                requests=int(done.group(1)) if done else None, raw=out)


def check_response(name, scenario):
    """One request through the proxy before measuring: the body must be the upstream's."""
    http_port, https_port = PROXIES[name]
    scheme = "https" if scenario["tls"] else "http"
    port = https_port if scenario["tls"] else http_port
    cmd = ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H",
           f"Host: {target_host(scenario['hosts'])}", f"{scheme}://127.0.0.1:{port}{scenario['path']}"]
    if scenario.get("h2"):
        cmd = ["curl", "-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{http_version}",
               "--resolve", f"{target_host(scenario['hosts'])}:{port}:127.0.0.1",
               f"https://{target_host(scenario['hosts'])}:{port}{scenario['path']}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.split()
    size = 65536 if scenario["path"] == "/64k" else len(BODY)
    if out[0] != "200" or int(out[1]) != size or (scenario.get("h2") and out[2] != "2"):
        raise RuntimeError(f"{name}: {scenario['path']} answered {out}, expected 200 with {size} bytes")
    if not scenario["tls"] and name != "nginx-plain":  # every proxy sends the upstream the same headers (but the floor)
        seen = subprocess.run(["curl", "-s", "-H", f"Host: {target_host(scenario['hosts'])}",
                               f"http://127.0.0.1:{port}/headers"], capture_output=True, text=True, timeout=30).stdout
        values = seen.strip().split("|")
        if len(values) != 6 or not all(values):
            raise RuntimeError(f"{name}: the upstream saw X-Forwarded-For|X-Real-IP|X-Forwarded-Proto|"
                               f"X-Forwarded-Host|X-Forwarded-Port|X-Request-ID = {seen.strip()!r}")


def warm_up(names, scenario, args):
    """
    Warm-up in runs of at most WARMUP_RUN s, proxies in turn as in the rounds, every proxy sitting idle between its
    runs as it will between its rounds. Each run begins with CHURN_RUN s of Connection: close, a new connection per
    request: every round opens its connections anew, and a JIT must have compiled the paths that accept, set up and
    tear down a connection before the rounds, not during them (the 64 connections of each run alone are far too few).
    """
    runs = -(-max(0, args.warmup) // WARMUP_RUN)  # none for --warmup 0
    log(f"  warm-up {args.warmup} s per proxy, in {runs} runs, each starting with up to {CHURN_RUN} s of new "
        f"connections")
    for i in range(runs):
        seconds = min(WARMUP_RUN, args.warmup - i * WARMUP_RUN)
        churn = 0 if scenario["close"] else min(CHURN_RUN, seconds - 1)
        for name in names:
            if churn > 0:
                load(name, dict(scenario, close=True, h2=False), churn, args)
            load(name, scenario, seconds - churn, args)


def run_scenario(key, names, work, procs, args, crt, key_file):
    scenario = SCENARIOS[key]
    log(f"scenario {key}: {scenario['text']}; starting {', '.join(names)}")
    running = start_proxies(names, scenario, work, procs, args, crt, key_file)
    try:
        for name in names:
            check_response(name, scenario)
        warm_up(names, scenario, args)
        rounds = []
        for r in range(args.rounds):
            row = {}
            for name in names:
                res = load(name, scenario, args.duration, args)
                row[name] = res
                log(f"  round {r + 1} {name}: {res['rps']:.0f} req/s, p50 {res['p50']} ms, p99 {res['p99']} ms,"
                    f" errors {res['errors']}, CPU busy: proxy {res['cpu0']}%, load+upstream {res['cpu1']}%"
                    + (f", {res['alloc']:.0f} bytes allocated per request" if res["alloc"] is not None else ""))
            rounds.append(row)
        rss = {name: peak_rss_kib(p.pid) // 1024 for name, p in running.items()}  # taskset execs: same pid
    finally:
        for p in running.values():
            procs.stop(p)
    summary = {}
    for name in names:
        rps = [row[name]["rps"] for row in rounds]
        p50 = [row[name]["p50"] for row in rounds if row[name]["p50"] is not None]
        p99 = [row[name]["p99"] for row in rounds if row[name]["p99"] is not None]
        ratio = [row[name]["rps"] / row["nginx"]["rps"] for row in rounds] if "nginx" in names else []
        p99_ratio = [row[name]["p99"] / row["nginx"]["p99"] for row in rounds
                     if "nginx" in names and row[name]["p99"] and row["nginx"]["p99"]]
        one_host = [row[name]["rps"] / row["pier-1host"]["rps"] for row in rounds] if "pier-1host" in names else []
        alloc = [row[name]["alloc"] for row in rounds if row[name]["alloc"] is not None]
        cpu_ratio = [row[name]["cpu_us"] / row["nginx"]["cpu_us"] for row in rounds
                     if "nginx" in names and row[name].get("cpu_us") and row["nginx"].get("cpu_us")]
        summary[name] = dict(
            rps=statistics.median(rps), rps_all=rps,
            p50=statistics.median(p50) if p50 else None,
            p99=statistics.median(p99) if p99 else None,
            ratio=statistics.median(ratio) if ratio else None,
            p99_ratio=statistics.median(p99_ratio) if p99_ratio else None,
            ratio_1host=statistics.median(one_host) if one_host else None,
            errors=sum(row[name]["errors"] for row in rounds),
            cpu0=statistics.median(row[name]["cpu0"] for row in rounds),
            cpu1=statistics.median(row[name]["cpu1"] for row in rounds),
            alloc=statistics.median(alloc) if alloc else None,
            cpu_us=statistics.median(row[name]["cpu_us"] for row in rounds) if all(
                row[name].get("cpu_us") for row in rounds) else None,
            cpu_ratio=statistics.median(cpu_ratio) if cpu_ratio else None,
            rss_mib=rss[name])
    return dict(scenario=key, text=scenario["text"], rounds=[{n: {k: v for k, v in r.items() if k != "raw"}
                                                              for n, r in row.items()} for row in rounds],
                summary=summary)


def markdown(result):
    lines = [f"**{result['scenario']}**: {result['text']}", "",
             "| Proxy | req/s (median) | each round | p50 ms | p99 ms | ratio to nginx | p99 ratio | errors "
             "| peak RSS MiB | CPU 0 / 1 busy | proxy CPU µs per request | CPU ratio | bytes allocated per request |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    fmt = lambda v, f: "-" if v is None else format(v, f)
    for name, s in result["summary"].items():
        lines.append(f"| {name} | {s['rps']:,.0f} | {', '.join(f'{x:,.0f}' for x in s['rps_all'])} | "
                     f"{fmt(s['p50'], '.2f')} | {fmt(s['p99'], '.2f')} | {fmt(s['ratio'], '.2f')} | "
                     f"{fmt(s.get('p99_ratio'), '.2f')} | {s['errors']} | "
                     f"{s['rss_mib']} | {s['cpu0']:.0f}% / {s['cpu1']:.0f}% | {fmt(s.get('cpu_us'), '.1f')} | "
                     f"{fmt(s.get('cpu_ratio'), '.2f')} | {fmt(s.get('alloc'), ',.0f')} |")
    one_host = result["summary"].get("pier", {}).get("ratio_1host")
    if one_host is not None:
        lines += ["", f"pier / pier-1host (median of per-round ratios): {one_host:.3f}"]
    return "\n".join(lines) + "\n"


def jvm_flags_for(java, flags):
    """Pier's JVM flags without those the given java does not know."""
    version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr
    major = int(re.search(r'version "(\d+)', version).group(1))
    if major < 23:  # the flag exists from Java 23 on; Netty needs it from 25 on
        flags = flags.replace("--sun-misc-unsafe-memory-access=allow", "").strip()
    if major < 25:  # a product flag from Java 25 on
        flags = flags.replace("-XX:+UseCompactObjectHeaders", "").strip()
    return flags


def shipped_jvm_flags(java):
    """The JVM options Pier ships with (bin/jvm.options, as bin/pier applies them for this java), with the heap sized
    as in a container with the chart's memory limit (512 MiB) rather than for this whole machine."""
    env = dict(os.environ, JAVA_HOME=str(pathlib.Path(java).resolve().parent.parent))
    options = subprocess.run([str(HERE.parent.parent / "bin" / "pier"), "--print-jvm-options"], env=env,
                             capture_output=True, text=True, check=True).stdout.strip()
    return options + " -XX:MaxRAM=512m"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--java", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated: " + ", ".join(SCENARIOS))
    ap.add_argument("--proxies", default="pier,nginx,haproxy", help="comma-separated: " + ", ".join(PROXIES))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    ap.add_argument("--warmup", type=int, default=90,
                    help="seconds of load per proxy before the rounds, in runs of %d s taken in turn" % WARMUP_RUN)
    ap.add_argument("--connections", type=int, default=64, help="wrk connections")
    ap.add_argument("--h2-clients", type=int, default=4)
    ap.add_argument("--h2-streams", type=int, default=32)
    ap.add_argument("--pier-jvm", default=PIER_JVM, help="JVM flags for Pier (%(default)s)")
    ap.add_argument("--pier-alt-jvm", default="", help="JVM flags added to --pier-jvm for the pier-alt variant")
    ap.add_argument("--pier-alt-jar", help="the pier-alt variant's JAR (default: --jar)")
    ap.add_argument("--out", default=str(HERE / "out"))
    args = ap.parse_args()

    args.pier_jvm = jvm_flags_for(args.java, args.pier_jvm)
    args.shipped_jvm = shipped_jvm_flags(args.java)
    names = args.proxies.split(",")
    if "nginx" not in names:
        log("nginx not among the proxies: no ratios")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    work = pathlib.Path(args.out) / stamp
    work.mkdir(parents=True)
    procs = Processes()
    results = []
    try:
        crt, key = make_certificate(work)
        start_upstream(work, procs)
        cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"],
                             capture_output=True, text=True).stdout.strip()
        alt = ""
        if "pier-alt" in names:
            alt = ((f"; pier-alt adds `{args.pier_alt_jvm}`" if args.pier_alt_jvm else "")
                   + (f"; pier-alt runs `{args.pier_alt_jar}`" if args.pier_alt_jar else ""))
        header = (f"{datetime.date.today()} · `nproc` {os.cpu_count()} · {cpu} · {args.rounds} rounds of "
                  f"{args.duration} s after {args.warmup} s warm-up · wrk -t1 -c{args.connections} · Pier JVM: "
                  f"`{args.pier_jvm}`{alt}" + (f"; as shipped: `{args.shipped_jvm}`"
                                               if "shipped" in args.scenarios.split(",") else ""))
        log(header)
        for key_name in args.scenarios.split(","):
            result = run_scenario(key_name, names, work, procs, args, crt, key)
            results.append(result)
            print(markdown(result), flush=True)
            (work / "results.json").write_text(json.dumps(dict(header=header, results=results), indent=2))
        report = header + "\n\n" + "\n".join(markdown(r) for r in results)
        (work / "results.md").write_text(report)
        log(f"results in {work}/results.md")
    finally:
        procs.stop_all()


if __name__ == "__main__":
    main()
