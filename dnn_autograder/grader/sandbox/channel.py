"""The parent's handle on one sandbox child: its socket, its pid, its end.

Reads frames with a deadline (poll), writes without ever blocking past it, and kills the child
with a pidfd (never a process that reused its pid). Killing the child, which is pid 1 of its own
pid namespace, kills everything it started.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import sys
import time
from typing import Any

from dnn_autograder.grader.sandbox import outcomes
from dnn_autograder.grader.sandbox.child import wire


class Timeout(Exception):  # noqa: N818 - an event, not an error
    """The deadline passed before the child answered."""


class Gone(Exception):  # noqa: N818
    """The child closed its end: it exited, crashed or was killed."""


class ChildProcess:
    """A running child as the parent sees it: a socket, a pid (and pidfd) to kill it with."""

    def __init__(self, sandbox: Any, root: str, reply: dict[str, Any], sock: socket.socket,
                 caps: wire.Caps) -> None:
        self.sandbox, self.root, self.sock = sandbox, root, sock
        self.sid, self.pid = int(reply["sid"]), int(reply["pid"])
        self.callables: frozenset[str] = frozenset()
        self.recycle = False
        self.note: str | None = None
        self.reports: Any = None  #: ``reports.Reports``: the child's report channel
        self.last_function: str | None = None  #: the function of the last call
        #: its state can be verified (``op: verify``); a request completed since the last call
        self.shareable = False
        self.settled = False
        self.stream = wire.Stream(self._receive, caps)
        self.unsent = b""
        self.deadline = 0.0
        self.dead = False
        try:
            self.pidfd: int | None = os.pidfd_open(self.pid)
        except OSError:
            self.pidfd = None
        sock.setblocking(False)
        self.poll = select.poll()
        self.poll.register(sock, select.POLLIN)

    # --- frames ----------------------------------------------------------------------------
    def send(self, frame: bytes, deadline: float) -> None:
        view = memoryview(frame)
        while view:
            try:
                sent = self.sock.send(view)
            except BlockingIOError:
                self._wait_for(select.POLLOUT, deadline)
                continue
            except OSError as exc:
                raise Gone from exc
            view = view[sent:]

    def read(self, deadline: float) -> tuple[dict[str, Any], bytearray]:
        """The next frame; ``Timeout`` at the deadline, ``Gone`` when the child is gone,
        ``wire.WireError`` for a malformed frame (``wire.Oversized``, before reading it, for a
        frame over the parent's caps: the child must then be killed, its frame is left unread)."""
        self.deadline = deadline
        while True:
            try:
                header, body = self.stream.read()
            except EOFError:
                raise Gone from None
            if header.get("ev") != "dying":
                return header, body
            self.note = outcomes.one_line(header.get("how"), 60)  # its last words

    def _receive(self, size: int) -> bytes:
        """Up to ``size`` bytes, once the child sent some (or closed its end): the wait comes
        first, as the child is usually still working when the parent asks (a ``recv`` that
        finds nothing costs a failed call and an exception). ``Timeout`` when nothing came by
        the deadline."""
        while True:
            remaining = self.deadline - time.monotonic()  # past it, only what already waits
            if not self.poll.poll(remaining * 1000 + 1 if remaining > 0 else 0):
                raise Timeout
            try:
                return self.sock.recv(size)
            except BlockingIOError:
                continue
            except OSError as exc:
                raise Gone from exc

    def leftover_fatal(self) -> str | None:
        """The child's last words, if it refused to start (readable after it closed)."""
        try:
            header, _ = self.read(time.monotonic() + 0.2)
        except (Gone, Timeout, wire.WireError):
            return None
        if header.get("ev") != "fatal":
            return None
        return outcomes.one_line(header.get("message"))

    def _wait_for(self, event: int, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise Timeout
        poll = self.poll if event == select.POLLIN else select.poll()
        if event != select.POLLIN:
            poll.register(self.sock, event)
        if not poll.poll(remaining * 1000 + 1):
            raise Timeout

    # --- the end ---------------------------------------------------------------------------
    def kill(self) -> dict[str, Any]:
        """SIGKILL the child (pid 1 of its namespace, so everything in it dies), collect its
        status, remove its scratch directory. Idempotent."""
        if self.dead:
            return {}
        self.dead = True
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        info = self.sandbox._wait(self.sid, 5.0)
        self._release()
        return info

    def close(self) -> None:
        """Ask the child to exit; kill it if it does not."""
        if self.dead:
            return
        try:
            self.send(wire.pack({"op": "close"}), time.monotonic() + 0.5)
        except (Gone, Timeout):
            pass
        info = self.sandbox._wait(self.sid, 2.0)
        if info.get("pending"):
            self.kill()
            return
        self.dead = True
        self._release()

    def _release(self) -> None:
        self.sock.close()
        if self.reports is not None:
            self.reports.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
        remove_tree(self.root)


def remove_tree(path: str) -> None:
    """Remove a session's directory, whatever modes the student's code left on its files.

    Usually it holds only empty directories (the scratch directory the student did not use):
    they go with one ``rmdir`` each (which never follows a symlink and fails on anything else
    than an empty directory); otherwise the whole tree goes through ``shutil.rmtree``."""
    try:
        for name in os.listdir(path):
            os.rmdir(os.path.join(path, name))
        os.rmdir(path)
        return
    except FileNotFoundError:
        if not os.path.lexists(path):
            return
    except OSError:
        pass

    def retry(function: Any, name: str, _problem: Any) -> None:
        try:
            os.chmod(os.path.dirname(name), 0o700)
            os.chmod(name, 0o700)
            function(name)
        except OSError:
            pass

    if sys.version_info >= (3, 12):
        shutil.rmtree(path, onexc=retry)  # type: ignore[call-arg]
    else:
        shutil.rmtree(path, onerror=retry)
