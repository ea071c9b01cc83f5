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
CODES = ("network", "process", "signal", "native", "import", "write", "read", "introspect")


class Violations:
    """What the student's code tried; ``take()`` empties it (once per call)."""

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


def install_audit_hook(scratch: str, violations: Violations) -> None:
    """Install the hook. ``scratch`` is the only directory the child may touch (as the child
    sees it: inside a chroot it is ``/scratch``)."""
    prefix = scratch.rstrip("/") + "/"
    realpath, fspath = os.path.realpath, os.fspath

    def inside(path: Any) -> bool:
        if isinstance(path, int):
            return True  # an already open descriptor
        try:
            full = realpath(fspath(path))
        except (TypeError, ValueError, OSError):
            return False
        if isinstance(full, bytes):
            full = os.fsdecode(full)
        return full == scratch or full.startswith(prefix)

    def deny(code: str, detail: str) -> None:
        violations.add(code, detail)
        raise PermissionError(f"[sandbox] {code} not allowed: {detail}")

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event == "open":
            path, mode, flags = (tuple(args) + (None, None))[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            if not inside(path):
                deny("write" if writing else "read", f"open({str(path)[:120]!r})")
        elif event == "import":
            root = str(args[0]).partition(".")[0]
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
                if isinstance(path, str | bytes | os.PathLike) and not inside(path):
                    deny("write", f"{event}({str(path)[:120]!r})")
        elif event in _READ:
            for path in args[:1]:
                if isinstance(path, str | bytes | os.PathLike) and not inside(path):
                    deny("read", f"{event}({str(path)[:120]!r})")
        elif event in _INTROSPECT:
            deny("introspect", event)
        elif event == "sys.addaudithook":
            raise _Refuse("audit hooks are managed by the grader")

    sys.addaudithook(hook)


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
    """Stands for ``subprocess`` and friends: using anything in it is a refused attempt."""

    def __init__(self, name: str, violations: Violations) -> None:
        super().__init__(name)
        self._violations = violations

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        module, violations = self.__name__, self._violations

        def refused(*args: Any, **kwargs: Any) -> None:
            violations.add("process", f"{module}.{name}")
            raise PermissionError(f"[sandbox] process not allowed: {module}.{name}")

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
            self.violations.add("import", f"import {fullname}")
            raise ModuleNotFoundError(f"[sandbox] import not allowed: {fullname}", name=fullname)
        if fullname in PROCESS_MODULES or root in PROCESS_MODULES:
            violations = self.violations
            return importlib.machinery.ModuleSpec(
                fullname, _Loader(lambda name: _ProcessStandIn(name, violations)))
        if self.is_test_module(fullname):
            return importlib.machinery.ModuleSpec(fullname, _Loader(_Shell), is_package=True)
        if fullname in sys.builtin_module_names:
            return None  # the builtin importer has it; nothing to read from disk
        raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


def install_finder(test_modules: frozenset[str], violations: Violations) -> None:
    for name in PROCESS_MODULES:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Finder(test_modules, violations))
    sys.path[:] = []
    sys.path_importer_cache.clear()


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
