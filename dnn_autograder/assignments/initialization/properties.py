r"""Defining properties of the random initialisers: ``check_random_init`` and ``check_he_init``.

A student whose numbers differ from the course's (another generator, another draw order, no
``np.random.seed(3)``) is still right if the output has the right *form* and the right
*distribution*: ``W{l}`` of shape ``(n_l, n_{l-1})`` with independent ``N(0, sigma_l^2)``
entries, ``b{l}`` of shape ``(n_l, 1)`` and exactly zero, where ``sigma_l = 10`` (random) or
``sigma_l = sqrt(2 / n_{l-1})`` (He).

Deterministic checks (every layer): keys present, shapes, finite values, biases exactly zero,
weights not all zero and not all equal (for Gaussian draws each has probability below 2**-50;
rounding to float32 keeps it negligible), and no layer starting with the previous layer's draws
rescaled (a generator re-seeded inside the loop; for continuous draws a chance repeat of four
values has probability zero).

Statistical checks (layers with at least ``MIN_ENTRIES`` weights), each a test at level
``alpha = TEST_LEVEL = 1e-8`` on the ``N`` weights ``w_i`` of one layer:

* location: the sample mean is exactly ``N(0, sigma^2 / N)``; the check fails when
  ``|mean| > z * sigma / sqrt(N)`` with ``z = Phi^-1(1 - alpha / 2) = 5.73``: probability
  exactly ``alpha`` for a correct layer;
* spread: with ``s^2`` the sample variance (``ddof=1``), ``k = N - 1`` and ``r = s^2 / sigma^2``,
  ``k r`` is exactly chi-square with ``k`` degrees of freedom. The Chernoff bound of each tail,
  ``P(chi2_k >= k r) <= exp(-k/2 (r - 1 - ln r))`` for ``r > 1`` and the same expression for
  ``P(chi2_k <= k r)`` when ``r < 1``, makes the check "fail when
  ``k/2 (r - 1 - ln r) > ln(2 / alpha)``" fail a correct layer with probability at most
  ``alpha`` (non-asymptotic: no normal approximation is involved).
  Bands on ``s / sigma``: ``[0.904, 1.099]`` for 2,000 weights, ``[0.944, 1.057]`` for 6,000,
  ``[0.982, 1.018]`` for 60,000, ``[0.987, 1.013]`` for 120,000.

Budget: a grade of one function evaluates the check at most once per case, i.e. at most two
tests per large layer of the case bank. The bank (``cases.py``) has three large layers per
stochastic function, six tests; ``MAX_TESTS_PER_GRADE = 100`` is the bound the bank must keep
(``tests/assignments/test_initialization_specific.py`` counts it), so by the union bound a correct
initialiser fails a grade with probability at most ``100 * 1e-8 = 1e-6``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from statistics import NormalDist
from typing import Any

import numpy as np

__all__ = [
    "FALSE_FAILURE_BUDGET",
    "MAX_TESTS_PER_GRADE",
    "MIN_ENTRIES",
    "TEST_LEVEL",
    "check_he_init",
    "check_random_init",
    "fits_gaussian",
    "he_scale",
    "random_scale",
    "location_ok",
    "read_parameters",
    "spread_band",
    "spread_ok",
    "statistical_layers",
]

#: Probability that a correct function fails one grade, at most.
FALSE_FAILURE_BUDGET = 1e-6
#: Largest number of statistical tests one grade may run (the bank is tested against it).
MAX_TESTS_PER_GRADE = 100
#: Level of each statistical test (Bonferroni split of the budget).
TEST_LEVEL = FALSE_FAILURE_BUDGET / MAX_TESTS_PER_GRADE
#: A layer needs this many weights before its distribution is tested.
MIN_ENTRIES = 2000

#: ``scale(n_l, n_prev) -> sigma`` of a correct initialiser.
Scale = Callable[[int, int], float]


# --- statistics -------------------------------------------------------------------------------


def location_ok(w: np.ndarray, sigma: float, alpha: float = TEST_LEVEL) -> bool:
    """Is the mean of ``w`` consistent with ``N(0, sigma^2)`` entries (exact two-sided z-test)?"""
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    return bool(abs(float(np.mean(w))) <= z * sigma / math.sqrt(w.size))


def _chi2_rate(r: float) -> float:
    return r - 1.0 - math.log(r) if r > 0 else math.inf


def spread_ok(w: np.ndarray, sigma: float, alpha: float = TEST_LEVEL) -> bool:
    """Is the sample variance of ``w`` consistent with ``sigma^2`` (chi-square Chernoff test)?"""
    k = w.size - 1
    r = float(np.var(w, ddof=1)) / sigma**2
    return k / 2.0 * _chi2_rate(r) <= math.log(2.0 / alpha)


def fits_gaussian(w: np.ndarray, sigma: float, alpha: float = TEST_LEVEL) -> bool:
    """Both tests pass: ``w`` looks like independent ``N(0, sigma^2)`` draws."""
    return location_ok(w, sigma, alpha) and spread_ok(w, sigma, alpha)


def spread_band(n: int, alpha: float = TEST_LEVEL) -> tuple[float, float]:
    """The interval of ``s / sigma`` that :func:`spread_ok` accepts for ``n`` entries."""
    k, limit = n - 1, math.log(2.0 / alpha)

    def outside(r: float) -> bool:
        return k / 2.0 * _chi2_rate(r) > limit

    def bisect(inside: float, out: float) -> float:
        for _ in range(200):
            mid = (inside + out) / 2.0
            if outside(mid):
                out = mid
            else:
                inside = mid
        return inside

    return math.sqrt(bisect(1.0, 1e-12)), math.sqrt(bisect(1.0, 1e6))


# --- reading the output -----------------------------------------------------------------------


def _layers_dims(inputs: Mapping[str, Any]) -> list[int]:
    return [int(n) for n in inputs["layers_dims"]]


def read_parameters(
    inputs: Mapping[str, Any], output: Mapping[str, Any]
) -> tuple[dict[str, np.ndarray], tuple[str, ...]]:
    """The ``W{l}`` / ``b{l}`` arrays as float64 (extra keys ignored) and the form problems
    (missing keys, wrong shapes, non-numbers, non-finite values)."""
    dims = _layers_dims(inputs)
    parameters = output.get("parameters")
    if not isinstance(parameters, Mapping):
        return {}, (f"expected a dict of parameters, got {type(parameters).__name__}",)
    arrays: dict[str, np.ndarray] = {}
    problems: list[str] = []
    for l in range(1, len(dims)):
        shapes = {f"W{l}": (dims[l], dims[l - 1]), f"b{l}": (dims[l], 1)}
        for key, shape in shapes.items():
            if key not in parameters:
                problems.append(f'parameters["{key}"] is missing')
                continue
            try:
                value = np.asarray(parameters[key], dtype=np.float64)
            except (TypeError, ValueError):
                problems.append(f'parameters["{key}"] is not an array of numbers')
                continue
            if value.shape != shape:
                problems.append(f'parameters["{key}"] has shape {value.shape}, expected {shape}')
            elif not np.all(np.isfinite(value)):
                problems.append(f'parameters["{key}"] contains NaN or infinite values')
            else:
                arrays[key] = value
    return arrays, tuple(problems)


def statistical_layers(
    inputs: Mapping[str, Any], output: Mapping[str, Any]
) -> list[tuple[int, int, int, np.ndarray]] | None:
    """``(l, n_l, n_prev, W_l)`` for the layers large enough to test, or None when some
    ``W{l}`` is missing or malformed (then no statistical evidence is read)."""
    dims = _layers_dims(inputs)
    arrays, _ = read_parameters(inputs, output)
    if any(f"W{l}" not in arrays for l in range(1, len(dims))):
        return None
    return [
        (l, dims[l], dims[l - 1], arrays[f"W{l}"])
        for l in range(1, len(dims))
        if arrays[f"W{l}"].size >= MIN_ENTRIES
    ]


# --- the checks -------------------------------------------------------------------------------


def _check_init(
    inputs: Mapping[str, Any], output: Mapping[str, Any], scale: Scale, rule: str
) -> tuple[str, ...]:
    arrays, problems = read_parameters(inputs, output)
    found = list(problems)
    dims = _layers_dims(inputs)
    for l in range(1, len(dims)):
        b, W = arrays.get(f"b{l}"), arrays.get(f"W{l}")
        if b is not None and np.any(b != 0):
            found.append(f'parameters["b{l}"] should be all zeros, got {np.count_nonzero(b)} '
                         f"nonzero entries")
        if W is None:
            continue
        if not np.any(W):
            found.append(f'parameters["W{l}"] is all zeros: the weights must be random')
        elif W.size > 1 and np.all(W == W.flat[0]):
            found.append(f'parameters["W{l}"] has every entry equal: the weights must be random')
        elif W.size >= MIN_ENTRIES:
            found.extend(_distribution_problems(l, W, scale(dims[l], dims[l - 1]), rule))
        previous = arrays.get(f"W{l - 1}")
        if W is not None and previous is not None and repeats_draws(previous, W):
            found.append(
                f'parameters["W{l}"] starts with the same random numbers as parameters["W{l - 1}"]'
                " (up to the scale): each layer must draw fresh numbers; call np.random.seed once,"
                " before the loop, not inside it"
            )
    return tuple(found)


#: this many leading draws repeated exactly (after removing each layer's scale) is proof of a
#: re-seeded generator: for continuous draws, a repeat has probability zero
REPEAT_PROOF = 4


def repeats_draws(first: np.ndarray, second: np.ndarray) -> bool:
    """The leading entries of ``second`` are those of ``first`` times one constant (the same
    standard-normal draws, rescaled), as when the generator is re-seeded for every layer."""
    a = np.asarray(first, dtype=np.float64).ravel()
    b = np.asarray(second, dtype=np.float64).ravel()
    k = min(a.size, b.size, 64)
    if k < REPEAT_PROOF or not np.all(np.isfinite(a[:k])) or not np.all(np.isfinite(b[:k])):
        return False
    a, b = a[:k], b[:k]
    if a[0] == 0 or b[0] == 0:
        return False
    ratio = b[0] / a[0]
    return bool(np.allclose(b, ratio * a, rtol=1e-9, atol=0.0))


def _distribution_problems(l: int, W: np.ndarray, sigma: float, rule: str) -> list[str]:
    out = []
    n = W.size
    if not spread_ok(W, sigma):
        low, high = spread_band(n)
        out.append(
            f'the {n} entries of parameters["W{l}"] have standard deviation '
            f"{float(np.std(W, ddof=1)):.4g}, expected {sigma:.4g} ({rule}); a correct "
            f"initialiser lands in [{low * sigma:.4g}, {high * sigma:.4g}] except with "
            f"probability {TEST_LEVEL:.0e}"
        )
    elif not location_ok(W, sigma):  # the mean is only worth reporting at the right spread
        z = NormalDist().inv_cdf(1.0 - TEST_LEVEL / 2.0)
        out.append(
            f'the {n} entries of parameters["W{l}"] have mean {float(np.mean(W)):.4g}; '
            f"zero-mean weights with standard deviation {sigma:.4g} give a mean within "
            f"+-{z * sigma / math.sqrt(n):.3g} except with probability {TEST_LEVEL:.0e}"
        )
    return out


def random_scale(n_l: int, n_prev: int) -> float:
    """``sigma = 10`` for :func:`initialize_parameters_random`."""
    return 10.0


def he_scale(n_l: int, n_prev: int) -> float:
    """``sigma = sqrt(2 / n_{l-1})`` for :func:`initialize_parameters_he`."""
    return math.sqrt(2.0 / n_prev)


def check_random_init(inputs: Mapping[str, Any], output: Mapping[str, Any]) -> tuple[str, ...]:
    r"""``initialize_parameters_random``: zero biases, weights ``N(0, 10^2)`` of shape
    ``(n_l, n_{l-1})`` (see the module docstring for the tests and their false-failure bound)."""
    return _check_init(inputs, output, random_scale, "randn * 10")


def check_he_init(inputs: Mapping[str, Any], output: Mapping[str, Any]) -> tuple[str, ...]:
    r"""``initialize_parameters_he``: zero biases, weights ``N(0, 2 / n_{l-1})`` of shape
    ``(n_l, n_{l-1})`` (see the module docstring for the tests and their false-failure bound)."""
    return _check_init(inputs, output, he_scale, "randn * sqrt(2 / layers_dims[l-1])")


# --- the student kit's data -------------------------------------------------------------------


def _kit_gaussian(inputs: Mapping[str, Any], scale: Scale, rule: str) -> list[dict[str, Any]]:
    """The kit's generic properties of one case (plain data, bounds computed here at
    ``TEST_LEVEL``): ``gaussian_weights`` for each ``W{l}`` with at least two entries, and
    ``zero_arrays`` for each ``b{l}``. Small layers get the same exact tests at the same level
    (their bands are wide, so only gross scale errors show)."""
    dims = _layers_dims(inputs)
    z = NormalDist().inv_cdf(1.0 - TEST_LEVEL / 2.0)
    weights: dict[str, Any] = {}
    for l in range(1, len(dims)):
        sigma, n = scale(dims[l], dims[l - 1]), dims[l] * dims[l - 1]
        entry: dict[str, Any] = {"shape": [dims[l], dims[l - 1]], "std": sigma, "rule": rule}
        if n >= 2:
            low, high = spread_band(n)
            entry.update(std_low=low * sigma, std_high=high * sigma, mean_bound=z * sigma / math.sqrt(n))
        weights[f"W{l}"] = entry
    zeros = {f"b{l}": [dims[l], 1] for l in range(1, len(dims))}
    return [{"kind": "gaussian_weights", "output": "parameters", "arrays": weights, "level": TEST_LEVEL},
            {"kind": "zero_arrays", "output": "parameters", "arrays": zeros}]


#: ``{property check: inputs -> the kit's properties}`` (read by ``grader/handouts/handout_data.py``)
KIT_PROPERTIES: dict[str, Callable[[Mapping[str, Any]], list[dict[str, Any]]]] = {
    "check_random_init": lambda inputs: _kit_gaussian(inputs, random_scale, "random: randn * 10"),
    "check_he_init": lambda inputs: _kit_gaussian(inputs, he_scale, "He: sqrt(2 / n_prev)"),
}
