"""Issue 17, the wire's faster paths (the sandbox child encodes every call's value and arguments
and packs every reply): the encoder's fast paths for exact types, its array buffers and its
dtype codes give what the format's plain definition gives (a reference encoder written here);
``pack`` writes exactly ``json.dumps``'s text; ``parse_header`` accepts and refuses exactly
what ``json.loads`` does."""

from __future__ import annotations

import io
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dnn_autograder.grader.sandbox.child import wire

CODES = ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16"]


def reference(value: Any, body: bytearray) -> Any:
    """The format as the module doc states it, the simplest way: arrays in native byte order,
    their C-order bytes appended to ``body`` at the next multiple of 16."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.ndarray):
        array = np.asarray(value)
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("="))
        offset = -(-len(body) // 16) * 16
        body.extend(bytes(offset - len(body)))
        body.extend(array.tobytes(order="C"))
        return {"t": "a", "d": array.dtype.str, "s": list(array.shape), "o": offset, "n": array.nbytes}
    if isinstance(value, np.generic):
        item = value.item()
        return {"t": "g", "d": value.dtype.str, "v": [item.real, item.imag] if isinstance(item, complex) else item}
    for plain in (bool, int, float, str):
        if isinstance(value, plain):
            return plain(value) if plain is not str else str.__str__(value)
    if isinstance(value, complex):
        return {"t": "c", "v": [value.real, value.imag]}
    if isinstance(value, list | tuple):
        return {"t": "l" if isinstance(value, list) else "u", "v": [reference(item, body) for item in value]}
    assert isinstance(value, dict)
    keys = [reference(key, body) for key in value]
    return {"t": "d", "k": keys, "v": [reference(item, body) for item in value.values()]}


def _arrays() -> st.SearchStrategy[np.ndarray]:
    base = hnp.arrays(st.sampled_from(CODES).map(np.dtype), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                                            max_side=4))
    return st.one_of(
        base,
        base.filter(lambda a: a.ndim >= 2).map(lambda a: a.T),  # not C-contiguous
        base.filter(lambda a: a.ndim >= 1).map(lambda a: a[::2]),  # strided
        base.filter(lambda a: a.dtype.itemsize > 1).map(lambda a: a.astype(a.dtype.newbyteorder(">"))),
    )


class Count(int):
    pass


LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8), st.complex_numbers(allow_nan=False), st.integers(0, 9).map(Count),
    st.floats(allow_nan=False).map(np.float64), st.integers(-100, 100).map(np.int32),
    st.booleans().map(np.bool_), st.complex_numbers(allow_nan=False, max_magnitude=1e30).map(np.complex128),
    _arrays(),
)
KEYS = st.one_of(st.text(max_size=6), st.integers(-5, 5), st.tuples(st.integers(0, 3), st.integers(0, 3)))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.dictionaries(KEYS, inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(VALUES, min_size=1, max_size=3), snapshot=st.booleans())
def test_the_encoder_gives_the_plain_definition(values: list[Any], snapshot: bool) -> None:
    encoder = wire.Encoder(1 << 30, snapshot=snapshot)
    encoded = [encoder.encode(value) for value in values]
    body = bytearray()
    expected = [reference(value, body) for value in values]
    assert json.dumps(encoded) == json.dumps(expected)
    assert encoder.body_len == len(body)
    frame = wire.pack({"v": encoded}, encoder)
    head_len, body_len = wire.HEADER.unpack(frame[:wire.HEADER.size])
    assert body_len == len(body)
    assert frame[wire.HEADER.size + head_len:] == body


def test_snapshot_copies_when_encoded_and_plain_reads_when_packed() -> None:
    for snapshot, seen in ((True, 1.0), (False, 7.0)):
        array = np.ones(4)
        encoder = wire.Encoder(1 << 20, snapshot=snapshot)
        header = {"v": encoder.encode([array, array.T[::2]])}
        array[:] = 7.0
        frame = wire.pack(header, encoder)
        read, body = wire.Stream(io.BytesIO(frame).read).read()
        back = wire.decode(read["v"], body)
        assert back[0].tolist() == [seen] * 4
        assert back[1].tolist() == [1.0] * 2  # not contiguous: its bytes are gathered when encoded


def test_the_limits_still_hold_on_the_fast_paths() -> None:
    with pytest.raises(wire.Unencodable, match="larger than the 64 bytes limit"):
        wire.Encoder(64).encode({"k" * 70: 1})
    with pytest.raises(wire.Unencodable, match="larger than the 64 bytes limit"):
        wire.Encoder(64).encode([1.5] * 9)
    with pytest.raises(wire.Unencodable, match="more than"):
        wire.Encoder(1 << 40).encode({str(i): None for i in range(wire.MAX_ITEMS // 2 + 1)})
    nested: Any = {}
    for _ in range(wire.MAX_DEPTH + 1):
        nested = {"k": nested}
    with pytest.raises(wire.Unencodable, match="nested deeper"):
        wire.Encoder(1 << 20).encode(nested)
    with pytest.raises(wire.Unencodable, match="dtype datetime64"):
        wire.Encoder(1 << 20).encode({"when": np.array(["2020-01-01"], dtype="M8[D]")})


HEADERS = [
    {"ev": "result", "value": {"t": "a", "d": "<f8", "s": [2, 3], "o": 0, "n": 48}, "x": [1.5, -0.0, 1e300]},
    {"nan": math.nan, "inf": [math.inf, -math.inf], "big": 2**80, "s": "é\u2028\x00\"\\", "none": None, "t": True},
    {}, {"nested": [[[[{"a": []}]]]]},
]


@pytest.mark.parametrize("header", HEADERS, ids=range(len(HEADERS)))
def test_pack_writes_json_dumps_text(header: dict[str, Any]) -> None:
    frame = wire.pack(header, body=b"xyz")
    head_len, body_len = wire.HEADER.unpack(frame[:wire.HEADER.size])
    text = frame[wire.HEADER.size:wire.HEADER.size + head_len]
    assert text == json.dumps(header, separators=(",", ":"), allow_nan=True).encode("utf-8")
    assert (body_len, frame[wire.HEADER.size + head_len:]) == (3, b"xyz")


def test_pack_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        wire.pack({"v": object()})


TEXTS = [b'{"a":1}', b' {"a":1}', b'{"a":1} \n', b'{"a":1}x', b'{"a":1}{}', b"", b"  ", b"[1]", b'"s"', b'{"a":',
         b'\xef\xbb\xbf{"a":1}', b'{"a":NaN,"b":-Infinity}', b'{"a":1,"a":2}', b"\xff", b"{" * 5000 + b"}" * 5000]


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_parse_header_is_json_loads(text: bytes) -> None:
    try:
        expected: Any = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError):
        expected = wire.WireError
    if not isinstance(expected, dict):
        expected = wire.WireError
    if expected is wire.WireError:
        with pytest.raises(wire.WireError):
            wire.parse_header(text)
    else:
        assert json.dumps(wire.parse_header(text)) == json.dumps(expected)
