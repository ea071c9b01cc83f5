r"""Cases for the *Regularization* assignment: the course's three-layer net, L2 and dropout.

Every network is ``[n_x, n1, n2, 1]``: ``X`` is ``(n_x, m)``, ``Y`` is ``(1, m)`` and the
parameters are ``W1 (n1, n_x), b1 (n1, 1), W2 (n2, n1), b2 (n2, 1), W3 (1, n2), b3 (1, 1)``.
Generated nets are small (readable counterexamples) with rounded entries and nonzero biases,
so a mistake that touches the biases shows.

Inputs of the backward passes are consistent: their caches come from a forward pass of ``X``
through the parameters (:func:`dnn_autograder.course_helpers.common.forward_three_layer` for L2,
:func:`dropout_forward` for dropout, with 0/1 masks drawn from a case seed so that
``A_l = relu(Z_l) * D_l / keep_prob``).

The dropout forward pass is stochastic. Its explicit cases include three nets with 3,000 to
12,500 mask entries per hidden layer (``MIN_MASK_ENTRIES`` in :mod:`properties` is 1,000), so
the kept fraction is tested for every student, at keep probabilities 0.7, 0.86 and 0.3 (never
0.5, where keeping with probability ``1 - keep_prob`` would be indistinguishable).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dnn_autograder.course_helpers.common import forward_three_layer, relu, sigmoid
from dnn_autograder.grader.assignment.strategies import (
    binary_labels,
    composite,
    example_counts,
    keep_probs,
    lambdas,
    matrices,
    parameter_dicts,
    probabilities,
    seeds,
    st,
    unit_counts,
)
from dnn_autograder.grader.model import Case

__all__ = [
    "EDGE_CASES",
    "backward_propagation_with_dropout_cases",
    "backward_propagation_with_regularization_cases",
    "compute_cost_with_regularization_cases",
    "dropout_forward",
    "dropout_masks",
    "forward_propagation_with_dropout_cases",
]

Parameters = Mapping[str, np.ndarray]


# --- forward passes that build consistent caches ----------------------------------------------


def dropout_masks(n1: int, n2: int, m: int, keep_prob: float, seed: int) -> tuple[np.ndarray, ...]:
    """0/1 int masks ``D1 (n1, m)`` and ``D2 (n2, m)``, each entry 1 with probability
    ``keep_prob``, drawn from ``RandomState(seed)`` (the global generator is untouched)."""
    rng = np.random.RandomState(seed)
    return tuple((rng.random_sample((n, m)) < keep_prob).astype(int) for n in (n1, n2))


def dropout_forward(
    X: np.ndarray, parameters: Parameters, keep_prob: float, D1: np.ndarray, D2: np.ndarray
) -> tuple[np.ndarray, tuple]:
    """The course's forward pass with the given masks: ``A_l = relu(Z_l) * D_l / keep_prob``
    for the two hidden layers; returns ``(A3, cache)`` with the course's 14-tuple cache
    ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)``."""
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    A1 = relu(Z1) * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    A2 = relu(Z2) * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def _l2_cache(X: np.ndarray, parameters: Parameters) -> tuple:
    return forward_three_layer(X, parameters)[1]


# --- generated cases --------------------------------------------------------------------------


@composite
def _nets(draw: st.DrawFn) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(X, parameters)`` for a small ``[n_x, n1, n2, 1]`` net, entries rounded to 0.01."""
    m = draw(example_counts(min_value=1, max_value=6))
    n_x, n1, n2 = (draw(unit_counts(min_value=1, max_value=4)) for _ in range(3))
    X = draw(matrices(n_x, m, min_value=-3.0, max_value=3.0, places=2))
    parameters = draw(parameter_dicts([n_x, n1, n2, 1], scale=2.0, places=2))
    return X, parameters


@composite
def _cost_cases(draw: st.DrawFn) -> Case:
    X, parameters = draw(_nets())
    m = X.shape[1]
    A3 = draw(probabilities(1, m, min_value=0.01, max_value=0.99, places=3))
    Y = draw(binary_labels(m))
    lambd = draw(lambdas(max_value=10.0))
    return Case({"A3": A3, "Y": Y, "parameters": parameters, "lambd": lambd})


@composite
def _l2_backward_cases(draw: st.DrawFn) -> Case:
    X, parameters = draw(_nets())
    Y = draw(binary_labels(X.shape[1]))
    lambd = draw(lambdas(max_value=10.0))
    return Case({"X": X, "Y": Y, "cache": _l2_cache(X, parameters), "lambd": lambd})


