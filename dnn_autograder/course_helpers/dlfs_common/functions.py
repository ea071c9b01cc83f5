r"""Stand-in for the book's ``common/functions.py``: activations, softmax and losses.

Batches have one example per row; softmax and the losses work over the last axis. Inputs are
never modified.
"""

from __future__ import annotations

import numpy as np


def identity_function(x):
    r""":math:`f(x) = x`."""
    return x


def step_function(x):
    r""":math:`f(x) = [x > 0]` as integers."""
    return np.array(np.asarray(x) > 0, dtype=int)


def sigmoid(x):
    r""":math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def sigmoid_grad(x):
    r""":math:`\sigma'(x) = \sigma(x)(1 - \sigma(x))`."""
    s = sigmoid(x)
    return (1.0 - s) * s


def relu(x):
    r""":math:`\max(x, 0)`, elementwise."""
    return np.maximum(0, x)


def relu_grad(x):
    r""":math:`[x \ge 0]` as floats (the book's convention at 0)."""
    return (np.asarray(x) >= 0).astype(float)


def softmax(x):
    r"""Softmax over the last axis, after subtracting each row's maximum."""
    x = np.asarray(x, dtype=float)
    shifted = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def sum_squared_error(y, t):
    r""":math:`\frac12 \sum (y - t)^2`."""
    return 0.5 * np.sum((np.asarray(y) - np.asarray(t)) ** 2)


def cross_entropy_error(y, t):
    r""":math:`-\frac1N \sum_i \log(y_{i,c_i} + 10^{-7})`; ``t`` one-hot or class indices."""
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch), t.astype(int)] + 1e-7)) / batch


def softmax_loss(X, t):
    r"""Cross-entropy of :func:`softmax` of ``X`` against ``t``."""
    return cross_entropy_error(softmax(X), t)
