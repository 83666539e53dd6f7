"""Sidewinder worker host: per-job output capture, the logging bridge, notebook-style cells and script calls.

Loaded once per process by Sidewinder.Workers as the module ``_sidewinder_host``. Not a public API.

Output and log records are routed by thread: each worker thread runs one job at a time, so the thread
ident identifies the job. This stays correct when jobs run truly in parallel on a free-threaded build,
where a single process-wide ``sys.stdout`` must serve every worker at once. A thread that a job starts with
``threading`` writes into that job's output while the job runs (see _start_thread).
"""
import ast
import collections
import gc
import importlib
import importlib.util
import io
import json
import logging
import os
import sys
import threading

_get_ident = threading.get_ident
_contexts = {}
_orphan_records = collections.deque(maxlen=1000)
_NO_VALUE = object()


class DeadlineExceeded(BaseException):
    """Raised asynchronously in a job past its deadline (or cancelled).

    It derives from BaseException, not Exception, so ``except Exception`` in user code cannot swallow it.
    """


class _Buffer:
    __slots__ = ("parts", "size", "limit", "truncated", "kind", "token", "pending", "context")

    def __init__(self, limit, kind, context):
        self.parts = []
        self.size = 0
        self.limit = limit
        self.truncated = False
        self.kind = kind  # EVENT_STDOUT or EVENT_STDERR
        self.token = context.token  # the job's event stream (see set_emitter), or None
        self.pending = ""  # streamed output not yet emitted: the end of an unfinished line
        self.context = context

    def write(self, text):
        room = self.limit - self.size
        if len(text) > room:
            self.truncated = True
            if room <= 0:
                return
            text = text[:room]
        self.parts.append(text)
        self.size += len(text)
        if self.token is not None:  # the stream gets what the buffer keeps: the output cap applies to it too
            self.stream(text)

    def stream(self, text):
        """Emits whole lines (print() writes the text and the newline separately; one event per line is what a reader
        wants); an unfinished line waits for its newline, a flush(), other output, the job's end, or 4 Ki characters."""
        other = self.context.stderr if self.kind == EVENT_STDOUT else self.context.stdout
        if other is not None and other.pending:
            other.flush_pending()  # keep the order of interleaved stdout and stderr
        pending = self.pending + text if self.pending else text
        cut = pending.rfind("\n") + 1
        if cut == 0:
            if len(pending) < 4096:
                self.pending = pending
                return
            cut = len(pending)
        self.pending = pending[cut:]
        _emit((self.token, self.kind, pending[:cut]))

    def flush_pending(self):
        if self.pending:
            text, self.pending = self.pending, ""
            _emit((self.token, self.kind, text))

    def value(self):
        # Threads a job started may write at the same time as the job: size is then approximate, the limit is not.
        text = "".join(self.parts)
        return text if len(text) <= self.limit else text[:self.limit]


class _JobContext:
    """Output and log records of the job on one thread, created on its first write or record (see begin()).
    Buffers and the record list are created on first use too."""

    __slots__ = ("limit", "stdout", "stderr", "records", "max_records", "dropped", "max_rich", "rich_size", "outputs",
                 "outputs_truncated", "figures", "token", "threads")

    def __init__(self, limit, max_records, max_rich, token):
        self.threads = None  # threads the job started, for release()
        self.limit = limit
        self.stdout = None
        self.stderr = None
        self.records = None
        self.max_records = max_records
        self.dropped = 0
        self.max_rich = max_rich
        self.rich_size = 0
        self.outputs = None  # JSON text of each display output, in order
        self.outputs_truncated = False
        self.figures = None  # matplotlib figures the job created and has not shown
        self.token = token


def _job_context():
    """The context that output and records of the calling thread belong to: its own job's, or that of the running job
    that started the thread; None otherwise."""
    ident = _get_ident()
    context = _contexts.get(ident)
    if context is None:
        return _starter_context()
    if context.__class__ is tuple:  # begin()'s settings: the job's first write or record
        context = _contexts[ident] = _JobContext(*context)
    return context


