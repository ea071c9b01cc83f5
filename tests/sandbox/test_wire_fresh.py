"""``wire.fresh`` (the grading process's copy of what it sent, handed out for an argument the
child left unchanged) is an equal value of its own: the same types and bits, writable arrays
that share no memory with the original, no container shared with it."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.sandbox.child import wire

from .support import bits


def _arrays_in(value: Any) -> list[np.ndarray]:
    if type(value) is np.ndarray:
        return [value]
    if type(value) is dict:
        return [a for item in value.values() for a in _arrays_in(item)]
    if type(value) in (list, tuple):
        return [a for item in value for a in _arrays_in(item)]
    return []


def _containers_in(value: Any) -> list[Any]:
    if type(value) is dict:
        return [value, *(c for item in value.values() for c in _containers_in(item))]
    if type(value) in (list, tuple):
        return [value, *(c for item in value for c in _containers_in(item))] if type(value) is list \
            else [c for item in value for c in _containers_in(item)]
    return []


_arrays = st.sampled_from([np.float64, np.float32, np.int64, np.bool_]).flatmap(
    lambda dtype: st.integers(0, 6).map(lambda n: np.zeros(n, dtype=dtype)))
_plain = st.recursive(
    st.one_of(_arrays.map(lambda a: np.frombuffer(bytes(a.nbytes), dtype=a.dtype)),  # read-only, like decoded
              st.floats(allow_nan=True), st.integers(-3, 3), st.none(), st.text(max_size=3)),
    lambda inner: st.one_of(st.dictionaries(st.sampled_from(["W1", "b1", "v"]), inner, max_size=4),
                            st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple)),
    max_leaves=10)


@settings(max_examples=300, deadline=None)
@given(_plain)
def test_fresh_is_an_equal_value_of_its_own(value) -> None:
    made = wire.fresh(value)
    assert bits(made) == bits(value)
    old_arrays, new_arrays = _arrays_in(value), _arrays_in(made)
    assert len(old_arrays) == len(new_arrays)
    for old, new in zip(old_arrays, new_arrays, strict=True):
        assert new.flags.writeable and not np.shares_memory(old, new)
    new_ids = {id(c) for c in _containers_in(made)}
    assert not new_ids & {id(c) for c in _containers_in(value)}
