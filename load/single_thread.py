"""Single-thread speed of one pure-Python CPU-bound job, the one tests/Workers.Benchmarks ThroughputBenchmarks submits.

Run it with each runtime's interpreter (the same libpython Sidewinder embeds), e.g.
    for r in 3.11 3.13 3.13t 3.14 3.14t; do
      "$(sed -n 's/^executable=//p' ~/.cache/sidewinder/runtimes/$r.env)" -I load/single_thread.py
    done
It prints the best of REPEAT rounds (ms per job): the minimum is the figure least disturbed by other work on the machine.
The job runs at module level in a fresh globals dict, as a Sidewinder job does (globals, not function locals).
"""
import platform
import sys
import time

JOB = compile("total = 0\nfor i in range(200_000):\n    total += i * i\n", "<job>", "exec")
REPEAT, NUMBER = 9, 5

best = float("inf")
for _ in range(REPEAT):
    start = time.perf_counter()
    for _ in range(NUMBER):
        exec(JOB, {})
    best = min(best, (time.perf_counter() - start) / NUMBER)
gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
print(f"{platform.python_version()} {'GIL' if gil else 'free-threaded'}: {best * 1000:.1f} ms per job")
