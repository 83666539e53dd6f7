#!/usr/bin/env bash
# Tools the test suite needs beyond the Python runtimes. Idempotent: every step checks first.
#
#   Debian's chromium (/usr/bin/chromium)        for the browser test of the Swagger UI (tests/Browser)
#   Node.js >= 20 and playwright-core            pinned by tests/Browser/package.json and package-lock.json
#
# playwright-core goes into $SIDEWINDER_CACHE/node (default ~/.cache/sidewinder/node), outside the
# repository, and is reinstalled only when the lock file changes. It drives Debian's Chromium;
# Playwright's own browser downloads are never used.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SIDEWINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidewinder}"
node_dir="$cache/node"
log() { printf '[provision] %s\n' "$*" >&2; }

sudo_cmd() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  if [ $apt_updated -eq 0 ]; then sudo_cmd apt-get update -qq; apt_updated=1; fi
  log "installing $*"
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then apt_install chromium; fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then apt_install nodejs npm; fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  log "playwright-core needs Node.js >= 20; found $(node --version) at $(command -v node)"
  exit 1
fi

# Installed copy is current when its recorded lock matches the repository's byte for byte.
lock=tests/Browser/package-lock.json
if [ -f "$node_dir/node_modules/playwright-core/package.json" ] && cmp -s "$lock" "$node_dir/.installed-lock.json"; then
  log "playwright-core cached at $node_dir"
  exit 0
fi

log "installing playwright-core into $node_dir (npm ci)"
mkdir -p "$node_dir"
rm -f "$node_dir/.installed-lock.json"
cp tests/Browser/package.json "$lock" "$node_dir/"
# --ignore-scripts and the skip variable: never let an install step fetch a browser of its own.
(cd "$node_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
cp "$lock" "$node_dir/.installed-lock.json"
log "playwright-core $(node -p 'require(process.argv[1]).version' "$node_dir/node_modules/playwright-core/package.json") ready in $node_dir"
