"""Example script for POST /call: {"module": "example", "function": "greet", "args": ["Ada"]}.

Every public function of a .py file in the scripts directory (Workers:ScriptsDirectory) can be called.
Edit the file and the next call picks up the change without a restart.
"""

import logging

log = logging.getLogger(__name__)


def greet(name, punctuation="!"):
    """Returns a greeting."""
    log.info("greeting %s", name)
    return f"Hello, {name}{punctuation}"


def stats(values):
    """Mean, minimum and maximum of a list of numbers."""
    if not values:
        raise ValueError("values must not be empty")
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values)}


def busy(milliseconds=5):
    """Pure-Python CPU work for about the given time (used by the load tests)."""
    import time

    end = time.perf_counter() + milliseconds / 1000
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n
