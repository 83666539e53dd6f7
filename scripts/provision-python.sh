#!/usr/bin/env bash
# Provisions the Python runtimes Sidewinder embeds. Idempotent: every step checks first.
#
#   scripts/provision-python.sh gil      Debian's shared libpython3.11 (+ python3-numpy, -matplotlib, -pandas); the `default` runtime
#   scripts/provision-python.sh 3.13     CPython 3.13 (GIL), built from Debian trixie's python3.13 source package
#   scripts/provision-python.sh 3.13t    the same source, free-threaded (--disable-gil)
#   scripts/provision-python.sh 3.14     CPython 3.14 (GIL), built from Debian sid's python3.14 source package
#   scripts/provision-python.sh 3.14t    the same source, free-threaded (PEP 779: supported)
#   scripts/provision-python.sh all      all five
#   scripts/provision-python.sh 3.14 3.14t   several
#
# Source builds go into $SIDEWINDER_CACHE/python/<name> (default ~/.cache/sidewinder), outside the
# repository, and are reused while the suite still offers the same upstream version: when the source
# package moves on (e.g. sid's 3.14.10 becomes 3.14.11) the next run rebuilds instead of reusing the old
# build. A build that was interrupted leaves no "complete" marker and is redone from scratch; two runs
# for the same runtime at once wait for each other (flock). Each build takes ~5-7 min on 2 idle cores.
#
# Why 3.13 and 3.13t both come from trixie: one source tarball for both, so the two 3.13 runtimes
# differ only in --disable-gil, and trixie is a stable release whose python3.13 stays on the mirror
# (sid drops an old python3.X once Debian has moved to the next; it already carries two 3.13 sources).
# SIDEWINDER_SUITE_3_13=sid (or SIDEWINDER_SUITE_3_14=...) picks another suite.
# No reachable suite has a 3.12 source package, so there is no 3.12 runtime here.
#
# Fallback when Debian lists a source package but does not serve it (sid's python3.14 since 2026-12-01: the
# .dsc, the orig tarball and the Debian tarball all answer 404): the same upstream source from Ubuntu's archive
# (resolute's python3.14 3.14.4), downloaded from a fixed address and checked against a SHA-256 written here,
# because this machine has no Ubuntu archive key to verify Ubuntu's index with. The orig tarball is CPython's
# release tarball; only the version differs from Debian's. The cached build is reused while Debian still
# does not serve its newer version; once it does, the next run rebuilds from Debian.
set -euo pipefail

cache="${SIDEWINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidewinder}"
log() { printf '[provision] %s\n' "$*" >&2; }

sudo_cmd() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_update() { sudo_cmd apt-get update -qq; apt_updated=1; }
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ $apt_updated -eq 1 ] || apt_update
  log "installing ${missing[*]}"
  sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Records where a runtime lives so the code finds it without hand-set paths
# (PythonLocator reads $cache/runtimes/<name>.env first; keys it does not know are ignored).
# The last argument is more key=value lines: source= (where the build came from), build_seconds=.
write_manifest() {
  local key=$1 name=$2 library=$3 home=$4 executable=$5 extra=$6
  mkdir -p "$cache/runtimes"
  { printf 'name=%s\nlibrary=%s\nhome=%s\nexecutable=%s\n' "$name" "$library" "$home" "$executable"; printf '%s\n' "$extra"; } \
    >"$cache/runtimes/$key.env.tmp"
  mv "$cache/runtimes/$key.env.tmp" "$cache/runtimes/$key.env"
}

provision_gil() {
  # matplotlib (Agg) and pandas: rich outputs (figures, DataFrame HTML) of the default runtime, docs/api.md
  apt_install libpython3.11 python3.11 python3-numpy python3-matplotlib python3-pandas
  local arch; arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
  local library="/usr/lib/$arch/libpython3.11.so.1.0"
  [ -f "$library" ] || { log "expected $library after installing libpython3.11"; exit 1; }
  local source; source="source=Debian $(dpkg-query -W -f='${Package} ${Version}' libpython3.11)"
  write_manifest default 3.11 "$library" /usr /usr/bin/python3.11 "$source"
  write_manifest 3.11 3.11 "$library" /usr /usr/bin/python3.11 "$source"
  log "GIL runtime: $library"
}

# The Debian suite whose source package a minor version is built from.
suite_for() {
  case "$1" in
    3.13) echo "${SIDEWINDER_SUITE_3_13:-trixie}" ;;
    3.14) echo "${SIDEWINDER_SUITE_3_14:-sid}" ;;
    *) log "no source suite known for Python $1"; exit 2 ;;
  esac
}