def _starter_context():
    """The context of the job that started the calling thread (directly or through other threads), while it runs."""
    starter = getattr(threading.current_thread(), "_sidewinder_job", None)
    if starter is None:
        return None
    ident, context = starter
    # The job is over (or its thread runs another job now): write to the process's stream, never into another job.
    return context if _contexts.get(ident) is context else None


_thread_start = threading.Thread.start


def _start_thread(self):
    """threading.Thread.start that remembers the running job, so that the new thread's output and log records go to
    that job for as long as it runs. Installed by configure()."""
    ident = _get_ident()
    if ident in _contexts:
        context = _job_context()
        self._sidewinder_job = (ident, context)
        if context.threads is None:
            context.threads = []
        context.threads.append(self)
    else:
        starter = getattr(threading.current_thread(), "_sidewinder_job", None)
        if starter is not None:
            self._sidewinder_job = starter
    return _thread_start(self)


class _Router(io.TextIOBase):
    """The process-wide sys.stdout / sys.stderr: a write lands in the buffer of the job on the calling thread.

    A thread started (with threading) during a job writes into that job while it runs. Other writes (such threads
    after their job ended, interpreter internals) go to the original stream, so nothing is lost and nothing crosses
    into another job.
    """

    def __init__(self, stderr, fallback):
        super().__init__()
        self._stderr = stderr
        self._fallback = fallback
        self._binary = _BinaryWriter(self)

    @property
    def buffer(self):
        """Bytes written here (code that writes encoded output, `sys.stdout.buffer.write(b"...")`) join the text."""
        return self._binary

    @property
    def encoding(self):
        return "utf-8"

    @property
    def errors(self):
        return "strict"

    def writable(self):
        return True

    def isatty(self):
        return False

    def close(self):
        pass  # shared by every job: a job closing sys.stdout must not break the next one

    def flush(self):
        context = _contexts.get(_get_ident())
        if context.__class__ is _JobContext and context.token is not None:
            _flush_streams(context)
            return
        if context is None and _starter_context() is None and self._fallback is not None:
            try:
                self._fallback.flush()
            except (OSError, ValueError):
                pass

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        context = _job_context()
        if context is None:
            if self._fallback is not None:
                try:
                    self._fallback.write(text)
                except (OSError, ValueError):
                    pass  # output of no job: nowhere else to go
            return len(text)
        if self._stderr:
            buffer = context.stderr
            if buffer is None:
                buffer = context.stderr = _Buffer(context.limit, EVENT_STDERR, context)
        else:
            buffer = context.stdout
            if buffer is None:
                buffer = context.stdout = _Buffer(context.limit, EVENT_STDOUT, context)
        buffer.write(text)
        return len(text)


class _BinaryWriter(io.RawIOBase):
    """sys.stdout.buffer / sys.stderr.buffer: the bytes are decoded as UTF-8 and written to the text stream, so they land
    in the same job's output in order. Each write is decoded on its own: an invalid byte, or a character split across
    two writes, becomes U+FFFD."""

    def __init__(self, text):
        super().__init__()
        self._text = text

    def writable(self):
        return True

    def isatty(self):
        return False

    def close(self):
        pass  # shared by every job, like the text stream

    def flush(self):
        self._text.flush()

    def write(self, data):
        data = bytes(memoryview(data))  # any bytes-like object; a str is a TypeError, as on a real binary stream
        self._text.write(data.decode("utf-8", "replace"))
        return len(data)


class _Handler(logging.Handler):
    """Collects logging records of the job on the calling thread; the worker forwards them to .NET logging."""

    def handle(self, record):
        """Handler.handle without the handler's lock: emit() only touches the calling thread's job, and one lock for
        every worker made parallel jobs on a free-threaded build queue for it at each record."""
        passed = self.filter(record)
        if passed:
            self.emit(passed if isinstance(passed, logging.LogRecord) else record)
        return passed

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not fail the job
            message = str(record.msg)
        details = None
        if record.exc_info:
            details = logging.Formatter().formatException(record.exc_info)
        entry = _Record(record.levelno, record.name, message, details)
        context = _job_context()
        if context is None:
            _orphan_records.append(entry)
            return
        records = context.records
        if records is None:
            with _records_lock:  # a thread the job started may log its first record at the same moment
                records = context.records
                if records is None:
                    records = context.records = []
        if len(records) < context.max_records:
            records.append(entry)
            if context.token is not None:
                _flush_streams(context)
                _emit((context.token, EVENT_LOG, record.levelno, record.name, message))
        else:
            context.dropped += 1


