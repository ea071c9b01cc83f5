r"""Cases for the *Optimization Methods* assignment.

Networks have 1 to 3 layers of 1 to 4 units (single-unit layers included), entries in
:math:`[-2, 2]`. What the cases are built to show:

* gradient descent, momentum, Adam: nonzero biases and bias gradients (a skipped bias update
  shows), all-zero gradients in edge cases, nonzero starting moments (``v`` in
  :math:`[-1, 1]`, ``s`` in :math:`[0, 1]`), :math:`\beta` over :math:`[0, 0.999]`;
* Adam: ``t`` often 1 to 3 (bias correction, and ``t`` off by one, only show at small ``t``) and
  sometimes up to 10 000; :math:`\beta_1 \in [0, 0.99]`, :math:`\beta_2 \in [0.9, 0.9999]`
  (rarely equal, so swapped betas show); :math:`\varepsilon` log-uniform over
  :math:`[10^{-8}, 10^{-1}]`, and edge cases with all-zero second moments, where moving
  :math:`\varepsilon` inside the square root changes the step by orders of magnitude;
* mini-batches: batch sizes that divide ``m`` and that do not, ``m = 1``, ``size >= m``, many
  cases with ``m >= 12`` (so "the columns were shuffled" has power), the first row of ``X``
  all distinct (every example is identifiable), ``Y`` of shape ``(1, m)``, either 0/1 labels or
  distinct values (so a label separated from its example shows);
* learning-rate decay: epochs from 0 to 10 000, intervals from 1 to 2 000, so most epochs lie
  between two multiples of the interval (a missing floor shows).
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.course_helpers.opt_utils_v1a import load_params_and_grads
from dnn_autograder.grader.assignment.strategies import (
    binary_labels,
    composite,
    epsilons,
    gradients_like,
    layer_dims,
    learning_rates,
    matrices,
    moments_like,
    parameter_dicts,
    seeds,
    st,
    unit_counts,
)
from dnn_autograder.grader.model import Case

__all__ = [
    "EDGE_CASES",
    "networks",
    "step_sizes",
    "update_parameters_with_gd_cases",
    "random_mini_batches_cases",
    "initialize_velocity_cases",
    "update_parameters_with_momentum_cases",
    "initialize_adam_cases",
    "update_parameters_with_adam_cases",
    "update_lr_cases",
    "schedule_lr_decay_cases",
]

#: Largest |entry| of parameters and gradients.
SCALE = 2.0
#: Columns of the largest generated ``X`` (the course uses 64-column batches).
MAX_EXAMPLES = 80


def _zeros_like(parameters, prefix: str = "d") -> dict[str, np.ndarray]:
    return {prefix + name: np.zeros_like(value) for name, value in parameters.items()}


def _grid(low: int, high: int, places: int) -> st.SearchStrategy[float]:
    """Multiples of ``10**-places`` between ``low`` and ``high`` (given in those units)."""
    return st.integers(low, high).map(lambda k: round(k / 10**places, places))


# --- building blocks ------------------------------------------------------------------------


def networks(*, min_layers: int = 1, max_layers: int = 3,
             max_units: int = 4) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Parameter dictionaries ``W1, b1, ..., WL, bL`` with ``min_layers <= L <= max_layers``
    and layers of 1 to ``max_units`` units, entries in ``[-SCALE, SCALE]``."""
    dims = layer_dims(min_layers=min_layers + 1, max_layers=max_layers + 1, max_units=max_units)
    return dims.flatmap(lambda d: parameter_dicts(d, scale=SCALE, places=3))


def _gradients(parameters) -> st.SearchStrategy[dict[str, np.ndarray]]:
    """Gradients like ``parameters``. All-zero gradients are left to the edge cases: Hypothesis
    copies parts of earlier examples into later ones, so a drawn zero case would recur."""
    return gradients_like(parameters, scale=SCALE)


def step_sizes() -> st.SearchStrategy[float]:
    """Learning rates, log-uniform over ``[1e-4, 1]``."""
    return learning_rates(min_value=1e-4, max_value=1.0)


def _betas(*, min_thousandths: int = 0, max_thousandths: int = 999) -> st.SearchStrategy[float]:
    return _grid(min_thousandths, max_thousandths, 3)


