"""Rich outputs for Sidewinder jobs: display() and the IPython display protocol, and matplotlib figures.

Loaded once per process by Sidewinder.Workers as the module ``sidewinder`` (jobs write ``from sidewinder import
display``; ``display`` is also a builtin). The host (``_sidewinder_host``) sets ``_publish``, which files an output
under the job of the calling thread. Everything here runs on the job's own thread, inside its deadline.

An output is a dict shaped like a Jupyter ``display_data`` / ``execute_result`` message's content:
``{"type": "display", "data": {mime: value}, "metadata": {...}}``; text and base64 images are strings, ``application/json``
is a JSON value.
"""
import base64
import io
import sys

__all__ = ["display"]

_publish = None  # set by the host: _publish(output, figures_displayed) files the output under the calling thread's job
_pending_figures = None  # set by the host: returns the list of figures the calling thread's job created and has not shown

# (method, MIME type) in the order IPython's formatters use; _repr_mimebundle_ comes first and wins.
_REPRS = (
    ("_repr_png_", "image/png"),
    ("_repr_jpeg_", "image/jpeg"),
    ("_repr_svg_", "image/svg+xml"),
    ("_repr_html_", "text/html"),
    ("_repr_markdown_", "text/markdown"),
    ("_repr_latex_", "text/latex"),
    ("_repr_json_", "application/json"),
)
_BINARY = ("image/png", "image/jpeg")
# Final values of these types get no execute_result: their JSON value says everything their repr would.
_PLAIN = frozenset((int, float, str, bool, list, dict, tuple, set, bytes, type(None), complex))


def _note(text):
    """A clear note in the job's stderr: a failing formatter never fails the job (IPython prints it, too)."""
    sys.stderr.write("[sidewinder] " + text + "\n")


def _call(obj, name, *args, **kwargs):
    method = getattr(obj, name, None)
    if method is None or not callable(method):
        return None
    try:
        return method(*args, **kwargs)
    except Exception as exc:  # a _repr_*_ that raises: a note, and the other representations still count
        _note(f"{type(obj).__name__}.{name}() raised {type(exc).__name__}: {exc}")
        return None


def _encode(mime, value):
    if mime in _BINARY and isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode("ascii")
    if mime != "application/json" and isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return value


def _figure_class():
    module = sys.modules.get("matplotlib.figure")
    return None if module is None else getattr(module, "Figure", None)


def _figure_png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def mime_bundle(obj, include=None, exclude=None):
    """(data, metadata) for obj as IPython's display formatter builds it; text/plain is always there."""
    data, metadata = {}, {}
    bundle = _call(obj, "_repr_mimebundle_", include=include, exclude=exclude)
    if isinstance(bundle, tuple) and len(bundle) == 2:
        bundle, extra = bundle
        if isinstance(extra, dict):
            metadata.update(extra)
    if isinstance(bundle, dict):
        for mime, value in bundle.items():
            data[str(mime)] = _encode(mime, value)
    figure_class = _figure_class()
    if figure_class is not None and isinstance(obj, figure_class) and "image/png" not in data:
        try:
            data["image/png"] = base64.b64encode(_figure_png(obj)).decode("ascii")
        except Exception as exc:
            _note(f"rendering the figure failed: {type(exc).__name__}: {exc}")
    for name, mime in _REPRS:
        if mime in data or (include is not None and mime not in include) or (exclude is not None and mime in exclude):
            continue
        value = _call(obj, name)
        if value is None:
            continue
        if isinstance(value, tuple) and len(value) == 2:
            value, extra = value
            metadata[mime] = extra
        data[mime] = _encode(mime, value)
    if "text/plain" not in data:
        try:
            data["text/plain"] = repr(obj)
        except Exception as exc:
            _note(f"repr() of {type(obj).__name__} raised {type(exc).__name__}: {exc}")
            data["text/plain"] = f"<{type(obj).__name__} object>"
    return data, metadata


