#!/usr/bin/python3
"""Side-by-side HTTP load benchmark: the ASP.NET Core floor, FastAPI + uvicorn and Sidewinder, in one run.

Run it through load/bench.sh, which installs the tools and builds the servers first. This file starts every server
on its own loopback port (idle servers use no CPU), reads its idle memory, checks that it answers every scenario
correctly and warms it up. Then, scenario by scenario and concurrency level by level, it drives the servers one after
another with wrk, `--rounds` times with the server order reversed every other time, so that drift on the machine
(other work, heat) affects all alike; it samples the memory (whole process tree) and CPU of the server under test and
writes the raw results as JSON. report.py turns them into the tables and chart in docs/performance.md.
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
# something. Runs of the same scenario and concurrency happen back to back, whatever the order here.
MAIN = ["floor", "uvicorn-1", "uvicorn-2", "sw-gil", "sw-ft", "sw-314t", "sw-314-sub"]
PLAN: List[Tuple[str, Optional[List[int]], List[str]]] = [
    ("eval", None, MAIN),
    ("eval", [32], ["uvicorn-4", "sw-gil-log", "uvicorn-2-log"]),
    ("run", None, MAIN),
    ("call", None, MAIN),
    ("mixed", None, MAIN),
    ("stream", None, ["sw-gil", "sw-ft", "sw-314t"]),  # Sidewinder's own: the others have no event stream
    ("cpu", None, ["uvicorn-1", "uvicorn-2", "sw-gil-1w", "sw-gil-2w", "sw-gil", "sw-ft-1w", "sw-ft", "sw-314t-1w",
                   "sw-314t", "sw-314-sub-1w", "sw-314-sub", "sw-314-1w", "sw-314"]),
    ("overload", None, ["uvicorn-2", "sw-gil", "sw-ft", "sw-314t", "sw-314-sub"]),
]


class Sampler(threading.Thread):
    """Samples the memory of the server under test every 0.2 s and keeps the peaks since the last take()."""

    def __init__(self):
        super().__init__(daemon=True)
        self.server: Optional[RunningServer] = None
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.peak = {"rss": 0, "pss": 0}

    def run(self):
        while not self.stop_event.wait(0.2):
            server = self.server
            if server is None:
                continue
            m = memory(server.pids())
            with self.lock:
                if self.server is not server:
                    continue  # switched to another server meanwhile: this sample is not the new one's
                self.peak["rss"] = max(self.peak["rss"], m["rss"])
                self.peak["pss"] = max(self.peak["pss"], m["pss"])

    def watch(self, server: Optional[RunningServer]) -> None:
        with self.lock:
            self.server = server
            self.peak = {"rss": 0, "pss": 0}

    def take(self) -> Dict[str, int]:
        with self.lock:
            peak, self.peak = self.peak, {"rss": 0, "pss": 0}
        return peak


def final_event(text: str) -> str:
    """The data of an event stream's last event (the result or the problem), as JSON text."""
    last = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()][-1]
    return "\n".join(line[5:].removeprefix(" ") for line in last.split("\n") if line.startswith("data:"))


