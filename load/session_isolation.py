"""Cost of a session with isolation "interpreter" against a shared one (issue 15): POST /sessions latency (median of 20),
DELETE latency (the sub-interpreter then ends on a worker, after the answer), and RSS per session.

    dotnet build -c Release src/Api && python3 load/session_isolation.py 3.14
"""
import json, os, subprocess, sys, time, urllib.request, statistics
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parallel_speedup as p  # noqa: E402 (its service start-up helpers)
port = p.free_port(); base = f"http://127.0.0.1:{port}"
env = dict(os.environ, SIDEWINDER_PYTHON=sys.argv[1], Logging__LogLevel__Default="Warning", Sessions__MaxSessionsPerOwner="100", Sessions__MaxSessions="200")
svc = subprocess.Popen(["dotnet", p.DLL, "--urls", base], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def rss(): return int([l for l in open(f"/proc/{svc.pid}/status") if l.startswith("VmRSS")][0].split()[1]) / 1024
def post(path, body):
    r = urllib.request.Request(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(r, timeout=60) as resp: return json.load(resp)
print("| runtime | isolation | create (ms) | delete (ms) | RSS per session (MiB) |")
print("|---|---|---:|---:|---:|")
try:
    for _ in range(300):
        try: urllib.request.urlopen(base + "/health/ready", timeout=2); break
        except OSError: time.sleep(0.2)
    for iso in ["shared", "interpreter"]:
        post("/sessions", {"isolation": iso}); # warm
        before = rss(); times = []; ids = []
        for _ in range(20):
            t = time.perf_counter(); s = post("/sessions", {"isolation": iso}); times.append((time.perf_counter() - t) * 1000); ids.append(s["id"])
            post(f"/sessions/{s['id']}/eval", {"code": "1"})
        after = rss()
        t = time.perf_counter()
        for i in ids: urllib.request.urlopen(urllib.request.Request(base + f"/sessions/{i}", method="DELETE"))
        dt = (time.perf_counter() - t) * 1000 / len(ids)
        print(f"| {sys.argv[1]} | {iso} | {statistics.median(times):.1f} | {dt:.1f} | {(after - before) / 20:.1f} |")
finally:
    svc.terminate(); svc.wait()
