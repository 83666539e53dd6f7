#!/usr/bin/python3
"""Latency of the 503s Sidewinder answers while its workers are saturated (issue 17: p99 <= 10 ms).

    load/overload.py NAME=SPEC ...        SPEC as in load/ab.py (a checkout root, then ENV=VALUE settings)

For each server (started afresh, then warmed up for --warmup s): wrk keeps --connections connections busy with
CPU-bound `example.busy(5)` calls, by default one more than the workers plus the queue can hold (4 + 256 on the GIL
build with 2 cores), so every worker is busy and the queue stays full without a flood of rejections; meanwhile a probe
sends POST /eval of 1+1 on its own connection every 20 ms. Every probe finds the queue full, so it measures how fast
the HTTP side answers 503 while Python has the CPU. Rounds alternate the server order. Prints the probe's latency by
status (p50, p99, max) and wrk's own statuses.

`--flood N` instead runs N connections (e.g. 512, as load/bench.sh's overload scenario): then most of wrk's own requests
are 503s too and the probe waits in line behind them (closed loop: latency ~ connections / 503s per second).
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "bench"))
from ab import Server, loadavg  # noqa: E402
from wrkrun import run_wrk, write_script  # noqa: E402

ROOT = os.path.dirname(HERE)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def probe(port: int, seconds: float, out: dict) -> None:
    body = json.dumps({"code": "1+1"})
    deadline = time.monotonic() + seconds
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            conn.request("POST", "/eval", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except OSError:
            status = "error"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        out.setdefault(status, []).append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="+")
    parser.add_argument("--connections", type=int, default=261, help="wrk connections (default 261: 4 workers + 256 queued + 1)")
    parser.add_argument("--flood", type=int, default=0, help="run this many connections instead (a 503 flood)")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=5, help="seconds of eval load after start (JIT)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    config = json.load(open(os.path.join(ROOT, "load", "scenarios.json")))
    work = os.path.join(ROOT, "load", "results", "run")
    os.makedirs(work, exist_ok=True)
    cpu_script = write_script(work, config, "overload")
    eval_script = write_script(work, config, "eval")
    connections = args.flood or args.connections
    servers = [Server(*s.split("=", 1), log_dir=work) for s in args.servers]
    print(f"{' '.join(sys.argv)}\nload average at start: {loadavg()}; {os.cpu_count()} cores", flush=True)
    results = {s.name: {} for s in servers}
    try:
        for server in servers:
            server.start()
            run_wrk(server.url, eval_script, 32, args.warmup)
        for round_no in range(1, args.rounds + 1):
            for server in servers if round_no % 2 else list(reversed(servers)):
                probes: dict = {}
                load = loadavg()
                t = threading.Timer(1.0, probe, (server.port, args.duration - 2, probes))
                t.start()
                result = run_wrk(server.url, cpu_script, connections, args.duration, timeout_s=30)
                t.join()
                for status, values in probes.items():
                    results[server.name].setdefault(status, []).extend(values)
                cells = "  ".join(f"{s}: n={len(v)} p50 {percentile(v, 50):.2f} p99 {percentile(v, 99):.2f} max {max(v):.2f} ms"
                                  for s, v in sorted(probes.items()))
                print(f"r{round_no} {server.name:14} wrk statuses {result['statuses']} errors {result['errors']}"
                      f"  probe {cells}  load {load}", flush=True)
                time.sleep(2)  # let the queue drain
    finally:
        for server in servers:
            server.stop()
    print("summary, probe latency over all rounds:")
    for name, by_status in results.items():
        for status, v in sorted(by_status.items()):
            print(f"  {name:14} {status}: n={len(v)} p50 {statistics.median(v):.2f} p99 {percentile(v, 99):.2f}"
                  f" max {max(v):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
