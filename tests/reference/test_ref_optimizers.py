"""Gradient descent, mini-batches, momentum, Nesterov and learning-rate decay."""

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
    initialize_velocity,
    random_mini_batches,
    schedule_lr_decay,
    update_lr,
    update_parameters_with_gd,
    update_parameters_with_momentum,
    update_parameters_with_nesterov,
)


def course_params_and_grads():
    """The notebook's optimiser case: seed 1, then W1, b1, W2, b2, dW1, db1, dW2, db2."""
    np.random.seed(1)
    shapes = (("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1)))
    params = {k: np.random.randn(*shape) for k, shape in shapes}
    grads = {"d" + k: np.random.randn(*shape) for k, shape in shapes}
    return params, grads


def one_matrix_problem(seed=0, steps=10):
    """One 2x3 weight and 2x1 bias with a sequence of `steps` random gradients."""
    rng = np.random.RandomState(seed)
    params = {"W1": rng.randn(2, 3), "b1": rng.randn(2, 1)}
    grads = [{"dW1": rng.randn(2, 3), "db1": rng.randn(2, 1)} for _ in range(steps)]
    return params, grads


# ------------------------------------------------------------------ gradient descent


def test_gd_published_values():
    params, grads = course_params_and_grads()
    new = update_parameters_with_gd(params, grads, 0.01)
    assert_close('parameters["W1"] (published)', new["W1"],
                 [[1.63535156, -0.62320365, -0.53718766],
                  [-1.07799357, 0.85639907, -2.29470142]], rtol=0, atol=5e-9)
    assert_close('parameters["b1"] (published)', new["b1"], [[1.74604067], [-0.75184921]],
                 rtol=0, atol=5e-9)


@given(data=st.data(), lr=st.floats(0, 1))
@PROPERTY_SETTINGS
def test_gd_is_elementwise_step_and_pure(data, lr):
    params = data.draw(parameter_dicts())
    grads = data.draw(gradients_like(params))
    before = snapshot((params, grads))
    new = update_parameters_with_gd(params, grads, lr)
    expected = {k: params[k] - lr * grads["d" + k] for k in params}
    assert_dicts_close("update_parameters_with_gd", new, expected, rtol=0, atol=0)
    assert_unchanged("(parameters, grads)", before, (params, grads))


# ------------------------------------------------------------------ mini-batches


def test_mini_batches_published_values():
    np.random.seed(1)
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    batches = random_mini_batches(X, Y, 64)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    assert_close("mini_batches[0][0][0][0:3] (published)", batches[0][0][0][0:3],
                 [0.90085595, -0.7612069, 0.2344157], rtol=0, atol=5e-9)


@given(m=st.integers(1, 200), size=st.integers(1, 70), n_x=st.integers(1, 3),
       n_y=st.integers(1, 2), seed=st.integers(0, 1000))
@PROPERTY_SETTINGS
def test_mini_batches_partition_and_pairing(m, size, n_x, n_y, seed):
    # Column j of X is j + [0, 0.25, 0.5, ...] down the rows; Y's column j encodes j too.
    X = np.arange(m)[None, :] + 0.25 * np.arange(n_x)[:, None]
    Y = -np.arange(m)[None, :] - 0.5 * np.arange(n_y)[:, None]
    before = snapshot((X, Y))
    batches = random_mini_batches(X, Y, size, seed)
    assert len(batches) == math.ceil(m / size)
    sizes = [bx.shape[1] for bx, _ in batches]
    assert sizes[:-1] == [size] * (len(batches) - 1) and sizes[-1] == (m % size or size)
    order = np.concatenate([bx[0] for bx, _ in batches])
    assert_close("shuffle order", order, np.random.RandomState(seed).permutation(m), atol=0)
    for k, (bx, by) in enumerate(batches):
        assert bx.shape[0] == n_x and by.shape[0] == n_y, f"batch {k} rows"
        assert_close(f"batch {k}: X rows stay together", bx, bx[0] + 0.25 * np.arange(n_x)[:, None])
        assert_close(f"batch {k}: Y paired with X", by, -bx[0] - 0.5 * np.arange(n_y)[:, None])
    assert_unchanged("(X, Y)", before, (X, Y))


# ------------------------------------------------------------------ momentum


def test_momentum_published_values():
    params, grads = course_params_and_grads()
    new, v = update_parameters_with_momentum(params, grads, initialize_velocity(params),
                                             beta=0.9, learning_rate=0.01)
    assert_close('parameters["W1"] (published)', new["W1"],
                 [[1.62544598, -0.61290114, -0.52907334],
                  [-1.07347112, 0.86450677, -2.30085497]], rtol=0, atol=5e-9)
    assert_close('v["dW1"] (published)', v["dW1"],
                 [[-0.11006192, 0.11447237, 0.09015907],
                  [0.05024943, 0.09008559, -0.06837279]], rtol=0, atol=5e-9)


def test_initialize_velocity_zeros():
    params, _ = course_params_and_grads()
    v = initialize_velocity(params)
    assert sorted(v) == ["dW1", "dW2", "db1", "db2"]
    for k in v:
        assert_close(f'v["{k}"]', v[k], np.zeros_like(params[k[1:]]), atol=0)


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_momentum_ten_steps_match_geometric_sums(beta):
    lr, T = 0.05, 10
    params0, grads = one_matrix_problem()
    params, v = params0, initialize_velocity(params0)
    for t in range(1, T + 1):
        params, v = update_parameters_with_momentum(params, grads[t - 1], v, beta, lr)
        for key in ("dW1", "db1"):
            # v_t = (1 - beta) * sum_k beta^(t-k) g_k
            v_sum = sum((1 - beta) * beta ** (t - k) * grads[k - 1][key] for k in range(1, t + 1))
            assert_close(f'v["{key}"] at t={t}', v[key], v_sum, rtol=1e-12, atol=1e-15)
    for name in ("W1", "b1"):
        # theta_T = theta_0 - lr * sum_k g_k * (1 - beta^(T-k+1))
        total = sum(grads[k - 1]["d" + name] * (1 - beta ** (T - k + 1)) for k in range(1, T + 1))
        assert_close(f'{name} after {T} steps', params[name], params0[name] - lr * total,
                     rtol=1e-12, atol=1e-14)


def heavy_ball_quadratic(A, theta0, eps, mu, steps):
    """Polyak's heavy ball on f = 0.5 theta^T A theta: th+ = th - eps g + mu (th - th_prev)."""
    prev, cur, path = theta0, theta0, []
    for _ in range(steps):
        prev, cur = cur, cur - eps * (A @ cur) + mu * (cur - prev)
        path.append(cur)
    return path


def sutskever_nesterov_quadratic(A, theta0, eps, mu, steps):
    """Look-ahead NAG: u+ = mu u - eps grad(th + mu u); th+ = th + u+. Returns th + mu u."""
    theta, u, path = theta0, np.zeros_like(theta0), []
    for _ in range(steps):
        u = mu * u - eps * (A @ (theta + mu * u))
        theta = theta + u
        path.append(theta + mu * u)
    return path


@pytest.mark.parametrize(("update", "oracle"), [
    (update_parameters_with_momentum, heavy_ball_quadratic),
    (update_parameters_with_nesterov, sutskever_nesterov_quadratic),
], ids=["momentum-vs-heavy-ball", "nesterov-vs-lookahead"])
def test_momentum_variants_match_textbook_recurrences(update, oracle):
    rng = np.random.RandomState(4)
    M = rng.randn(3, 3)
    A = M @ M.T + np.eye(3)
    beta, lr, T = 0.8, 0.1, 10
    theta0 = rng.randn(3, 1)
    expected = oracle(A, theta0, lr * (1 - beta), beta, T)
    params = {"W1": theta0, "b1": np.zeros((1, 1))}
    v = initialize_velocity(params)
    for t in range(T):
        grads = {"dW1": A @ params["W1"], "db1": np.zeros((1, 1))}
        params, v = update(params, grads, v, beta, lr)
        assert_close(f"theta at step {t + 1}", params["W1"], expected[t], rtol=1e-10, atol=1e-13)


def test_nesterov_one_step_by_hand():
    params, grads = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}, {
        "dW1": np.array([[0.2, 0.4]]), "db1": np.array([[-1.0]])}
    v0 = {"dW1": np.array([[1.0, 0.0]]), "db1": np.array([[0.0]])}
    new, v = update_parameters_with_nesterov(params, grads, v0, beta=0.5, learning_rate=0.1)
    # v = 0.5 v0 + 0.5 g = [0.6, 0.2]; step = 0.5 v + 0.5 g = [0.4, 0.3]
    assert_close('v["dW1"]', v["dW1"], [[0.6, 0.2]])
    assert_close('parameters["W1"]', new["W1"], [[0.96, -2.03]])
    assert_close('parameters["b1"]', new["b1"], [[0.5 + 0.1 * 0.75]])


# ------------------------------------------------------------------ learning-rate decay


def test_lr_decay_published_and_by_hand():
    assert_close("update_lr(0.5, 2, 1)", update_lr(0.5, 2, 1), 0.5 / 3)
    assert_close("schedule_lr_decay(0.5, 100, 1, 100)", schedule_lr_decay(0.5, 100, 1, 100),
                 0.25)
    assert schedule_lr_decay(0.5, 99, 1, 100) == 0.5
    assert_close("schedule_lr_decay(0.1, 2500, 0.3)", schedule_lr_decay(0.1, 2500, 0.3),
                 0.1 / 1.6)


@given(lr0=st.floats(1e-4, 1), epoch=st.integers(0, 10_000), decay=st.floats(0, 5),
       interval=st.integers(1, 2000))
@PROPERTY_SETTINGS
def test_scheduled_decay_is_update_lr_of_interval_count(lr0, epoch, decay, interval):
    assert_close("schedule_lr_decay", schedule_lr_decay(lr0, epoch, decay, interval),
                 update_lr(lr0, epoch // interval, decay), rtol=1e-15)
    assert update_lr(lr0, epoch + 1, decay) <= update_lr(lr0, epoch, decay)
    assert update_lr(lr0, epoch, 0.0) == lr0
