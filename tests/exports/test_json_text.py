"""A result's compact and indented JSON texts, made in one pass, are exactly ``json.dumps``'s
(issue 17: the indented text cost the worker about a millisecond per student in pure Python)."""

from __future__ import annotations

import json
import math
from collections import OrderedDict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.outputs.exports.files import dumps_json, dumps_json_twice
from dnn_autograder.grader.outputs.exports.json_text import both_texts


def _expected(data, indent: int = 2) -> tuple[str, str]:
    return (json.dumps(data, ensure_ascii=False, allow_nan=False),
            json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False))


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False,
                     allow_infinity=False), st.text(max_size=6))
_plain = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(inner, max_size=4).map(tuple),
    st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=5),  # a series
    st.lists(st.integers(-5, 5), max_size=5),
    st.dictionaries(st.text(max_size=4), inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_plain, st.sampled_from([0, 1, 2, 4]))
def test_both_texts_are_json_dumps_texts(data, indent: int) -> None:
    assert both_texts(data, indent) == _expected(data, indent)


@pytest.mark.parametrize("data", [
    {"a": [1.0, float("nan")]}, {"a": float("inf")}, [float("-inf")], {"x": [1.5, 2]},  # NaN raises; mixed list
    {1: "int key"}, {"a": {2.5: 1, None: 2, True: 3}},  # keys json.dumps turns into text
    {"sub": OrderedDict(b=1)}, ["\ud800 lone surrogate", "é", "\u2028"], {"t": (1, (2.0, [])), "e": {}},
    [True, False, None, 1, 1.0, -0.0, 1e300, 5e-324],
])
def test_values_outside_the_fast_path_get_json_dumps_answer(data) -> None:
    try:
        expected = _expected(data)
    except ValueError as exc:  # a non-finite float: the same error
        with pytest.raises(ValueError, match=str(exc)):
            both_texts(data)
        return
    assert both_texts(data) == expected


def test_a_float_subclass_and_a_str_subclass_are_written_as_json_writes_them() -> None:
    class Text(str):
        pass

    class Number(float):
        def __repr__(self) -> str:
            return "Number()"

    data = {"a": [Number(1.5), 2.0], "b": Text("x"), Text("k"): 1}
    assert both_texts(data) == _expected(data)


def test_a_cycle_is_refused_as_json_dumps_refuses_it() -> None:
    data: list = [1.0]
    data.append(data)
    with pytest.raises(ValueError, match="Circular reference"):
        both_texts(data)


def test_dumps_json_twice_is_dumps_json_compact_and_indented() -> None:
    for data in ({"a": [0.1, 0.2], "b": "é"}, {"s": "\udc80"}, []):
        assert dumps_json_twice(data) == (dumps_json(data), dumps_json(data, indent=2))
    compact, pretty = dumps_json_twice({"s": "\udc80"})
    assert "\\udc80" in compact and "\\udc80" in pretty  # escaped: the file stays valid UTF-8
    assert json.loads(pretty) == {"s": "\udc80"}


def test_a_large_series_round_trips() -> None:
    series = [math.sin(i) * 10.0 ** (i % 7 - 3) for i in range(2000)]
    compact, pretty = both_texts({"x": series})
    assert json.loads(compact)["x"] == series and json.loads(pretty)["x"] == series
    assert pretty.count("\n") == 2000 + 3
