"""The parent's end of a child's report channel: every attempt the child's audit hook refused,
sent at the moment it happened, before student code got its error back.

The channel is a ``SOCK_SEQPACKET`` socket pair, so each report is one message that student code
can neither merge with another nor take back; what it writes there itself only counts against it.
The runner's own record of violations lives in the student's process and is only a convenience:
a call's verdict uses what arrived here.
"""

from __future__ import annotations

import dataclasses
import select
import socket
from collections.abc import Callable, Sequence
from typing import Any

from dnn_autograder.grader.sandbox import outcomes
from dnn_autograder.grader.sandbox.records import CallRecord

#: At most this many reports are read per call (the rest are dropped, the call already failed).
MAX_REPORTS = 256
_MESSAGE_BYTES = 1024


def pair() -> tuple[socket.socket, socket.socket]:
    """(parent's end, child's end)."""
    return socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)


class Reports:
    """Reads what a child reported (non-blocking)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setblocking(False)
        self.closed = False
        #: asks whether anything waits (a report, the channel's end) without reading it: the
        #: usual answer, nothing, costs no failed ``recv`` and no exception
        self._waiting: select.poll | None = select.poll()
        self._waiting.register(sock, select.POLLIN)

    def take(self, alive: Callable[[], bool] | bool = True) -> list[tuple[str, str]]:
        """The reports waiting now, as (code, detail). A closed channel while ``alive`` (asked
        only then) says the child is still running means its code closed it."""
        seen: list[tuple[str, str]] = []
        waiting = self._waiting
        if waiting is not None and not self.closed and not waiting.poll(0):
            return seen  # no report, and the channel is open (a closed one polls as ready)
        while not self.closed and len(seen) < MAX_REPORTS:
            try:
                message = self.sock.recv(_MESSAGE_BYTES)
            except BlockingIOError:
                break
            except OSError:
                message = b""
            if not message:
                self.closed = True
                if alive is True or (callable(alive) and alive()):
                    seen.append(("tamper", "closed the grader's report channel"))
                break
            code, _, detail = message.decode("utf-8", "replace").partition("\0")
            seen.append((code[:20], detail[:200]))
        return seen

    def close(self) -> None:
        self._waiting = None  # its descriptor may be another file's from now on
        self.sock.close()


def worst(seen: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """The report a verdict names: an attempt on the grader itself first, else the first."""
    if not seen:
        return None
    return next((item for item in seen if item[0] == "tamper"), seen[0])


def amend(record: CallRecord, seen: list[tuple[str, str]]) -> CallRecord:
    """``record`` as a violation when the child reported one during the call."""
    chosen = worst(seen)
    if chosen is None:
        return record
    return dataclasses.replace(record, outcome="violation",
                               message=outcomes.violation(chosen[0], chosen[1]))


def take(child: Any, alive: bool = True) -> list[tuple[str, str]]:
    """What ``child`` (a ``ChildProcess``) reported since last asked; ``alive=False`` when the
    child is known to be dead or dying (its channel closing then says nothing)."""
    reports = getattr(child, "reports", None)
    if reports is None:
        return []
    return reports.take((lambda: still_running(child)) if alive else False)


def still_running(child: Any, wait_s: float = 0.05) -> bool:
    """The child has not exited within ``wait_s`` (its pidfd is not readable); False when there
    is no pidfd to ask (no accusation without evidence)."""
    pidfd = getattr(child, "pidfd", None)
    if pidfd is None:
        return False
    poll = select.poll()
    poll.register(pidfd, select.POLLIN)
    return not poll.poll(wait_s * 1000)
