r"""Stand-in for the book's ``common/layers.py``: the layer classes a learner's
``common/multi_layer_net.py`` imports with ``from common.layers import *``.

Written for the grading sandbox (numpy only) and independent of the answer key
(:mod:`dnn_autograder.reference.dlfs_layers`), which the tests check it against. A batch has one
example per row; ``forward`` returns the output and keeps what ``backward`` needs; ``backward``
returns the gradient with respect to the input and stores parameter gradients as attributes.
"""

from __future__ import annotations

import numpy as np

from .functions import cross_entropy_error, softmax

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization"]


class Relu:
    r""":math:`y = \max(x, 0)`; backward passes ``dout`` where :math:`x > 0` and 0 where :math:`x \le 0`."""

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = np.asarray(x) <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout):
        return np.where(self.mask, 0.0, dout)


class Sigmoid:
    r""":math:`y = 1 / (1 + e^{-x})`; backward :math:`dout \cdot y (1 - y)` with the forward's ``y``."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)


class Affine:
    r""":math:`y = XW + b` with :math:`X` = ``x`` flattened to ``(N, -1)``; backward
    :math:`dX = dout\,W^T` (in ``x``'s shape), :math:`dW = X^T dout`, :math:`db = \sum_{rows} dout`.

    ``W`` and ``b`` are kept by reference: the network's ``params`` and this layer share them.
    """

    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        x = np.asarray(x)
        self.original_x_shape = x.shape
        self.x = x.reshape(len(x), -1)
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = dout.sum(axis=0)
        return np.dot(dout, self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    r"""Forward: :math:`y = \mathrm{softmax}(x)` per row and the mean cross-entropy against ``t``
    (one-hot or class indices); backward: :math:`dout \cdot (y - T) / N` with :math:`T` one-hot."""

    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        n = self.y.shape[0]
        target = self.t.reshape(self.y.shape) if self.t.size == self.y.size else np.eye(self.y.shape[1])[self.t]
        return dout * (self.y - target) / n


class Dropout:
    r"""Not inverted: training keeps each unit where ``np.random.rand > dropout_ratio`` (no
    rescaling); test mode returns :math:`x (1 - r)`."""

    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio
        self.mask = None

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x * (1.0 - self.dropout_ratio)
        self.mask = np.random.rand(*np.shape(x)) > self.dropout_ratio
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask


class BatchNormalization:
    r"""Per column: :math:`\hat x = (x - \mu) / \sqrt{\sigma^2 + 10^{-6}}`, :math:`y = \gamma \hat x + \beta`;
    training uses the batch's :math:`\mu, \sigma^2` and updates the running averages
    (``m * running + (1 - m) * batch``), test mode uses the running averages. Image batches are
    flattened to ``(N, -1)`` and restored."""

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None):
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None
        self.running_mean = running_mean
        self.running_var = running_var
        self.batch_size = None
        self.xc = None
        self.std = None
        self.xn = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg=True):
        x = np.asarray(x, dtype=float)
        self.input_shape = x.shape
        flat = x.reshape(len(x), -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(flat.shape[1])
            self.running_var = np.zeros(flat.shape[1])
        if train_flg:
            mu = flat.mean(axis=0)
            var = ((flat - mu) ** 2).mean(axis=0)
            self.batch_size = flat.shape[0]
            self.xc = flat - mu
            self.std = np.sqrt(var + 1e-6)
            self.xn = self.xc / self.std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            xn = self.xn
        else:
            xn = (flat - self.running_mean) / np.sqrt(self.running_var + 1e-6)
        return (self.gamma * xn + self.beta).reshape(self.input_shape)

    def backward(self, dout):
        dout = np.asarray(dout, dtype=float).reshape(self.batch_size, -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (self.xn * dout).sum(axis=0)
        g = self.gamma * dout
        dx = (g - g.mean(axis=0) - self.xn * (g * self.xn).mean(axis=0)) / self.std
        return dx.reshape(self.input_shape)
