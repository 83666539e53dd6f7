"""The anchor: the FastAPI + uvicorn service a user would write instead of Sidewinder.

Same endpoints, bodies and work as Sidewinder's /eval, /run and /call: a fresh namespace per request, stdout and
stderr captured, the value returned as JSON, functions imported from the same scripts directory
(src/Api/scripts, set by SCRIPTS_DIR). Handlers are `async def` and run the code on the event loop: the fastest
choice for this work (no thread pool hand-off), and the one that makes capturing sys.stdout safe, since each worker
process runs one request at a time. What it does not do, and Sidewinder does: deadlines, a bounded queue with 503s,
reloading a changed script, limits, auth. Run it with uvicorn (load/bench/bench.py does):

    SCRIPTS_DIR=src/Api/scripts python3 -m uvicorn fastapi_app:app --app-dir load/bench --workers 2
"""

import builtins
import contextlib
import importlib
import io
import os
import sys
from typing import Any, Dict, List, Optional

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

_scripts = os.environ.get("SCRIPTS_DIR")
if _scripts:
    sys.path.insert(0, os.path.abspath(_scripts))

app = FastAPI(title="FastAPI anchor for the Sidewinder load benchmark")


class EvalRequest(BaseModel):
    code: str
    variables: Optional[Dict[str, Any]] = None
    timeoutMs: Optional[int] = None


class RunRequest(EvalRequest):
    returnVariables: Optional[List[str]] = None


class CallRequest(BaseModel):
    module: str
    function: str
    args: Optional[List[Any]] = None
    kwargs: Optional[Dict[str, Any]] = None
    timeoutMs: Optional[int] = None


def _namespace(variables: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    namespace: Dict[str, Any] = {"__builtins__": builtins, "__name__": "__main__"}
    if variables:
        namespace.update(variables)
    return namespace


def _execute(work):
    """Runs work() with stdout/stderr captured; returns the response body (200) or a problem (422)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            value, extra = work()
    except Exception as exc:  # noqa: BLE001 - the user's code may raise anything
        return JSONResponse(
            status_code=422,
            media_type="application/problem+json",
            content={"outcome": "error", "title": "The code raised an exception",
                     "error": {"type": type(exc).__name__, "message": str(exc)},
                     "stdout": out.getvalue(), "stderr": err.getvalue()},
        )
    body = {"outcome": "ok", "value": value, "valueType": None if value is None else type(value).__name__,
            "stdout": out.getvalue(), "stderr": err.getvalue()}
    body.update(extra)
    return body


@app.get("/health/ready")
async def ready():
    return {"status": "ready"}


@app.post("/eval")
async def eval_expression(request: EvalRequest):
    def work():
        return eval(compile(request.code, "<eval>", "eval"), _namespace(request.variables)), {}

    return _execute(work)


@app.post("/run")
async def run_statements(request: RunRequest):
    def work():
        namespace = _namespace(request.variables)
        exec(compile(request.code, "<run>", "exec"), namespace)
        names = request.returnVariables or []
        return None, {"variables": {n: namespace[n] for n in names if n in namespace}}

    return _execute(work)


@app.post("/call")
async def call_function(request: CallRequest):
    def work():
        function = getattr(importlib.import_module(request.module), request.function)
        return function(*(request.args or []), **(request.kwargs or {})), {}

    return _execute(work)
