r"""Reference answers for the *Initialization* notebook.

All initialisers take ``layers_dims = [n_0, n_1, ..., n_L]`` (``n_0`` the input size) and
return a dict with ``W{l}`` of shape ``(n_l, n_{l-1})`` and ``b{l}`` of shape ``(n_l, 1)`` for
``l = 1..L``; biases are always zero.

Randomness follows the course convention, kept in one place (:func:`_course_gaussian_weights`):
numpy's *global legacy* generator is reseeded with ``np.random.seed(3)`` at the start of each
call, then ``W1, W2, ..., WL`` are drawn in that order, each with
``np.random.randn(n_l, n_{l-1})`` and multiplied by a per-layer scale. Only that order and
seeding reproduce the notebook's expected numbers, so it is part of the graded behaviour. The
call therefore has one side effect: it resets the global generator's state.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "COURSE_SEED",
    "initialize_parameters_zeros",
    "initialize_parameters_random",
    "initialize_parameters_he",
    "initialize_parameters_xavier",
]

#: Seed the course passes to ``np.random.seed`` before drawing the weights.
COURSE_SEED = 3

#: Multiplier of the standard normal draw in :func:`initialize_parameters_random`.
RANDOM_SCALE = 10.0


def _course_gaussian_weights(layers_dims: Sequence[int],
                             scale: Callable[[int], float]) -> dict[str, np.ndarray]:
    r"""Seed the global generator and draw ``W_l = randn(n_l, n_{l-1}) * scale(n_{l-1})``.

    The single place where the course's seeding convention lives: ``np.random.seed(3)``, then
    one ``np.random.randn`` call per layer in order ``l = 1..L``; biases ``zeros((n_l, 1))``.
    """
    np.random.seed(COURSE_SEED)
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_l, n_prev = layers_dims[l], layers_dims[l - 1]
        parameters[f"W{l}"] = np.random.randn(n_l, n_prev) * scale(n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters


def initialize_parameters_zeros(layers_dims: Sequence[int]) -> dict[str, np.ndarray]:
    r"""All-zero weights and biases (the notebook's example of what *not* to do).

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_0, n_1, ..., n_L]``.

    Returns
    -------
    parameters : dict
        ``W{l} = zeros((n_l, n_{l-1}))``, ``b{l} = zeros((n_l, 1))``.

    Notes
    -----
    :math:`W_l = 0`, :math:`b_l = 0`. Every unit of a layer then computes the same function
    and receives the same gradient, so gradient descent never breaks the symmetry. No random
    numbers are drawn.
    """
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[f"W{l}"] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters


def initialize_parameters_random(layers_dims: Sequence[int]) -> dict[str, np.ndarray]:
    r"""Large Gaussian weights: :math:`W_l = 10\cdot\mathrm{randn}(n_l, n_{l-1})`.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_0, n_1, ..., n_L]``.

    Returns
    -------
    parameters : dict
        ``W{l}`` of shape ``(n_l, n_{l-1})``, ``b{l} = zeros((n_l, 1))``.

    Notes
    -----
    ``np.random.seed(3)`` on the global generator, then for :math:`l = 1..L` in order
    :math:`W_l = \mathrm{randn}(n_l, n_{l-1}) \cdot 10`, :math:`b_l = 0`. The weights have
    standard deviation 10, far too large: the sigmoid output saturates and the first costs
    are huge (or ``inf``). For ``[3, 2, 1]`` the course publishes
    ``W1 = [[17.88628473, 4.36509851, 0.96497468], [-18.63492703, -2.77388203, -3.54758979]]``
    and ``W2 = [[-0.82741481, -6.27000677]]``.
    """
    return _course_gaussian_weights(layers_dims, lambda n_prev: RANDOM_SCALE)


def initialize_parameters_he(layers_dims: Sequence[int]) -> dict[str, np.ndarray]:
    r"""He initialisation: :math:`W_l = \mathrm{randn}(n_l, n_{l-1})\sqrt{2 / n_{l-1}}`.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_0, n_1, ..., n_L]``.

    Returns
    -------
    parameters : dict
        ``W{l}`` of shape ``(n_l, n_{l-1})``, ``b{l} = zeros((n_l, 1))``.

    Notes
    -----
    ``np.random.seed(3)`` on the global generator, then for :math:`l = 1..L` in order
    :math:`W_l = \mathrm{randn}(n_l, n_{l-1}) \cdot \sqrt{2 / n_{l-1}}`, :math:`b_l = 0`, so
    :math:`\mathrm{Var}(W_l) = 2 / n_{l-1}` (fan-in). The factor 2 compensates for ReLU
    zeroing half of its inputs, keeping the activations' variance roughly constant across
    layers (He, Zhang, Ren & Sun, "Delving Deep into Rectifiers", ICCV 2015).
    For ``[2, 4, 1]`` the course publishes
    ``W1 = [[1.78862847, 0.43650985], [0.09649747, -1.8634927], [-0.2773882, -0.35475898],
    [-0.08274148, -0.62700068]]`` and
    ``W2 = [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]]``.
    """
    return _course_gaussian_weights(layers_dims, lambda n_prev: math.sqrt(2.0 / n_prev))


def initialize_parameters_xavier(layers_dims: Sequence[int]) -> dict[str, np.ndarray]:
    r"""Xavier-style initialisation: :math:`W_l = \mathrm{randn}(n_l, n_{l-1})\sqrt{1 / n_{l-1}}`.

    Parameters
    ----------
    layers_dims : sequence of int
        ``[n_0, n_1, ..., n_L]``.

    Returns
    -------
    parameters : dict
        ``W{l}`` of shape ``(n_l, n_{l-1})``, ``b{l} = zeros((n_l, 1))``.

    Notes
    -----
    ``np.random.seed(3)`` on the global generator, then for :math:`l = 1..L` in order
    :math:`W_l = \mathrm{randn}(n_l, n_{l-1}) \cdot \sqrt{1 / n_{l-1}}`, :math:`b_l = 0`,
    i.e. :math:`\mathrm{Var}(W_l) = 1 / n_{l-1}`. This is the fan-in form the course calls
    "Xavier"; Glorot & Bengio ("Understanding the difficulty of training deep feedforward
    neural networks", AISTATS 2010) derive :math:`\mathrm{Var} = 2 / (n_{l-1} + n_l)` as a
    compromise between the forward (fan-in) and backward (fan-out) conditions.
    """
    return _course_gaussian_weights(layers_dims, lambda n_prev: math.sqrt(1.0 / n_prev))
