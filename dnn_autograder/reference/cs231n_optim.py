r"""Reference answers for CS231n assignment 2's ``cs231n/optim.py`` (the update rules).

The course's API, kept exactly: every rule is ``rule(w, dw, config=None) -> (next_w, config)``.
``w`` and ``dw`` are arrays of one shape (any shape); ``config`` holds the hyperparameters and the
rule's state, which the caller (the course's ``Solver``) passes back on the next call. Missing
hyperparameters and state get the course's defaults, set with ``config.setdefault`` as in the
template's given lines. All arithmetic is elementwise.

Unlike the course's code, which updates the given ``config`` in place, these functions are pure:
they return a *new* dict and never modify their inputs. A student's rule may do either: the
grader threads the ``config`` the student *returns* into the next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam", "adam_folded_step_size"]

Config = dict[str, Any]


def _start(config: Mapping[str, Any] | None, defaults: Mapping[str, Any]) -> Config:
    """A copy of ``config`` (``{}`` for None) with ``defaults`` set where a key is missing."""
    out = {} if config is None else dict(config)
    for key, value in defaults.items():
        out.setdefault(key, value)
    return out


def sgd(w: np.ndarray, dw: np.ndarray, config: Mapping[str, Any] | None = None) -> tuple[np.ndarray, Config]:
    r"""Vanilla stochastic gradient descent (given in the course's starter; not graded).

    Notes
    -----
    :math:`w' = w - \alpha\, dw`, :math:`\alpha` = ``config["learning_rate"]`` (default 1e-2).
    """
    config = _start(config, {"learning_rate": 1e-2})
    return w - config["learning_rate"] * dw, config


def sgd_momentum(w: np.ndarray, dw: np.ndarray,
                 config: Mapping[str, Any] | None = None) -> tuple[np.ndarray, Config]:
    r"""Stochastic gradient descent with (classical) momentum.

    Parameters
    ----------
    w, dw : numpy.ndarray, one shape
        Weights and their gradient.
    config : dict or None
        ``learning_rate`` (default 1e-2), ``momentum`` :math:`\mu` (default 0.9), ``velocity``
        :math:`v` (default zeros like ``w``).

    Returns
    -------
    next_w : numpy.ndarray
    config : dict
        The hyperparameters, unchanged, and the new ``velocity``.

    Notes
    -----
    The velocity form of the course notes (CS231n, "Momentum update"; Polyak, 1964):
    :math:`v' = \mu\, v - \alpha\, dw` and :math:`w' = w + v'` (elementwise). The velocity
    carries the learning rate and the minus sign. Nesterov's form (which evaluates the
    gradient at the look-ahead point) is a different rule.
    """
    config = _start(config, {"learning_rate": 1e-2, "momentum": 0.9})
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


def rmsprop(w: np.ndarray, dw: np.ndarray, config: Mapping[str, Any] | None = None) -> tuple[np.ndarray, Config]:
    r"""RMSProp: the step divided by a moving average of squared gradients.

    Parameters
    ----------
    w, dw : numpy.ndarray, one shape
    config : dict or None
        ``learning_rate`` (default 1e-2), ``decay_rate`` :math:`\rho` (default 0.99), ``epsilon``
        :math:`\epsilon` (default 1e-8), ``cache`` :math:`c` (default zeros like ``w``).

    Returns
    -------
    next_w : numpy.ndarray
    config : dict
        The hyperparameters, unchanged, and the new ``cache``.

    Notes
    -----
    :math:`c' = \rho\, c + (1 - \rho)\, dw^2` and
    :math:`w' = w - \alpha\, dw / (\sqrt{c'} + \epsilon)`: the *new* cache is used, and
    :math:`\epsilon` is added *outside* the square root (Tieleman & Hinton, 2012, lecture 6.5).
    """
    config = _start(config, {"learning_rate": 1e-2, "decay_rate": 0.99, "epsilon": 1e-8})
    cache = config.get("cache", np.zeros_like(w))
    rho = config["decay_rate"]
    cache = rho * cache + (1 - rho) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"]), config


def adam(w: np.ndarray, dw: np.ndarray, config: Mapping[str, Any] | None = None) -> tuple[np.ndarray, Config]:
    r"""Adam: momentum and RMSProp with bias-corrected moment estimates.

    Parameters
    ----------
    w, dw : numpy.ndarray, one shape
    config : dict or None
        ``learning_rate`` :math:`\alpha` (default 1e-3), ``beta1`` (0.9), ``beta2`` (0.999),
        ``epsilon`` (1e-8), ``m`` and ``v`` (zeros like ``w``), ``t`` (0).

    Returns
    -------
    next_w : numpy.ndarray
    config : dict
        The hyperparameters, unchanged, and the new ``m``, ``v`` and ``t``.

    Notes
    -----
    The step counter is incremented *before* it is used (the course's template, and the
    published expected values of its notebook, which start from ``t = 5`` and use 6):
    :math:`t' = t + 1`, :math:`m' = \beta_1 m + (1 - \beta_1)\, dw`,
    :math:`v' = \beta_2 v + (1 - \beta_2)\, dw^2`,
    :math:`\hat m = m' / (1 - \beta_1^{t'})`, :math:`\hat v = v' / (1 - \beta_2^{t'})`,
    :math:`w' = w - \alpha\, \hat m / (\sqrt{\hat v} + \epsilon)`, with :math:`\epsilon`
    outside the square root (Kingma & Ba, 2015, Algorithm 1).
    """
    config = _start(config, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
                             "m": np.zeros_like(w), "v": np.zeros_like(w), "t": 0})
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw**2
    m_hat = m / (1 - b1**t)
    v_hat = v / (1 - b2**t)
    config.update(m=m, v=v, t=t)
    return w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"]), config


def adam_folded_step_size(w: np.ndarray, dw: np.ndarray,
                          config: Mapping[str, Any] | None = None) -> tuple[np.ndarray, Config]:
    r"""Adam in the paper's "more efficient" order: the bias correction folded into the step size.

    An accepted variant of :func:`adam` (same state, same ``config``); it differs only in where
    epsilon acts, by a relative amount of order :math:`\epsilon / \sqrt{\hat v}`.

    Notes
    -----
    :math:`t' = t + 1`, :math:`m'`, :math:`v'` as in :func:`adam`, then
    :math:`\alpha_t = \alpha \sqrt{1 - \beta_2^{t'}} / (1 - \beta_1^{t'})` and
    :math:`w' = w - \alpha_t\, m' / (\sqrt{v'} + \epsilon)` (Kingma & Ba, 2015, end of section 2,
    where this epsilon is "epsilon hat"): Algorithm 1 with :math:`\epsilon / \sqrt{1 - \beta_2^{t'}}`
    in place of :math:`\epsilon`. ``config["learning_rate"]`` is left unchanged.
    """
    config = _start(config, {"learning_rate": 1e-3, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8,
                             "m": np.zeros_like(w), "v": np.zeros_like(w), "t": 0})
    b1, b2 = config["beta1"], config["beta2"]
    t = config["t"] + 1
    m = b1 * config["m"] + (1 - b1) * dw
    v = b2 * config["v"] + (1 - b2) * dw**2
    step = config["learning_rate"] * np.sqrt(1 - b2**t) / (1 - b1**t)
    config.update(m=m, v=v, t=t)
    return w - step * m / (np.sqrt(v) + config["epsilon"]), config
