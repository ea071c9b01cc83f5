"""CS231n assignment 2 references: the notebook's published numbers, hand-written multi-step
trajectories, numerical gradients, a second formulation of each norm, and dropout statistics."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
from reference_testkit import assert_close, numerical_gradient

from dnn_autograder.reference.cs231n_layers import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    dropout_backward,
    dropout_forward,
    dropout_forward_p_drops,
    layernorm_backward,
    layernorm_forward,
)
from dnn_autograder.reference.cs231n_optim import adam, adam_folded_step_size, rmsprop, sgd_momentum

N, D = 4, 5


def _course_arrays():
    """The inputs of FullyConnectedNets.ipynb's update-rule checks."""
    w = np.linspace(-0.4, 0.6, num=N * D).reshape(N, D)
    dw = np.linspace(-0.6, 0.4, num=N * D).reshape(N, D)
    a = np.linspace(0.6, 0.9, num=N * D).reshape(N, D)
    return w, dw, a


# ---- published numbers (printed in the course's FullyConnectedNets notebook) ----

def test_sgd_momentum_published():
    w, dw, v = _course_arrays()
    next_w, config = sgd_momentum(w, dw, {"learning_rate": 1e-3, "velocity": v})
    assert_close("next_w", next_w, [
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]], rtol=1e-7, atol=1e-8)
    assert_close("velocity", config["velocity"], [
        [0.5406, 0.55475789, 0.56891579, 0.58307368, 0.59723158],
        [0.61138947, 0.62554737, 0.63970526, 0.65386316, 0.66802105],
        [0.68217895, 0.69633684, 0.71049474, 0.72465263, 0.73881053],
        [0.75296842, 0.76712632, 0.78128421, 0.79544211, 0.8096]], rtol=1e-7, atol=1e-8)


def test_rmsprop_published():
    w, dw, cache = _course_arrays()
    next_w, config = rmsprop(w, dw, {"learning_rate": 1e-2, "cache": cache})
    assert_close("next_w", next_w, [
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]], rtol=1e-7, atol=1e-8)
    assert_close("cache", config["cache"], [
        [0.5976, 0.6126277, 0.6277108, 0.64284931, 0.65804321],
        [0.67329252, 0.68859723, 0.70395734, 0.71937285, 0.73484377],
        [0.75037008, 0.7659518, 0.78158892, 0.79728144, 0.81302936],
        [0.82883269, 0.84469141, 0.86060554, 0.87657507, 0.8926]], rtol=1e-7, atol=1e-8)


def test_adam_published_t_incremented_before_use():
    w, dw, m = _course_arrays()
    v = np.linspace(0.7, 0.5, num=N * D).reshape(N, D)
    next_w, config = adam(w, dw, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    assert_close("next_w", next_w, [
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]], rtol=1e-7, atol=1e-8)
    assert_close("v", config["v"], [
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]], rtol=1e-7, atol=1e-8)
    assert_close("m", config["m"], [
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]], rtol=1e-7, atol=1e-8)
    assert config["t"] == 6


# ---- multi-step trajectories, element by element with Python floats ----

