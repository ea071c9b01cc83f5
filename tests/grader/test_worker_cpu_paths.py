"""The grading worker's cheaper per-call steps give the answers of the plain computations they
replace (issue 17, worker CPU per student): the full comparison's closeness test against
``np.isclose``, the mismatches of a numeric comparison against the former ``np.isclose``-based
comparison, ``evaluate._without_values`` against
``dataclasses.replace``, the quick verdict on dicts against
:func:`~dnn_autograder.grader.grading.compare.agrees`, and the optimization pictures' copy of the
reference path and names of the script's values against ``copy.deepcopy`` and
:func:`~dnn_autograder.grader.model.script_output`."""

from __future__ import annotations

import collections
import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.assignments.optimization import figures as optimization_figures
from dnn_autograder.grader.grading import compare
from dnn_autograder.grader.grading.evaluate import _without_values
from dnn_autograder.grader.model import Mismatch
from dnn_autograder.grader.sandbox.child import wire
from dnn_autograder.grader.sandbox.records import CallRecord, call_record

_SPECIALS = [0.0, -0.0, 1.0, -1.5, 1e-9, 1e300, -1e300, float("nan"), float("inf"), float("-inf")]
_numbers = st.one_of(st.sampled_from(_SPECIALS), st.floats(-1e3, 1e3, allow_nan=False))
_tolerances = st.tuples(st.sampled_from([0.0, 1e-7, 1e-5, 0.5]), st.sampled_from([0.0, 1e-8, 1e-3, 2.0]))


def _pair(shape: tuple[int, ...]) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    size = int(np.prod(shape))
    values = st.lists(_numbers, min_size=size, max_size=size)
    return st.tuples(values, values).map(
        lambda p: (np.array(p[0], dtype=np.float64).reshape(shape), np.array(p[1], dtype=np.float64).reshape(shape)))


_pairs = st.sampled_from([(), (1,), (3,), (2, 3)]).flatmap(_pair)


# --- closeness -------------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(_pairs, _tolerances)
def test_isclose_is_numpys(pair, tolerances) -> None:
    g, e = pair
    rtol, atol = tolerances
    with np.errstate(invalid="ignore", over="ignore"):
        mine = compare._isclose(g, e, rtol, atol)
    theirs = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=False)
    assert type(mine) is type(theirs) and np.shape(mine) == g.shape
    assert np.array_equal(mine, theirs)


def test_isclose_with_a_tolerance_that_is_not_finite_is_numpys() -> None:
    g, e = np.array([1.0, np.inf, 2.0]), np.array([1.0, np.inf, 3.0])
    with np.errstate(invalid="ignore", over="ignore"):
        mine = compare._isclose(g, e, float("inf"), 0.0)
        theirs = np.isclose(g, e, rtol=float("inf"), atol=0.0)
    assert np.array_equal(mine, theirs)


def _former_compare_numeric(expected: Any, got: Any, *, rtol: float, atol: float, where: str) -> tuple:
    """The numeric comparison as it was: the quick clause first, then ``np.isclose`` itself."""
    exp, val = compare._as_array(expected), compare._as_array(got)
    if exp.ndim == 0:
        val = val.reshape(())
    e, g = exp.astype(np.float64), val.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        quick = np.less_equal(np.abs(g - e), atol + rtol * np.abs(e)) & np.isfinite(e)
    if bool(quick.all()):
        return ()
    with np.errstate(invalid="ignore", over="ignore"):
        both_nan = np.isnan(e) & np.isnan(g)
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=False) | both_nan
    if bool(np.all(close)):
        return ()
    return (compare._value_mismatch(where, e, g, close),)


@settings(max_examples=300, deadline=None)
@given(_pairs, _tolerances)
def test_numeric_mismatches_are_the_former_ones(pair, tolerances) -> None:
    g, e = pair
    rtol, atol = tolerances
    for expected, got in ((e, g), (float(e.flat[0]) if e.size else 0.0, g.reshape(-1)[:1] if g.size else 0.0)):
        if np.shape(got) != np.shape(expected) and np.ndim(expected):
            continue
        mine = compare._compare_numeric(expected, got, rtol=rtol, atol=atol, where="w")
        theirs = _former_compare_numeric(expected, got, rtol=rtol, atol=atol, where="w")
        assert mine == theirs


