"""Human sentences for what happened in a child, and clean-up of text that came out of it.

The words are the parent's: a child only sends codes and facts (a violation code, an exit
status, an exception's type and text), which are capped and cleaned here.
"""

from __future__ import annotations

import os
import re
import signal
from typing import Any

from dnn_autograder.grader.sandbox.records import Limits

VIOLATIONS = {
    "network": "tried to open a network connection",
    "process": "tried to start a process",
    "signal": "tried to send a signal to another process",
    "native": "tried to call native code through ctypes",
    "import": "tried to import the grader",
    "write": "tried to write a file outside its scratch directory",
    "read": "tried to read a file outside its scratch directory",
    "introspect": "tried to inspect the interpreter's objects",
    "tamper": "tried to tamper with the grader",
    "protocol": "sent malformed data to the grader",
}

#: A child's exit status when its report channel was tampered with (``child/guard.py``).
TAMPER_STATUS = 73

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean(text: Any, limit: int = 2000) -> str:
    """Text from the child, safe to show: a str of at most ``limit`` characters, control and
    bidi characters escaped (``\\x1b``), newlines and tabs kept."""
    if not isinstance(text, str):
        return ""
    text = text[:limit]
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                        else f"\\u{ord(m.group()):04x}", text)


def one_line(text: Any, limit: int = 300) -> str:
    flat = " ".join(clean(text, limit * 2).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def size(nbytes: float) -> str:
    """``1 GiB``, ``64 MiB``, ``512 bytes``."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.3g} {unit}"
    return f"{int(nbytes)} bytes"


def violation(code: Any, detail: Any = "") -> str:
    words = VIOLATIONS.get(code if isinstance(code, str) else "", "broke the sandbox's rules")
    detail = one_line(detail, 120)
    if detail and code == "tamper":
        return f"{words}: {detail}"
    return f"{words} ({detail})" if detail else words


def raised(error_type: str, error_message: str, line: Any, where: Any) -> str:
    text = f"raised {error_type}: {one_line(error_message)}" if error_message else \
        f"raised {error_type}"
    if isinstance(line, int) and isinstance(where, str):
        text += f" at line {line} of {one_line(where, 100)}"
    return text


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def death(info: dict[str, Any], limits: Limits, note: str | None) -> tuple[str, str]:
    """(outcome, message) for a child that stopped without answering; ``info`` is what the
    zygote reported, ``note`` what the child said right before (``"os._exit(3)"``)."""
    if note:
        return "exited", f"exited the interpreter ({one_line(note, 60)})"
    status, cpu = info.get("status"), info.get("cpu")
    if not isinstance(status, int):
        return "crashed", "stopped unexpectedly (the sandbox worker lost track of it)"
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == TAMPER_STATUS:  # child/guard.py
        return "violation", violation("tamper", "replaced or broke its report channel")
    if os.WIFEXITED(status):
        return "exited", f"exited the interpreter with status {os.WEXITSTATUS(status)}"
    number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
    over_cpu = isinstance(cpu, int | float) and cpu >= limits.cpu_seconds
    if number == signal.SIGXCPU or (number == signal.SIGKILL and over_cpu):
        return "timeout", f"used more than its {limits.cpu_seconds} s of CPU time"
    return "crashed", f"killed by signal {signal_name(number)}"
