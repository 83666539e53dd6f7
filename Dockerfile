# Sidewinder: an HTTP service that runs Python (CPython embedded in .NET), as a hardened container.
#
#   docker build -t sidewinder .
#   docker run --rm -p 8080:8080 --read-only --tmpfs /tmp \
#     -e Auth__ApiKeys__0__Key="$(openssl rand -hex 32)" sidewinder              # GIL CPython 3.11 (default)
#   docker run ... -e SIDEWINDER_PYTHON=3.14t sidewinder                          # free-threaded CPython 3.14t
#   docker run ... -e SIDEWINDER_PYTHON=3.13t sidewinder                          # free-threaded CPython 3.13t
#
# Stages: `build` publishes the app with the .NET SDK image; `python-313t` and `python-314t` build the
# free-threaded CPython 3.13t and 3.14t from Debian's python3.13 (trixie) and python3.14 (sid) source
# packages (3.14: Ubuntu's copy of the same upstream tarball while sid does not serve it); the final stage is Debian 12 with Debian's CPython 3.11 (+ numpy), both free-threaded
# builds, and the ASP.NET Core runtime taken from the official aspnet image. No SDK, compiler or package lists in the final stage.
#
# Why the final stage is Debian and not the aspnet image itself: since .NET 10 the official images are
# Ubuntu 24.04 (there are no Debian ones), and Ubuntu 24.04 has no python3.11. Sidewinder is built and
# tested against Debian 12's CPython 3.11 and the free-threaded 3.13t and 3.14t built on Debian 12, so the final stage is that
# system, and the .NET runtime (a portable build, the same files in every official image) is copied
# into it. The base images are build arguments; scripts/container-test.sh replaces them with local
# stand-ins where public images cannot be pulled.

ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG DEBIAN_IMAGE=debian:bookworm-slim

# Only a source of /usr/share/dotnet (the dotnet host plus the .NET and ASP.NET Core shared frameworks).
FROM ${ASPNET_IMAGE} AS aspnet

# ---------------------------------------------------------------------------------------------------
FROM ${SDK_IMAGE} AS build
WORKDIR /src
# Project files first, so the restore layer is reused until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Interop/Sidewinder.Interop.csproj src/Interop/
COPY src/Workers/Sidewinder.Workers.csproj src/Workers/
COPY src/Api/Sidewinder.Api.csproj src/Api/
# For the target platform's runtime identifier, so that the publish is ReadyToRun (precompiled:
# src/Api/Sidewinder.Api.csproj turns it on whenever a runtime identifier is given; start-up in docs/performance.md).
# Framework-dependent: the runtime comes from the aspnet image. TARGETARCH is set by BuildKit (amd64, arm64).
ARG TARGETARCH=amd64
RUN case "$TARGETARCH" in amd64) rid=linux-x64 ;; *) rid="linux-$TARGETARCH" ;; esac; \
    echo "$rid" >/src/.rid; \
    dotnet restore src/Api/Sidewinder.Api.csproj -r "$rid"
COPY src/ src/
RUN dotnet publish src/Api/Sidewinder.Api.csproj -c Release --no-restore -r "$(cat /src/.rid)" --self-contained false \
      -o /app -p:UseAppHost=false

# ---------------------------------------------------------------------------------------------------
# Free-threaded CPython 3.13 from Debian trixie's source package (the route scripts/provision-python.sh takes
# on a developer machine). Cached as a layer: rebuilt only when this stage changes (~8 min on 2 cores).
# The install is trimmed of what an embedded interpreter never uses: tests, IDLE, Tk, the pip bootstrap,
# the static library, headers, docs and optimised-bytecode variants.
FROM ${DEBIAN_IMAGE} AS python-313t
ARG DEBIAN_MIRROR=http://deb.debian.org/debian
ARG PYTHON_313_SUITE=trixie
# The final stage declares the same argument.
ARG PYTHON_313T_PREFIX=/opt/python/3.13t
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential ca-certificates pkg-config xz-utils zlib1g-dev libssl-dev libffi-dev libbz2-dev \
      liblzma-dev libsqlite3-dev uuid-dev libexpat1-dev; \
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$DEBIAN_MIRROR" "$PYTHON_313_SUITE" >/etc/apt/sources.list.d/python-source.sources; \
    apt-get update; \
    mkdir -p /build/download /build/python; \
    cd /build/download; \
    apt-get source --download-only python3.13; \
    tar -C /build/python --strip-components=1 -xJf python3.13_*.orig.tar.xz