# Event kinds as Sidewinder.Workers.JobEventKind numbers them.
EVENT_STDOUT, EVENT_STDERR, EVENT_DISPLAY, EVENT_LOG = 0, 1, 2, 3
_emit = None  # set_emitter(): hands (token, kind, ...) to the worker's event streams


def _flush_streams(context):
    """Emits the unfinished lines of a streamed job: before another kind of event, at flush() and at the job's end."""
    for buffer in (context.stdout, context.stderr):
        if buffer is not None and buffer.pending:
            buffer.flush_pending()


def set_emitter(emit):
    """emit((token, kind, payload...)) passes an event to the .NET stream registered under token; it never blocks."""
    global _emit
    _emit = emit


def _publish(output, figure):
    """Files a display output under the calling thread's job (and its stream), within the job's rich-output cap."""
    context = _job_context()
    if context is None:
        return  # a thread outside any job: there is no one to show it to
    if figure is not None and context.figures:  # displayed explicitly: not again at the end of the cell
        context.figures[:] = [f for f in context.figures if f is not figure]
    size = 0
    for value in output["data"].values():
        size += len(value) if value.__class__ is str else 64
    if context.rich_size + size > context.max_rich:
        context.outputs_truncated = True
        _stderr.write(f"[sidewinder] a {output['type']} output of {size} bytes was dropped: the job's rich "
                       f"outputs would pass the limit of {context.max_rich} bytes (Workers:MaxRichOutputBytes)\n")
        return
    context.rich_size += size
    text = json.dumps(output, ensure_ascii=False, default=str)
    if context.outputs is None:
        context.outputs = []
    context.outputs.append(text)
    if context.token is not None:
        _flush_streams(context)
        _emit((context.token, EVENT_DISPLAY, text))


def _pending_figures():
    context = _job_context()
    if context is None:
        return None
    if context.figures is None:
        context.figures = []
    return context.figures


def _show_pending(render):
    context = _contexts.get(_get_ident())
    if context.__class__ is _JobContext and context.figures:
        figures = list(context.figures)
        context.figures.clear()
        _display.show_figures(figures, render)


_display = None
_PLAIN = frozenset()  # the display module's types whose values get no execute_result


def install_display(module):
    """Installs the display module (sidewinder_display.py) with this host's job routing; once per process, before
    configure() takes the state that jobs are given back."""
    global _display, _PLAIN
    _display, _PLAIN = module, module._PLAIN
    sys.modules["sidewinder"] = module
    module.install(_publish, _pending_figures)


def has_outputs():
    """True when the calling thread's job has displayed something (a cell's value may then be unconvertible)."""
    context = _contexts.get(_get_ident())
    return context.__class__ is _JobContext and bool(context.outputs)


def _private_stream(fd):
    """A line-buffered writer over the process's fd of its own (never closing it): a job may close sys.__stdout__."""
    try:
        return open(fd, "w", buffering=1, encoding="utf-8", errors="backslashreplace", closefd=False)
    except OSError:
        return None


_stdout = _Router(False, _private_stream(1))
_stderr = _Router(True, _private_stream(2))
_scripts_dirs = ()  # a tuple, for str.startswith: resolve() checks it on every call job
_script_prefixes = {}  # each pool's scripts directory as configured -> its real path + os.sep
_script_stamps = {}
_import_lock = threading.Lock()
_records_lock = threading.Lock()
_handler = None


