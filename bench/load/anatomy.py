#!/usr/bin/env python3
"""Anatomy of the keep-alive tail: which of Pier's slow requests the JVM explains (run it as bench/load/run.sh --anatomy).

Pier and nginx run as loadbench.py runs them (pinned to CPU 0, the upstream and the load on CPU 1, the same warm-up),
but each round's load comes from h2load in HTTP/1.1 mode (64 connections, one request at a time on each, as wrk),
which logs every request's start and duration; one more warm-up run per proxy uses h2load too, whose requests carry
other header fields than wrk's (a first round after wrk alone ran 55 compilations in its first 120 ms). Pier also logs its collections and safepoints
(-Xlog:gc,safepoint with wall-clock times) and its JIT compilations (-XX:+PrintCompilation), so the two can be put on
one clock. Per round it prints, for both proxies, the latency percentiles; the p99 over the round's first second and
after it (the first second is when new connections run cold code); and for Pier, how many of its requests slower
than nginx's p99 were in flight during a safepoint, how many compilations ran during the round, and the worst 5 ms
windows with what the JVM did then.

Loopback only; every load run is bounded by --duration; everything started is stopped at the end.
"""

import argparse
import bisect
import collections
import datetime
import pathlib
import re
import subprocess
import types

import loadbench as lb

NAMES = ["pier", "nginx"]


def h2load(name, seconds, connections, tsv):
    port = lb.PROXIES[name][0]
    cmd = ["taskset", "-c", "1", "h2load", "--h1", "-t", "1", "-c", str(connections), "-m", "1", "-D", str(seconds),
           f"--connect-to=127.0.0.1:{port}", f"--log-file={tsv}", f"http://{lb.target_host(1)}/"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60).stdout
    failed = re.search(r"(\d+) failed, (\d+) errored", out)
    if not failed or failed.group(1) != "0" or failed.group(2) != "0":
        raise RuntimeError(f"{name}: h2load reported failures: {out[-400:]}")
    return [(int(p[0]), int(p[2])) for p in (line.split("\t") for line in tsv.read_text().splitlines())
            if len(p) >= 3 and p[1] == "200"]


def pct(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))] / 1000.0


def summary(rows):
    v = sorted(lat for _, lat in rows)
    return (f"p50 {pct(v, .5):.2f}, p90 {pct(v, .9):.2f}, p99 {pct(v, .99):.2f}, p99.9 {pct(v, .999):.2f}, "
            f"max {v[-1] / 1000:.1f} ms ({len(v):,} requests)")


def jvm_events(gc_log, stdout_log):
    """Safepoints as (start, end, what) and compilations as (time, what), in microseconds since the epoch."""
    safepoints, offset = [], None
    for line in gc_log.read_text().splitlines():
        m = re.match(r"\[(\S+)\]\[([\d.]+)s\] (.*)", line)
        if not m:
            continue
        at = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1e6
        offset = at - float(m.group(2)) * 1e6  # wall clock minus JVM uptime
        total = re.search(r'Safepoint "(\w+)".*Total: (\d+) ns', m.group(3))
        if total:
            safepoints.append((at - int(total.group(2)) / 1000, at, total.group(1)))
    compilations = []
    if offset is not None:
        for line in stdout_log.read_text(errors="replace").splitlines():
            m = re.match(r"\s*(\d+)\s+\d+\s+(.*)", line)  # -XX:+PrintCompilation: uptime in ms first
            if m:
                compilations.append((offset + int(m.group(1)) * 1000, m.group(2).strip()))
    return safepoints, compilations


