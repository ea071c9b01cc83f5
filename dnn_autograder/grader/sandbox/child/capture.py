"""Output capture in a sandbox child: ``sys.stdout``/``sys.stderr`` become capped writers, and file
descriptors 1 and 2 point at a memfd that is read (capped) after each call.

Only the first ``keep`` bytes of a call's output are kept; the rest is counted. Past ``stop`` bytes
the writer raises :class:`OutputFlood`, which ends the call as "output-limit".
"""

from __future__ import annotations

import io
import os
import sys
from typing import Any


class OutputFlood(BaseException):  # noqa: N818 - a BaseException, so `except Exception` misses it
    """Raised by the capped writers once a call has printed more than the stop limit."""


class Output:
    def __init__(self, keep: int, stop: int) -> None:
        self.keep, self.stop = keep, stop
        self.kept = bytearray()
        self.total = 0
        self.flooded = False

    def begin(self) -> None:
        """A call starts. The memfd is already empty: ``finish`` leaves it so (and a fresh
        child's is new), and no student code runs in between."""
        self.kept = bytearray()
        self.total = 0
        self.flooded = False

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.keep - len(self.kept)
        if room > 0:
            self.kept += data[:room]
        if self.total > self.stop:
            self.flooded = True
            raise OutputFlood(f"more than {self.stop} bytes of output")

    def finish(self) -> tuple[str, int]:
        """The kept text and the number of bytes dropped, fd-level output included."""
        for stream in (sys.__stdout__, sys.__stderr__):  # the original writers, on fds 1 and 2
            try:
                if stream is not None:
                    stream.flush()
            except (OSError, ValueError):
                pass
        try:
            # the memfd's size, in one system call; when it is empty (the usual case) this also
            # rewinds it, in case it was truncated after a write
            size = os.lseek(1, 0, os.SEEK_END)
            room = max(self.keep - len(self.kept), 0)
            if size:
                self.kept += os.pread(1, min(size, room), 0)
                self.total += size
        except OSError:
            size = -1
        if size:
            self._reset_fd()
        text = self.kept.decode("utf-8", "replace")
        return text, self.total - len(self.kept)

    @staticmethod
    def _reset_fd() -> None:
        try:
            os.ftruncate(1, 0)
        except OSError:
            pass
        _rewind()


def _rewind() -> None:
    try:
        os.lseek(1, 0, os.SEEK_SET)
    except OSError:
        pass


class BinaryWriter(io.RawIOBase):
    def __init__(self, output: Output, fd: int) -> None:
        self._output, self._fd = output, fd

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self._output.add(chunk)
        return len(chunk)

    def fileno(self) -> int:
        return self._fd


class TextWriter(io.TextIOBase):
    """What ``print`` writes to in the child."""

    encoding = "utf-8"
    errors = "backslashreplace"

    def __init__(self, output: Output, fd: int) -> None:
        self._output, self._fd = output, fd
        self.buffer = BinaryWriter(output, fd)

    def writable(self) -> bool:
        return True

    def write(self, text: Any) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self._output.add(text.encode("utf-8", "backslashreplace"))
        return len(text)

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return False
