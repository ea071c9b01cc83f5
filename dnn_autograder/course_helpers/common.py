r"""Shared numerics for the course helper modules (numpy and the stdlib only).

The course ships one helper module per notebook (``init_utils``, ``reg_utils``, ``gc_utils``,
``opt_utils_v1a``); they repeat the same activation functions and the same fixed three-layer
network. This module holds one copy of each, and the helper modules re-export them under the
course's names.

This module is loaded inside the grading sandbox, where only numpy, :mod:`math` and the stdlib
are importable: it must never import ``reference``, ``grader`` or ``assignments``.

Unlike the course's code, every function here is pure: inputs are never modified and
parameter updates return new dictionaries (the course updates ``parameters`` in place and also
returns it, so callers that use the return value see the same result).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

#: Gradient keys returned by the three-layer backward pass, in the course's order.
THREE_LAYER_GRAD_KEYS = (
    "dz3", "dW3", "db3", "da2", "dz2", "dW2", "db2", "da1", "dz1", "dW1", "db1",
)


def sigmoid(x):
    r"""Logistic sigmoid, elementwise.

    Parameters
    ----------
    x : scalar or numpy.ndarray
        Pre-activation of any shape.

    Returns
    -------
    s : scalar or numpy.ndarray
        Same shape as ``x``, values in ``[0, 1]``.

    Notes
    -----
    :math:`s = 1 / (1 + e^{-x})`, computed as :math:`1/(1+z)` for :math:`x \ge 0` and
    :math:`z/(1+z)` for :math:`x < 0`, with :math:`z = e^{-|x|}`, so that :math:`e^{\cdot}` never
    overflows. Both branches equal the textbook formula in exact arithmetic.
    """
    x = np.asarray(x, dtype=float)
    z = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return s[()] if s.ndim == 0 else s


def relu(x):
    r"""Rectified linear unit, elementwise.

    Parameters
    ----------
    x : scalar or numpy.ndarray
        Pre-activation of any shape.

    Returns
    -------
    s : scalar or numpy.ndarray
        Same shape as ``x``.

    Notes
    -----
    :math:`s = \max(0, x)` elementwise (``np.maximum(0, x)``).
    """
    return np.maximum(0, x)


def cross_entropy_sum(a3: np.ndarray, Y: np.ndarray) -> float:
    r"""Summed binary cross-entropy, ignoring ``0 * log(0)`` terms.

    Parameters
    ----------
    a3 : numpy.ndarray, shape (1, m)
        Predicted probabilities.
    Y : numpy.ndarray, shape (1, m)
        Labels in ``{0, 1}``.

    Returns
    -------
    total : float
        :math:`\sum_i \mathrm{logprobs}_i` with
        :math:`\mathrm{logprobs} = -\log(a3) \odot Y + (-\log(1 - a3)) \odot (1 - Y)`.

    Notes
    -----
    The sum is ``np.nansum``: when ``a3`` is exactly 0 or 1 the product ``inf * 0`` is NaN and
    is skipped, as in the course (a saturated wrong prediction still gives ``inf``).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
        return float(np.nansum(logprobs))


def forward_three_layer(X: np.ndarray, parameters: Mapping[str, np.ndarray]):
    r"""Forward pass of the course's LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID network.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
        Inputs, one example per column.
    parameters : mapping
        ``W1`` (n1, n_x), ``b1`` (n1, 1), ``W2`` (n2, n1), ``b2`` (n2, 1), ``W3`` (1, n2),
        ``b3`` (1, 1).

    Returns
    -------
    a3 : numpy.ndarray, shape (1, m)
        Output probabilities.
    cache : tuple
        ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``.

    Notes
    -----
    :math:`z1 = W1 X + b1`, :math:`a1 = \mathrm{relu}(z1)`, :math:`z2 = W2 a1 + b2`,
    :math:`a2 = \mathrm{relu}(z2)`, :math:`z3 = W3 a2 + b3`, :math:`a3 = \sigma(z3)`; the
    biases broadcast across the ``m`` columns.
    """
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    z1 = np.dot(W1, X) + b1
    a1 = relu(z1)
    z2 = np.dot(W2, a1) + b2
    a2 = relu(z2)
    z3 = np.dot(W3, a2) + b3
    a3 = sigmoid(z3)
    return a3, (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)


