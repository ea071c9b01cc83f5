"""Two named mistakes of the toy units, one a function, one a class."""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake


def _momentum_plus(w, dw, config=None):
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    v = config.get("velocity", np.zeros_like(w))
    v = config["momentum"] * v + config["learning_rate"] * dw
    config["velocity"] = v
    return w + v, config


class _MomentumRebinds:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
        params = {key: params[key] + self.v[key] for key in params}  # noqa: F841 - the mistake


MISTAKES = (
    Mistake("toy-momentum-sign", "momentum", "Velocity with the wrong sign",
            "`v = mu * v + lr * dw` climbs the loss: the gradient step must be subtracted.", mutant=_momentum_plus),
    Mistake("toy-params-rebound", "Momentum", "`params` rebound instead of updated in place",
            "`params = {...}` makes a new dict; the caller's dict never changes. Write `params[key] += ...`.",
            mutant=_MomentumRebinds),
)
