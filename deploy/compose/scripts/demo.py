"""Functions the example app calls through POST /call (mounted at /scripts in the sidecar)."""


def greet(name):
    return f"Hello, {name}!"


def stats(values):
    if not values:
        raise ValueError("values must not be empty")
    return {"count": len(values), "mean": sum(values) / len(values), "min": min(values), "max": max(values)}
