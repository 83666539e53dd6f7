#!/usr/bin/env bash
# Builds the real Dockerfile and checks the service from inside the image, on both Python runtimes.
# For machines without a Docker engine or registry access: it builds local stand-ins for the base
# images (scripts/container-standins.sh), builds with buildah, and runs the image's entrypoint itself,
# the way a hardened container runtime would: its own mount namespace, a read-only root filesystem,
# the image's user (UID 1654), the image's environment, a tmpfs /tmp only, a minimal /dev.
#
#   scripts/container-test.sh            build (layer cache reused) and test; containers are removed
#   scripts/container-test.sh --clean    delete the cached images and storage, then exit
#
# It checks, per runtime (default = GIL 3.11, then 3.13t, then 3.14t): /health/live, /health/ready, /info (401
# without the key, then the build, version and GIL state), POST /eval, /run and /call, numpy (GIL),
# threads in one job (3.13t, 3.14t), the read-only root and writable /tmp, the non-root user, the image's
# HEALTHCHECK command, a mounted scripts directory, SIGTERM with a request in flight (graceful drain),
# the docker-compose.yml setup (loopback, no key) with the example app, and the refusal to start on
# 0.0.0.0 without an API key. Traffic goes to 127.0.0.1 only.
#
# Needs root, Debian packages only (buildah, podman, debootstrap, curl, jq; installed when missing)
# and the .NET SDK the project already uses. Cold run (measured before the 3.14t stage was added, which adds one
# more CPython build, not measured): ~17 min on 2 cores (stand-ins ~2.5 min, the
# 3.13t build most of the rest); warm run: ~4 min. Cache: $SIDEWINDER_CACHE/containers (default
# ~/.cache/sidewinder/containers, ~11 GB: vfs keeps every layer in full).
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SIDEWINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidewinder}/containers"
IMAGE=localhost/sidewinder:test
KEY="container-test-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
started=$(date +%s)
log() { printf '[container-test %3ss] %s\n' "$(($(date +%s) - started))" "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
[ "$(id -u)" -eq 0 ] || { log "needs root (buildah with chroot isolation, mount namespaces)"; exit 1; }

mkdir -p "$cache/storage"
printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$cache/storage" /run/sidewinder-containers >"$cache/storage.conf"
export CONTAINERS_STORAGE_CONF="$cache/storage.conf"

if [ "${1:-}" = --clean ]; then
  buildah rm --all >/dev/null 2>&1 || true
  rm -rf "$cache"
  log "removed $cache"
  exit 0
fi

# --- tools and base images --------------------------------------------------------------------------
for p in curl jq util-linux iproute2; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl jq util-linux iproute2 >/dev/null; break; }
done
eval "$(scripts/container-standins.sh)"   # sets DEBIAN_IMAGE, SDK_IMAGE, ASPNET_IMAGE

# --- build --------------------------------------------------------------------------------------------
work=$(mktemp -d /tmp/sidewinder-container-test.XXXXXX)
ctr=""
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null && { wait "$pid"; } 2>/dev/null || true; done
  if [ -n "$ctr" ]; then buildah umount "$ctr" >/dev/null 2>&1 || true; buildah rm "$ctr" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