def configure(scripts_dir, log_level, gc_threshold):
    """Installs the routers, the logging handler and the thread-start hook (once per process), adds a scripts directory,
    sets the root logger level and the collector's first threshold unless they are None, and takes the process-wide
    state that every job is given back (_State) as it is now."""
    global _handler, _scripts_dirs, _state
    if gc_threshold is not None:
        gc.set_threshold(gc_threshold, *gc.get_threshold()[1:])
    sys.stdout = _stdout
    sys.stderr = _stderr
    sys.stdin = _no_input
    threading.Thread.start = _start_thread
    os.chdir = _chdir
    os.fchdir = _fchdir
    root = logging.getLogger()
    if _handler is None:
        _handler = _Handler()
        root.addHandler(_handler)
    if log_level is not None:
        root.setLevel(log_level)
    if scripts_dir:
        directory = os.path.realpath(scripts_dir)
        prefix = _script_prefixes[scripts_dir] = directory + os.sep
        if prefix not in _scripts_dirs:
            _scripts_dirs += (prefix,)
        if directory not in sys.path:
            sys.path.insert(0, directory)
    _state = _State()


class _NoInput(io.TextIOBase):
    """sys.stdin of every job: there is no terminal, so input() raises EOFError at once instead of blocking a worker
    on the service's own standard input."""

    def readable(self):
        return True

    def read(self, size=-1):
        return ""

    def readline(self, size=-1):
        return ""


_no_input = _NoInput()
_os_chdir = os.chdir
_os_fchdir = os.fchdir
_cwd_changed = False


def _chdir(path):
    """os.chdir as jobs see it: the same, and the worker puts the working directory back after the job."""
    global _cwd_changed
    _cwd_changed = True
    return _os_chdir(path)


def _fchdir(fd):
    global _cwd_changed
    _cwd_changed = True
    return _os_fchdir(fd)


def cap_recursion(cap):
    """3.11 has no C recursion limit of its own: a job that raises the limit and then recurses in C (repr of a deeply
    nested list) overflows the worker's stack and takes the process down. The cap is derived from the stack size."""
    original = sys.setrecursionlimit

    def setrecursionlimit(limit):
        if isinstance(limit, int) and limit > cap:
            raise ValueError(f"recursion limit {limit} is above this service's maximum of {cap}, which keeps deep "
                             "recursion in C from overflowing the worker's stack (Workers:WorkerStackSize)")
        return original(limit)

    setrecursionlimit.__doc__ = original.__doc__
    sys.setrecursionlimit = setrecursionlimit


_SYS_NAMES = ("path", "meta_path", "path_hooks", "path_importer_cache", "modules", "stdin", "stdout", "stderr",
              "excepthook", "displayhook", "unraisablehook", "breakpointhook", "settrace", "setprofile",
              "setrecursionlimit", "audit")
_MISSING = object()
_ModuleType = type(sys)


