"""The *Deep Learning from Scratch* chapter 6 answer key against independent oracles: closed-form
trajectories for constant gradients, Nesterov as an explicit look-ahead, central differences for
every backward pass, and the sampling distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from reference_testkit import assert_close, numerical_gradient

from dnn_autograder.reference import dlfs_layers as L
from dnn_autograder.reference import dlfs_optimizers as O
from dnn_autograder.reference import dlfs_training as T


def _params():
    return {"W1": np.array([[0.5, -1.0], [2.0, 0.25]]), "b1": np.array([0.1, -0.3])}


def _grads():
    return {"W1": np.array([[0.2, -0.4], [1.5, -0.01]]), "b1": np.array([0.03, -2.0])}


def _run(optimizer, steps):
    params, grads = _params(), _grads()
    originals = {key: value for key, value in params.items()}
    for _ in range(steps):
        optimizer.update(params, {k: v.copy() for k, v in grads.items()})
    for key, value in params.items():  # in place: the very arrays the caller holds
        assert value is originals[key]
    return params


@pytest.mark.parametrize("steps", [1, 2, 4])
def test_sgd_momentum_closed_forms(steps):
    lr, mu, p0, g = 0.1, 0.8, _params(), _grads()
    sgd = _run(O.SGD(lr=lr), steps)
    momentum = _run(O.Momentum(lr=lr, momentum=mu), steps)
    factor = sum((1 - mu**j) / (1 - mu) for j in range(1, steps + 1))
    for key in p0:
        assert_close(f"SGD {key}", sgd[key], p0[key] - steps * lr * g[key])
        assert_close(f"Momentum {key}", momentum[key], p0[key] - lr * factor * g[key])


@pytest.mark.parametrize("steps", [1, 3])
def test_adagrad_rmsprop_adam_closed_forms(steps):
    lr, rho, b1, b2, p0, g = 0.05, 0.9, 0.8, 0.95, _params(), _grads()
    adagrad = _run(O.AdaGrad(lr=lr), steps)
    rmsprop = _run(O.RMSprop(lr=lr, decay_rate=rho), steps)
    adam = _run(O.Adam(lr=lr, beta1=b1, beta2=b2), steps)
    for key in p0:
        a, expected_ada, expected_rms, expected_adam = np.abs(g[key]), p0[key].copy(), p0[key].copy(), p0[key].copy()
        for k in range(1, steps + 1):
            expected_ada -= lr * g[key] / (math.sqrt(k) * a + 1e-7)
            expected_rms -= lr * g[key] / (math.sqrt(1 - rho**k) * a + 1e-7)
            # m = (1 - b1^k) g and v = (1 - b2^k) g^2: the bias-corrected step is lr * g / (|g| + eps')
            expected_adam -= lr * g[key] / (a + 1e-7 / math.sqrt(1 - b2**k))
        assert_close(f"AdaGrad {key}", adagrad[key], expected_ada)
        assert_close(f"RMSprop {key}", rmsprop[key], expected_rms)
        assert_close(f"Adam {key}", adam[key], expected_adam)


def test_nesterov_is_an_explicit_look_ahead():
    """Bengio's form tracks Theta = p + mu v of the look-ahead NAG
    v' = mu v - lr grad(p + mu v), p' = p + v' on f(x) = a x^2 / 2 (gradient a x)."""
    a, lr, mu = np.array([3.0, -0.5, 1.0]), 0.1, 0.9
    p, v = np.array([1.0, 2.0, -1.0]), np.zeros(3)
    opt, theta = O.Nesterov(lr=lr, momentum=mu), {"x": np.array([1.0, 2.0, -1.0])}
    for step in range(5):
        opt.update(theta, {"x": a * theta["x"]})
        v = mu * v - lr * a * (p + mu * v)
        p = p + v
        assert_close(f"step {step + 1}", theta["x"], p + mu * v)


def test_the_book_nesterov_form_differs_from_the_first_step():
    param, g = np.array([1.0]), np.array([2.0])
    book, _ = O.nesterov_book_step(param, np.zeros(1), g, 0.1, 0.9)
    assert_close("book first step", book, param - (1 + 0.9 + 0.81) * 0.1 * g)
    ref = {"x": param.copy()}
    O.Nesterov(lr=0.1, momentum=0.9).update(ref, {"x": g})
    assert_close("Bengio first step", ref["x"], param - 1.9 * 0.1 * g)


