r"""Reference answers for *Deep Learning from Scratch* (Saito), chapters 5-6: the layer classes of
``common/layers.py``.

The book's layout and API: a batch ``x`` has one example per **row** (shape ``(N, D)``, or
``(N, C, H, W)`` for image data, which :class:`Affine` and :class:`BatchNormalization` flatten
to ``(N, -1)``); each layer has ``forward(...)`` returning the output and ``backward(dout)``
returning the gradient of the loss with respect to the layer's input, and keeps what backward
needs as attributes. Parameter gradients are attributes set by ``backward``: ``Affine.dW``,
``Affine.db``, ``BatchNormalization.dgamma``, ``BatchNormalization.dbeta``. Backward never
modifies ``dout`` here (the book's ``Relu.backward`` does; the grader does not look).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization",
           "softmax", "cross_entropy_error", "BN_EPSILON", "LOG_EPSILON"]

#: Added to the variance in batch normalization (the book writes ``10e-7``).
BN_EPSILON = 1e-6
#: Added inside the logarithm of the cross-entropy (the book's ``1e-7``).
LOG_EPSILON = 1e-7


def softmax(x: np.ndarray) -> np.ndarray:
    r"""Softmax over the last axis, shifted by the row maximum.

    Notes
    -----
    :math:`y_{ij} = e^{x_{ij} - \max_k x_{ik}} / \sum_l e^{x_{il} - \max_k x_{ik}}`.
    """
    x = np.asarray(x, dtype=float)
    exps = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return exps / np.sum(exps, axis=-1, keepdims=True)


def cross_entropy_error(y: np.ndarray, t: np.ndarray) -> float:
    r"""Mean cross-entropy of predicted probabilities ``y`` against labels ``t``.

    Notes
    -----
    ``t`` is one-hot (same size as ``y``) or holds class indices. With :math:`c_i` the class of
    row :math:`i` and :math:`N` rows:
    :math:`E = -\frac{1}{N}\sum_i \log(y_{i c_i} + 10^{-7})`. A 1-D ``y`` is one example.
    """
    y = np.asarray(y, dtype=float)
    t = np.asarray(t)
    if y.ndim == 1:
        y, t = y.reshape(1, -1), t.reshape(1, -1) if t.size == y.size else t.reshape(1)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(n), t.astype(int)] + LOG_EPSILON)) / n)


class Relu:
    r"""Rectified linear unit.

    Notes
    -----
    Forward :math:`y = \max(x, 0)`; backward :math:`dx = dout \odot [x > 0]` (0 where
    :math:`x \le 0`, the book's mask ``x <= 0``).
    """

    def __init__(self) -> None:
        self.mask: Any = None  # set by forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        self.mask = x <= 0
        return np.where(self.mask, 0.0, x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return np.where(self.mask, 0.0, dout)


class Sigmoid:
    r"""Logistic sigmoid.

    Notes
    -----
    Forward :math:`y = 1 / (1 + e^{-x})` (kept as ``out``); backward
    :math:`dx = dout \odot y \odot (1 - y)`.
    """

    def __init__(self) -> None:
        self.out: Any = None  # set by forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.out) * self.out


class Affine:
    r"""Fully connected layer :math:`y = xW + b` over a batch of rows.

    Notes
    -----
    Forward: ``x`` of shape ``(N, ...)`` is flattened to :math:`X` of shape ``(N, D)``;
    :math:`y = XW + b` (``b`` broadcast over rows). Backward:
    :math:`dX = dout\,W^T` reshaped to ``x``'s original shape,
    :math:`dW = X^T dout`, :math:`db = \sum_i dout_{i\cdot}` (sum over the batch axis 0).
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:
        self.W = W
        self.b = b
        self.x: Any = None  # set by forward
        self.original_x_shape: Any = None  # set by forward
        self.dW: Any = None  # set by backward
        self.db: Any = None  # set by backward

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dx = dout @ self.W.T
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    r"""Softmax followed by the cross-entropy loss.

    Notes
    -----
    Forward: :math:`y = \mathrm{softmax}(x)` row by row (kept as ``y``), returns
    :math:`E` = :func:`cross_entropy_error` ``(y, t)``. Backward (``dout`` = 1, as in the book,
    is not used): :math:`dx = (y - T) / N` with :math:`T` the one-hot labels and :math:`N` the
    batch size.
    """

    def __init__(self) -> None:
        self.loss: float | None = None
        self.y: Any = None  # set by forward
        self.t: Any = None  # set by forward

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        self.t = np.asarray(t)
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout: float = 1) -> np.ndarray:
        n = self.y.shape[0]
        if self.t.size == self.y.size:
            onehot = self.t.astype(float)
        else:
            onehot = np.zeros_like(self.y)
            onehot[np.arange(n), self.t.astype(int)] = 1.0
        return (self.y - onehot) / n


