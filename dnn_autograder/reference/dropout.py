r"""Reference answers for the *Regularization* notebook, dropout part.

Inverted dropout (Srivastava, Hinton, Krizhevsky, Sutskever & Salakhutdinov, "Dropout: A Simple
Way to Prevent Neural Networks from Overfitting", JMLR 2014) on the two hidden layers of the
course's three-layer net. "Inverted" means the surviving activations are divided by
``keep_prob`` during training, so nothing needs rescaling at test time.

Randomness follows the course convention: :func:`forward_propagation_with_dropout` reseeds
numpy's global legacy generator with ``np.random.seed(1)`` and then draws ``D1`` before ``D2``
with ``np.random.rand``. That order is what reproduces the notebook's expected numbers. Apart
from resetting the global generator, both functions are pure.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dnn_autograder.course_helpers.common import relu, sigmoid
from dnn_autograder.reference.regularization import GRADIENT_KEYS

__all__ = [
    "DROPOUT_SEED",
    "dropout_mask",
    "forward_propagation_with_dropout",
    "backward_propagation_with_dropout",
]

#: Seed the course passes to ``np.random.seed`` at the start of the forward pass.
DROPOUT_SEED = 1


def dropout_mask(shape: tuple[int, ...], keep_prob: float) -> np.ndarray:
    r"""Draw a 0/1 keep-mask from the *global* generator: ``(rand(*shape) < keep_prob)``.

    Notes
    -----
    Each entry is 1 with probability ``keep_prob`` (:math:`D = [U < p]`,
    :math:`U \sim \mathcal{U}[0, 1)`), as an ``int`` array. One ``np.random.rand`` call of
    the full shape, so the draw order matches the course's.
    """
    return (np.random.rand(*shape) < keep_prob).astype(int)


def forward_propagation_with_dropout(
    X: np.ndarray, parameters: Mapping[str, np.ndarray], keep_prob: float = 0.5
):
    r"""Forward pass with inverted dropout after each hidden ReLU layer.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
        Inputs, one example per column.
    parameters : mapping
        ``W1`` (n1, n_x), ``b1`` (n1, 1), ``W2`` (n2, n1), ``b2`` (n2, 1), ``W3`` (1, n2),
        ``b3`` (1, 1).
    keep_prob : float, default 0.5
        Probability :math:`p` of keeping a hidden unit.

    Returns
    -------
    A3 : numpy.ndarray, shape (1, m)
        Output probabilities.
    cache : tuple
        ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)`` where ``A1``/``A2`` are
        the activations *after* masking and scaling and ``D1``/``D2`` the 0/1 masks.

    Notes
    -----
    ``np.random.seed(1)``, then, with :math:`\odot` elementwise and :math:`U_l` uniform
    draws of the shape of :math:`A_l`:

    .. math::

        Z1 &= W1 X + b1, & A1 &= \mathrm{relu}(Z1), & D1 &= [U_1 < p],
        & A1 &\leftarrow A1 \odot D1 / p \\
        Z2 &= W2 A1 + b2, & A2 &= \mathrm{relu}(Z2), & D2 &= [U_2 < p],
        & A2 &\leftarrow A2 \odot D2 / p \\
        Z3 &= W3 A2 + b3, & A3 &= \sigma(Z3)

    ``D1`` is drawn before ``Z2`` is computed, and the output layer is never dropped.
    Dividing by :math:`p` keeps :math:`\mathbb{E}[A_l]` equal to its value without dropout.
    """
    np.random.seed(DROPOUT_SEED)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = relu(Z1)
    D1 = dropout_mask(A1.shape, keep_prob)
    A1 = A1 * D1 / keep_prob

    Z2 = np.dot(W2, A1) + b2
    A2 = relu(Z2)
    D2 = dropout_mask(A2.shape, keep_prob)
    A2 = A2 * D2 / keep_prob

    Z3 = np.dot(W3, A2) + b3
    A3 = sigmoid(Z3)
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def backward_propagation_with_dropout(
    X: np.ndarray, Y: np.ndarray, cache: tuple, keep_prob: float
) -> dict[str, np.ndarray]:
    r"""Gradients of the mean cross-entropy through the dropout forward pass.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
    Y : numpy.ndarray, shape (1, m)
    cache : tuple
        ``(Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)`` from
        :func:`forward_propagation_with_dropout`.
    keep_prob : float
        The :math:`p` used in the forward pass.

    Returns
    -------
    gradients : dict
        Keys ``dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1``.

    Notes
    -----
    With :math:`m` = ``X.shape[1]``, :math:`\odot` elementwise, the same masks as the forward
    pass, and the cached (masked, scaled) :math:`A1, A2`:

    .. math::

        dZ3 &= A3 - Y, & dW3 &= \tfrac{1}{m} dZ3\, A2^T,
        & db3 &= \tfrac{1}{m}\textstyle\sum_{\text{cols}} dZ3 \\
        dA2 &= (W3^T dZ3) \odot D2 / p, & dZ2 &= dA2 \odot [A2 > 0],
        & dW2 &= \tfrac{1}{m} dZ2\, A1^T, \quad db2 = \tfrac{1}{m}\textstyle\sum dZ2 \\
        dA1 &= (W2^T dZ2) \odot D1 / p, & dZ1 &= dA1 \odot [A1 > 0],
        & dW1 &= \tfrac{1}{m} dZ1\, X^T, \quad db1 = \tfrac{1}{m}\textstyle\sum dZ1

    Sums run over columns with ``keepdims=True``. Testing :math:`[A_l > 0]` on the masked
    activation is equivalent to testing :math:`Z_l > 0` on kept units, and dropped units
    already have :math:`dA_l = 0`.
    """
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3) * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2) * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)

    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    return dict(zip(GRADIENT_KEYS, values, strict=True))
