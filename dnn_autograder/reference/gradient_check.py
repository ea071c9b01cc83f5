r"""Reference answers for the *Gradient Checking* notebook.

Two parts: a one-parameter warm-up (:math:`J(\theta) = \theta x`) and the N-dimensional check
on the notebook's fixed three-layer net (``W1`` 5x4, ``b1`` 5x1, ``W2`` 3x5, ``b2`` 3x1,
``W3`` 1x3, ``b3`` 1x1; ``X`` is 4 x m). The notebook's own ``backward_propagation_n``
contains two planted bugs (in ``dW2`` and ``db1``) for the student to find; the reference
version here is correct.

All functions are pure; the keyword-only hooks let the grader pass in the student's (or the
course's) forward/backward functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from dnn_autograder.course_helpers.gc_utils import (
    dictionary_to_vector,
    forward_propagation_n,  # the notebook gives it (not graded): one implementation, the course helper's
    gradients_to_vector,
    vector_to_dictionary,
)
from dnn_autograder.reference.regularization import GRADIENT_KEYS

__all__ = [
    "GRADIENT_CHECK_THRESHOLD",
    "relative_difference",
    "forward_propagation",
    "backward_propagation",
    "gradient_check",
    "forward_propagation_n",
    "backward_propagation_n",
    "gradient_check_n",
]

#: Relative difference below which the course declares the gradient correct.
GRADIENT_CHECK_THRESHOLD = 2e-7


def relative_difference(grad, gradapprox) -> float:
    r"""Normalised distance between an analytic and a numerical gradient.

    Notes
    -----
    :math:`\mathrm{difference} = \dfrac{\|grad - gradapprox\|_2}
    {\|grad\|_2 + \|gradapprox\|_2}` with ``np.linalg.norm`` (Euclidean norm of the flattened
    vectors; Frobenius for a column). It lies in :math:`[0, 1]`; 0 when both are zero vectors
    is returned as 0 rather than NaN.
    """
    grad = np.asarray(grad, dtype=float)
    gradapprox = np.asarray(gradapprox, dtype=float)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return 0.0 if denominator == 0 else float(numerator / denominator)


def _verdict(difference: float) -> str:
    if difference > GRADIENT_CHECK_THRESHOLD:
        return f"There is a mistake in the backward propagation! difference = {difference}"
    return f"Your backward propagation works perfectly fine! difference = {difference}"


def forward_propagation(x, theta):
    r"""Linear cost of the warm-up exercise.

    Parameters
    ----------
    x, theta : float or numpy.ndarray
        Input and parameter.

    Returns
    -------
    J : float or numpy.ndarray

    Notes
    -----
    :math:`J = \theta x` (``theta * x``, elementwise for arrays).
    """
    return theta * x


def backward_propagation(x, theta):
    r"""Derivative of the warm-up cost :func:`forward_propagation` with respect to ``theta``.

    Returns
    -------
    dtheta : float or numpy.ndarray

    Notes
    -----
    :math:`J = \theta x \Rightarrow dtheta = \partial J / \partial\theta = x`.
    """
    return x


def gradient_check(
    x,
    theta,
    epsilon: float = 1e-7,
    print_msg: bool = False,
    *,
    forward_propagation: Callable = forward_propagation,
    backward_propagation: Callable = backward_propagation,
) -> float:
    r"""Compare the analytic derivative of :math:`J(\theta)` with a two-sided difference.

    Parameters
    ----------
    x, theta : float or numpy.ndarray
        Input and parameter of the warm-up cost.
    epsilon : float, default 1e-7
        Step :math:`\varepsilon` of the central difference.
    print_msg : bool, default False
        Print a one-line verdict against the threshold ``2e-7``.
    forward_propagation, backward_propagation : callable, keyword-only
        ``J(x, theta)`` and ``dJ/dtheta(x, theta)``; default to this module's functions.

    Returns
    -------
    difference : float

    Notes
    -----
    .. math::

        gradapprox = \frac{J(\theta + \varepsilon) - J(\theta - \varepsilon)}{2\varepsilon},
        \qquad
        difference = \frac{\|grad - gradapprox\|_2}{\|grad\|_2 + \|gradapprox\|_2}

    with :math:`grad` = ``backward_propagation(x, theta)``. The central difference has error
    :math:`O(\varepsilon^2)` against :math:`O(\varepsilon)` for a one-sided one.
    """
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    difference = relative_difference(grad, gradapprox)
    if print_msg:
        print(_verdict(difference))
    return difference


def backward_propagation_n(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    r"""Correct gradients of :func:`forward_propagation_n`'s cost.

    Returns
    -------
    gradients : dict
        Keys ``dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1``.

    Notes
    -----
    With :math:`m` = ``X.shape[1]``, :math:`A_0 = X`, :math:`[\cdot]` the 0/1 indicator:
    :math:`dZ3 = A3 - Y`; for :math:`l = 3, 2, 1`:
    :math:`dW_l = \frac{1}{m} dZ_l A_{l-1}^T`,
    :math:`db_l = \frac{1}{m}\sum_{cols} dZ_l` (``keepdims=True``),
    :math:`dA_{l-1} = W_l^T dZ_l`, :math:`dZ_{l-1} = dA_{l-1} \odot [A_{l-1} > 0]`.
    The notebook's version multiplies ``dW2`` by 2 and uses ``4/m`` in ``db1``; this one has
    neither bug.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    return dict(zip(GRADIENT_KEYS, values, strict=True))