def test_state_is_lazy_and_one_array_per_key():
    for cls, attrs in ((O.Momentum, ("v",)), (O.Nesterov, ("v",)), (O.AdaGrad, ("h",)),
                       (O.RMSprop, ("h",)), (O.Adam, ("m", "v"))):
        opt = cls()
        assert all(getattr(opt, attr) is None for attr in attrs), cls.__name__
        params = {"a": np.ones(2), "b": np.ones(2)}
        opt.update(params, {"a": np.array([1.0, 1.0]), "b": np.array([-3.0, 0.5])})
        for attr in attrs:
            state = getattr(opt, attr)
            assert state["a"] is not state["b"]
            assert not np.allclose(state["a"], state["b"]), (cls.__name__, attr)


def test_defaults_are_the_books():
    assert O.SGD().lr == 0.01 and O.Momentum().momentum == 0.9 and O.Nesterov().lr == 0.01
    assert O.AdaGrad().lr == 0.01 and O.RMSprop().decay_rate == 0.99
    adam = O.Adam()
    assert (adam.lr, adam.beta1, adam.beta2, adam.iter) == (0.001, 0.9, 0.999, 0)


def _check_backward(layer, x, dout, forward):
    """dx of ``layer.backward(dout)`` (after ``layer.forward(x)``) vs central differences of
    sum(forward(x) * dout), ``forward`` running a fresh layer."""
    layer_out = layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    numeric = numerical_gradient(lambda z: float(np.sum(forward(z) * dout)), x)
    assert_close("dx", dx, numeric, rtol=1e-5, atol=1e-7)
    return layer_out


X = np.array([[0.3, -1.2, 2.0], [-0.7, 0.4, 1.1]])
DOUT2 = np.array([[1.0, -2.0], [0.5, 3.0]])


def test_relu_and_sigmoid_backward_are_numerical_gradients():
    dout = np.array([[0.5, 1.0, -1.0], [2.0, -0.3, 0.7]])
    relu = L.Relu()
    _check_backward(relu, X, dout, lambda z: L.Relu().forward(z))
    assert_close("relu", relu.forward(X), np.maximum(X, 0))
    sigmoid = L.Sigmoid()
    out = _check_backward(sigmoid, X, dout, lambda z: L.Sigmoid().forward(z))
    assert_close("sigmoid", out, 1 / (1 + np.exp(-X)))


def test_affine_gradients_and_reshape():
    W, b = np.array([[1.0, -0.5], [0.2, 0.3], [-1.0, 2.0]]), np.array([0.1, -0.2])
    layer = L.Affine(W, b)
    out = _check_backward(layer, X, DOUT2, lambda z: L.Affine(W, b).forward(z))
    assert_close("out", out, np.array([[sum(X[i, k] * W[k, j] for k in range(3)) + b[j] for j in range(2)]
                                       for i in range(2)]))
    assert_close("dW", layer.dW, numerical_gradient(lambda w: float(np.sum(L.Affine(w, b).forward(X) * DOUT2)), W))
    assert_close("db", layer.db, DOUT2.sum(axis=0))
    image = np.arange(12, dtype=float).reshape(2, 1, 2, 3) / 10
    W6 = np.arange(12, dtype=float).reshape(6, 2) / 7
    four_d = L.Affine(W6, b)
    four_d.forward(image)
    assert four_d.backward(DOUT2).shape == (2, 1, 2, 3)


@pytest.mark.parametrize("t", [np.array([2, 0]), np.array([[0, 0, 1], [1, 0, 0]])])
def test_softmax_with_loss(t):
    layer = L.SoftmaxWithLoss()
    loss = layer.forward(X, t)
    labels = [2, 0]
    expected = -np.mean([X[i, labels[i]] - math.log(sum(math.exp(v) for v in X[i])) for i in range(2)])
    assert loss == pytest.approx(expected, abs=1e-6)
    numeric = numerical_gradient(lambda z: L.SoftmaxWithLoss().forward(z, t), X)
    assert_close("dx", layer.backward(), numeric, rtol=1e-5, atol=1e-7)


