r"""Stand-in for the course's ``gc_utils`` (the *Gradient Checking* notebook's helpers).

numpy and the stdlib only; the course's names and signatures. :func:`forward_propagation_n` is the
notebook's own cost of its net (given to learners, not graded): the grader's reference uses it, and
the gradient checks' stand-in for it is answered by it in the sandbox (spec key ``observed``); it is
left out of ``__all__``, as the course's module does not define it. The notebook's network is fixed:
``W1`` (5, 4), ``b1`` (5, 1), ``W2`` (3, 5), ``b2`` (3, 1), ``W3`` (1, 3), ``b3`` (1, 1), i.e.
47 parameters, flattened into one column in the order W1, b1, W2, b2, W3, b3. Each block is
flattened row-major (``reshape(-1, 1)``), so :func:`vector_to_dictionary` inverts
:func:`dictionary_to_vector` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .common import forward_three_layer, relu, sigmoid

__all__ = [
    "sigmoid",
    "relu",
    "PARAMETER_SHAPES",
    "dictionary_to_vector",
    "vector_to_dictionary",
    "gradients_to_vector",
]

#: The fixed network's parameter names and shapes, in flattening order.
PARAMETER_SHAPES: tuple[tuple[str, tuple[int, int]], ...] = (
    ("W1", (5, 4)),
    ("b1", (5, 1)),
    ("W2", (3, 5)),
    ("b2", (3, 1)),
    ("W3", (1, 3)),
    ("b3", (1, 1)),
)


def dictionary_to_vector(parameters: Mapping[str, np.ndarray]):
    r"""Flatten the six parameter arrays into one column vector.

    Parameters
    ----------
    parameters : mapping
        ``W1, b1, W2, b2, W3, b3`` with the shapes of ``PARAMETER_SHAPES``.

    Returns
    -------
    theta : numpy.ndarray, shape (47, 1)
        :math:`\theta = [\mathrm{vec}(W1); \mathrm{vec}(b1); \dots; \mathrm{vec}(b3)]`, each
        block ``reshape(-1, 1)`` (row-major).
    keys : list of str
        One entry per element of ``theta``: the name of the array it came from (as in the
        course, e.g. twenty ``"W1"`` followed by five ``"b1"``).

    Notes
    -----
    ``theta[0:20]`` is ``W1`` row by row, ``[20:25]`` ``b1``, ``[25:40]`` ``W2``,
    ``[40:43]`` ``b2``, ``[43:46]`` ``W3``, ``[46:47]`` ``b3``.
    """
    blocks = []
    keys: list[str] = []
    for name, _ in PARAMETER_SHAPES:
        block = np.reshape(parameters[name], (-1, 1))
        blocks.append(block)
        keys.extend([name] * block.shape[0])
    return np.concatenate(blocks, axis=0), keys


def vector_to_dictionary(theta: np.ndarray) -> dict[str, np.ndarray]:
    r"""Inverse of :func:`dictionary_to_vector`.

    Parameters
    ----------
    theta : numpy.ndarray, shape (47, 1)

    Returns
    -------
    parameters : dict
        ``W1 = theta[:20]`` as (5, 4), ``b1 = theta[20:25]`` as (5, 1),
        ``W2 = theta[25:40]`` as (3, 5), ``b2 = theta[40:43]`` as (3, 1),
        ``W3 = theta[43:46]`` as (1, 3), ``b3 = theta[46:47]`` as (1, 1); each a new array
        (copies, so editing one never changes ``theta``).

    Notes
    -----
    Each block is ``theta[start:start + rows * cols].reshape(rows, cols)`` (row-major), the
    exact inverse of the flattening in :func:`dictionary_to_vector`.
    """
    theta = np.asarray(theta)
    parameters = {}
    start = 0
    for name, shape in PARAMETER_SHAPES:
        size = shape[0] * shape[1]
        parameters[name] = theta[start:start + size].reshape(shape).copy()
        start += size
    return parameters


def gradients_to_vector(gradients: Mapping[str, np.ndarray]) -> np.ndarray:
    r"""Flatten ``dW1, db1, dW2, db2, dW3, db3`` into one (47, 1) column, like ``theta``.

    Notes
    -----
    Same order and row-major flattening as :func:`dictionary_to_vector`, so element :math:`i`
    of the result is :math:`\partial J / \partial \theta_i`. Other keys (``dZ3``, ``dA2``, ...)
    are ignored.
    """
    blocks = [np.reshape(gradients["d" + name], (-1, 1)) for name, _ in PARAMETER_SHAPES]
    return np.concatenate(blocks, axis=0)


def forward_propagation_n(X: np.ndarray, Y: np.ndarray, parameters: Mapping[str, np.ndarray]):
    r"""Cost of the fixed LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID net.

    Parameters
    ----------
    X : numpy.ndarray, shape (4, m)
    Y : numpy.ndarray, shape (1, m)
        Labels in ``{0, 1}`` (a flat ``(m,)`` array broadcasts the same way).
    parameters : mapping
        ``W1, b1, W2, b2, W3, b3``.

    Returns
    -------
    cost : float
    cache : tuple
        ``(Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)``.

    Notes
    -----
    :math:`Z1 = W1 X + b1`, :math:`A1 = \mathrm{relu}(Z1)`, :math:`Z2 = W2 A1 + b2`,
    :math:`A2 = \mathrm{relu}(Z2)`, :math:`Z3 = W3 A2 + b3`, :math:`A3 = \sigma(Z3)`, and
    with :math:`m` = ``X.shape[1]``
    :math:`cost = \frac{1}{m}\sum\big(-\log(A3)\odot Y - \log(1 - A3)\odot(1 - Y)\big)`
    (a plain ``np.sum``: a saturated output gives ``nan``/``inf`` and the check shows it).
    """
    m = X.shape[1]
    A3, cache = forward_three_layer(X, parameters)
    logprobs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1.0 / m * np.sum(logprobs)
    return float(cost), cache
