"""Shared oracles and assertions for the reference tests (imported by the test modules).

Named uniquely (not ``helpers.py``) because pytest's default import mode puts each test folder
on ``sys.path`` and other test folders may have their own helpers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Hypothesis settings for every property test here: reproducible, no example database.
PROPERTY_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)


def assert_close(label: str, yours, expected, *, rtol: float = 1e-7, atol: float = 1e-12):
    """Fail with a labelled "yours vs expected" report unless the arrays agree elementwise."""
    yours_a = np.asarray(yours, dtype=float)
    expected_a = np.asarray(expected, dtype=float)
    if yours_a.shape != expected_a.shape:
        raise AssertionError(
            f"{label}: shape differs, yours {yours_a.shape} vs expected {expected_a.shape}"
        )
    bad = ~np.isclose(yours_a, expected_a, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return
    with np.errstate(all="ignore"):
        diff = np.abs(yours_a - expected_a)
        rel = diff / np.maximum(np.abs(expected_a), np.finfo(float).tiny)
    lines = [
        f"{label}: {int(bad.sum())} of {bad.size} elements differ "
        f"(max abs diff {np.nanmax(diff[bad]):.3g}, max rel diff {np.nanmax(rel[bad]):.3g}; "
        f"rtol={rtol}, atol={atol})",
        f"{'index':>12} | {'yours':>22} | {'expected':>22}",
    ]
    for index in list(zip(*np.nonzero(bad), strict=True))[:8] if bad.ndim else [()]:
        lines.append(
            f"{str(tuple(int(i) for i in index)):>12} | {float(yours_a[index]):>22.15g} | "
            f"{float(expected_a[index]):>22.15g}"
        )
    raise AssertionError("\n".join(lines))


def assert_dicts_close(label: str, yours: Mapping, expected: Mapping, *, keys=None,
                       rtol: float = 1e-7, atol: float = 1e-12):
    """:func:`assert_close` on each key, labelled ``label["key"]``; keys must match."""
    keys = list(expected) if keys is None else list(keys)
    missing = [k for k in keys if k not in yours]
    if missing:
        raise AssertionError(f"{label}: missing keys {missing}; yours has {sorted(yours)}")
    for key in keys:
        assert_close(f'{label}["{key}"]', yours[key], expected[key], rtol=rtol, atol=atol)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                       h: float = 1e-6) -> np.ndarray:
    """Central differences ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` for every entry of ``x``.

    ``f`` receives a fresh copy each time, so the caller's array is never touched.
    """
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


def snapshot(value):
    """Deep copy for purity checks (arrays, dicts, tuples)."""
    return copy.deepcopy(value)


def assert_unchanged(label: str, before, after):
    """Fail if a nested structure of arrays changed (used to check inputs are not mutated)."""
    if isinstance(before, Mapping):
        assert set(before) == set(after), f"{label}: keys changed {set(before)} -> {set(after)}"
        for key in before:
            assert_unchanged(f'{label}["{key}"]', before[key], after[key])
    elif isinstance(before, tuple | list):
        assert len(before) == len(after), f"{label}: length changed"
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            assert_unchanged(f"{label}[{i}]", b, a)
    else:
        assert_close(f"{label} (input, must not be modified)", after, before, rtol=0, atol=0)


# ---------------------------------------------------------------- course-style fixtures


def three_layer_parameters(n_x: int, n1: int, n2: int, seed: int) -> dict[str, np.ndarray]:
    """Random parameters of the three-layer net from a private generator."""
    rng = np.random.RandomState(seed)
    dims = [n_x, n1, n2, 1]
    params = {}
    for l in range(1, 4):
        params[f"W{l}"] = rng.randn(dims[l], dims[l - 1])
        params[f"b{l}"] = rng.randn(dims[l], 1) * 0.5
    return params


def labels(m: int, seed: int) -> np.ndarray:
    """A (1, m) 0/1 label row with both classes present (for m >= 2)."""
    y = (np.random.RandomState(seed).rand(1, m) < 0.5).astype(float)
    y[0, 0], y[0, -1] = 1.0, 0.0
    return y


# ---------------------------------------------------------------- Hypothesis strategies

_finite = {"allow_nan": False, "allow_infinity": False}


@st.composite
def parameter_dicts(draw, *, min_layers: int = 1, max_layers: int = 3, max_units: int = 4,
                    max_value: float = 5.0):
    """Dicts ``W1, b1, ..., WL, bL`` with consistent small shapes and bounded entries."""
    L = draw(st.integers(min_layers, max_layers))
    dims = draw(st.lists(st.integers(1, max_units), min_size=L + 1, max_size=L + 1))
    elements = st.floats(-max_value, max_value, **_finite)
    params = {}
    for l in range(1, L + 1):
        params[f"W{l}"] = draw(hnp.arrays(float, (dims[l], dims[l - 1]), elements=elements))
        params[f"b{l}"] = draw(hnp.arrays(float, (dims[l], 1), elements=elements))
    return params


def gradients_like(parameters: Mapping[str, np.ndarray], *, max_value: float = 5.0):
    """Strategy for ``dW1, db1, ...`` dicts shaped like ``parameters``."""
    elements = st.floats(-max_value, max_value, **_finite)
    return st.fixed_dictionaries({
        "d" + name: hnp.arrays(float, value.shape, elements=elements)
        for name, value in parameters.items()
    })