ensure_deb_src() {
  local suite=$1
  local srclist="/etc/apt/sources.list.d/sidewinder-$suite-src.sources"
  if [ ! -f "$srclist" ]; then
    log "adding deb-src for $suite ($srclist)"
    printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$suite" \
      | sudo_cmd tee "$srclist" >/dev/null
    apt_update
  fi
}

# The orig tarball the suite offers now, from apt's package lists (no download): python3.14_3.14.10.orig.tar.xz
orig_tarball_name() {
  local package=$1 suite=$2
  (cd /tmp && apt-get source --print-uris -qq "$package/$suite" 2>/dev/null) \
    | grep -o "${package}_[^' ]*\.orig\.tar\.xz'" | tr -d "'" | head -n1 || true
}

# Whether the mirror serves the files of a source package it lists (a HEAD request for each; no download).
suite_serves() {
  local package=$1 suite=$2 uri
  for uri in $( (cd /tmp && apt-get source --print-uris -qq "$package/$suite" 2>/dev/null) | awk '{print $1}' | tr -d "'"); do
    curl -sfI -m 20 -o /dev/null "$uri" || return 1
  done
  return 0
}

# "version url sha256 origin" of the fallback source for a minor version, or nothing (see the header).
fallback_for() {
  case "$1" in
    3.14) echo "3.14.4 http://archive.ubuntu.com/ubuntu/pool/main/p/python3.14/python3.14_3.14.4.orig.tar.xz d923c51303e38e249136fc1bdf3568d56ecb03214efdef48516176d3d7faaef8 Ubuntu-resolute-python3.14" ;;
  esac
}

# Downloads a fallback tarball into $2, checked against its SHA-256; exit 3 when it is not served either.
download_fallback() {
  local url=$1 tarball=$2 sha=$3 part="$2.part"
  rm -f "$part"
  curl -sf -m 600 -o "$part" "$url" || { rm -f "$part"; log "the fallback source $url is not served either"; exit 3; }
  echo "$sha  $part" | sha256sum -c --quiet - >/dev/null 2>&1 \
    || { rm -f "$part"; log "$url does not have the SHA-256 written in this script; refusing it"; exit 1; }
  mv "$part" "$tarball"
}

# "3.14.10 0" = version and Py_GIL_DISABLED of a built interpreter; empty if it does not run.
built_version() {
  "$1" -I -c 'import platform, sysconfig; print(platform.python_version(), sysconfig.get_config_var("Py_GIL_DISABLED") or 0)' 2>/dev/null || true
}

