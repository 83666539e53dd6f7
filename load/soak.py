#!/usr/bin/python3
"""Soak: a long run of mixed requests against one Sidewinder per runtime, watching its memory.

    load/soak.py                                  1,000,000 requests on each of default, 3.13t, 3.13, 3.14, 3.14t
    load/soak.py --runtimes default,3.14t --requests 200000
    load/soak.py --isolation Interpreter --runtimes 3.14      sub-interpreter workers

Each runtime gets a fresh Sidewinder (the Release build of --sidewinder-root's src/Api, built by
`dotnet build src/Api/Sidewinder.Api.csproj -c Release`; rate limiting off, logging at Warning, default workers) and
`wrk -t1 -c32` over the mix below, in chunks of --chunk s until --requests have been answered or --max-minutes have
passed (so a run is bounded in time whatever the machine). After every chunk it reads the RSS of the process.

The mix, in this order on every connection: eval `1+1`, run of a print, call of example.greet, an eval that raises
(422), an eval that does not compile (400), an eval returning a list of 1,000 ints, and a streamed run (event stream).
Every status other than the one expected for its request counts as a failure.

RSS is judged against the sample taken once 10% of the requests are done (the JIT, the thread pool, Python's caches
and the allocators' arenas have grown to their working size by then): "flat" means every later sample lies within
±5% of it. Exits 1 when a runtime is not flat or a request failed.
"""

import argparse
import json
import os
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "bench"))
from procstat import loadavg, memory  # noqa: E402
from servers import RunningServer, Server  # noqa: E402
from wrkrun import lua_script, run_wrk  # noqa: E402

ROOT = os.path.dirname(HERE)

MIX = [
    ({"path": "/eval", "body": {"code": "1+1"}}, 200),
    ({"path": "/run", "body": {"code": "print('hello')"}}, 200),
    ({"path": "/call", "body": {"module": "example", "function": "greet", "args": ["Ada"]}}, 200),
    ({"path": "/eval", "body": {"code": "1/0"}}, 422),
    ({"path": "/eval", "body": {"code": "1 +"}}, 400),
    ({"path": "/eval", "body": {"code": "list(range(1000))"}}, 200),
    ({"path": "/run", "body": {"code": "for i in range(3):\n    print(i)"},
      "headers": {"Accept": "text/event-stream"}}, 200),
]


def python_version(url: str) -> str:
    with urllib.request.urlopen(url + "/info", timeout=10) as r:
        info = json.load(r)
    python = info.get("python", {})
    return f"{python.get('version', '?')} {python.get('build', '')}".strip()


