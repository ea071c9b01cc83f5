"""Whether a student's function left an argument as the case gave it, the case's side prepared once.

The verdict on an immutable argument is :func:`~dnn_autograder.grader.values.identical` of the
case's argument and the argument after the call, with ``rtol`` for code that perturbs an array in
place and restores it. The case's argument is the same for every student, so a :class:`Snapshot`
takes its arrays' bytes once; an argument whose arrays hold the very same bytes (the usual
answer) is then recognised without touching the case's side again. Anything else gets the full
:func:`identical`, so the verdict is always :func:`identical`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.values import identical

#: containers nested deeper than this are left to :func:`identical`
_MAX_DEPTH = 32

# the kinds of node of a snapshot's plan
_ARRAY, _MAPPING, _SEQUENCE = range(3)


class Snapshot:
    """``value`` (a case's argument, which must not change afterwards) prepared for
    :meth:`unchanged`: arrays of numbers (exactly ``np.ndarray``) by dtype, shape and bytes,
    dicts by their keys, lists and tuples by their length; a value holding anything else has no
    plan and is always compared in full."""

    def __init__(self, value: Any) -> None:
        self.value = value
        self._plan = _plan(value, 0)

    def unchanged(self, after: Any, *, rtol: float) -> bool:
        """``identical(value, after, rtol=rtol)``: True at once when ``after`` holds the same
        arrays bit for bit (which :func:`identical` accepts at any ``rtol``), else decided by it."""
        if self._plan is not None and _same(self._plan, after):
            return True
        return identical(self.value, after, rtol=rtol)


def _plan(value: Any, depth: int) -> tuple | None:
    """What :func:`_same` checks ``after`` against, or None when ``value`` holds something other
    than numeric arrays in dicts, lists and tuples."""
    if depth > _MAX_DEPTH:
        return None
    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.kind not in "biuf":
            return None
        return (_ARRAY, value.dtype, value.shape, value.tobytes())
    if kind is dict:
        inner = {key: _plan(item, depth + 1) for key, item in value.items()}
        if any(plan is None for plan in inner.values()):
            return None
        return (_MAPPING, inner)
    if kind is list or kind is tuple:
        items = tuple(_plan(item, depth + 1) for item in value)
        if any(plan is None for plan in items):
            return None
        return (_SEQUENCE, items)
    return None


def _same(plan: tuple, after: Any) -> bool:
    """``after`` has the plan's structure (dict keys, sequence lengths; a list for a tuple too, as
    :func:`identical` allows) and arrays of the same dtype, shape and bytes."""
    kind = plan[0]
    if kind == _ARRAY:
        return (type(after) is np.ndarray and after.dtype == plan[1] and after.shape == plan[2]
                and after.tobytes() == plan[3])
    if kind == _MAPPING:
        inner: Mapping[Any, tuple] = plan[1]
        if type(after) is not dict or len(after) != len(inner):
            return False
        for key, sub in inner.items():
            if key not in after or not _same(sub, after[key]):
                return False
        return True
    items: tuple = plan[1]
    if not isinstance(after, list | tuple) or len(after) != len(items):
        return False
    return all(_same(sub, item) for sub, item in zip(items, after, strict=True))
