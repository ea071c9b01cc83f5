r"""The Hypothesis vocabulary the assignment banks build their cases from.

Small, composable strategies with plural-noun names, in the style of Hypothesis's own API:

* every bound is keyword-only and named ``min_*`` / ``max_*``, and is validated when the
  strategy is *built* (a bad bound raises :class:`StrategyArgumentError`, a ``ValueError``,
  before anything is drawn);
* every float is bounded, never NaN or infinite, never subnormal, and float64;
* arrays stay small by default: the shrunk counterexample is shown to the student.

Shapes follow the course: ``W{l}`` is ``(n_l, n_{l-1})``, ``b{l}`` is ``(n_l, 1)``, one example
per column. Gradient and moment dictionaries use the course's keys ``dW{l}`` / ``db{l}``.

Scales that span orders of magnitude (:func:`lambdas`, :func:`learning_rates`,
:func:`epsilons`) are drawn log-uniformly and rounded to three significant digits, so a
counterexample reads ``lambd = 0.0372`` rather than ``lambd = 0.037218499120034``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# Hypothesis is imported when a strategy is first built (a cold grade reads the case bank instead);
# cases.py takes st, hnp, composite and assume from here too (see .deferred)
from dnn_autograder.grader.assignment.deferred import assume, composite, hnp, st

__all__ = [
    "StrategyArgumentError",
    "assume",
    "composite",
    "hnp",
    "st",
    "binary_labels",
    "epsilons",
    "example_counts",
    "gradients_like",
    "keep_probs",
    "lambdas",
    "layer_dims",
    "learning_rates",
    "matrices",
    "moments_like",
    "parameter_dicts",
    "probabilities",
    "seeds",
    "unit_counts",
]

#: Largest seed accepted by ``np.random.seed`` / ``np.random.RandomState``.
MAX_SEED = 2**32 - 1


class StrategyArgumentError(ValueError):
    """Raised when a strategy is built with an invalid argument (like Hypothesis's
    ``InvalidArgument``); the message names the argument and the accepted range."""


# --- argument validation ----------------------------------------------------------------------


def _check_int(name: str, value: object, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise StrategyArgumentError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise StrategyArgumentError(f"{name} must be >= {minimum}, got {value!r}")
    return int(value)


def _check_float(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise StrategyArgumentError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value):
        raise StrategyArgumentError(f"{name} must be finite, got {value!r}")
    return float(value)


def _check_order(min_name: str, low: float, max_name: str, high: float) -> None:
    if low > high:
        raise StrategyArgumentError(f"{min_name}={low!r} must not exceed {max_name}={high!r}")


def _int_range(prefix: str, low: object, high: object, *, minimum: int) -> tuple[int, int]:
    lo = _check_int(f"min_{prefix}", low, minimum=minimum)
    hi = _check_int(f"max_{prefix}", high, minimum=minimum)
    _check_order(f"min_{prefix}", lo, f"max_{prefix}", hi)
    return lo, hi


def _float_range(low: object, high: object) -> tuple[float, float]:
    lo, hi = _check_float("min_value", low), _check_float("max_value", high)
    _check_order("min_value", lo, "max_value", hi)
    return lo, hi


def _bounded_floats(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def _grid(low: float, high: float, places: object) -> st.SearchStrategy[float]:
    """Multiples of ``10**-places`` in ``[low, high]`` (at least one must exist)."""
    digits = _check_int("places", places, minimum=0)
    step = 10**digits
    first, last = math.ceil(low * step - 1e-9), math.floor(high * step + 1e-9)
    if first > last:
        raise StrategyArgumentError(f"no multiple of 10**-{digits} lies in [{low!r}, {high!r}]")
    return st.integers(first, last).map(lambda k: min(max(round(k / step, digits), low), high))


def _log_uniform(low: float, high: float) -> st.SearchStrategy[float]:
    """``10**e`` for ``e`` uniform in ``[log10 low, log10 high]``, three significant digits,
    clamped to ``[low, high]``; shrinks towards ``low``."""
    if low == high:
        return st.just(low)

    def to_value(exponent: float) -> float:
        return min(max(float(f"{10.0**exponent:.3g}"), low), high)

    return _bounded_floats(math.log10(low), math.log10(high)).map(to_value)


# --- sizes ------------------------------------------------------------------------------------


def example_counts(*, min_value: int = 1, max_value: int = 8) -> st.SearchStrategy[int]:
    """Numbers of examples ``m`` (columns of ``X``), in ``[min_value, max_value]``."""
    low, high = _int_range("value", min_value, max_value, minimum=1)
    return st.integers(low, high)


def unit_counts(*, min_value: int = 1, max_value: int = 8) -> st.SearchStrategy[int]:
    """Numbers of units of one layer, in ``[min_value, max_value]``."""
    low, high = _int_range("value", min_value, max_value, minimum=1)
    return st.integers(low, high)


def layer_dims(
    *,
    min_layers: int = 2,
    max_layers: int = 4,
    min_units: int = 1,
    max_units: int = 8,
) -> st.SearchStrategy[list[int]]:
    """``layers_dims = [n_0, n_1, ..., n_L]`` as the course writes it.

    ``min_layers`` / ``max_layers`` bound the *length of the list* (the input size ``n_0``
    counts), so the default ``min_layers=2`` includes the single-layer net ``[n_0, n_1]``.
    """
    low, high = _int_range("layers", min_layers, max_layers, minimum=2)
    fewest, most = _int_range("units", min_units, max_units, minimum=1)
    return st.lists(st.integers(fewest, most), min_size=low, max_size=high)


def seeds() -> st.SearchStrategy[int]:
    """Seeds for ``np.random.seed`` / ``np.random.RandomState`` (``0 .. 2**32 - 1``)."""
    return st.integers(0, MAX_SEED)


# --- arrays -----------------------------------------------------------------------------------


def matrices(
    rows: int,
    cols: int,
    *,
    min_value: float = -10.0,
    max_value: float = 10.0,
    places: int | None = None,
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of shape ``(rows, cols)`` with every entry in ``[min_value, max_value]``.

    With ``places``, entries are rounded to that many decimals (readable counterexamples such as
    ``[[0.37, -1.2]]`` instead of ``[[0.3701938471, -1.19e-118]]``); rounding never leaves the
    range because both bounds are rounded inwards first.
    """
    n_rows = _check_int("rows", rows, minimum=1)
    n_cols = _check_int("cols", cols, minimum=1)
    low, high = _float_range(min_value, max_value)
    if places is None:
        return hnp.arrays(np.float64, (n_rows, n_cols), elements=_bounded_floats(low, high))
    return hnp.arrays(np.float64, (n_rows, n_cols), elements=_grid(low, high, places))


