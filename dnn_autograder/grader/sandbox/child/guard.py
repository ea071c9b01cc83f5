"""Python-level guards installed in a sandbox child right before student code runs.

* an audit hook (``sys.addaudithook``; it cannot be removed) that turns network use, process
  creation, signals, ctypes, imports of the grader and file access outside the scratch
  directory into a ``PermissionError`` whose text starts with ``[sandbox]`` and records the
  attempt, so the parent can say precisely what the code tried;
* an import finder that serves the course's test modules as harmless shells, refuses every
  module the worker did not load beforehand (same behaviour with or without a chroot) and
  stands in for process modules with objects whose use is such an attempt;
* placeholders for names whose import failed.

These are defence in depth: the kernel layers (see ``layers.py``) are the wall.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
import types
from typing import Any

#: Packages student code must never import.
GRADER_PACKAGES = frozenset({"dnn_autograder", "grader", "reference", "assignments", "hypothesis"})
#: Modules that exist only to start processes: imported, they are stand-ins whose use is refused.
PROCESS_MODULES = frozenset({"subprocess", "_posixsubprocess", "multiprocessing", "pty",
                             "_multiprocessing", "concurrent.futures.process"})
#: Modules that run native code: imported, they are stand-ins whose use is refused. (The worker
#: loaded ctypes for the kernel layers; ``forget_native`` removes it before student code runs.)
NATIVE_MODULES = frozenset({"ctypes", "_ctypes", "numpy.ctypeslib"})

_NETWORK = frozenset({"socket.__new__", "socket.connect", "socket.bind", "socket.sendto",
                      "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname",
                      "socket.gethostbyaddr", "socket.getnameinfo", "socket.sethostname"})
_PROCESS = frozenset({"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                      "os.forkpty", "subprocess.Popen", "pty.spawn", "os.startfile",
                      "webbrowser.open"})
_SIGNAL = frozenset({"os.kill", "os.killpg", "signal.pthread_kill"})
_INTROSPECT = frozenset({"gc.get_objects", "gc.get_referrers", "gc.get_referents"})
_WRITE = frozenset({"os.mkdir", "os.rmdir", "os.remove", "os.rename", "os.link", "os.symlink",
                    "os.truncate", "os.chmod", "os.chown", "os.utime", "os.chflags",
                    "os.lchflags", "os.setxattr", "os.removexattr", "shutil.rmtree",
                    "shutil.copyfile", "shutil.copymode", "shutil.copystat", "shutil.copytree",
                    "shutil.move", "shutil.chown", "shutil.make_archive",
                    "shutil.unpack_archive"})
_READ = frozenset({"os.listdir", "os.scandir", "glob.glob", "os.getxattr", "os.listxattr"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

#: Violation code -> what the parent says (the parent keeps its own copy of these words).
CODES = ("network", "process", "signal", "native", "import", "write", "read", "introspect",
         "tamper")
#: The child's end of the report channel (a SOCK_SEQPACKET socket): one message per refused
#: attempt, sent before the refusal reaches student code, so nothing the code does later can
#: take it back. The parent counts what arrives there.
REPORTS = 4
#: The child's exit status when its report channel was swapped or broken before a report.
TAMPER_STATUS = 73
#: Attributes whose reading yields a frame (audited as ``object.__getattr__``).
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
#: Library code allowed to look at frames: it only reads a module name, or formats a traceback.
_FRAME_READERS = ("collections", "typing", "enum", "dataclasses", "traceback", "warnings",
                  "linecache", "functools", "abc")
#: Of those, generators that hand frames to whoever iterates them: allowed only when that is
#: library code too (``traceback.format_exc`` may, the student's own loop may not).
_FRAME_LEAKERS = frozenset({"walk_tb", "walk_stack", "_walk_tb_with_full_positions"})
#: Events that reach into the interpreter's own machinery: always an attempt on the grader.
_TAMPER = frozenset({"sys._current_frames", "sys.settrace", "sys.setprofile",
                     "sys._settraceallthreads", "sys._setprofileallthreads"})

#: every event ``install_audit_hook``'s check looks at (and any ``ctypes.*``): the hook lets every
#: other event pass before doing anything else (``builtins.id`` alone is raised thousands of
#: times a call by the grader's own checks)
CHECKED_EVENTS = frozenset({"open", "sys._getframe", "object.__getattr__", "object.__setattr__", "import",
                            "sys.addaudithook"}) | _TAMPER | _NETWORK | _PROCESS | _SIGNAL | _WRITE | _READ \
    | _INTROSPECT


class Violations:
    """What the student's code tried, as the child itself saw it (``take()`` empties it once per
    call). Only a convenience for the child's own reply: the parent's record is the report
    channel, which student code cannot empty."""

    def __init__(self) -> None:
        self._seen: list[tuple[str, str]] = []

    def add(self, code: str, detail: str) -> None:
        if len(self._seen) < 20:
            self._seen.append((code, detail[:200]))

    def take(self) -> list[tuple[str, str]]:
        seen, self._seen = self._seen, []
        return seen


class _Refuse(RuntimeError):
    """Raised by the hook on ``sys.addaudithook``: the new hook is silently not added."""


def make_reporter(fd: int, real_exit: Any) -> Any:
    """``report(code, detail)``: one message on the report channel ``fd``, or, if that socket was
    swapped for something else or cannot take the message, the end of the child (status
    ``TAMPER_STATUS``). Uses only builtins captured now: later patches of ``os``, ``posix`` or
    ``builtins`` by student code do not reach it."""
    import posix

    write, fstat, set_blocking = posix.write, posix.fstat, posix.set_blocking
    try:
        first = fstat(fd)
        identity: tuple[int, int] | None = (first.st_dev, first.st_ino)
    except OSError:
        identity = None
    text, limit = str, 200

    def report(code: str, detail: str) -> None:
        message = (text(code) + "\0" + text(detail)[:limit]).encode("utf-8", "backslashreplace")
        try:
            now = fstat(fd)
            if identity is None or (now.st_dev, now.st_ino) != identity:
                raise OSError("the report channel was replaced")
            set_blocking(fd, True)
            write(fd, message)
        except BaseException:
            real_exit(TAMPER_STATUS)

    return report


_READERS: dict[tuple[int, ...], tuple[frozenset[int], frozenset[int], tuple[Any, ...]]] = {}


def frame_readers(extra: tuple[Any, ...] = ()) -> tuple[frozenset[int], frozenset[int], tuple[Any, ...]]:
    """(ids of the code objects allowed to read frames, ids of those that leak frames to their
    caller, the code objects themselves, kept alive so that their ids stay theirs). Computed
    once per ``extra`` (the worker calls this after ``hide_host_paths`` renamed the code, with
    the runner's own readers) and shared by the children it forks, which then neither rebuild
    nor touch these sets (a copy-on-write page fault per page of code objects); immutable."""
    key = tuple(id(code) for code in extra)
    if key not in _READERS:
        if () not in _READERS:
            _READERS[()] = _library_readers()
        readers, leakers, codes = _READERS[()]
        _READERS[key] = (readers | set(key), leakers, (*codes, *extra))
    return _READERS[key]


def _library_readers() -> tuple[frozenset[int], frozenset[int], tuple[Any, ...]]:
    codes: list[Any] = []
    seen: set[int] = set()

    def add(code: Any) -> None:
        if id(code) in seen:
            return
        seen.add(id(code))
        codes.append(code)
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                add(const)

    def scan(namespace: dict[str, Any], module: str, depth: int) -> None:
        for value in list(namespace.values()):
            function = getattr(value, "__func__", value)
            code = getattr(function, "__code__", None)
            if isinstance(code, types.CodeType) and getattr(function, "__module__", None) == module:
                add(code)
            elif isinstance(value, type) and value.__module__ == module and depth < 3:
                scan(dict(vars(value)), module, depth + 1)

    for name in _FRAME_READERS:
        module = sys.modules.get(name)
        if module is not None:
            scan(dict(vars(module)), name, 0)
    leakers = frozenset(id(c) for c in codes if c.co_name in _FRAME_LEAKERS)
    return frozenset(seen), leakers, tuple(codes)


def install_audit_hook(scratch: str, violations: Violations, report: Any,
                       trusted_code: tuple[Any, ...] = ()) -> None:
    """Install the hook. ``scratch`` is the only directory the child may touch (as the child
    sees it: inside a chroot it is ``/scratch``). Every refusal is first sent with ``report``.
    ``trusted_code``: the runner's own code objects that read frames (its traceback summary).

    Everything the hook relies on is captured here, before student code runs; the hook itself
    is referenced by nothing student code can reach."""
    import _thread
    import posix

    prefix = scratch.rstrip("/") + "/"
    fspath, getcwd, fsdecode = posix.fspath, posix.getcwd, os.fsdecode
    getframe, get_ident = sys._getframe, _thread.get_ident
    readers, leakers, keep = frame_readers(tuple(trusted_code))
    busy: set[int] = set()
    isinstance_, int_, str_, bytes_, tuple_ = isinstance, int, str, bytes, tuple
    exc_type = PermissionError

    def inside(path: Any) -> bool:
        if isinstance_(path, int_):
            return True  # an already open descriptor
        try:
            full = fspath(path)
            if isinstance_(full, bytes_):
                full = fsdecode(full)
            if not full.startswith("/"):
                full = getcwd() + "/" + full
        except BaseException:
            return False
        parts: list[str] = []
        for part in full.split("/"):  # lexically: the kernel layers refuse what links hide
            if part == "..":
                if parts:
                    parts.pop()
            elif part and part != ".":
                parts.append(part)
        full = "/" + "/".join(parts)
        return full == scratch or full.startswith(prefix)

    def deny(code: str, detail: str) -> None:
        report(code, detail)  # first: what happens next is up to the student's code
        violations.add(code, detail)
        raise exc_type(f"[sandbox] {code} not allowed: {detail}")

    def frames_allowed() -> bool:
        """Is the code that asked for a frame library code that keeps it to itself?"""
        frame = getframe(3)  # 0: here, 1: check, 2: the hook, 3: the code that asked
        code = frame.f_code
        if id(code) not in readers:
            return False
        if id(code) in leakers:  # a frame generator: who iterates it?
            consumer = frame.f_back
            return consumer is not None and id(consumer.f_code) in readers \
                and id(consumer.f_code) not in leakers
        return True

    def check(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = (tuple_(args) + (None, None))[:3]
            writing = (isinstance_(mode, str_) and any(c in mode for c in "wax+")) or (
                isinstance_(flags, int_) and flags & _WRITE_FLAGS)
            if not inside(path):
                deny("write" if writing else "read", f"open({str_(path)[:120]!r})")
        elif event == "sys._getframe" or (event == "object.__getattr__" and len(args) > 1
                                           and args[1] in _FRAME_ATTRIBUTES):
            if not frames_allowed():
                what = "sys._getframe" if event == "sys._getframe" else f"reading {args[1]}"
                deny("tamper", f"{what}: frames lead into the grader's runner")
        elif event == "object.__setattr__" and len(args) > 1 and args[1] == "__code__":
            deny("tamper", "replacing a function's __code__")
        elif event in _TAMPER:
            deny("tamper", event)
        elif event == "import":
            root = str_(args[0]).partition(".")[0]
            if root in GRADER_PACKAGES:
                deny("import", f"import {args[0]}")
        elif event in _NETWORK:
            deny("network", event)
        elif event in _PROCESS:
            deny("process", event)
        elif event in _SIGNAL:
            deny("signal", event)
        elif event.startswith("ctypes."):
            deny("native", event)
        elif event in _WRITE:
            for path in args:
                if isinstance_(path, str_ | bytes_ | os.PathLike) and not inside(path):
                    deny("write", f"{event}({str_(path)[:120]!r})")
        elif event in _READ:
            for path in args[:1]:
                if isinstance_(path, str_ | bytes_ | os.PathLike) and not inside(path):
                    deny("read", f"{event}({str_(path)[:120]!r})")
        elif event in _INTROSPECT:
            deny("introspect", event)
        elif event == "sys.addaudithook":
            report("tamper", "sys.addaudithook")
            raise _Refuse("audit hooks are managed by the grader")

    checked, prefix_of = CHECKED_EVENTS, str.startswith

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event not in checked and not prefix_of(event, "ctypes."):
            return  # an event ``check`` lets pass (``builtins.id``, ``exec``, ...): at once
        me = get_ident()
        if me in busy:  # the hook's own sys._getframe
            return
        busy.add(me)
        try:
            check(event, args)
        finally:
            busy.discard(me)

    hook.__keep__ = keep  # type: ignore[attr-defined]  # the readers' code objects stay alive
    sys.addaudithook(hook)


_audit = sys.audit


class _Shell(types.ModuleType):
    """A course test module: every public attribute is a function that does nothing."""

    __all__: list[str] = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)

        def nothing(*args: Any, **kwargs: Any) -> None:
            return None

        nothing.__name__ = name
        return nothing


class _ProcessStandIn(types.ModuleType):
    """Stands for ``subprocess`` and friends (``ctypes`` and friends for ``code="native"``):
    using anything in it is a refused attempt."""

    def __init__(self, name: str, violations: Violations, code: str = "process") -> None:
        super().__init__(name)
        self._violations = violations
        self._code = code

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        module, violations, code = self.__name__, self._violations, self._code
        event = "subprocess.Popen" if code == "process" else "ctypes.dlopen"

        def refused(*args: Any, **kwargs: Any) -> None:
            _audit(event, f"{module}.{name}")  # the hook reports and refuses it
            violations.add(code, f"{module}.{name}")
            raise PermissionError(f"[sandbox] {code} not allowed: {module}.{name}")

        return refused


class _Loader(importlib.abc.Loader):
    def __init__(self, factory: Any) -> None:
        self.factory = factory

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return self.factory(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        return None


class Finder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path`` in the child; see the module docstring."""

    def __init__(self, test_modules: frozenset[str], violations: Violations) -> None:
        self.test_modules = test_modules
        self.violations = violations

    def is_test_module(self, name: str) -> bool:
        root = name.partition(".")[0]
        return (root in self.test_modules or root.startswith(("test", "Test", "public_tests"))
                or root in {"test_cases", "testCase", "testcases"})

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        root = fullname.partition(".")[0]
        if root in GRADER_PACKAGES:
            _audit("import", fullname, None, None, None)  # the hook reports and refuses it
            self.violations.add("import", f"import {fullname}")
            raise ModuleNotFoundError(f"[sandbox] import not allowed: {fullname}", name=fullname)
        if fullname in PROCESS_MODULES or root in PROCESS_MODULES:
            violations = self.violations
            return importlib.machinery.ModuleSpec(
                fullname, _Loader(lambda name: _ProcessStandIn(name, violations)))
        if fullname in NATIVE_MODULES or root in NATIVE_MODULES:
            violations = self.violations
            return importlib.machinery.ModuleSpec(
                fullname, _Loader(lambda name: _ProcessStandIn(name, violations, "native")))
        if self.is_test_module(fullname):
            return importlib.machinery.ModuleSpec(fullname, _Loader(_Shell), is_package=True)
        if fullname in sys.builtin_module_names:
            return None  # the builtin importer has it; nothing to read from disk
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


def install_finder(test_modules: frozenset[str], violations: Violations) -> None:
    for name in [*PROCESS_MODULES, *NATIVE_MODULES]:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Finder(test_modules, violations))
    sys.path[:] = []
    sys.path_importer_cache.clear()