def report(r, rows, safepoints, compilations):
    pier, nginx = rows["pier"], rows["nginx"]
    nginx_p99 = pct(sorted(lat for _, lat in nginx), .99) * 1000
    print(f"round {r}")
    for name in NAMES:
        t0 = min(s for s, _ in rows[name])
        first = sorted(lat for s, lat in rows[name] if s - t0 < 1e6)
        rest = sorted(lat for s, lat in rows[name] if s - t0 >= 1e6)
        print(f"  {name:5} {summary(rows[name])}; p99 in the first second {pct(first, .99):.2f} ms, "
              f"after it {pct(rest, .99):.2f} ms")
    start, end = min(s for s, _ in pier), max(s + lat for s, lat in pier)
    during = [sp for sp in safepoints if start <= sp[1] and sp[0] <= end]
    compiled = [c for c in compilations if start <= c[0] <= end]
    slow = [(s, lat) for s, lat in pier if lat > nginx_p99]
    spanning = sum(1 for s, lat in slow if any(a <= s + lat and s <= b for a, b, _ in during))
    pauses = sorted((b - a) / 1000 for a, b, _ in during)
    kinds = collections.Counter(k for _, _, k in during)
    print(f"  pier requests slower than nginx's p99 ({nginx_p99 / 1000:.2f} ms): {len(slow):,} "
          f"({100 * len(slow) / len(pier):.2f}%, nginx 1%); in flight during a safepoint: {spanning:,}")
    print(f"  safepoints: {len(during)} {dict(kinds)}, median {pauses[len(pauses) // 2] if pauses else 0:.2f} ms, "
          f"max {pauses[-1] if pauses else 0:.2f} ms; compilations: {len(compiled)}")
    windows = collections.Counter(int((s + lat) // 5000) for s, lat in slow)
    times = [c[0] for c in compilations]
    for w, n in sorted(windows.items(), key=lambda kv: -kv[1])[:5]:
        lo, hi = w * 5000, w * 5000 + 5000
        sp = [k for a, b, k in during if a <= hi and lo - 20000 <= b]
        comp = bisect.bisect_right(times, hi) - bisect.bisect_left(times, lo - 50000)
        print(f"    +{(lo - start) / 1000:7.0f} ms: {n} slow requests end; safepoints in the 20 ms before: {sp}; "
              f"compilations in the 50 ms before: {comp}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--java", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    ap.add_argument("--warmup", type=int, default=90, help="seconds of load per proxy before the rounds")
    ap.add_argument("--pier-jvm", default=lb.PIER_JVM, help="JVM flags for Pier (%(default)s)")
    ap.add_argument("--out", default=str(lb.HERE / "out"))
    a = ap.parse_args()

    work = pathlib.Path(a.out) / ("anatomy-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    work.mkdir(parents=True)
    gc_log = work / "pier-gc.log"
    flags = lb.jvm_flags_for(a.java, a.pier_jvm) + f" -Xlog:gc,safepoint:file={gc_log}:time,uptime" \
        " -XX:+PrintCompilation"
    args = types.SimpleNamespace(java=a.java, jar=a.jar, pier_jvm=flags, warmup=a.warmup, connections=64)
    scenario = lb.SCENARIOS["keepalive"]
    procs = lb.Processes()
    try:
        crt, key = lb.make_certificate(work)
        lb.start_upstream(work, procs)
        lb.log(f"anatomy of the keep-alive tail: {a.rounds} rounds of {a.duration} s, Pier JVM: `{flags}`")
        lb.start_proxies(NAMES, scenario, work, procs, args, crt, key)
        for name in NAMES:
            lb.check_response(name, scenario)
        lb.warm_up(NAMES, scenario, args)
        for name in NAMES:  # and a run with the rounds' load generator: its requests carry other header fields
            h2load(name, lb.WARMUP_RUN, 64, work / f"warm-up-{name}.tsv")
        rounds = []
        for r in range(1, a.rounds + 1):
            rounds.append({name: h2load(name, a.duration, 64, work / f"round{r}-{name}.tsv") for name in NAMES})
            lb.log(f"  round {r} done")
    finally:
        procs.stop_all()
    safepoints, compilations = jvm_events(gc_log, work / "hosts-1" / "pier.log")
    for r, rows in enumerate(rounds, 1):
        report(r, rows, safepoints, compilations)
    lb.log(f"per-request logs and Pier's JVM logs in {work}")


if __name__ == "__main__":
    main()