def display(*objs, include=None, exclude=None, metadata=None, raw=False, **kwargs):
    """Shows objects as rich outputs of the job (IPython's display()): each becomes one output with every MIME type it
    can render (the _repr_*_ methods, matplotlib figures as PNG), in order. With raw=True each obj is a MIME bundle
    (a dict of MIME type to data) already. Other IPython arguments (display_id, ...) are accepted and ignored."""
    for obj in objs:
        if raw:
            data, extra = {str(k): _encode(k, v) for k, v in dict(obj).items()}, {}
        else:
            data, extra = mime_bundle(obj, include, exclude)
        if metadata:
            extra = {**extra, **metadata}
        figure = obj if _figure_class() is not None and isinstance(obj, _figure_class()) else None
        _publish({"type": "display", "data": data, "metadata": extra}, figure)


def rich_result(value):
    """The execute_result output of a cell's final value, or None for plain values (their JSON value is the result)."""
    if value.__class__ in _PLAIN:
        return None
    data, metadata = mime_bundle(value)
    if len(data) == 1:  # only text/plain: nothing the JSON value and type do not already say
        return None
    return {"type": "execute_result", "data": data, "metadata": metadata}


def show_figures(figures, render=True):
    """Displays the given figures that are still open as PNG (unless render is False) and closes them: the end of a
    cell, plt.show(), or the end of a job that failed or is not a cell (close only)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    open_figures = {id(manager.canvas.figure) for manager in pyplot._pylab_helpers.Gcf.get_all_fig_managers()}
    for figure in figures:
        if id(figure) not in open_figures:
            continue  # closed by the job itself
        if render:
            try:
                png = _figure_png(figure)
            except Exception as exc:
                _note(f"rendering a figure failed: {type(exc).__name__}: {exc}")
            else:
                text = repr(figure)
                _publish({"type": "display", "data": {"image/png": base64.b64encode(png).decode("ascii"),
                                                      "text/plain": text}, "metadata": {}}, None)
        pyplot.close(figure)


def patch_pyplot(pyplot):
    """Agg, figures recorded under the job that creates them, and show() that displays them (Jupyter's inline
    backend does the same); run once, right after matplotlib.pyplot is first imported."""
    pyplot.switch_backend("agg")
    create = pyplot.new_figure_manager

    def new_figure_manager(*args, **kwargs):
        manager = create(*args, **kwargs)
        pending = _pending_figures()
        if pending is not None:
            pending.append(manager.canvas.figure)
        return manager

    def show(*args, **kwargs):
        pending = _pending_figures()
        if pending:
            figures = list(pending)
            pending.clear()
            show_figures(figures)

    new_figure_manager.__doc__ = create.__doc__
    show.__doc__ = "Displays the job's open figures now (as PNG outputs) and closes them."
    pyplot.new_figure_manager = new_figure_manager
    pyplot.show = show


class _PyplotHook:
    """A meta-path finder for matplotlib.pyplot alone: patches it right after its first import (patch_pyplot). Other
    imports pass through at the cost of one call; imports of cached modules never reach it."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "matplotlib.pyplot":
            return None
        import importlib.machinery
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _PatchingLoader(spec.loader)
        return spec


class _PatchingLoader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        patch_pyplot(module)


class _MissingNote:
    """Last on sys.meta_path: an import of a plotting package that no finder found fails with a message that says why
    (a runtime without it, e.g. the free-threaded 3.13t has no numpy or matplotlib) rather than a bare 'No module'."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in ("matplotlib", "numpy", "pandas"):
            build = sys.version.split()[0] + (" free-threaded" if "t" in sys.abiflags else "")
            raise ModuleNotFoundError(f"No module named '{name}': this runtime (CPython {build}) does not have it, so "
                                      "figures need the service's default runtime; display() of objects with _repr_*_ "
                                      "methods works everywhere (docs/api.md, Rich outputs)", name=name)
        return None


def install(publish, pending_figures):
    """Makes ``display`` a builtin and hooks matplotlib's import (the host puts this module in sys.modules)."""
    global _publish, _pending_figures
    import builtins
    _publish, _pending_figures = publish, pending_figures
    builtins.display = display
    sys.meta_path.insert(0, _PyplotHook)
    sys.meta_path.append(_MissingNote)