def forget_native() -> None:
    """Make the ctypes the worker loaded (for the kernel layers) unreachable by name: out of
    ``sys.modules`` and numpy, its module emptied, and its classes out of ``object``'s and
    ``type``'s subclass lists (``unlist_native_classes``, which the worker already ran before
    forking, so that no child walks those lists: one copy-on-write fault per class it touches).
    The C extension stays mapped; see SECURITY.md for what that leaves."""
    ctypes = sys.modules.get("ctypes")
    if ctypes is None:
        return
    if not _UNLISTED:
        try:
            unlist_native_classes()
        except Exception:
            pass
    remembered = _NATIVE_NAMES[0] if _NATIVE_NAMES else None
    # a module imported since (none should be) changes the count: then look again
    names = remembered[1] if remembered and remembered[0] == len(sys.modules) else native_module_names()
    for name in names:
        module = sys.modules.pop(name, None)
        if module is not None and name != "_ctypes":
            vars(module).clear()
    internal = sys.modules.get("numpy._core._internal") or sys.modules.get("numpy.core._internal")
    if internal is not None and getattr(internal, "ctypes", None) is not None:
        internal.ctypes = None  # type: ignore[attr-defined]  # numpy then uses its pure-Python stand-in


#: Set (to the number of classes removed) once ``unlist_native_classes`` ran in this process.
_UNLISTED: list[int] = []
#: ``[(len(sys.modules), names)]``: ``native_module_names()`` as the worker found them once it
#: could import nothing more (``remember_native_modules``), so that no child walks
#: ``sys.modules`` for them (a copy-on-write fault per page of module names it touches: ~140
#: faults, ~0.45 ms per child).
_NATIVE_NAMES: list[tuple[int, tuple[str, ...]]] = []