def test_a_differing_number_and_a_nan_where_a_number_is_expected_are_reported() -> None:
    found = compare._compare_numeric(np.array([1.0, 2.0, 3.0]), np.array([1.0, np.nan, 4.0]),
                                     rtol=1e-7, atol=0.0, where="A")
    assert len(found) == 1 and found[0].kind == "value"
    assert found[0].summary.startswith("2 of 3 elements differ") and "NaN" in found[0].summary
    assert [row[0] for row in found[0].rows] == ["[1]", "[2]"]
    assert compare._compare_numeric(np.inf, np.inf, rtol=0.0, atol=0.0, where="x") == ()
    assert compare._compare_numeric(np.nan, np.nan, rtol=0.0, atol=0.0, where="x") == ()
    (number,) = compare._compare_numeric(2.0, np.array([3.0]), rtol=0.0, atol=0.0, where="x")
    assert number == Mismatch("x", "value", "expected 2, got 3; max abs diff 1, max rel diff 0.5", ())


# --- evaluate._without_values -----------------------------------------------------------------

def _record(**changes: Any) -> CallRecord:
    fields = dict(outcome="returned", value={"a": np.ones(2)}, args_after=(np.zeros(1), 2.0), error_type=None,
                  error_message=None, traceback=("line",), output="out", duration_s=0.5, message="returned",
                  aliases=((0, 1),), step=3, problem="p", stand_in_calls=(("f", (1,)),))
    fields.update(changes)
    return call_record(**fields)


@pytest.mark.parametrize("record", [_record(), _record(stand_in_calls=None, aliases=()),
                                    CallRecord("raised", None, (), "ValueError", "no", (), "", 0.1, "raised")])
def test_without_values_is_replace(record: CallRecord) -> None:
    made = _without_values(record)
    assert made == dataclasses.replace(record, value=None, args_after=(), stand_in_calls=None)
    assert type(made) is CallRecord and made is not record
    assert list(made.__dict__) == [f.name for f in dataclasses.fields(CallRecord)]
    assert made.traceback is record.traceback and made.output is record.output
    assert record.value is not None or record.outcome != "returned"  # the original is left as it was
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = 1  # type: ignore[misc]


# --- the quick verdict on mappings -------------------------------------------------------------

class _Mapping(Mapping):
    def __init__(self, data: dict) -> None:
        self._data = data

    def __getitem__(self, key: Any) -> Any:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


@pytest.mark.parametrize("got", [
    {"W": np.ones(2), "b": np.zeros(1)},
    {"W": np.ones(2)},  # a key missing
    {"W": np.ones(2), "b": np.zeros(1), "extra": 1.0},
    collections.defaultdict(lambda: np.zeros(1), {"W": np.ones(2)}),  # "b" missing, though got["b"] works
    collections.defaultdict(lambda: np.zeros(1), {"W": np.ones(2), "b": np.zeros(1)}),
    _Mapping({"W": np.ones(2), "b": np.zeros(1)}),
    _Mapping({"W": np.ones(2)}),
    [np.ones(2), np.zeros(1)],
    {"W": np.ones(3), "b": np.zeros(1)},
])
@pytest.mark.parametrize("exact_keys", [False, True])
def test_an_agreement_on_mappings_answers_as_agrees(got: Any, exact_keys: bool) -> None:
    expected = {"W": np.ones(2), "b": np.zeros(1)}
    theirs = compare.agrees([expected], [got], rtol=1e-7, atol=0.0, exact_keys=exact_keys)
    mine = compare.Agreement([expected], exact_keys=exact_keys).agrees([got], rtol=1e-7, atol=0.0)
    assert mine == theirs
    if isinstance(got, collections.defaultdict) and len(got) == 1:
        assert mine is False and "b" not in got  # asked with ``in``: the default is not made


# --- the optimization pictures ------------------------------------------------------------------

