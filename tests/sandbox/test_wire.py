"""The wire format: plain data round-trips; anything malformed or oversized is refused."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox.child import wire


def roundtrip(value: Any) -> Any:
    encoder = wire.Encoder(1 << 30)
    frame = wire.pack({"v": encoder.encode(value)}, encoder)
    chunks = [frame]
    stream = wire.Stream(lambda n: chunks.pop() if chunks else b"")
    header, body = stream.read()
    return wire.decode(header["v"], body)


@pytest.mark.parametrize("value", [
    None, True, 0, -(2**70), 1.5, float("inf"), "é\u2028", [1, [2, [3]]], (1, "a"),
    {"W1": 1, 2: "b", (1, 2): None}, 1 + 2j,
], ids=repr)
def test_plain_values_roundtrip(value: Any) -> None:
    assert roundtrip(value) == value
    assert type(roundtrip(value)) is type(value)


@pytest.mark.parametrize("dtype", ["?", "i1", "u2", "i4", "i8", "f2", "f4", "f8", "c8", "c16"])
def test_arrays_roundtrip_writable_and_aligned(dtype: str) -> None:
    array = (np.arange(24).reshape(2, 3, 4) % 3).astype(dtype)
    back = roundtrip([np.int8(1), array, array.T])
    np.testing.assert_array_equal(back[1], array)
    np.testing.assert_array_equal(back[2], array.T)
    assert back[1].dtype == array.dtype and back[1].flags.writeable
    assert back[1].ctypes.data % array.dtype.alignment == 0


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_big_endian_and_subclasses_become_plain() -> None:
    assert roundtrip(np.arange(3, dtype=">i4")).dtype == np.dtype("<i4")
    assert type(roundtrip(np.matrix([[1, 2]]))) is np.ndarray

    class Count(int):
        pass

    assert type(roundtrip(Count(3))) is int


def test_nan_survives() -> None:
    value = roundtrip(np.array([np.nan, -np.inf]))
    assert np.isnan(value[0]) and value[1] == -np.inf
    assert np.isnan(roundtrip(float("nan")))


@pytest.mark.parametrize("value, reason", [
    (lambda: 1, "a function"), ({1, 2}, "a set"), (b"abc", "a bytes object"),
    (np.array(["a"]), "a numpy array of dtype <U1"), (np.array([None]), "dtype object"),
    ({"k": object()}, "an object of type object"), ({frozenset([1]): 3}, "a frozenset"),
], ids=lambda v: type(v).__name__)
def test_unencodable_values(value: Any, reason: str) -> None:
    with pytest.raises(wire.Unencodable, match=reason):
        wire.Encoder(1 << 20).encode(value)


def test_limits_on_size_depth_and_items() -> None:
    with pytest.raises(wire.Unencodable, match="larger than the 1 KiB limit"):
        wire.Encoder(1024).encode(np.zeros(1000))
    nested: Any = []
    for _ in range(100):
        nested = [nested]
    with pytest.raises(wire.Unencodable, match="nested deeper"):
        wire.Encoder(1 << 20).encode(nested)
    with pytest.raises(wire.Unencodable, match="more than"):
        wire.Encoder(1 << 40).encode([0] * (wire.MAX_ITEMS + 1))


@pytest.mark.parametrize("data", [
    {"t": "a", "d": "|O", "s": [1], "o": 0, "n": 8},
    {"t": "a", "d": "<f8", "s": [2], "o": 0, "n": 16},
    {"t": "a", "d": "<f8", "s": [1], "o": 8, "n": 8},
    {"t": "a", "d": "<f8", "s": [-1], "o": 0, "n": 8},
    {"t": "a", "d": "<f8", "s": [1], "o": -8, "n": 8},
    {"t": "a", "d": "<f8", "s": [1] * 40, "o": 0, "n": 8},
    {"t": "a", "d": ["<f8"], "s": [1], "o": 0, "n": 8},
    {"t": "a", "s": [1], "o": 0, "n": 8},
    {"t": "a", "d": "<f8", "s": "1", "o": 0, "n": 8},
    {"t": "a", "d": "<f8", "s": [True], "o": 0, "n": 8},
    {"t": "a", "d": "<f8", "s": [1.0], "o": 0, "n": 8},
    {"t": "a", "d": "<f8", "s": [1], "o": 0.0, "n": 8},
    {"t": "a", "d": "<f8", "s": [2, -1], "o": 0, "n": -16},
    {"t": "p", "v": "cos\nsystem\n"},
    {"t": "d", "k": [{"t": "l", "v": []}], "v": [1]},
    {"t": "d", "k": [1, 2], "v": [1]},
    {"t": "g", "d": "<i1", "v": 1000},
    {"t": "c", "v": ["1", 2]},
    [1, 2],
], ids=lambda d: json.dumps(d)[:40])
def test_malformed_values_are_refused(data: Any) -> None:
    with pytest.raises(wire.WireError):
        wire.decode(data, bytearray(8))


def test_deep_json_and_bad_headers_are_refused() -> None:
    with pytest.raises(wire.WireError):
        wire.decode(_nest(200), bytearray())
    with pytest.raises(wire.WireError):
        wire.parse_header(b"[" * 100000)
    with pytest.raises(wire.WireError):
        wire.parse_header(b"[1, 2]")
    with pytest.raises(wire.WireError):
        wire.parse_header(b"\xff\xfe")


def _nest(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"t": "l", "v": [value]}
    return value


def test_stream_refuses_oversized_frames() -> None:
    frame = wire.HEADER.pack(10, 1 << 40)
    stream = wire.Stream(lambda n: frame, wire.Caps(1 << 20, 1 << 20, 1000))
    with pytest.raises(wire.Oversized, match="over the grader's 1 MiB"):
        stream.read()


def _counting(frame: bytes) -> tuple[wire.Stream, list[int]]:
    """A stream over ``frame`` that records how many bytes were asked for."""
    asked: list[int] = []
    data = bytearray(frame)

    def receive(size: int) -> bytes:
        asked.append(size)
        piece = bytes(data[:size])
        del data[:size]
        return piece

    return wire.Stream(receive, wire.Caps(1 << 20, 1 << 20, 1000)), asked


def test_an_oversized_header_is_refused_unread() -> None:
    text = b"[" + b"[]," * 10_000_000 + b"[]]"
    stream, asked = _counting(wire.HEADER.pack(len(text), 0) + text)
    with pytest.raises(wire.Oversized, match="header"):
        stream.read()
    assert sum(asked) <= 1 << 16  # the header's first bytes at most, never the 30 MB


def test_items_are_counted_before_the_header_is_decoded() -> None:
    text = json.dumps({"ev": "result", "value": [[] for _ in range(5000)]}).encode()
    stream, _ = _counting(wire.HEADER.pack(len(text), 0) + text)
    with pytest.raises(wire.Oversized, match="more than 1000 items"):
        stream.read()


def test_a_frame_within_the_caps_reads_back() -> None:
    body = bytes(range(256)) * 9000  # more than one read chunk
    text = json.dumps({"ev": "result", "value": [1, 2, 3]}).encode()
    stream, asked = _counting(wire.HEADER.pack(len(text), len(body)) + text + body + b"next")
    stream.caps = wire.Caps(1 << 20, 4 << 20, 1000)
    header, got = stream.read()
    assert header == {"ev": "result", "value": [1, 2, 3]} and bytes(got) == body
    assert max(asked) <= 1 << 20


def test_decoded_arrays_are_views_of_the_body() -> None:
    body = bytearray(np.arange(4, dtype="<f8").tobytes())
    matrix = wire.decode({"t": "a", "d": "<f8", "s": [2, 1], "o": 16, "n": 16}, body)
    assert matrix.shape == (2, 1) and matrix.tolist() == [[2.0], [3.0]] and matrix.flags.writeable
    matrix[0, 0] = 7.0
    assert np.frombuffer(body, "<f8")[2] == 7.0
    scalar = wire.decode({"t": "a", "d": "<f8", "s": [], "o": 8, "n": 8}, body)
    assert scalar.shape == () and scalar == 1.0
    empty = wire.decode({"t": "a", "d": "<i4", "s": [3, 0], "o": 0, "n": 0}, b"")
    assert empty.shape == (3, 0) and empty.dtype == np.dtype("<i4")
    assert not wire.decode({"t": "a", "d": "<f8", "s": [1], "o": 0, "n": 8}, bytes(body)).flags.writeable


@pytest.mark.parametrize("container", ["l", "u", "d"])
def test_an_array_is_refused_below_the_nesting_limit_like_any_value(container: str) -> None:
    """Arrays inside lists and dicts are decoded in place (the common case, quicker): the depth
    limit holds for them as for a value decoded on its own."""
    body = bytearray(np.arange(2.0).tobytes())
    array = {"t": "a", "d": "<f8", "s": [2], "o": 0, "n": 16}

    def nested(levels: int) -> dict:
        value: dict = array
        for _ in range(levels):
            value = {"t": "d", "k": ["x"], "v": [value]} if container == "d" else {"t": container, "v": [value]}
        return value

    limit = 2 * wire.MAX_DEPTH  # the deepest level decode accepts
    inner = wire.decode(nested(limit), body)
    for _ in range(limit):
        inner = inner["x"] if container == "d" else inner[0]
    np.testing.assert_array_equal(inner, [0.0, 1.0])
    with pytest.raises(wire.WireError, match="unexpected value"):
        wire.decode(nested(limit + 1), body)
    with pytest.raises(wire.WireError, match="unexpected value"):
        wire.decode(array, body, limit + 1)
