"""The sandbox worker ("zygote"): imports what student code needs once, then forks one child
per student session.

Process tree for one session (see SECURITY.md)::

    grader (parent) --Popen--> zygote --fork--> intermediate --fork--> child (runs student code)

The intermediate unshares the namespaces (so the child is pid 1 of a fresh pid namespace and has
no network), waits for the child, kills whatever it left behind and reports its exit status and
CPU time to the zygote over a pipe. As root with a pid namespace there is no intermediate: the
zygote clones the child straight into its namespaces and waits for it itself (its pidfd, then
``wait4``)::

    grader (parent) --Popen--> zygote --clone(new pid, net, IPC, mount ns)--> child

One child (and its intermediate) is forked ahead of time (the "spare"); a session hands the
spare its socket (from the parent) and settings, then the child applies its own layers and runs
``runner``. The parent talks to the child directly.

A zygote may serve several grader processes (a class batch's workers), each over a control
socket of its own (``config["fds"]``): each is a client with its own sessions, which only it
can wait for; a client that closes its socket (or dies) has its children killed, and the
zygote exits when the last one is gone.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import select
import shutil
import signal
import socket
import sys
import types
from dataclasses import dataclass
from typing import Any

from . import guard, intermediate, layers, runner

#: Imported once here, so student code finds them after the child loses access to the disk.
#: (Not numpy.testing: it drags in subprocess and unittest; graded functions do not use it.)
PRELOAD = (
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial", "numpy.ma",
    "numpy.dtypes", "numpy.exceptions", "math", "cmath", "copy", "random", "itertools",
    "functools", "collections", "collections.abc", "typing", "time", "warnings", "operator",
    "statistics", "dataclasses", "json", "re", "string", "numbers", "decimal", "fractions",
    "heapq", "bisect", "array", "enum", "abc", "contextlib", "textwrap", "pprint", "traceback",
    "linecache", "datetime", "types", "io", "struct", "threading", "queue", "weakref",
    "keyword", "base64", "zlib", "zipfile", "hashlib", "signal", "resource", "ctypes", "socket",
    "encodings.idna", "encodings.ascii", "encodings.latin_1", "encodings.utf_16",
    "encodings.utf_32", "encodings.unicode_escape", "encodings.raw_unicode_escape",
    "encodings.cp437",
)
#: The next child is forked once the worker has had no request for this long (not while a
#: session that just started is busy loading).
SPARE_AFTER_IDLE_S = 0.01
DEFAULT_TEST_MODULES = ("testCases", "testCases_v2", "public_tests", "test_utils")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def warm(config: dict[str, Any]) -> dict[str, Any]:
    """Import everything, register the course modules under their course names."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    errors = []
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError as exc:
            errors.append(f"{name}: {exc}")
    course: dict[str, str] = {}
    tests: tuple[str, ...] = DEFAULT_TEST_MODULES
    if config.get("helpers"):
        try:
            course, tests = _load_helpers(config["helpers"], errors)
        except Exception as exc:
            errors.append(f"course_helpers: {type(exc).__name__}: {exc}")
    import random

    import numpy

    numpy.random.seed(0)
    random.seed(0)
    hide_host_paths(config.get("helpers"))
    try:
        guard.unlist_native_classes()  # once, for every child (see guard.forget_native)
    except Exception as exc:  # each child then tries again (guard.forget_native)
        errors.append(f"unlisting the ctypes classes: {type(exc).__name__}: {exc}")
    runner.warm()  # after the renaming, which replaced the code
    gc.collect()
    gc.freeze()  # forked children share these pages instead of copying them on first touch
    return {"course": course, "tests": sorted(set(tests) | set(DEFAULT_TEST_MODULES)),
            "errors": errors}


#: Neutral names for the host's directories, as the child sees them.
NEUTRAL_PYTHON, NEUTRAL_STDLIB, NEUTRAL_PACKAGES = "/python", "/python/lib", "/python/packages"
NEUTRAL_COURSE, NEUTRAL_SANDBOX, NEUTRAL_OTHER = "/course", "/sandbox", "/python/other"