provision_source() {
  local name=$1
  local version=${name%t} freethreaded=0
  [ "$name" != "$version" ] && freethreaded=1
  local package="python$version" suite; suite=$(suite_for "$version")
  local prefix="$cache/python/$name" exe="$cache/python/$name/bin/python$name"
  local library="$prefix/lib/libpython$name.so.1.0"

  mkdir -p "$cache/locks"
  exec {lock}>"$cache/locks/$name.lock"
  if ! flock -n "$lock"; then
    log "another provisioning run is building $name; waiting for it"
    flock "$lock"
  fi

  ensure_deb_src "$suite"
  local tarball_name; tarball_name=$(orig_tarball_name "$package" "$suite")
  if [ -z "$tarball_name" ] && [ $apt_updated -eq 0 ]; then
    apt_update
    tarball_name=$(orig_tarball_name "$package" "$suite")
  fi
  local wanted=""
  if [ -n "$tarball_name" ]; then
    wanted=${tarball_name#"${package}_"}; wanted=${wanted%.orig.tar.xz}; wanted=${wanted//\~/}
  fi

  # Debian lists the package but does not serve it: build the fallback source instead (see the header).
  command -v curl >/dev/null || apt_install curl ca-certificates
  local fallback="" origin="Debian $suite $package" note=""
  if [ -n "$wanted" ] && [ -n "$(fallback_for "$version")" ] && ! suite_serves "$package" "$suite"; then
    fallback=$(fallback_for "$version")
    log "Debian $suite lists $package $wanted but does not serve it; using ${fallback##* } ${fallback%% *}"
    note=" (Debian $suite lists $wanted but does not serve it)"
    wanted=${fallback%% *}
    tarball_name="${package}_${wanted}.orig.tar.xz"
    origin=$(echo "${fallback##* }" | tr '-' ' ')
  fi

  local have=""
  [ -f "$prefix/.complete" ] && have=$(built_version "$exe")
  local record="source=$origin ${have% *}$note"
  [ -s "$prefix/.complete" ] && record=$(cat "$prefix/.complete")
  if [ -n "$have" ]; then
    if [ "${have#* }" != "$freethreaded" ]; then
      log "$prefix holds a build with Py_GIL_DISABLED=${have#* }; rebuilding"
    elif [ -z "$wanted" ]; then
      log "Debian $suite offers no $package source right now (offline?); reusing the cached ${have% *} build"
      write_manifest "$name" "$name" "$library" "$prefix" "$exe" "$record"
      exec {lock}>&-
      return 0
    elif [ "${have% *}" = "$wanted" ]; then
      write_manifest "$name" "$name" "$library" "$prefix" "$exe" "$record"
      log "$name runtime (CPython $wanted) cached at $prefix"
      exec {lock}>&-
      return 0
    else
      log "$origin now has $wanted; the cached $name build is ${have% *}: rebuilding"
    fi
  fi
  [ -n "$wanted" ] || { log "no source package $package in Debian $suite (apt-get source --print-uris $package/$suite)"; exit 3; }

  apt_install build-essential dpkg-dev pkg-config xz-utils zlib1g-dev libssl-dev libffi-dev \
    libbz2-dev liblzma-dev libsqlite3-dev uuid-dev libexpat1-dev

  # Download into a scratch directory and move the tarball into place, so an interrupted download
  # never leaves a truncated tarball behind (apt checks the files against the .dsc before that).
  local src="$cache/src/$package"
  local tarball="$src/$tarball_name"
  mkdir -p "$src"
  if [ ! -f "$tarball" ] && [ -n "$fallback" ]; then
    local fields; read -r -a fields <<<"$fallback"
    log "downloading ${fields[1]}"
    download_fallback "${fields[1]}" "$tarball" "${fields[2]}"
  elif [ ! -f "$tarball" ]; then
    log "downloading Debian $suite source package $package ($wanted)"
    rm -rf "$src/.download"
    mkdir -p "$src/.download"
    # Exit 3 (not 1) when the mirror lists the package but does not serve its files: test.sh reports that runtime
    # as unavailable instead of failing (seen 2026-12-01 for sid's python3.14: every file answered 404).
    (cd "$src/.download" && apt-get source --download-only -qq "$package/$suite" >/dev/null) \
      || { log "Debian's mirror does not serve the $suite source package $package ($wanted) right now"; rm -rf "$src/.download"; exit 3; }
    mv "$src/.download/$tarball_name" "$tarball"
    rm -rf "$src/.download"
  fi

  # Build in a scratch directory that is always started fresh, stage with DESTDIR and
  # move into place at the end, so an interrupted run never leaves a half-installed prefix.
  # Test modules stay: 3.13t needs _testinternalcapi (docs/workers.md "Free-threaded 3.13").
  local build="$cache/build/$name" flags=()
  [ $freethreaded -eq 1 ] && flags=(--disable-gil)
  rm -rf "$build" "$prefix"
  mkdir -p "$build"
  tar -C "$build" --strip-components=1 -xJf "$tarball"
  log "building CPython $wanted${flags:+ free-threaded} into $prefix (5-7 min on 2 idle cores)"
  local started; started=$(date +%s)
  (
    cd "$build"
    ./configure "${flags[@]}" --enable-shared --prefix="$prefix" --without-ensurepip \
      LDFLAGS="-Wl,-rpath,$prefix/lib" >"$build/configure.log" 2>&1
    make -j"$(nproc)" >"$build/make.log" 2>&1
    make install DESTDIR="$build/stage" >"$build/install.log" 2>&1
  ) || { log "build failed; logs in $build"; exit 1; }
  mkdir -p "$(dirname "$prefix")"
  mv "$build/stage$prefix" "$prefix"
  have=$(built_version "$exe")
  [ "$have" = "$wanted $freethreaded" ] || { log "the new build reports '$have', expected '$wanted $freethreaded'"; exit 1; }
  if [ $freethreaded -eq 1 ]; then
    "$exe" -c 'import sys; assert not sys._is_gil_enabled(), "GIL is enabled"'
  fi
  local seconds=$(( $(date +%s) - started ))
  printf 'source=%s %s%s\nbuild_seconds=%s\n' "$origin" "$wanted" "$note" "$seconds" >"$prefix/.complete"
  write_manifest "$name" "$name" "$library" "$prefix" "$exe" "$(cat "$prefix/.complete")"
  rm -rf "$build"
  log "$name runtime (CPython $wanted) ready at $prefix, built in ${seconds}s"
  exec {lock}>&-
}

usage() { echo "usage: $0 [gil|default|3.11|3.13|3.13t|3.14|3.14t|all]..." >&2; exit 2; }
[ $# -gt 0 ] || set -- all
for runtime in "$@"; do
  case "$runtime" in
    gil|default|3.11) provision_gil ;;
    ft) provision_source 3.13t ;;
    3.13|3.13t|3.14|3.14t) provision_source "$runtime" ;;
    all) provision_gil; for r in 3.13t 3.14t 3.13 3.14; do provision_source "$r"; done ;;
    *) usage ;;
  esac
done
