r"""Extra update rules beyond the notebook: RMSProp, AdaGrad and Nesterov momentum.

Same conventions as :mod:`dnn_autograder.reference.optimizers`: ``parameters`` holds ``W1, b1, ..., WL, bL``;
``grads`` and the optimiser state hold ``dW1, db1, ...`` with matching shapes; arithmetic is
elementwise; every function returns new dictionaries and never modifies its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dnn_autograder.reference.optimizers import layer_names, zeros_like_gradients

__all__ = [
    "initialize_rmsprop",
    "update_parameters_with_rmsprop",
    "initialize_adagrad",
    "update_parameters_with_adagrad",
    "update_parameters_with_nesterov",
]

Arrays = Mapping[str, np.ndarray]


def initialize_rmsprop(parameters: Arrays) -> dict[str, np.ndarray]:
    r"""Zero RMSProp state for :func:`update_parameters_with_rmsprop`.

    Notes
    -----
    :math:`s = 0` for every ``dW{l}``, ``db{l}`` (shaped like ``W{l}``, ``b{l}``).
    """
    return zeros_like_gradients(parameters)


def update_parameters_with_rmsprop(parameters: Arrays, grads: Arrays, s: Arrays,
                                   beta: float = 0.9, learning_rate: float = 0.01,
                                   epsilon: float = 1e-8):
    r"""One RMSProp step (Hinton, *Neural Networks for Machine Learning*, lecture 6e, 2012).

    Parameters
    ----------
    parameters, grads : mapping
        ``W1, b1, ...`` and ``dW1, db1, ...``.
    s : mapping
        Running average of squared gradients (zeros at the start).
    beta, learning_rate, epsilon : float
        :math:`\beta, \alpha, \varepsilon`.

    Returns
    -------
    parameters, s : dict, dict

    Notes
    -----
    For each :math:`\theta` with gradient :math:`g`, elementwise:

    .. math::

        s = \beta s + (1 - \beta)\, g^2, \qquad
        \theta = \theta - \alpha\, \frac{g}{\sqrt{s} + \varepsilon}

    No bias correction, and :math:`\varepsilon` outside the root (the convention of
    ``torch.optim.RMSprop`` with ``alpha = beta``, ``momentum = 0``, ``centered = False``).
    """
    new_params, new_s = dict(parameters), dict(s)
    for name in layer_names(parameters):
        key = "d" + name
        g = grads[key]
        new_s[key] = beta * s[key] + (1 - beta) * np.square(g)
        new_params[name] = parameters[name] - learning_rate * g / (np.sqrt(new_s[key]) + epsilon)
    return new_params, new_s


def initialize_adagrad(parameters: Arrays) -> dict[str, np.ndarray]:
    r"""Zero AdaGrad accumulator for :func:`update_parameters_with_adagrad`.

    Notes
    -----
    :math:`cache = 0` for every ``dW{l}``, ``db{l}`` (shaped like ``W{l}``, ``b{l}``).
    """
    return zeros_like_gradients(parameters)


def update_parameters_with_adagrad(parameters: Arrays, grads: Arrays, cache: Arrays,
                                   learning_rate: float = 0.01, epsilon: float = 1e-8):
    r"""One AdaGrad step (Duchi, Hazan & Singer, JMLR 2011, diagonal version).

    Parameters
    ----------
    parameters, grads : mapping
        ``W1, b1, ...`` and ``dW1, db1, ...``.
    cache : mapping
        Sum of all past squared gradients (zeros at the start).
    learning_rate, epsilon : float
        :math:`\alpha, \varepsilon`.

    Returns
    -------
    parameters, cache : dict, dict

    Notes
    -----
    For each :math:`\theta` with gradient :math:`g`, elementwise:

    .. math::

        cache = cache + g^2, \qquad
        \theta = \theta - \alpha\, \frac{g}{\sqrt{cache} + \varepsilon}

    :math:`\varepsilon` outside the root, as in ``torch.optim.Adagrad`` (with
    ``lr_decay = 0`` and ``initial_accumulator_value = 0``). The effective step size only
    shrinks, since :math:`cache` only grows.
    """
    new_params, new_cache = dict(parameters), dict(cache)
    for name in layer_names(parameters):
        key = "d" + name
        g = grads[key]
        new_cache[key] = cache[key] + np.square(g)
        step = g / (np.sqrt(new_cache[key]) + epsilon)
        new_params[name] = parameters[name] - learning_rate * step
    return new_params, new_cache


def update_parameters_with_nesterov(parameters: Arrays, grads: Arrays, v: Arrays, beta: float,
                                    learning_rate: float):
    r"""One step of Nesterov momentum in the "lookahead-free" form.

    Parameters
    ----------
    parameters, grads : mapping
        ``W1, b1, ...`` and ``dW1, db1, ...`` (gradients at the *current* parameters).
    v : mapping
        Velocity from the previous step (zeros at the start, see
        :func:`dnn_autograder.reference.optimizers.initialize_velocity`).
    beta, learning_rate : float
        :math:`\beta, \alpha`.

    Returns
    -------
    parameters, v : dict, dict

    Notes
    -----
    Nesterov's accelerated gradient (Nesterov, 1983) evaluates the gradient at the look-ahead
    point :math:`\theta - \alpha\beta v`. Re-parameterised so that the gradient is taken at
    the stored parameters (Bengio, Boulanger-Lewandowski & Pascanu, 2013; the form used by
    ``torch.optim.SGD(nesterov=True)``), and written with the course's damped velocity:

    .. math::

        v = \beta v + (1 - \beta)\, g, \qquad
        \theta = \theta - \alpha\,\big(\beta v + (1 - \beta)\, g\big)

    where the :math:`v` in the second equation is the updated one. PyTorch keeps
    :math:`u = v / (1 - \beta)` and steps :math:`\theta - \alpha'(g + \beta u)`, which is the
    same trajectory with :math:`\alpha' = \alpha (1 - \beta)`.
    """
    new_params, new_v = dict(parameters), dict(v)
    for name in layer_names(parameters):
        key = "d" + name
        g = grads[key]
        new_v[key] = beta * v[key] + (1 - beta) * g
        step = beta * new_v[key] + (1 - beta) * g
        new_params[name] = parameters[name] - learning_rate * step
    return new_params, new_v
