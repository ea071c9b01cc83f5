"""Starting the sandbox's warm worker (the "zygote") early, from a module that imports only the
standard library.

A :class:`~dnn_autograder.grader.sandbox.Sandbox` execs its zygote (``python -s -S -P boot.py``:
a fresh interpreter that imports numpy and the course helpers, ~0.17 s of CPU) when it is built,
and its first session waits for it. A process that knows early that it will build one (``grade``
when it is given a submission or a class) calls :func:`start_early` before its own imports, so
that the zygote starts while that process imports the grader (and, for a class, while the
batch's fork server warms it); :class:`Sandbox` then takes it (:func:`take`) instead of
starting one. The batch hands one to each local worker it starts (:func:`hand_over`, passed with
the worker's arguments; the worker :func:`adopt`\\ s it before it builds its engine), since the
workers are forked only once the fork server has imported and warmed the grader. Several
zygotes started at once are one zygote with a control socket for each (it serves each socket
as a client of its own: ``child/zygote.py``), so a batch of N workers pays for one start.

Nothing about the zygote changes: it is the same command and environment (:func:`launch`),
exec'd by a trusted grader process, and it has never held any grader state. Each of its control
sockets is held by one process at a time: the one that started it until it hands it over (it
closes its own copy then), after that the worker that adopted it. The process that
started a zygote is its parent and reaps it (:func:`release`); the adopting worker watches it
through a pidfd (:class:`_Foreign`), which stays valid because the parent reaps only after the
worker is done. This module is outside the ``sandbox`` package because that package's
``__init__`` imports numpy.
"""

from __future__ import annotations

import importlib.util
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

CHILD_DIR = Path(__file__).with_name("sandbox") / "child"
#: how long :func:`release` waits for a zygote whose control socket is closed to exit
EXIT_WAIT_S = 5.0


class LaunchError(OSError):
    """The zygote could not be started (the message says why)."""


def launch(helpers: str | None, disable: Iterable[str], clients: int = 1) -> tuple[Any, list[socket.socket]]:
    """Exec a zygote (``python -s -S -P boot.py CONFIG``, minimal environment, cwd ``/``, only its
    ends of ``clients`` SEQPACKET socketpairs passed): ``(Popen, our end of each control socket)``.

    Raises:
        LaunchError: numpy is not installed, or this Python cannot be executed.
    """
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET) for _ in range(max(1, clients))]
    ours, theirs = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    try:
        paths = library_paths()
    except LaunchError:
        for sock in ours + theirs:
            sock.close()
        raise
    config = {"fds": [sock.fileno() for sock in theirs], "paths": paths, "helpers": helpers,
              "disable": sorted(disable)}
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "TZ": "UTC",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    if "LD_LIBRARY_PATH" in os.environ:  # this interpreter may need it to find libpython
        env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    debug = os.environ.get("GRADER_SANDBOX_DEBUG")
    try:
        process = subprocess.Popen(
            [sys.executable, "-s", "-S", "-P", str(CHILD_DIR / "boot.py"), json.dumps(config)],
            pass_fds=tuple(sock.fileno() for sock in theirs), env=env, stdin=subprocess.DEVNULL,
            stdout=None if debug else subprocess.DEVNULL,
            stderr=None if debug else subprocess.DEVNULL, cwd="/")
    except OSError as exc:
        for sock in ours:
            sock.close()
        raise LaunchError(f"cannot start the sandbox worker with {sys.executable}: "
                          f"{exc}; check that this Python can be executed") from exc
    finally:
        for sock in theirs:
            sock.close()
    return process, ours


def library_paths() -> list[str]:
    """Where numpy lives (the zygote runs with -S, so no site-packages by default)."""
    spec = importlib.util.find_spec("numpy")
    if spec is None or spec.origin is None:
        raise LaunchError("numpy is not installed for this Python")
    return [str(Path(spec.origin).parent.parent)]


def helpers_path(helpers: str | os.PathLike[str] | None = None) -> str | None:
    """The folder of the course helper package: ``helpers`` resolved, or the installed
    ``course_helpers`` (None when there is none)."""
    if helpers is not None:
        return str(Path(helpers).resolve())
    spec = importlib.util.find_spec("dnn_autograder.course_helpers")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(list(spec.submodule_search_locations)[0]).resolve())