# Test modules are built for one of them: _testinternalcapi holds the switch that stops 3.13t from making the code
# objects of every job immortal (never freed; see docs/workers.md). The other test modules are deleted.
RUN set -eux; \
    cd /build/python; \
    ./configure --prefix="$PYTHON_313T_PREFIX" --disable-gil --enable-shared --without-ensurepip \
      LDFLAGS="-Wl,-rpath,$PYTHON_313T_PREFIX/lib" >/build/configure.log 2>&1 || { tail -n 40 /build/configure.log; exit 1; }; \
    make -j"$(nproc)" >/build/make.log 2>&1 || { tail -n 60 /build/make.log; exit 1; }; \
    make install >/build/install.log 2>&1 || { tail -n 40 /build/install.log; exit 1; }; \
    "$PYTHON_313T_PREFIX/bin/python3.13t" -c 'import sys, ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid; assert not sys._is_gil_enabled()'; \
    cd "$PYTHON_313T_PREFIX"; \
    find lib/python3.13t/lib-dynload \( -name '_test*' -o -name 'xxlimited*' -o -name '_ctypes_test*' \) ! -name '_testinternalcapi.*' -delete; \
    "$PYTHON_313T_PREFIX/bin/python3.13t" -c 'import _testinternalcapi; _testinternalcapi.suppress_immortalization'; \
    rm -rf lib/python3.13t/test lib/python3.13t/idlelib lib/python3.13t/tkinter lib/python3.13t/turtledemo \
      lib/python3.13t/ensurepip lib/python3.13t/config-3.13t-*/*.a include share; \
    find . \( -name '*.opt-1.pyc' -o -name '*.opt-2.pyc' \) -delete; \
    find . -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +; \
    strip --strip-unneeded bin/python3.13t; \
    rm -rf /build

# ---------------------------------------------------------------------------------------------------
# Free-threaded CPython 3.14 (PEP 779: supported) from Debian sid's python3.14 source package, the same way.
# 3.14 immortalizes nothing new (real deferred reference counting), so no test module is kept.
FROM ${DEBIAN_IMAGE} AS python-314t
ARG DEBIAN_MIRROR=http://deb.debian.org/debian
ARG PYTHON_314_SUITE=sid
# While Debian lists python3.14 in sid but answers 404 for its files (since 2026-12-01), the same upstream source from
# Ubuntu's archive, checked against this SHA-256: the fallback scripts/provision-python.sh takes on a developer machine.
ARG PYTHON_314_FALLBACK_URL=http://archive.ubuntu.com/ubuntu/pool/main/p/python3.14/python3.14_3.14.4.orig.tar.xz
ARG PYTHON_314_FALLBACK_SHA256=d923c51303e38e249136fc1bdf3568d56ecb03214efdef48516176d3d7faaef8
# The final stage declares the same argument.
ARG PYTHON_314T_PREFIX=/opt/python/3.14t
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential ca-certificates curl pkg-config xz-utils zlib1g-dev libssl-dev libffi-dev libbz2-dev \
      liblzma-dev libsqlite3-dev uuid-dev libexpat1-dev; \
    printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$DEBIAN_MIRROR" "$PYTHON_314_SUITE" >/etc/apt/sources.list.d/python-source.sources; \
    apt-get update; \
    mkdir -p /build/download /build/python; \
    cd /build/download; \
    if ! apt-get source --download-only python3.14; then \
      echo "Debian $PYTHON_314_SUITE does not serve python3.14's source; using $PYTHON_314_FALLBACK_URL"; \
      rm -f python3.14_*; \
      curl -fsSL -m 600 -o python3.14_fallback.orig.tar.xz "$PYTHON_314_FALLBACK_URL"; \
      echo "$PYTHON_314_FALLBACK_SHA256  python3.14_fallback.orig.tar.xz" | sha256sum -c -; \
    fi; \
    set -- python3.14_*.orig.tar.xz; \
    tar -C /build/python --strip-components=1 -xJf "$1"
RUN set -eux; \
    cd /build/python; \
    ./configure --prefix="$PYTHON_314T_PREFIX" --disable-gil --enable-shared --without-ensurepip \
      LDFLAGS="-Wl,-rpath,$PYTHON_314T_PREFIX/lib" >/build/configure.log 2>&1 || { tail -n 40 /build/configure.log; exit 1; }; \
    make -j"$(nproc)" >/build/make.log 2>&1 || { tail -n 60 /build/make.log; exit 1; }; \
    make install >/build/install.log 2>&1 || { tail -n 40 /build/install.log; exit 1; }; \
    "$PYTHON_314T_PREFIX/bin/python3.14t" -c 'import sys, ssl, sqlite3, ctypes, lzma, bz2, zlib, uuid; assert not sys._is_gil_enabled()'; \
    cd "$PYTHON_314T_PREFIX"; \
    find lib/python3.14t/lib-dynload \( -name '_test*' -o -name 'xxlimited*' -o -name '_ctypes_test*' \) -delete; \
    rm -rf lib/python3.14t/test lib/python3.14t/idlelib lib/python3.14t/tkinter lib/python3.14t/turtledemo \
      lib/python3.14t/ensurepip lib/python3.14t/config-3.14t-*/*.a include share; \
    find . \( -name '*.opt-1.pyc' -o -name '*.opt-2.pyc' \) -delete; \
    find . -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +; \
    strip --strip-unneeded bin/python3.14t; \
    rm -rf /build