def check_response(server: RunningServer, request: Dict) -> Optional[str]:
    """One request; None when the response is 200 with outcome ok and the expected fields, else what is wrong.
    The floor does no work, so only its status and outcome are checked."""
    data = json.dumps(request["body"]).encode()
    req = urllib.request.Request(server.url + request["path"], data=data,
                                 headers={"Content-Type": "application/json", **request.get("headers", {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            text = r.read()
            body = json.loads(final_event(text.decode()) if request.get("eventStream") else text)
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


def wait_idle(server: RunningServer, limit: float = 20.0) -> float:
    """Waits until the server has used < 5% of a core for 0.5 s (a server that does not shed load may still be
    working off requests its last run left behind); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        pids = server.pids()
        before = cpu_seconds(pids)
        time.sleep(0.5)
        if cpu_seconds(pids) - before < 0.025:
            break
    return time.monotonic() - started


def measure(server: RunningServer, sampler: Sampler, config: Dict, scenario: str, connections: int, args,
            script: str, warm: bool) -> Dict:
    spec = config["scenarios"][scenario]
    sampler.watch(server)
    if warm and not spec.get("acceptStatuses"):
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


def start_server(key: str, config: Dict, args, paths: Dict, scripts: Dict, work: List[Tuple[str, int]],
                 log_dir: str) -> Tuple[Optional[RunningServer], Dict]:
    """Starts one server, reads its idle memory and checks one answer per scenario it will run."""
    server = RunningServer(SERVERS[key], paths, os.path.join(log_dir, f"{key}.log"))
    record: Dict = {"server": key, "round": 1, "runs": []}
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
        return server, record
    except Exception as exc:  # noqa: BLE001 - one failing server must not lose the others' results
        record["error"] = str(exc)
        print(f"  {key}: FAILED: {exc}", flush=True)
        server.stop()
        return None, record


def warm_up(server: RunningServer, config: Dict, scripts: Dict, work: List[Tuple[str, int]], seconds: float) -> None:
    """.NET compiles hot methods again (tier 1, with profile-guided optimisation) over the first seconds of load; a
    long-running service is measured, not its start. Applied to every server alike."""
    warm = [s for s in dict.fromkeys(s for s, _ in work) if not config["scenarios"][s].get("acceptStatuses")]
    for scenario in warm:
        levels = config["scenarios"][scenario]["concurrency"]
        run_wrk(server.url, scripts[scenario], min(32, max(levels)), max(1.0, seconds / len(warm)))


COLD_SERVERS = ["floor", "uvicorn-2", "sw-gil", "sw-ft", "sw-314t"]


def measure_cold(key: str, config: Dict, args, paths: Dict, scripts: Dict, log_dir: str) -> Dict:
    """A fresh process of `key`, loaded from the moment /health/ready answers: eval at c=32 in consecutive windows of
    --cold-window s for --cold s. What a user who starts the service and puts load on it sees (the steady-state tables
    measure it only after --session-warmup)."""
    server = RunningServer(SERVERS[key], paths, os.path.join(log_dir, f"{key}-cold.log"))
    record: Dict = {"server": key, "windows": []}
    try:
        record["startup_s"] = server.wait_ready()
        t = 0.0
        while t < args.cold - 1e-9:
            pids = server.pids()
            cpu0 = cpu_seconds(pids)
            result = run_wrk(server.url, scripts["eval"], 32, args.cold_window)
            n = result["requests"]
            record["windows"].append({
                "start_s": t, "requests": n, "rps": n / (result["duration_us"] / 1e6),
                "p50_ms": result["latency_us"]["p50"] / 1000, "p99_ms": result["latency_us"]["p99"] / 1000,
                "errors": sum(result["errors"].values()),
                "server_cpu_us_per_request": (cpu_seconds(pids) - cpu0) / n * 1e6 if n else None,
                "loadavg": open("/proc/loadavg").read().split()[0],
            })
            w = record["windows"][-1]
            print(f"  cold {key:14} {t:3.0f}-{t + args.cold_window:<3.0f}s {w['rps']:9.0f} req/s"
                  f"  p99 {w['p99_ms']:8.2f} ms  cpu/req {w['server_cpu_us_per_request'] or 0:6.0f} us", flush=True)
            t += args.cold_window
    except Exception as exc:  # noqa: BLE001 - record and go on
        record["error"] = str(exc)
        print(f"  cold {key}: FAILED: {exc}", flush=True)
    finally:
        server.stop()
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=3, help="seconds measured per run (default 3)")
    parser.add_argument("--session-warmup", type=float, default=30,
                        help="seconds of unrecorded load over a server's scenarios after it starts (default 30: "
                             ".NET's tiered compilation takes 20-30 s under load on 2 busy cores)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of unrecorded load before each run (default 1)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of each scenario per server, server order reversed every other time (default 3)")
    parser.add_argument("--settle", type=float, default=2, help="seconds idle after start-up before idle memory is read")
    parser.add_argument("--only", default="", help="comma-separated server keys to run (default all)")
    parser.add_argument("--scenarios", default="",
                        help="comma-separated scenarios to run, optionally with levels: eval:32 (default all)")
    parser.add_argument("--quiet-wait", type=float, default=60,
                        help="seconds to wait, at most, for other processes to quiet down before starting")
    parser.add_argument("--sidewinder-root", default=ROOT, help="checkout whose Sidewinder build to run")
    parser.add_argument("--no-k6-check", dest="k6_check", action="store_false",
                        help="skip running the k6 scripts (under Node) against the first Sidewinder started")
    parser.add_argument("--cold", type=float, default=30,
                        help="seconds of eval c=32 measured from a fresh start of floor, uvicorn-2, sw-gil, sw-ft, sw-314t "
                             "(0: skip; default 30)")
    parser.add_argument("--cold-window", type=float, default=5, help="length of each window of --cold (default 5 s)")
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
    # --scenarios eval:32,run keeps those scenarios (and, after a colon, only those concurrency levels).
    wanted: Dict[str, Optional[List[int]]] = {}
    for item in (s for s in args.scenarios.split(",") if s):
        name, _, level = item.partition(":")
        if not level:
            wanted[name] = None
        elif name not in wanted or wanted[name] is not None:
            wanted.setdefault(name, []).append(int(level))
    step_servers: Dict[Tuple[str, int], List[str]] = {}  # (scenario, connections) -> servers, in plan order
    per_server: Dict[str, List[Tuple[str, int]]] = {}
    for scenario, levels, keys in PLAN:
        keys = [k for k in keys if not only or k in only]
        if wanted and scenario not in wanted:
            continue
        for c in levels or config["scenarios"][scenario]["concurrency"]:
            if wanted.get(scenario) and c not in wanted[scenario]:
                continue
            for key in keys:
                step_servers.setdefault((scenario, c), []).append(key)
                per_server.setdefault(key, []).append((scenario, c))
    steps = sorted(step_servers.items(), key=lambda item: [p[0] for p in PLAN].index(item[0][0]))
    order = list(per_server)

    started = time.time()
    waited, bg = 0.0, background_cpu(1.0)
    while bg > 0.15 and waited < args.quiet_wait:
        time.sleep(2)
        waited += 3
        bg = background_cpu(1.0)
    print(f"starting {len(order)} servers (other processes use {bg:.0%} of the machine)", flush=True)
    running: Dict[str, RunningServer] = {}
    records: Dict[str, Dict] = {}
    sampler = Sampler()
    sampler.start()
    try:
        for key in order:
            server, records[key] = start_server(key, config, args, paths, scripts, per_server[key], work_dir)
            if server:
                running[key] = server
                print(f"  {key:14} ready in {records[key]['startup_s']:.1f} s, idle RSS "
                      f"{records[key]['idle_rss_kib'] / 1024:.0f} MiB", flush=True)
        for key, server in running.items():
            warm_up(server, config, scripts, per_server[key], args.session_warmup)
        # Every step runs its servers back to back, `rounds` times, the order reversed every other time, so drift
        # on the machine (other work, heat) affects every server alike.
        for (scenario, connections), keys in steps:
            keys = [k for k in keys if k in running]
            for round_no in range(1, args.rounds + 1):
                for key in (keys if round_no % 2 == 1 else list(reversed(keys))):
                    server = running[key]
                    idle_wait = wait_idle(server)
                    try:
                        run = measure(server, sampler, config, scenario, connections, args, scripts[scenario],
                                      warm=round_no == 1)
                    except Exception as exc:  # noqa: BLE001 - record and go on with the others
                        print(f"  {key}: {scenario} c={connections} FAILED: {exc}", flush=True)
                        records[key].setdefault("error", f"{scenario} c={connections}: {exc}")
                        continue
                    run["round"] = round_no
                    run["idle_wait_s"] = idle_wait
                    records[key]["runs"].append(run)
                    print(f"  r{round_no} {key:14} {scenario:8} c={connections:<4} {run['rps']:9.0f} req/s"
                          f"  p50 {run['p50_ms']:7.2f} ms  p99 {run['p99_ms']:8.2f} ms"
                          f"  errors {sum(run['errors'].values())}"
                          f"  cpu/req {run['server_cpu_us_per_request'] or 0:6.0f} us"
                          f"  bg {run['background_cpu']:.0%}", flush=True)
        for key, server in running.items():
            records[key]["final"] = memory(server.pids())
    finally:
        sampler.stop_event.set()
        for server in running.values():
            server.stop()
    # The first seconds of a fresh process, after the others have stopped (so nothing else of ours runs meanwhile).
    cold = []
    if args.cold and (not wanted or "eval" in wanted):
        for round_no in range(1, min(args.rounds, 2) + 1):
            keys = [k for k in COLD_SERVERS if not only or k in only]
            for key in keys if round_no % 2 else list(reversed(keys)):
                record = measure_cold(key, config, args, paths, scripts, work_dir)
                record["round"] = round_no
                cold.append(record)
    sessions = [records[k] for k in order]
    results = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(started)),
        "elapsed_s": time.time() - started,
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup, "rounds": args.rounds,
                     "session_warmup_s": args.session_warmup, "cold_s": args.cold, "cold_window_s": args.cold_window,
                     "settle_s": args.settle, "wrk_threads": 1},
        "plan": PLAN, "servers": {k: vars(SERVERS[k]) for k in order}, "sessions": sessions,
        "sidewinder_root": sw_root, "cold": cold,
    }
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    failed = [s for s in sessions + cold if "error" in s]
    print(f"done in {results['elapsed_s'] / 60:.1f} min; {len(failed)} failed session(s); raw results: {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
