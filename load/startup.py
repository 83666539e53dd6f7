#!/usr/bin/python3
"""Start-up time of the built service: process start to the first 200 of GET /health/ready, N times.

    load/startup.py                       10 starts of src/Api's Release build on the default runtime
    load/startup.py --runs 20 --root DIR  another checkout (built with dotnet build src/Api -c Release)
    load/startup.py --dll PATH            another build output (e.g. a `dotnet publish` directory's Sidewinder.Api.dll)
    load/startup.py NAME=ENV=VALUE,...    compare settings, alternating starts: base= pgo-off=DOTNET_TieredPGO=0
    load/startup.py jit= r2r=DLL=/tmp/sw-r2r/Sidewinder.Api.dll    DLL=... picks another build for that variant

Each start spawns `dotnet Sidewinder.Api.dll` on a free loopback port and polls /health/ready every 2 ms over a fresh
connection; the time is from just before the spawn to the first 200. Then one POST /eval of 1+1 is timed (the first
request, which compiles its path), the process gets SIGTERM, and the next start waits for it to exit. Logging is at
Warning, as in the load benchmark. Prints every start and the median, min and max per variant.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "bench"))
from procstat import loadavg  # noqa: E402
from servers import free_port  # noqa: E402


def get(port: int, method: str, path: str, body: str = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body, {"Content-Type": "application/json"} if body else {})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def start_once(dll: str, env_extra: dict):
    port = free_port()
    env = dict(os.environ)
    env.setdefault("SIDEWINDER_PYTHON", "default")
    env["Logging__LogLevel__Default"] = "Warning"
    env.update(env_extra)
    started = time.monotonic()
    proc = subprocess.Popen(["dotnet", dll, "--urls", f"http://127.0.0.1:{port}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"exited with {proc.returncode} before it was ready")
            if time.monotonic() - started > 60:
                raise RuntimeError("not ready within 60 s")
            try:
                if get(port, "GET", "/health/ready") == 200:
                    break
            except OSError:
                pass
            time.sleep(0.002)
        ready = time.monotonic() - started
        t = time.monotonic()
        status = get(port, "POST", "/eval", '{"code":"1+1"}')
        first = time.monotonic() - t
        if status != 200:
            raise RuntimeError(f"first eval answered {status}")
        return ready, first
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("variants", nargs="*", help="NAME=ENV=VALUE,ENV=VALUE (default: one variant, no settings)")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--root", default=os.path.dirname(HERE), help="checkout whose Release build to start")
    parser.add_argument("--dll", help="the Sidewinder.Api.dll to start (default: ROOT's src/Api Release build)")
    args = parser.parse_args()
    dll = args.dll or os.path.join(os.path.abspath(args.root), "src/Api/bin/Release/net10.0/Sidewinder.Api.dll")
    variants = []
    for v in args.variants or ["default="]:
        name, _, settings = v.partition("=")
        variants.append((name, dict(s.split("=", 1) for s in settings.split(",") if s)))
    print(f"{' '.join(sys.argv)}\n{dll}; load average at start: {loadavg()}", flush=True)
    results = {name: [] for name, _ in variants}
    for i in range(args.runs):
        for name, env in variants if i % 2 == 0 else list(reversed(variants)):
            settings = dict(env)
            ready, first = start_once(settings.pop("DLL", dll), settings)
            results[name].append((ready, first))
            print(f"  {i + 1:2} {name:14} ready {ready * 1000:6.0f} ms  first eval {first * 1000:6.1f} ms"
                  f"  load {loadavg()}", flush=True)
    print("summary: process start -> /health/ready 200, median [min-max]; first POST /eval, median")
    for name, runs in results.items():
        ready = [r for r, _ in runs]
        print(f"  {name:14} {statistics.median(ready) * 1000:.0f} ms [{min(ready) * 1000:.0f}-{max(ready) * 1000:.0f}]"
              f"  first eval {statistics.median(f for _, f in runs) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
