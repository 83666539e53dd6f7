#!/usr/bin/python3
"""Side-by-side HTTP load benchmark: the ASP.NET Core floor, FastAPI + uvicorn and Sidewinder, in one run.

Run it through load/bench.sh, which installs the tools and builds the servers first. This file starts each server on a
loopback port, checks that it answers every scenario correctly, drives the scenarios of load/scenarios.json with wrk
at fixed concurrency levels, samples the server's memory (whole process tree) and CPU, and writes the raw results as
JSON; report.py turns them into the table and chart in docs/performance.md.

Rounds alternate the order of the servers (forward, then reversed) so that drift on the machine affects all alike.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Dict, List, Optional, Tuple

from procstat import cpu_seconds, machine_busy_seconds, memory
from servers import SERVERS, RunningServer
from wrkrun import run_wrk, write_script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Which servers run which scenarios (all concurrency levels of the scenario unless a list is given). The floor has no
# CPU-bound work, so it is left out of those; extra worker counts and the logging variants run only where they say
# something.
MAIN = ["floor", "uvicorn-1", "uvicorn-2", "sw-gil", "sw-ft"]
PLAN: List[Tuple[str, Optional[List[int]], List[str]]] = [
    ("eval", None, MAIN),
    ("eval", [32], ["uvicorn-4"]),
    ("run", None, MAIN),
    ("call", None, MAIN),
    ("mixed", None, MAIN),
    ("cpu", None, ["uvicorn-1", "uvicorn-2", "sw-gil-1w", "sw-gil-2w", "sw-gil", "sw-ft-1w", "sw-ft"]),
    ("overload", None, ["uvicorn-2", "sw-gil", "sw-ft"]),
    ("eval", [32], ["sw-gil-log", "uvicorn-2-log"]),
]


class Sampler(threading.Thread):
    """Samples the server's process tree every 0.2 s and keeps the peaks since the last reset."""

    def __init__(self, server: RunningServer):
        super().__init__(daemon=True)
        self.server = server
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.peak = {"rss": 0, "pss": 0}

    def run(self):
        while not self.stop_event.wait(0.2):
            m = memory(self.server.pids())
            with self.lock:
                self.peak["rss"] = max(self.peak["rss"], m["rss"])
                self.peak["pss"] = max(self.peak["pss"], m["pss"])

    def take(self) -> Dict[str, int]:
        with self.lock:
            peak, self.peak = self.peak, {"rss": 0, "pss": 0}
        return peak