def _scalar_adam(w, grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w -= lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
    return w


def test_adam_four_steps_from_none_matches_scalar_loop():
    rng = np.random.default_rng(3)
    w0 = rng.normal(size=(2, 3))
    grads = [rng.normal(size=(2, 3)) for _ in range(4)]
    w, config = w0, None
    for g in grads:
        w, config = adam(w, g, config)
    assert config["t"] == 4
    expected = np.zeros((2, 3))
    for index in np.ndindex(2, 3):
        expected[index] = _scalar_adam(float(w0[index]), [float(g[index]) for g in grads])
    assert_close("w after 4 Adam steps", w, expected, rtol=1e-10)


def test_adam_folded_step_size_is_adam_with_epsilon_hat():
    """The paper's efficient form equals Algorithm 1 exactly when epsilon is 0, and with epsilon it is
    Algorithm 1 with epsilon / sqrt(1 - beta2**t) (its epsilon is the paper's epsilon hat)."""
    rng = np.random.default_rng(5)
    w, config_a, config_b = rng.normal(size=4), {"epsilon": 0.0}, {"epsilon": 0.0}
    for _ in range(3):
        dw = rng.normal(size=4)
        a, config_a = adam(w, dw, config_a)
        b, config_b = adam_folded_step_size(w, dw, config_b)
        assert_close("eps = 0", b, a, rtol=1e-12)
        w = a
    w, dw = np.array([0.5, -1.0]), np.array([1e-3, 2.0])
    folded, _ = adam_folded_step_size(w, dw, {"epsilon": 1e-2, "learning_rate": 0.1})
    hat, _ = adam(w, dw, {"epsilon": 1e-2 / math.sqrt(1 - 0.999), "learning_rate": 0.1})
    assert_close("epsilon hat", folded, hat, rtol=1e-12)


def test_adam_first_step_is_lr_times_sign():
    """Bias correction makes step 1 ``lr * g / (|g| + eps)`` whatever the betas."""
    w = np.array([1.0, -2.0, 3.0])
    g = np.array([0.5, -4.0, 1e-3])
    next_w, _ = adam(w, g, {"learning_rate": 0.1, "beta1": 0.5, "beta2": 0.7})
    assert_close("step 1", next_w, w - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)


def test_momentum_and_rmsprop_three_steps_match_scalar_loops():
    rng = np.random.default_rng(4)
    w0 = rng.normal(size=5)
    grads = [rng.normal(size=5) for _ in range(3)]
    w_m, c_m = w0, {"learning_rate": 0.05, "momentum": 0.8}
    w_r, c_r = w0, {"learning_rate": 0.05}
    for g in grads:
        w_m, c_m = sgd_momentum(w_m, g, c_m)
        w_r, c_r = rmsprop(w_r, g, c_r)
    for i in range(5):
        vel = 0.0
        cache = 0.0
        wm = wr = float(w0[i])
        for g in grads:
            vel = 0.8 * vel - 0.05 * float(g[i])
            wm += vel
            cache = 0.99 * cache + 0.01 * float(g[i]) ** 2
            wr -= 0.05 * float(g[i]) / (math.sqrt(cache) + 1e-8)
        assert math.isclose(w_m[i], wm, rel_tol=1e-12), ("momentum", i)
        assert math.isclose(w_r[i], wr, rel_tol=1e-12), ("rmsprop", i)


@pytest.mark.parametrize("rule", [sgd_momentum, rmsprop, adam], ids=lambda f: f.__name__)
def test_update_rules_do_not_modify_their_inputs(rule):
    w, dw, a = _course_arrays()
    config = {"learning_rate": 1e-2}
    before = copy.deepcopy((w, dw, config))
    rule(w, dw, config)
    assert np.array_equal(before[0], w) and np.array_equal(before[1], dw) and before[2] == config


@pytest.mark.parametrize("rule, keys", [
    (sgd_momentum, {"learning_rate": 1e-2, "momentum": 0.9}),
    (rmsprop, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8}),
    (adam, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "t": 1}),
], ids=["sgd_momentum", "rmsprop", "adam"])
def test_defaults_are_the_templates(rule, keys):
    _, config = rule(np.zeros(3), np.ones(3), None)
    for key, value in keys.items():
        assert config[key] == value, key


# ---- batch norm and layer norm ----

def _bn_inputs(seed=0, n=6, d=3):
    rng = np.random.default_rng(seed)
    x = rng.normal(2.0, 3.0, size=(n, d))
    return x, rng.normal(size=d), rng.normal(size=d), rng.normal(size=(n, d))


def test_batchnorm_train_output_statistics_and_running_averages():
    x, gamma, beta, _ = _bn_inputs()
    bn_param = {"mode": "train"}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    assert_close("column means = beta", out.mean(axis=0), beta, atol=1e-12)
    assert_close("column stds = |gamma|", out.std(axis=0), np.abs(gamma) * np.sqrt(x.var(0) / (x.var(0) + 1e-5)),
                 rtol=1e-10)
    assert_close("running_mean (from zeros, momentum 0.9)", bn_param["running_mean"], 0.1 * x.mean(axis=0))
    biased = ((x - x.mean(0)) ** 2).sum(0) / len(x)
    assert_close("running_var is the biased variance", bn_param["running_var"], 0.1 * biased)


def test_batchnorm_test_mode_uses_running_stats_with_gamma_and_beta():
    x, gamma, beta, _ = _bn_inputs(1)
    rm, rv = np.array([0.5, -1.0, 2.0]), np.array([4.0, 0.25, 1.0])
    bn_param = {"mode": "test", "running_mean": rm, "running_var": rv, "eps": 0.0}
    out, _ = batchnorm_forward(x, gamma, beta, bn_param)
    for i, j in np.ndindex(x.shape):
        assert math.isclose(out[i, j], gamma[j] * (x[i, j] - rm[j]) / math.sqrt(rv[j]) + beta[j], rel_tol=1e-12)
    assert bn_param["running_mean"] is rm and bn_param["running_var"] is rv


