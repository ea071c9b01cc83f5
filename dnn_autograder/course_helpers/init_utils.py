r"""Stand-in for the course's ``init_utils`` (the *Initialization* notebook's helpers).

numpy and the stdlib only. The public names and signatures are the course's, so notebooks that
run ``from init_utils import compute_loss, forward_propagation`` work unchanged in the sandbox.
Differences from the course, all deliberate:

* ``load_dataset`` builds the two "circles" sets with numpy (the course calls scikit-learn's
  ``make_circles``); the points are similar in kind, not identical, and no global seed is set.
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
    "compute_loss",
    "forward_propagation",
    "backward_propagation",
    "update_parameters",
    "predict",
    "predict_dec",
    "plot_decision_boundary",
    "load_dataset",
]

#: Radius of the inner circle relative to the outer one, and the Gaussian noise level.
CIRCLES_FACTOR = 0.8
CIRCLES_NOISE = 0.05


def compute_loss(a3: np.ndarray, Y: np.ndarray) -> float:
    r"""Mean binary cross-entropy of the network's output.

    Parameters
    ----------
    a3 : numpy.ndarray, shape (1, m)
        Output of :func:`forward_propagation`.
    Y : numpy.ndarray, shape (1, m)
        Labels in ``{0, 1}``.

    Returns
    -------
    loss : float

    Notes
    -----
    :math:`\mathrm{loss} = \frac{1}{m}\,\mathrm{nansum}\big(-\log(a3) \odot Y
    - \log(1 - a3) \odot (1 - Y)\big)` with :math:`m` = ``Y.shape[1]``; NaN terms
    (``0 * log 0``) are skipped as in the course.
    """
    m = Y.shape[1]
    return 1.0 / m * cross_entropy_sum(a3, Y)


def forward_propagation(X: np.ndarray, parameters):
    r"""LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID; returns ``(a3, cache)``.

    See :func:`dnn_autograder.course_helpers.common.forward_three_layer` for the equations; ``cache`` is
    ``(z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)``.
    """
    return forward_three_layer(X, parameters)


def backward_propagation(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    r"""Gradients of :func:`compute_loss` through :func:`forward_propagation`.

    Returns the course's keys ``dz3, dW3, db3, da2, dz2, dW2, db2, da1, dz1, dW1, db1``; see
    :func:`dnn_autograder.course_helpers.common.backward_three_layer` for the equations (``dz3`` already
    carries the factor :math:`1/m`).
    """
    return backward_three_layer(X, Y, cache)


def _circles(rng: np.random.RandomState, n: int):
    r"""Two noisy concentric circles: label 0 on radius 1, label 1 on radius ``CIRCLES_FACTOR``.

    Angles are uniform on :math:`[0, 2\pi)`; each coordinate gets
    :math:`\mathcal{N}(0, \mathrm{CIRCLES\_NOISE}^2)` noise; the order is shuffled.
    """
    n_outer = n // 2
    labels = np.concatenate([np.zeros(n_outer), np.ones(n - n_outer)])
    radius = np.where(labels == 0, 1.0, CIRCLES_FACTOR)
    angle = rng.uniform(0.0, 2.0 * np.pi, size=n)
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points = points + rng.normal(0.0, CIRCLES_NOISE, size=points.shape)
    order = rng.permutation(n)
    return points[order], labels[order]


def load_dataset():
    r"""The *Initialization* notebook's data: 300 training and 100 test points on two circles.

    Returns
    -------
    train_X : numpy.ndarray, shape (2, 300)
    train_Y : numpy.ndarray of int, shape (1, 300)
    test_X : numpy.ndarray, shape (2, 100)
    test_Y : numpy.ndarray of int, shape (1, 100)

    Notes
    -----
    Deterministic: the training set comes from ``RandomState(1)`` and the test set from
    ``RandomState(2)`` (the seeds the course passes to ``np.random.seed``); the global numpy
    generator is not touched.
    """
    train_X, train_Y = labelled_points(300, 1, _circles)
    test_X, test_Y = labelled_points(100, 2, _circles)
    return train_X, train_Y, test_X, test_Y
