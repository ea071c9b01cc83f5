"""``ChildProcess.read``'s deadline on a bare socket pair: a frame that waits is read even past
the deadline, nothing waiting past it is a ``Timeout`` at once, a frame that comes before it is
waited for, and a closed end is ``Gone``."""

from __future__ import annotations

import select
import socket
import threading
import time
from typing import Any

import pytest

from dnn_autograder.grader.sandbox.channel import ChildProcess, Gone, Timeout
from dnn_autograder.grader.sandbox.child import wire


def _parent_end(sock: socket.socket) -> Any:
    """A ChildProcess around ``sock`` alone (no process behind it)."""
    child = object.__new__(ChildProcess)
    child.sock, child.note = sock, None
    child.stream = wire.Stream(child._receive, wire.Caps(1 << 20, 1 << 20, 1 << 16))
    child.deadline = 0.0
    sock.setblocking(False)
    child.poll = select.poll()
    child.poll.register(sock, select.POLLIN)
    return child


def test_a_frame_waiting_is_read_even_past_the_deadline_then_nothing_is_a_timeout() -> None:
    ours, theirs = socket.socketpair()
    child = _parent_end(ours)
    try:
        theirs.sendall(wire.pack({"ev": "result", "n": 1}) + wire.pack({"ev": "result", "n": 2}))
        past = time.monotonic() - 1.0
        assert child.read(past)[0] == {"ev": "result", "n": 1}
        assert child.read(past)[0] == {"ev": "result", "n": 2}
        started = time.monotonic()
        with pytest.raises(Timeout):
            child.read(past)
        assert time.monotonic() - started < 0.5
    finally:
        ours.close()
        theirs.close()


def test_a_frame_sent_before_the_deadline_is_waited_for_and_a_closed_end_is_gone() -> None:
    ours, theirs = socket.socketpair()
    child = _parent_end(ours)
    late = threading.Timer(0.1, lambda: theirs.sendall(wire.pack({"ev": "result"})))
    late.start()
    try:
        started = time.monotonic()
        assert child.read(started + 5.0)[0] == {"ev": "result"}
        assert 0.05 < time.monotonic() - started < 4.0
        started = time.monotonic()
        with pytest.raises(Timeout):
            child.read(started + 0.2)
        assert time.monotonic() - started >= 0.15
        theirs.close()
        with pytest.raises(Gone):
            child.read(time.monotonic() + 5.0)
    finally:
        late.join()
        ours.close()
        theirs.close()
