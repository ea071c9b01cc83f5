"""A toy answer key for the script-unit tests: a stateful update, a class, a forward and its backward."""

from __future__ import annotations

import numpy as np


def momentum(w, dw, config=None):
    """``v <- mu v - lr dw``; ``w <- w + v`` (CS231n's form), state in ``config``."""
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


class Momentum:
    """``update(params, grads)`` in place; velocities created on the first call."""

    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


def scale_forward(x, gamma):
    """``out = gamma * x**2`` (per column), cache ``(x, gamma)``."""
    return gamma * x ** 2, (x, gamma)


def scale_backward(dout, cache):
    """``dx = 2 gamma x dout``, ``dgamma = sum_rows(x**2 dout)``."""
    x, gamma = cache
    return 2 * gamma * x * dout, np.sum(x ** 2 * dout, axis=0)
