r"""Stand-in for the course's ``reg_utils`` (the *Regularization* notebook's helpers).

numpy and the stdlib only; the course's names and signatures. Differences from the course, all
deliberate:

* ``load_2D_dataset`` synthesises a noisy two-class 2-D set with numpy (the course reads the
  "goalkeeper" set from ``datasets/data.mat``); sizes match (211 training, 200 test points);
* plotting functions are no-ops (no display in the sandbox);
* ``update_parameters`` returns a new dictionary instead of updating in place.
"""

from __future__ import annotations

import numpy as np

from .common import (
    backward_three_layer,
    cross_entropy_sum,
    forward_three_layer,
    labelled_points,
    plot_decision_boundary,
    predict,
    predict_dec,
    relu,
    sigmoid,
    update_parameters,
)

__all__ = [
    "sigmoid",
    "relu",
    "initialize_parameters",
    "compute_cost",
    "forward_propagation",
    "backward_propagation",
    "update_parameters",
    "predict",
    "predict_dec",
    "plot_decision_boundary",
    "load_2D_dataset",
]

#: Fraction of labels flipped in :func:`load_2D_dataset` (gives the notebook something to
#: overfit).
LABEL_NOISE = 0.08


def initialize_parameters(layer_dims) -> dict[str, np.ndarray]:
    r"""The course's scaled-Gaussian initialisation for the regularisation model.

    Parameters
    ----------
    layer_dims : sequence of int
        ``[n_0, n_1, ..., n_L]``, ``n_0`` the input size.

    Returns
    -------
    parameters : dict
        ``W{l}`` of shape ``(n_l, n_{l-1})`` and ``b{l}`` of shape ``(n_l, 1)``.

    Notes
    -----
    Calls ``np.random.seed(3)`` on numpy's global legacy generator (course convention), then
    for :math:`l = 1..L` in order: :math:`W_l = \mathrm{randn}(n_l, n_{l-1}) / \sqrt{n_{l-1}}`,
    :math:`b_l = 0`.
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_l, n_prev = layer_dims[l], layer_dims[l - 1]
        parameters[f"W{l}"] = np.random.randn(n_l, n_prev) / np.sqrt(n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters


def compute_cost(a3: np.ndarray, Y: np.ndarray) -> float:
    r"""Mean binary cross-entropy (no regularisation term).

    Parameters
    ----------
    a3 : numpy.ndarray, shape (1, m)
        Predicted probabilities.
    Y : numpy.ndarray, shape (1, m)
        Labels in ``{0, 1}``.

    Returns
    -------
    cost : float

    Notes
    -----
    :math:`\mathrm{logprobs} = -\log(a3) \odot Y + (-\log(1 - a3)) \odot (1 - Y)`,
    :math:`\mathrm{cost} = \frac{1}{m}\,\mathrm{nansum}(\mathrm{logprobs})`, :math:`m` =
    ``Y.shape[1]``.
    """
    m = Y.shape[1]
    return 1.0 / m * cross_entropy_sum(a3, Y)


def forward_propagation(X: np.ndarray, parameters):
    r"""LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID; returns ``(a3, cache)``.

    See :func:`dnn_autograder.course_helpers.common.forward_three_layer`; ``cache`` is
    ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``.
    """
    return forward_three_layer(X, parameters)


def backward_propagation(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    r"""Gradients of :func:`compute_cost` through :func:`forward_propagation`.

    See :func:`dnn_autograder.course_helpers.common.backward_three_layer` (keys ``dz3 ... db1``).
    """
    return backward_three_layer(X, Y, cache)


def _two_regions(rng: np.random.RandomState, n: int):
    r"""Uniform points on :math:`[-0.75, 0.75]^2`, labelled by a wavy boundary.

    Label 1 when :math:`x_2 > 0.2 \sin(3 x_1) - 0.1 x_1`, then a fraction ``LABEL_NOISE`` of
    labels (chosen at random) is flipped.
    """
    points = rng.uniform(-0.75, 0.75, size=(n, 2))
    labels = (points[:, 1] > 0.2 * np.sin(3.0 * points[:, 0]) - 0.1 * points[:, 0]).astype(int)
    flip = rng.uniform(size=n) < LABEL_NOISE
    return points, np.where(flip, 1 - labels, labels)


def load_2D_dataset():
    r"""The *Regularization* notebook's data: 211 training and 200 test points in 2-D.

    Returns
    -------
    train_X : numpy.ndarray, shape (2, 211)
    train_Y : numpy.ndarray of int, shape (1, 211)
    test_X : numpy.ndarray, shape (2, 200)
    test_Y : numpy.ndarray of int, shape (1, 200)

    Notes
    -----
    Deterministic (``RandomState(11)`` for training, ``RandomState(12)`` for test); the global
    numpy generator is not touched.
    """
    train_X, train_Y = labelled_points(211, 11, _two_regions)
    test_X, test_Y = labelled_points(200, 12, _two_regions)
    return train_X, train_Y, test_X, test_Y
