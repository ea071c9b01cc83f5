"""Issue 17, the kept child's check (``child/residue.py``) takes cheaper ways for common states:
a list, tuple or dict of plain items is one packed token, a small array is compared by its bytes,
a module by one pass over its names and the ids of its values, the open descriptors by one
``poll`` and the signal handlers without their enum wrappers. Each way must still see every
change the walk item by item saw (unit level: no child needed)."""

from __future__ import annotations

import math
import os
import signal
import types
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox.child import residue


def _tokens(*roots: Any) -> list[Any]:
    return residue.tokens(list(roots), [])


NAN = float("nan")


@pytest.mark.parametrize(("before", "after"), [
    ([0.0, 1.0, 2.0, 3.0], [-0.0, 1.0, 2.0, 3.0]),  # 1 / x tells them apart
    ([0.5, 1.0, 2.0, 3.0], [0.5, 1.0, 2.0, 3.0000000000000004]),
    ([0.5, 1.0, 2.0, 3.0], [0.5, 1.0, 2.0, 3]),  # an int for a float
    ([0.5, 1.0, 2.0, NAN], [0.5, 1.0, 2.0, -NAN]),  # another NaN (its sign)
    ([1, 2, 3, 4], [1, 2, 3, True]),  # True == 1
    ([1, 2, 3, 4], [1, 2, 3, 4.0]),
    ([1, 2, 3, 4], [1, 2, 3, 5]),
    (["a", "b", "c", "d"], ["a", "b", "c", "e"]),
    ([1, "a", None, b"x"], [1, "a", None, b"y"]),
    ([1, "a", None, b"x"], [True, "a", None, b"x"]),
    ([1, "a", None, b"x"], [1, "a", None, "x"]),
    ((1, 2, 3, 4), [1, 2, 3, 4]),  # a list for a tuple
    ([1, 2, 3, 4], [1, 2, 3, 4, 5]),
    ({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 1, "b": 2, "c": 3, "d": True}),
    ({"a": 1, "b": 2, "c": 3, "d": 4}, {"a": 1, "b": 2, "c": 3, "e": 4}),  # a key renamed
    ({"a": 1, "b": 2, "c": 3, "d": 4}, {"b": 2, "a": 1, "c": 3, "d": 4}),  # another order
    ({"a": 0.0, "b": 2.0, "c": 3.0, "d": 4.0}, {"a": -0.0, "b": 2.0, "c": 3.0, "d": 4.0}),
    ({1: "a", 2: "b", 3: "c", 4: "d"}, {True: "a", 2: "b", 3: "c", 4: "d"}),  # True == 1
])
def test_a_packed_container_sees_every_change(before: Any, after: Any) -> None:
    assert _tokens({"x": before}) == _tokens({"x": type(before)(before)})  # an equal copy: the same
    assert _tokens({"x": before}) != _tokens({"x": after})


def test_a_nan_left_as_it_was_is_the_same() -> None:
    values = [0.5, NAN, float("inf"), -0.0]
    assert _tokens([values]) == _tokens([list(values)])


def test_packed_keys_with_values_walked_one_by_one() -> None:
    """A dict whose keys are plain but whose values are not (the course's ``parameters``): an
    in-place write to one array, an array moved to another key, and sharing between values."""
    arrays = {f"W{i}": np.arange(6.0).reshape(2, 3) * i for i in range(1, 5)}
    baseline = _tokens(arrays)
    arrays["W2"][1, 1] = -1.0
    assert _tokens(arrays) != baseline
    arrays["W2"][1, 1] = 8.0  # as it was: 4.0 * 2
    assert _tokens(arrays) == baseline
    arrays["W3"], arrays["W4"] = arrays["W4"], arrays["W3"]
    assert _tokens(arrays) != baseline
    arrays["W3"], arrays["W4"] = arrays["W4"], arrays["W3"]
    arrays["W4"] = arrays["W1"]  # the same array twice differs from two equal ones
    shared = _tokens(arrays)
    arrays["W4"] = arrays["W1"].copy()
    assert shared != _tokens(arrays)


def test_a_packed_list_shared_twice_differs_from_two_equal_lists() -> None:
    items = [1.0, 2.0, 3.0, 4.0]
    assert _tokens({"a": items, "b": items}) != _tokens({"a": items, "b": list(items)})


@pytest.mark.parametrize("size", [8, residue.RAW_ARRAY_BYTES // 8 + 1])
def test_an_array_by_its_bytes_or_its_digest(size: int) -> None:
    """Small arrays are compared by their bytes, large ones by a digest: either way an in-place
    write of -0.0 over 0.0 in the last element, or a view's change of strides, is seen."""
    arr = np.zeros(size)
    baseline = _tokens({"a": arr})
    arr[-1] = -0.0
    assert _tokens({"a": arr}) != baseline
    arr[-1] = 0.0
    assert _tokens({"a": arr}) == baseline
    assert _tokens({"a": arr[::2]}) != _tokens({"a": arr[: (size + 1) // 2].copy()})


def test_past_the_raw_budget_arrays_are_still_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(residue, "MAX_RAW_BYTES", 64)  # room for the first array only
    arrays = [np.zeros(8) for _ in range(3)]
    baseline = _tokens(arrays)
    for arr in arrays:
        arr[3] = 1.0
        assert _tokens(arrays) != baseline
        arr[3] = 0.0
        assert _tokens(arrays) == baseline


class _Claims:
    """Equal to anything; its ``__eq__`` must never be how a module is compared."""

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


def test_a_module_by_the_identity_of_its_attributes() -> None:
    module = types.ModuleType("watched")
    module.pi, module.f, module.g = math.pi, len, abs
    baseline = _tokens([module])
    module.pi = float(repr(math.pi))  # equal, another object
    assert _tokens([module]) != baseline
    module.pi = math.pi
    module.f = _Claims()
    assert _tokens([module]) != baseline
    module.f = len
    assert _tokens([module]) == baseline
    del module.f
    module.f = len  # the same objects, another order
    assert _tokens([module]) != baseline
    del module.f, module.g
    module.f, module.g = len, abs  # as before, in the same order
    module.__warningregistry__ = {"version": 3}  # what warnings leave: not the module's state
    assert _tokens([module]) == baseline
    module.h = None
    assert _tokens([module]) != baseline


def test_the_open_descriptors_by_one_poll() -> None:
    truth = tuple(fd for fd in range(256) if _is_open(fd))
    assert residue._open_fds(256) == truth
    read, write = os.pipe()
    try:
        opened = residue._open_fds(256)
        assert read in opened and write in opened
    finally:
        os.close(read)
        os.close(write)
    assert residue._open_fds(256) == truth
    assert residue._open_fds(0) == ()


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_a_signal_handler_is_seen() -> None:
    baseline = residue._parts({}, [], ".", [])["interpreter"]
    previous = signal.signal(signal.SIGUSR1, lambda *args: None)
    try:
        assert residue._parts({}, [], ".", [])["interpreter"] != baseline
    finally:
        signal.signal(signal.SIGUSR1, previous)
    assert residue._parts({}, [], ".", [])["interpreter"] == baseline
    signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        assert residue._parts({}, [], ".", [])["interpreter"] != baseline
    finally:
        signal.signal(signal.SIGUSR1, previous)