@composite
def _dropout_forward_cases(draw: st.DrawFn) -> Case:
    X, parameters = draw(_nets())
    keep_prob = draw(keep_probs(min_value=0.05, max_value=1.0))
    return Case({"X": X, "parameters": parameters, "keep_prob": keep_prob}, seed=draw(seeds()))


@composite
def _dropout_backward_cases(draw: st.DrawFn) -> Case:
    X, parameters = draw(_nets())
    n1, n2, m = parameters["W1"].shape[0], parameters["W2"].shape[0], X.shape[1]
    Y = draw(binary_labels(m))
    keep_prob = draw(keep_probs(min_value=0.05, max_value=1.0))
    D1, D2 = dropout_masks(n1, n2, m, keep_prob, draw(seeds()))
    _, cache = dropout_forward(X, parameters, keep_prob, D1, D2)
    return Case({"X": X, "Y": Y, "cache": cache, "keep_prob": keep_prob})


def compute_cost_with_regularization_cases() -> st.SearchStrategy[Case]:
    return _cost_cases()


def backward_propagation_with_regularization_cases() -> st.SearchStrategy[Case]:
    return _l2_backward_cases()


def forward_propagation_with_dropout_cases() -> st.SearchStrategy[Case]:
    return _dropout_forward_cases()


def backward_propagation_with_dropout_cases() -> st.SearchStrategy[Case]:
    return _dropout_backward_cases()


# --- explicit edge cases ----------------------------------------------------------------------

_KEYS = ("W1", "b1", "W2", "b2", "W3", "b3")


def _course_net(seed: int = 1) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The notebooks' test net: ``np.random.seed(1)``, ``X = randn(3, 5)``, then the
    parameters drawn in the order ``W1 (2, 3), b1, W2 (3, 2), b2, W3 (1, 3), b3``."""
    rng = np.random.RandomState(seed)
    X = rng.randn(3, 5)
    shapes = ((2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1))
    return X, {key: rng.randn(*shape) for key, shape in zip(_KEYS, shapes, strict=True)}


def _course_cost_inputs() -> dict[str, object]:
    """The notebook's published check of ``compute_cost_with_regularization`` (cost
    1.78648594516 for ``lambd = 0.1``)."""
    rng = np.random.RandomState(1)
    shapes = ((2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1))
    parameters = {key: rng.randn(*shape) for key, shape in zip(_KEYS, shapes, strict=True)}
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return {"A3": A3, "Y": np.array([[1, 1, 0, 1, 0]]), "parameters": parameters}


def _unit_net() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``[1, 1, 1, 1]`` with one example; positive weights keep both ReLUs active."""
    X = np.array([[1.5]])
    values = (0.8, 0.3, 1.2, -0.4, 0.9, 0.2)
    return X, {key: np.array([[v]]) for key, v in zip(_KEYS, values, strict=True)}


def _wide_net(n_x: int, n1: int, n2: int, m: int, seed: int) -> tuple[np.ndarray, dict]:
    """A larger net with about half of the hidden units active: ``W ~ N(0, 1/n_prev)``,
    ``b ~ 0.1 + N(0, 0.1^2)``, ``X ~ N(0, 1)``."""
    rng = np.random.RandomState(seed)
    dims = (n_x, n1, n2, 1)
    parameters = {}
    for l in (1, 2, 3):
        parameters[f"W{l}"] = rng.randn(dims[l], dims[l - 1]) / np.sqrt(dims[l - 1])
        parameters[f"b{l}"] = 0.1 + 0.1 * rng.randn(dims[l], 1)
    return rng.randn(n_x, m), parameters


def _cost_edges() -> tuple[Case, ...]:
    course = _course_cost_inputs()
    X_unit, unit = _unit_net()
    _, wide = _wide_net(4, 5, 3, 6, seed=7)
    rng = np.random.RandomState(8)
    return (
        Case({**course, "lambd": 0.1}, label="edge: the notebook's example (lambd = 0.1)"),
        Case({**course, "lambd": 0.0}, label="edge: lambd = 0 (plain cross-entropy)"),
        Case({"A3": np.array([[0.7]]), "Y": np.array([[1]]), "parameters": unit, "lambd": 0.7},
             label="edge: m = 1, single-unit layers"),
        Case({"A3": rng.uniform(0.05, 0.95, (1, 6)), "Y": np.array([[0, 1, 1, 0, 1, 0]]),
              "parameters": wide, "lambd": 10.0}, label="edge: large lambd = 10"),
    )