def hide_host_paths(helpers: str | None) -> None:
    """Rename, once in the worker, every host path a child could print: ``sys.executable``,
    the prefixes, ``sys.path``/``sys.argv``, each module's ``__file__``/``__path__``/spec/loader,
    the file names in every loaded function's code (tracebacks), ``LD_LIBRARY_PATH``. Where the
    grader and Python are installed is then not the student's to know (no chroot needed)."""
    import numpy

    roots: dict[str, str] = {}

    def root(path: str | None, name: str) -> None:
        if path:
            for variant in {os.path.abspath(path), os.path.realpath(path)}:
                roots.setdefault(variant.rstrip("/") or "/", name)

    root(os.path.dirname(os.__file__), NEUTRAL_STDLIB)
    root(os.path.dirname(os.path.dirname(numpy.__file__)), NEUTRAL_PACKAGES)
    root(helpers, NEUTRAL_COURSE)
    root(os.path.dirname(os.path.abspath(__file__)), NEUTRAL_SANDBOX)
    for prefix in (sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix):
        root(prefix, NEUTRAL_PYTHON)
    ordered = sorted(roots.items(), key=lambda item: len(item[0]), reverse=True)

    def neutral(path: Any) -> Any:
        if not isinstance(path, str) or not path.startswith("/"):
            return path
        for host, name in ordered:
            if path == host or path.startswith(host + "/"):
                return name + path[len(host):]
        return f"{NEUTRAL_OTHER}/{os.path.basename(path)}"

    sys.executable = sys._base_executable = f"{NEUTRAL_PYTHON}/bin/python3"  # type: ignore[attr-defined]
    sys.prefix = sys.exec_prefix = sys.base_prefix = sys.base_exec_prefix = NEUTRAL_PYTHON
    sys._stdlib_dir = NEUTRAL_STDLIB  # type: ignore[attr-defined]
    sys.path[:] = [neutral(path) for path in sys.path]
    sys.argv[:] = ["submission"]
    sys.orig_argv[:] = ["python3"]  # type: ignore[attr-defined]
    sys.path_importer_cache.clear()
    os.environ.pop("LD_LIBRARY_PATH", None)
    for module in list(sys.modules.values()):
        _rename_module(module, neutral)
    renamed: dict[int, tuple[Any, Any]] = {}
    for thing in gc.get_objects():
        if isinstance(thing, types.FunctionType):
            thing.__code__ = _renamed_code(thing.__code__, neutral, renamed)
    import linecache

    linecache.clearcache()


def _rename_module(module: Any, neutral: Any) -> None:
    namespace = getattr(module, "__dict__", None)
    if not isinstance(namespace, dict):
        return
    for name in ("__file__", "__cached__"):
        if isinstance(namespace.get(name), str):
            namespace[name] = neutral(namespace[name])
    if isinstance(namespace.get("__path__"), list):
        namespace["__path__"][:] = [neutral(path) for path in namespace["__path__"]]
    for holder in (namespace.get("__spec__"), namespace.get("__loader__")):
        if holder is None:
            continue
        for name in ("origin", "path", "cached"):
            try:
                value = getattr(holder, name, None)
                if isinstance(value, str):
                    setattr(holder, name, neutral(value))
            except (AttributeError, TypeError):
                pass
        locations = getattr(holder, "submodule_search_locations", None)
        if isinstance(locations, list):
            locations[:] = [neutral(path) for path in locations]
    spec = namespace.get("__spec__")
    loader = getattr(spec, "loader", None)
    if loader is not None and isinstance(getattr(loader, "path", None), str):
        try:
            loader.path = neutral(loader.path)
        except (AttributeError, TypeError):
            pass