build_args=(--build-arg "SDK_IMAGE=$SDK_IMAGE" --build-arg "ASPNET_IMAGE=$ASPNET_IMAGE" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE")
bud() { buildah bud --isolation chroot --layers --force-rm --pull=never --format docker "${build_args[@]}" -f Dockerfile "$@" . >>"$work/build.log" 2>&1 \
  || { tail -n 60 "$work/build.log" >&2; fail "image build failed (log above)"; }; }
log "building the Dockerfile (stages cached as layers; the first 3.13t build takes 8-15 min)"
bud -t "$IMAGE"
log "built $IMAGE ($(buildah images --format '{{.Size}}' "$IMAGE" | head -n1))"

# Drop what earlier builds left: working containers (buildah keeps one for a stage that is only copied
# from) and every untagged image this build did not use (newest first, so children go before parents;
# images still in use are refused harmlessly). The images this build used, including the last layer of
# each stage, stay as the next build's cache. vfs stores every layer in full, so this keeps the cache at
# about 11 GB instead of growing with each change.
buildah rm --all >/dev/null 2>&1 || true
used=$(grep -oE '^--> (Using cache )?[0-9a-f]{11,64}$' "$work/build.log" | grep -oE '[0-9a-f]{11,64}$' | cut -c1-11 | sort -u)
for _ in 1 2 3; do
  removed=0
  while read -r id name; do
    [ "$name" = "<none>" ] || continue
    grep -qx "${id:0:11}" <<<"$used" && continue
    buildah rmi "$id" >/dev/null 2>&1 && removed=1
  done < <(buildah images -a --format '{{.ID}} {{.Name}}')
  [ $removed = 1 ] || break
done

# --- the image's configuration ------------------------------------------------------------------------
cfg() { buildah inspect --type image --format "$1" "$IMAGE"; }
[ "$(cfg '{{.OCIv1.Config.User}}')" = "1654:1654" ] || fail "image user is '$(cfg '{{.OCIv1.Config.User}}')', expected 1654:1654"
cfg '{{range $p, $_ := .OCIv1.Config.ExposedPorts}}{{$p}} {{end}}' | grep -qx '8080/tcp ' || fail "image does not expose exactly 8080/tcp"
health_cmd=$(cfg '{{range .Docker.Config.Healthcheck.Test}}{{.}}{{"\n"}}{{end}}')
[ "$(head -n1 <<<"$health_cmd")" = CMD ] || fail "image has no HEALTHCHECK"
mapfile -t health_argv < <(tail -n +2 <<<"$health_cmd")
mapfile -t image_env < <(cfg '{{range .OCIv1.Config.Env}}{{.}}{{"\n"}}{{end}}' | sed '/^$/d')
mapfile -t entrypoint < <(cfg '{{range .OCIv1.Config.Entrypoint}}{{.}}{{"\n"}}{{end}}' | sed '/^$/d')
workdir=$(cfg '{{.OCIv1.Config.WorkingDir}}')
log "image config: user 1654:1654, port 8080/tcp, HEALTHCHECK ${health_argv[*]}, entrypoint ${entrypoint[*]}"

ctr=$(buildah from --pull=never --name "sidewinder-test-$$" "$IMAGE")
root=$(buildah mount "$ctr")
# Small: no SDK, compiler or apt lists in the final stage.
[ ! -e "$root/usr/share/dotnet/sdk" ] || fail "the .NET SDK is in the final image"
for tool in gcc cc make apt-get.real; do [ ! -e "$root/usr/bin/$tool" ] || fail "$tool is in the final image"; done
[ -z "$(ls -A "$root/var/lib/apt/lists" 2>/dev/null | grep -v '^lock$\|^partial$' || true)" ] || fail "apt lists are in the final image"
[ -f "$root/scripts/example.py" ] || fail "/scripts/example.py is missing"

# --- running the image ----------------------------------------------------------------------------------
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    ss -ltnH "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

# start NAME TMP(yes|no) SCRIPTS_DIR(or "") ENV...: runs the entrypoint like a container runtime would;
# sets $pid and $port. The environment is the image's, then the arguments (later wins).
start() {
  local name=$1 tmp=$2 scripts=$3; shift 3
  port=$(free_port)
  unshare --mount --propagation private -- /bin/bash -ec '
    r=$1 tmp=$2 scripts=$3 workdir=$4; shift 4
    mount --bind "$r" "$r"
    mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
    mount --rbind /sys "$r/sys"; mount -o remount,bind,ro "$r/sys" 2>/dev/null || true
    mount -t tmpfs -o nosuid,mode=755,size=1m tmpfs "$r/dev"
    for d in null zero full random urandom; do touch "$r/dev/$d"; mount --bind "/dev/$d" "$r/dev/$d"; done
    ln -s /proc/self/fd "$r/dev/fd"
    mkdir "$r/dev/shm"; mount -t tmpfs -o nosuid,nodev,mode=1777,size=16m tmpfs "$r/dev/shm"
    if [ "$tmp" = yes ]; then mount -t tmpfs -o nosuid,nodev,mode=1777,size=64m tmpfs "$r/tmp"; fi
    if [ -n "$scripts" ]; then mount --bind "$scripts" "$r/scripts"; mount -o remount,bind,ro "$r/scripts"; fi
    mount -o remount,bind,ro "$r"
    exec chroot --userspec=1654:1654 --groups=1654 "$r" /usr/bin/env -i -C "$workdir" "$@"
  ' start "$root" "$tmp" "$scripts" "${workdir:-/}" "${image_env[@]}" "ASPNETCORE_HTTP_PORTS=$port" "${@//@PORT@/$port}" "${entrypoint[@]}" \
    >"$work/$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
}

wait_ready() {
  local name=$1
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; fail "$name: the service exited during start-up"; }
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready")" = 200 ] && return 0
    sleep 0.5
  done
  cat "$work/$name.log" >&2
  fail "$name: not ready after 60 s"
}

