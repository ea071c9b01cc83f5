"""values.identical and values.retained_bytes: the answers their quick paths give are the
documented ones (mutation checks and retention budgets depend on them)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dnn_autograder.grader.values import Summary, identical, retained_bytes

RESTORED = 1e-12


@pytest.mark.parametrize(("a", "b", "rtol", "same"), [
    (np.array([1.0, -0.0]), np.array([1.0, 0.0]), RESTORED, True),
    (np.array([1, 2]), np.array([1.0, 2.0]), 0.0, True),
    (np.array([True, False]), np.array([1, 0]), 0.0, True),
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), RESTORED, True),
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0]), 0.0, True),
    (np.array([np.inf]), np.array([np.inf]), RESTORED, True),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-13]), RESTORED, True),  # restored after a perturbation
    (np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-13]), 0.0, False),
    (np.array([1.0, 2.0]), np.array([1.0, 2.5]), RESTORED, False),
    (np.array([[1.0, 2.0]]), np.array([1.0, 2.0]), 0.0, False),
    (np.zeros((0, 3)), np.zeros((0, 3)), RESTORED, True),
    (np.array([1.0]), 1.0, 0.0, False),
])
def test_identical_arrays(a, b, rtol, same) -> None:
    assert identical(a, b, rtol=rtol) is same
    assert identical({"W": [a]}, {"W": [b]}, rtol=rtol) is same


@settings(max_examples=150, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4)),
       st.sampled_from([0.0, RESTORED]), st.sampled_from([0.0, 1e-14, 1e-6, np.nan]))
def test_identical_agrees_with_its_definition(a, rtol, change) -> None:
    b = a.copy()
    b.reshape(-1)[0] += change
    with np.errstate(invalid="ignore"):
        want = _definition(a, b, rtol)
    assert identical(a, b, rtol=rtol) is want


def _definition(a: np.ndarray, b: np.ndarray, rtol: float) -> bool:
    finite = np.isfinite(a)
    if rtol:
        scale = max(float(np.abs(a[finite]).max()) if finite.any() else 0.0, 1.0)
        want = bool(np.all((np.abs(a - b) <= rtol * scale) | (a == b) | (np.isnan(a) & np.isnan(b))))
    else:
        want = bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
    return want


class Key(str):
    pass


def test_retained_bytes_counts_data_and_names() -> None:
    # a dict: 64; a str key: 50 + its length; an array: its bytes + 112; a scalar: 32
    assert retained_bytes({"W1": np.zeros((2, 3))}) == 64 + 52 + 48 + 112
    assert retained_bytes({"b": 1.0, 2: np.zeros(4, np.float32)}) == 64 + 51 + 32 + 32 + 16 + 112
    assert retained_bytes({Key("k"): "ab"}) == 64 + 32 + 52  # a str subclass key is an object of 32
    assert retained_bytes({"s": Summary("ndarray", (9,), "float64", {}, (), 72)}) == 64 + 51 + 512
    assert retained_bytes([{"v": np.zeros(2)}]) == 56 + 8 + 64 + 51 + 16 + 112
    assert retained_bytes({"a": np.zeros(1000), "b": np.zeros(1000)}, limit=100) == 64 + 51 + 8112