@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt], ids=lambda f: f.__name__)
def test_batchnorm_backward_matches_numerical_gradients(backward):
    x, gamma, beta, dout = _bn_inputs(2)

    def loss(x=x, gamma=gamma, beta=beta):
        return float((batchnorm_forward(x, gamma, beta, {"mode": "train"})[0] * dout).sum())

    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx, dgamma, dbeta = backward(dout, cache)
    assert dgamma.shape == (3,) and dbeta.shape == (3,)
    assert_close("dx", dx, numerical_gradient(lambda v: loss(x=v), x), rtol=1e-5, atol=1e-8)
    assert_close("dgamma", dgamma, numerical_gradient(lambda v: loss(gamma=v), gamma), rtol=1e-5, atol=1e-8)
    assert_close("dbeta", dbeta, numerical_gradient(lambda v: loss(beta=v), beta), rtol=1e-5, atol=1e-8)


def test_batchnorm_backward_forms_agree():
    x, gamma, beta, dout = _bn_inputs(5, n=9, d=4)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    for a, b, name in zip(batchnorm_backward(dout, cache), batchnorm_backward_alt(dout, cache),
                          ("dx", "dgamma", "dbeta"), strict=True):
        assert_close(name, a, b, rtol=1e-10, atol=1e-12)


def test_layernorm_is_batchnorm_of_the_transpose():
    x, gamma, beta, _ = _bn_inputs(3)
    out, _ = layernorm_forward(x, gamma, beta, {})
    bn, _ = batchnorm_forward(x.T, np.ones(len(x)), np.zeros(len(x)), {"mode": "train"})
    assert_close("layernorm vs batchnorm(x.T).T", out, gamma * bn.T + beta, rtol=1e-12)


def test_layernorm_backward_matches_numerical_gradients():
    x, gamma, beta, dout = _bn_inputs(4)

    def loss(x=x, gamma=gamma, beta=beta):
        return float((layernorm_forward(x, gamma, beta, {"eps": 1e-5})[0] * dout).sum())

    dx, dgamma, dbeta = layernorm_backward(dout, layernorm_forward(x, gamma, beta, {"eps": 1e-5})[1])
    assert_close("dx", dx, numerical_gradient(lambda v: loss(x=v), x), rtol=1e-5, atol=1e-8)
    assert_close("dgamma", dgamma, numerical_gradient(lambda v: loss(gamma=v), gamma), rtol=1e-5, atol=1e-8)
    assert_close("dbeta", dbeta, numerical_gradient(lambda v: loss(beta=v), beta), rtol=1e-5, atol=1e-8)


# ---- dropout ----

def test_dropout_keep_probability_scaling_and_mask_reuse():
    x = np.ones((500, 400)) + 1.0
    out, cache = dropout_forward(x, {"mode": "train", "p": 0.3, "seed": 7})
    kept = out != 0
    assert abs(kept.mean() - 0.3) < 0.01  # 200k draws: sd 0.001
    assert_close("kept units scaled by 1/p", out[kept], np.full(kept.sum(), 2.0 / 0.3))
    dout = np.arange(x.size, dtype=float).reshape(x.shape)
    assert_close("dx = dout * mask", dropout_backward(dout, cache), np.where(kept, dout / 0.3, 0.0))


def test_dropout_p_drops_is_keep_of_one_minus_p_with_the_same_draw():
    x = np.random.default_rng(0).normal(size=(7, 3, 2))
    a, _ = dropout_forward(x, {"mode": "train", "p": 0.25, "seed": 3})
    b, _ = dropout_forward_p_drops(x, {"mode": "train", "p": 0.75, "seed": 3})
    assert_close("same output", a, b, rtol=0, atol=0)


@pytest.mark.parametrize("forward", [dropout_forward, dropout_forward_p_drops], ids=lambda f: f.__name__)
def test_dropout_test_mode_is_the_identity(forward):
    x = np.random.default_rng(1).normal(size=(3, 4)).astype(np.float32)
    out, cache = forward(x, {"mode": "test", "p": 0.5})
    assert out.dtype == np.float32 and np.array_equal(out, x)
    assert np.array_equal(dropout_backward(x * 2, cache), x * 2)
