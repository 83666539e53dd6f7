#!/usr/bin/env bash
# A/B of stateless POST /run between two builds of the service, alternating rounds (docs/performance.md, Sessions):
#   load/sessions/ab.sh BEFORE_ROOT AFTER_ROOT     each a checkout built with dotnet build src/Api -c Release
# e.g. BEFORE_ROOT from `git archive 27c5d47 | tar -x -C /tmp/sw-before`. PY=3.13t picks the runtime.
set -u
echo /run > /tmp/ab-paths.txt
start() { SIDEWINDER_PYTHON=${PY:-default} Limits__RateLimitPermitsPerSecond=0 ASPNETCORE_URLS=http://127.0.0.1:$2 "$1" >/tmp/ab-$2.log 2>&1 & echo $!; }
wait_ready() { for i in $(seq 100); do curl -sf http://127.0.0.1:$1/health/ready >/dev/null && return; sleep 0.3; done; }
for round in 1 2 3; do
  for side in before after; do
    if [ $side = before ]; then bin=$1/src/Api/bin/Release/net10.0/Sidewinder.Api; port=18601; else bin=$2/src/Api/bin/Release/net10.0/Sidewinder.Api; port=18602; fi
    pid=$(start $bin $port); wait_ready $port
    PATHS=/tmp/ab-paths.txt wrk -t1 -c32 -d3s -s "$(dirname "$0")/sessions.lua" http://127.0.0.1:$port >/dev/null 2>&1   # warm-up
    r=$(PATHS=/tmp/ab-paths.txt wrk -t1 -c32 -d5s -s "$(dirname "$0")/sessions.lua" http://127.0.0.1:$port | awk '/Requests\/sec/ {print $2}')
    echo "round $round $side $r"
    kill $pid; wait $pid 2>/dev/null
  done
done