# --- gradient descent, initialisers ---------------------------------------------------------


@composite
def _gd_cases(draw: st.DrawFn) -> Case:
    parameters = draw(networks())
    grads = draw(_gradients(parameters))
    args = {"parameters": parameters, "grads": grads, "learning_rate": draw(step_sizes())}
    return Case(args)


def update_parameters_with_gd_cases() -> st.SearchStrategy[Case]:
    return _gd_cases()


def initialize_velocity_cases() -> st.SearchStrategy[Case]:
    return networks().map(lambda p: Case({"parameters": p}))


def initialize_adam_cases() -> st.SearchStrategy[Case]:
    return networks().map(lambda p: Case({"parameters": p}))


# --- momentum and Adam ----------------------------------------------------------------------


@composite
def _momentum_cases(draw: st.DrawFn) -> Case:
    parameters = draw(networks())
    grads = draw(_gradients(parameters))
    v = draw(st.one_of(st.just(_zeros_like(parameters)), moments_like(parameters, scale=1.0)))
    args = {"parameters": parameters, "grads": grads, "v": v, "beta": draw(_betas()),
            "learning_rate": draw(step_sizes())}
    return Case(args)


def update_parameters_with_momentum_cases() -> st.SearchStrategy[Case]:
    return _momentum_cases()


def _steps() -> st.SearchStrategy[int]:
    """Adam's ``t``: often 1 to 3, where the bias correction matters most."""
    return st.one_of(st.integers(1, 3), st.integers(1, 10_000))


@composite
def _adam_cases(draw: st.DrawFn) -> Case:
    parameters = draw(networks())
    grads = draw(_gradients(parameters))
    v = draw(moments_like(parameters, scale=1.0))
    s = draw(moments_like(parameters, scale=1.0, nonnegative=True))
    args = {
        "parameters": parameters, "grads": grads, "v": v, "s": s, "t": draw(_steps()),
        "learning_rate": draw(learning_rates(min_value=1e-4, max_value=0.1)),
        "beta1": draw(_betas(max_thousandths=990)),
        "beta2": draw(_grid(9000, 9999, 4)),
        "epsilon": draw(epsilons(min_value=1e-8, max_value=1e-1)),
    }
    return Case(args)


def update_parameters_with_adam_cases() -> st.SearchStrategy[Case]:
    return _adam_cases()


# --- mini-batches ---------------------------------------------------------------------------


@composite
def _labelled_data(draw: st.DrawFn, m: int) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (n_x, m) whose first row is all distinct, and ``Y`` (1, m): 0/1 labels or
    distinct values."""
    n_x = draw(unit_counts(min_value=1, max_value=4))
    first = draw(st.lists(st.integers(-999, 999), min_size=m, max_size=m, unique=True))
    rows = [np.asarray(first, dtype=float).reshape(1, m) / 100]
    if n_x > 1:
        rows.append(draw(matrices(n_x - 1, m, places=2)))
    if draw(st.booleans()):
        Y = draw(binary_labels(m))
    else:
        values = draw(st.lists(st.integers(0, 10 * m), min_size=m, max_size=m, unique=True))
        Y = np.asarray(values, dtype=float).reshape(1, m)
    return np.vstack(rows), Y


def _divisors(m: int) -> list[int]:
    return [d for d in range(1, m + 1) if m % d == 0]


@composite
def _mini_batch_cases(draw: st.DrawFn) -> Case:
    m = draw(st.one_of(st.integers(1, 11), st.integers(12, MAX_EXAMPLES)))
    X, Y = draw(_labelled_data(m))
    size = draw(st.one_of(
        st.integers(1, m),                       # usually leaves a remainder
        st.sampled_from(_divisors(m)),           # divides m: no last partial batch
        st.integers(m, m + 70),                  # one batch holds everything
        st.sampled_from((16, 32, 64)),           # the course's sizes
    ))
    args = {"X": X, "Y": Y, "mini_batch_size": size, "seed": draw(seeds())}
    return Case(args, label=f"generated (m = {m}, mini_batch_size = {size})")


def random_mini_batches_cases() -> st.SearchStrategy[Case]:
    return _mini_batch_cases()


# --- learning-rate decay --------------------------------------------------------------------


def _decay_rates() -> st.SearchStrategy[float]:
    return _grid(0, 200, 2)


def update_lr_cases() -> st.SearchStrategy[Case]:
    return st.builds(
        lambda lr0, epoch, rate: Case(
            {"learning_rate0": lr0, "epoch_num": epoch, "decay_rate": rate}),
        step_sizes(), st.integers(0, 10_000), _decay_rates(),
    )


def schedule_lr_decay_cases() -> st.SearchStrategy[Case]:
    return st.builds(
        lambda lr0, epoch, rate, interval: Case(
            {"learning_rate0": lr0, "epoch_num": epoch, "decay_rate": rate,
             "time_interval": interval}),
        step_sizes(), st.integers(0, 10_000), _decay_rates(),
        st.one_of(st.integers(1, 50), st.integers(51, 2000)),
    )


# --- explicit edge cases --------------------------------------------------------------------


def _course_network() -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The notebook's two-layer test network and its gradients (``load_params_and_grads``)."""
    W1, b1, W2, b2, dW1, db1, dW2, db2 = load_params_and_grads(1)
    return ({"W1": W1, "b1": b1, "W2": W2, "b2": b2},
            {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2})


