#!/usr/bin/env bash
# Provisions the Python runtimes Sidewinder embeds. Idempotent: every step checks first.
#
#   scripts/provision-python.sh gil        Debian's shared libpython3.11 (+ python3-numpy)
#   scripts/provision-python.sh 3.13t      free-threaded CPython 3.13 built from Debian's source package
#   scripts/provision-python.sh all        both
#
# The free-threaded build is installed into $SIDEWINDER_CACHE/python/3.13t
# (default ~/.cache/sidewinder), outside the repository, and reused on later runs.
# A build that was interrupted leaves no "complete" marker and is redone from scratch.
set -euo pipefail

cache="${SIDEWINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidewinder}"
log() { printf '[provision] %s\n' "$*" >&2; }

sudo_cmd() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ $apt_updated -eq 0 ]; then sudo_cmd apt-get update -qq; apt_updated=1; fi
  log "installing ${missing[*]}"
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Records where a runtime lives so the code finds it without hand-set paths
# (PythonLocator reads $cache/runtimes/<name>.env first).
write_manifest() {
  local key=$1 name=$2 library=$3 home=$4 executable=$5
  mkdir -p "$cache/runtimes"
  printf 'name=%s\nlibrary=%s\nhome=%s\nexecutable=%s\n' "$name" "$library" "$home" "$executable" \
    >"$cache/runtimes/$key.env.tmp"
  mv "$cache/runtimes/$key.env.tmp" "$cache/runtimes/$key.env"
}

provision_gil() {
  apt_install libpython3.11 python3.11 python3-numpy
  local arch; arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
  local library="/usr/lib/$arch/libpython3.11.so.1.0"
  [ -f "$library" ] || { log "expected $library after installing libpython3.11"; exit 1; }
  write_manifest default 3.11 "$library" /usr /usr/bin/python3.11
  write_manifest 3.11 3.11 "$library" /usr /usr/bin/python3.11
  log "GIL runtime: $library"
}

provision_ft() {
  local version=3.13 name=3.13t
  local prefix="$cache/python/$name"
  if [ -f "$prefix/.complete" ] && [ -x "$prefix/bin/python${name}" ]; then
    write_manifest "$name" "$name" "$prefix/lib/libpython${name}.so.1.0" "$prefix" "$prefix/bin/python${name}"
    log "free-threaded runtime cached at $prefix"
    return 0
  fi
  apt_install build-essential dpkg-dev pkg-config xz-utils zlib1g-dev libssl-dev libffi-dev \
    libbz2-dev liblzma-dev libsqlite3-dev uuid-dev libexpat1-dev

  # Debian's trixie suite carries python3.13; only its source package is needed.
  local srclist=/etc/apt/sources.list.d/sidewinder-trixie-src.sources
  if [ ! -f "$srclist" ]; then
    log "adding deb-src for trixie ($srclist)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      | sudo_cmd tee "$srclist" >/dev/null
    sudo_cmd apt-get update -qq
    apt_updated=1
  fi

  local src="$cache/src/python$version"
  mkdir -p "$src"
  local tarball
  tarball=$(ls "$src"/python"$version"_*.orig.tar.xz 2>/dev/null | head -n1 || true)
  if [ -z "$tarball" ]; then
    log "downloading Debian source package python$version"
    (cd "$src" && apt-get source --download-only -qq "python$version" >/dev/null)
    tarball=$(ls "$src"/python"$version"_*.orig.tar.xz | head -n1)
  fi

  # Build in a scratch directory that is always started fresh, stage with DESTDIR and
  # move into place at the end, so an interrupted run never leaves a half-installed prefix.
  local build="$cache/build/$name"
  rm -rf "$build" "$prefix"
  mkdir -p "$build"
  tar -C "$build" --strip-components=1 -xJf "$tarball"
  log "building CPython $version free-threaded into $prefix (several minutes)"
  (
    cd "$build"
    ./configure --disable-gil --enable-shared --prefix="$prefix" --without-ensurepip \
      LDFLAGS="-Wl,-rpath,$prefix/lib" >"$build/configure.log" 2>&1
    make -j"$(nproc)" >"$build/make.log" 2>&1
    make install DESTDIR="$build/stage" >"$build/install.log" 2>&1
  ) || { log "build failed; logs in $build"; exit 1; }
  mkdir -p "$(dirname "$prefix")"
  mv "$build/stage$prefix" "$prefix"
  "$prefix/bin/python$version" -c 'import sys; assert not sys._is_gil_enabled(), "GIL is enabled"'
  touch "$prefix/.complete"
  write_manifest "$name" "$name" "$prefix/lib/libpython${name}.so.1.0" "$prefix" "$prefix/bin/python${name}"
  rm -rf "$build"
  log "free-threaded runtime ready at $prefix"
}

case "${1:-all}" in
  gil) provision_gil ;;
  3.13t|ft) provision_ft ;;
  all) provision_gil; provision_ft ;;
  *) echo "usage: $0 [gil|3.13t|all]" >&2; exit 2 ;;
esac