def _renamed_code(code: types.CodeType, neutral: Any,
                  done: dict[int, tuple[Any, Any]]) -> types.CodeType:
    """``code`` (and the code objects nested in it) with a neutral ``co_filename``. ``done``
    maps id -> (code, renamed), keeping both alive so that no id is reused meanwhile."""
    if id(code) in done:
        return done[id(code)][1]
    consts = tuple(_renamed_code(c, neutral, done) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    new = code.replace(co_filename=neutral(code.co_filename), co_consts=consts)
    done[id(code)] = (code, new)
    done[id(new)] = (new, new)
    return new


def _load_helpers(path: str, errors: list[str]) -> tuple[dict[str, str], tuple[str, ...]]:
    init = os.path.join(path, "__init__.py")
    spec = importlib.util.spec_from_file_location("course_helpers", init,
                                                  submodule_search_locations=[path])
    if spec is None or spec.loader is None:
        raise ImportError(f"no package at {path}")
    package = importlib.util.module_from_spec(spec)
    sys.modules["course_helpers"] = package
    spec.loader.exec_module(package)
    loaded = {}
    for alias, target in dict(getattr(package, "COURSE_MODULES", {})).items():
        # a dotted alias ("common.functions") is a submodule of an alias registered before it
        parts = str(alias).split(".")
        if not all(part.isidentifier() for part in parts) or parts[0] in guard.GRADER_PACKAGES:
            errors.append(f"{alias}: not a usable module name")
            continue
        try:
            sys.modules[alias] = importlib.import_module(target, "course_helpers")
            loaded[alias] = target
        except Exception as exc:
            errors.append(f"{alias} ({target}): {type(exc).__name__}: {exc}")
    return loaded, tuple(getattr(package, "TEST_MODULES", DEFAULT_TEST_MODULES))


@dataclass
class Tracked:
    """An intermediate and its child: a spare waiting for a session, or a session's."""

    ipid: int  #: the intermediate; with ``direct``, the child itself
    pipe: int  #: the intermediate's reports: {"pid", "layers"}, then {"status", "cpu"}; with
    #: ``direct``, a pidfd of the child (readable once it exited)
    assign: socket.socket | None = None  #: where a spare child receives its session
    root: str | None = None  #: the session's directory (removed here if the parent vanishes)
    started: dict[str, Any] | None = None
    pidfd: int | None = None
    pending: bytes = b""
    status: dict[str, Any] | None = None
    direct: bool = False  #: cloned by the zygote straight into its namespaces (no intermediate)


class Zygote:
    def __init__(self, ctls: list[socket.socket], config: dict[str, Any], world: dict[str, Any]) -> None:
        self.config, self.world = config, world
        self.clients = {ctl.fileno(): ctl for ctl in ctls}  #: the control sockets, by descriptor
        self.ctl = ctls[0]  #: the client whose request is being handled
        self.tracked: dict[tuple[int, int], Tracked] = {}  #: by (client's descriptor, session id)
        self.spare: Tracked | None = None
        #: (clone flags, namespace layers) while children can be cloned straight into them
        self.direct = intermediate.direct_flags(set(config.get("disable", ())))

    def reply(self, message: dict[str, Any]) -> None:
        self.ctl.send(json.dumps(message).encode())

    def loop(self) -> None:
        while True:
            watching = {t.pipe: t for t in self.tracked.values() if t.status is None}
            if self.spare is not None:
                watching[self.spare.pipe] = self.spare
            idle = 5.0 if self.spare is not None else SPARE_AFTER_IDLE_S
            readable, _, _ = select.select([*self.clients, *watching], [], [], idle)
            if not readable and self.spare is None:  # quiet: prepare the next child now
                self.spare = self.make_spare()
            for fd in readable:
                if fd in self.clients:
                    self.ctl = self.clients[fd]
                    self.handle()
                elif watching[fd] is self.spare:
                    self.watch_spare()
                elif watching[fd].status is None:  # handle() may have collected it already
                    self.collect(watching[fd])
            self.reap()

    def handle(self) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(self.ctl, 1 << 16, 4)
        except OSError:
            message, fds = b"", []
        if not message:
            self.drop()
            return
        request = json.loads(message)
        op = request.get("op")
        if op == "spawn":
            self.spawn(request, fds)
        elif op == "wait":
            self.wait(int(request["sid"]), float(request.get("timeout", 5.0)))
        elif op == "ping":
            self.ping()
        else:
            self.drop()

    def drop(self) -> None:
        """The current client is gone (or sent nonsense): kill its children and forget it; the
        last client gone, exit (:meth:`shutdown`)."""
        fd = self.ctl.fileno()
        del self.clients[fd]
        if not self.clients:
            self.shutdown()
        mine = [key for key in self.tracked if key[0] == fd]
        for key in mine:
            self._end(self.tracked[key])
        for key in mine:
            self._end(self.tracked.pop(key), collect=True)
        self.ctl.close()

    # --- children --------------------------------------------------------------------------
    def make_spare(self) -> Tracked:
        """Fork the next intermediate and child now (namespaces made, child waiting), so that
        a session only has to hand it its socket and settings."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        if self.direct is not None:
            spare = self.clone_spare(ours, theirs)
            if spare is not None:
                return spare
        read_end, write_end = os.pipe()
        ipid = os.fork()
        if ipid == 0:
            try:
                os.close(read_end)
                intermediate.run(theirs.fileno(), write_end, self.config, self.world)
            finally:
                os._exit(70)
        theirs.close()
        os.close(write_end)
        return Tracked(ipid, read_end, assign=ours)

    def clone_spare(self, ours: socket.socket, theirs: socket.socket) -> Tracked | None:
        """The spare child cloned straight into its namespaces (``intermediate.direct_flags``):
        one fork less per session. None (and the intermediate from now on) if the kernel
        refuses the namespaces."""
        assert self.direct is not None
        flags, active = self.direct
        pid = layers.fork_into(flags)
        if pid == 0:
            try:
                ours.close()
                intermediate.run_direct(theirs.fileno(), active, self.config, self.world)
            finally:
                os._exit(70)
        if pid < 0:
            self.direct = None
            return None
        theirs.close()
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:  # no pidfds (Linux < 5.3): the intermediate reports instead
            self.direct = None
            _kill(pid)
            _reap(pid)
            return None
        return Tracked(pid, pidfd, assign=ours, started={"pid": pid, "layers": list(active)},
                       pidfd=pidfd, direct=True)

    def watch_spare(self) -> None:
        spare = self.spare
        assert spare is not None
        if spare.started is None:
            spare.started = self.read_line(spare, 0.0)
            if spare.started is not None:
                return
        self.spare = None  # it died before being used
        self._discard(spare)

    def _discard(self, spare: Tracked) -> None:
        _kill(spare.ipid)
        if spare.assign is not None:
            spare.assign.close()
        self.collect(spare)

    def spawn(self, request: dict[str, Any], fds: list[int]) -> None:
        passed = fds[:2]  # the channel and, when sent, the report channel
        for fd in fds[2:]:
            os.close(fd)
        spare, self.spare = self.spare or self.make_spare(), None
        try:
            if spare.started is None:
                spare.started = self.read_line(spare, 10.0)
            if spare.started is None or spare.assign is None:
                raise OSError("the sandbox child did not start")
            socket.send_fds(spare.assign, [json.dumps(request).encode()], passed)
        except OSError as exc:
            self._discard(spare)
            self.reply({"ok": False, "error": str(exc)})
            return
        finally:
            for fd in passed:
                os.close(fd)
        spare.assign.close()
        spare.assign = None
        spare.root = str(request.get("root"))
        try:  # a handle on the child itself, never on a process that later reuses its pid
            if not spare.direct:
                spare.pidfd = os.pidfd_open(int(spare.started["pid"]))
        except OSError:
            spare.pidfd = None
        self.tracked[(self.ctl.fileno(), int(request["sid"]))] = spare
        self.reply({"ok": True, "pid": spare.started["pid"], "ipid": spare.ipid,
                    "layers": spare.started["layers"]})

    def ping(self) -> None:
        """Alive; and the spare's processes (for tests that look for stray processes)."""
        if self.spare is None:
            self.spare = self.make_spare()
        if self.spare.started is None:
            self.spare.started = self.read_line(self.spare, 2.0)
        spare = [self.spare.ipid, (self.spare.started or {}).get("pid")]
        self.reply({"ok": True, "pid": os.getpid(), "spare": spare})

    def read_line(self, tracked: Tracked, timeout: float) -> dict[str, Any] | None:
        while b"\n" not in tracked.pending:
            if not select.select([tracked.pipe], [], [], timeout)[0]:
                return None
            chunk = os.read(tracked.pipe, 4096)
            if not chunk:
                return None
            tracked.pending += chunk
        line, _, tracked.pending = tracked.pending.partition(b"\n")
        return json.loads(line)

    def collect(self, tracked: Tracked, reap: bool = True) -> None:
        """The intermediate reported (or died): keep the child's status, and reap the
        intermediate (later, with ``reap=False``: its namespaces take a while to go)."""
        if tracked.status is not None:
            return
        if tracked.direct:
            try:
                _, status, usage = os.wait4(tracked.ipid, 0)
                tracked.status = {"status": status, "cpu": usage.ru_utime + usage.ru_stime,
                                  "maxrss": usage.ru_maxrss}
            except ChildProcessError:
                tracked.status = {"status": None}
            os.close(tracked.pipe)
            tracked.pidfd = None  # the same descriptor
            return
        line = self.read_line(tracked, 0.0)
        os.close(tracked.pipe)
        if tracked.pidfd is not None:
            os.close(tracked.pidfd)
            tracked.pidfd = None
        raw = _reap(tracked.ipid) if reap or line is None else None
        tracked.status = line if line is not None else {"status": None, "intermediate": raw}

    def wait(self, sid: int, timeout: float) -> None:
        tracked = self.tracked.get((self.ctl.fileno(), sid))
        if tracked is None:
            self.reply({"ok": False, "error": "unknown session"})
            return
        if tracked.status is None:
            if select.select([tracked.pipe], [], [], timeout)[0]:
                self.collect(tracked, reap=False)
            else:
                self.reply({"ok": False, "pending": True, "ipid": tracked.ipid})
                return
        del self.tracked[(self.ctl.fileno(), sid)]
        self.reply({"ok": True, **(tracked.status or {})})
        if not tracked.direct:
            _reap(tracked.ipid)  # after the reply: the parent need not wait for the teardown

    def reap(self) -> None:
        """Reap exited intermediates; a child cloned directly is left to ``collect``, which
        needs its status and CPU time (it is collected as soon as its pidfd is readable)."""
        direct = {t.ipid for t in [*self.tracked.values(), self.spare]
                  if t is not None and t.direct and t.status is None}
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid in direct:
                return
            _reap(info.si_pid)

    def shutdown(self) -> None:
        """Kill every child (their intermediates reap them), then the intermediates."""
        if self.spare is not None:
            self._discard(self.spare)
        for tracked in self.tracked.values():
            self._end(tracked)
        for tracked in self.tracked.values():
            self._end(tracked, collect=True)
        os._exit(0)

    def _end(self, tracked: Tracked, collect: bool = False) -> None:
        """Kill a session's child (``collect``: then collect it and remove its directory, which
        is normally the parent's job, after the child is gone)."""
        if not collect:
            if tracked.pidfd is not None and tracked.status is None:
                try:
                    signal.pidfd_send_signal(tracked.pidfd, signal.SIGKILL)
                except OSError:
                    pass
            return
        if tracked.status is None:
            self.collect(tracked)
        if tracked.root:
            shutil.rmtree(tracked.root, ignore_errors=True)


def _reap(pid: int) -> int | None:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def main(config: dict[str, Any]) -> None:
    """Warm up, tell every client (``config["fds"]``, or the one ``config["fd"]``) whether that
    worked, and serve them."""
    ctls = [socket.socket(fileno=int(fd)) for fd in config.get("fds") or [config["fd"]]]
    try:
        world = warm(config)
    except BaseException as exc:
        for ctl in ctls:
            _tell(ctl, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the grader's terminal: parent's job
    ready = {"ok": True, "pid": os.getpid(), "course": world["course"], "errors": world["errors"],
             "version": list(sys.version_info[:2]), "release": sys.version.split()[0]}
    serving = [ctl for ctl in ctls if _tell(ctl, ready)]
    if not serving:
        os._exit(0)
    Zygote(serving, config, world).loop()


def _tell(ctl: socket.socket, message: dict[str, Any]) -> bool:
    """Send ``message`` on a control socket; False (and the socket closed) when its client is
    gone already."""
    try:
        ctl.send(json.dumps(message).encode())
        return True
    except OSError:
        ctl.close()
        return False
