r"""Reference answers for the *Regularization* notebook, L2 part.

The network is the course's fixed three-layer LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID net.
Its cache is the 12-tuple ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)`` with
``A_l = relu(Z_l)`` for ``l = 1, 2`` and ``A3 = sigmoid(Z3)``; ``X`` is ``(n_x, m)`` and ``Y``
is ``(1, m)``, one example per column.

Both functions are pure: nothing passed in is modified.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from dnn_autograder.course_helpers.reg_utils import compute_cost as _course_compute_cost

__all__ = [
    "GRADIENT_KEYS",
    "l2_penalty",
    "compute_cost_with_regularization",
    "backward_propagation_with_regularization",
]

#: Keys of the gradient dictionaries returned by the backward passes, in the course's order.
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


def l2_penalty(parameters: Mapping[str, np.ndarray], lambd: float, m: int) -> float:
    r"""The L2 term of the regularised cost for the three weight matrices.

    Parameters
    ----------
    parameters : mapping
        Must hold ``W1``, ``W2``, ``W3`` (biases are not penalised).
    lambd : float
        Regularisation strength :math:`\lambda`.
    m : int
        Number of examples.

    Returns
    -------
    penalty : float

    Notes
    -----
    :math:`\frac{\lambda}{2m}\left(\|W1\|_F^2 + \|W2\|_F^2 + \|W3\|_F^2\right)`, where
    :math:`\|W\|_F^2 = \sum_{k,j} W_{kj}^2` (``np.sum(np.square(W))``). Its gradient with
    respect to :math:`W_l` is :math:`\frac{\lambda}{m} W_l`.
    """
    squares = sum(float(np.sum(np.square(parameters[f"W{l}"]))) for l in (1, 2, 3))
    return lambd / (2 * m) * squares


def compute_cost_with_regularization(
    A3: np.ndarray,
    Y: np.ndarray,
    parameters: Mapping[str, np.ndarray],
    lambd: float,
    *,
    compute_cost: Callable[[np.ndarray, np.ndarray], float] = _course_compute_cost,
) -> float:
    r"""Cross-entropy cost plus the L2 penalty on the weights.

    Parameters
    ----------
    A3 : numpy.ndarray, shape (1, m)
        Output of the forward pass.
    Y : numpy.ndarray, shape (1, m)
        Labels in ``{0, 1}``.
    parameters : mapping
        ``W1, b1, W2, b2, W3, b3``.
    lambd : float
        Regularisation strength :math:`\lambda`.
    compute_cost : callable, keyword-only
        The cross-entropy helper; defaults to ``reg_utils.compute_cost``. The grader passes the
        helper the student's notebook sees.

    Returns
    -------
    cost : float

    Notes
    -----
    With :math:`m` = ``Y.shape[1]``:

    .. math::

        J = \underbrace{-\frac{1}{m}\sum_{i}\big(Y_i\log A3_i + (1 - Y_i)\log(1 - A3_i)\big)}
            _{\texttt{compute\_cost(A3, Y)}}
            + \frac{\lambda}{2m}\left(\|W1\|_F^2 + \|W2\|_F^2 + \|W3\|_F^2\right)

    (Krogh & Hertz, "A simple weight decay can improve generalization", NIPS 1991, for weight
    decay as a penalty on squared weights.) Published check: with ``np.random.seed(1)``,
    ``Y = [[1, 1, 0, 1, 0]]``, ``W1, b1, W2, b2, W3, b3`` drawn as ``randn(2, 3), randn(2, 1),
    randn(3, 2), randn(3, 1), randn(1, 3), randn(1, 1)``,
    ``A3 = [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]`` and
    ``lambd = 0.1``, the cost is ``1.78648594516``.
    """
    m = Y.shape[1]
    return compute_cost(A3, Y) + l2_penalty(parameters, lambd, m)


def backward_propagation_with_regularization(
    X: np.ndarray, Y: np.ndarray, cache: tuple, lambd: float
) -> dict[str, np.ndarray]:
    r"""Gradients of :func:`compute_cost_with_regularization` for the three-layer net.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
    Y : numpy.ndarray, shape (1, m)
    cache : tuple
        ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)`` from the forward pass.
    lambd : float
        Regularisation strength :math:`\lambda`.

    Returns
    -------
    gradients : dict
        Keys ``dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1``; each ``dW_l``/``db_l``
        has the shape of ``W_l``/``b_l`` and each ``dZ_l``/``dA_l`` the shape of ``Z_l``.

    Notes
    -----
    With :math:`m` = ``X.shape[1]``, :math:`A_0 = X`, :math:`\odot` elementwise and
    :math:`[A_l > 0]` the 0/1 ReLU derivative (``np.int64(A_l > 0)``):

    .. math::

        dZ3 &= A3 - Y \\
        dW_l &= \tfrac{1}{m}\, dZ_l A_{l-1}^T + \tfrac{\lambda}{m} W_l \\
        db_l &= \tfrac{1}{m} \textstyle\sum_{\text{columns}} dZ_l
               \quad(\texttt{axis=1, keepdims=True}) \\
        dA_{l-1} &= W_l^T dZ_l \\
        dZ_{l-1} &= dA_{l-1} \odot [A_{l-1} > 0]

    for :math:`l = 3, 2, 1`. Only the weight gradients gain the term
    :math:`\frac{\lambda}{m} W_l` (the derivative of the penalty); biases are not penalised.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T) + lambd / m * W3
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T) + lambd / m * W2
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T) + lambd / m * W1
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)

    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    return dict(zip(GRADIENT_KEYS, values, strict=True))
