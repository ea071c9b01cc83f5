r"""Reference answers for the *Optimization Methods* notebook.

Conventions shared by every update rule here:

* ``parameters`` holds ``W1, b1, ..., WL, bL`` (so :math:`L` = ``len(parameters) // 2``);
  ``grads``, and every optimiser state (``v``, ``s``), hold ``dW1, db1, ..., dWL, dbL`` with
  the matching shapes. All arithmetic is elementwise.
* Functions are pure: they return *new* dictionaries and arrays and never modify their inputs.
  The course's code updates ``parameters``, ``v`` and ``s`` in place (and returns them too);
  the grader compares returned values, so both styles are accepted.

The extra rules a student can compare against (RMSProp, AdaGrad, Nesterov momentum) live in
:mod:`dnn_autograder.reference.adaptive`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

__all__ = [
    "layer_names",
    "zeros_like_gradients",
    "update_parameters_with_gd",
    "random_mini_batches",
    "initialize_velocity",
    "update_parameters_with_momentum",
    "initialize_adam",
    "update_parameters_with_adam",
    "update_lr",
    "schedule_lr_decay",
]

Arrays = Mapping[str, np.ndarray]


def layer_names(parameters: Arrays) -> list[str]:
    r"""Parameter names ``["W1", "b1", ..., "WL", "bL"]`` with :math:`L` = ``len // 2``."""
    L = len(parameters) // 2
    return [f"{kind}{l}" for l in range(1, L + 1) for kind in ("W", "b")]


def zeros_like_gradients(parameters: Arrays) -> dict[str, np.ndarray]:
    r"""A state dict ``{"dW1": 0, "db1": 0, ...}`` of zero arrays shaped like the parameters."""
    return {"d" + name: np.zeros_like(parameters[name]) for name in layer_names(parameters)}


def update_parameters_with_gd(parameters: Arrays, grads: Arrays,
                              learning_rate: float) -> dict[str, np.ndarray]:
    r"""One step of (mini-batch) gradient descent.

    Parameters
    ----------
    parameters : mapping
        ``W1, b1, ..., WL, bL``.
    grads : mapping
        ``dW1, db1, ..., dWL, dbL``.
    learning_rate : float
        :math:`\alpha`.

    Returns
    -------
    parameters : dict
        New dictionary with :math:`W_l - \alpha\, dW_l` and :math:`b_l - \alpha\, db_l`.

    Notes
    -----
    For :math:`l = 1..L`: :math:`W_l \leftarrow W_l - \alpha\, dW_l`,
    :math:`b_l \leftarrow b_l - \alpha\, db_l` (Robbins & Monro, 1951, for the stochastic form).
    """
    new = dict(parameters)
    for name in layer_names(parameters):
        new[name] = parameters[name] - learning_rate * grads["d" + name]
    return new


