#!/usr/bin/env bash
# Builds local stand-ins for the Dockerfile's base images where public images cannot be pulled
# (no Docker engine, no registry access). Idempotent and cached: a re-run with the same host .NET
# install and the same script reuses the images.
#
#   scripts/container-standins.sh          build what is missing; print the three image names
#
# Stand-in                                        for the Dockerfile argument   made of
#   localhost/sidewinder-standin/debian:bookworm-slim   DEBIAN_IMAGE   debootstrap --variant=minbase bookworm
#   localhost/sidewinder-standin/dotnet-sdk:10.0        SDK_IMAGE      the above + this machine's .NET SDK
#   localhost/sidewinder-standin/dotnet-aspnet:10.0     ASPNET_IMAGE   the above + only the .NET and ASP.NET Core runtimes
#
# Everything lives under $SIDEWINDER_CACHE/containers (default ~/.cache/sidewinder/containers):
# the container storage (vfs driver) and the debootstrap tarball. Needs root (debootstrap, apt-get).
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${SIDEWINDER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/sidewinder}/containers"
log() { printf '[container-standins] %s\n' "$*" >&2; }
[ "$(id -u)" -eq 0 ] || { log "needs root (debootstrap, apt-get, container storage)"; exit 1; }

# --- tools and storage ----------------------------------------------------------------------------
apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
apt_install buildah podman debootstrap ca-certificates

# One storage for buildah and podman, outside the repository, vfs (works without overlay support).
if [ -z "${CONTAINERS_STORAGE_CONF:-}" ]; then
  mkdir -p "$cache/storage"
  runroot=/run/sidewinder-containers
  printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n' "$cache/storage" "$runroot" >"$cache/storage.conf"
  export CONTAINERS_STORAGE_CONF="$cache/storage.conf"
fi

DEBIAN=localhost/sidewinder-standin/debian:bookworm-slim
SDK=localhost/sidewinder-standin/dotnet-sdk:10.0
ASPNET=localhost/sidewinder-standin/dotnet-aspnet:10.0

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
[ -x "$dotnet_root/dotnet" ] || { log "no .NET SDK found (dotnet is not on PATH)"; exit 1; }
runtime_version=$(ls "$dotnet_root/shared/Microsoft.AspNetCore.App" | sort -V | tail -n1)
sdk_version=$(ls "$dotnet_root/sdk" | grep -E '^[0-9]' | sort -V | tail -n1)

have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }
image_stamp() { buildah inspect --type image --format '{{index .OCIv1.Config.Labels "org.sidewinder.standin"}}' "$1" 2>/dev/null || true; }

# --- Debian bookworm (minbase), like debian:bookworm-slim ----------------------------------------
# Bump when the root filesystem recipe below changes: the tarball and the image are rebuilt.
debian_recipe=2
if ! have_image "$DEBIAN" || [ "$(image_stamp "$DEBIAN")" != "debian recipe=$debian_recipe" ]; then
  tarball="$cache/debian-bookworm-minbase-$debian_recipe.tar"
  rm -f "$cache"/debian-bookworm-minbase*.tar.tmp
  if [ ! -f "$tarball" ]; then
    rootfs="$cache/rootfs.tmp"
    rm -rf "$rootfs"
    log "debootstrap bookworm minbase (about a minute)"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      || { log "debootstrap failed; see $cache/debootstrap.log"; exit 1; }
    # The same apt sources and slimming as the official debian:bookworm-slim image.
    rm -f "$rootfs/etc/apt/sources.list"
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\nTypes: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      >"$rootfs/etc/apt/sources.list.d/debian.sources"
    printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\npath-exclude /usr/share/locale/*\npath-include /usr/share/locale/locale.alias\n' \
      >"$rootfs/etc/dpkg/dpkg.cfg.d/docker"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
      "$rootfs"/dev/* "$rootfs"/proc/* "$rootfs"/sys/* "$rootfs"/run/* "$rootfs"/tmp/* "$rootfs"/var/log/*.log \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/*
    find "$rootfs/usr/share/doc" -type f ! -name copyright -delete
    find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$rootfs"
  fi
  log "importing $DEBIAN"
  old_debian=$(buildah images -q "$DEBIAN" 2>/dev/null || true)
  podman import -q --change 'CMD ["bash"]' --change "LABEL org.sidewinder.standin=\"debian recipe=$debian_recipe\"" "$tarball" "$DEBIAN" >/dev/null
  if [ -n "$old_debian" ]; then buildah rmi "$old_debian" >/dev/null 2>&1 || true; fi
  find "$cache" -maxdepth 1 -name 'debian-bookworm-minbase*.tar' ! -name "${tarball##*/}" -delete
