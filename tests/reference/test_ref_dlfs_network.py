"""The answer key of the book's multi-layer network (``reference.dlfs_training``) against
independent computations, and the sandbox's ``common.layers`` / ``common.gradient`` stand-ins
against the reference layers (two implementations written apart)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dnn_autograder.course_helpers.dlfs_common import gradient as G
from dnn_autograder.course_helpers.dlfs_common import layers as CL
from dnn_autograder.grader.assignment.helper_copies import helper_copy
from dnn_autograder.reference import dlfs_layers as RL
from dnn_autograder.reference.dlfs_training import MultiLayerNet, init_scale, network_forward_backward


def _params(rng: np.random.Generator, sizes: list[int]) -> dict[str, np.ndarray]:
    params = {}
    for l in range(1, len(sizes)):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l]))
        params[f"b{l}"] = rng.standard_normal(sizes[l]) * 0.5
    return params


def _loss_by_loops(params, x, t, activation, lam) -> float:
    """The loss with explicit Python loops over units (no matrix products)."""
    count = len(params) // 2
    total = 0.0
    for row, label in zip(x, t, strict=True):
        a = list(row)
        for l in range(1, count + 1):
            W, b = params[f"W{l}"], params[f"b{l}"]
            z = [sum(a[i] * W[i][j] for i in range(len(a))) + b[j] for j in range(W.shape[1])]
            if l < count:
                a = [max(v, 0.0) if activation == "relu" else 1 / (1 + math.exp(-v)) for v in z]
        top = max(z)
        probability = math.exp(z[label] - top) / sum(math.exp(v - top) for v in z)
        total -= math.log(probability + 1e-7)
    penalty = sum(float((params[f"W{l}"] ** 2).sum()) for l in range(1, count + 1))
    return total / len(x) + 0.5 * lam * penalty


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_formulas_match_loops_and_central_differences(activation, lam):
    rng = np.random.default_rng(7)
    params = _params(rng, [4, 3, 3, 3])
    x, t = rng.standard_normal((5, 4)), np.array([0, 2, 1, 1, 0])
    result = network_forward_backward(params, x, t, activation, lam)
    assert result.loss == pytest.approx(_loss_by_loops(params, x, t, activation, lam), rel=1e-12)
    one_hot = network_forward_backward(params, x, np.eye(3, dtype=int)[t], activation, lam)
    assert one_hot.loss == result.loss
    h = 1e-6
    for key, value in params.items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[key][index] += h
            down[key][index] -= h
            numeric[index] = (network_forward_backward(up, x, t, activation, lam).loss
                              - network_forward_backward(down, x, t, activation, lam).loss) / (2 * h)
        assert np.allclose(result.grads[key], numeric, rtol=1e-5, atol=1e-7), key


@pytest.mark.parametrize("weight_init_std", ["relu", "He", "sigmoid", "xavier", 0.07])
def test_reference_network_draws_the_books_weights_and_agrees_with_the_formulas(weight_init_std):
    np.random.seed(11)
    net = MultiLayerNet(6, [5, 4], 3, activation="sigmoid", weight_init_std=weight_init_std,
                        weight_decay_lambda=0.2)
    np.random.seed(11)
    scales = {"relu": (math.sqrt(2 / 6), math.sqrt(2 / 5), math.sqrt(2 / 4)),
              "he": (math.sqrt(2 / 6), math.sqrt(2 / 5), math.sqrt(2 / 4)),
              "sigmoid": (1 / math.sqrt(6), 1 / math.sqrt(5), 1 / math.sqrt(4)),
              "xavier": (1 / math.sqrt(6), 1 / math.sqrt(5), 1 / math.sqrt(4))}
    expected = scales.get(str(weight_init_std).lower(), (0.07, 0.07, 0.07))
    for l, (rows, cols) in enumerate([(6, 5), (5, 4), (4, 3)], start=1):
        assert np.allclose(net.params[f"W{l}"], expected[l - 1] * np.random.randn(rows, cols), rtol=1e-14, atol=0)
        assert np.array_equal(net.params[f"b{l}"], np.zeros(cols))
        assert init_scale(weight_init_std, rows) == pytest.approx(expected[l - 1])
    net.params["b1"] += 0.3  # in place, as an optimizer does: the layers see it
    x, t = np.random.randn(4, 6), np.array([2, 0, 1, 1])
    formula = network_forward_backward(net.params, x, t, "sigmoid", 0.2)
    assert np.allclose(net.predict(x), formula.scores, rtol=1e-12)
    assert net.loss(x, t) == pytest.approx(formula.loss, rel=1e-12)
    grads = net.gradient(x, t)
    assert list(grads) == list(formula.grads)
    for key in grads:
        assert np.allclose(grads[key], formula.grads[key], rtol=1e-10, atol=1e-14), key


def test_course_layers_match_the_reference_layers():
    rng = np.random.default_rng(3)
    x, dout = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    for ours, theirs in ((CL.Relu(), RL.Relu()), (CL.Sigmoid(), RL.Sigmoid())):
        x_before = x.copy()
        assert np.allclose(ours.forward(x), theirs.forward(x), rtol=1e-14)
        assert np.array_equal(x, x_before)
        assert np.allclose(ours.backward(dout), theirs.backward(dout), rtol=1e-14)
    image, W, b = rng.standard_normal((3, 2, 2, 2)), rng.standard_normal((8, 4)), rng.standard_normal(4)
    ours, theirs = CL.Affine(W, b), RL.Affine(W, b)
    assert np.allclose(ours.forward(image), theirs.forward(image))
    up = rng.standard_normal((3, 4))
    dx = ours.backward(up)
    assert dx.shape == image.shape and np.allclose(dx, theirs.backward(up))
    assert np.allclose(ours.dW, theirs.dW) and np.allclose(ours.db, theirs.db)
    scores = rng.standard_normal((4, 3))
    for t in (np.array([0, 2, 1, 2]), np.eye(3, dtype=int)[[0, 2, 1, 2]]):
        ours, theirs = CL.SoftmaxWithLoss(), RL.SoftmaxWithLoss()
        assert ours.forward(scores, t) == pytest.approx(theirs.forward(scores, t), rel=1e-14)
        assert np.allclose(ours.backward(1), theirs.backward(1), rtol=1e-14)
    ours, theirs = CL.Dropout(0.3), RL.Dropout(0.3)
    np.random.seed(5)
    out = ours.forward(x, True)
    np.random.seed(5)
    assert np.array_equal(out, theirs.forward(x, True))
    assert np.array_equal(ours.backward(dout), theirs.backward(dout))
    assert np.allclose(ours.forward(x, False), theirs.forward(x, False))
    gamma, beta = rng.uniform(0.5, 2, 5), rng.standard_normal(5)
    ours, theirs = CL.BatchNormalization(gamma, beta, momentum=0.8), RL.BatchNormalization(gamma, beta, momentum=0.8)
    assert np.allclose(ours.forward(x, True), theirs.forward(x, True), rtol=1e-12)
    assert np.allclose(ours.backward(dout), theirs.backward(dout), rtol=1e-10, atol=1e-12)
    assert np.allclose(ours.dgamma, theirs.dgamma) and np.allclose(ours.dbeta, theirs.dbeta)
    assert np.allclose(ours.forward(x[:2], False), theirs.forward(x[:2], False), rtol=1e-12)


def test_course_numerical_gradient_is_central_differences_and_restores_x():
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    before = x.copy()
    grad = G.numerical_gradient(lambda v: float(np.sum(v**3)), x)
    assert np.allclose(grad, 3 * before**2, rtol=1e-7) and np.array_equal(x, before)
    rows = G.numerical_gradient_2d(lambda v: float(np.sum(v**2)), x.copy())
    assert np.allclose(rows, 2 * before, rtol=1e-7)


def test_learners_own_common_layers_and_util_are_graded_not_left_out():
    assert helper_copy("common/layers.py") is None  # graded by dlfs_layers
    assert helper_copy("ch06/common/util.py") is None  # holds the learner's shuffle_dataset
    assert helper_copy("common/gradient.py") == "common.gradient"
    assert helper_copy("common/functions.py") == "common.functions"