class Early:
    """A zygote started before the Sandbox that uses it: its process (a ``Popen`` in the process
    that started it, a :class:`_Foreign` in one that adopted it), our end of one of its control
    sockets, the configuration it was started with (a Sandbox takes only a zygote of its own
    configuration), and whether it serves other clients too (``shared``: then a Sandbox closing
    its socket does not wait for the zygote to exit). Sent to another process with
    ``multiprocessing`` (the socket travels as a descriptor); never pickled otherwise."""

    def __init__(self, process: Any, sock: socket.socket, helpers: str | None,
                 disable: frozenset[str], started: float, shared: bool = False) -> None:
        self.process, self.sock = process, sock
        self.helpers, self.disable, self.started = helpers, frozenset(disable), started
        self.shared = shared
        self.owner = os.getpid()

    def fits(self, helpers: str | None, disable: Iterable[str]) -> bool:
        return self.helpers == helpers and self.disable == frozenset(disable) and self.owner == os.getpid()

    def __reduce__(self) -> tuple[Any, ...]:
        return _adopted, (self.sock, self.process.pid, self.helpers, sorted(self.disable), self.shared)


def _adopted(sock: socket.socket, pid: int, helpers: str | None, disable: list[str], shared: bool) -> Early:
    return Early(_Foreign(pid), sock, helpers, frozenset(disable), time.monotonic(), shared)


class _Foreign:
    """The part of ``Popen``'s interface a Sandbox uses (``pid``, ``poll``, ``kill``, ``wait``),
    for a zygote this process did not start: watched and killed through a pidfd (it is not our
    child, so its exit status is not ours to read: ``returncode`` is -1 once it exited)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except OSError:  # already gone (or no pidfds): treated as dead, a new zygote replaces it
            self._pidfd, self.returncode = None, -1

    def poll(self) -> int | None:
        if self.returncode is None and self._pidfd is not None and select.select([self._pidfd], [], [], 0)[0]:
            self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.poll() is None:
            assert self._pidfd is not None
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired([str(self.pid)], timeout or 0.0)
            self.returncode = -1
        return self.returncode if self.returncode is not None else -1

    def kill(self) -> None:
        if self._pidfd is not None and self.poll() is None:
            try:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            except OSError:
                pass

    def __del__(self) -> None:
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None


_waiting: list[Early] = []  #: started or adopted here, not yet taken by a Sandbox
_handed: list[Any] = []  #: Popen of zygotes started here and handed over (reaped by :func:`release`)


def start_early(count: int, helpers: str | None = None, disable: Iterable[str] = ()) -> int:
    """Make sure ``count`` zygote clients of this configuration (``helpers``: see
    :func:`helpers_path`) are waiting in this process (not taken yet), starting one zygote with
    as many control sockets as are missing; how many were added. Best effort: a zygote that
    cannot be started is left to the Sandbox, which reports why."""
    path, off = helpers_path(helpers), frozenset(disable)
    missing = count - sum(early.fits(path, off) for early in _waiting)
    if missing <= 0:
        return 0
    try:
        process, socks = launch(path, off, clients=missing)
    except OSError:
        return 0
    now = time.monotonic()
    _waiting.extend(Early(process, sock, path, off, now, shared=missing > 1) for sock in socks)
    return missing


def take(helpers: str | None, disable: Iterable[str]) -> Early | None:
    """A zygote waiting in this process with this configuration (``helpers`` resolved), for a
    Sandbox to use; None when there is none."""
    for index, early in enumerate(_waiting):
        if early.fits(helpers, disable):
            return _waiting.pop(index)
    return None


def hand_over() -> Early | None:
    """A zygote waiting in this process, to send to another (a worker) with its arguments; call
    :func:`handed` once it is sent. None when there is none."""
    return _waiting.pop(0) if _waiting and _waiting[0].owner == os.getpid() else None


def handed(early: Early) -> None:
    """``early`` was sent to another process: close our copy of its control socket (the other
    process's copy is the only one left: the zygote drops that client when that process closes
    it or dies, and exits with its last client) and keep its process to reap (:func:`release`)."""
    early.sock.close()
    if not any(process is early.process for process in _handed):
        _handed.append(early.process)


def adopt(early: Early) -> None:
    """Keep ``early`` (received from the process that started it) for this process's Sandbox."""
    early.owner = os.getpid()
    _waiting.append(early)


def release(wait_s: float = EXIT_WAIT_S) -> None:
    """Close the zygotes still waiting here and reap the ones this process started (each exits
    once every copy of its control socket is closed; after ``wait_s`` it is killed)."""
    for early in _waiting:
        early.sock.close()
        if early.owner == os.getpid() and isinstance(early.process, subprocess.Popen) and not any(
                process is early.process for process in _handed):
            _handed.append(early.process)
    _waiting.clear()
    deadline = time.monotonic() + wait_s
    for process in _handed:
        try:
            process.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    _handed.clear()
