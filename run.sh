#!/usr/bin/env bash
# Sets up whatever is missing and starts Sidewinder on http://127.0.0.1:8080 with the Swagger UI at /swagger.
#
#   ./run.sh                      default runtime: the GIL build (Debian's CPython 3.11, with numpy)
#   ./run.sh --python 3.14t       a runtime by name: default | 3.13 | 3.13t | 3.14 | 3.14t (t = free-threaded;
#                                 the source builds are made once from Debian's source packages, 5-7 min each)
#   ./run.sh --free-threaded      the free-threaded runtime 3.14t (the supported one, PEP 779; see README)
#   PORT=9000 ./run.sh            another port (still loopback only)
#   ./run.sh -- --Workers:WorkerCount=2     anything after -- goes to the service as configuration
set -euo pipefail
cd "$(dirname "$0")"

runtime=default
while [ $# -gt 0 ]; do
  case "$1" in
    --python) [ $# -ge 2 ] || { echo "run.sh: --python needs a runtime name" >&2; exit 2; }; runtime=$2; shift 2 ;;
    --python=*) runtime=${1#--python=}; shift ;;
    --free-threaded) runtime=3.14t; shift ;;
    --3.13t|--3.14t|--3.13|--3.14) runtime=${1#--}; shift ;;
    --gil) runtime=default; shift ;;
    --) shift; break ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (see ./run.sh --help)" >&2; exit 2 ;;
  esac
done
case "$runtime" in
  default|gil|3.11|3.13|3.13t|3.14|3.14t) ;;
  *) echo "run.sh: unknown runtime '$runtime' (default | 3.13 | 3.13t | 3.14 | 3.14t)" >&2; exit 2 ;;
esac

scripts/provision-python.sh "$runtime"
dotnet build src/Api/Sidewinder.Api.csproj -c Release -nologo -v quiet

export SIDEWINDER_PYTHON="$runtime"
exec dotnet src/Api/bin/Release/net10.0/Sidewinder.Api.dll --urls "http://127.0.0.1:${PORT:-8080}" "$@"
