"""Atomic file writes: a temporary file in the target's folder, flushed, then ``os.replace``.

A reader (a CI step, a browser, a half-finished batch killed with ``kill -9``) sees either the
old file or the complete new one, never a truncated one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from dnn_autograder.grader.outputs.exports.json_text import both_texts


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path`` atomically.

    For writers that want a path rather than a stream (``write_report(tmp, result)``). The
    temporary file is removed when the block raises.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; outputs get the usual permissions
    os.close(fd)
    try:
        yield Path(tmp)
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(
    path: str | Path, write: Callable[[TextIO], object], *, newline: str | None = None
) -> None:
    """Open a temporary UTF-8 text file next to ``path``, let ``write`` fill it, then replace."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline=newline) as stream:
        write(stream)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_atomic(path, lambda stream: stream.write(text))


def write_json_atomic(path: str | Path, data: Any) -> None:
    """Write ``data`` as indented JSON (no NaN, non-ASCII kept readable) atomically."""
    write_text_atomic(path, dumps_json(data, indent=2) + "\n")


def dumps_json(data: Any, *, indent: int | None = None) -> str:
    """Strict JSON (no NaN) that is always valid UTF-8: readable non-ASCII text, unless some
    string holds a lone surrogate, in which case everything non-ASCII is ``\\u``-escaped."""
    text = json.dumps(data, indent=indent, allow_nan=False, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, indent=indent, allow_nan=False)
    return text


def dumps_json_twice(data: Any, *, indent: int = 2) -> tuple[str, str]:
    """``(dumps_json(data), dumps_json(data, indent=indent))``, made in one pass
    (:func:`~dnn_autograder.grader.outputs.exports.json_text.both_texts`)."""
    compact, pretty = both_texts(data, indent)
    try:
        compact.encode("utf-8")
    except UnicodeEncodeError:  # the same strings are in both
        return json.dumps(data, allow_nan=False), json.dumps(data, indent=indent, allow_nan=False)
    return compact, pretty


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_file(path: str | Path) -> None:
    with open(path, "rb") as stream:
        os.fsync(stream.fileno())