def native_module_names() -> tuple[str, ...]:
    """The names in ``sys.modules`` of ctypes, its submodules and ``_ctypes``."""
    return tuple(n for n in sys.modules if n == "_ctypes" or n.partition(".")[0] == "ctypes")


def remember_native_modules() -> tuple[str, ...]:
    """Record ``native_module_names()`` for ``forget_native`` in the children. Only for the
    worker, once ``hide_host_paths`` left it unable to import anything new from disk (its
    ``sys.path`` names no real directory), so no ctypes module can appear after this; should
    one appear all the same, ``sys.modules`` no longer has the size recorded here and
    ``forget_native`` looks for them again."""
    names = native_module_names()
    _NATIVE_NAMES[:] = [(len(sys.modules), names)]
    return names


def unlist_native_classes() -> int:
    """Remove the ctypes classes from the subclass registry of ``object`` and ``type``; returns
    how many were removed. Safe in the worker, which still uses ctypes: the registries only
    serve ``__subclasses__()`` and slot updates on ``object``/``type``, which cannot be set.
    New ctypes types (arrays, function pointers) derive from ctypes bases, never directly from
    ``object`` or ``type``, so the lists stay clean."""
    ctypes = sys.modules.get("ctypes")
    removed = _unlist_subclasses(ctypes) if ctypes is not None else 0
    _UNLISTED.append(removed)
    return removed


