#!/usr/bin/python3
"""A/B of builds or settings of Sidewinder (and the floor) in one run, rounds alternating, server CPU per request.

    load/ab.py [options] NAME=SPEC ...

SPEC is `floor`, a checkout root whose `src/Api` was built with `dotnet build -c Release` (or the path of a
Sidewinder.Api.dll, e.g. in a `dotnet publish` directory), followed by
comma-separated environment settings for that server: `new=.,Workers__IdleSpinTime=00:00:00`. Every Sidewinder runs
with rate limiting off and logging at Warning (as in load/bench.sh) unless its settings say otherwise; the runtime is
`SIDEWINDER_PYTHON` (default `default`).

Steady state (default): every server is started once and stays up; round by round (order reversed every other
round) each gets `--warmup` s of unrecorded load, then `--duration` s measured with `wrk -t1 -cN`. Server CPU is
user + system time of its process from /proc over the measured run, divided by the requests answered.

Cold (`--cold 30`): each round starts every server afresh and measures consecutive `--window` s runs from the moment
`/health/ready` answers 200: what a user who starts the service and puts load on it sees in its first seconds.

Prints one line per run and a summary (median and range over rounds); `--json FILE` keeps every run.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "bench"))
from procstat import cpu_seconds, loadavg  # noqa: E402
from servers import free_port  # noqa: E402
from wrkrun import run_wrk, write_script  # noqa: E402

ROOT = os.path.dirname(HERE)


class Server:
    def __init__(self, name: str, spec: str, log_dir: str):
        parts = spec.split(",")
        self.name, self.root = name, parts[0]
        self.env = dict(p.split("=", 1) for p in parts[1:])
        self.log_dir = log_dir
        self.proc = None

    def argv(self, url: str):
        if self.root == "floor":
            return ["dotnet", os.path.join(ROOT, "load/Floor/bin/Release/net10.0/Sidewinder.Load.Floor.dll"), "--urls", url]
        if self.root.endswith(".dll"):  # a build output elsewhere, e.g. a `dotnet publish` directory
            return ["dotnet", os.path.abspath(self.root), "--urls", url]
        return ["dotnet", os.path.join(os.path.abspath(self.root), "src/Api/bin/Release/net10.0/Sidewinder.Api.dll"),
                "--urls", url]

    def start(self) -> float:
        """Starts the process; returns seconds from spawning it to the first 200 of /health/ready."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.setdefault("SIDEWINDER_PYTHON", "default")
        env["Limits__RateLimitPermitsPerSecond"] = "0"
        env["Logging__LogLevel__Default"] = "Warning"
        env.update(self.env)
        log = open(os.path.join(self.log_dir, f"ab-{self.name}.log"), "ab")
        started = time.monotonic()
        self.proc = subprocess.Popen(self.argv(self.url), env=env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=ROOT)
        while time.monotonic() - started < 120:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} (log: {log.name})")
            try:
                with urllib.request.urlopen(self.url + "/health/ready", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} not ready in 120 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None


def wait_idle(server: Server, limit: float = 10.0) -> None:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = cpu_seconds([server.proc.pid])
        time.sleep(0.3)
        if cpu_seconds([server.proc.pid]) - before < 0.015:
            return


def measure(server: Server, script: str, connections: int, seconds: float) -> dict:
    pid = server.proc.pid
    cpu0, t0, load = cpu_seconds([pid]), time.monotonic(), loadavg()
    result = run_wrk(server.url, script, connections, seconds)
    elapsed = time.monotonic() - t0
    cpu = cpu_seconds([pid]) - cpu0
    n = result["requests"]
    lat = result["latency_us"]
    errors = sum(result["errors"].values())
    return {"server": server.name, "rps": n / (result["duration_us"] / 1e6), "requests": n,
            "cpu_us": cpu / n * 1e6 if n else None, "cpu_share": cpu / elapsed,
            "p50_ms": lat["p50"] / 1000, "p99_ms": lat["p99"] / 1000, "max_ms": lat["max"] / 1000,
            "errors": errors, "statuses": result["statuses"], "loadavg": load}


