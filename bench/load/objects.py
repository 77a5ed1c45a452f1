#!/usr/bin/env python3
"""What Pier allocates per proxied request, class by class (run it as bench/load/run.sh --objects).

Pier runs as loadbench.py runs it (pinned to CPU 0, one event loop, the upstream and the load on CPU 1; keep-alive by
default, any scenario of loadbench.py with --scenario), but with a young
generation of 2.5 GB, so that no collection runs while it is measured. After a warm-up and a full collection, a class
histogram that counts unreachable objects too (`jcmd GC.class_histogram -all`) is taken before and after a bounded
load; the difference divided by the requests wrk completed is what each request allocated: exact counts
and sizes, where a sampling profiler gives estimates. `[Ljdk.internal.vm.FillerElement;` is the unused tail of
allocation buffers, not an allocation of Pier's.

Loopback only; every load run is bounded; everything started is stopped at the end.
"""

import argparse
import datetime
import pathlib
import re
import subprocess

import loadbench as lb

YOUNG = "-XX:+UseSerialGC -Xms3g -Xmx3g -Xmn2500m"


def histogram(jcmd, pid):
    """class name -> (instances, bytes), unreachable objects included."""
    out = subprocess.run([jcmd, str(pid), "GC.class_histogram", "-all"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--java", required=True)
    ap.add_argument("--jar", required=True)
    ap.add_argument("--warmup", type=int, default=20, help="seconds of load before measuring")
    ap.add_argument("--duration", type=int, default=5, help="seconds of load measured (at most ~1 GB allocated)")
    ap.add_argument("--scenario", default="keepalive", choices=list(lb.SCENARIOS), help="the load (%(default)s)")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections")
    ap.add_argument("--h2-clients", type=int, default=4)
    ap.add_argument("--h2-streams", type=int, default=32)
    ap.add_argument("--access-log", action="store_true", help="with Pier's access log on")
    ap.add_argument("--top", type=int, default=25, help="classes listed")
    ap.add_argument("--out", default=str(lb.HERE / "out"))
    args = ap.parse_args()

    jcmd = str(pathlib.Path(args.java).parent / "jcmd")
    work = pathlib.Path(args.out) / ("objects-" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    work.mkdir(parents=True)
    procs = lb.Processes()
    try:
        crt, key = lb.make_certificate(work)
        lb.start_upstream(work, procs)
        manifests = work / "manifests"
        lb.write_pier_manifests(manifests, 1, crt, key)
        http_port, https_port = lb.PROXIES["pier"]
        admin = lb.admin_port("pier")
        jvm = lb.jvm_flags_for(args.java, lb.PIER_JVM).replace("-XX:+UseSerialGC -Xms64m -Xmx128m -Xmn48m", YOUNG)
        cmd = [args.java] + jvm.split() + [
            "-jar", args.jar, "--manifests", str(manifests), "--bind-address", "127.0.0.1",
            "--http-port", str(http_port), "--https-port", str(https_port), "--admin-port", str(admin),
            "--io-threads", "1", "--default-ssl-certificate", "default/bench-tls", "--hsts", "off",
            f"--access-log={'true' if args.access_log else 'false'}"]
        pier = procs.start("pier", cmd, work / "pier.log", 0)
        lb.wait_ready(f"http://127.0.0.1:{admin}/readyz", pier, work / "pier.log")
        scenario = lb.SCENARIOS[args.scenario]
        lb.check_response("pier", scenario)
        lb.log(f"warm-up {args.warmup} s")
        lb.run_load("pier", scenario, args.warmup, args)
        subprocess.run([jcmd, str(pier.pid), "GC.run"], capture_output=True, check=True, timeout=120)
        before = histogram(jcmd, pier.pid)
        result = lb.run_load("pier", scenario, args.duration, args)
        after = histogram(jcmd, pier.pid)
        requests = result["requests"]
        rows = []
        for name, (count, size) in after.items():
            count0, size0 = before.get(name, (0, 0))
            rows.append(((size - size0) / requests, (count - count0) / requests, name))
        rows.sort(reverse=True)
        filler = sum(r[0] for r in rows if "FillerElement" in r[2])
        total = sum(r[0] for r in rows) - filler
        lines = [f"{datetime.date.today()} · {scenario['text']} · {requests:,} requests · "
                 f"access log {'on' if args.access_log else 'off'} · **{total:,.0f} bytes per request** "
                 f"(and {filler:,.0f} of allocation-buffer tails)", "",
                 "| Class | objects per request | bytes per request |", "| --- | ---: | ---: |"]
        for size, count, name in rows[:args.top]:
            if size >= 0.5 and "FillerElement" not in name:
                lines.append(f"| `{name}` | {count:.2f} | {size:,.0f} |")
        report = "\n".join(lines) + "\n"
        (work / "objects.md").write_text(report)
        print(report, flush=True)
    finally:
        procs.stop_all()


if __name__ == "__main__":
    main()
