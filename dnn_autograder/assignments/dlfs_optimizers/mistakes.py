r"""Known mistakes in the *Deep Learning from Scratch* optimizer classes.

Each mutant is a whole class with the book's API (``__init__`` keywords, ``update(params,
grads)``), written as learners write it: it replaces the graded class in the trusted run of the
same script. Every class here is self-contained (numpy only): its source becomes a student file
in the self-check.

A keyword renamed from the book's (``learning_rate=`` for ``lr=``) is not a mutant here: the
script's ``SGD(lr=0.1)`` raises ``TypeError`` in the student's run, the class earns nothing (it
breaks every call the book makes, ``SGD(lr=0.95)``, ``Trainer``'s ``optimizer_param``), and the
error message says which keyword the book's calls use. Cases with the default
hyperparameters still run, so a class that is otherwise right is diagnosed on nothing else.
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]


# --- SGD -------------------------------------------------------------------------------------


class _SGDAscent:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] += self.lr * grads[key]


class _SGDRebound:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        params = {key: params[key] - self.lr * grads[key] for key in params}
        return params


class _SGDReturnInLoop:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]
            return


# --- Momentum --------------------------------------------------------------------------------


class _MomentumAverage:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] + (1 - self.momentum) * grads[key]
            params[key] -= self.lr * self.v[key]


class _MomentumWrongSign:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] -= self.v[key]


class _MomentumReset:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        self.v = {}
        for key, val in params.items():
            self.v[key] = np.zeros_like(val)
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


# --- Nesterov --------------------------------------------------------------------------------


class _NesterovPlainMomentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class _NesterovNoLookAheadGradient:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]


# --- AdaGrad ---------------------------------------------------------------------------------


class _AdaGradEpsilonInSqrt:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key] + 1e-7)


class _AdaGradNoEpsilon:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key])


class _AdaGradNotAccumulated:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] = grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class _AdaGradSharedState:
    def __init__(self, lr=0.01):
        self.lr = lr
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            zeros = np.zeros_like(next(iter(params.values())))
            self.h = {key: zeros for key in params}
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


# --- RMSprop ---------------------------------------------------------------------------------


class _RMSpropEpsilonInSqrt:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key] + 1e-7)


class _RMSpropNoOneMinus:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] = self.decay_rate * self.h[key] + grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class _RMSpropSwappedDecay:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr = lr
        self.decay_rate = decay_rate
        self.h = None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] = (1 - self.decay_rate) * self.h[key] + self.decay_rate * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


# --- Adam ------------------------------------------------------------------------------------


class _AdamNoBiasCorrection:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        for key in params.keys():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            params[key] -= self.lr * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


class _AdamIterPerKey:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.iter += 1
            lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


class _AdamStartsAtTwo:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 1
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


class _AdamEpsilonInSqrt:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / np.sqrt(self.v[key] + 1e-7)


_EPSILON_INSIDE = (
    "Your class adds epsilon inside the square root, sqrt(h + 1e-7). The book adds it outside, "
    "sqrt(h) + 1e-7: it only keeps the division finite. Inside, it changes every step where h is "
    "small (a gradient of 0.001 gives h = 1e-6, and sqrt(1e-6 + 1e-7) is 5 % larger than sqrt(1e-6))."
)
_NOT_LAZY = (
    "Your class creates its state (the velocity v) anew at every call of update, so each call starts "
    "from zero and nothing carries over: after the first call the class behaves like SGD. Create the "
    "state once, on the first call only (if self.v is None: ...), and keep it in self between calls."
)

MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        id="dlfs-sgd-gradient-ascent", function="SGD", title="SGD adds the gradient (ascent)",
        explanation=("Your update adds lr * grads[key] to the parameters, which climbs the loss. Gradient "
                     "descent subtracts it: params[key] -= self.lr * grads[key]."),
        mutant=_SGDAscent,
    ),
    Mistake(
        id="dlfs-update-rebinds-params", function="SGD",
        title="update builds a new dict instead of changing params in place",
        explanation=("Your update assigns a new dict to the name params (params = {...}) or returns it. "
                     "That rebinds a local name only: the caller's dict, which the network holds, never "
                     "changes. The book's update returns nothing and changes the arrays of the dict it was "
                     "given: params[key] -= self.lr * grads[key]."),
        mutant=_SGDRebound,
    ),
    Mistake(
        id="dlfs-update-return-in-loop", function="SGD",
        title="a return inside the loop over keys: only the first parameter is updated",
        explanation=("Your update returns inside the for loop, after the first key, so every other "
                     "parameter (b1, W2, ...) keeps its value. Dedent the return (or remove it: update "
                     "returns nothing)."),
        mutant=_SGDReturnInLoop,
    ),
    Mistake(
        id="dlfs-momentum-as-average", function="Momentum",
        title="momentum written as an exponential moving average (1 - momentum factor)",
        explanation=("Your velocity is an average, v = momentum * v + (1 - momentum) * grad, and the step "
                     "is lr * v. The book's momentum is not averaged: v = momentum * v - lr * grad, then "
                     "params += v. The two differ by the factor (1 - momentum) on every gradient."),
        mutant=_MomentumAverage,
    ),
    Mistake(
        id="dlfs-momentum-wrong-sign", function="Momentum", title="Momentum subtracts the velocity",
        explanation=("Your velocity is v = momentum * v - lr * grad, which already points downhill, and you "
                     "subtract it again (params -= v), so the parameters climb the loss. Add it: "
                     "params[key] += self.v[key]."),
        mutant=_MomentumWrongSign,
    ),
    Mistake(
        id="dlfs-momentum-state-reset", function="Momentum", title="velocity reset at every call (state not lazy)",
        explanation=_NOT_LAZY, mutant=_MomentumReset,
    ),
    Mistake(
        id="dlfs-nesterov-plain-momentum", function="Nesterov", title="Nesterov written as plain momentum",
        explanation=("Your Nesterov update is classical momentum (v = mu * v - lr * g; params += v): it has no "
                     "look-ahead. Nesterov's step is params += mu * mu * v - (1 + mu) * lr * g with the previous "
                     "velocity v, then v = mu * v - lr * g (the book's repository updates v first; both forms "
                     "are accepted)."),
        mutant=_NesterovPlainMomentum,
    ),
    Mistake(
        id="dlfs-nesterov-missing-one-plus-mu", function="Nesterov",
        title="Nesterov's gradient step without the (1 + momentum) factor",
        explanation=("Your parameter step subtracts lr * g where Nesterov's subtracts (1 + momentum) * lr * g: "
                     "params += mu * mu * v - (1 + mu) * lr * g, then v = mu * v - lr * g."),
        mutant=_NesterovNoLookAheadGradient,
    ),
    Mistake(
        id="dlfs-adagrad-epsilon-inside-sqrt", function="AdaGrad", title="AdaGrad: epsilon inside the square root",
        explanation=_EPSILON_INSIDE + " AdaGrad: params -= lr * g / (np.sqrt(h) + 1e-7).",
        mutant=_AdaGradEpsilonInSqrt,
    ),
    Mistake(
        id="dlfs-adagrad-no-epsilon", function="AdaGrad", title="AdaGrad without epsilon: 0 / 0 is NaN",
        explanation=("Your AdaGrad divides by np.sqrt(h) alone. A parameter whose gradients have all been 0 has "
                     "h = 0, and 0 / 0 gives NaN, which spreads through the network. Add 1e-7 outside the root."),
        mutant=_AdaGradNoEpsilon,
    ),
    Mistake(
        id="dlfs-adagrad-not-accumulated", function="AdaGrad", title="AdaGrad's h replaced, not accumulated",
        explanation=("Your h is the latest squared gradient (h = g * g) instead of the sum of all of them "
                     "(h += g * g). AdaGrad's steps shrink because h grows with every call."),
        mutant=_AdaGradNotAccumulated,
    ),
    Mistake(
        id="dlfs-state-shared-between-keys", function="AdaGrad",
        title="one state array shared by every parameter",
        explanation=("Your class puts the same zero array in the state of every key, and h[key] += ... changes "
                     "that one array in place, so every parameter's h holds the sum of all the parameters' "
                     "squared gradients. Create one array per key: {key: np.zeros_like(val) for key, val in "
                     "params.items()}."),
        mutant=_AdaGradSharedState,
    ),
    Mistake(
        id="dlfs-rmsprop-epsilon-inside-sqrt", function="RMSprop", title="RMSprop: epsilon inside the square root",
        explanation=_EPSILON_INSIDE + " RMSprop: params -= lr * g / (np.sqrt(h) + 1e-7).",
        mutant=_RMSpropEpsilonInSqrt,
    ),
    Mistake(
        id="dlfs-rmsprop-no-one-minus-decay", function="RMSprop", title="RMSprop's average without (1 - decay_rate)",
        explanation=("Your h = decay_rate * h + g * g is a decaying sum, not a moving average: the new squared "
                     "gradient needs the weight (1 - decay_rate): h = decay_rate * h + (1 - decay_rate) * g * g."),
        mutant=_RMSpropNoOneMinus,
    ),
    Mistake(
        id="dlfs-rmsprop-decay-swapped", function="RMSprop", title="RMSprop's weights swapped",
        explanation=("Your average keeps (1 - decay_rate) of the old h and adds decay_rate of the new squared "
                     "gradient. decay_rate (0.99) is the weight of the past: h = decay_rate * h + "
                     "(1 - decay_rate) * g * g."),
        mutant=_RMSpropSwappedDecay,
    ),
    Mistake(
        id="dlfs-adam-no-bias-correction", function="Adam", title="Adam without bias correction",
        explanation=("Your Adam steps with lr * m / (sqrt(v) + eps). m and v start at zero, so in the first "
                     "steps they are far too small (m is 1 - beta1 = 10 % of the gradient at t = 1). The book "
                     "corrects both with lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t), t the number of calls."),
        mutant=_AdamNoBiasCorrection,
    ),
    Mistake(
        id="dlfs-adam-iter-per-key", function="Adam", title="Adam's step counter incremented once per parameter",
        explanation=("Your self.iter += 1 is inside the loop over keys, so t grows by the number of parameters "
                     "at every call and the bias correction uses the wrong t. t counts calls of update: "
                     "increment it once, before the loop."),
        mutant=_AdamIterPerKey,
    ),
    Mistake(
        id="dlfs-adam-wrong-t", function="Adam", title="Adam's first step uses t = 2",
        explanation=("Your counter starts at 1 and is incremented before the first step, so the first bias "
                     "correction uses t = 2. Start self.iter at 0: the first call must use t = 1."),
        mutant=_AdamStartsAtTwo,
    ),
    Mistake(
        id="dlfs-adam-epsilon-inside-sqrt", function="Adam", title="Adam: epsilon inside the square root",
        explanation=_EPSILON_INSIDE + " Adam: params -= lr_t * m / (np.sqrt(v) + 1e-7).",
        mutant=_AdamEpsilonInSqrt,
    ),
)