fi

# --- .NET stand-ins: the Debian stand-in plus this machine's .NET -----------------------------------
build_dotnet_standin() {
  local tag=$1 kind=$2
  local recipe="FROM $DEBIAN
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\
      ca-certificates libicu72 libssl3 libstdc++6 tzdata zlib1g \\
    && rm -rf /var/lib/apt/lists/* \\
    && groupadd --gid 1654 app && useradd --uid 1654 --gid app --no-create-home --shell /bin/false app
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_VERSION=$runtime_version ASPNET_VERSION=$runtime_version"
  local certs_hash=""
  if [ "$kind" = sdk ]; then
    recipe+="
ENV DOTNET_SDK_VERSION=$sdk_version DOTNET_NOLOGO=true DOTNET_CLI_TELEMETRY_OPTOUT=true NUGET_XMLDOC_MODE=skip"
    # The restore inside the build reaches NuGet the way this machine does: through the same extra CA
    # certificates (e.g. a TLS-inspecting proxy) and revocation mode. A site's own SDK base image would
    # carry the same; the Dockerfile itself stays stock.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
      certs_hash=$(cat /usr/local/share/ca-certificates/*.crt | sha256sum | cut -c1-16)
      recipe+="
COPY certs/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null"
    fi
    if [ -n "${NUGET_CERT_REVOCATION_MODE:-}" ]; then
      recipe+="
ENV NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE"
    fi
  fi
  # Rebuilt when the host's .NET or the recipe changes.
  local stamp
  stamp="$kind base=$(buildah images -q "$DEBIAN" | head -n1) sdk=$sdk_version runtime=$runtime_version recipe=$(printf '%s' "$recipe" | sha256sum | cut -c1-16)${certs_hash:+ certs=$certs_hash}"
  if have_image "$tag" && [ "$(image_stamp "$tag")" = "$stamp" ]; then return 0; fi
  local old; old=$(buildah images -q "$tag" 2>/dev/null || true)

  local context="$cache/context-$kind"
  rm -rf "$context"
  mkdir -p "$context/dotnet/shared"
  # Hard links when possible: no copy of the SDK's 600 MB.
  local cp_args=(-al); cp -al "$dotnet_root/LICENSE.txt" "$context/probe" 2>/dev/null || cp_args=(-a); rm -f "$context/probe"
  if [ "$kind" = sdk ]; then
    rm -rf "$context/dotnet"
    cp "${cp_args[@]}" "$dotnet_root" "$context/dotnet"
  else
    # What the aspnet image holds: the host (dotnet, hostfxr) and the two shared frameworks, no SDK.
    cp "${cp_args[@]}" "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/LICENSE.txt" "$dotnet_root/ThirdPartyNotices.txt" "$context/dotnet/"
    for fw in Microsoft.NETCore.App Microsoft.AspNetCore.App; do
      mkdir -p "$context/dotnet/shared/$fw"
      cp "${cp_args[@]}" "$dotnet_root/shared/$fw/$runtime_version" "$context/dotnet/shared/$fw/"
    done
  fi
  if [ -n "$certs_hash" ]; then mkdir -p "$context/certs"; cp /usr/local/share/ca-certificates/*.crt "$context/certs/"; fi
  printf '%s\nLABEL org.sidewinder.standin="%s"\n' "$recipe" "$stamp" >"$context/Containerfile"
  log "building $tag (.NET $([ "$kind" = sdk ] && echo "SDK $sdk_version" || echo "runtime $runtime_version"))"
  buildah bud --isolation chroot --pull=never --format docker -q -f "$context/Containerfile" -t "$tag" "$context" >/dev/null
  rm -rf "$context"
  if [ -n "$old" ] && [ "$old" != "$(buildah images -q "$tag")" ]; then buildah rmi "$old" >/dev/null 2>&1 || true; fi
}
build_dotnet_standin "$SDK" sdk
build_dotnet_standin "$ASPNET" aspnet

printf 'DEBIAN_IMAGE=%s\nSDK_IMAGE=%s\nASPNET_IMAGE=%s\n' "$DEBIAN" "$SDK" "$ASPNET"
