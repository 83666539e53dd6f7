#!/usr/bin/env bash
# Starts the service from the Release build output on a free loopback port with one Python runtime,
# runs the browser tests (swagger.mjs: the Swagger UI; playground.mjs: /playground) against it, and always stops
# the service.
#
#   tests/Browser/run.sh default                          or 3.14t, 3.13t, ...; needs `dotnet build -c Release` first
#   SIDEWINDER_SCREENSHOT=1 tests/Browser/run.sh default  also saves docs/swagger-eval.png and docs/playground.png
#   SIDEWINDER_TEST_PORT=8080 tests/Browser/run.sh ...     a fixed port instead of a free one
#
# Needs scripts/provision-test-tools.sh (Debian's chromium, playwright-core in the cache).
# On failure: the service log is printed and the page is saved to TestResults/<runtime>/browser-failure.png.
set -euo pipefail
cd "$(dirname "$0")/../.."

runtime="${1:?usage: tests/Browser/run.sh <runtime: default | 3.13 | 3.13t | 3.14 | 3.14t>}"
dll=src/Api/bin/Release/net10.0/Sidewinder.Api.dll
fail() { echo "[browser] FAIL ($runtime): $*" >&2; exit 1; }
[ -f "$dll" ] || fail "$dll not found; build first: dotnet build Sidewinder.slnx -c Release"

work=$(mktemp -d)
service_pid=
test_pid=
stop_pid() {   # TERM, then KILL after 5 s
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() { stop_pid "$test_pid"; stop_pid "$service_pid"; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
show_log() { echo "[browser] service log ($runtime), last 40 lines:" >&2; tail -n 40 "$work/service.log" >&2 || true; }

port=${SIDEWINDER_TEST_PORT:-}
[ -n "$port" ] || port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
base="http://127.0.0.1:$port"
echo "[browser] starting the service on $base with SIDEWINDER_PYTHON=$runtime"
SIDEWINDER_PYTHON="$runtime" dotnet "$dll" --urls "$base" >"$work/service.log" 2>&1 &
service_pid=$!

ready=0
for _ in $(seq 1 300); do   # up to 60 s
  kill -0 "$service_pid" 2>/dev/null || { show_log; fail "the service exited before it was ready"; }
  if curl -fsS -o /dev/null --max-time 2 "$base/health/ready" 2>/dev/null; then ready=1; break; fi
  sleep 0.2
done
[ $ready -eq 1 ] || { show_log; fail "GET $base/health/ready did not answer 200 within 60 s"; }

# In the background with `wait`, so that an INT or TERM reaches the trap at once.
for test in swagger playground; do
  SIDEWINDER_FAILURE_SHOT="$PWD/TestResults/$runtime/browser-$test-failure.png" node "tests/Browser/$test.mjs" "$base" &
  test_pid=$!
  wait "$test_pid" || { test_pid=; show_log; fail "the $test browser test failed (see above)"; }
  test_pid=
done
echo "[browser] passed on runtime $runtime"