def check_response(server: RunningServer, request: Dict) -> Optional[str]:
    """One request; None when the response is 200 with outcome ok and the expected fields, else what is wrong.
    The floor does no work, so only its status and outcome are checked."""
    data = json.dumps(request["body"]).encode()
    req = urllib.request.Request(server.url + request["path"], data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            body = json.loads(r.read())
    except Exception as exc:  # noqa: BLE001 - report whatever went wrong
        return f"{request['path']} {request['body']}: {exc}"
    if body.get("outcome") != "ok":
        return f"{request['path']}: outcome {body.get('outcome')!r}"
    for field, value in ({} if server.server.kind == "floor" else request["expect"]).items():
        if body.get(field) != value:
            return f"{request['path']}: {field} is {body.get(field)!r}, expected {value!r}"
    return None


def probe_overload(server: RunningServer, request: Dict, seconds: float) -> Dict[str, List[float]]:
    """While wrk saturates the server: sequential requests on one extra connection, latency by status (ms)."""
    import http.client

    latencies: Dict[str, List[float]] = {}
    body = json.dumps(request["body"])
    deadline = time.monotonic() + seconds
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            conn.request("POST", request["path"], body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            status = str(response.status)
        except Exception:  # noqa: BLE001 - a failed probe is a result too
            status = "error"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        latencies.setdefault(status, []).append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    conn.close()
    return latencies


def k6_selfcheck(server: RunningServer) -> str:
    """Runs the k6 scripts' iterations against this server under Node (load/k6/selfcheck); returns its verdict."""
    if not shutil.which("node"):
        return "skipped: node not installed"
    script = os.path.join(ROOT, "load", "k6", "selfcheck", "selfcheck.mjs")
    proc = subprocess.run(["node", script, server.url, "4"], capture_output=True, text=True, timeout=300)
    verdict = (proc.stdout.strip() or proc.stderr.strip()).splitlines()
    print("  " + "\n  ".join(verdict), flush=True)
    if proc.returncode != 0:
        raise RuntimeError("the k6 scripts fail against Sidewinder: " + " ".join(verdict))
    return verdict[-1] if verdict else "ok"


def background_cpu(seconds: float) -> float:
    """Share of the machine (0..1) busy over the next `seconds`, before anything of ours runs."""
    before, t0 = machine_busy_seconds(), time.monotonic()
    time.sleep(seconds)
    return (machine_busy_seconds() - before) / ((time.monotonic() - t0) * (os.cpu_count() or 1))


def measure(server: RunningServer, sampler: Sampler, config: Dict, scenario: str, connections: int, args,
            script: str) -> Dict:
    spec = config["scenarios"][scenario]
    if not spec.get("acceptStatuses"):
        # Warm-up: caches, connections; not recorded. Not before an overload run: a server that does not shed load
        # would still be working off the warm-up's abandoned requests when the measured run starts.
        run_wrk(server.url, script, connections, args.warmup)
    sampler.take()
    pids = server.pids()
    cpu0, busy0, self0 = cpu_seconds(pids), machine_busy_seconds(), time.process_time()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    probe: Dict[str, List[float]] = {}
    prober = None
    if spec.get("acceptStatuses"):
        request = config["requests"][next(iter(spec["mix"]))]
        prober = threading.Thread(target=lambda: probe.update(probe_overload(server, request, args.duration * 0.6)))
        threading.Timer(args.duration * 0.2, prober.start).start()
    result = run_wrk(server.url, script, connections, args.duration)
    if prober is not None:
        time.sleep(0.1)
        prober.join()
    elapsed = time.monotonic() - t0
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (children1.ru_utime - children0.ru_utime) + (children1.ru_stime - children0.ru_stime)
    server_cpu = cpu_seconds(pids) - cpu0
    own = time.process_time() - self0
    machine = machine_busy_seconds() - busy0
    cores = os.cpu_count() or 1
    seconds = result["duration_us"] / 1e6
    peak = sampler.take()
    lat = result["latency_us"]
    return {
        "server": server.server.key, "scenario": scenario, "connections": connections,
        "requests": result["requests"], "rps": result["requests"] / seconds,
        "p50_ms": lat["p50"] / 1000, "p90_ms": lat["p90"] / 1000, "p99_ms": lat["p99"] / 1000,
        "max_ms": lat["max"] / 1000, "errors": result["errors"], "statuses": result["statuses"],
        "work_per_s": result["work"] / seconds if result["work"] else None,
        "server_cpu": server_cpu / (elapsed * cores), "wrk_cpu": wrk_cpu / (elapsed * cores),
        "server_cpu_us_per_request": server_cpu / result["requests"] * 1e6 if result["requests"] else None,
        "background_cpu": max(0.0, (machine - server_cpu - wrk_cpu - own) / (elapsed * cores)),
        "peak_rss_kib": peak["rss"], "peak_pss_kib": peak["pss"],
        "probe_ms": probe, "wrk": result["argv"],
    }


def session(key: str, work: List[Tuple[str, int]], config: Dict, args, paths: Dict, scripts: Dict, round_no: int,
            log_dir: str) -> Dict:
    """Starts one server, measures idle memory, runs its scenarios, records its peaks and stops it."""
    server = RunningServer(SERVERS[key], paths, os.path.join(log_dir, f"{key}.r{round_no}.log"))
    sampler = Sampler(server)
    record = {"server": key, "round": round_no, "runs": []}
    try:
        record["startup_s"] = server.wait_ready()
        time.sleep(args.settle)
        idle = []
        for _ in range(3):
            idle.append(memory(server.pids()))
            time.sleep(0.2)
        record["idle_rss_kib"] = max(m["rss"] for m in idle)
        record["idle_pss_kib"] = max(m["pss"] for m in idle)
        record["processes"] = len(server.pids())
        for name in sorted({s for s, _ in work}):
            for request in {r["path"] + json.dumps(r["body"]): r for r in
                            (config["requests"][q] for q in config["scenarios"][name]["mix"])}.values():
                problem = check_response(server, request)
                if problem:
                    raise RuntimeError(f"{key} answers wrongly: {problem}")
        if args.k6_check and server.server.kind == "sidewinder" and not server.server.logging:
            record["k6_selfcheck"] = k6_selfcheck(server)
            args.k6_check = False  # once per benchmark is enough
        # Session warm-up: .NET compiles hot methods again (tier 1, with profile-guided optimisation) over the first
        # seconds of load; a long-running service is measured, not its start. Applied to every server alike.
        warm = [s for s in dict.fromkeys(s for s, _ in work) if not config["scenarios"][s].get("acceptStatuses")]
        for scenario in warm:
            levels = config["scenarios"][scenario]["concurrency"]
            run_wrk(server.url, scripts[scenario], min(32, max(levels)), max(1.0, args.session_warmup / len(warm)))
        sampler.start()
        for scenario, connections in work:
            run = measure(server, sampler, config, scenario, connections, args, scripts[scenario])
            run["round"] = round_no
            record["runs"].append(run)
            print(f"  {key:14} {scenario:8} c={connections:<4} {run['rps']:9.0f} req/s  p50 {run['p50_ms']:7.2f} ms"
                  f"  p99 {run['p99_ms']:8.2f} ms  errors {sum(run['errors'].values())}"
                  f"  cpu/req {run['server_cpu_us_per_request'] or 0:6.0f} us  bg {run['background_cpu']:.0%}", flush=True)
        record["final"] = memory(server.pids())
    except Exception as exc:  # noqa: BLE001 - one failing server must not lose the others' results
        record["error"] = str(exc)
        print(f"  {key}: FAILED: {exc}", flush=True)
    finally:
        sampler.stop_event.set()
        server.stop()
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=4, help="seconds measured per run (default 4)")
    parser.add_argument("--session-warmup", type=float, default=5,
                        help="seconds of unrecorded load over a server's scenarios after it starts (default 5)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of unrecorded load before each run (default 1)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds over all servers, order alternating (default 2)")
    parser.add_argument("--settle", type=float, default=2, help="seconds idle after start-up before idle memory is read")
    parser.add_argument("--only", default="", help="comma-separated server keys to run (default all)")
    parser.add_argument("--quiet-wait", type=float, default=60,
                        help="total seconds to wait, at most, for other processes to quiet down before sessions")
    parser.add_argument("--sidewinder-root", default=ROOT, help="checkout whose Sidewinder build to run")
    parser.add_argument("--no-k6-check", dest="k6_check", action="store_false",
                        help="skip running the k6 scripts (under Node) against the first Sidewinder started")
    parser.add_argument("--out", required=True, help="where to write the raw results (JSON)")
    args = parser.parse_args()

    config = json.load(open(os.path.join(ROOT, "load", "scenarios.json")))
    sw_root = os.path.abspath(args.sidewinder_root)
    paths = {
        "root": ROOT, "bench": HERE, "scripts": os.path.join(sw_root, "src", "Api", "scripts"),
        "sidewinder_dll": os.path.join(sw_root, "src", "Api", "bin", "Release", "net10.0", "Sidewinder.Api.dll"),
        "floor_dll": os.path.join(ROOT, "load", "Floor", "bin", "Release", "net10.0", "Sidewinder.Load.Floor.dll"),
    }
    work_dir = os.path.join(os.path.dirname(os.path.abspath(args.out)), "run")
    os.makedirs(work_dir, exist_ok=True)
    scripts = {name: write_script(work_dir, config, name) for name in config["scenarios"]}

    only = {k for k in args.only.split(",") if k}
    per_server: Dict[str, List[Tuple[str, int]]] = {}
    for scenario, levels, keys in PLAN:
        for key in keys:
            if not only or key in only:
                for c in levels or config["scenarios"][scenario]["concurrency"]:
                    per_server.setdefault(key, []).append((scenario, c))
    order = list(per_server)

    started = time.time()
    quiet_budget = args.quiet_wait
    sessions = []
    for round_no in range(1, args.rounds + 1):
        keys = order if round_no % 2 == 1 else list(reversed(order))
        print(f"round {round_no}/{args.rounds}: {', '.join(keys)}", flush=True)
        for key in keys:
            waited, bg = 0.0, background_cpu(1.0)
            while bg > 0.15 and quiet_budget > 0:
                time.sleep(2)
                quiet_budget -= 3
                waited += 3
                bg = background_cpu(1.0)
            record = session(key, per_server[key], config, args, paths, scripts, round_no, work_dir)
            record["background_before"] = bg
            record["quiet_waited_s"] = waited
            sessions.append(record)
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "elapsed_s": time.time() - started,
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup, "rounds": args.rounds,
                     "session_warmup_s": args.session_warmup,
                     "settle_s": args.settle, "wrk_threads": 1},
        "plan": PLAN, "servers": {k: vars(SERVERS[k]) for k in order}, "sessions": sessions,
        "sidewinder_root": sw_root,
    }
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    failed = [s for s in sessions if "error" in s]
    print(f"done in {results['elapsed_s'] / 60:.1f} min; {len(failed)} failed session(s); raw results: {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
