#!/usr/bin/env bash
# Sets up whatever is missing and starts Sidewinder on http://127.0.0.1:8080 with the Swagger UI at /swagger.
#
#   ./run.sh                      default runtime: the GIL build (CPython 3.11 from Debian)
#   ./run.sh --free-threaded      the free-threaded 3.13t build (built once from Debian's source, ~10 min)
#   PORT=9000 ./run.sh            another port (still loopback only)
#   ./run.sh -- --Workers:WorkerCount=2     anything after -- goes to the service as configuration
set -euo pipefail
cd "$(dirname "$0")"

runtime=default
while [ $# -gt 0 ]; do
  case "$1" in
    --free-threaded|--3.13t) runtime=3.13t; shift ;;
    --gil) runtime=default; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see ./run.sh --help)" >&2; exit 2 ;;
  esac
done

if [ "$runtime" = default ]; then scripts/provision-python.sh gil; else scripts/provision-python.sh "$runtime"; fi
dotnet build src/Api/Sidewinder.Api.csproj -c Release -nologo -v quiet

export SIDEWINDER_PYTHON="$runtime"
exec dotnet src/Api/bin/Release/net10.0/Sidewinder.Api.dll --urls "http://127.0.0.1:${PORT:-8080}" "$@"
