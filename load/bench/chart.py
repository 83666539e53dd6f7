"""The benchmark's chart: throughput and p99 at 32 connections, CPU-bound scaling, memory."""

from typing import Dict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - the backend must be chosen first

COLORS = {"floor": "#7f7f7f", "uvicorn": "#d62728", "sidewinder": "#1f77b4"}
SHORT = {
    "floor": "floor", "uvicorn-1": "uvicorn 1w", "uvicorn-2": "uvicorn 2w", "uvicorn-4": "uvicorn 4w",
    "sw-gil": "SW GIL", "sw-ft": "SW 3.13t", "sw-gil-1w": "SW GIL 1w", "sw-gil-2w": "SW GIL 2w",
    "sw-ft-1w": "SW 3.13t 1w", "sw-gil-log": "SW GIL +log", "uvicorn-2-log": "uvicorn 2w +log",
    "sw-314t": "SW 3.14t", "sw-314t-1w": "SW 3.14t 1w", "sw-314-sub": "SW 3.14 sub", "sw-314-sub-1w": "SW 3.14 sub 1w",
    "sw-314": "SW 3.14 2w", "sw-314-1w": "SW 3.14 1w",
}
RUNTIME_COLORS = {"3.13t": "#2ca02c", "3.14t": "#98df8a", "3.14": "#9467bd"}


def _color(results: Dict, key: str, variant: int = 0) -> str:
    kind = results["servers"][key]["kind"]
    if kind == "sidewinder" and results["servers"][key]["runtime"] in RUNTIME_COLORS:
        return RUNTIME_COLORS[results["servers"][key]["runtime"]]
    if kind == "uvicorn" and variant:
        return "#ff9896"
    return COLORS[kind]


def _grouped(ax, results, agg, scenarios, servers, metric, title, ylabel, log=True):
    width = 0.8 / max(1, len(servers))
    for i, key in enumerate(servers):
        xs, ys = [], []
        for j, scenario in enumerate(scenarios):
            a = agg.get((key, scenario, 32))
            if a:
                xs.append(j + i * width)
                ys.append(a[metric])
        ax.bar(xs, ys, width, label=SHORT.get(key, key), color=_color(results, key, i % 2 if "uvicorn" in key else 0),
               edgecolor="black", linewidth=0.3)
    ax.set_xticks([j + 0.4 - width / 2 for j in range(len(scenarios))])
    ax.set_xticklabels(scenarios)
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if log:
        ax.set_yscale("log")
    ax.grid(axis="y", alpha=0.3, which="both")


def draw(results: Dict, agg: Dict, mem: Dict, path: str) -> None:
    main = [k for k in ["floor", "uvicorn-1", "uvicorn-2", "sw-gil", "sw-ft", "sw-314t", "sw-314-sub"]
            if k in results["servers"]]
    scenarios = ["eval", "run", "call", "mixed"]
    fig, axes = plt.subplots(2, 2, figsize=(14, 9))
    _grouped(axes[0][0], results, agg, scenarios, main, "rps", "Throughput at 32 connections (higher is better)",
             "requests/s (log)")
    axes[0][0].legend(fontsize=8, ncol=2)
    _grouped(axes[0][1], results, agg, scenarios, main, "p99_ms", "p99 latency at 32 connections (lower is better)",
             "ms (log)")

    ax = axes[1][0]
    cpu = [k for k in ["uvicorn-1", "uvicorn-2", "sw-gil-1w", "sw-gil-2w", "sw-ft-1w", "sw-ft", "sw-314t-1w", "sw-314t",
                       "sw-314-1w", "sw-314", "sw-314-sub-1w", "sw-314-sub"] if (k, "cpu", 8) in agg]
    work = [agg[(k, "cpu", 8)]["work_per_s"] or 0 for k in cpu]
    rps = [agg[(k, "cpu", 8)]["rps"] for k in cpu]
    bars = ax.bar(range(len(cpu)), [w / 1e6 for w in work], color=[_color(results, k) for k in cpu], edgecolor="black",
                  linewidth=0.3)
    for bar, r in zip(bars, rps):
        ax.annotate(f"{r:,.0f} req/s", (bar.get_x() + bar.get_width() / 2, bar.get_height()), ha="center",
                    va="bottom", fontsize=8)
    ax.set_xticks(range(len(cpu)))
    ax.set_xticklabels([SHORT.get(k, k) for k in cpu], rotation=35, fontsize=7)
    ax.set_title("CPU-bound call busy(5), 8 connections: work done")
    ax.set_ylabel("million loop iterations/s")
    ax.grid(axis="y", alpha=0.3)

    ax = axes[1][1]
    keys = [k for k in ["floor", "uvicorn-1", "uvicorn-2", "uvicorn-4", "sw-gil", "sw-ft", "sw-314t", "sw-314-sub"]
            if k in mem]
    idle = [mem[k]["idle_rss"] / 1024 for k in keys]
    loaded = [mem[k]["eval32_rss"] / 1024 for k in keys]
    xs = range(len(keys))
    ax.bar([x - 0.2 for x in xs], idle, 0.4, label="idle RSS", color="#aec7e8", edgecolor="black", linewidth=0.3)
    ax.bar([x + 0.2 for x in xs], loaded, 0.4, label="RSS under eval, 32 connections", color="#1f77b4",
           edgecolor="black", linewidth=0.3)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([SHORT.get(k, k) for k in keys], rotation=20, fontsize=8)
    ax.set_title("Memory of the whole process tree")
    ax.set_ylabel("MiB")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)

    fig.suptitle(f"Sidewinder vs ASP.NET Core floor vs FastAPI + uvicorn — {results['started']}, 2 cores, wrk -t1")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
