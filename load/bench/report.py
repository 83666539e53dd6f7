#!/usr/bin/python3
"""Turns bench.py's raw results into the "HTTP load benchmark" section of docs/performance.md and a PNG chart.

    report.py RESULTS.json --doc docs/performance.md --chart docs/load-benchmark.png --meta META.json

Only the text between <!-- load:begin --> and <!-- load:end --> is replaced (appended when the markers are missing).
The hand-written analysis in load/bench/analysis.md is included at the end of the section.
"""

import argparse
import json
import os
import re
import statistics
import sys
from typing import Dict, List, Optional

from targets import evaluate_targets

BEGIN, END = "<!-- load:begin -->", "<!-- load:end -->"
HERE = os.path.dirname(os.path.abspath(__file__))


def aggregate(results: Dict) -> Dict:
    """(server, scenario, connections) -> means over rounds, with the spread of throughput."""
    groups: Dict[tuple, List[Dict]] = {}
    for session in results["sessions"]:
        for run in session["runs"]:
            groups.setdefault((run["server"], run["scenario"], run["connections"]), []).append(run)
    out = {}
    for key, runs in groups.items():
        rps = [r["rps"] for r in runs]
        # The median round (by throughput), with its latencies: what a user would typically see. The best round
        # flattered servers whose rounds spread widely (issue 17: an independent run could not reproduce it).
        # Applied to every server alike; all rounds stay in the raw JSON.
        best = sorted(runs, key=lambda r: r["rps"])[(len(runs) - 1) // 2]
        merged_statuses: Dict[str, float] = {}
        for r in runs:
            for status, n in r["statuses"].items():
                merged_statuses[status] = merged_statuses.get(status, 0) + n / len(runs)
        probe: Dict[str, List[float]] = {}
        for r in runs:
            for status, values in r.get("probe_ms", {}).items():
                probe.setdefault(status, []).extend(values)
        work = [best["work_per_s"]] if best.get("work_per_s") else []
        out[key] = {
            "rps": best["rps"], "spread": (max(rps) - min(rps)) / max(rps) if max(rps) else 0,
            "p50_ms": best["p50_ms"], "p99_ms": best["p99_ms"],
            "errors": sum(sum(r["errors"].values()) for r in runs),
            "socket_errors": sum(r["errors"]["connect"] + r["errors"]["read"] + r["errors"]["write"] + r["errors"]["timeout"]
                                 for r in runs),
            "statuses": merged_statuses, "probe_ms": probe,
            "work_per_s": statistics.mean(work) if work else None,
            "duration_s": statistics.mean(r["requests"] / r["rps"] for r in runs if r["rps"]) if any(r["rps"] for r in runs) else 0,
            "server_cpu": statistics.mean(r["server_cpu"] for r in runs),
            "cpu_us": statistics.median(r["server_cpu_us_per_request"] for r in runs)
            if all(r.get("server_cpu_us_per_request") for r in runs) else None,
            "background_cpu": max(r["background_cpu"] for r in runs),
            "rounds": len(runs),
        }
    return out


def memory_by_server(results: Dict) -> Dict[str, Dict]:
    out: Dict[str, Dict] = {}
    for s in results["sessions"]:
        if "idle_rss_kib" not in s:
            continue
        m = out.setdefault(s["server"], {"idle_rss": [], "idle_pss": [], "peak_rss": 0, "peak_pss": 0, "processes": 0,
                                         "startup_s": [], "eval32_rss": 0, "eval32_pss": 0})
        m["idle_rss"].append(s["idle_rss_kib"])
        m["idle_pss"].append(s["idle_pss_kib"])
        m["processes"] = s.get("processes", 0)
        m["startup_s"].append(s.get("startup_s", 0))
        for run in s["runs"]:
            m["peak_rss"] = max(m["peak_rss"], run["peak_rss_kib"])
            m["peak_pss"] = max(m["peak_pss"], run["peak_pss_kib"])
            if run["scenario"] == "eval" and run["connections"] == 32:
                # The same load for every server: the fair point of comparison.
                m["eval32_rss"] = max(m["eval32_rss"], run["peak_rss_kib"])
                m["eval32_pss"] = max(m["eval32_pss"], run["peak_pss_kib"])
        if s.get("final") and s["processes"] == 1:
            m["peak_rss"] = max(m["peak_rss"], s["final"]["hwm"])  # the kernel's own high-water mark
    return {k: {**v, "idle_rss": statistics.mean(v["idle_rss"]), "idle_pss": statistics.mean(v["idle_pss"]),
                "startup_s": statistics.mean(v["startup_s"])} for k, v in out.items()}


def fmt_rps(v: Optional[float]) -> str:
    return "—" if v is None else f"{v:,.0f}"


def fmt_ms(v: Optional[float]) -> str:
    if v is None:
        return "—"
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def mib(kib: float) -> str:
    return f"{kib / 1024:,.0f}"


def label(results: Dict, key: str) -> str:
    return results["servers"][key]["label"]


def scenario_tables(results: Dict, agg: Dict, config: Dict) -> List[str]:
    lines = []
    for scenario in ["eval", "run", "call", "mixed"]:
        spec = config["scenarios"][scenario]
        levels = spec["concurrency"]
        servers = [k for k in results["servers"] if any((k, scenario, c) in agg for c in levels)
                   and not results["servers"][k]["logging"]]
        if not servers:
            continue
        body = spec["body"] if "body" in spec else config["requests"][next(iter(spec["mix"]))]["body"]
        mix = " + ".join(f"{w}× {r}" for r, w in spec["mix"].items()) if len(spec["mix"]) > 1 else json.dumps(body)
        lines += [f"**{scenario}** — {spec['description']} ({mix})", ""]
        header = "| server |" + "".join(f" c={c} req/s | p50 ms | p99 ms |" for c in levels)
        lines += [header, "|---|" + "---:|---:|---:|" * len(levels)]
        for key in servers:
            cells = []
            for c in levels:
                a = agg.get((key, scenario, c))
                if a is None:
                    cells += ["—"] * 3
                    continue
                if not a["rps"]:
                    cells += ["none completed ✘", "—", "—"]
                    continue
                flag = " ⚠" if a["errors"] else ""
                spread = f" (−{a['spread']:.0%})" if a["rounds"] > 1 and a["spread"] >= 0.15 else ""
                cells += [fmt_rps(a["rps"]) + spread + flag, fmt_ms(a["p50_ms"]), fmt_ms(a["p99_ms"])]
            lines.append(f"| {label(results, key)} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def cold_table(results: Dict) -> List[str]:
    """eval c=32 from a fresh start, window by window: what a user who starts the service sees."""
    cold = [c for c in results.get("cold", []) if c.get("windows")]
    if not cold:
        return []
    window = results["settings"].get("cold_window_s", 5)
    starts = sorted({w["start_s"] for c in cold for w in c["windows"]})
    lines = ["### The first seconds after start", "",
             f"Each server started afresh (after the runs above, nothing else of ours running) and loaded with eval `1+1` "
             f"at 32 connections from the moment `/health/ready` answered 200, in consecutive {window:g} s windows; "
             f"req/s and server CPU µs per request of each window, median over {max(c['round'] for c in cold)} "
             "start(s). .NET compiles the hot paths again with full optimisation over these seconds (tiered "
             "compilation), which is why the first windows are slower; the steady-state tables start after "
             f"{results['settings'].get('session_warmup_s', 0):g} s of warm-up.", "",
             "| server | start-up s | " + " | ".join(f"{s:g}–{s + window:g} s" for s in starts) + " |",
             "|---|---:|" + "---:|" * len(starts)]
    for key in dict.fromkeys(c["server"] for c in cold):
        mine = [c for c in cold if c["server"] == key]
        cells = []
        for start in starts:
            ws = [w for c in mine for w in c["windows"] if w["start_s"] == start]
            cpu = [w["server_cpu_us_per_request"] for w in ws if w["server_cpu_us_per_request"]]
            cells.append(f"{fmt_rps(statistics.median(w['rps'] for w in ws))} / {statistics.median(cpu):,.0f} µs"
                         if ws and cpu else "—")
        lines.append(f"| {label(results, key)} | {statistics.median(c['startup_s'] for c in mine):.2f} | "
                     + " | ".join(cells) + " |")
    return lines + [""]


def cpu_cost_table(results: Dict, agg: Dict, config: Dict) -> List[str]:
    """Server CPU time per request for every scenario and level: what each request costs, whatever the throughput."""
    columns = [(s, c) for s in ["eval", "run", "call", "mixed", "cpu"] for c in config["scenarios"][s]["concurrency"]]
    columns = [col for col in columns if any((k, *col) in agg for k in results["servers"])]
    lines = ["| server | " + " | ".join(f"{s} c={c}" for s, c in columns) + " |", "|---|" + "---:|" * len(columns)]
    for key in results["servers"]:
        if results["servers"][key]["logging"] or not any((key, *col) in agg for col in columns):
            continue
        cells = []
        for col in columns:
            a = agg.get((key, *col))
            cells.append(f"{a['cpu_us']:,.0f}" if a and a["cpu_us"] else "—")
        lines.append(f"| {label(results, key)} | " + " | ".join(cells) + " |")
    return lines + [""]


def cpu_table(results: Dict, agg: Dict) -> List[str]:
    rows = [(k, a) for (k, s, c), a in agg.items() if s == "cpu"]
    if not rows:
        return []
    lines = ["| server | workers | req/s | loop iterations/s (work done) | p99 ms |", "|---|---:|---:|---:|---:|"]
    from servers import default_sidewinder_workers
    for key, a in rows:
        server = results["servers"][key]
        workers = server["workers"] or (default_sidewinder_workers(server["runtime"], server.get("isolation", "Shared")) if server["kind"] == "sidewinder" else 1)
        unit = ("process" if workers == 1 else "processes") if server["kind"] == "uvicorn" else \
            ("thread" if workers == 1 else "threads")
        lines.append(f"| {server['label']} | {workers} {unit} | {fmt_rps(a['rps'])} | "
                     f"{a['work_per_s'] / 1e6:,.2f} M | {fmt_ms(a['p99_ms'])} |" if a["work_per_s"] else
                     f"| {server['label']} | {workers} {unit} | {fmt_rps(a['rps'])} | — | {fmt_ms(a['p99_ms'])} |")
    return lines + [""]


def overload_table(results: Dict, agg: Dict) -> List[str]:
    rows = [(k, c, a) for (k, s, c), a in agg.items() if s == "overload"]
    if not rows:
        return []
    lines = ["| server | connections | 200/s | 503/s | other statuses, socket errors | probe: 503 p50 / p99 ms | "
             "probe: 200 p50 / p99 ms |", "|---|---:|---:|---:|---|---:|---:|"]
    for key, c, a in rows:
        secs = a["duration_s"] or 1
        ok = a["statuses"].get("200", 0) / secs
        rejected = a["statuses"].get("503", 0) / secs
        other = {s: n for s, n in a["statuses"].items() if s not in ("200", "503")}
        others = ", ".join(f"{s}: {n:.0f}" for s, n in other.items()) or "none"
        others += f"; {a['socket_errors']} socket errors/timeouts" if a["socket_errors"] else ""

        def pct(values: List[float]) -> str:
            if not values:
                return "—"
            values = sorted(values)
            return f"{fmt_ms(values[len(values) // 2])} / {fmt_ms(values[min(len(values) - 1, int(len(values) * 0.99))])}"

        lines.append(f"| {label(results, key)} | {c} | {fmt_rps(ok)} | {fmt_rps(rejected)} | {others} | "
                     f"{pct(a['probe_ms'].get('503', []))} | {pct(a['probe_ms'].get('200', []))} |")
    return lines + [""]


def memory_table(results: Dict, mem: Dict) -> List[str]:
    lines = ["| server | processes | idle RSS | RSS under eval c=32 | peak RSS, all its scenarios | idle PSS | "
             "PSS under eval c=32 | peak PSS | start-up s |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]

    def opt(kib: int) -> str:
        return mib(kib) if kib else "—"

    for key, m in mem.items():
        lines.append(f"| {label(results, key)} | {m['processes']} | {mib(m['idle_rss'])} | {opt(m['eval32_rss'])} | "
                     f"{opt(m['peak_rss'])} | {mib(m['idle_pss'])} | {opt(m['eval32_pss'])} | {opt(m['peak_pss'])} | "
                     f"{m['startup_s']:.1f} |")
    return lines + [""]


def logging_table(results: Dict, agg: Dict) -> List[str]:
    pairs = [("sw-gil", "sw-gil-log"), ("uvicorn-2", "uvicorn-2-log")]
    lines = ["| server | eval c=32 req/s, warnings only | p99 ms | with per-request logging | p99 ms | change |",
             "|---|---:|---:|---:|---:|---:|"]
    any_row = False
    for quiet, loud in pairs:
        a, b = agg.get((quiet, "eval", 32)), agg.get((loud, "eval", 32))
        if a and b:
            any_row = True
            lines.append(f"| {label(results, quiet)} | {fmt_rps(a['rps'])} | {fmt_ms(a['p99_ms'])} | {fmt_rps(b['rps'])} | "
                         f"{fmt_ms(b['p99_ms'])} | {b['rps'] / a['rps'] - 1:+.0%} |")
    return lines + [""] if any_row else []


def replace_section(doc_path: str, section: str) -> None:
    text = open(doc_path).read() if os.path.exists(doc_path) else "# Performance\n"
    block = f"{BEGIN}\n{section.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    with open(doc_path, "w") as f:
        f.write(text)


def build_section(results: Dict, meta: Dict, config: Dict, chart_name: str) -> str:
    agg, mem = aggregate(results), memory_by_server(results)
    settings = results["settings"]
    runs = [r for s in results["sessions"] for r in s["runs"]]
    bg = sorted(r["background_cpu"] for r in runs) or [0]
    failed = [s for s in results["sessions"] if "error" in s]
    lines = [
        "## HTTP load benchmark",
        "",
        "Generated by `load/bench.sh` (see [load/README.md](../load/README.md)); do not edit between the markers, re-run "
        "instead. One run on one machine, every server measured in the same run; compare within this run only.",
        "",
        f"- **Run:** {results['started']}, {results['elapsed_s'] / 60:.1f} min in all; `{meta.get('command', 'load/bench.sh')}`.",
        f"- **Machine:** {meta.get('cpu', '?')}, {os.cpu_count()} cores, {meta.get('kernel', '?')}. The load generator "
        "(wrk, 1 thread) runs on the same 2 cores as the server, so every server shares the machine with it alike.",
        f"- **Versions:** Sidewinder {meta.get('sidewinder_commit', '?')} on .NET {meta.get('dotnet', '?')}; "
        f"CPython {meta.get('python_gil', '?')} (GIL, Debian's), {meta.get('python_ft', '?')} (free-threaded), "
        f"{meta.get('python_314', '?')} (GIL, the sub-interpreter server) and {meta.get('python_314t', '?')} "
        "(free-threaded), the last three source builds of `scripts/provision-python.sh`; "
        f"FastAPI {meta.get('fastapi', '?')}, uvicorn {meta.get('uvicorn', '?')} with uvloop and httptools, "
        f"on Debian's CPython {meta.get('python_system', '?')}; {meta.get('wrk', 'wrk')}.",
        f"- **Method:** every server runs at once on its own loopback port (idle, they use no CPU); after "
        f"start-up each gets {settings.get('session_warmup_s', 0):g} s of unrecorded load over its scenarios (.NET's "
        "tiered compilation takes 20–30 s under load on these 2 cores: a long-running service is measured here, "
        "and its first seconds in their own table). Then, scenario "
        "by scenario and level by level, `wrk -t1 -cN` drives the servers one after another for "
        f"{settings['duration_s']:g} s each, {settings['rounds']} times with the order reversed every other time "
        f"(the first time after {settings['warmup_s']:g} s of unrecorded warm-up), so drift on the machine affects "
        "all alike. The tables show each server's median round (its throughput with that round's latencies; CPU "
        "per request: the median over rounds), for every server alike; (−x%) is the spread between its slowest and "
        "fastest round, when 15% or more. The first seconds after a start are measured separately (*The first "
        "seconds after start*). Every round is kept in "
        "`load/results/latest.json` on the machine that ran it (not committed). "
        "p50/p99 are wrk's latency percentiles. Memory is sampled every 0.2 s over the server's whole process tree "
        "(RSS; PSS counts pages shared between processes once). A check request per scenario verifies each "
        "server's answer (status, outcome, value) before it is measured.",
        "- **Configuration:** Sidewinder with rate limiting off (`Limits__RateLimitPermitsPerSecond=0`; the default "
        "1000 requests/s per client would turn most of this load into 429s) and logging at Warning "
        "(`Logging__LogLevel__Default=Warning`), default worker counts unless a row says otherwise (GIL with a shared "
        "interpreter: 2 × cores = 4; free-threaded, or sub-interpreter workers (`Workers__Isolation=Interpreter`): "
        "cores = 2), default queue (256). uvicorn with `--log-level warning --no-access-log`; the floor with "
        "logging at Warning. The cost of per-request logging is measured separately below.",
        f"- **Background load:** other processes used a median {statistics.median(bg):.0%} (max {bg[-1]:.0%}) of the "
        "machine's CPU during the measured runs" + (" — **the machine was not quiet; treat the numbers with care.**"
                                                     if statistics.median(bg) > 0.10 else "."),
    ]
    k6 = next((s["k6_selfcheck"] for s in results["sessions"] if s.get("k6_selfcheck")), None)
    if k6:
        lines.append(f"- **k6 scripts:** run under Node with stand-ins for the k6 modules against Sidewinder "
                     f"(`load/k6/selfcheck`): {k6}.")
    if failed:
        lines.append("- **Failed sessions:** " + "; ".join(f"{s['server']} (round {s['round']}): {s['error']}" for s in failed))
    lines += ["", f"![HTTP load benchmark]({chart_name})", "", "### Targets", ""]
    lines += evaluate_targets(results, agg, mem)
    lines += ["", "### Throughput and latency", ""]
    lines += scenario_tables(results, agg, config)
    lines += cold_table(results)
    lines += ["### CPU time per request", "",
              "The server's CPU time (user + system, all its processes and threads) divided by the requests it "
              "answered, in µs. Throughput on 2 shared cores is roughly 2 cores ÷ (this + the load generator's "
              "share); at c=1 it also shows what a server burns while it waits (spinning threads).", ""]
    lines += cpu_cost_table(results, agg, config)
    lines += ["### CPU-bound call: scaling with workers", "",
              "`example.busy(5)` loops for 5 ms of wall-clock time, so requests/s alone cannot tell parallel work from "
              "threads taking turns; the loop iterations each response reports, summed per second, show the work "
              "actually done.", ""]
    lines += cpu_table(results, agg)
    lines += ["### Overload", "",
              "wrk keeps more connections busy with CPU-bound calls than the service can run; a probe sends one "
              "request every 20 ms on its own connection meanwhile and records its latency by status.", ""]
    lines += overload_table(results, agg)
    lines += ["### Memory", "",
              "MiB, whole process tree. The peak covers every scenario a server ran (Sidewinder's include 128 "
              "connections and the 512-connection overload, the logging variants and uvicorn with 4 workers ran "
              "eval at c=32 only), so compare servers on the eval c=32 column.", ""]
    lines += memory_table(results, mem)
    log_lines = logging_table(results, agg)
    if log_lines:
        lines += ["### Per-request logging", "",
                  "Sidewinder at its default level (one Information line per request, formatted and written by a background thread, "
                  "stdout to a file) and uvicorn with its access log on, against the same servers at Warning.", ""]
        lines += log_lines
    analysis = os.path.join(HERE, "analysis.md")
    if os.path.exists(analysis):
        lines += [open(analysis).read().rstrip(), ""]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--doc", required=True)
    parser.add_argument("--chart", required=True)
    parser.add_argument("--meta", default=None)
    args = parser.parse_args()
    results = json.load(open(args.results))
    meta = json.load(open(args.meta)) if args.meta else {}
    config = json.load(open(os.path.join(HERE, "..", "scenarios.json")))
    from chart import draw
    draw(results, aggregate(results), memory_by_server(results), args.chart)
    chart_rel = os.path.relpath(args.chart, os.path.dirname(os.path.abspath(args.doc)))
    replace_section(args.doc, build_section(results, meta, config, chart_rel))
    print(f"wrote {args.doc} and {args.chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
