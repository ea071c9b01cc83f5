"""The activation functions of :mod:`dnn_autograder.reference.activations` against independent oracles.

Oracles: the textbook formulas evaluated with ``math`` one element at a time (moderate inputs), central
differences of the forward function for every derivative, a naive softmax on moderate inputs, PyTorch when it
is importable, and closed forms at ``|Z| = 1000`` where a naive formula overflows.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference_testkit import PROPERTY_SETTINGS, assert_close

from dnn_autograder.reference import activations as act

#: inputs away from the ReLU kink by more than the difference step
STEP = 1e-6


def moderate(shape=None):
    """Arrays of shape ``(n, m)`` with entries in [-8, 8], rounded so that none lies within 1e-3 of 0."""
    shapes = st.tuples(st.integers(1, 5), st.integers(1, 4)) if shape is None else st.just(shape)
    values = st.integers(-8000, 8000).filter(lambda k: abs(k) > 1).map(lambda k: k / 1000)
    return shapes.flatmap(lambda s: hnp.arrays(np.float64, s, elements=values))


def central_difference(f, Z, dA):
    """``dA * f'(Z)`` elementwise, from ``(f(Z + h) - f(Z - h)) / 2h`` (f acts elementwise)."""
    return dA * (f(Z + STEP) - f(Z - STEP)) / (2 * STEP)


def textbook(function, Z):
    return np.vectorize(function, otypes=[float])(Z)


@PROPERTY_SETTINGS
@given(moderate())
def test_forward_functions_match_the_textbook_formulas(Z):
    assert_close("sigmoid", act.sigmoid(Z), textbook(lambda z: 1 / (1 + math.exp(-z)), Z), rtol=1e-12)
    assert_close("tanh", act.tanh(Z), textbook(math.tanh, Z), rtol=1e-12)
    assert_close("relu", act.relu(Z), textbook(lambda z: z if z > 0 else 0.0, Z))
    assert_close("leaky_relu", act.leaky_relu(Z), textbook(lambda z: z if z > 0 else 0.01 * z, Z))
    assert_close("leaky_relu alpha", act.leaky_relu(Z, 0.2), textbook(lambda z: z if z > 0 else 0.2 * z, Z))


@PROPERTY_SETTINGS
@given(moderate(), st.data())
def test_backward_functions_match_central_differences(Z, data):
    dA = data.draw(hnp.arrays(np.float64, Z.shape, elements=st.floats(-3, 3)))
    pairs = [
        ("sigmoid", act.sigmoid_backward(dA, Z), central_difference(act.sigmoid, Z, dA)),
        ("tanh", act.tanh_backward(dA, Z), central_difference(act.tanh, Z, dA)),
        ("relu", act.relu_backward(dA, Z), central_difference(act.relu, Z, dA)),
        ("leaky_relu", act.leaky_relu_backward(dA, Z), central_difference(act.leaky_relu, Z, dA)),
        ("leaky_relu alpha", act.leaky_relu_backward(dA, Z, 0.3),
         central_difference(lambda z: act.leaky_relu(z, 0.3), Z, dA)),
    ]
    for label, got, numerical in pairs:
        assert_close(label, got, numerical, rtol=1e-6, atol=1e-8)


def test_kink_convention_is_the_left_derivative():
    Z = np.zeros((2, 2))
    dA = np.array([[1.0, -2.0], [3.0, 0.5]])
    assert np.array_equal(act.relu_backward(dA, Z), np.zeros((2, 2)))
    assert np.array_equal(act.leaky_relu_backward(dA, Z, 0.1), 0.1 * dA)


@PROPERTY_SETTINGS
@given(moderate())
def test_softmax_matches_the_naive_formula_column_by_column(Z):
    naive = np.exp(Z) / np.exp(Z).sum(axis=0, keepdims=True)
    assert_close("softmax", act.softmax(Z), naive, rtol=1e-12)
    assert_close("log_softmax", act.log_softmax(Z), np.log(naive), rtol=1e-10, atol=1e-12)
    assert_close("columns sum to 1", act.softmax(Z).sum(axis=0), np.ones(Z.shape[1]), rtol=1e-12)


def test_softmax_is_one_distribution_per_column():
    Z = np.array([[1.0, 1.0], [1.0, 3.0]])
    e = math.exp(2.0)
    assert_close("softmax", act.softmax(Z), [[0.5, 1 / (1 + e)], [0.5, e / (1 + e)]], rtol=1e-12)


def test_no_overflow_at_large_inputs():
    Z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]])
    dA = np.ones_like(Z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or 0/0 would raise here
        s, t = act.sigmoid(Z), act.tanh(Z)
        p, logp = act.softmax(Z), act.log_softmax(Z)
        ds, dt = act.sigmoid_backward(dA, Z), act.tanh_backward(dA, Z)
    assert_close("sigmoid", s, [[1.0, 0.0, 0.5], [0.0, 1.0, 1.0]])
    assert_close("tanh", t, [[1.0, -1.0, 0.0], [-1.0, 1.0, 1.0]])
    assert_close("sigmoid'", ds, [[0.0, 0.0, 0.25], [0.0, 0.0, 0.0]])
    assert_close("tanh'", dt, [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])
    # column 0: [1000, -1000] -> [1, e^-2000]; column 2: [0, 999] -> log p = [-999 - log1p(e^-999), -log1p(e^-999)]
    assert_close("softmax", p, [[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
    assert_close("log_softmax", logp, [[0.0, -2000.0, -999.0], [-2000.0, 0.0, 0.0]], rtol=1e-12)
    assert np.all(np.isfinite(logp))


def test_inputs_are_not_modified_and_shapes_are_kept():
    Z = np.array([[0.5, -1.0, 0.0]])
    dA = np.array([[1.0, 2.0, 3.0]])
    before = (Z.copy(), dA.copy())
    for out in (act.sigmoid(Z), act.tanh(Z), act.relu(Z), act.leaky_relu(Z), act.softmax(Z), act.log_softmax(Z),
                act.sigmoid_backward(dA, Z), act.tanh_backward(dA, Z), act.relu_backward(dA, Z),
                act.leaky_relu_backward(dA, Z)):
        assert out.shape == Z.shape
    assert np.array_equal(Z, before[0]) and np.array_equal(dA, before[1])


def test_agrees_with_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.RandomState(0)
    Z = rng.randn(4, 3) * 5
    dA = rng.randn(4, 3)
    z = torch.tensor(Z, requires_grad=True)
    checks = [
        ("sigmoid", act.sigmoid, act.sigmoid_backward, torch.sigmoid),
        ("tanh", act.tanh, act.tanh_backward, torch.tanh),
        ("relu", act.relu, act.relu_backward, torch.relu),
        ("leaky_relu", act.leaky_relu, act.leaky_relu_backward,
         lambda t: torch.nn.functional.leaky_relu(t, 0.01)),
    ]
    for label, forward, backward, reference in checks:
        out = reference(z)
        (grad,) = torch.autograd.grad(out, z, torch.tensor(dA))
        assert_close(label, forward(Z), out.detach().numpy(), rtol=1e-12)
        assert_close(label + "'", backward(dA, Z), grad.numpy(), rtol=1e-10)
    assert_close("softmax", act.softmax(Z), torch.softmax(torch.tensor(Z), dim=0).numpy(), rtol=1e-12)
    assert_close("log_softmax", act.log_softmax(Z), torch.log_softmax(torch.tensor(Z), dim=0).numpy(), rtol=1e-12)
