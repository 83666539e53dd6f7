#!/usr/bin/env bash
# Sets up whatever is missing and runs the test suite on every Python runtime Sidewinder supports:
#   default  Debian's CPython 3.11 (GIL)   whole suite
#   3.13t    free-threaded CPython 3.13     whole suite
#   3.14t    free-threaded CPython 3.14     whole suite
#   3.13     CPython 3.13 (GIL)             Interop, Interop shutdown, Workers and Api (HTTP) tests
#   3.14     CPython 3.14 (GIL)             Interop, Interop shutdown, Workers and Api (HTTP) tests
# "Whole suite" = every dotnet test project, then the browser test of the Swagger UI (tests/Browser/run.sh:
# the built service driven in headless Chromium). The GIL 3.13/3.14 runs leave out what does not depend on
# the Python version (Deploy.Tests) or repeats the Api tests through a browser.
#
#   ./test.sh                 every runtime
#   ./test.sh 3.14t           one runtime, whole suite (default | 3.13 | 3.13t | 3.14 | 3.14t)
#   ./test.sh 3.13t -- --filter FullyQualifiedName~Json     extra arguments go to dotnet test
set -euo pipefail
cd "$(dirname "$0")"

full=(default 3.13t 3.14t)
partial=(3.13 3.14)
partial_projects=(tests/Interop.Tests tests/Interop.ShutdownTests tests/Workers.Tests tests/Api.Tests)
runtimes=("${full[@]}" "${partial[@]}")
if [ $# -gt 0 ] && [ "$1" != "--" ]; then runtimes=("$1"); full=("$1"); partial=(); shift; fi
[ "${1:-}" = "--" ] && shift

# Each runtime's console output is also kept in TestResults/<runtime>/console.log; failures are repeated
# at the end, so that the last lines of a long run say what failed. A runtime that cannot be provisioned
# (e.g. Debian's mirror does not serve its source package) fails the run, but the others are still tested.
status=0
failures=()
timings=()
provisioned=()
for runtime in "${runtimes[@]}"; do
  started=$(date +%s)
  if scripts/provision-python.sh "$runtime"; then
    provisioned+=("$runtime")
  else
    status=1; failures+=("provisioning $runtime (scripts/provision-python.sh $runtime; output above)")
  fi
  timings+=("provision $runtime: $(( $(date +%s) - started ))s")
done
scripts/provision-test-tools.sh

dotnet build Sidewinder.slnx -c Release -warnaserror -nologo -v quiet

is_full() { local r; for r in "${full[@]}"; do [ "$r" = "$1" ] && return 0; done; return 1; }

for runtime in ${provisioned[@]+"${provisioned[@]}"}; do
  started=$(date +%s)
  mkdir -p "TestResults/$runtime"
  log="TestResults/$runtime/console.log"
  if is_full "$runtime"; then
    echo "=== tests on Python runtime: $runtime (whole suite) ==="
    SIDEWINDER_PYTHON="$runtime" dotnet test Sidewinder.slnx -c Release --no-build -nologo \
      --logger "console;verbosity=normal" --results-directory "TestResults/$runtime" "$@" 2>&1 | tee "$log" \
      || { status=1; failures+=("dotnet test on $runtime: $log"); }
    echo "=== browser test of the Swagger UI on Python runtime: $runtime ==="
    tests/Browser/run.sh "$runtime" || { status=1; failures+=("browser test on $runtime (output above)"); }
  else
    echo "=== tests on Python runtime: $runtime (${partial_projects[*]}) ==="
    : >"$log"
    for project in "${partial_projects[@]}"; do
      SIDEWINDER_PYTHON="$runtime" dotnet test "$project" -c Release --no-build -nologo \
        --logger "console;verbosity=normal" --results-directory "TestResults/$runtime" "$@" 2>&1 | tee -a "$log" \
        || { status=1; failures+=("dotnet test $project on $runtime: $log"); }
    done
  fi
  timings+=("tests $runtime: $(( $(date +%s) - started ))s")
done
echo "=== time per step: ${timings[*]} ==="

if [ $status -ne 0 ]; then
  echo "=== FAILED ==="
  for f in "${failures[@]}"; do echo "- $f"; done
  for runtime in "${runtimes[@]}"; do
    log="TestResults/$runtime/console.log"
    [ -f "$log" ] || continue
    # Each failed test with its message and the top of its stack trace.
    awk -v rt="$runtime" '
      /^  Failed / { n = 25; print "[" rt "] " $0; next }
      /^  (Passed|Skipped) / { n = 0 }
      n > 0 { print "[" rt "] " $0; n-- }' "$log"
  done
fi
exit $status