def _network(dims, seed: int, *, scale: float = 1.0) -> dict[str, np.ndarray]:
    rng = np.random.RandomState(seed)
    out = {}
    for l in range(1, len(dims)):
        out[f"W{l}"] = np.round(scale * rng.uniform(-1, 1, (dims[l], dims[l - 1])), 3)
        out[f"b{l}"] = np.round(scale * rng.uniform(-1, 1, (dims[l], 1)), 3)
    return out


def _like(parameters, seed: int, *, low: float = -1.0, high: float = 1.0) -> dict:
    rng = np.random.RandomState(seed)
    return {"d" + k: np.round(rng.uniform(low, high, p.shape), 3) for k, p in parameters.items()}


def _data(n_x: int, m: int, seed: int, *, binary: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(seed)
    X = np.round(rng.randn(n_x, m), 3)
    X[0] = np.arange(m) * 0.5 - m / 4  # distinct first row: every example identifiable
    Y = (rng.rand(1, m) > 0.5).astype(np.int64) if binary else np.arange(m, dtype=float)[None, :]
    return X, Y


def _edge(args: dict, label: str) -> Case:
    return Case(args, label=f"edge: {label}")


def _edge_cases() -> dict[str, tuple[Case, ...]]:
    course_params, course_grads = _course_network()
    single = _network([1, 1], 5)
    deep = _network([3, 1, 4, 1], 6)
    deep_grads = _like(deep, 7)
    zero_v = _zeros_like(course_params)

    def batches(n_x, m, size, seed, label, *, binary=False):
        X, Y = _data(n_x, m, seed, binary=binary)
        return _edge({"X": X, "Y": Y, "mini_batch_size": size, "seed": seed}, label)

    def adam(params, grads, v, s, t, lr, b1, b2, eps, label):
        return _edge({"parameters": params, "grads": grads, "v": v, "s": s, "t": t,
                      "learning_rate": lr, "beta1": b1, "beta2": b2, "epsilon": eps}, label)

    return {
        "update_parameters_with_gd": (
            _edge({"parameters": course_params, "grads": course_grads, "learning_rate": 0.01},
                  "the notebook's two-layer network"),
            _edge({"parameters": deep, "grads": _zeros_like(deep), "learning_rate": 0.1},
                  "zero gradients"),
            _edge({"parameters": single, "grads": _like(single, 8), "learning_rate": 1.0},
                  "a single unit, learning rate 1"),
        ),
        "random_mini_batches": (
            batches(3, 148, 64, 0, "the notebook's sizes: 148 examples, batches of 64"),
            batches(2, 1, 64, 1, "a single example"),
            batches(2, 12, 4, 2, "12 examples, batch size 4 divides m"),
            batches(1, 12, 12, 3, "batch size equals m"),
            batches(2, 13, 20, 4, "batch size larger than m"),
            batches(2, 20, 1, 5, "batches of one"),
            batches(3, 30, 7, 6, "30 examples, batches of 7"),
            batches(2, 24, 5, 7, "0/1 labels", binary=True),
        ),
        "initialize_velocity": (
            _edge({"parameters": course_params}, "the notebook's two-layer network"),
            _edge({"parameters": single}, "a single unit"),
            _edge({"parameters": deep}, "three layers with single-unit layers"),
        ),
        "update_parameters_with_momentum": (
            _edge({"parameters": course_params, "grads": course_grads, "v": zero_v,
                   "beta": 0.9, "learning_rate": 0.01}, "the notebook's test: first step from v = 0"),
            _edge({"parameters": deep, "grads": deep_grads, "v": _like(deep, 9), "beta": 0.9,
                   "learning_rate": 0.1}, "nonzero velocity"),
            _edge({"parameters": deep, "grads": _zeros_like(deep), "v": _like(deep, 10),
                   "beta": 0.5, "learning_rate": 0.1}, "zero gradients, velocity still moves"),
            _edge({"parameters": single, "grads": _like(single, 11), "v": _like(single, 12),
                   "beta": 0.0, "learning_rate": 0.5}, "beta = 0 (plain gradient descent)"),
        ),
        "initialize_adam": (
            _edge({"parameters": course_params}, "the notebook's two-layer network"),
            _edge({"parameters": single}, "a single unit"),
            _edge({"parameters": deep}, "three layers with single-unit layers"),
        ),
        "update_parameters_with_adam": (
            adam(course_params, course_grads, zero_v, _zeros_like(course_params), 1, 0.01, 0.9,
                 0.999, 1e-8,
                 "first step (t = 1) from zero moments"),
            adam(course_params, course_grads, _like(course_params, 13),
                 _like(course_params, 14, low=0.0), 2, 0.02, 0.8, 0.888, 1e-2,
                 "the notebook's test: t = 2, beta1 = 0.8, beta2 = 0.888, epsilon = 0.01"),
            adam(deep, _zeros_like(deep), _like(deep, 15), _zeros_like(deep), 3, 0.01, 0.9,
                 0.999, 1e-8, "zero gradients and zero second moments"),
            adam(deep, deep_grads, _like(deep, 16), _like(deep, 17, low=0.0, high=1e-6), 2,
                 0.001, 0.9, 0.999, 1e-3, "tiny second moments, epsilon = 1e-3"),
            adam(single, _like(single, 18), _like(single, 19), _like(single, 20, low=0.0), 1000,
                 0.01, 0.9, 0.999, 1e-8, "t = 1000: late in training"),
            adam(deep, deep_grads, _like(deep, 21), _like(deep, 22, low=0.0), 2, 0.01, 0.9, 0.9,
                 1e-8, "beta1 = beta2"),
        ),
        "update_lr": (
            _edge({"learning_rate0": 0.5, "epoch_num": 2, "decay_rate": 1}, "the notebook's"),
            _edge({"learning_rate0": 0.3, "epoch_num": 0, "decay_rate": 0.5}, "epoch 0"),
            _edge({"learning_rate0": 0.1, "epoch_num": 10, "decay_rate": 0.0}, "no decay"),
            _edge({"learning_rate0": 1.0, "epoch_num": 5000, "decay_rate": 0.3}, "late epoch"),
        ),
        "schedule_lr_decay": (
            _edge({"learning_rate0": 0.5, "epoch_num": 100, "decay_rate": 1,
                   "time_interval": 100}, "the notebook's: epoch 100, interval 100"),
            _edge({"learning_rate0": 0.5, "epoch_num": 1500, "decay_rate": 0.3,
                   "time_interval": 1000}, "halfway through the second interval"),
            _edge({"learning_rate0": 0.2, "epoch_num": 999, "decay_rate": 1.0,
                   "time_interval": 1000}, "last epoch of the first interval"),
            _edge({"learning_rate0": 0.2, "epoch_num": 10, "decay_rate": 0.5,
                   "time_interval": 1}, "interval 1: decays every epoch"),
            _edge({"learning_rate0": 0.5, "epoch_num": 2500, "decay_rate": 0.3},
                  "default time_interval (1000)"),
            _edge({"learning_rate0": 0.1, "epoch_num": 0, "decay_rate": 1.0,
                   "time_interval": 1000}, "epoch 0"),
        ),
    }


EDGE_CASES: dict[str, tuple[Case, ...]] = _edge_cases()
