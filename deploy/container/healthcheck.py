"""Container HEALTHCHECK: GET /health/live on the port the service listens on; exit 0 when it answers 200.

Runs with the image's own python3, so the final image needs no curl or wget. The address comes from the
same settings the service reads: ASPNETCORE_URLS first (e.g. http://127.0.0.1:8080 for a loopback-only
sidecar), else the first of ASPNETCORE_HTTP_PORTS (the image sets 8080).
"""

import os
import sys
import urllib.request


def health_url():
    urls = os.environ.get("ASPNETCORE_URLS", "").replace(",", ";").split(";")
    for url in (u.strip() for u in urls):
        if url.startswith("http://"):
            host_port = url[len("http://"):].split("/", 1)[0]
            host, _, port = host_port.rpartition(":")
            if host in ("", "*", "+", "0.0.0.0", "[::]"):
                host = "127.0.0.1"
            return f"http://{host}:{port or 80}/health/live"
    port = os.environ.get("ASPNETCORE_HTTP_PORTS", "8080").replace(",", ";").split(";")[0].strip() or "8080"
    return f"http://127.0.0.1:{port}/health/live"


def main():
    try:
        # No proxy: an HTTP(S)_PROXY set for the application must not route the probe elsewhere.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(health_url(), timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError as error:
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