class _State:
    """The process-wide state jobs share, as the last configure() left it, and restore() that gives it back.

    The dicts of builtins, sys.modules, sys, threading, os and logging are compared only when the worker's dict watches
    say they changed; what no watch can see (list contents, the recursion limit, logging's root) is an identity or length
    comparison per job. Entries that jobs add to
    sys.modules (imports) stay; names added to builtins are removed.
    """

    def __init__(self):
        import builtins
        self.builtins = builtins.__dict__
        self.builtins_copy = dict(self.builtins)
        self.modules = sys.modules
        self.modules_copy = dict(sys.modules)
        self.sys_dict = sys.__dict__
        self.sys_values = tuple((name, sys.__dict__.get(name, _MISSING)) for name in _SYS_NAMES)
        self.path = sys.path
        self.path_copy = list(sys.path)
        self.meta_path = sys.meta_path
        self.meta_path_copy = list(sys.meta_path)
        self.recursion_limit = sys.getrecursionlimit()
        self.threading_dict = threading.__dict__
        self.threading_values = tuple((name, threading.__dict__.get(name, _MISSING))
                                      for name in ("excepthook", "_trace_hook", "_profile_hook"))
        self.thread_start = threading.Thread.start
        self.os_dict = os.__dict__
        self.cwd = os.getcwd()
        self.root = logging.root
        self.root_handlers = list(logging.root.handlers)
        self.root_filters = list(logging.root.filters)
        self.root_level = logging.root.level

    def restore(self, changed):
        """Puts back what the job changed; returns the names of what it restored, or None."""
        restored = None
        if changed & CHANGED_BUILTINS and self.builtins != self.builtins_copy:
            restored = ["builtins"]
            current = self.builtins
            for name in [name for name in current if name not in self.builtins_copy]:
                del current[name]
            current.update(self.builtins_copy)
        if changed & CHANGED_MODULES:
            modules, known = self.modules, self.modules_copy
            for name, module in known.items():
                if modules.get(name, _MISSING) is not module:
                    modules[name] = module
                    restored = (restored or []) + ["sys.modules['" + name + "']"]
            if len(modules) != len(known):  # modules imported since: protected from now on
                for name, module in list(modules.items()):
                    if name not in known and module.__class__ is _ModuleType:
                        known[name] = module
        if changed & CHANGED_SYS:
            sys_dict = self.sys_dict
            for name, value in self.sys_values:
                if sys_dict.get(name, _MISSING) is not value:
                    if value is _MISSING:
                        sys_dict.pop(name, None)
                    else:
                        sys_dict[name] = value
                    restored = (restored or []) + ["sys." + name]
        if self.path != self.path_copy:  # list equality checks the length first, then identity before ==, per item
            self.path[:] = self.path_copy
            restored = (restored or []) + ["sys.path"]
        if self.meta_path != self.meta_path_copy:
            self.meta_path[:] = self.meta_path_copy
            restored = (restored or []) + ["sys.meta_path"]
        if sys.getrecursionlimit() != self.recursion_limit:
            sys.setrecursionlimit(self.recursion_limit)
            restored = (restored or []) + ["recursion limit"]
        if changed & CHANGED_THREADING:
            threading_dict = self.threading_dict
            for name, value in self.threading_values:
                if threading_dict.get(name, _MISSING) is not value:
                    threading_dict[name] = value
                    restored = (restored or []) + ["threading." + name]
        if threading.Thread.start is not self.thread_start:
            threading.Thread.start = self.thread_start
            restored = (restored or []) + ["threading.Thread.start"]
        if changed & CHANGED_OS and (self.os_dict.get("chdir") is not _chdir or self.os_dict.get("fchdir") is not _fchdir):
            self.os_dict["chdir"], self.os_dict["fchdir"] = _chdir, _fchdir
            restored = (restored or []) + ["os.chdir"]
        global _cwd_changed
        if _cwd_changed:
            _cwd_changed = False
            try:
                if os.getcwd() != self.cwd:
                    _os_chdir(self.cwd)
                    restored = (restored or []) + ["working directory"]
            except OSError:
                _os_chdir(self.cwd)
                restored = (restored or []) + ["working directory"]
        root = self.root
        if changed & CHANGED_LOGGING and logging.root is not root:
            logging.root = logging.Logger.root = root
            restored = (restored or []) + ["logging.root"]
        if root.handlers != self.root_handlers or root.level != self.root_level or root.filters != self.root_filters \
                or root.disabled or root.manager.disable:
            root.handlers[:] = self.root_handlers
            root.filters[:] = self.root_filters
            root.setLevel(self.root_level)
            root.disabled = False
            root.manager.disable = 0
            root.manager._clear_cache()
            restored = (restored or []) + ["logging"]
        return restored


_state = None
_immortalization_stopped = False


def stop_immortalizing():
    """Free-threaded CPython 3.13 makes every code object, function and class created after a second thread state
    exists immortal (gh-117783: a stand-in for deferred reference counting), so each job's compiled code would never
    be freed. This switches that off for objects created from now on; what was loaded at start-up stays immortal.

    3.14 has real deferred reference counting and immortalizes nothing new, so there is nothing to stop: the test
    module is not even imported (tests/Workers.Tests InterpreterSettingsTests checks both on each free-threaded build).

    Returns False when the switch is missing (a build without the _testinternalcapi module)."""
    global _immortalization_stopped
    if _immortalization_stopped or sys.version_info >= (3, 14):
        return True
    try:
        import _testinternalcapi
    except ImportError:
        return False
    suppress = getattr(_testinternalcapi, "suppress_immortalization", None)
    if suppress is not None:  # later versions have real deferred reference counting and no such switch
        suppress(True)
    _immortalization_stopped = True
    return True