# api METHOD PATH [BODY]: prints "STATUS BODY"; with the API key.
api() {
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$1" -H "Authorization: Bearer $KEY")
  [ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data "$3")
  local status; status=$(curl "${args[@]}" "http://127.0.0.1:$port$2")
  printf '%s %s' "$status" "$(cat "$work/body")"
}
# expect NAME DESCRIPTION ACTUAL JQ_FILTER: the body after the status must satisfy the filter.
expect() {
  local name=$1 what=$2 actual=$3 filter=$4
  local status=${actual%% *} body=${actual#* }
  if ! jq -e "$filter" <<<"$body" >/dev/null 2>&1; then
    cat "$work/$name.log" >&2
    fail "$name: $what: expected $filter, got HTTP $status $body"
  fi
  log "$name: $what ok"
}
# stop_without_warnings NAME: SIGTERM must exit 0, and the log must hold no warning or error (failed logins aside).
stop_without_warnings() {
  local name=$1 code=0
  kill -TERM "$pid"
  { wait "$pid"; } 2>/dev/null || code=$?
  [ "$code" = 0 ] || { cat "$work/$name.log" >&2; fail "$name: exit code $code after SIGTERM, expected 0"; }
  log "$name: SIGTERM exited 0"
  if grep -E '"Level":"(Warning|Error|Fatal)"' "$work/$name.log" | grep -v 'FailedAuthentication\|Unauthorized' >"$work/warnings"; [ -s "$work/warnings" ]; then
    cat "$work/warnings" >&2; fail "$name: warnings or errors in the log (above)"
  fi
}
code_body() { jq -cn --arg code "$1" '{code: $code}'; }

check_runtime() {
  local name=$1 build=$2 version=$3
  expect "$name" "GET /health/live" "$(api GET /health/live)" '.status == "alive"'
  expect "$name" "GET /health/ready" "$(api GET /health/ready)" '.status == "ready"'
  local status; status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/info")
  [ "$status" = 401 ] || fail "$name: GET /info without the key answered $status, expected 401"
  log "$name: GET /info without the key is 401 ok"
  expect "$name" "GET /info" "$(api GET /info)" \
    ".python.build == \"$build\" and (.python.version | startswith(\"$version\")) and .auth.apiKeysRequired == true and .workers.count >= 1"
  expect "$name" "POST /eval 1+1" "$(api POST /eval '{"code":"1+1"}')" '.outcome == "ok" and .value == 2 and .valueType == "int"'
  expect "$name" "POST /run with output" "$(api POST /run "$(jq -cn '{code: "import sys\nprint(sys.version_info[:2])"}')")" \
    '.outcome == "ok" and (.stdout | test("\\(3, 1[134]\\)"))'
  expect "$name" "runs as UID 1654" "$(api POST /eval "$(code_body '__import__("os").getuid()')")" '.value == 1654'
  expect "$name" "root filesystem is read-only" \
    "$(api POST /run "$(code_body $'import errno\ntry:\n    open("/app/probe", "w")\n    r = "writable"\nexcept OSError as e:\n    r = errno.errorcode[e.errno]\nr')")" \
    '.value == "EROFS"'
}

# --- 1. the default (GIL) runtime, bundled scripts, tmpfs /tmp -----------------------------------
log "starting the image on the default runtime (read-only root, tmpfs /tmp)"
start gil yes "" "Auth__ApiKeys__0__Key=$KEY"
wait_ready gil
check_runtime gil gil 3.11
expect gil "POST /call example.greet (bundled script)" "$(api POST /call '{"module":"example","function":"greet","args":["Ada"]}')" \
  '.outcome == "ok" and .value == "Hello, Ada!"'
expect gil "numpy" "$(api POST /eval "$(code_body 'int(__import__("numpy").arange(10).sum())')")" '.value == 45'
expect gil "/tmp is writable" \
  "$(api POST /run "$(code_body $'import tempfile\nwith tempfile.TemporaryFile() as f:\n    f.write(b"x")\ntempfile.gettempdir()')")" \
  '.outcome == "ok" and .value == "/tmp"'
health_env=("${image_env[@]}" "ASPNETCORE_HTTP_PORTS=$port")
nsenter --target "$pid" --mount --root --wd --setuid 1654 --setgid 1654 -- /usr/bin/env -i "${health_env[@]}" "${health_argv[@]}" \
  || fail "gil: the image's HEALTHCHECK command failed"
log "gil: HEALTHCHECK command (inside the container) ok"

# Graceful drain: SIGTERM with a request in flight; the request completes, readiness turns 503, exit 0.
api POST /run "$(code_body $'import time\ntime.sleep(2)\n"drained"')" >"$work/inflight" &
inflight=$!
sleep 0.7
kill -TERM "$pid"
sleep 0.3
drain_ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health/ready" || true)
wait "$inflight" || true
expect gil "request in flight during SIGTERM completes" "$(cat "$work/inflight")" '.outcome == "ok" and .value == "drained"'
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && fail "gil: still running 30 s after SIGTERM"
code=0; { wait "$pid"; } 2>/dev/null || code=$?
[ "$code" = 0 ] || { cat "$work/gil.log" >&2; fail "gil: exit code $code after SIGTERM, expected 0"; }
log "gil: SIGTERM drained and exited 0 (readiness during drain: ${drain_ready:-no answer})"
grep -q 'Worker pool shutting down' "$work/gil.log" || fail "gil: no drain message in the log"
if grep -E '"Level":"(Warning|Error|Fatal)"' "$work/gil.log" | grep -v 'FailedAuthentication\|Unauthorized' >"$work/warnings"; [ -s "$work/warnings" ]; then
  cat "$work/warnings" >&2; fail "gil: warnings or errors in the log (above)"
fi

# --- 2. the free-threaded runtime, a mounted scripts directory, no writable path at all ---------------
mkdir -p "$work/scripts"
cat >"$work/scripts/mounted.py" <<'EOF'
import sys
import threading


def where():
    return {"gil": sys._is_gil_enabled(), "file": __file__}


def parallel_sum(n, threads=2):
    results = [0] * threads

    def work(i):
        results[i] = sum(range(n))

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    return sum(results)
EOF
chmod -R a+rX "$work/scripts"
log "starting the image on SIDEWINDER_PYTHON=3.13t (read-only root, no tmpfs, scripts mounted at /scripts)"
start ft no "$work/scripts" "Auth__ApiKeys__0__Key=$KEY" SIDEWINDER_PYTHON=3.13t
wait_ready ft
check_runtime ft free-threaded 3.13
expect ft "GIL disabled" "$(api GET /info)" '.python.gilEnabled == false and .workers.parallel == true'
expect ft "POST /call on the mounted scripts directory" "$(api POST /call '{"module":"mounted","function":"where"}')" \
  '.value.gil == false and .value.file == "/scripts/mounted.py"'
expect ft "threads in one job" "$(api POST /call '{"module":"mounted","function":"parallel_sum","args":[100000, 2]}')" \
  '.value == 9999900000'
stop_without_warnings ft

# --- 2b. the free-threaded 3.14t runtime (the one ./run.sh --free-threaded picks) ----------------------------
log "starting the image on SIDEWINDER_PYTHON=3.14t (read-only root, no tmpfs, scripts mounted at /scripts)"
start ft314 no "$work/scripts" "Auth__ApiKeys__0__Key=$KEY" SIDEWINDER_PYTHON=3.14t
wait_ready ft314
check_runtime ft314 free-threaded 3.14
expect ft314 "GIL disabled" "$(api GET /info)" '.python.gilEnabled == false and .workers.parallel == true and .python.manifest == "3.14t"'
expect ft314 "threads in one job" "$(api POST /call '{"module":"mounted","function":"parallel_sum","args":[100000, 2]}')" \
  '.value == 9999900000'
# No warning either: on 3.14t the pool needs no _testinternalcapi (the image has none) and says nothing about it.
stop_without_warnings ft314

# --- 3. the docker-compose.yml sidecar setup: loopback only, no key, the example app ---------------------
log "starting the image as in docker-compose.yml (127.0.0.1 only, no key, deploy/compose/scripts at /scripts)"
start sidecar yes "$PWD/deploy/compose/scripts" "ASPNETCORE_URLS=http://127.0.0.1:@PORT@" "ASPNETCORE_HTTP_PORTS=" Logging__Format=json
wait_ready sidecar
expect sidecar "GET /info without a key on loopback" "$(curl -s "http://127.0.0.1:$port/info" | sed 's/^/200 /')" \
  '.auth.mode == "anonymous-loopback-only"'
nsenter --target "$pid" --mount --root --wd --setuid 1654 --setgid 1654 -- \
  /usr/bin/env -i "${image_env[@]}" "ASPNETCORE_URLS=http://127.0.0.1:$port" "ASPNETCORE_HTTP_PORTS=" "${health_argv[@]}" \
  || fail "sidecar: the HEALTHCHECK command failed with ASPNETCORE_URLS"
log "sidecar: HEALTHCHECK command follows ASPNETCORE_URLS ok"
if command -v python3 >/dev/null; then
  app_port=$(free_port)
  SIDEWINDER_URL="http://127.0.0.1:$port" PORT="$app_port" python3 deploy/compose/app/app.py >"$work/app.log" 2>&1 &
  app_pid=$!
  pids+=("$app_pid")
  for _ in $(seq 1 40); do curl -s -o /dev/null "http://127.0.0.1:$app_port/" && break; sleep 0.25; done
  expect sidecar "example app GET /hello" "200 $(curl -s "http://127.0.0.1:$app_port/hello?name=Ada")" '.result == "Hello, Ada!"'
  expect sidecar "example app POST /stats" "200 $(curl -s -d '[1, 2, 3.5, 5.5]' "http://127.0.0.1:$app_port/stats")" \
    '.result.mean == 3 and .result.count == 4'
  kill "$app_pid"
fi
kill -TERM "$pid"
code=0; { wait "$pid"; } 2>/dev/null || code=$?
[ "$code" = 0 ] || { cat "$work/sidecar.log" >&2; fail "sidecar: exit code $code after SIGTERM, expected 0"; }
if grep -E '"Level":"(Warning|Error|Fatal)"' "$work/sidecar.log" >"$work/warnings"; [ -s "$work/warnings" ]; then
  cat "$work/warnings" >&2; fail "sidecar: warnings or errors in the log (above)"
fi

# --- 4. the safe default: no key on 0.0.0.0 refuses to start ----------------------------------------------
start nokey yes ""
code=0
for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
kill -0 "$pid" 2>/dev/null && fail "nokey: the service runs on 0.0.0.0 without an API key"
{ wait "$pid"; } 2>/dev/null || code=$?
[ "$code" != 0 ] && grep -q 'Refusing to serve' "$work/nokey.log" || { cat "$work/nokey.log" >&2; fail "nokey: expected a refusal"; }
log "nokey: refuses to start on 0.0.0.0 without an API key (exit $code) ok"

log "PASS: image $(buildah images --format '{{.Size}}' "$IMAGE" | head -n1), both runtimes answered from inside the container"
