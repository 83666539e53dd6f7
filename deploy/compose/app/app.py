"""A tiny web app that uses Sidewinder as its sidecar (the docker-compose.yml example).

    GET  /hello?name=Ada          -> calls demo.greet in Sidewinder
    POST /stats  [1, 2, 3.5]      -> calls demo.stats in Sidewinder

It shares the sidecar's network namespace and reaches it on localhost; standard library only.
Settings: SIDEWINDER_URL (default http://127.0.0.1:8080), SIDEWINDER_API_KEY (optional), PORT (8000).
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SIDEWINDER_URL = os.environ.get("SIDEWINDER_URL", "http://127.0.0.1:8080").rstrip("/")
API_KEY = os.environ.get("SIDEWINDER_API_KEY", "")


def call(module, function, *args):
    """POST /call and return (HTTP status, JSON body)."""
    body = json.dumps({"module": module, "function": function, "args": list(args)}).encode()
    request = urllib.request.Request(SIDEWINDER_URL + "/call", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    if API_KEY:
        request.add_header("Authorization", "Bearer " + API_KEY)
    try:
        with urllib.request.urlopen(request, timeout=35) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        # Problem responses (400 invalid input, 422 Python exception, 503 busy, ...) are JSON too.
        return error.code, json.load(error)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path != "/hello":
            return self.reply(404, {"error": "try GET /hello?name=Ada or POST /stats"})
        name = urllib.parse.parse_qs(url.query).get("name", ["world"])[0]
        self.forward(*call("demo", "greet", name))

    def do_POST(self):
        if self.path != "/stats":
            return self.reply(404, {"error": "try POST /stats with a JSON list of numbers"})
        length = int(self.headers.get("Content-Length") or 0)
        try:
            values = json.loads(self.rfile.read(length) or b"[]")
        except ValueError:
            return self.reply(400, {"error": "the body must be a JSON list of numbers"})
        self.forward(*call("demo", "stats", values))

    def forward(self, status, result):
        if status == 200 and result.get("outcome") == "ok":
            self.reply(200, {"result": result["value"], "timings": result.get("timings")})
        else:
            self.reply(502 if status >= 500 else 400, {"error": result.get("detail") or result.get("title"), "sidewinder": result})

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8000"))
    print(f"example app on :{port}, Sidewinder at {SIDEWINDER_URL}", flush=True)
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
