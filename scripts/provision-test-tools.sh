#!/usr/bin/env bash
# Tools the test suite needs beyond the Python runtimes. Idempotent; later issues add to it.
set -euo pipefail
exit 0
