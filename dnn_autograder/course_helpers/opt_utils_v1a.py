r"""Stand-in for the course's ``opt_utils_v1a`` (the *Optimization Methods* notebook's helpers).

numpy and the stdlib only; the course's names and signatures. Differences from the course, all
deliberate:

* ``load_dataset`` builds the "moons" set with numpy (the course calls scikit-learn's
  ``make_moons``); similar in kind, not identical, and no global seed is set;
* plotting functions are no-ops (no display in the sandbox);
* ``compute_cost`` skips ``0 * log 0`` terms (``nansum``) like the other helper modules.

Note that here, unlike in ``reg_utils``/``init_utils``, :func:`compute_cost` returns the *sum*
of the per-example losses: the v1a notebook accumulates it over mini-batches and divides by
``m`` once per epoch.
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
)

__all__ = [
    "sigmoid",
    "relu",
    "load_params_and_grads",
    "initialize_parameters",
    "compute_cost",
    "forward_propagation",
    "backward_propagation",
    "predict",
    "predict_dec",
    "plot_decision_boundary",
    "load_dataset",
]

#: Standard deviation of the Gaussian noise added to the moons.
MOONS_NOISE = 0.2


def load_params_and_grads(seed: int = 1):
    r"""Random parameters and gradients of a 2-layer net, for trying an update rule by hand.

    Returns
    -------
    W1, b1, W2, b2, dW1, db1, dW2, db2 : numpy.ndarray
        Shapes (2, 3), (2, 1), (3, 3), (3, 1), then the same four shapes for the gradients.

    Notes
    -----
    Calls ``np.random.seed(seed)`` on the global legacy generator (course convention) and draws
    the eight arrays with ``np.random.randn`` in the order returned.
    """
    np.random.seed(seed)
    shapes = ((2, 3), (2, 1), (3, 3), (3, 1)) * 2
    return tuple(np.random.randn(*shape) for shape in shapes)


def initialize_parameters(layer_dims) -> dict[str, np.ndarray]:
    r"""He initialisation, as used by the optimisation notebook's model.

    Notes
    -----
    Calls ``np.random.seed(3)`` on the global legacy generator (course convention), then for
    :math:`l = 1..L` in order:
    :math:`W_l = \mathrm{randn}(n_l, n_{l-1}) \cdot \sqrt{2 / n_{l-1}}`, :math:`b_l = 0`
    of shape ``(n_l, 1)`` (He et al., 2015).
    """
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layer_dims)):
        n_l, n_prev = layer_dims[l], layer_dims[l - 1]
        parameters[f"W{l}"] = np.random.randn(n_l, n_prev) * np.sqrt(2 / n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters


def compute_cost(a3: np.ndarray, Y: np.ndarray) -> float:
    r"""*Summed* binary cross-entropy over the examples of a mini-batch.

    Notes
    -----
    :math:`\mathrm{cost\_total} = \mathrm{nansum}\big(-\log(a3) \odot Y
    - \log(1 - a3) \odot (1 - Y)\big)`; no division by :math:`m` (the caller averages).
    """
    return cross_entropy_sum(a3, Y)


def forward_propagation(X: np.ndarray, parameters):
    r"""LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID; returns ``(a3, cache)``.

    See :func:`dnn_autograder.course_helpers.common.forward_three_layer`.
    """
    return forward_three_layer(X, parameters)


def backward_propagation(X: np.ndarray, Y: np.ndarray, cache: tuple) -> dict[str, np.ndarray]:
    r"""Gradients of the *mean* cross-entropy (keys ``dz3 ... db1``).

    See :func:`dnn_autograder.course_helpers.common.backward_three_layer`.
    """
    return backward_three_layer(X, Y, cache)


def _moons(rng: np.random.RandomState, n: int):
    r"""Two interleaved half circles with Gaussian noise.

    Label 0: :math:`(\cos t, \sin t)`; label 1: :math:`(1 - \cos t, 0.5 - \sin t)`, with
    :math:`t` uniform on :math:`[0, \pi]`; noise :math:`\mathcal{N}(0, \mathrm{MOONS\_NOISE}^2)`
    per coordinate; the order is shuffled.
    """
    n_first = n // 2
    labels = np.concatenate([np.zeros(n_first), np.ones(n - n_first)])
    t = rng.uniform(0.0, np.pi, size=n)
    x = np.where(labels == 0, np.cos(t), 1.0 - np.cos(t))
    y = np.where(labels == 0, np.sin(t), 0.5 - np.sin(t))
    points = np.stack([x, y], axis=1) + rng.normal(0.0, MOONS_NOISE, size=(n, 2))
    order = rng.permutation(n)
    return points[order], labels[order]


def load_dataset():
    r"""The optimisation notebook's data: 300 "moons" training points.

    Returns
    -------
    train_X : numpy.ndarray, shape (2, 300)
    train_Y : numpy.ndarray of int, shape (1, 300)

    Notes
    -----
    Deterministic (``RandomState(3)``, the seed the course uses); the global generator is not
    touched.
    """
    return labelled_points(300, 3, _moons)
