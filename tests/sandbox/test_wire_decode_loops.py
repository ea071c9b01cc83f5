"""``wire.decode``'s loops over list items and dict entries (scalars and arrays taken without a
call of ``decode`` each) against a plain recursive reading of the format written here: the same
values, and the same refusals, for valid and malformed trees alike."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.sandbox.child import wire

_BODY = bytearray(np.arange(8, dtype="<f8").tobytes())


def _reference(data: Any, depth: int = 0) -> Any:
    """One call per node, as the format's description reads: scalars at any depth; a tagged
    object only down to ``2 * MAX_DEPTH``; arrays checked against the body; dict keys either a
    str or an encoded hashable value."""
    if data is None or type(data) in (bool, int, float, str):
        return data
    if type(data) is not dict or depth > 2 * wire.MAX_DEPTH:
        raise wire.WireError("unexpected value in frame")
    tag = data.get("t")
    if tag == "a":
        shape, offset, nbytes = data.get("s"), data.get("o"), data.get("n")
        if data.get("d") != "<f8" or type(shape) is not list or type(offset) is not int or type(nbytes) is not int:
            raise wire.WireError("malformed array")
        if any(type(n) is not int or n < 0 for n in shape):
            raise wire.WireError("malformed array")
        size = 8 * int(np.prod(shape, dtype=np.int64))
        if size != nbytes or offset < 0 or offset + nbytes > len(_BODY):
            raise wire.WireError("array data out of bounds")
        return np.frombuffer(_BODY, "<f8", size // 8, offset).reshape(shape) if size else np.zeros(shape)
    if tag in ("l", "u"):
        if type(data.get("v")) is not list:
            raise wire.WireError("field 'v' missing")
        items = [_reference(item, depth + 1) for item in data["v"]]
        return items if tag == "l" else tuple(items)
    if tag == "d":
        keys, values = data.get("k"), data.get("v")
        if type(keys) is not list or type(values) is not list:
            raise wire.WireError("field missing")
        if len(keys) != len(values):
            raise wire.WireError("dict with mismatched keys and values")
        out = {}
        for key, item in zip(keys, values, strict=True):
            if type(key) is dict and key.get("t") not in ("u", "g", "c"):
                raise wire.WireError("dict key that is not hashable")
            value = _reference(item, depth + 1)
            try:
                out[key if type(key) is str else _reference(key, depth + 1)] = value
            except TypeError:
                raise wire.WireError("dict key that is not hashable") from None
        return out
    raise wire.WireError("unknown tag")


_arrays = st.builds(lambda shape, offset: {"t": "a", "d": "<f8", "s": shape, "o": offset,
                                           "n": 8 * int(np.prod(shape, dtype=np.int64))},
                    st.lists(st.integers(-1, 3), max_size=3), st.sampled_from([0, 8, 16, 40, 64, -8]))
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), st.text(max_size=3))
_bad = st.one_of(st.just([1]), st.just({"t": "q"}), st.just({"t": "l"}), st.just({"t": "l", "v": [[1]]}))
_keys = st.one_of(st.text(max_size=2), st.integers(0, 3), st.just({"t": "l", "v": []}),
                  st.just({"t": "u", "v": [1]}), st.just({"t": "u", "v": [{"t": "l", "v": []}]}))


def _trees(leaves: Any) -> Any:
    return st.recursive(leaves, lambda inner: st.one_of(
        st.builds(lambda tag, items: {"t": tag, "v": items}, st.sampled_from(["l", "u"]), st.lists(inner, max_size=4)),
        st.lists(st.tuples(_keys, inner), max_size=4).map(
            lambda pairs: {"t": "d", "k": [k for k, _ in pairs], "v": [v for _, v in pairs]})), max_leaves=12)


def _same(got: Any, want: Any) -> None:
    assert type(got) is type(want)
    if type(want) is np.ndarray:
        assert got.shape == want.shape and got.dtype == want.dtype and got.tobytes() == want.tobytes()
    elif type(want) in (list, tuple):
        assert len(got) == len(want)
        for a, b in zip(got, want, strict=True):
            _same(a, b)
    elif type(want) is dict:
        assert list(got) == list(want)
        for key in want:
            _same(got[key], want[key])
    else:
        assert got == want or (got != got and want != want)


@settings(max_examples=300, deadline=None)
@given(_trees(st.one_of(_scalars, _arrays, _bad)))
def test_decode_matches_a_plain_recursive_reading(tree: Any) -> None:
    try:
        want: Any = _reference(tree)
    except wire.WireError as exc:
        want = exc
    if isinstance(want, wire.WireError):
        with pytest.raises(wire.WireError):
            wire.decode(tree, _BODY)
    else:
        _same(wire.decode(tree, _BODY), want)


@pytest.mark.parametrize("item", [[1], (1,), b"x", object()], ids=repr)
@pytest.mark.parametrize("container", ["l", "u", "d"])
def test_an_item_that_is_not_plain_data_is_refused_in_every_container(item: Any, container: str) -> None:
    data = {"t": "d", "k": ["a"], "v": [item]} if container == "d" else {"t": container, "v": [1.0, item]}
    with pytest.raises(wire.WireError, match="unexpected value"):
        wire.decode(data, _BODY)


def test_a_bad_key_is_named_before_its_value_is_read() -> None:
    data = {"t": "d", "k": [{"t": "l", "v": []}], "v": [[1]]}
    with pytest.raises(wire.WireError, match="not hashable"):
        wire.decode(data, _BODY)
    unhashable = {"t": "d", "k": [{"t": "u", "v": [{"t": "l", "v": []}]}], "v": [1.0]}
    with pytest.raises(wire.WireError, match="not hashable"):
        wire.decode(unhashable, _BODY)


def test_scalars_and_arrays_at_the_deepest_level() -> None:
    """A scalar is plain data at any depth; an array only down to ``2 * MAX_DEPTH``."""
    array = {"t": "a", "d": "<f8", "s": [1], "o": 8, "n": 8}
    for leaf, ok_at in ((1.5, 2 * wire.MAX_DEPTH + 1), (array, 2 * wire.MAX_DEPTH)):
        for container in ("l", "d"):
            def nested(levels: int, leaf: Any = leaf, container: str = container) -> Any:
                value = leaf
                for _ in range(levels):
                    value = {"t": "d", "k": ["x"], "v": [value]} if container == "d" else {"t": "l", "v": [value]}
                return value
            wire.decode(nested(ok_at), _BODY)
            if leaf is array:
                with pytest.raises(wire.WireError):
                    wire.decode(nested(ok_at + 1), _BODY)
