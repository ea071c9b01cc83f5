"""``CallRecord.args_after`` through a real child: an argument the call left exactly as sent comes
back as a marker (the parent hands out a copy of what it sent); any change, however small (a NaN
or ``-0.0`` written in place, a dtype or shape changed, a key added, removed or renamed), comes
back as the child sees it. Expected values: the same edits applied here to our own copies."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dnn_autograder.grader.sandbox import session as session_module
from dnn_autograder.grader.sandbox import units_from_source
from dnn_autograder.grader.sandbox.requests import PreparedCalls

from .support import bits

STUDENT = '''\
import numpy as np


def touch(how, a, d, xs):
    if how == "nan":
        a[0, 0] = np.nan
    elif how == "negzero":
        a[1, 0] = -0.0
    elif how == "same-bits":
        a[0, 0] = 1.0
    elif how == "dtype":
        a.dtype = np.int64
    elif how == "shape":
        a.shape = (1, 4)
    elif how == "add":
        d["new"] = 1
    elif how == "remove":
        d.pop("b")
    elif how == "replace":
        d["b"] = d["b"] + 1
    elif how == "rename":
        d["B"] = d.pop("b")
    elif how == "list":
        xs[0] = -0.0
    elif how == "through-base":
        a.base[a.__array_interface__["data"][0] - np.frombuffer(a.base, np.uint8).__array_interface__["data"][0]] = 7
    return how


def update(a, d, which):
    a *= 2.0
    d["b"] = d["b"] - 1
    if which == "both":
        return a, d
    if which == "dict":
        return d
    if which == "copy":
        return dict(d)
    return [a, d, a]
'''


def _shape(a: np.ndarray) -> None:
    a.shape = (1, 4)


def _dtype(a: np.ndarray) -> None:
    a.dtype = np.int64


EDITS: dict[str, Callable[[np.ndarray, dict, list], Any]] = {
    "none": lambda a, d, xs: None,
    "nan": lambda a, d, xs: a.__setitem__((0, 0), np.nan),
    "negzero": lambda a, d, xs: a.__setitem__((1, 0), -0.0),
    "same-bits": lambda a, d, xs: a.__setitem__((0, 0), 1.0),
    "dtype": lambda a, d, xs: _dtype(a),
    "shape": lambda a, d, xs: _shape(a),
    "add": lambda a, d, xs: d.__setitem__("new", 1),
    "remove": lambda a, d, xs: d.pop("b"),
    "replace": lambda a, d, xs: d.__setitem__("b", d["b"] + 1),
    "rename": lambda a, d, xs: d.__setitem__("B", d.pop("b")),
    "list": lambda a, d, xs: xs.__setitem__(0, -0.0),
    "through-base": lambda a, d, xs: a.view(np.uint8).reshape(-1).__setitem__(0, 7),
}


def _args(how: str) -> tuple[Any, ...]:
    return (how, np.array([[1.0, 2.0], [0.0, 3.0]]), {"a": np.ones(2), "b": np.zeros(1)}, [0.0, 1])


def _expected(how: str) -> tuple[Any, ...]:
    args = copy.deepcopy(_args(how))
    EDITS[how](*args[1:])
    return args


@pytest.fixture
def markers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The argument positions the parent filled in from what it sent (markers received)."""
    seen: list[int] = []
    real = session_module._unchanged

    def spy(sent: Any, index: int) -> Any:
        seen.append(index)
        return real(sent, index)

    monkeypatch.setattr(session_module, "_unchanged", spy)
    return seen


def _unchanged_positions(how: str) -> list[int]:
    before, after = _args(how), _expected(how)
    return [i for i in range(4) if bits(before[i]) == bits(after[i])]


def test_each_change_comes_back_and_only_unchanged_arguments_are_markers(sandbox: Any, markers: list[int]) -> None:
    calls = PreparedCalls([(_args(how), None) for how in EDITS])
    with sandbox.session(units_from_source(STUDENT)) as opened:
        records = list(opened.call_each("touch", calls))
    assert [r.value for r in records] == list(EDITS), [r.message for r in records]
    expected_markers: list[int] = []
    for how, record in zip(EDITS, records, strict=True):
        assert bits(record.args_after) == bits(_expected(how)), how
        expected_markers += _unchanged_positions(how)
    assert markers == expected_markers
    assert _unchanged_positions("nan") == [0, 2, 3] and _unchanged_positions("add") == [0, 1, 3]


@pytest.mark.parametrize("how", ["none", "negzero", "rename"])
def test_one_call_the_same(sandbox: Any, markers: list[int], how: str) -> None:
    with sandbox.session(units_from_source(STUDENT)) as opened:
        record = opened.call("touch", _args(how))
    assert bits(record.args_after) == bits(_expected(how))
    assert markers == _unchanged_positions(how)


