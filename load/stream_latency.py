#!/usr/bin/env python3
"""Print-to-event latency of Sidewinder's event streams: a job prints time.time_ns() every few milliseconds, the
client notes when each stdout event arrives (same machine, same clock), and the script reports p50/p99/max.

  python3 load/stream_latency.py http://127.0.0.1:8080                 one stream, 400 prints
  python3 load/stream_latency.py http://127.0.0.1:8080 --background 3  with 3 other streams printing meanwhile

docs/performance.md ("Streaming") has the figures and the exact commands they came from.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse


def stream(base, code, on_event=None):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    conn.request("POST", "/run", json.dumps({"code": code, "timeoutMs": 120000}),
                 {"Content-Type": "application/json", "Accept": "text/event-stream"})
    response = conn.getresponse()
    assert response.status == 200 and response.getheader("Content-Type", "").startswith("text/event-stream"), response.status
    event = None
    while True:
        line = response.fp.readline()
        if not line:
            break
        if line.startswith(b"event:"):
            event = line[6:].strip().decode()
        elif line.startswith(b"data:") and on_event:
            on_event(event, time.time_ns(), line[5:].strip())
        if event in ("result", "error") and line == b"\n":
            break
    conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("--prints", type=int, default=400)
    parser.add_argument("--interval-ms", type=float, default=5)
    parser.add_argument("--background", type=int, default=0, help="other streams printing as fast as they can meanwhile")
    args = parser.parse_args()

    code = (f"import time\nfor i in range({args.prints}):\n    print(time.time_ns())\n"
            f"    time.sleep({args.interval_ms / 1000})")
    stop = threading.Event()
    noise = ("import time\nend = time.monotonic() + 60\nwhile time.monotonic() < end:\n    print('x' * 60)\n"
             "    time.sleep(0.0005)")

    def background():
        while not stop.is_set():
            stream(args.base, noise.replace("60\n", "3\n", 1))

    workers = [threading.Thread(target=background, daemon=True) for _ in range(args.background)]
    for w in workers:
        w.start()
    time.sleep(0.5 if workers else 0)
    stream(args.base, "print(1)")  # warm-up: first request, JIT

    latencies = []

    def on_event(event, arrived, data):
        if event == "stdout":
            for line in json.loads(data)["text"].splitlines():
                latencies.append((arrived - int(line)) / 1e6)

    stream(args.base, code, on_event)
    stop.set()
    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(f"{len(latencies)} prints, {args.background} background streams: p50 {q[49]:.3f} ms, p99 {q[98]:.3f} ms, "
          f"max {latencies[-1]:.3f} ms")


if __name__ == "__main__":
    main()
