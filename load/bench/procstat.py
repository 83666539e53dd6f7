"""Reading memory and CPU use of process trees from /proc (Linux)."""

import os
from typing import Dict, List, Optional, Tuple

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> Optional[List[str]]:
    """Fields of /proc/PID/stat after the command name (which may contain spaces and parentheses)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def process_group(pid: int) -> Optional[int]:
    fields = _stat_fields(pid)
    return int(fields[2]) if fields else None


def tree_pids(root: int) -> List[int]:
    """root and all its descendants that are alive."""
    children: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields:
            children.setdefault(int(fields[1]), []).append(int(entry))
    if _stat_fields(root) is None:
        return []
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _kib(path: str, keys: Tuple[str, ...]) -> Dict[str, int]:
    values = {}
    try:
        with open(path) as f:
            for line in f:
                name, _, rest = line.partition(":")
                if name in keys:
                    values[name] = int(rest.split()[0])
    except OSError:
        pass
    return values


def memory(pids: List[int]) -> Dict[str, int]:
    """Sum over the processes, in KiB: rss (VmRSS), pss (proportional share, shared pages split), hwm (VmHWM)."""
    total = {"rss": 0, "pss": 0, "hwm": 0}
    for pid in pids:
        status = _kib(f"/proc/{pid}/status", ("VmRSS", "VmHWM"))
        total["rss"] += status.get("VmRSS", 0)
        total["hwm"] += status.get("VmHWM", 0)
        total["pss"] += _kib(f"/proc/{pid}/smaps_rollup", ("Pss",)).get("Pss", 0)
    return total


def cpu_seconds(pids: List[int]) -> float:
    """User + system CPU time of the processes (their threads included), in seconds."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores; idle and iowait excluded)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    busy = sum(values[:8]) - values[3] - values[4]  # user nice system idle iowait irq softirq steal
    return busy / CLOCK_TICKS


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, as /proc/loadavg gives them."""
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])
