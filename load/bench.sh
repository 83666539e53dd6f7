#!/usr/bin/env bash
# Side-by-side HTTP load benchmark on this machine, in one run: the ASP.NET Core floor, FastAPI + uvicorn
# (1, 2 and 4 worker processes) and Sidewinder (GIL 3.11, free-threaded 3.13t and 3.14t, and GIL 3.14 with
# sub-interpreter workers, Workers:Isolation=Interpreter), over the scenarios of
# load/scenarios.json. Writes the "HTTP load benchmark" section of docs/performance.md and docs/load-benchmark.png.
#
#   load/bench.sh                         the full run (about 33 minutes on 2 cores)
#   load/bench.sh --quick                 1 round of 2 s runs, docs untouched (a smoke run, about 5 minutes)
#   load/bench.sh --rounds 5 --duration 10    more and longer runs (any option of load/bench/bench.py)
#   load/bench.sh --only floor,sw-gil     some servers only (keys: load/bench/servers.py)
#   load/bench.sh --scenarios eval:32     some scenarios only, optionally at some concurrency levels
#   load/bench.sh --sidewinder-root DIR   benchmark the Sidewinder of another checkout, e.g. a git worktree
#   load/bench.sh --no-docs               results in load/results/ only
#   load/bench.sh --report-only           rewrite the docs from load/results/latest.json without measuring
#
# Installs what is missing (Debian: wrk, python3-fastapi, python3-uvicorn, python3-uvloop, python3-httptools,
# python3-matplotlib; the Python runtimes via scripts/provision-python.sh) and builds Sidewinder and the floor in
# Release first. Servers listen on 127.0.0.1 only; every run is bounded in time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sw_root=$root docs=1 report_only=0 quick=0 pass=()
command_line="load/bench.sh${*:+ $*}"
while [ $# -gt 0 ]; do
  case "$1" in
    --sidewinder-root) sw_root=$(cd "$2" && pwd); pass+=(--sidewinder-root "$sw_root"); shift 2 ;;
    --no-docs) docs=0; shift ;;
    --docs) docs=2; shift ;;
    --report-only) report_only=1; shift ;;
    --quick) quick=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done
if [ $quick = 1 ]; then
  pass=(--rounds 1 --duration 2 --warmup 1 --quiet-wait 0 --cold 10 "${pass[@]}")
  [ $docs = 2 ] || docs=0
fi

results=load/results
log() { printf '[bench] %s\n' "$*" >&2; }
sudo_cmd() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ $report_only = 0 ]; then
  missing=()
  for p in wrk python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-matplotlib curl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    sudo_cmd apt-get -o DPkg::Lock::Timeout=600 update -qq
    sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
      --no-install-recommends "${missing[@]}" >/dev/null
  fi
  for runtime in gil 3.13t 3.14 3.14t; do scripts/provision-python.sh "$runtime"; done

  log "building Sidewinder ($sw_root) and the floor (Release)"
  dotnet build "$sw_root/src/Api/Sidewinder.Api.csproj" -c Release -nologo -v quiet
  dotnet build load/Floor/Floor.csproj -c Release -nologo -v quiet

  mkdir -p "$results"
  cache=${SIDEWINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidewinder}
  # The runtimes Sidewinder embeds, not whatever python3.x is on PATH.
  executable() { sed -n 's/^executable=//p' "$cache/runtimes/$1.env"; }
  gil_python=$(executable default) ft_python=$(executable 3.13t) py314=$(executable 3.14) py314t=$(executable 3.14t)
  commit=$(git -C "$sw_root" rev-parse --short HEAD)
  dirty=$(git -C "$sw_root" status --porcelain -- src | wc -l)
  [ "$dirty" = 0 ] || commit="$commit + uncommitted changes in $dirty file(s) under src/"
  raw="$results/latest.json"
  [ $docs = 0 ] && raw="$results/scratch.json"
  /usr/bin/python3 - "${raw%.json}.meta.json" <<PY
import json, platform, subprocess, sys
def out(*argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return "?"
runtimes = [l.split()[1] for l in out("dotnet", "--list-runtimes").splitlines() if l.startswith("Microsoft.AspNetCore.App")]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
meta = {
    "command": """$command_line""",
    "cpu": cpu, "kernel": platform.system() + " " + platform.release(),
    "dotnet": runtimes[-1] if runtimes else "?",
    "sidewinder_commit": """$commit""",
    "python_gil": out("$gil_python", "-c", "import platform; print(platform.python_version())"),
    "python_ft": out("$ft_python", "-c", "import platform; print(platform.python_version() + 't')"),
    "python_314": out("$py314", "-c", "import platform; print(platform.python_version())"),
    "python_314t": out("$py314t", "-c", "import platform; print(platform.python_version() + 't')"),
    "python_system": platform.python_version(),
    "fastapi": out("/usr/bin/python3", "-c", "import fastapi; print(fastapi.__version__)"),
    "uvicorn": out("/usr/bin/python3", "-c", "import uvicorn; print(uvicorn.__version__)"),
    "wrk": " ".join(out("wrk", "-v").split()[:2]),
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
PY

  # Keep the k6 scripts in step with the scenarios (static check; bench.py also runs them against Sidewinder).
  if command -v node >/dev/null; then node load/k6/selfcheck/selfcheck.mjs; else log "node not found: k6 self-check skipped"; fi
  started=$(date +%s)
  status=0
  /usr/bin/python3 load/bench/bench.py --out "$raw" "${pass[@]}" || status=$?
  log "measured in $(( ($(date +%s) - started) / 60 )) min $(( ($(date +%s) - started) % 60 )) s"
  [ $docs = 0 ] && { log "results: $raw (docs untouched)"; exit $status; }
fi

/usr/bin/python3 load/bench/report.py "$results/latest.json" --meta "$results/latest.meta.json" \
  --doc docs/performance.md --chart docs/load-benchmark.png
exit "${status:-0}"
