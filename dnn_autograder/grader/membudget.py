"""A bounded window of memory for trusted code working on untrusted data.

The grader parses student sources and notebooks and answers stand-in calls with student-chosen
arguments in its own process. ``memory_budget(n)`` lets the process's address space grow by at
most ``n`` bytes inside the block (a temporary, lower soft ``RLIMIT_AS``): an allocation beyond it
raises ``MemoryError`` there, the caller turns that into a result for that student, and the limit
is restored on the way out. Without ``/proc`` or ``RLIMIT_AS`` the block runs unbounded.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from contextlib import contextmanager

#: Growth allowed while parsing one source text or notebook file.
PARSE_BUDGET_BYTES = 192 << 20
#: Growth allowed while answering one stand-in call.
STAND_IN_BUDGET_BYTES = 256 << 20

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def address_space() -> int | None:
    """This process's current virtual memory size in bytes (None if unknown)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def memory_budget(extra_bytes: int) -> Iterator[None]:
    """Inside the block, allocations that would grow the address space by more than
    ``extra_bytes`` raise ``MemoryError``; an existing lower limit is kept."""
    current = address_space()
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        current = None
    if current is None:
        yield
        return
    ceiling = current + extra_bytes
    if soft != resource.RLIM_INFINITY:
        ceiling = min(ceiling, soft)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    except (OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