def begin(settings, token=None):
    """Starts capturing the calling thread's output and log records; settings is the pool's (max chars, max records,
    max rich-output bytes, None). A job with an event stream passes its token, which takes the place of the None.

    Only the settings are stored: the context is created on the job's first write or record. Most jobs print and log
    nothing, and then neither begin() nor end() allocates.
    """
    _contexts[_get_ident()] = settings if token is None else settings[:3] + (token,)


class _Summary:
    """What end() and peek() return to the worker, read by attribute name (never by position)."""

    __slots__ = ("stdout", "stdout_truncated", "stderr", "stderr_truncated", "records", "dropped", "orphans",
                 "restored", "outputs", "outputs_truncated")

    def __init__(self, context, orphans, restored):
        stdout = stderr = None
        self.records = None
        self.dropped = 0
        self.outputs = None
        self.outputs_truncated = False
        if context.__class__ is _JobContext:
            stdout, stderr = context.stdout, context.stderr
            self.records, self.dropped = context.records, context.dropped
            self.outputs, self.outputs_truncated = context.outputs, context.outputs_truncated
        self.stdout = "" if stdout is None else stdout.value()
        self.stdout_truncated = stdout is not None and stdout.truncated
        self.stderr = "" if stderr is None else stderr.value()
        self.stderr_truncated = stderr is not None and stderr.truncated
        self.orphans = orphans
        self.restored = restored


class _Record:
    """One logging record of a job, read by attribute name."""

    __slots__ = ("level", "logger", "message", "details")

    def __init__(self, level, logger, message, details):
        self.level, self.logger, self.message, self.details = level, logger, message, details


CHANGED_BUILTINS, CHANGED_MODULES, CHANGED_SYS, CHANGED_THREADING, CHANGED_OS, CHANGED_LOGGING = 1, 2, 4, 8, 16, 32


def end(changed):
    """Ends the calling thread's job capture and undoes what the job changed of the process-wide state (see _State).

    changed holds the CHANGED_* bits of the dicts whose watches (in the worker) saw a change. Returns None when the job
    printed, logged and changed nothing and there are no orphan records (the usual case), else a _Summary.
    """
    context = _contexts.pop(_get_ident(), None)
    if context.__class__ is _JobContext:
        if context.figures:  # figures of a job that failed, timed out or was no cell: closed, so memory stays flat
            _display.show_figures(context.figures, False)
        if context.token is not None:
            _flush_streams(context)
    restored = _state.restore(changed) if _state is not None else None
    orphans = _take_orphan_records() if _orphan_records else None
    if context.__class__ is not _JobContext and orphans is None and restored is None:
        return None
    return _Summary(context, orphans, restored)


def release(namespace):
    """Empties a job's globals at its end, while its deadline and capture still apply, unless a thread the job started
    is still running (it may still use them).

    A class or function the job defined refers back to its globals: a cycle that only the cyclic collector frees, at
    whatever later allocation triggers it, inside another client's job, which would then run this job's finalizers,
    print their output and spend its deadline."""
    context = _contexts.get(_get_ident())
    if context.__class__ is _JobContext and context.threads is not None:
        for thread in context.threads:
            if thread.is_alive():
                return
    namespace.clear()


def absorb():
    """Called when an interrupt aimed at a job that has ended may still be pending: it fires at this function's first
    instruction, and the worker discards it. (Cancelling it with PyThreadState_SetAsyncExc(id, NULL) instead left
    3.11's eval breaker set for good: with a trace function installed, the next job then spun for ever.)"""


def peek(ident):
    """The output so far of the job on another thread (the watchdog's snapshot of a stuck job)."""
    context = _contexts.get(ident)
    return None if context is None else _Summary(context, None, None)


