"""The encoder's and ``wire.unchanged``'s array items handled in their dict and list loops (no
call of ``encode``/``unchanged`` each): checked against what the format says, computed here."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.sandbox.child import wire

_shapes = st.lists(st.integers(0, 3), max_size=3)
_dtypes = st.sampled_from(["<f8", "<i4", "|u1", "|b1", "<c16"])


@st.composite
def _dicts_of_arrays(draw: Any) -> dict[str, np.ndarray]:
    names = draw(st.lists(st.text("abcW1", min_size=1, max_size=3), unique=True, max_size=5))
    return {name: np.asarray(draw(st.lists(st.integers(0, 9), min_size=int(np.prod(shape)),
                                           max_size=int(np.prod(shape)))), dtype=dtype).reshape(shape)
            for name in names for shape, dtype in [(draw(_shapes), draw(_dtypes))]}


@settings(max_examples=200, deadline=None)
@given(_dicts_of_arrays())
def test_a_dict_of_arrays_is_counted_and_laid_out_as_the_format_says(value: dict[str, np.ndarray]) -> None:
    encoder = wire.Encoder(1 << 30)
    encoded = encoder.encode(value)
    body = b"".join(encoder.chunks)
    # every array 16-byte aligned after the one before; size = keys + padding + data + 64 each
    expected_size, end, layout = 0, 0, []
    for key, array in value.items():
        start = (end + 15) // 16 * 16
        expected_size += len(key) + (start - end) + array.nbytes + 64
        layout.append({"t": "a", "d": array.dtype.str, "s": list(array.shape), "o": start, "n": array.nbytes})
        end = start + array.nbytes
    assert encoded == {"t": "d", "k": list(value), "v": layout}
    assert encoder.size == expected_size and encoder.items == 1 + 2 * len(value) and encoder.body_len == end
    assert len(body) == end
    for key, array in value.items():
        entry = layout[list(value).index(key)]
        assert body[entry["o"]:entry["o"] + entry["n"]] == array.tobytes()
    gaps = [b for i, b in enumerate(body) if not any(e["o"] <= i < e["o"] + e["n"] for e in layout)]
    assert set(gaps) <= {0}


def test_an_array_item_counts_towards_both_limits_exactly_where_a_lone_array_would() -> None:
    array = np.zeros(4)  # 32 bytes: counted as 32 + 64
    fits = len("w") + 32 + 64
    wire.Encoder(fits).encode({"w": array})
    with pytest.raises(wire.Unencodable, match="limit"):
        wire.Encoder(fits - 1).encode({"w": array})
    old = wire.MAX_ITEMS
    try:
        wire.MAX_ITEMS = 3  # the dict, its key, its array
        wire.Encoder(1 << 20).encode({"w": array})
        with pytest.raises(wire.Unencodable, match="more than 3 items"):
            wire.Encoder(1 << 20).encode({"w": array, "v": array})
    finally:
        wire.MAX_ITEMS = old


def _sent(value: Any) -> tuple[Any, bytes, Any]:
    encoder = wire.Encoder(1 << 30)
    encoded = encoder.encode(value)
    body = b"".join(encoder.chunks)
    return encoded, body, wire.decode(encoded, bytearray(body))


def _same_encoding(value: Any, encoded: Any, body: bytes) -> bool:
    """Independent oracle: encode ``value`` again and compare text and every array's bytes."""
    again = wire.Encoder(1 << 30)
    try:
        text = again.encode(value)
    except wire.Unencodable:
        return False
    data = b"".join(again.chunks)
    return json.dumps(text) == json.dumps(encoded) and data == body


_edits = st.sampled_from(["none", "write", "nan", "negzero", "reshape", "astype", "replace", "swap"])


@settings(max_examples=300, deadline=None)
@given(_dicts_of_arrays(), _edits, st.booleans())
def test_unchanged_of_dicts_and_lists_of_arrays_agrees_with_encoding_again(
        value: dict[str, np.ndarray], edit: str, as_list: bool) -> None:
    sent_value: Any = list(value.values()) if as_list else value
    encoded, body, decoded = _sent(sent_value)
    items = decoded if as_list else list(decoded.values())
    target = next((i for i, a in enumerate(items) if a.size and a.dtype.kind == "f"), None)
    if target is not None and edit != "none":
        array = items[target]
        if edit == "write":
            array.flat[0] += 1
        elif edit == "nan":
            array.flat[0] = np.nan
        elif edit == "negzero":
            array.flat[0] = 0.0 if np.signbit(array.flat[0]) else -0.0
        else:
            new = {"reshape": array.reshape(-1), "astype": array.astype("<f4"), "replace": array.copy(),
                   "swap": array.T.copy() if array.ndim == 2 and array.shape[0] != array.shape[1] else array}[edit]
            if as_list:
                decoded[target] = new
            else:
                decoded[list(decoded)[target]] = new
    assert wire.unchanged(decoded, encoded, body) is _same_encoding(decoded, encoded, body)
