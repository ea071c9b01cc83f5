"""Inverted dropout: published output, mask statistics and draw order, numerical gradients."""

from __future__ import annotations

import numpy as np
import pytest
from reference_testkit import (
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
    backward_propagation_with_dropout,
    forward_propagation_with_dropout,
)


def course_case():
    np.random.seed(1)
    X = np.random.randn(3, 5)
    shapes = {"W1": (2, 3), "b1": (2, 1), "W2": (3, 2), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    return X, {k: np.random.randn(*shape) for k, shape in shapes.items()}


def test_forward_published_value():
    X, params = course_case()
    A3, cache = forward_propagation_with_dropout(X, params, keep_prob=0.7)
    assert_close("A3 (published, keep_prob=0.7)", A3,
                 [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]],
                 rtol=0, atol=5e-9)
    assert len(cache) == 14


def test_masks_are_seed1_rand_D1_then_D2():
    X, params = course_case()
    keep_prob = 0.6
    _, cache = forward_propagation_with_dropout(X, params, keep_prob)
    Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3 = cache
    rng = np.random.RandomState(1)
    expected_D1 = (rng.random_sample(Z1.shape) < keep_prob).astype(int)
    expected_D2 = (rng.random_sample(Z2.shape) < keep_prob).astype(int)
    assert_close("D1", D1, expected_D1, atol=0)
    assert_close("D2", D2, expected_D2, atol=0)
    assert_close("Z1", Z1, W1 @ X + b1)
    assert_close("A1 (masked, scaled)", A1, np.maximum(Z1, 0) * expected_D1 / keep_prob)
    assert_close("Z2", Z2, W2 @ A1 + b2)
    assert_close("A2 (masked, scaled)", A2, np.maximum(Z2, 0) * expected_D2 / keep_prob)
    assert_close("A3", A3, 1 / (1 + np.exp(-(W3 @ A2 + b3))))


def test_keep_prob_one_equals_plain_forward():
    X, params = course_case()
    A3, cache = forward_propagation_with_dropout(X, params, keep_prob=1.0)
    plain, _ = forward_propagation(X, params)
    assert_close("A3 with keep_prob=1", A3, plain, rtol=1e-14)
    assert cache[1].all() and cache[6].all()


@pytest.mark.parametrize("keep_prob", [0.2, 0.5, 0.86])
def test_mask_statistics_and_expectation_preserved(keep_prob):
    rng = np.random.RandomState(0)
    n_x, m = 4, 4000
    X = rng.rand(n_x, m) + 0.5
    params = {"W1": np.abs(rng.randn(50, n_x)), "b1": np.zeros((50, 1)),
              "W2": np.eye(50) * 0.1, "b2": np.zeros((50, 1)),
              "W3": rng.randn(1, 50), "b3": np.zeros((1, 1))}
    _, cache = forward_propagation_with_dropout(X, params, keep_prob)
    D1, A1 = cache[1], cache[2]
    assert set(np.unique(D1)) <= {0, 1} and np.issubdtype(D1.dtype, np.integer)
    n = D1.size  # 200000 Bernoulli draws: 6 sigma is well under 1%
    sigma = np.sqrt(keep_prob * (1 - keep_prob) / n)
    assert abs(D1.mean() - keep_prob) < 6 * sigma, f"D1 mean {D1.mean()} vs {keep_prob}"
    unmasked = np.maximum(params["W1"] @ X + params["b1"], 0)
    ratio = A1.mean() / unmasked.mean()
    assert abs(ratio - 1) < 0.02, f"E[A1] ratio with/without dropout {ratio}, expected 1"


def masked_total_cost(X, Y, params, D1, D2, keep_prob):
    """Mean cross-entropy of the dropout net with the masks held fixed (the test's own code)."""
    A1 = np.maximum(params["W1"] @ X + params["b1"], 0) * D1 / keep_prob
    A2 = np.maximum(params["W2"] @ A1 + params["b2"], 0) * D2 / keep_prob
    A3 = 1 / (1 + np.exp(-(params["W3"] @ A2 + params["b3"])))
    return -np.mean(Y * np.log(A3) + (1 - Y) * np.log(1 - A3))


@pytest.mark.parametrize("keep_prob", [0.5, 0.8])
@pytest.mark.parametrize("seed", [0, 3])
def test_backward_matches_central_differences_with_fixed_masks(keep_prob, seed):
    X = np.random.RandomState(seed).randn(3, 7)
    Y = labels(7, seed)
    params = three_layer_parameters(3, 6, 4, seed)
    _, cache = forward_propagation_with_dropout(X, params, keep_prob)
    D1, D2 = cache[1], cache[6]
    grads = backward_propagation_with_dropout(X, Y, cache, keep_prob)
    assert tuple(grads) == GRADIENT_KEYS
    for name in ("W1", "b1", "W2", "b2", "W3", "b3"):
        def cost_of(value, name=name):
            return masked_total_cost(X, Y, {**params, name: value}, D1, D2, keep_prob)
        assert_close(f'd{name} vs central differences (keep_prob={keep_prob})',
                     grads["d" + name], numerical_gradient(cost_of, params[name]),
                     rtol=1e-5, atol=1e-8)


def test_dropped_units_get_zero_gradient():
    X, params = course_case()
    Y = np.array([[1, 1, 0, 1, 0]])
    _, cache = forward_propagation_with_dropout(X, params, 0.5)
    grads = backward_propagation_with_dropout(X, Y, cache, 0.5)
    D1, D2 = cache[1], cache[6]
    assert not np.any(grads["dA1"][D1 == 0]), "dA1 must be 0 where D1 == 0"
    assert not np.any(grads["dA2"][D2 == 0]), "dA2 must be 0 where D2 == 0"
    assert_close("dA2 on kept units", grads["dA2"] * D2,
                 (params["W3"].T @ grads["dZ3"]) * D2 / 0.5)


def test_inputs_are_not_modified():
    X, params = course_case()
    Y = np.array([[1, 1, 0, 1, 0]])
    before = snapshot((X, params))
    _, cache = forward_propagation_with_dropout(X, params, 0.7)
    assert_unchanged("(X, parameters)", before, (X, params))
    cache_before = snapshot(cache)
    backward_propagation_with_dropout(X, Y, cache, 0.7)
    assert_unchanged("cache", cache_before, cache)
