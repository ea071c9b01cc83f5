"""The grading process's shortcuts give the answers of the plain computations they skip (issue 17):
the immutable-argument check (:mod:`~dnn_autograder.grader.grading.unchanged`) against
:func:`~dnn_autograder.grader.values.identical`, the record copy without values against
``dataclasses.replace``, the JSON-ready form of plain lists against an element-by-element
conversion, and the trusted outputs kept per suite case against a fresh run each time."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading import evaluate
from dnn_autograder.grader.grading.suite import Expected, FunctionSuite, build_suites
from dnn_autograder.grader.grading.unchanged import Snapshot
from dnn_autograder.grader.model import Case
from dnn_autograder.grader.sandbox.records import CallRecord
from dnn_autograder.grader.values import identical, to_jsonable

# --- the unchanged-argument check ------------------------------------------------------------

def _array(items: list[float], dtype: type) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # NaN cast to an integer type: any number will do
        return np.array(items, dtype=np.float64).astype(dtype)


_arrays = st.sampled_from([np.float64, np.float32, np.int64, np.bool_]).flatmap(
    lambda dtype: st.lists(st.sampled_from([0.0, 1.0, -2.5, 1e-13, float("nan")]), min_size=1, max_size=4).map(
        lambda items: _array(items, dtype)))
_leaves = st.one_of(_arrays, _arrays, _arrays, st.floats(allow_nan=True), st.integers(-3, 3), st.none(),
                    st.text(max_size=2), st.just(np.zeros(0)))
_values = st.recursive(_leaves, lambda inner: st.one_of(
    st.dictionaries(st.sampled_from(["W1", "b1", "dW1", 1]), inner, max_size=3),
    st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple)), max_leaves=8)


def _changed(value, how: int):
    """A copy of ``value`` changed in one of a few ways a student's function might change it
    (0: an equal copy; 1: the first array's first element moved by a rounding error; 2: by a lot;
    3: a list for a tuple; 4: an array's dtype changed; 5: a key added)."""
    if isinstance(value, np.ndarray):
        copy = value.copy()
        if how == 1 and copy.size and copy.dtype.kind == "f":
            copy.flat[0] += 1e-14 * max(1.0, abs(float(copy.flat[0])))
        if how == 2 and copy.size:
            copy.flat[0] = not copy.flat[0] if copy.dtype.kind == "b" else copy.flat[0] + 1
        if how == 4:
            copy = copy.astype(np.float64 if copy.dtype != np.float64 else np.float32)
        return copy
    if isinstance(value, dict):
        copy = {k: _changed(v, how) for k, v in value.items()}
        if how == 5:
            copy["extra"] = 0
        return copy
    if isinstance(value, list | tuple):
        items = [_changed(v, how) for v in value]
        return list(items) if how == 3 or isinstance(value, list) else tuple(items)
    return value


@settings(max_examples=300, deadline=None)
@given(_values, st.integers(0, 5), st.sampled_from([0.0, 1e-12]))
def test_a_snapshot_decides_as_identical_does(value, how: int, rtol: float) -> None:
    after = _changed(value, how)
    snapshot = Snapshot(value)
    assert snapshot.unchanged(after, rtol=rtol) == identical(value, after, rtol=rtol)
    assert snapshot.unchanged(value, rtol=rtol) == identical(value, value, rtol=rtol)


def test_a_snapshot_sees_an_array_changed_in_place_after_the_call() -> None:
    grads = {"dW1": np.array([[1.0, 2.0]]), "db1": np.array([[0.5]])}
    snapshot = Snapshot(grads)
    after = {"dW1": np.array([[1.0, 2.0]]), "db1": np.array([[0.5]])}
    assert snapshot.unchanged(after, rtol=1e-12)
    after["dW1"][0, 1] = 2.5
    assert not snapshot.unchanged(after, rtol=1e-12)
    assert not snapshot.unchanged({"dW1": after["dW1"]}, rtol=1e-12)  # a key gone
    assert not snapshot.unchanged([grads["dW1"], grads["db1"]], rtol=1e-12)  # not a dict


def test_an_immutable_argument_changed_by_the_student_is_still_a_mismatch() -> None:
    suite = build_suites(load_assignment("optimization"))["update_parameters_with_gd"]
    item = suite.expected[0]
    args = dict(item.case.args)
    grads = {k: v.copy() for k, v in args["grads"].items()}
    assert evaluate._mutations(("grads",), item, {**args, "grads": grads}) == ()
    first = next(iter(grads))
    grads[first] = grads[first] + 1.0
    found = evaluate._mutations(("grads",), item, {**args, "grads": grads})
    assert [m.kind for m in found] == ["mutated"] and found[0].where == "grads"
    assert item.case.args["grads"][first] is args["grads"][first]  # the case itself is untouched


# --- the record copy without values ----------------------------------------------------------

def test_a_record_without_values_equals_the_dataclasses_replace_copy() -> None:
    record = CallRecord("returned", {"v": np.ones(2)}, (np.zeros(1),), None, None, ("frame",), "out", 0.25,
                        "", aliases=((0, 1),), step=3, problem="", stand_in_calls=(("f", (1,)),))
    copy = evaluate._without_values(record)
    assert copy == dataclasses.replace(record, value=None, args_after=(), stand_in_calls=None)
    assert type(copy) is CallRecord and copy is not record
    assert record.value is not None and record.stand_in_calls  # the original keeps its values
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.value = 1  # type: ignore[misc]


# --- the JSON-ready form of plain lists ------------------------------------------------------

def _jsonable_leaf(value):
    """The JSON-ready form of a plain leaf, as the module doc of ``to_jsonable`` says."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.integers(-5, 5), st.booleans(), st.none(), st.text(max_size=2)),
                max_size=6))
def test_plain_lists_become_json_ready_item_by_item(items: list) -> None:
    converted = to_jsonable(items)
    assert converted == [_jsonable_leaf(v) for v in items]
    assert [type(v) for v in converted] == [type(_jsonable_leaf(v)) for v in items]
    assert converted is not items
    array = np.array([v for v in items if isinstance(v, float)], dtype=np.float64)
    assert to_jsonable(array)["data"] == [_jsonable_leaf(v) for v in array.tolist()]


# --- trusted outputs kept per suite case ------------------------------------------------------

def test_trusted_outputs_are_kept_for_the_suites_cases_only() -> None:
    suite = build_suites(load_assignment("optimization"))["update_lr"]
    runs: list[object] = []

    def mutant(*args, **kwargs):
        runs.append(args)
        return suite.reference(*args, **kwargs) * 2.0

    case = suite.expected[3].case
    first = suite.trusted_outputs(mutant, case)
    assert suite.trusted_outputs(mutant, case) is first and len(runs) == 1
    assert first == suite.run(mutant, case)  # what a fresh run gives
    copy = Case(dict(case.args), case.world, case.seed, case.label, case.steps)  # a shrunk case
    suite.trusted_outputs(mutant, copy)
    suite.trusted_outputs(mutant, copy)
    assert len(runs) == 4  # the fresh run above and two more: never kept
    computed: list[int] = []
    assert suite.derived(mutant, case, "k", lambda: computed.append(1) or 7) == 7
    assert suite.derived(mutant, case, "k", lambda: computed.append(1) or 8) == 7 and computed == [1]
    assert suite.derived(mutant, copy, "k", lambda: 9) == 9


def test_a_failing_trusted_run_is_not_kept() -> None:
    suite = build_suites(load_assignment("optimization"))["update_lr"]
    calls = [0]

    def flaky(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            raise ValueError("first run fails")
        return suite.reference(*args, **kwargs)

    case = suite.expected[0].case
    with pytest.raises(ValueError):
        suite.trusted_outputs(flaky, case)
    assert suite.derived(flaky, case, "k", lambda: 1) == 1
    assert suite.derived(flaky, case, "k", lambda: 2) == 2  # not kept: the outputs are not
    assert suite.trusted_outputs(flaky, case) == suite.expected[0].outputs
    assert calls[0] == 2


def test_a_suite_built_by_hand_keeps_nothing_for_cases_it_does_not_hold() -> None:
    real = build_suites(load_assignment("optimization"))["update_lr"]
    suite = FunctionSuite(real.spec, (Expected(real.expected[0].case, real.expected[0].outputs),),
                          real.strategy_factory, real.reference, real.worlds)
    other = real.expected[1].case
    assert suite.trusted_outputs(real.reference, other) == real.expected[1].outputs
    assert not suite._memo  # noqa: SLF001 - nothing kept for a case it does not hold
