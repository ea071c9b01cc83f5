"""Adam, RMSProp and AdaGrad against closed forms and explicit sums."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_testkit import (
    PROPERTY_SETTINGS,
    assert_close,
    assert_dicts_close,
    assert_unchanged,
    gradients_like,
    parameter_dicts,
    snapshot,
)

from dnn_autograder.reference import (
    initialize_adagrad,
    initialize_adam,
    initialize_rmsprop,
    update_parameters_with_adagrad,
    update_parameters_with_adam,
    update_parameters_with_nesterov,
    update_parameters_with_rmsprop,
)
from dnn_autograder.reference.optimizers import update_parameters_with_momentum


def course_params_and_grads():
    np.random.seed(1)
    shapes = (("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1)))
    params = {k: np.random.randn(*shape) for k, shape in shapes}
    grads = {"d" + k: np.random.randn(*shape) for k, shape in shapes}
    return params, grads


def gradient_sequence(seed=0, steps=10):
    rng = np.random.RandomState(seed)
    params = {"W1": rng.randn(2, 3), "b1": rng.randn(2, 1)}
    return params, [{"dW1": rng.randn(2, 3), "db1": rng.randn(2, 1)} for _ in range(steps)]


# ------------------------------------------------------------------ Adam


def test_adam_published_values():
    params, grads = course_params_and_grads()
    v, s = initialize_adam(params)
    new, v, s, v_c, s_c = update_parameters_with_adam(params, grads, v, s, t=2)
    assert_close('parameters["W1"] (published, t=2)', new["W1"],
                 [[1.63178673, -0.61919778, -0.53561312],
                  [-1.08040999, 0.85796626, -2.29409733]], rtol=0, atol=5e-9)
    assert_close('v["dW1"] (published)', v["dW1"],
                 [[-0.11006192, 0.11447237, 0.09015907],
                  [0.05024943, 0.09008559, -0.06837279]], rtol=0, atol=5e-9)
    assert_close('v_corrected["dW1"] (t=2)', v_c["dW1"], v["dW1"] / (1 - 0.9 ** 2))
    assert_close('s_corrected["dW1"] (t=2)', s_c["dW1"], s["dW1"] / (1 - 0.999 ** 2))


def test_adam_bias_correction_at_t1_recovers_g_and_g_squared():
    params, grads = course_params_and_grads()
    v, s = initialize_adam(params)
    new, v, s, v_c, s_c = update_parameters_with_adam(params, grads, v, s, t=1,
                                                      learning_rate=0.02)
    for name in params:
        g = grads["d" + name]
        assert_close(f'v_corrected["d{name}"] at t=1', v_c["d" + name], g, rtol=1e-13)
        assert_close(f's_corrected["d{name}"] at t=1', s_c["d" + name], g * g, rtol=1e-12)
        assert_close(f'v["d{name}"] at t=1', v["d" + name], 0.1 * g, rtol=1e-13)
        assert_close(f's["d{name}"] at t=1', s["d" + name], 0.001 * g * g, rtol=1e-12)
        # first step has magnitude lr * |g| / (|g| + eps), i.e. ~lr in every coordinate
        assert_close(f"{name} at t=1", new[name], params[name] - 0.02 * g / (np.abs(g) + 1e-8),
                     rtol=1e-12)


@pytest.mark.parametrize("g_value", [3.0, -0.25, 1e-3])
def test_adam_constant_gradient_closed_form_over_ten_steps(g_value):
    lr, eps = 0.01, 1e-8
    params = {"W1": np.array([[0.3, -1.2]]), "b1": np.array([[2.0]])}
    grads = {"dW1": np.full((1, 2), g_value), "db1": np.full((1, 1), -g_value)}
    v, s = initialize_adam(params)
    current = params
    for t in range(1, 11):
        current, v, s, v_c, s_c = update_parameters_with_adam(current, grads, v, s, t, lr,
                                                              epsilon=eps)
        assert_close(f'v_corrected["dW1"] at t={t}', v_c["dW1"], grads["dW1"], rtol=1e-12)
        assert_close(f's_corrected["dW1"] at t={t}', s_c["dW1"], grads["dW1"] ** 2, rtol=1e-11)
    for name in params:
        g = grads["d" + name]
        expected = params[name] - 10 * lr * g / (np.abs(g) + eps)
        assert_close(f"{name} after 10 constant-gradient steps", current[name], expected,
                     rtol=1e-12, atol=1e-14)


def adam_by_sums(g_list, t, b1, b2):
    """Bias-corrected moments at step t as explicit weighted sums (no recursion)."""
    w1 = [(1 - b1) * b1 ** (t - k) for k in range(1, t + 1)]
    w2 = [(1 - b2) * b2 ** (t - k) for k in range(1, t + 1)]
    m = sum(w * g for w, g in zip(w1, g_list[:t], strict=True)) / (1 - b1 ** t)
    s = sum(w * g * g for w, g in zip(w2, g_list[:t], strict=True)) / (1 - b2 ** t)
    return m, s


@pytest.mark.parametrize(("beta1", "beta2"), [(0.9, 0.999), (0.5, 0.9), (0.0, 0.0)])
def test_adam_ten_varying_steps_match_weighted_sums(beta1, beta2):
    lr, eps = 0.05, 1e-8
    params0, grads = gradient_sequence(seed=2)
    current = params0
    v, s = initialize_adam(params0)
    expected_theta = {k: params0[k].copy() for k in params0}
    for t in range(1, 11):
        current, v, s, v_c, s_c = update_parameters_with_adam(current, grads[t - 1], v, s, t,
                                                              lr, beta1, beta2, eps)
        for name in params0:
            g_list = [g["d" + name] for g in grads]
            m_hat, s_hat = adam_by_sums(g_list, t, beta1, beta2)
            assert_close(f'v_corrected["d{name}"] at t={t}', v_c["d" + name], m_hat, rtol=1e-10)
            assert_close(f's_corrected["d{name}"] at t={t}', s_c["d" + name], s_hat, rtol=1e-10)
            expected_theta[name] = expected_theta[name] - lr * m_hat / (np.sqrt(s_hat) + eps)
    assert_dicts_close("parameters after 10 Adam steps", current, expected_theta, rtol=1e-10)


def test_adam_epsilon_is_outside_the_square_root():
    params = {"W1": np.zeros((1, 1)), "b1": np.zeros((1, 1))}
    grads = {"dW1": np.array([[1e-4]]), "db1": np.array([[0.0]])}
    v, s = initialize_adam(params)
    new, *_ = update_parameters_with_adam(params, grads, v, s, 1, learning_rate=1.0,
                                          epsilon=1e-4)
    # outside: 1e-4 / (1e-4 + 1e-4) = 0.5; inside would be 1e-4 / sqrt(1e-8 + 1e-4) ~ 0.01
    assert_close('parameters["W1"]', new["W1"], [[-0.5]], rtol=1e-12)
    assert_close('parameters["b1"] (zero gradient)', new["b1"], [[0.0]], atol=0)


# ------------------------------------------------------------------ RMSProp and AdaGrad


@pytest.mark.parametrize("beta", [0.9, 0.99])
def test_rmsprop_ten_steps_match_explicit_sums(beta):
    lr, eps = 0.01, 1e-8
    params0, grads = gradient_sequence(seed=3)
    current, s = params0, initialize_rmsprop(params0)
    total = {k: np.zeros_like(v) for k, v in params0.items()}
    for t in range(1, 11):
        current, s = update_parameters_with_rmsprop(current, grads[t - 1], s, beta, lr, eps)
        for name in params0:
            g_list = [g["d" + name] for g in grads]
            s_sum = sum((1 - beta) * beta ** (t - k) * g_list[k - 1] ** 2 for k in range(1, t + 1))
            assert_close(f's["d{name}"] at t={t}', s["d" + name], s_sum, rtol=1e-12)
            total[name] = total[name] + g_list[t - 1] / (np.sqrt(s_sum) + eps)
    for name in params0:
        assert_close(f"{name} after 10 RMSProp steps", current[name],
                     params0[name] - lr * total[name], rtol=1e-11)


def test_adagrad_constant_gradient_closed_form():
    lr, eps, g = 0.1, 1e-8, 0.7
    params = {"W1": np.array([[1.0]]), "b1": np.array([[0.0]])}
    grads = {"dW1": np.array([[g]]), "db1": np.array([[-2 * g]])}
    current, cache = params, initialize_adagrad(params)
    for _ in range(10):
        current, cache = update_parameters_with_adagrad(current, grads, cache, lr, eps)
    # cache_t = t g^2, so step t moves by lr * g / (|g| sqrt(t) + eps)
    expected_w = 1.0 - sum(lr * g / (g * math.sqrt(t) + eps) for t in range(1, 11))
    expected_b = 0.0 + sum(lr * 2 * g / (2 * g * math.sqrt(t) + eps) for t in range(1, 11))
    assert_close('cache["dW1"]', cache["dW1"], [[10 * g * g]], rtol=1e-13)
    assert_close('parameters["W1"]', current["W1"], [[expected_w]], rtol=1e-12)
    assert_close('parameters["b1"]', current["b1"], [[expected_b]], rtol=1e-12)


def test_state_initialisers_are_zero_and_shaped():
    params, _ = course_params_and_grads()
    v, s = initialize_adam(params)
    for label, state in (("v", v), ("s", s), ("rmsprop s", initialize_rmsprop(params)),
                         ("adagrad cache", initialize_adagrad(params))):
        assert sorted(state) == ["dW1", "dW2", "db1", "db2"], label
        for k in state:
            assert_close(f'{label}["{k}"]', state[k], np.zeros_like(params[k[1:]]), atol=0)
    assert v["dW1"] is not s["dW1"], "v and s must not share arrays"


# ------------------------------------------------------------------ purity of every rule

RULES = {
    "adam": lambda p, g, st_: update_parameters_with_adam(p, g, st_, st_, 3),
    "rmsprop": lambda p, g, st_: update_parameters_with_rmsprop(p, g, st_),
    "adagrad": lambda p, g, st_: update_parameters_with_adagrad(p, g, st_),
    "momentum": lambda p, g, st_: update_parameters_with_momentum(p, g, st_, 0.9, 0.01),
    "nesterov": lambda p, g, st_: update_parameters_with_nesterov(p, g, st_, 0.9, 0.01),
}


@pytest.mark.parametrize("rule", sorted(RULES))
@given(data=st.data())
@PROPERTY_SETTINGS
def test_rules_do_not_modify_inputs(rule, data):
    params = data.draw(parameter_dicts(max_layers=2))
    grads = data.draw(gradients_like(params))
    state = data.draw(gradients_like(params, max_value=1.0))
    state = {k: np.abs(v) for k, v in state.items()}  # valid for s and cache too
    before = snapshot((params, grads, state))
    out = RULES[rule](params, grads, state)
    assert_unchanged("(parameters, grads, state)", before, (params, grads, state))
    assert all(np.all(np.isfinite(a)) for d in out for a in d.values())