def _unlist_subclasses(ctypes: Any) -> int:
    """Remove the ctypes classes from the subclass registry of ``object`` and ``type`` (CPython
    3.11 layout: ``tp_subclasses`` is a dict right after ``tp_bases``, ``tp_mro`` and
    ``tp_cache``; checked against ``tp_bases``/``tp_mro`` before anything is touched)."""
    if sys.version_info[:2] != (3, 11) or sys.maxsize < 2 ** 62:
        return 0
    pointer = ctypes.c_void_p
    removed = 0
    for base in (object, type):
        slots = (ctypes.c_void_p * 48).from_address(id(base))
        at = next((i for i in range(20, 46) if slots[i] == id(base.__bases__)
                   and slots[i + 1] == id(base.__mro__)), None)
        if at is None or not slots[at + 3]:
            continue
        registry = ctypes.cast(pointer(slots[at + 3]), ctypes.py_object).value
        if not isinstance(registry, dict):
            continue
        for key, ref in list(registry.items()):
            cls = ref() if callable(ref) else None
            module = getattr(cls, "__module__", "")
            module = module if isinstance(module, str) else ""  # a metaclass's may be a descriptor
            if module == "_ctypes" or module.partition(".")[0] == "ctypes":
                del registry[key]
                removed += 1
    return removed


class Missing:
    """Bound to a name whose import failed: using it raises ImportError with ``message``."""

    def __init__(self, message: str) -> None:
        object.__setattr__(self, "_message", message)

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise ImportError(object.__getattribute__(self, "_message"))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        self._fail()

    __call__ = __getitem__ = __iter__ = __len__ = _fail

    def __repr__(self) -> str:
        return "<unavailable import>"


def missing_message(exc: ImportError) -> str:
    """``"module 'sklearn' is not available to the grader; ..."`` for a failed import."""
    if isinstance(exc, ModuleNotFoundError) and exc.name:
        what = f"module {exc.name!r} is"
    else:
        what = f"{str(exc)[:200]!r}: that name is"
    return f"{what} not available to the grader; code that uses it cannot run here"