def backward_three_layer(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    r"""Backward pass of :func:`forward_three_layer` for the mean cross-entropy cost.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
    Y : numpy.ndarray, shape (1, m)
    cache : tuple
        As returned by :func:`forward_three_layer`.

    Returns
    -------
    gradients : dict
        Keys ``THREE_LAYER_GRAD_KEYS`` (lower-case ``dz``/``da`` as in the course).

    Notes
    -----
    With :math:`m` = ``X.shape[1]`` the course folds :math:`1/m` into the first error term:
    :math:`dz3 = \frac{1}{m}(a3 - Y)`, :math:`dW3 = dz3\, a2^T`,
    :math:`db3 = \sum_{cols} dz3`, :math:`da2 = W3^T dz3`, :math:`dz2 = da2 \odot [a2 > 0]`,
    :math:`dW2 = dz2\, a1^T`, :math:`db2 = \sum_{cols} dz2`, :math:`da1 = W2^T dz2`,
    :math:`dz1 = da1 \odot [a1 > 0]`, :math:`dW1 = dz1\, X^T`, :math:`db1 = \sum_{cols} dz1`
    (sums keep a column axis; :math:`[\cdot]` is the 0/1 indicator).
    """
    m = X.shape[1]
    (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3) = cache
    dz3 = 1.0 / m * (a3 - Y)
    dW3 = np.dot(dz3, a2.T)
    db3 = np.sum(dz3, axis=1, keepdims=True)
    da2 = np.dot(W3.T, dz3)
    dz2 = np.multiply(da2, np.int64(a2 > 0))
    dW2 = np.dot(dz2, a1.T)
    db2 = np.sum(dz2, axis=1, keepdims=True)
    da1 = np.dot(W2.T, dz2)
    dz1 = np.multiply(da1, np.int64(a1 > 0))
    dW1 = np.dot(dz1, X.T)
    db1 = np.sum(dz1, axis=1, keepdims=True)
    values = (dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1)
    return dict(zip(THREE_LAYER_GRAD_KEYS, values, strict=True))


def update_parameters(parameters: Mapping[str, np.ndarray], grads: Mapping[str, np.ndarray],
                      learning_rate: float) -> dict[str, np.ndarray]:
    r"""One gradient-descent step on every layer, returning a new dictionary.

    Notes
    -----
    For :math:`l = 1..L` with :math:`L` = ``len(parameters) // 2``:
    :math:`W_l \leftarrow W_l - \alpha\, dW_l`, :math:`b_l \leftarrow b_l - \alpha\, db_l`,
    :math:`\alpha` = ``learning_rate``. The course updates in place; this returns new arrays.
    """
    L = len(parameters) // 2
    new = dict(parameters)
    for k in range(1, L + 1):
        new[f"W{k}"] = parameters[f"W{k}"] - learning_rate * grads[f"dW{k}"]
        new[f"b{k}"] = parameters[f"b{k}"] - learning_rate * grads[f"db{k}"]
    return new


def predict(X: np.ndarray, y: np.ndarray, parameters: Mapping[str, np.ndarray]) -> np.ndarray:
    r"""Threshold the network's output at 0.5 and print the accuracy, as the course does.

    Returns
    -------
    p : numpy.ndarray of int, shape (1, m)
        :math:`p_i = [a3_i > 0.5]`.
    """
    a3, _ = forward_three_layer(X, parameters)
    p = (a3 > 0.5).astype(int)
    print("Accuracy: " + str(np.mean(p[0, :] == np.asarray(y).reshape(1, -1)[0, :])))
    return p


def predict_dec(parameters: Mapping[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    r"""Boolean predictions :math:`a3 > 0.5` (used by the course to colour decision plots)."""
    a3, _ = forward_three_layer(X, parameters)
    return a3 > 0.5


def plot_decision_boundary(model: Callable, X: np.ndarray, y: np.ndarray) -> None:
    r"""Do nothing and return None.

    The course draws a contour plot with matplotlib; the grading sandbox has no display, so
    this stand-in keeps the call harmless without importing any plotting library.
    """
    return None


def labelled_points(n: int, seed: int, sampler: Callable) -> tuple[np.ndarray, np.ndarray]:
    r"""Draw ``n`` labelled 2-D points with a private generator (the global one is untouched).

    ``sampler(rng, n)`` returns ``(points, labels)`` with points of shape (n, 2); the result
    is transposed to the course layout: X (2, n) floats, Y (1, n) ints.
    """
    rng = np.random.RandomState(seed)
    points, labels = sampler(rng, n)
    return np.asarray(points, dtype=float).T, np.asarray(labels, dtype=np.int64).reshape(1, n)
