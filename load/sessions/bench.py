#!/usr/bin/env python3
"""Session measurements for docs/performance.md: create + first run latency, run throughput in a session versus
stateless /run, RSS per 1,000 idle sessions, and the reaper's scan time.

    dotnet build Sidewinder.slnx -c Release
    load/sessions/bench.py --python default          # or 3.13t

Starts the built service (src/Api/bin/Release/net10.0) on a free loopback port, drives it over one keep-alive
connection from this process (so every figure includes this client's own overhead, the same for both sides of a
comparison), and prints a Markdown table. Concurrent throughput uses wrk (load/sessions/sessions.lua) when installed.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVICE = os.path.join(ROOT, "src/Api/bin/Release/net10.0/Sidewinder.Api")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(python, port, extra_env, log_path):
    env = dict(os.environ, SIDEWINDER_PYTHON=python, ASPNETCORE_URLS=f"http://127.0.0.1:{port}",
               Sessions__MaxSessions="20000", Sessions__MaxSessionsPerOwner="20000", Limits__RateLimitPermitsPerSecond="0",
               **extra_env)
    log = open(log_path, "w")
    process = subprocess.Popen([SERVICE], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health/ready")
            if c.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not start; see " + log_path)


class Client:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def send(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        self.c.request(method, path, body=data, headers={"Content-Type": "application/json"} if data else {})
        r = self.c.getresponse()
        text = r.read()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {text[:300]!r}")
        return json.loads(text) if text else None


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def wrk(port, script, paths_file, seconds):
    if shutil.which("wrk") is None:
        return None
    out = subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s", "-s", script, f"http://127.0.0.1:{port}"],
                         env=dict(os.environ, PATHS=paths_file), capture_output=True, text=True).stdout
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return float(m.group(1)) if m else None, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default="default")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--idle", type=int, default=1000)
    args = parser.parse_args()
    port = free_port()
    log = os.path.join(tempfile.gettempdir(), f"sidewinder-sessions-bench-{port}.log")
    process = start(args.python, port, {
        "Logging__LogLevel__Sidewinder.Workers.Sessions": "Debug",  # the reaper's scan time (a Debug line)
        "Logging__LogLevel__Sidewinder.Api": "Warning",
        "Sessions__ReaperInterval": "00:00:01",
    }, log)
    rows = []
    try:
        client = Client(port)
        for _ in range(200):  # warm-up: JIT, code caches
            sid = client.send("POST", "/sessions", {})["id"]
            client.send("POST", f"/sessions/{sid}/run", {"code": "x = 1"})
            client.send("DELETE", f"/sessions/{sid}")
            client.send("POST", "/run", {"code": "x = 1"})

        create, first, both = [], [], []
        for _ in range(args.iterations):
            t0 = time.perf_counter()
            sid = client.send("POST", "/sessions", {})["id"]
            t1 = time.perf_counter()
            client.send("POST", f"/sessions/{sid}/run", {"code": "x = 1"})
            t2 = time.perf_counter()
            client.send("DELETE", f"/sessions/{sid}")
            create.append((t1 - t0) * 1e3)
            first.append((t2 - t1) * 1e3)
            both.append((t2 - t0) * 1e3)
        for name, values in (("POST /sessions", create), ("first POST /sessions/{id}/run", first), ("create + first run", both)):
            rows.append((f"{name} latency, p50 / p99 ({args.iterations} sequential)", f"{pct(values, 50):.3f} / {pct(values, 99):.3f} ms"))

        def rate(method_path, body):
            n, end = 0, time.perf_counter() + args.seconds
            while time.perf_counter() < end:
                client.send("POST", method_path, body)
                n += 1
            return n / args.seconds

        sid = client.send("POST", "/sessions", {})["id"]
        client.send("POST", f"/sessions/{sid}/run", {"code": "x = 0"})
        # Alternating rounds, best of three each: the machine is shared, and noise only ever slows a round down.
        stateless = in_session = 0.0
        for _ in range(3):
            stateless = max(stateless, rate("/run", {"code": "x = 1\nx += 1"}))
            in_session = max(in_session, rate(f"/sessions/{sid}/run", {"code": "x += 1"}))
        rows.append(("POST /run throughput, one connection (stateless; best of 3 rounds)", f"{stateless:,.0f} req/s"))
        rows.append(("POST /sessions/{id}/run throughput, one connection, one session (best of 3 rounds)", f"{in_session:,.0f} req/s"))

        script = os.path.join(ROOT, "load/sessions/sessions.lua")
        paths = tempfile.NamedTemporaryFile("w", delete=False, suffix=".txt")
        for _ in range(32):
            s = client.send("POST", "/sessions", {})["id"]
            client.send("POST", f"/sessions/{s}/run", {"code": "x = 0"})
            paths.write(f"/sessions/{s}/run\n")
        paths.close()
        stateless_paths = tempfile.NamedTemporaryFile("w", delete=False, suffix=".txt")
        stateless_paths.write("/run\n")
        stateless_paths.close()
        concurrent_stateless = wrk(port, script, stateless_paths.name, args.seconds)
        concurrent_sessions = wrk(port, script, paths.name, args.seconds)
        if concurrent_stateless and concurrent_sessions:
            rows.append(("POST /run, wrk -t1 -c32 (stateless)", f"{concurrent_stateless[0]:,.0f} req/s ({concurrent_stateless[1]} non-2xx)"))
            rows.append(("POST /sessions/{id}/run, wrk -t1 -c32, 32 sessions (one per connection)",
                         f"{concurrent_sessions[0]:,.0f} req/s ({concurrent_sessions[1]} non-2xx)"))
        else:
            rows.append(("concurrent throughput", "not measured (wrk missing)"))

        time.sleep(1)
        before = rss_kib(process.pid)
        for i in range(args.idle):
            s = client.send("POST", "/sessions", {})["id"]
            client.send("POST", f"/sessions/{s}/run", {"code": f"a = {i}\nb = 'text' * 10\nc = list(range(10))\nd = {{'k': a}}"})
        time.sleep(2)
        after = rss_kib(process.pid)
        rows.append((f"RSS growth per 1,000 idle sessions (4 small globals each; {args.idle} created)",
                     f"{(after - before) * 1000 / args.idle / 1024:.2f} MiB ({(after - before) / args.idle:.1f} KiB per session)"))
        time.sleep(3)  # a few reaper scans over every session
        with open(log) as f:
            scans = [m for m in re.finditer(r"0 of (\d+) sessions expired, scan took \"?([0-9:.]+)", f.read())]
        if scans:
            last = scans[-1]
            rows.append((f"reaper scan of {last.group(1)} sessions (none expired; last of {len(scans)} scans)", last.group(2)))
        else:
            rows.append(("reaper scan", "not measured (no Debug line found)"))
    finally:
        process.terminate()
        process.wait(30)
    print(f"| measurement (Python runtime `{args.python}`) | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    sys.exit(main())