def _l2_backward_edges() -> tuple[Case, ...]:
    X, course = _course_net()
    Y = np.array([[1, 1, 0, 1, 0]])
    X_unit, unit = _unit_net()
    X_wide, wide = _wide_net(4, 5, 3, 6, seed=9)
    Y_wide = np.array([[0, 1, 1, 0, 1, 1]])
    return (
        Case({"X": X, "Y": Y, "cache": _l2_cache(X, course), "lambd": 0.7},
             label="edge: the notebook's net (lambd = 0.7)"),
        Case({"X": X, "Y": Y, "cache": _l2_cache(X, course), "lambd": 0.0},
             label="edge: lambd = 0 (plain backpropagation)"),
        Case({"X": X_unit, "Y": np.array([[0]]), "cache": _l2_cache(X_unit, unit), "lambd": 0.7},
             label="edge: m = 1, single-unit layers"),
        Case({"X": X_wide, "Y": Y_wide, "cache": _l2_cache(X_wide, wide), "lambd": 5.0},
             label="edge: large lambd = 5"),
    )


def _dropout_forward_edges() -> tuple[Case, ...]:
    X, course = _course_net()
    X_unit, unit = _unit_net()
    X_three = np.array([[1.5, -0.5, 2.0]])
    cases = [
        Case({"X": X, "parameters": course, "keep_prob": 0.7},
             label="edge: the notebook's net (keep_prob = 0.7)"),
        Case({"X": X, "parameters": course, "keep_prob": 1.0},
             label="edge: keep_prob = 1 (nothing dropped)"),
        Case({"X": X, "parameters": course}, label="edge: keep_prob left at its default 0.5"),
        Case({"X": X_unit, "parameters": unit, "keep_prob": 0.8},
             label="edge: m = 1, single-unit layers"),
        Case({"X": X_three, "parameters": unit, "keep_prob": 0.6}, seed=5,
             label="edge: single-unit layers, 3 examples"),
    ]
    for shape, keep_prob, seed in (((3, 50, 40, 250), 0.7, 11), ((4, 60, 50, 200), 0.86, 12),
                                   ((2, 40, 30, 100), 0.3, 13)):
        X_big, big = _wide_net(*shape, seed=seed)
        n1, n2, m = shape[1], shape[2], shape[3]
        cases.append(Case({"X": X_big, "parameters": big, "keep_prob": keep_prob}, seed=seed,
                          label=f"edge: {n1}x{m} and {n2}x{m} masks, keep_prob = {keep_prob} "
                                f"(mask statistics)"))
    return tuple(cases)


def _dropout_backward_edges() -> tuple[Case, ...]:
    out = []
    X, course = _course_net()
    X_unit, unit = _unit_net()
    X_wide, wide = _wide_net(4, 5, 4, 6, seed=14)
    nets = (
        (X, course, np.array([[1, 1, 0, 1, 0]]), 0.8, "the notebook's net (keep_prob = 0.8)"),
        (X, course, np.array([[1, 1, 0, 1, 0]]), 1.0, "keep_prob = 1 (all-ones masks)"),
        (X_unit, unit, np.array([[0]]), 0.6, "m = 1, single-unit layers"),
        (X_wide, wide, np.array([[0, 1, 1, 0, 1, 1]]), 0.25, "keep_prob = 0.25"),
    )
    for i, (X_, parameters, Y, keep_prob, what) in enumerate(nets):
        n1, n2, m = parameters["W1"].shape[0], parameters["W2"].shape[0], X_.shape[1]
        D1, D2 = dropout_masks(n1, n2, m, keep_prob, seed=20 + i)
        if what.startswith("m = 1"):
            D1, D2 = np.ones_like(D1), np.zeros_like(D2)  # one kept and one dropped unit
        _, cache = dropout_forward(X_, parameters, keep_prob, D1, D2)
        out.append(Case({"X": X_, "Y": Y, "cache": cache, "keep_prob": keep_prob},
                        label=f"edge: {what}"))
    return tuple(out)


EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "compute_cost_with_regularization": _cost_edges(),
    "backward_propagation_with_regularization": _l2_backward_edges(),
    "forward_propagation_with_dropout": _dropout_forward_edges(),
    "backward_propagation_with_dropout": _dropout_backward_edges(),
}