def _take_orphan_records():
    records = []
    while _orphan_records:
        try:
            records.append(_orphan_records.popleft())
        except IndexError:
            break
    return records


def compile_cell(source, filename):
    """Compiles statements like a notebook cell: (code of the statements, code of a final bare expression or None)."""
    tree = ast.parse(source, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = compile(ast.Expression(tree.body.pop().value), filename, "eval")
    return compile(tree, filename, "exec"), last


def run_cell(cell, namespace):
    """Runs a cell from compile_cell: returns the value of its final bare expression, else _NO_VALUE. The value's rich
    representation, if it has one, becomes an execute_result output; then the figures the cell left open are shown
    (as Jupyter's inline backend does), even when the cell raised."""
    statements, last = cell
    try:
        exec(statements, namespace)
        value = _NO_VALUE if last is None else eval(last, namespace)
    except Exception:
        _show_pending(True)
        raise
    if value is not _NO_VALUE and value.__class__ not in _PLAIN:
        result = _display.rich_result(value)
        if result is not None:
            _publish(result, value)
    context = _contexts.get(_get_ident())
    if context.__class__ is _JobContext and context.figures:  # inline: this runs for every cell
        _show_pending(True)
    return value


def _stamp(module):
    path = getattr(module, "__file__", None)
    if not path or not _scripts_dirs or not path.startswith(_scripts_dirs):
        return None
    try:
        status = os.stat(path)
    except OSError:
        return None  # deleted: keep the loaded version
    return (status.st_mtime_ns, status.st_size)


def _load(module_name):
    module = sys.modules.get(module_name)
    if module is None:
        importlib.invalidate_caches()  # a script added after start-up
        module = importlib.import_module(module_name)
    else:
        stamp = _stamp(module)
        if stamp is not None and _script_stamps.get(module_name) not in (None, stamp):
            # The .pyc records the source mtime in whole seconds; drop it so a quick edit is not missed.
            try:
                os.remove(importlib.util.cache_from_source(module.__file__))
            except (OSError, NotImplementedError, ValueError):
                pass
            module = importlib.reload(module)
    _script_stamps[module_name] = _stamp(module)
    return module


def outside_scripts(module_name, scripts_dir):
    """True unless module_name's top-level module or package is a file under scripts_dir (as passed to configure()),
    for a pool that calls only its scripts (Workers:CallModules = Scripts). Checked before anything is imported: for a
    top-level name find_spec only looks."""
    prefix = _script_prefixes[scripts_dir]
    top = module_name.partition(".")[0]
    for attempt in range(2):
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            spec = None
        if spec is not None or attempt:
            break
        importlib.invalidate_caches()  # a script added after start-up
    origin = None if spec is None else spec.origin
    return not origin or not os.path.realpath(origin).startswith(prefix)


def resolve(module_name, function_name):
    """The named function of an imported (cached) module; a changed script file is reloaded first."""
    module = sys.modules.get(module_name)
    if module is None or module_name not in _script_stamps or _stamp(module) != _script_stamps[module_name]:
        with _import_lock:
            module = _load(module_name)
    return getattr(module, function_name)


def session_namespace(namespace, directory):
    """Prepares a new session's globals: SESSION_DIR is the session's own directory, as a pathlib.Path."""
    import pathlib
    namespace["SESSION_DIR"] = pathlib.Path(directory)


def describe(namespace, limit):
    """A session's globals for GET /sessions/{id}, names and types only (never values): the number of globals, then one
    "name<TAB>type" line per listed global. Double-underscore names, and keys that are no identifiers, are left out."""
    lines = []
    count = 0
    for name, value in list(namespace.items()):
        if name.__class__ is not str or name.startswith("__") or not name.isidentifier():
            continue
        count += 1
        if len(lines) < limit:
            kind = type(value)
            try:
                module, qualname = kind.__module__, kind.__qualname__
                label = qualname if module == "builtins" else f"{module}.{qualname}"
            except Exception:  # a class whose metaclass breaks these attributes still has a name
                label = "?"
            lines.append(f"{name}\t{label}")
    lines.insert(0, str(count))
    return "\n".join(lines)