def probabilities(
    rows: int,
    cols: int,
    *,
    min_value: float = 0.01,
    max_value: float = 0.99,
    places: int | None = None,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of probabilities (``A3`` of shape ``(1, m)``) bounded away from 0 and 1, so that
    ``log(A3)`` and ``log(1 - A3)`` are finite: ``0 < min_value <= entries <= max_value < 1``."""
    low, high = _float_range(min_value, max_value)
    if not 0.0 < low or not high < 1.0:
        raise StrategyArgumentError(
            f"probabilities need 0 < min_value <= max_value < 1, got [{low!r}, {high!r}]"
        )
    return matrices(rows, cols, min_value=low, max_value=high, places=places)


def binary_labels(m: int) -> st.SearchStrategy[np.ndarray]:
    """Labels ``Y`` of shape ``(1, m)``, int64 entries in ``{0, 1}``."""
    n = _check_int("m", m, minimum=1)
    return hnp.arrays(np.int64, (1, n), elements=st.integers(0, 1))


def _check_dims(dims: Sequence[int]) -> list[int]:
    if isinstance(dims, str | bytes) or not isinstance(dims, Sequence):
        raise StrategyArgumentError(f"dims must be a sequence of ints, got {dims!r}")
    if len(dims) < 2:
        raise StrategyArgumentError(f"dims needs at least two sizes [n_0, n_1], got {dims!r}")
    return [_check_int(f"dims[{i}]", n, minimum=1) for i, n in enumerate(dims)]


def parameter_dicts(
    dims: Sequence[int],
    *,
    scale: float = 1.0,
    zero_biases: bool = False,
    places: int | None = None,
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """``{"W1": ..., "b1": ..., ..., "WL": ..., "bL": ...}`` for ``dims = [n_0, ..., n_L]``.

    Entries lie in ``[-scale, scale]`` (rounded to ``places`` decimals if given, see
    :func:`matrices`); biases are all zero when ``zero_biases`` (otherwise they are drawn like
    the weights, so a mistake that touches the biases can show).
    """
    sizes = _check_dims(dims)
    bound = _check_scale(scale)
    parts: dict[str, st.SearchStrategy[np.ndarray]] = {}
    for l in range(1, len(sizes)):
        parts[f"W{l}"] = matrices(sizes[l], sizes[l - 1], min_value=-bound, max_value=bound,
                                  places=places)
        parts[f"b{l}"] = (
            st.just(np.zeros((sizes[l], 1)))
            if zero_biases
            else matrices(sizes[l], 1, min_value=-bound, max_value=bound, places=places)
        )
    return _ordered_dicts(parts)


def _ordered_dicts(
    parts: Mapping[str, st.SearchStrategy[np.ndarray]],
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """``st.fixed_dictionaries`` whose result keeps the keys in the order of ``parts``."""
    order = tuple(parts)
    return st.fixed_dictionaries(dict(parts)).map(lambda d: {key: d[key] for key in order})


def _shapes_of(parameters: Mapping[str, np.ndarray]) -> dict[str, tuple[int, int]]:
    if not isinstance(parameters, Mapping) or not parameters:
        raise StrategyArgumentError(f"parameters must be a non-empty dict, got {parameters!r}")
    shapes: dict[str, tuple[int, int]] = {}
    for key, value in parameters.items():
        shape = np.shape(value)
        if len(shape) != 2 or min(shape) < 1:
            raise StrategyArgumentError(f"parameters[{key!r}] must be a 2-D array, got {shape}")
        shapes[str(key)] = (int(shape[0]), int(shape[1]))
    return shapes


def _check_scale(scale: object) -> float:
    bound = _check_float("scale", scale)
    if bound <= 0:
        raise StrategyArgumentError(f"scale must be > 0, got {scale!r}")
    return bound


def _arrays_like(
    parameters: Mapping[str, np.ndarray], low: float, high: float
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    parts = {
        f"d{key}": matrices(*shape, min_value=low, max_value=high)
        for key, shape in _shapes_of(parameters).items()
    }
    return _ordered_dicts(parts)


def gradients_like(
    parameters: Mapping[str, np.ndarray], *, scale: float = 1.0
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Gradients ``{"dW1": ..., "db1": ...}`` with the shapes of ``parameters``, entries in
    ``[-scale, scale]``."""
    bound = _check_scale(scale)
    return _arrays_like(parameters, -bound, bound)


def moments_like(
    parameters: Mapping[str, np.ndarray], *, scale: float = 1.0, nonnegative: bool = False
) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Optimizer state (momentum ``v``, Adam's ``v`` or ``s``) keyed ``dW{l}`` / ``db{l}`` like
    the course, with the shapes of ``parameters``. Entries in ``[-scale, scale]``, or in
    ``[0, scale]`` when ``nonnegative`` (second moments ``s``, which are averages of squares)."""
    bound = _check_scale(scale)
    return _arrays_like(parameters, 0.0 if nonnegative else -bound, bound)


# --- hyperparameters --------------------------------------------------------------------------


def keep_probs(
    *, min_value: float = 0.05, max_value: float = 1.0, places: int = 2
) -> st.SearchStrategy[float]:
    """Dropout keep probabilities in ``(0, 1]``, on a grid of ``places`` decimals (``0.73``).

    ``0 < min_value <= max_value <= 1``; the grid points inside the range are drawn (there must
    be at least one).
    """
    low, high = _float_range(min_value, max_value)
    if not 0.0 < low or high > 1.0:
        raise StrategyArgumentError(
            f"keep_probs need 0 < min_value <= max_value <= 1, got [{low!r}, {high!r}]"
        )
    return _grid(low, high, places)


def lambdas(
    *, min_value: float = 0.0, max_value: float = 10.0, min_positive: float = 1e-3
) -> st.SearchStrategy[float]:
    """L2 strengths ``lambd``: exactly 0 (when ``min_value == 0``) or log-uniform over
    ``[max(min_value, min_positive), max_value]``, so several orders of magnitude occur."""
    low, high = _float_range(min_value, max_value)
    floor = _check_float("min_positive", min_positive)
    if low < 0 or floor <= 0:
        raise StrategyArgumentError(
            f"lambdas need min_value >= 0 and min_positive > 0, got {low!r}, {floor!r}"
        )
    if high == 0.0:
        return st.just(0.0)
    positive = _log_uniform(min(max(low, floor), high), high)
    # the positive branch first: Hypothesis favours the first branch of one_of
    return st.one_of(positive, st.just(0.0)) if low == 0.0 else positive


def learning_rates(
    *, min_value: float = 1e-4, max_value: float = 1.0
) -> st.SearchStrategy[float]:
    """Learning rates, log-uniform over ``[min_value, max_value]`` (both > 0)."""
    low, high = _float_range(min_value, max_value)
    if low <= 0:
        raise StrategyArgumentError(f"learning_rates need min_value > 0, got {low!r}")
    return _log_uniform(low, high)


def epsilons(*, min_value: float = 1e-10, max_value: float = 1e-3) -> st.SearchStrategy[float]:
    """Small positive constants (finite-difference steps, Adam's epsilon), log-uniform over
    ``[min_value, max_value]`` (both > 0), i.e. over several orders of magnitude."""
    low, high = _float_range(min_value, max_value)
    if low <= 0:
        raise StrategyArgumentError(f"epsilons need min_value > 0, got {low!r}")
    return _log_uniform(low, high)