def gradient_check_n(
    parameters: Mapping[str, np.ndarray],
    gradients: Mapping[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    epsilon: float = 1e-7,
    print_msg: bool = False,
    *,
    forward_propagation_n: Callable = forward_propagation_n,
) -> float:
    r"""Check ``gradients`` against central differences of the cost, one parameter at a time.

    Parameters
    ----------
    parameters : mapping
        ``W1, b1, W2, b2, W3, b3`` of the fixed net.
    gradients : mapping
        Output of a backward pass (``dW1, db1, ..., db3`` are used).
    X, Y : numpy.ndarray
        Data for the cost.
    epsilon : float, default 1e-7
        Step :math:`\varepsilon`.
    print_msg : bool, default False
        Print a one-line verdict against the threshold ``2e-7``.
    forward_propagation_n : callable, keyword-only
        ``(X, Y, parameters) -> (cost, cache)``; defaults to this module's function.

    Returns
    -------
    difference : float

    Notes
    -----
    :math:`\theta` = ``dictionary_to_vector(parameters)[0]`` (47 x 1) and
    :math:`grad` = ``gradients_to_vector(gradients)``. For each :math:`i`, with
    :math:`e_i` the i-th unit vector and ``J`` the cost of
    ``forward_propagation_n(X, Y, vector_to_dictionary(.))``:

    .. math::

        gradapprox_i = \frac{J(\theta + \varepsilon e_i) - J(\theta - \varepsilon e_i)}
                            {2\varepsilon}, \qquad
        difference = \frac{\|grad - gradapprox\|_2}{\|grad\|_2 + \|gradapprox\|_2}
    """
    parameters_values, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    num_parameters = parameters_values.shape[0]
    J_plus = np.zeros((num_parameters, 1))
    J_minus = np.zeros((num_parameters, 1))
    gradapprox = np.zeros((num_parameters, 1))
    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] = theta_plus[i] + epsilon
        J_plus[i] = forward_propagation_n(X, Y, vector_to_dictionary(theta_plus))[0]
        theta_minus = np.copy(parameters_values)
        theta_minus[i] = theta_minus[i] - epsilon
        J_minus[i] = forward_propagation_n(X, Y, vector_to_dictionary(theta_minus))[0]
        gradapprox[i] = (J_plus[i] - J_minus[i]) / (2 * epsilon)
    difference = relative_difference(grad, gradapprox)
    if print_msg:
        print(_verdict(difference))
    return difference
