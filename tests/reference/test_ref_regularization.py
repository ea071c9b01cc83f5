"""L2 regularisation: published values and numerical gradients of the regularised cost."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_testkit import (
    PROPERTY_SETTINGS,
    assert_close,
    assert_unchanged,
    labels,
    numerical_gradient,
    snapshot,
    three_layer_parameters,
)

from dnn_autograder.course_helpers.reg_utils import forward_propagation
from dnn_autograder.reference import (
    GRADIENT_KEYS,
    backward_propagation_with_regularization,
    compute_cost_with_regularization,
    l2_penalty,
)


def course_case():
    """The notebook's test inputs: seed 1, X (3, 5), then the six parameters in order."""
    np.random.seed(1)
    X = np.random.randn(3, 5)
    Y = np.array([[1, 1, 0, 1, 0]])
    shapes = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    params = {k: np.random.randn(*shape) for k, shape in shapes.items()}
    return X, Y, params


def test_cost_published_value():
    np.random.seed(1)
    Y = np.array([[1, 1, 0, 1, 0]])
    shapes = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    params = {k: np.random.randn(*shape) for k, shape in shapes.items()}
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = compute_cost_with_regularization(A3, Y, params, lambd=0.1)
    assert_close("compute_cost_with_regularization (published)", cost, 1.78648594516, rtol=1e-10)


def test_cost_is_cross_entropy_plus_penalty_written_out():
    params = three_layer_parameters(3, 4, 2, seed=5)
    A3 = np.array([[0.9, 0.2, 0.6, 0.05]])
    Y = np.array([[1, 0, 1, 0]])
    lambd, m = 0.7, 4
    ce = -np.mean(Y * np.log(A3) + (1 - Y) * np.log(1 - A3))
    penalty = lambd / (2 * m) * sum(np.sum(params[f"W{l}"] ** 2) for l in (1, 2, 3))
    assert_close("cost", compute_cost_with_regularization(A3, Y, params, lambd), ce + penalty)
    assert_close("l2_penalty", l2_penalty(params, lambd, m), penalty)


def test_cost_uses_the_compute_cost_hook():
    params = three_layer_parameters(3, 4, 2, seed=5)
    A3, Y = np.full((1, 4), 0.5), np.ones((1, 4))
    cost = compute_cost_with_regularization(A3, Y, params, 0.0, compute_cost=lambda a, y: 42.0)
    assert cost == 42.0


def test_backward_published_values():
    X, Y, params = course_case()
    _, cache = forward_propagation(X, params)
    grads = backward_propagation_with_regularization(X, Y, cache, lambd=0.7)
    assert_close('grads["dW1"] (published)', grads["dW1"],
                 [[-0.25604646, 0.12298827, -0.28297129],
                  [-0.17706303, 0.34536094, -0.4410571]], rtol=0, atol=5e-9)
    assert_close('grads["dW2"] (published)', grads["dW2"],
                 [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                  [-0.13100772, -0.03750433]], rtol=0, atol=5e-9)
    assert_close('grads["dW3"] (published)', grads["dW3"],
                 [[-1.77691347, -0.11832879, -0.09397446]], rtol=0, atol=5e-9)
    assert tuple(grads) == GRADIENT_KEYS


def regularised_cost(X, Y, params, lambd):
    a3, _ = forward_propagation(X, params)
    return compute_cost_with_regularization(a3, Y, params, lambd)


@pytest.mark.parametrize("lambd", [0.0, 0.7, 3.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_parameter_gradients_match_central_differences(lambd, seed):
    X = np.random.RandomState(100 + seed).randn(3, 6)
    Y = labels(6, seed)
    params = three_layer_parameters(3, 5, 4, seed)
    _, cache = forward_propagation(X, params)
    grads = backward_propagation_with_regularization(X, Y, cache, lambd)
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
        def cost_of(value, name=name):
            return regularised_cost(X, Y, {**params, name: value}, lambd)
        assert_close(f'd{name} vs central differences of the regularised cost (lambd={lambd})',
                     grads["d" + name], numerical_gradient(cost_of, params[name]),
                     rtol=1e-5, atol=1e-8)


def test_intermediate_gradients_are_m_times_cost_derivatives():
    """dZ_l and dA_l are the derivatives of m * cross-entropy w.r.t. Z_l and A_l."""
    X = np.random.RandomState(7).randn(3, 5)
    Y = labels(5, 7)
    params = three_layer_parameters(3, 4, 3, 7)
    _, cache = forward_propagation(X, params)
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    grads = backward_propagation_with_regularization(X, Y, cache, lambd=0.5)

    def total_ce(z3):
        a3 = 1 / (1 + np.exp(-z3))
        return -np.sum(Y * np.log(a3) + (1 - Y) * np.log(1 - a3))

    def from_a2(a2):
        return total_ce(W3 @ a2 + b3)

    def from_z2(z2):
        return from_a2(np.maximum(z2, 0))

    def from_a1(a1):
        return from_z2(W2 @ a1 + b2)

    def from_z1(z1):
        return from_a1(np.maximum(z1, 0))

    checks = {"dZ3": (total_ce, Z3), "dA2": (from_a2, A2), "dZ2": (from_z2, Z2),
              "dA1": (from_a1, A1), "dZ1": (from_z1, Z1)}
    for key, (f, at) in checks.items():
        assert_close(f'grads["{key}"] vs central differences', grads[key],
                     numerical_gradient(f, at), rtol=1e-5, atol=1e-8)


@given(lambd=st.floats(0, 10), m=st.integers(1, 50), seed=st.integers(0, 2**16))
@PROPERTY_SETTINGS
def test_l2_term_gradient_is_lambd_over_m_times_W(lambd, m, seed):
    params = three_layer_parameters(2, 3, 2, seed)
    for name in ("W1", "W2", "W3"):
        numeric = numerical_gradient(lambda w, name=name: l2_penalty({**params, name: w},
                                                                     lambd, m),
                                     params[name])
        assert_close(f"d(l2_penalty)/d{name}", numeric, lambd / m * params[name],
                     rtol=1e-6, atol=1e-9)


def test_l2_contribution_to_backward_is_exactly_lambd_over_m_W():
    X, Y, params = course_case()
    _, cache = forward_propagation(X, params)
    plain = backward_propagation_with_regularization(X, Y, cache, 0.0)
    reg = backward_propagation_with_regularization(X, Y, cache, 0.3)
    for l in (1, 2, 3):
        assert_close(f'dW{l}(0.3) - dW{l}(0)', reg[f"dW{l}"] - plain[f"dW{l}"],
                     0.3 / 5 * params[f"W{l}"], rtol=1e-12, atol=1e-15)
        assert_close(f'db{l} unaffected by lambd', reg[f"db{l}"], plain[f"db{l}"], atol=0, rtol=0)


def test_inputs_are_not_modified():
    X, Y, params = course_case()
    _, cache = forward_propagation(X, params)
    before = snapshot((X, Y, cache, params))
    backward_propagation_with_regularization(X, Y, cache, 0.7)
    compute_cost_with_regularization(cache[9], Y, params, 0.7)
    assert_unchanged("(X, Y, cache, parameters)", before, (X, Y, cache, params))
