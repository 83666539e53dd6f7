"""The issue's targets and the k6 thresholds of load/scenarios.json, checked against one benchmark run."""

import json
import os
from typing import Dict, List, Optional

from servers import default_sidewinder_workers

HERE = os.path.dirname(os.path.abspath(__file__))
SIDEWINDERS = [("sw-gil", "GIL 3.11"), ("sw-ft", "3.13t")]


def _mark(ok: Optional[bool]) -> str:
    return "—" if ok is None else "✔" if ok else "✘"


def _rps(agg: Dict, key: str, scenario: str, c: int) -> Optional[float]:
    a = agg.get((key, scenario, c))
    return a["rps"] if a else None


def evaluate_targets(results: Dict, agg: Dict, mem: Dict) -> List[str]:
    rows = []
    floor = _rps(agg, "floor", "eval", 32)
    uvicorn = _rps(agg, "uvicorn-2", "eval", 32)
    for key, name in SIDEWINDERS:
        sw = _rps(agg, key, "eval", 32)
        if sw and floor:
            rows.append((f"eval `1+1` at c=32 ≥ 60% of the floor ({name})",
                         f"{sw:,.0f} vs {floor:,.0f} req/s = {sw / floor:.0%}", sw / floor >= 0.6))
        if sw and uvicorn:
            rows.append((f"eval `1+1` at c=32 ≥ 8× FastAPI + uvicorn, 1 worker per core ({name})",
                         f"{sw:,.0f} vs {uvicorn:,.0f} req/s = {sw / uvicorn:.1f}×", sw / uvicorn >= 8))
        a = agg.get((key, "eval", 32))
        if a:
            rows.append((f"eval p99 at c=32 ≤ 5 ms ({name})", f"{a['p99_ms']:.2f} ms", a["p99_ms"] <= 5))

    one, two = agg.get(("sw-ft-1w", "cpu", 8)), agg.get(("sw-ft", "cpu", 8))
    if one and two and default_sidewinder_workers("3.13t") == 2:
        rows.append(("CPU-bound call: 3.13t with 2 workers ≥ 1.8× its 1-worker throughput",
                     f"{two['rps'] / one['rps']:.2f}× requests/s, {_ratio(two, one)} loop iterations/s",
                     two["rps"] / one["rps"] >= 1.8))
    g1, g2 = agg.get(("sw-gil-1w", "cpu", 8)), agg.get(("sw-gil-2w", "cpu", 8))
    if g1 and g2:
        rows.append(("CPU-bound call: the GIL build with 2 workers stays near 1× (expected, not a goal)",
                     f"{g2['rps'] / g1['rps']:.2f}× requests/s, {_ratio(g2, g1)} loop iterations/s", None))

    four = "sw-gil" if default_sidewinder_workers("default") == 4 else None
    if four and four in mem and "uvicorn-4" in mem:
        s, u = mem[four], mem["uvicorn-4"]
        rows.append(("Sidewinder with 4 workers (GIL) uses less memory than uvicorn with 4 worker processes",
                     f"under eval c=32: RSS {s['eval32_rss'] / 1024:,.0f} vs {u['eval32_rss'] / 1024:,.0f} MiB, "
                     f"PSS {s['eval32_pss'] / 1024:,.0f} vs {u['eval32_pss'] / 1024:,.0f} MiB; "
                     f"idle: RSS {s['idle_rss'] / 1024:,.0f} vs {u['idle_rss'] / 1024:,.0f} MiB, "
                     f"PSS {s['idle_pss'] / 1024:,.0f} vs {u['idle_pss'] / 1024:,.0f} MiB",
                     bool(s["eval32_rss"]) and s["eval32_rss"] < u["eval32_rss"] and s["eval32_pss"] < u["eval32_pss"]
                     and s["idle_rss"] < u["idle_rss"] and s["idle_pss"] < u["idle_pss"]))
    rows.append(("Idle RSS and RSS under load reported for every server", "see Memory", bool(mem)))

    config = json.load(open(os.path.join(HERE, "..", "scenarios.json")))
    overload = config["scenarios"]["overload"]
    for key, name in SIDEWINDERS:
        a = next((v for (k, s, c), v in agg.items() if k == key and s == "overload"), None)
        if not a:
            continue
        accepted = {str(s) for s in overload["acceptStatuses"]}
        other = sum(n for s, n in a["statuses"].items() if s not in accepted) + a["socket_errors"]
        probe = sorted(a["probe_ms"].get("503", []))
        p99 = probe[min(len(probe) - 1, int(len(probe) * 0.99))] if probe else None
        fast = p99 is not None and p99 <= overload["thresholds"]["rejectedP99Ms"]
        rows.append((f"overload: only 200 and fast 503 (probe p99 ≤ {overload['thresholds']['rejectedP99Ms']} ms), "
                     f"nothing else ({name})",
                     f"{a['statuses'].get('503', 0):,.0f} × 503, {other:,.0f} other; 503 p99 "
                     + (f"{p99:.2f} ms" if p99 is not None else "not probed"),
                     other == 0 and a["statuses"].get("503", 0) > 0 and fast))

    lines = ["| target | measured | met |", "|---|---|:---:|"]
    lines += [f"| {t} | {m} | {_mark(ok)} |" for t, m, ok in rows]
    lines += ["", "k6 thresholds of `load/scenarios.json` (p99 per concurrency level, error rate), applied to this run:", ""]
    lines += threshold_table(agg, config)
    return lines


def _ratio(a: Dict, b: Dict) -> str:
    return f"{a['work_per_s'] / b['work_per_s']:.2f}×" if a.get("work_per_s") and b.get("work_per_s") else "—"


def threshold_table(agg: Dict, config: Dict) -> List[str]:
    lines = ["| scenario | c | p99 limit ms | " + " | ".join(f"Sidewinder {n}" for _, n in SIDEWINDERS) + " |",
             "|---|---:|---:|" + ":---:|" * len(SIDEWINDERS)]
    for scenario, spec in config["scenarios"].items():
        for c, limit in spec["thresholds"]["p99Ms"].items():
            cells = []
            for key, _ in SIDEWINDERS:
                a = agg.get((key, scenario, int(c)))
                if not a:
                    cells.append("—")
                    continue
                error_rate = a["errors"] / max(1, a["rps"] * a["duration_s"] * a["rounds"])
                ok = bool(a["rps"]) and a["p99_ms"] <= limit and error_rate <= spec["thresholds"]["errorRate"]
                cells.append(f"{_mark(ok)} {a['p99_ms']:.2f}")
            lines.append(f"| {scenario} | {c} | {limit} | " + " | ".join(cells) + " |")
    return lines