def test_unchanged_arguments_are_copies_of_their_own(sandbox: Any) -> None:
    calls = PreparedCalls([(_args("none"), None), (_args("none"), None)])
    with sandbox.session(units_from_source(STUDENT)) as opened:
        first, second = opened.call_each("touch", calls)
        first.args_after[1][0, 0] = 99.0  # writable, and nobody else's
        first.args_after[2]["c"] = 1
        again = list(opened.call_each("touch", calls))
    assert first.args_after[1] is not second.args_after[1]
    for record in (second, *again):
        assert bits(record.args_after) == bits(_args("none"))


@pytest.fixture
def kept(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The markers the parent resolved (``(marker, argument position)``)."""
    seen: list[Any] = []
    real = session_module._kept

    def spy(item: dict, index: int, *rest: Any) -> Any:
        seen.append((dict(item), index))
        return real(item, index, *rest)

    monkeypatch.setattr(session_module, "_kept", spy)
    return seen


def _updated() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    a, d = np.array([[1.0, -0.0], [3.0, 4.0]]), {"a": np.ones(2), "b": np.zeros(1)}
    a *= 2.0
    d["b"] = d["b"] - 1
    return a, d


@pytest.mark.parametrize("which, markers, value", [
    ("both", [({"t": "=", "v": 0}, 0), ({"t": "=", "v": 1}, 1), ({"t": "="}, 2)], "both"),
    ("dict", [({"t": "=", "v": -1}, 1), ({"t": "="}, 2)], "dict"),
    ("copy", [({"t": "="}, 2)], "dict"),  # an equal dict, another object: sent in full
    ("list", [({"t": "=", "v": 0}, 0), ({"t": "=", "v": 1}, 1), ({"t": "="}, 2)], "list"),
])
def test_arguments_returned_come_back_as_the_value(sandbox: Any, kept: list[Any], which: str,
                                                   markers: list[Any], value: str) -> None:
    args = (np.array([[1.0, -0.0], [3.0, 4.0]]), {"a": np.ones(2), "b": np.zeros(1)}, which)
    with sandbox.session(units_from_source(STUDENT)) as opened:
        record = opened.call_each("update", [(args, None)])
        record = next(iter(record))
    a, d = _updated()
    assert bits(record.args_after) == bits((a, d, which))
    expected = {"both": (a, d), "dict": d, "list": [a, d, a]}[value]
    assert bits(record.value) == bits(expected)
    assert kept == markers
    after_a, after_d = record.args_after[:2]
    got = record.value if isinstance(record.value, tuple | list) else (None, record.value)
    assert after_d is not got[1] and after_d["b"] is not got[1]["b"]  # copies of their own
    after_d["b"][0] = 5.0
    assert got[1]["b"][0] == -1.0
    if value != "dict":
        assert after_a is not got[0]


@pytest.mark.parametrize("item, returned, value", [
    ({"t": "=", "v": 2}, True, (1, 2)),  # no item 2
    ({"t": "=", "v": 0}, True, {"a": 1}),  # not a tuple or list
    ({"t": "=", "v": -1}, False, None),  # no value sent
    ({"t": "=", "v": "0"}, True, (1,)),
    ({"t": "=", "v": 0, "x": 1}, True, (1,)),
    ({"t": "=", "x": 1}, True, (1,)),
    ({"t": "="}, True, (1,)),  # position 3 was not sent
])
def test_markers_the_parent_cannot_resolve_are_protocol_errors(item: dict, returned: bool, value: Any) -> None:
    sent = session_module._SentArgs(lambda: (1, 2, 3))
    with pytest.raises(session_module.wire.WireError):
        session_module._kept(item, 3, sent, returned, value)
    with pytest.raises(session_module.wire.WireError):
        session_module._kept({"t": "="}, 0, None, True, value)  # a script sends no arguments


def test_a_body_too_large_to_keep_sends_arguments_in_full(sandbox: Any, markers: list[int]) -> None:
    big = np.zeros((9 << 20) // 8)  # past the child's 8 MiB copy of a request's body
    args = ("none", big, {"a": np.ones(2), "b": np.zeros(1)}, [0.0, 1])
    with sandbox.session(units_from_source(STUDENT)) as opened:
        record = opened.call("touch", args)
        small = opened.call("touch", _args("none"))
    assert bits(record.args_after) == bits(args)
    assert markers == [0, 1, 2, 3]  # only the small request's
    assert bits(small.args_after) == bits(_args("none"))
