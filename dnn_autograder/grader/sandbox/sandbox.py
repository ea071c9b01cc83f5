"""The parent's side of the sandbox: the warm worker ("zygote") and the slots for children.

``Sandbox()`` starts the worker in the background and returns at once; the first session waits
for it to be ready. See SECURITY.md for the process tree and the layers.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pwd
import select
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from dnn_autograder.grader import sandbox_start
from dnn_autograder.grader.errors import SandboxUnavailable
from dnn_autograder.grader.sandbox.records import Limits

CHILD_DIR = sandbox_start.CHILD_DIR
#: Layers that may be switched off (to test the others on their own); the process, the deadline,
#: the rlimits and the uid drop never are.
OPTIONAL_LAYERS = frozenset({"audit-hook", "seccomp", "landlock", "chroot", "tmpfs", "netns",
                             "pidns", "ipcns", "userns"})
READY_TIMEOUT_S = 60.0
UID_BASE, UID_COUNT = 60000, 1000
UID_LOCKS = Path("/run/dnn-autograder-sandbox")
DEFAULT_LIMITS = Limits()


class Worker:
    """One zygote process and the control socket to it."""

    def __init__(self, helpers: str | None, disable: frozenset[str],
                 early: sandbox_start.Early | None = None) -> None:
        """Start a zygote, or use ``early``, one started ahead of time with the same
        configuration (:mod:`dnn_autograder.grader.sandbox_start`)."""
        if early is None:
            try:
                self.process, (self.sock,) = sandbox_start.launch(helpers, disable)
            except OSError as exc:
                raise SandboxUnavailable(str(exc)) from exc
            self.started = time.monotonic()
        else:
            self.process, self.sock, self.started = early.process, early.sock, early.started
        #: the zygote serves other processes too: closing our socket ends only our client
        self.shared = early is not None and early.shared
        self.owner = os.getpid()
        self.info: dict[str, Any] | None = None

    def ready(self) -> dict[str, Any]:
        if self.info is None:
            reply = self._receive(READY_TIMEOUT_S)
            if not reply.get("ok"):
                raise SandboxUnavailable(f"the sandbox worker failed to start: "
                                         f"{reply.get('error', 'no reason given')}")
            if reply.get("version") != list(sys.version_info[:2]):
                raise SandboxUnavailable(f"the sandbox worker runs Python {reply.get('version')},"
                                         f" not {sys.version_info[:2]}: check LD_LIBRARY_PATH")
            self.info = reply
            self.ready_s = time.monotonic() - self.started
        return self.info

    def request(self, message: dict[str, Any], fds: Sequence[int] = (),
                timeout: float = 30.0) -> dict[str, Any]:
        if os.getpid() != self.owner:
            raise SandboxUnavailable("this Sandbox was created in another process (before a "
                                     "fork): create one Sandbox per process")
        self.ready()
        try:
            socket.send_fds(self.sock, [json.dumps(message).encode()], list(fds))
            return self._receive(timeout)
        except OSError as exc:
            self.process.kill()  # replaced by the next spawn
            raise SandboxUnavailable(f"the sandbox worker is gone ({exc})") from exc
        except SandboxUnavailable:
            self.process.kill()
            raise

    def _receive(self, timeout: float) -> dict[str, Any]:
        if not select.select([self.sock], [], [], timeout)[0]:
            raise SandboxUnavailable(f"the sandbox worker did not answer within {timeout:g} s")
        try:
            data = self.sock.recv(1 << 16)
        except OSError:
            data = b""
        if not data:
            raise SandboxUnavailable("the sandbox worker stopped (run with "
                                     "GRADER_SANDBOX_DEBUG=1 to see its error output)")
        return json.loads(data)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.sock.close()  # the worker sees EOF, kills its children and exits (with its last client)
        if os.getpid() != self.owner or self.shared:
            return  # a forked copy (the worker belongs to the original process), or not our last client
        try:
            self.process.wait(5.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _helpers_path(helpers: str | os.PathLike[str] | None) -> str | None:
    return sandbox_start.helpers_path(helpers)


class UidPool:
    """Distinct unprivileged uids for concurrent children when the grader runs as root, so that
    RLIMIT_NPROC counts each child alone. A uid is held with a lock file, across processes."""

    def __init__(self, uids: range = range(UID_BASE, UID_BASE + UID_COUNT),
                 directory: Path = UID_LOCKS) -> None:
        self.uids, self.directory = uids, directory

    def acquire(self) -> tuple[int, int]:
        directory = self._directory()
        for uid in self.uids:
            if uid <= 0 or _uid_taken(uid):
                continue
            fd = os.open(directory / f"{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            return uid, fd
        raise SandboxUnavailable(f"all sandbox uids in {self.uids} are in use; pass a larger "
                                 f"uids range to Sandbox()")

    def _directory(self) -> Path:
        for directory in (self.directory, Path("/tmp/dnn-autograder-sandbox-uids")):
            try:
                directory.mkdir(mode=0o700, exist_ok=True)
                if directory.stat().st_uid == 0:  # only root's directory counts
                    return directory
            except OSError:
                continue
        raise SandboxUnavailable("no directory for the sandbox's uid locks (tried /run and /tmp)")

    @staticmethod
    def release(fd: int) -> None:
        os.close(fd)


def _uid_taken(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


class Sandbox:
    """Owns the warm worker; forks a fresh, confined child per student session.

    Use as a context manager; reusable for many students and safe to share between threads
    (each session by one thread at a time). ``helpers`` is the folder of the course helper
    package (default: the installed ``course_helpers``). ``disable`` switches optional layers
    off, for tests of the remaining layers only. ``uids`` is where a root grader takes one
    unprivileged uid per open session (uids that exist in the passwd database are skipped).
    """

    def __init__(self, limits: Limits = DEFAULT_LIMITS, *,
                 helpers: str | os.PathLike[str] | None = None,
                 disable: Iterable[str] = (),
                 uids: range = range(UID_BASE, UID_BASE + UID_COUNT)) -> None:
        if not sys.platform.startswith("linux"):
            raise SandboxUnavailable("the sandbox needs Linux (namespaces, prctl, memfd)")
        self.limits = limits
        self._disable = frozenset(disable)
        unknown = self._disable - OPTIONAL_LAYERS
        if unknown:
            raise ValueError(f"unknown or mandatory layers cannot be disabled: {sorted(unknown)}")
        self._helpers = _helpers_path(helpers)
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._uids = UidPool(uids) if os.geteuid() == 0 else None
        self._sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        self._protections: tuple[str, ...] | None = None
        self._closed = False
        self._worker = Worker(self._helpers, self._disable, sandbox_start.take(self._helpers, self._disable))

    # --- public ----------------------------------------------------------------------------
    @property
    def protections(self) -> tuple[str, ...]:
        """The layers actually active for a child (found by starting one, once)."""
        if self._protections is None:
            with self.session(()) as probe:
                self._protections = probe.protections
        return self._protections

    @property
    def course_modules(self) -> dict[str, str]:
        """Course module names the worker registered (``{"reg_utils": "course_helpers..."}``)."""
        with self._lock:
            return dict(self._worker.ready().get("course", {}))

    def session(self, units: Sequence[Any]) -> Any:
        from dnn_autograder.grader.sandbox.session import Session

        if self._closed:
            raise SandboxUnavailable("this Sandbox is closed")
        session = Session(self, units)
        self._sessions.add(session)
        return session

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for session in list(self._sessions):
            session.close()
        with self._lock:
            self._worker.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- for sessions ----------------------------------------------------------------------
    def _acquire_uid(self) -> tuple[int, int] | None:
        return self._uids.acquire() if self._uids is not None else None

    def _release_uid(self, held: tuple[int, int] | None) -> None:
        if held is not None:
            UidPool.release(held[1])

    def _spawn(self, root: str, uid: int | None, channel: socket.socket,
               reports: socket.socket | None = None) -> dict[str, Any]:
        """Ask the worker for a child that talks over ``channel`` (and reports what it refused
        on ``reports``); restarts a dead worker."""
        sid = next(self._sids)
        message = {"op": "spawn", "sid": sid, "root": root, "uid": uid, "gid": uid,
                   "limits": self.limits.for_child()}
        with self._lock:
            if self._closed:
                raise SandboxUnavailable("this Sandbox is closed")
            if not self._worker.alive():
                self._worker.close()
                self._worker = Worker(self._helpers, self._disable)
            fds = [channel.fileno()] + ([reports.fileno()] if reports is not None else [])
            reply = self._worker.request(message, fds)
        if not reply.get("ok"):
            raise SandboxUnavailable(f"could not start a sandbox child: {reply.get('error')}")
        return {**reply, "sid": sid}

    def _wait(self, sid: int, timeout: float) -> dict[str, Any]:
        """The exit status of a child (which must be dead or dying)."""
        with self._lock:
            try:
                return self._worker.request({"op": "wait", "sid": sid, "timeout": timeout},
                                            timeout=timeout + 5.0)
            except SandboxUnavailable as exc:
                return {"ok": False, "error": str(exc)}
