"""Speed-up of two CPU-bound pure-Python /run requests at once over one, per runtime and Workers:Isolation (issue 15).

Starts the built service (dotnet build -c Release src/Api first) once per configuration with two workers, then
alternates ROUNDS times: one job alone, two jobs at once. The job is the loop load/single_thread.py times, made longer
(3,000,000 iterations) so HTTP is noise. Speed-up = 2 x (time of one) / (time of two at once): 2.0 is perfect
parallelism on two cores, 1.0 none. Prints the median over the rounds.

    python3 load/parallel_speedup.py                    # every configuration below
    python3 load/parallel_speedup.py 3.14:interpreter   # one
"""
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DLL = os.path.join(ROOT, "src", "Api", "bin", "Release", "net10.0", "Sidewinder.Api.dll")
JOB = "total = 0\nfor i in range(3_000_000):\n    total += i * i\n"
ROUNDS = 5
CONFIGS = ["default:shared", "3.13:shared", "3.13:interpreter", "3.13t:shared", "3.14:shared", "3.14:interpreter",
           "3.14t:shared", "3.14t:interpreter"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        result = json.load(response)
    if result.get("outcome", "ok") not in ("ok", None) and "error" in result:
        raise RuntimeError(result)


def timed(url, n):
    threads = [threading.Thread(target=post, args=(url, {"code": JOB, "timeoutMs": 300000})) for _ in range(n)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def measure(config):
    runtime, isolation = config.split(":")
    port = free_port()
    env = dict(os.environ, SIDEWINDER_PYTHON=runtime, Workers__Isolation=isolation.capitalize(), Workers__WorkerCount="2",
               Logging__LogLevel__Default="Warning", Workers__MaxTimeout="00:10:00")
    service = subprocess.Popen(["dotnet", DLL, "--urls", f"http://127.0.0.1:{port}"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/health/ready", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        url = base + "/run"
        timed(url, 2)  # warm-up
        ones, twos = [], []
        for _ in range(ROUNDS):
            ones.append(timed(url, 1))
            twos.append(timed(url, 2))
        one, two = statistics.median(ones), statistics.median(twos)
        return one, two, 2 * one / two
    finally:
        service.terminate()
        service.wait(60)


if __name__ == "__main__":
    print(f"load average {os.getloadavg()[0]:.1f}; {ROUNDS} alternating rounds per configuration, medians")
    print("| runtime | Workers:Isolation | one job (s) | two at once (s) | speed-up |")
    print("|---|---|---:|---:|---:|")
    for config in sys.argv[1:] or CONFIGS:
        one, two, speedup = measure(config)
        runtime, isolation = config.split(":")
        print(f"| `{runtime}` | {isolation.capitalize()} | {one:.2f} | {two:.2f} | {speedup:.2f}× |", flush=True)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