# ---------------------------------------------------------------------------------------------------
FROM ${DEBIAN_IMAGE} AS final
# Debian's CPython 3.11 (GIL) with numpy, the shared libraries the 3.13t and 3.14t builds link against, and what
# the .NET runtime needs (InvariantGlobalization is on, so no ICU). The user matches the official .NET
# images' non-root `app` user (UID 1654).
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libstdc++6 libssl3 tzdata zlib1g \
      libpython3.11 python3.11 python3-numpy \
      libbz2-1.0 libexpat1 libffi8 liblzma5 libsqlite3-0 libuuid1; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/cache/debconf/*-old /var/lib/dpkg/*-old /var/log/apt /var/log/dpkg.log; \
    groupadd --gid 1654 app; \
    useradd --uid 1654 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app; \
    ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ARG PYTHON_313T_PREFIX=/opt/python/3.13t
ARG PYTHON_314T_PREFIX=/opt/python/3.14t
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
COPY --from=python-313t ${PYTHON_313T_PREFIX} ${PYTHON_313T_PREFIX}
COPY --from=python-314t ${PYTHON_314T_PREFIX} ${PYTHON_314T_PREFIX}
# Runtime manifests, the format scripts/provision-python.sh writes: SIDEWINDER_PYTHON=<name> picks one.
RUN set -eux; \
    gil_lib="$(python3.11 -c 'import sysconfig as s; print(s.get_config_var("LIBDIR") + "/" + s.get_config_var("INSTSONAME"))')"; \
    test -f "$gil_lib"; \
    mkdir -p /opt/sidewinder/runtimes; \
    for name in default 3.11; do \
      printf 'name=3.11\nlibrary=%s\nhome=/usr\nexecutable=/usr/bin/python3.11\n' "$gil_lib" >"/opt/sidewinder/runtimes/$name.env"; \
    done; \
    for prefix in "$PYTHON_313T_PREFIX" "$PYTHON_314T_PREFIX"; do \
      name="$(basename "$prefix")"; \
      version="$("$prefix/bin/python$name" -c 'import platform, sys; assert not sys._is_gil_enabled(); print(platform.python_version())')"; \
      printf 'name=%s\nlibrary=%s/lib/libpython%s.so.1.0\nhome=%s\nexecutable=%s/bin/python%s\nsource=Debian python%s %s\n' \
        "$name" "$prefix" "$name" "$prefix" "$prefix" "$name" "${name%t}" "$version" >"/opt/sidewinder/runtimes/$name.env"; \
    done; \
    dotnet --list-runtimes | grep -q Microsoft.AspNetCore.App
COPY deploy/container/healthcheck.py /usr/local/lib/sidewinder/healthcheck.py
COPY --from=build /app /app
# /scripts is the mount point for your .py files used by POST /call; the bundled example is the default.
COPY --from=build /app/scripts/ /scripts/

# ASPNETCORE_HTTP_PORTS=8080 listens on all interfaces, so the service refuses to start without an API
# key (Auth__ApiKeys__0__Key) unless Auth__AllowAnonymousNonLoopback=true or ASPNETCORE_URLS binds loopback.
# The root filesystem can be read-only: nothing is written but diagnostics IPC (off) and temp files (/tmp).
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    DOTNET_EnableDiagnostics=0 \
    SIDEWINDER_CACHE=/opt/sidewinder \
    SIDEWINDER_PYTHON=default \
    Workers__ScriptsDirectory=/scripts \
    PYTHONDONTWRITEBYTECODE=1 \
    Logging__Format=json

USER 1654:1654
WORKDIR /app
EXPOSE 8080
# SIGTERM (the default stop signal) drains: new requests are refused, running jobs get
# Workers__ShutdownGracePeriod (10 s). Give the container a stop timeout above ~20 s (docker stop -t 30).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-I", "-S", "/usr/local/lib/sidewinder/healthcheck.py"]
ENTRYPOINT ["dotnet", "/app/Sidewinder.Api.dll"]

LABEL org.opencontainers.image.title="Sidewinder" \
      org.opencontainers.image.description="HTTP service running Python (embedded CPython 3.11, or free-threaded 3.14t or 3.13t) for .NET apps"