def random_mini_batches(X: np.ndarray, Y: np.ndarray, mini_batch_size: int = 64,
                        seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Shuffle the examples (columns) and cut them into mini-batches.

    Parameters
    ----------
    X : numpy.ndarray, shape (n_x, m)
    Y : numpy.ndarray, shape (n_y, m)
    mini_batch_size : int, default 64
    seed : int, default 0

    Returns
    -------
    mini_batches : list of (mini_batch_X, mini_batch_Y)
        :math:`\lfloor m / size \rfloor` batches of ``size`` columns, then, if
        :math:`m \bmod size \neq 0`, one last batch of the remaining :math:`m \bmod size`
        columns.

    Notes
    -----
    ``np.random.seed(seed)`` on the global legacy generator (course convention), then
    ``permutation = list(np.random.permutation(m))``, ``shuffled_X = X[:, permutation]`` and
    ``shuffled_Y = Y[:, permutation]`` (the same permutation, so each example keeps its
    label; ``Y`` keeps its number of rows). Batch :math:`k` holds shuffled columns
    :math:`k\cdot size` to :math:`\min((k + 1)\,size, m) - 1`.
    """
    m = X.shape[1]
    np.random.seed(seed)
    permutation = list(np.random.permutation(m))
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation]
    num_complete = math.floor(m / mini_batch_size)
    mini_batches = []
    for k in range(num_complete):
        cols = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    if m % mini_batch_size != 0:
        cols = slice(num_complete * mini_batch_size, m)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    return mini_batches


def initialize_velocity(parameters: Arrays) -> dict[str, np.ndarray]:
    r"""Zero momentum state for :func:`update_parameters_with_momentum`.

    Returns
    -------
    v : dict
        ``v["dW{l}"]``, ``v["db{l}"]`` of zeros shaped like ``W{l}``, ``b{l}``.

    Notes
    -----
    :math:`v_{dW_l} = 0`, :math:`v_{db_l} = 0` for :math:`l = 1..L` (``np.zeros_like``), so
    the first step gives :math:`v = (1 - \beta)\, d\theta`.
    """
    return zeros_like_gradients(parameters)


def update_parameters_with_momentum(parameters: Arrays, grads: Arrays, v: Arrays, beta: float,
                                    learning_rate: float):
    r"""One step of gradient descent with momentum (exponentially weighted average form).

    Parameters
    ----------
    parameters, grads : mapping
        As in :func:`update_parameters_with_gd`.
    v : mapping
        Velocity ``dW1, db1, ...`` from the previous step (zeros at the start).
    beta : float
        Momentum :math:`\beta \in [0, 1)`.
    learning_rate : float
        :math:`\alpha`.

    Returns
    -------
    parameters, v : dict, dict
        New dictionaries.

    Notes
    -----
    For each :math:`\theta \in \{W_l, b_l\}` with gradient :math:`d\theta`:

    .. math::

        v_{d\theta} = \beta\, v_{d\theta} + (1 - \beta)\, d\theta, \qquad
        \theta = \theta - \alpha\, v_{d\theta}

    Unrolled from :math:`v = 0`: :math:`v_t = (1-\beta)\sum_{k=1}^{t}\beta^{t-k} g_k`. This
    is the course's (damped) form of Polyak's heavy-ball method (Polyak, 1964). PyTorch's
    ``SGD(momentum=beta)`` keeps :math:`u_t = \beta u_{t-1} + g_t = v_t / (1 - \beta)`, so
    it takes the same steps with learning rate :math:`\alpha(1 - \beta)`.
    """
    new_params = dict(parameters)
    new_v = dict(v)
    for name in layer_names(parameters):
        key = "d" + name
        new_v[key] = beta * v[key] + (1 - beta) * grads[key]
        new_params[name] = parameters[name] - learning_rate * new_v[key]
    return new_params, new_v


def initialize_adam(parameters: Arrays):
    r"""Zero Adam state for :func:`update_parameters_with_adam`.

    Returns
    -------
    v, s : dict, dict
        Two independent dicts keyed ``dW1, db1, ...`` of zeros shaped like the parameters.

    Notes
    -----
    :math:`v = 0` (first moment) and :math:`s = 0` (second moment). Starting from zero biases
    both towards 0 in the first steps, which the :math:`1 - \beta^t` correction undoes.
    """
    return zeros_like_gradients(parameters), zeros_like_gradients(parameters)


def update_parameters_with_adam(parameters: Arrays, grads: Arrays, v: Arrays, s: Arrays, t: int,
                                learning_rate: float = 0.01, beta1: float = 0.9,
                                beta2: float = 0.999, epsilon: float = 1e-8):
    r"""One Adam step (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015).

    Parameters
    ----------
    parameters, grads : mapping
        As in :func:`update_parameters_with_gd`.
    v, s : mapping
        First- and second-moment estimates from the previous step (zeros at the start).
    t : int
        Number of the step being taken, counting from 1 (used in the bias correction).
    learning_rate, beta1, beta2, epsilon : float
        :math:`\alpha, \beta_1, \beta_2, \varepsilon`.

    Returns
    -------
    parameters, v, s, v_corrected, s_corrected : dict
        New dictionaries; the last two are the bias-corrected moments used in the step.

    Notes
    -----
    For each :math:`\theta \in \{W_l, b_l\}` with gradient :math:`g = d\theta`, elementwise:

    .. math::

        v &= \beta_1 v + (1 - \beta_1)\, g, &
        v^{corrected} &= v / (1 - \beta_1^{\,t}) \\
        s &= \beta_2 s + (1 - \beta_2)\, g^2, &
        s^{corrected} &= s / (1 - \beta_2^{\,t}) \\
        \theta &= \theta - \alpha\, \frac{v^{corrected}}{\sqrt{s^{corrected}} + \varepsilon}

    :math:`\varepsilon` is added *outside* the square root. With a constant gradient
    :math:`g` the corrected moments are exactly :math:`g` and :math:`g^2`, so each step moves
    :math:`\theta` by :math:`-\alpha\, g / (|g| + \varepsilon)`.
    """
    new_params, new_v, new_s = dict(parameters), dict(v), dict(s)
    v_corrected: dict[str, np.ndarray] = {}
    s_corrected: dict[str, np.ndarray] = {}
    for name in layer_names(parameters):
        key = "d" + name
        g = grads[key]
        new_v[key] = beta1 * v[key] + (1 - beta1) * g
        new_s[key] = beta2 * s[key] + (1 - beta2) * np.square(g)
        v_corrected[key] = new_v[key] / (1 - beta1 ** t)
        s_corrected[key] = new_s[key] / (1 - beta2 ** t)
        step = v_corrected[key] / (np.sqrt(s_corrected[key]) + epsilon)
        new_params[name] = parameters[name] - learning_rate * step
    return new_params, new_v, new_s, v_corrected, s_corrected


def update_lr(learning_rate0: float, epoch_num: int, decay_rate: float) -> float:
    r"""Inverse-time learning-rate decay, applied every epoch.

    Notes
    -----
    :math:`\alpha = \dfrac{\alpha_0}{1 + \mathrm{decay\_rate} \cdot \mathrm{epoch\_num}}`.
    """
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0: float, epoch_num: int, decay_rate: float,
                      time_interval: int = 1000) -> float:
    r"""Inverse-time decay applied in steps of ``time_interval`` epochs.

    Notes
    -----
    :math:`\alpha = \dfrac{\alpha_0}{1 + \mathrm{decay\_rate} \cdot
    \lfloor \mathrm{epoch\_num} / \mathrm{time\_interval} \rfloor}`; the rate is constant
    within each interval of ``time_interval`` epochs.
    """
    return learning_rate0 / (1 + decay_rate * math.floor(epoch_num / time_interval))
