#!/usr/bin/env bash
# Sets up whatever is missing and runs the whole test suite on both Python runtimes:
# the default GIL build (CPython 3.11 from Debian) and the free-threaded 3.13t build.
# Per runtime: every dotnet test project, then the browser test of the Swagger UI
# (tests/Browser/run.sh: the built service driven in headless Chromium).
#
#   ./test.sh                 both runtimes
#   ./test.sh default         one runtime (default | 3.13t)
#   ./test.sh 3.13t -- --filter FullyQualifiedName~Json     extra arguments go to dotnet test
set -euo pipefail
cd "$(dirname "$0")"

runtimes=(default 3.13t)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then runtimes=("$1"); shift; fi
[ "${1:-}" = "--" ] && shift

for runtime in "${runtimes[@]}"; do
  if [ "$runtime" = default ]; then scripts/provision-python.sh gil; else scripts/provision-python.sh "$runtime"; fi
done
scripts/provision-test-tools.sh

dotnet build Sidewinder.slnx -c Release -warnaserror -nologo -v quiet

# Each runtime's console output is also kept in TestResults/<runtime>/console.log; failures are repeated
# at the end, so that the last lines of a long run say what failed.
status=0
failures=()
for runtime in "${runtimes[@]}"; do
  echo "=== tests on Python runtime: $runtime ==="
  mkdir -p "TestResults/$runtime"
  log="TestResults/$runtime/console.log"
  SIDEWINDER_PYTHON="$runtime" dotnet test Sidewinder.slnx -c Release --no-build -nologo \
    --logger "console;verbosity=normal" --results-directory "TestResults/$runtime" "$@" 2>&1 | tee "$log" \
    || { status=1; failures+=("dotnet test on $runtime: $log"); }
  echo "=== browser test of the Swagger UI on Python runtime: $runtime ==="
  tests/Browser/run.sh "$runtime" || { status=1; failures+=("browser test on $runtime (output above)"); }
done

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
