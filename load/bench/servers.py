"""The servers the benchmark compares, and how to start, probe and stop each one on a loopback port."""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from procstat import process_group, tree_pids

PYTHON = "/usr/bin/python3"  # Debian's, with python3-fastapi and python3-uvicorn


@dataclass
class Server:
    key: str
    label: str
    kind: str  # floor | uvicorn | sidewinder
    workers: Optional[int] = None  # uvicorn processes, or Sidewinder worker threads (None = Sidewinder's default)
    runtime: str = "default"  # Sidewinder: SIDEWINDER_PYTHON (default = GIL 3.11, 3.13t, 3.14, 3.14t)
    isolation: str = "Shared"  # Sidewinder: Workers:Isolation (Interpreter = a sub-interpreter with its own GIL each)
    logging: bool = False  # production-like logging (one line per request) instead of warnings only
    env: Dict[str, str] = field(default_factory=dict)

    @property
    def processes(self) -> int:
        """Processes expected once the server is up (uvicorn with workers adds a supervisor)."""
        if self.kind == "uvicorn" and (self.workers or 1) > 1:
            return self.workers + 1
        return 1


def default_sidewinder_workers(runtime: str, isolation: str = "Shared") -> int:
    """What Workers:WorkerCount resolves to when unset (WorkerPoolOptions.ResolveWorkerCount): one per core where
    Python runs in parallel (a free-threaded build, or sub-interpreters with their own GIL), else 2 per core."""
    cores = os.cpu_count() or 1
    parallel = runtime.endswith("t") or isolation == "Interpreter"
    return cores if parallel else max(2, 2 * cores)


SERVERS: Dict[str, Server] = {
    s.key: s
    for s in [
        Server("floor", "ASP.NET Core floor (no Python)", "floor"),
        Server("uvicorn-1", "FastAPI + uvicorn, 1 worker", "uvicorn", workers=1),
        Server("uvicorn-2", "FastAPI + uvicorn, 2 workers (1 per core)", "uvicorn", workers=2),
        Server("uvicorn-4", "FastAPI + uvicorn, 4 workers", "uvicorn", workers=4),
        Server("sw-gil", "Sidewinder, GIL 3.11, default workers", "sidewinder", runtime="default"),
        Server("sw-ft", "Sidewinder, free-threaded 3.13t, default workers", "sidewinder", runtime="3.13t"),
        Server("sw-gil-1w", "Sidewinder, GIL 3.11, 1 worker", "sidewinder", workers=1, runtime="default"),
        Server("sw-gil-2w", "Sidewinder, GIL 3.11, 2 workers", "sidewinder", workers=2, runtime="default"),
        Server("sw-ft-1w", "Sidewinder, 3.13t, 1 worker", "sidewinder", workers=1, runtime="3.13t"),
        Server("sw-314t", "Sidewinder, free-threaded 3.14t, default workers", "sidewinder", runtime="3.14t"),
        Server("sw-314t-1w", "Sidewinder, 3.14t, 1 worker", "sidewinder", workers=1, runtime="3.14t"),
        Server("sw-314-sub", "Sidewinder, GIL 3.14, sub-interpreter workers (own GIL each), default workers",
               "sidewinder", runtime="3.14", isolation="Interpreter"),
        Server("sw-314-sub-1w", "Sidewinder, GIL 3.14, sub-interpreter workers, 1 worker", "sidewinder", workers=1,
               runtime="3.14", isolation="Interpreter"),
        Server("sw-314", "Sidewinder, GIL 3.14, shared interpreter, 2 workers", "sidewinder", workers=2,
               runtime="3.14"),
        Server("sw-314-1w", "Sidewinder, GIL 3.14, shared interpreter, 1 worker", "sidewinder", workers=1,
               runtime="3.14"),
        Server("sw-gil-log", "Sidewinder, GIL 3.11, default workers, Information logging", "sidewinder",
               runtime="default", logging=True),
        Server("uvicorn-2-log", "FastAPI + uvicorn, 2 workers, access log on", "uvicorn", workers=2, logging=True),
    ]
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningServer:
    """A started server: its process (group), port and log file."""

    def __init__(self, server: Server, paths: Dict[str, str], log_path: str):
        self.server = server
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv, env = self._command(paths)
        self.log = open(log_path, "wb")
        self.started = time.monotonic()
        # Own session: the whole tree (uvicorn's workers) can be stopped by this process group's id.
        self.proc = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=paths["root"], start_new_session=True)

    def _command(self, paths):
        s = self.server
        env = dict(os.environ)
        env.update(s.env)
        url = f"http://127.0.0.1:{self.port}"
        if s.kind == "floor":
            env["Logging__LogLevel__Default"] = "Information" if s.logging else "Warning"
            return ["dotnet", paths["floor_dll"], "--urls", url], env
        if s.kind == "sidewinder":
            env["SIDEWINDER_PYTHON"] = s.runtime
            # Rate limiting (1000 requests/s per client by default) would turn most benchmark requests into 429s.
            env["Limits__RateLimitPermitsPerSecond"] = "0"
            env["Logging__LogLevel__Default"] = "Information" if s.logging else "Warning"
            env["Workers__Isolation"] = s.isolation
            if s.workers is not None:
                env["Workers__WorkerCount"] = str(s.workers)
            return ["dotnet", paths["sidewinder_dll"], "--urls", url], env
        env["SCRIPTS_DIR"] = paths["scripts"]
        argv = [PYTHON, "-m", "uvicorn", "fastapi_app:app", "--app-dir", paths["bench"], "--host", "127.0.0.1",
                "--port", str(self.port), "--workers", str(s.workers or 1)]
        argv += ["--log-level", "info"] if s.logging else ["--log-level", "warning", "--no-access-log"]
        return argv, env

    def pids(self) -> List[int]:
        return tree_pids(self.proc.pid)

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Waits for GET /health/ready = 200 and for every expected process; returns the start-up time in seconds."""
        deadline = time.monotonic() + timeout
        ready = False
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.server.key} exited with {self.proc.returncode} during start-up (log: {self.log.name})")
            if not ready:
                try:
                    with urllib.request.urlopen(self.url + "/health/ready", timeout=2) as r:
                        ready = r.status == 200
                except (urllib.error.URLError, ConnectionError, OSError):
                    pass
            if ready and len(self.pids()) >= self.server.processes:
                return time.monotonic() - self.started
            time.sleep(0.1)
        raise RuntimeError(f"{self.server.key} was not ready within {timeout:.0f} s (log: {self.log.name})")

    def stop(self, timeout: float = 20.0) -> None:
        started = [(pid, process_group(pid)) for pid in self.pids()]
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        # A worker can outlive a supervisor that died first: end any process of this server that is still there
        # (same pid and still in this server's process group, so never an unrelated process).
        for pid, group in started:
            if group == self.proc.pid and process_group(pid) == group:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.log.close()
