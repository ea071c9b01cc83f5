"""compare(): type and shape first, then values; labelled mismatches."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dnn_autograder.grader.grading.compare import compare

TOL = {"rtol": 1e-6, "atol": 1e-9}


@pytest.mark.parametrize(
    ("expected", "got"),
    [
        pytest.param(1.5, 1.5 + 1e-9, id="float-within-rtol"),
        pytest.param(1.5, np.float64(1.5), id="numpy-scalar"),
        pytest.param(0.25, np.array([[0.25]]), id="size-1-array-for-scalar"),
        pytest.param(np.ones((2, 3)), np.ones((2, 3), dtype=np.float32), id="float32-array"),
        pytest.param(np.array([[1, 0]]), np.array([[True, False]]), id="bool-mask-for-int-mask"),
        pytest.param({"W1": np.zeros((2, 2))}, {"W1": np.zeros((2, 2)), "extra": 1}, id="extra-keys-allowed"),
        pytest.param((1.0, 2.0), [1.0, 2.0], id="list-for-tuple"),
        pytest.param(None, None, id="none"),
        pytest.param(float("nan"), float("nan"), id="nan-equals-nan"),
    ],
)
def test_equal_values_give_no_mismatch(expected, got):
    assert compare(expected, got, **TOL) == ()


@pytest.mark.parametrize(
    ("expected", "got", "kind", "where"),
    [
        pytest.param(np.zeros((2, 1)), np.zeros((2,)), "shape", "result", id="bias-shape"),
        pytest.param(np.zeros((2, 3)), np.zeros((3, 2)), "shape", "result", id="transposed"),
        pytest.param(1.0, "1.0", "type", "result", id="string-for-number"),
        pytest.param({"W1": 1.0}, {"W2": 1.0}, "missing", '["W1"]', id="missing-key"),
        pytest.param({"W1": 1.0}, [1.0], "type", "result", id="list-for-dict"),
        pytest.param((1.0, 2.0), (1.0,), "shape", "result", id="short-tuple"),
        pytest.param(1.0, float("nan"), "value", "result", id="nan-never-equals-number"),
        pytest.param(None, 0.0, "type", "result", id="number-for-none"),
    ],
)
def test_structural_mismatches(expected, got, kind, where):
    mismatches = compare(expected, got, **TOL)
    assert [m.kind for m in mismatches] == [kind], mismatches
    assert mismatches[0].where == where


def test_value_mismatch_is_labelled_and_counted():
    expected = {"W2": np.array([[1.0, 2.0], [3.0, 4.0]])}
    got = {"W2": np.array([[1.0, 2.5], [3.0, 4.0]])}
    (mismatch,) = compare(expected, got, where="parameters", **TOL)
    assert mismatch.where == 'parameters["W2"]'
    assert mismatch.summary.startswith("1 of 4 elements differ")
    assert "max abs diff 0.5" in mismatch.summary
    assert mismatch.rows == (("[0, 1]", "2.5", "2"),)


def test_relative_tolerance_scales_with_expected():
    assert compare(1e6, 1e6 + 0.5, rtol=1e-6, atol=0) == ()
    assert compare(1e-3, 1e-3 + 0.5e-6, rtol=1e-6, atol=0) != ()


def test_nested_cache_tuple_labels_each_position():
    expected = (np.zeros((1, 2)), {"a": np.ones(2)})
    got = (np.zeros((1, 2)), {"a": np.array([1.0, math.pi])})
    (mismatch,) = compare(expected, got, where="cache", **TOL)
    assert mismatch.where == 'cache[1]["a"]'


def test_an_array_where_a_string_is_expected_is_a_value_mismatch() -> None:
    mismatches = compare({"name": "adam"}, {"name": np.zeros(3)}, **TOL)
    assert [(m.where, m.kind) for m in mismatches] == [('["name"]', "value")]
    assert "expected 'adam'" in mismatches[0].summary
