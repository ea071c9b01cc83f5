"""``wire.unchanged``: a child sends an argument back as ``wire.UNCHANGED`` only when it is still
exactly what the request sent. Checked against an independent oracle: the argument encoded again
and compared, value by value, with what was sent (floats and array data by their bits)."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.sandbox.child import wire

from .support import bits


def received(value: Any) -> tuple[Any, Any, bytes, bytearray]:
    """What a child holds for ``value`` sent in a request: the encoded data, the decoded value
    (arrays are views of the body, as in the child), and the body as received."""
    encoder = wire.Encoder(1 << 30)
    frame = wire.pack({"v": encoder.encode(value)}, encoder)
    chunks = [frame]
    header, body = wire.Stream(lambda n: chunks.pop() if chunks else b"").read()
    original = bytes(body)
    return header["v"], wire.decode(header["v"], body), original, body


def canonical(value: Any) -> Any:
    """The oracle: what the parent would decode from ``value`` encoded now, as comparable data
    (types kept, floats and arrays by their bits, no offsets)."""
    encoder = wire.Encoder(1 << 30)
    data = encoder.encode(value)
    body = b"".join(bytes(chunk) for chunk in encoder.chunks)
    return bits(wire.decode(data, body))


def untouched() -> Any:
    return {"W1": np.arange(6.0).reshape(2, 3), "b1": np.zeros((2, 1)), "lr": 0.5, "t": 3,
            "layers": [2, 0.0, (1.0, "x")], "mask": np.array([True, False]), "n": np.float32(2.5),
            "z": complex(1.0, 0.0), "empty": np.zeros((0, 3)), "name": "adam", "none": None}


def _set_strides(value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        value["W1"].strides = (8, 16)  # the same bytes read in another order


MUTATIONS: dict[str, Callable[[Any], None]] = {
    "nan written in place": lambda v: v["W1"].__setitem__((0, 1), np.nan),
    "-0.0 over 0.0 in an array": lambda v: v["b1"].__setitem__((1, 0), -0.0),
    "-0.0 over 0.0 in a list": lambda v: v["layers"].__setitem__(1, -0.0),
    "a float for an int in a list": lambda v: v["layers"].__setitem__(0, 2.0),
    "another float of equal value": lambda v: v.__setitem__("lr", float(str(v["lr"]))),
    "the same float put back": lambda v: v.__setitem__("lr", v["lr"]),
    "dtype reinterpreted": lambda v: setattr(v["W1"], "dtype", np.int64),
    "shape changed": lambda v: setattr(v["W1"], "shape", (3, 2)),
    "strides changed": _set_strides,
    "key added": lambda v: v.__setitem__("W2", np.ones(1)),
    "key removed": lambda v: v.pop("b1"),
    "key replaced": lambda v: v.__setitem__("B1", v.pop("b1")),
    "keys reordered": lambda v: v.__setitem__("W1", v.pop("W1")),
    "last key put back": lambda v: v.__setitem__("none", v.pop("none")),
    "last key renamed": lambda v: v.__setitem__("None", v.pop("none")),
    "value replaced by an equal copy": lambda v: v.__setitem__("W1", v["W1"].copy()),
    "value replaced by a list": lambda v: v.__setitem__("W1", v["W1"].tolist()),
    "item appended": lambda v: v["layers"].append(4),
    "nested list cleared": lambda v: v["layers"].clear(),
    "array replaced by a slice of it": lambda v: v.__setitem__("W1", v["W1"][:, :2]),
    "numpy scalar of another dtype": lambda v: v.__setitem__("n", np.float64(2.5)),
    "numpy scalar of other bits": lambda v: v.__setitem__("n", np.float32(-2.5)),
    "complex with -0.0": lambda v: v.__setitem__("z", complex(1.0, -0.0)),
    "complex of the same bits": lambda v: v.__setitem__("z", complex(1.0, 0.0)),
    "numpy scalar of the same bits": lambda v: v.__setitem__("n", np.float32(2.5)),
    "bool array flipped": lambda v: v["mask"].__setitem__(1, True),
    "empty array reshaped": lambda v: setattr(v["empty"], "shape", (3, 0)),
    "written through the body": lambda v: v["W1"].base.__setitem__(slice(0, 8), b"\xff" * 8),
    "nothing": lambda v: None,
}


#: what leaves the value as it was sent (all others change it)
SAME = {"nothing", "the same float put back", "value replaced by an equal copy", "last key put back",
        "another float of equal value", "complex of the same bits", "numpy scalar of the same bits"}
#: the same value, not claimed unchanged: a scalar is trusted only as the object the header held
CONSERVATIVE = {"another float of equal value"}


@pytest.mark.parametrize("how", list(MUTATIONS))
def test_unchanged_exactly_when_the_encoding_is_the_same(how: str) -> None:
    data, value, original, _ = received(untouched())
    before = canonical(value)
    MUTATIONS[how](value)
    same = canonical(value) == before
    assert same is (how in SAME), "the oracle disagrees with the test's intent"
    assert wire.unchanged(value, data, original) is (same and how not in CONSERVATIVE)


def test_a_float_is_trusted_only_as_the_very_object_sent() -> None:
    data, value, original, _ = received([0.0, float("nan")])
    assert wire.unchanged(value, data, original)
    value[0] = -0.0
    assert not wire.unchanged(value, data, original)
    data, value, original, _ = received([float("nan")])
    value[0] = float("nan")  # equal-looking, another object: conservatively "changed"
    assert not wire.unchanged(value, data, original)


def test_non_string_keys_are_never_claimed_unchanged() -> None:
    data, value, original, _ = received({(1, 2): np.ones(2), 3: "x"})
    assert not wire.unchanged(value, data, original)


def test_the_reference_is_the_body_as_received_not_as_written() -> None:
    data, value, original, body = received({"a": np.ones(3)})
    body[:8] = bytes(8)  # another call wrote into the frame's body before this one was decoded
    assert not wire.unchanged(wire.decode(data, body), data, original)
    assert wire.unchanged(wire.decode(data, original), data, original)


def test_fresh_copies_containers_and_arrays() -> None:
    data, value, original, _ = received(untouched())
    readonly = wire.decode(data, original)  # views of immutable bytes
    copied = wire.fresh(readonly)
    assert canonical(copied) == canonical(value)
    copied["W1"][0, 0] = 7.0  # its own, writable
    copied["layers"].append(1)
    assert readonly["W1"][0, 0] == 0.0 and len(readonly["layers"]) == 3
    assert copied["layers"][2] is not readonly["layers"][2] or type(copied["layers"][2]) is tuple


values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=True, width=64) | st.text(max_size=3)
    | st.builds(lambda n, fill: np.full(n, fill), st.integers(0, 3), st.sampled_from([0.0, -0.0, 1.0, np.nan])),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    max_leaves=8)


def _edit(value: Any, path: list[int], op: int) -> None:
    """Apply edit ``op`` to the container or array found by following ``path`` (indices mod size)."""
    target = value
    for step in path:
        if type(target) in (list, tuple, dict) and len(target):
            items = list(target.values()) if type(target) is dict else list(target)
            child = items[step % len(items)]
            if type(child) in (list, dict, np.ndarray):
                target = child
                continue
        break
    if type(target) is np.ndarray and target.size:
        target[0] = [0.0, -0.0, np.nan, 1.0][op % 4]
    elif type(target) is list:
        if op % 3 == 0:
            target.append(0.0)
        elif target:
            target[0] = [-0.0, 0.0, copy.copy(target[0])][op % 3]
    elif type(target) is dict:
        key = ["a", "b", "z"][op % 3]
        if key in target and op % 2:
            target[key] = target.pop(key)
        else:
            target[key] = -0.0


@settings(max_examples=300, deadline=None)
@given(values, st.lists(st.integers(0, 5), max_size=4), st.integers(0, 11))
def test_unchanged_never_hides_a_change(value: Any, path: list[int], op: int) -> None:
    data, decoded, original, _ = received([value])
    before = canonical(decoded)
    _edit(decoded, path, op)
    if wire.unchanged(decoded, data, original):
        assert canonical(decoded) == before
