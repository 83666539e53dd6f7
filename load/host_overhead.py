"""Per-job cost of the worker host's Python side: begin(settings) + end(0), a job that printed, logged and changed
nothing (the common case), with the host module loaded and configured as a worker loads it.

    /usr/bin/python3.11 load/host_overhead.py          # Debian's 3.11, the `default` runtime
    ~/.cache/sidewinder/python/3.13t/bin/python3.13t load/host_overhead.py
    python3 load/host_overhead.py OTHER_HOST.py         # another version of the host module, e.g. from `git show`

Prints the best of 5 rounds of 200,000 jobs each, in microseconds per job. The C# side (dict-watch flags, the trace
and profile checks) is not included; JobOverheadBenchmarks measures a whole job through the pool.
"""
import importlib.util
import os
import sys
import time

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "src", "Workers", "Execution", "sidewinder_host.py")
spec = importlib.util.spec_from_file_location("_sidewinder_host", path)
host = importlib.util.module_from_spec(spec)
spec.loader.exec_module(host)
real_stdout = sys.stdout
host.configure(None, None, None)
sys.stdout = real_stdout  # configure() installed the routers; print the result to the terminal

settings = (1 << 20, 1000)
begin, end = host.begin, host.end
rounds = []
for _ in range(5):
    n = 200_000
    start = time.perf_counter()
    for _ in range(n):
        begin(settings)
        end(0)
    rounds.append((time.perf_counter() - start) / n * 1e6)
print(f"{sys.version.split()[0]}{' free-threaded' if not getattr(sys, '_is_gil_enabled', lambda: True)() else ''}: "
      f"begin+end {min(rounds):.2f} us per job (best of 5; rounds {', '.join(f'{r:.2f}' for r in rounds)})")