def show(run: dict, prefix: str) -> None:
    print(f"{prefix} {run['server']:16} {run['rps']:9.0f} req/s  cpu/req {run['cpu_us'] or 0:6.1f} us"
          f"  p50 {run['p50_ms']:6.2f}  p99 {run['p99_ms']:7.2f} ms  err {run['errors']}  load {run['loadavg']}", flush=True)


def summary(runs, names, key_extra=lambda r: ""):
    print("\nsummary (median [min-max] over rounds):")
    for name in names:
        mine = [r for r in runs if r["server"] == name]
        if not mine:
            continue
        def col(field, fmt):
            values = [r[field] for r in mine if r[field] is not None]
            return f"{fmt.format(statistics.median(values))} [{fmt.format(min(values))}-{fmt.format(max(values))}]"
        print(f"  {name:16} {col('rps', '{:,.0f}')} req/s  cpu/req {col('cpu_us', '{:.1f}')} us"
              f"  p99 {col('p99_ms', '{:.2f}')} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("servers", nargs="+", help="NAME=SPEC (see above)")
    parser.add_argument("--scenario", default="eval", help="a scenario of load/scenarios.json (default eval)")
    parser.add_argument("-c", "--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=6)
    parser.add_argument("--warmup", type=float, default=1, help="unrecorded seconds before each steady-state run")
    parser.add_argument("--session-warmup", type=float, default=0,
                        help="unrecorded seconds of load on each server once, after start (steady state only)")
    parser.add_argument("--cold", type=float, default=0, help="measure the first N seconds after start instead")
    parser.add_argument("--window", type=float, default=5, help="length of each cold window (default 5 s)")
    parser.add_argument("--json", help="write every run to this file")
    args = parser.parse_args()

    config = json.load(open(os.path.join(ROOT, "load", "scenarios.json")))
    work = os.path.join(ROOT, "load", "results", "run")
    os.makedirs(work, exist_ok=True)
    script = write_script(work, config, args.scenario)
    servers = [Server(*s.split("=", 1), log_dir=work) for s in args.servers]
    names = [s.name for s in servers]
    runs = []
    print(f"{' '.join(sys.argv)}\nload average at start: {loadavg()}; {os.cpu_count()} cores", flush=True)
    try:
        if args.cold:
            for round_no in range(1, args.rounds + 1):
                for server in servers if round_no % 2 else list(reversed(servers)):
                    ready = server.start()
                    print(f"r{round_no} {server.name}: ready in {ready * 1000:.0f} ms", flush=True)
                    t = 0.0
                    while t < args.cold - 1e-9:
                        run = measure(server, script, args.connections, args.window)
                        run.update(round=round_no, window_s=t, ready_s=ready)
                        runs.append(run)
                        show(run, f"r{round_no} {t:4.0f}-{t + args.window:<3.0f}s")
                        t += args.window
                    server.stop()
                    time.sleep(1)
            print("\ncold summary per window (median over rounds of req/s, cpu/req us):")
            for server in servers:
                cells = []
                t = 0.0
                while t < args.cold - 1e-9:
                    w = [r for r in runs if r["server"] == server.name and r["window_s"] == t]
                    cells.append(f"{t:.0f}s {statistics.median(r['rps'] for r in w):,.0f}/"
                                 f"{statistics.median(r['cpu_us'] for r in w):.0f}")
                    t += args.window
                print(f"  {server.name:16} " + "  ".join(cells))
        else:
            for server in servers:
                ready = server.start()
                print(f"{server.name}: ready in {ready * 1000:.0f} ms", flush=True)
                if args.session_warmup:
                    run_wrk(server.url, script, args.connections, args.session_warmup)
            for round_no in range(1, args.rounds + 1):
                for server in servers if round_no % 2 else list(reversed(servers)):
                    wait_idle(server)
                    if args.warmup:
                        run_wrk(server.url, script, args.connections, args.warmup)
                    run = measure(server, script, args.connections, args.duration)
                    run["round"] = round_no
                    runs.append(run)
                    show(run, f"r{round_no}")
            summary(runs, names)
    finally:
        for server in servers:
            server.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"argv": sys.argv, "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