class Dropout:
    r"""Dropout as the book writes it: *not* inverted.

    Notes
    -----
    Training (``train_flg`` true): a mask :math:`M = [U > r]` with :math:`U` uniform on
    :math:`[0, 1)` drawn elementwise (``np.random.rand(*x.shape)``) and :math:`r` =
    ``dropout_ratio``; :math:`y = x \odot M` (no rescaling). Test: :math:`y = x (1 - r)`, the
    expected value of the training output. Backward: :math:`dx = dout \odot M`.
    """

    def __init__(self, dropout_ratio: float = 0.5) -> None:
        self.dropout_ratio = dropout_ratio
        self.mask: Any = None  # set by forward

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.mask


class BatchNormalization:
    r"""Batch normalization (Ioffe and Szegedy, arXiv:1502.03167) over the batch axis.

    Notes
    -----
    ``x`` of shape ``(N, ...)`` is flattened to ``(N, D)``; statistics are per column.
    Training: :math:`\mu = \frac1N\sum_i x_i`, :math:`x_c = x - \mu`,
    :math:`\sigma^2 = \frac1N\sum_i x_{c,i}^2` (biased), :math:`s = \sqrt{\sigma^2 + 10^{-6}}`,
    :math:`\hat x = x_c / s`, :math:`y = \gamma \hat x + \beta`; then the running statistics
    (zeros of length :math:`D` when None) become
    ``running_mean = momentum * running_mean + (1 - momentum) * mu`` and likewise
    ``running_var`` with :math:`\sigma^2`. Test: :math:`\hat x = (x - m_r)/\sqrt{v_r + 10^{-6}}`
    with the running statistics, which are not changed.
    Backward (training forward): :math:`d\beta = \sum_i dout_i`,
    :math:`d\gamma = \sum_i \hat x_i \odot dout_i`, and with :math:`g = \gamma \odot dout`:
    :math:`dx = \frac{1}{s}\big(g - \frac1N\sum_i g_i - \hat x\,\frac1N\sum_i g_i\odot\hat x_i\big)`,
    reshaped to ``x``'s shape.
    """

    def __init__(self, gamma: np.ndarray, beta: np.ndarray, momentum: float = 0.9,
                 running_mean: np.ndarray | None = None, running_var: np.ndarray | None = None) -> None:
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.running_mean: Any = running_mean
        self.running_var: Any = running_var
        self.input_shape: tuple[int, ...] | None = None
        self.xn: Any = None  # set by forward
        self.std: Any = None  # set by forward
        self.dgamma: Any = None  # set by backward
        self.dbeta: Any = None  # set by backward

    def forward(self, x: np.ndarray, train_flg: bool = True) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        self.input_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1])
            self.running_var = np.zeros(x.shape[1])
        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            self.std = np.sqrt(var + BN_EPSILON)
            self.xn = xc / self.std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
            xn = self.xn
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + BN_EPSILON)
        out = self.gamma * xn + self.beta
        return out.reshape(self.input_shape)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dout = np.asarray(dout, dtype=float).reshape(self.xn.shape)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        g = self.gamma * dout
        dx = (g - g.mean(axis=0) - self.xn * np.mean(g * self.xn, axis=0)) / self.std
        return dx.reshape(self.input_shape)