def test_dropout_is_not_inverted():
    layer = L.Dropout(0.3)
    x = np.ones((200, 50))
    np.random.seed(0)
    out = layer.forward(x, train_flg=True)
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert abs(out.mean() - 0.7) < 0.02
    assert_close("test", layer.forward(X, train_flg=False), X * 0.7)
    assert_close("backward", layer.backward(2 * x), 2 * out)


def test_batchnorm_forward_backward_and_running_stats():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5], [-0.5, 1.0, 2.5], [0.2, 4.0, 1.0]])
    gamma, beta = np.array([1.5, -0.5, 2.0]), np.array([0.1, 0.2, -0.3])
    dout = np.array([[1.0, 0.5, -1.0], [0.2, -2.0, 0.3], [-0.7, 1.0, 0.9], [0.4, 0.1, -0.2]])
    layer = L.BatchNormalization(gamma, beta, momentum=0.8)
    out = layer.forward(x, train_flg=True)
    mean, var = x.mean(axis=0), x.var(axis=0)
    assert_close("out", out, gamma * (x - mean) / np.sqrt(var + 1e-6) + beta)
    assert_close("running_mean", layer.running_mean, 0.2 * mean)
    assert_close("running_var", layer.running_var, 0.2 * var)
    dx = layer.backward(dout)

    def loss(z, g=gamma, b=beta):
        return float(np.sum(L.BatchNormalization(g, b).forward(z, True) * dout))

    assert_close("dx", dx, numerical_gradient(loss, x), rtol=1e-5, atol=1e-7)
    assert_close("dgamma", layer.dgamma, numerical_gradient(lambda g: loss(x, g=g), gamma), rtol=1e-5, atol=1e-7)
    assert_close("dbeta", layer.dbeta, dout.sum(axis=0))
    before = layer.running_mean.copy()
    test_out = layer.forward(x, train_flg=False)
    assert_close("test mode keeps running_mean", layer.running_mean, before)
    assert_close("test out", test_out, gamma * (x - 0.2 * mean) / np.sqrt(0.2 * var + 1e-6) + beta)


def test_weight_decay_loss_and_gradient():
    Ws = [np.array([[1.0, -2.0]]), np.array([[3.0], [0.5]])]
    assert T.weight_decay_loss(Ws, 0.1) == pytest.approx(0.05 * (1 + 4 + 9 + 0.25))
    dWs = [np.zeros((1, 2)), np.ones((2, 1))]
    grads = T.weight_decay_gradients(dWs, Ws, 0.1)
    for index, W in enumerate(Ws):
        def penalty(w, index=index):
            return T.weight_decay_loss([w if j == index else Ws[j] for j in range(2)], 0.1)
        assert_close(f"dW{index + 1}", grads[index], dWs[index] + numerical_gradient(penalty, W))


def test_init_scales_and_distribution():
    assert T.init_scale("relu", 50) == pytest.approx(0.2) == T.init_scale("He", 50)
    assert T.init_scale("sigmoid", 100) == pytest.approx(0.1) == T.init_scale("xavier", 100)
    assert T.init_scale(0.01, 100) == 0.01
    np.random.seed(3)
    params = T.init_weights([400, 300, 10], "relu")
    assert params["W1"].shape == (400, 300) and np.all(params["b2"] == 0)
    assert params["W1"].std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)


def test_shuffle_split_and_search_ranges():
    x = np.arange(20, dtype=float).reshape(10, 2)
    t = np.arange(10) * 3
    np.random.seed(1)
    xs, ts = T.shuffle_dataset(x, t)
    assert sorted(ts.tolist()) == t.tolist() and np.all(xs[:, 0] * 1.5 == ts)
    x_val, t_val, x_train, t_train = T.split_validation(x, t, 0.2)
    assert len(x_val) == 2 and len(x_train) == 8 and set(t_val) | set(t_train) == set(t)
    rng = np.random.default_rng(7)
    draws = [T.sample_hyperparameters(rng) for _ in range(4000)]
    logs = np.log10([d["weight_decay"] for d in draws])
    assert logs.min() >= -8 and logs.max() <= -4
    # log-uniform: each unit decade holds a quarter of the draws (4000 draws: sd of a count ~ 27)
    counts = np.histogram(logs, bins=[-8, -7, -6, -5, -4])[0]
    assert np.all(np.abs(counts - 1000) < 150), counts
    lr_logs = np.log10([d["lr"] for d in draws])
    assert lr_logs.min() >= -6 and lr_logs.max() <= -2