def soak(runtime: str, args, script: str, work: str) -> dict:
    # The benchmark's own start-up, readiness wait and stop: rate limiting off, logging at Warning, default workers.
    server = RunningServer(Server(f"soak-{runtime}", f"Sidewinder {runtime}", "sidewinder", runtime=runtime,
                                  isolation=args.isolation),
                           {"root": ROOT, "sidewinder_dll": args.dll}, os.path.join(work, f"soak-{runtime}.log"))
    url = server.url
    try:
        server.wait_ready()
        version = python_version(url)
        idle = memory(server.pids())["rss"]
        samples, done, failed, statuses = [], 0, 0, {}
        started = time.monotonic()
        print(f"{runtime} ({version}, isolation {args.isolation}): idle RSS {idle / 1024:.1f} MiB, "
              f"load {loadavg()}", flush=True)
        while done < args.requests and time.monotonic() - started < args.max_minutes * 60:
            result = run_wrk(url, script, args.connections, args.chunk)
            done += result["requests"]
            for status, n in result["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
            failed += sum(result["errors"][k] for k in ("connect", "read", "write", "timeout"))
            rss = memory(server.pids())["rss"]
            samples.append({"requests": done, "rss_kib": rss, "seconds": time.monotonic() - started,
                            "rps": result["requests"] / (result["duration_us"] / 1e6), "p99_ms":
                            result["latency_us"]["p99"] / 1000})
            print(f"  {done:>9,} requests  RSS {rss / 1024:7.1f} MiB  {samples[-1]['rps']:8,.0f} req/s"
                  f"  p99 {samples[-1]['p99_ms']:6.2f} ms", flush=True)
        # Each request of the mix is sent equally often; a status the mix does not expect is a failure.
        expected = {}
        for _, status in MIX:
            expected[str(status)] = expected.get(str(status), 0) + 1
        answered = sum(statuses.values())
        unexpected = sum(n for s, n in statuses.items() if s not in expected)
        # Per-status counts must match the mix's shares (within one round of the mix per connection).
        for status, share in expected.items():
            want = answered * share / len(MIX)
            if abs(statuses.get(status, 0) - want) > args.connections * len(MIX):
                unexpected += abs(statuses.get(status, 0) - round(want))
        failed += unexpected
        base = next((s for s in samples if s["requests"] >= done * 0.1), samples[0])
        later = [s for s in samples if s["requests"] >= base["requests"]]
        low, high = min(s["rss_kib"] for s in later), max(s["rss_kib"] for s in later)
        final = samples[-1]["rss_kib"]
        flat = low >= base["rss_kib"] * 0.95 and high <= base["rss_kib"] * 1.05
        record = {"runtime": runtime, "python": version, "isolation": args.isolation, "requests": done,
                  "seconds": time.monotonic() - started, "statuses": statuses, "failed": failed,
                  "idle_rss_kib": idle, "base_rss_kib": base["rss_kib"], "base_at": base["requests"],
                  "min_rss_kib": low, "max_rss_kib": high, "final_rss_kib": final, "flat": flat,
                  "samples": samples}
        print(f"  {runtime}: {done:,} requests in {record['seconds']:.0f} s, {failed} failed; RSS at "
              f"{base['requests']:,}: {base['rss_kib'] / 1024:.1f} MiB, after it {low / 1024:.1f}–{high / 1024:.1f} MiB"
              f" ({(low / base['rss_kib'] - 1) * 100:+.1f}% / {(high / base['rss_kib'] - 1) * 100:+.1f}%), final "
              f"{final / 1024:.1f} MiB: {'flat' if flat else 'NOT flat'} (±5%)", flush=True)
        return record
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runtimes", default="default,3.13t,3.13,3.14,3.14t")
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests per runtime (default 1,000,000)")
    parser.add_argument("--max-minutes", type=float, default=12, help="time bound per runtime (default 12)")
    parser.add_argument("--chunk", type=float, default=10, help="seconds per wrk run between RSS samples")
    parser.add_argument("-c", "--connections", type=int, default=32)
    parser.add_argument("--isolation", default="Shared", choices=["Shared", "Interpreter"])
    parser.add_argument("--sidewinder-root", default=ROOT)
    parser.add_argument("--json", help="write every sample to this file")
    args = parser.parse_args()
    args.dll = os.path.join(os.path.abspath(args.sidewinder_root), "src/Api/bin/Release/net10.0/Sidewinder.Api.dll")
    if not os.path.exists(args.dll):
        parser.error(f"{args.dll} is missing: dotnet build src/Api/Sidewinder.Api.csproj -c Release")
    work = os.path.join(ROOT, "load", "results", "run")
    os.makedirs(work, exist_ok=True)
    script = os.path.join(work, "soak.lua")
    with open(script, "w") as f:
        f.write(lua_script([r for r, _ in MIX], count_responses=True))
    print(f"{' '.join(sys.argv)}\n{os.cpu_count()} cores, load {loadavg()}", flush=True)
    records = [soak(r, args, script, work) for r in args.runtimes.split(",") if r]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(records, f, indent=1)
    print("\n| runtime | requests | time | failed | idle RSS | RSS at 10% | min–max after | final | flat (±5%) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|:---:|")
    for r in records:
        base = r["base_rss_kib"]
        print(f"| `{r['runtime']}` ({r['python']}) | {r['requests']:,} | {r['seconds']:.0f} s | {r['failed']} | "
              f"{r['idle_rss_kib'] / 1024:.0f} MiB | {base / 1024:.1f} MiB | {r['min_rss_kib'] / 1024:.1f}–"
              f"{r['max_rss_kib'] / 1024:.1f} MiB ({(r['min_rss_kib'] / base - 1) * 100:+.1f}% / "
              f"{(r['max_rss_kib'] / base - 1) * 100:+.1f}%) | {r['final_rss_kib'] / 1024:.1f} MiB | "
              f"{'✔' if r['flat'] else '✘'} |")
    return 0 if all(r["flat"] and not r["failed"] for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
