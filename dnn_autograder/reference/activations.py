r"""Reference answers for the *Activation Functions* assignment: forward functions and their derivatives.

Layout follows the deeplearning.ai courses: a pre-activation ``Z`` has shape ``(n, m)``, one unit per row and
one example per column. The elementwise functions accept any shape; :func:`softmax` and :func:`log_softmax`
normalise each **column** (axis 0), so ``softmax(Z)[:, j]`` is the distribution over the ``n`` classes of
example ``j``.

A backward function takes the upstream gradient ``dA`` (same shape as ``Z``) and the pre-activation ``Z`` the
forward function saw (what the course's ``cache`` holds) and returns ``dZ = dA * g'(Z)``, elementwise. Nothing
here modifies its arguments.

At the kink ``Z = 0`` of ReLU and leaky ReLU the derivative is undefined; these functions use the left
derivative (``0`` for ReLU, ``alpha`` for leaky ReLU), as the course's ``relu_backward`` (``dZ[Z <= 0] = 0``),
CS231n, Saito's ``Relu`` layer, PyTorch and TensorFlow all do. The grader also accepts the right derivative
(``1``) there: any value between the two is a valid subgradient.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "LEAKY_RELU_ALPHA",
    "leaky_relu",
    "leaky_relu_backward",
    "log_softmax",
    "relu",
    "relu_backward",
    "sigmoid",
    "sigmoid_backward",
    "softmax",
    "tanh",
    "tanh_backward",
]

#: Default slope of leaky ReLU for negative inputs (the lectures' ``max(0.01 z, z)``).
LEAKY_RELU_ALPHA = 0.01


def sigmoid(Z):
    r"""Logistic sigmoid, elementwise.

    Parameters
    ----------
    Z : numpy.ndarray
        Pre-activation, any shape.

    Returns
    -------
    A : numpy.ndarray
        Same shape as ``Z``, values in ``[0, 1]``.

    Notes
    -----
    :math:`\sigma(z) = 1 / (1 + e^{-z})`. Computed as :math:`1 / (1 + u)` for :math:`z \ge 0` and
    :math:`u / (1 + u)` for :math:`z < 0` with :math:`u = e^{-|z|} \in (0, 1]`, so no exponential overflows;
    both branches equal the formula in exact arithmetic.
    """
    Z = np.asarray(Z, dtype=float)
    u = np.exp(-np.abs(Z))
    return np.where(Z >= 0, 1.0 / (1.0 + u), u / (1.0 + u))


def sigmoid_backward(dA, Z, *, sigmoid=sigmoid):
    r"""Gradient of the cost with respect to the sigmoid's input.

    Parameters
    ----------
    dA : numpy.ndarray
        Gradient of the cost with respect to ``A = sigmoid(Z)``, same shape as ``Z``.
    Z : numpy.ndarray
        The pre-activation the forward pass saw.
    sigmoid : callable, keyword-only
        The forward function used (the grader passes its own, so that a wrong ``sigmoid`` costs once).

    Returns
    -------
    dZ : numpy.ndarray
        Same shape as ``Z``.

    Notes
    -----
    :math:`\sigma'(z) = \sigma(z)\,(1 - \sigma(z))`, so :math:`dZ = dA \odot s \odot (1 - s)` with
    :math:`s = \sigma(Z)` (elementwise products).
    """
    s = sigmoid(Z)
    return np.asarray(dA, dtype=float) * s * (1.0 - s)


def tanh(Z):
    r"""Hyperbolic tangent, elementwise.

    Parameters
    ----------
    Z : numpy.ndarray
        Pre-activation, any shape.

    Returns
    -------
    A : numpy.ndarray
        Same shape as ``Z``, values in ``[-1, 1]``.

    Notes
    -----
    :math:`\tanh(z) = (e^{z} - e^{-z}) / (e^{z} + e^{-z}) = 2\sigma(2z) - 1`. Computed by ``numpy.tanh``, which
    does not overflow (the quotient of exponentials gives ``inf / inf = nan`` for :math:`|z| \gtrsim 710`).
    """
    return np.tanh(np.asarray(Z, dtype=float))


def tanh_backward(dA, Z, *, tanh=tanh):
    r"""Gradient of the cost with respect to the input of ``tanh``.

    Parameters
    ----------
    dA : numpy.ndarray
        Gradient of the cost with respect to ``A = tanh(Z)``, same shape as ``Z``.
    Z : numpy.ndarray
        The pre-activation the forward pass saw.
    tanh : callable, keyword-only
        The forward function used (the grader passes its own, so that a wrong ``tanh`` costs once).

    Returns
    -------
    dZ : numpy.ndarray
        Same shape as ``Z``.

    Notes
    -----
    :math:`\tanh'(z) = 1 - \tanh^2(z)`, so :math:`dZ = dA \odot (1 - t^2)` with :math:`t = \tanh(Z)`.
    """
    t = tanh(Z)
    return np.asarray(dA, dtype=float) * (1.0 - np.square(t))


def relu(Z):
    r"""Rectified linear unit, elementwise.

    Parameters
    ----------
    Z : numpy.ndarray
        Pre-activation, any shape.

    Returns
    -------
    A : numpy.ndarray
        Same shape as ``Z``.

    Notes
    -----
    :math:`\mathrm{relu}(z) = \max(0, z)`, elementwise (``np.maximum``, not the reduction ``np.max``).
    """
    return np.maximum(0.0, np.asarray(Z, dtype=float))


def relu_backward(dA, Z):
    r"""Gradient of the cost with respect to the input of ReLU.

    Parameters
    ----------
    dA : numpy.ndarray
        Gradient of the cost with respect to ``A = relu(Z)``, same shape as ``Z``.
    Z : numpy.ndarray
        The pre-activation the forward pass saw.

    Returns
    -------
    dZ : numpy.ndarray
        Same shape as ``Z``; a new array (``dA`` is not modified).

    Notes
    -----
    :math:`\mathrm{relu}'(z) = 1` for :math:`z > 0` and :math:`0` for :math:`z < 0`, so
    :math:`dZ = dA \odot [Z > 0]`. At :math:`z = 0` this uses the left derivative :math:`0` (the course's
    ``dZ[Z <= 0] = 0``); the mask depends on ``Z``, never on the sign of ``dA``.
    """
    return np.where(np.asarray(Z) > 0, np.asarray(dA, dtype=float), 0.0)


def relu_backward_right_derivative(dA, Z):
    r"""``relu_backward`` with the right derivative at the kink: :math:`dZ = dA \odot [Z \ge 0]`.

    ReLU has no derivative at :math:`z = 0`; either one-sided derivative (:math:`0` or :math:`1`)
    is a valid subgradient there, and ``np.where(Z >= 0, dA, 0)`` is as right as the course's
    ``Z > 0``. The spec accepts this variant (``accept``); it differs from :func:`relu_backward`
    only where ``Z == 0`` exactly.
    """
    return np.where(np.asarray(Z) >= 0, np.asarray(dA, dtype=float), 0.0)


def leaky_relu(Z, alpha=LEAKY_RELU_ALPHA):
    r"""Leaky ReLU, elementwise.

    Parameters
    ----------
    Z : numpy.ndarray
        Pre-activation, any shape.
    alpha : float
        Slope for negative inputs, ``0 <= alpha < 1`` in practice (default 0.01).

    Returns
    -------
    A : numpy.ndarray
        Same shape as ``Z``.

    Notes
    -----
    :math:`\mathrm{leaky}(z) = z` for :math:`z > 0` and :math:`\alpha z` otherwise. (For
    :math:`0 \le \alpha \le 1` this equals :math:`\max(\alpha z, z)`.)
    """
    Z = np.asarray(Z, dtype=float)
    return np.where(Z > 0, Z, alpha * Z)


def leaky_relu_backward(dA, Z, alpha=LEAKY_RELU_ALPHA):
    r"""Gradient of the cost with respect to the input of leaky ReLU.

    Parameters
    ----------
    dA : numpy.ndarray
        Gradient of the cost with respect to ``A = leaky_relu(Z, alpha)``, same shape as ``Z``.
    Z : numpy.ndarray
        The pre-activation the forward pass saw.
    alpha : float
        The slope for negative inputs the forward pass used.

    Returns
    -------
    dZ : numpy.ndarray
        Same shape as ``Z``.

    Notes
    -----
    :math:`\mathrm{leaky}'(z) = 1` for :math:`z > 0` and :math:`\alpha` for :math:`z < 0`, so
    :math:`dZ = dA \odot ([Z > 0] + \alpha [Z \le 0])`; at :math:`z = 0` the left derivative :math:`\alpha`.
    """
    dA = np.asarray(dA, dtype=float)
    return np.where(np.asarray(Z) > 0, dA, alpha * dA)


def softmax(Z):
    r"""Softmax of each column: one probability distribution per example.

    Parameters
    ----------
    Z : numpy.ndarray
        Scores of shape ``(n, m)``: ``n`` classes, ``m`` examples.

    Returns
    -------
    A : numpy.ndarray
        Shape ``(n, m)``, positive, each column summing to 1.

    Notes
    -----
    :math:`A_{ij} = e^{Z_{ij}} / \sum_k e^{Z_{kj}}` (sum over axis 0). Softmax does not change when a
    constant is added to a column, so with :math:`c_j = \max_k Z_{kj}` it is computed as
    :math:`A_{ij} = e^{Z_{ij} - c_j} / \sum_k e^{Z_{kj} - c_j}`: every exponent is :math:`\le 0` (no overflow)
    and the largest term is exactly 1 (the denominator is at least 1, never 0).
    """
    Z = np.asarray(Z, dtype=float)
    exps = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def log_softmax(Z):
    r"""Logarithm of :func:`softmax`, column by column, computed without taking the log of a probability.

    Parameters
    ----------
    Z : numpy.ndarray
        Scores of shape ``(n, m)``.

    Returns
    -------
    logA : numpy.ndarray
        Shape ``(n, m)``, every entry :math:`\le 0` and finite for finite ``Z``.

    Notes
    -----
    :math:`\log A_{ij} = Z_{ij} - \mathrm{LSE}_j` with the log-sum-exp
    :math:`\mathrm{LSE}_j = \log \sum_k e^{Z_{kj}} = c_j + \log \sum_k e^{Z_{kj} - c_j}`,
    :math:`c_j = \max_k Z_{kj}`. Hence :math:`\log A_{ij} = (Z_{ij} - c_j) - \log \sum_k e^{Z_{kj} - c_j}`; the
    sum lies in :math:`[1, n]`, so its log is finite, and entries far below the column maximum stay exact
    (``np.log(softmax(Z))`` would give :math:`-\infty` once :math:`e^{Z_{ij} - c_j}` underflows).
    """
    Z = np.asarray(Z, dtype=float)
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


def leaky_relu_backward_right_derivative(dA, Z, alpha=LEAKY_RELU_ALPHA):
    r"""``leaky_relu_backward`` with the right derivative :math:`1` at :math:`z = 0`:
    :math:`dZ = dA \odot ([Z \ge 0] + \alpha [Z < 0])` (accepted like
    :func:`relu_backward_right_derivative`)."""
    dA = np.asarray(dA, dtype=float)
    return np.where(np.asarray(Z) >= 0, dA, alpha * dA)