def test_the_reference_path_copy_is_a_deep_copy() -> None:
    path = {"x": [1.0, -7.0], "y": [2.0, 0.5], "cost": [0.7, float("nan")]}
    made = optimization_figures._copied(path)
    assert made == copy.deepcopy(path) or repr(made) == repr(copy.deepcopy(path))
    assert list(made) == list(path)
    for key in path:
        assert made[key] is not path[key] and all(a is b for a, b in zip(made[key], path[key], strict=True))
    shared = [1.0]
    odd = {"x": shared, "y": shared}  # one list twice: deepcopy keeps it one list
    copied = optimization_figures._copied(odd)
    assert copied["x"] is copied["y"] and copied["x"] is not shared
    assert optimization_figures._copied(None) is None
    other = {"x": [1, 2.0], "y": [np.float64(1.0)]}
    assert optimization_figures._copied(other) == copy.deepcopy(other)


def test_the_script_values_read_are_the_first_cost_then_each_steps_x_y_and_cost() -> None:
    names = optimization_figures._PATH_NAMES
    steps = optimization_figures.BOWL_STEPS
    assert names[0] == "step 1: cost" and len(names) == 1 + 3 * steps
    assert names[1:4] == ("step 3: x", "step 3: y", "step 3: cost")
    assert names[-1] == f"step {2 * steps + 1}: cost"
    values = {name: float(i) for i, name in enumerate(names)}
    path, note = optimization_figures._script_path(values)
    assert note == "" and path["cost"] == [float(3 * t) for t in range(steps + 1)]
    assert path["x"][1:] == [float(3 * t - 2) for t in range(1, steps + 1)]
    del values[names[-2]]
    assert optimization_figures._script_path(values) is None


# --- a result frame's plain fields --------------------------------------------------------------

def _session():
    from dnn_autograder.grader.sandbox.records import Limits
    from dnn_autograder.grader.sandbox.session import Session

    session = Session.__new__(Session)  # only what reading a result frame uses
    session._limits, session._handed = Limits(), {}
    return session


class _Child:
    recycle = False


def _reply(**fields: Any) -> dict[str, Any]:
    return {"ev": "result", "outcome": "returned", "value": 1.5, "args_after": [], "output": "", "dropped": 0,
            **fields}


@pytest.mark.parametrize("aliases, kept", [(None, ()), ([], ()), ([[0, 1]], ((0, 1),)),
                                           ([[2, 0], [1, 63]], ((2, 0), (1, 63)))])
def test_aliases_kept(aliases, kept) -> None:
    record = _session()._returned(_Child(), _reply(aliases=aliases), bytearray(), 1.0)
    assert record.aliases == kept and record.value == 1.5 and record.traceback == ()


@pytest.mark.parametrize("aliases", ["x", {"a": 1}, [[0, 64]], [[0, -1]], [[0, 1, 2]], [[True, 1]], [[0.0, 1]],
                                     [(0, 1)], [[0, 1]] * 2101, 7])
def test_malformed_aliases_are_refused(aliases) -> None:
    with pytest.raises(wire.WireError):
        _session()._returned(_Child(), _reply(aliases=aliases), bytearray(), 1.0)


@pytest.mark.parametrize("duration, kept", [(0.25, 0.25), (1, 1.0), (True, 1.0), (3.0, 2.0), (-1.0, 2.0), ("0.1", 2.0),
                                            (None, 2.0)])
def test_a_duration_is_kept_when_it_is_a_number_within_the_time_measured(duration, kept) -> None:
    record = _session()._returned(_Child(), _reply(duration=duration), bytearray(), 2.0)
    assert record.duration_s == kept and type(record.duration_s) is float


@pytest.mark.parametrize("cpu, recycle", [(1.0, False), (54.9, False), (55, True), (56.5, True), ("99", False),
                                          (None, False)])
def test_a_child_near_its_cpu_limit_is_replaced(cpu, recycle) -> None:
    child = _Child()
    _session()._returned(child, _reply(cpu=cpu), bytearray(), 1.0)  # 60 s limit, 5 s per call
    assert child.recycle is recycle


def test_traceback_lines_are_kept_on_one_line_each() -> None:
    record = _session()._returned(_Child(), _reply(outcome="raised", value=None, error_type="ValueError",
                                                   error_message="no", traceback=["a\nb", "c"] * 20), bytearray(), 1.0)
    assert len(record.traceback) == 30 and record.traceback[:2] == ("a b", "c")
