r"""Reference answers for *Deep Learning from Scratch* (Saito), chapter 6: the optimizer classes of
``common/optimizer.py``.

The book's API, kept exactly: each class is constructed with its hyperparameters as keywords
(``lr``, ``momentum``, ``decay_rate``, ``beta1``, ``beta2``) and has one method,
``update(params, grads)``, which changes the arrays of the dict ``params`` **in place**
(``params[key] -= ...``) for every key of ``params``; ``grads`` has the same keys and shapes.
The state (velocities, squared-gradient sums, moments) is a dict of arrays, one per key,
created lazily on the first call (``None`` until then), so one optimizer can be built before the
network exists. Every operation is elementwise. :data:`EPSILON` ``= 1e-7`` is the book's
constant, added *outside* the square root.

Where the book's editions printed two forms of one rule, the reference is the form that is the
rule of the cited paper and the other is an accepted variant (:class:`NesterovBook`,
:class:`AdamTextbook`; the spec's ``accept``):

* Adam: the book folds the bias corrections into the step size,
  :math:`\mathrm{lr}_t = \mathrm{lr}\,\sqrt{1-\beta_2^t}/(1-\beta_1^t)`, which moves epsilon
  from beside :math:`\sqrt{\hat v}` to beside :math:`\sqrt{v}`; it is exactly Kingma and Ba's
  "more efficient" ordering (section 2 of arXiv:1412.6980), and the reference uses it.
* Nesterov: the reference is Bengio et al.'s form (arXiv:1212.0901, eq. 7), which updates the
  parameters with the *previous* velocity; the book's repository updates the velocity first and
  then uses the new one, which is a different rule (see :class:`Nesterov`).
"""

from __future__ import annotations

from collections.abc import MutableMapping

import numpy as np

__all__ = ["EPSILON", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "nesterov_book_step",
           "NesterovBook", "AdamTextbook"]

#: The book's epsilon, added outside the square root of AdaGrad, RMSprop and Adam.
EPSILON = 1e-7

Arrays = MutableMapping[str, np.ndarray]


def _zeros_like_all(params: Arrays) -> dict[str, np.ndarray]:
    """A fresh zero array per key of ``params`` (never shared between keys)."""
    return {key: np.zeros_like(np.asarray(value, dtype=float)) for key, value in params.items()}


class SGD:
    r"""Stochastic gradient descent.

    Notes
    -----
    For every key :math:`k`: :math:`W_k \leftarrow W_k - \mathrm{lr}\, g_k` (in place).
    """

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: Arrays, grads: Arrays) -> None:
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum:
    r"""Momentum SGD (the velocity is *not* an average: no ``1 - momentum`` factor).

    Notes
    -----
    State ``v`` (zeros on the first call). For every key:
    :math:`v \leftarrow \alpha v - \mathrm{lr}\, g`, then :math:`W \leftarrow W + v`, with
    :math:`\alpha` = ``momentum``.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.v is None:
            self.v = _zeros_like_all(params)
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov:
    r"""Nesterov's accelerated gradient in Bengio et al.'s form (arXiv:1212.0901, eq. 7).

    Notes
    -----
    State ``v`` (zeros on the first call). For every key, with the velocity :math:`v` of the
    previous call: :math:`W \leftarrow W + \alpha^2 v - (1 + \alpha)\,\mathrm{lr}\, g`, then
    :math:`v \leftarrow \alpha v - \mathrm{lr}\, g`. Equivalently
    :math:`v' = \alpha v - \mathrm{lr}\, g` and :math:`W \leftarrow W + \alpha v' - \mathrm{lr}\, g`.

    The book's repository writes :math:`v' = \alpha v - \mathrm{lr}\, g` first and then
    :math:`W \leftarrow W + \alpha^2 v' - (1 + \alpha)\,\mathrm{lr}\, g` with the *new* velocity
    (:func:`nesterov_book_step`): its step is
    :math:`\alpha^3 v - (1 + \alpha + \alpha^2)\,\mathrm{lr}\, g`, not the rule above. It is what
    the book prints, so the grader accepts it too.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.v is None:
            self.v = _zeros_like_all(params)
        mu = self.momentum
        for key in params:
            params[key] += mu * mu * self.v[key] - (1 + mu) * self.lr * grads[key]
            self.v[key] = mu * self.v[key] - self.lr * grads[key]


def nesterov_book_step(param: np.ndarray, v: np.ndarray, grad: np.ndarray, lr: float,
                       momentum: float) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of the book repository's Nesterov form, for one array: ``(new param, new v)``.

    Notes
    -----
    :math:`v' = \alpha v - \mathrm{lr}\, g`;
    :math:`W' = W + \alpha^2 v' - (1 + \alpha)\,\mathrm{lr}\, g` (the new velocity).
    """
    v_new = momentum * v - lr * grad
    return param + momentum * momentum * v_new - (1 + momentum) * lr * grad, v_new


class AdaGrad:
    r"""AdaGrad: each element's step shrinks with the sum of its squared gradients.

    Notes
    -----
    State ``h`` (zeros on the first call). For every key:
    :math:`h \leftarrow h + g \odot g`, then
    :math:`W \leftarrow W - \mathrm{lr}\, g / (\sqrt{h} + \epsilon)` with
    :math:`\epsilon = 10^{-7}` outside the root.
    """

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr
        self.h: dict[str, np.ndarray] | None = None

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.h is None:
            self.h = _zeros_like_all(params)
        for key in params:
            self.h[key] = self.h[key] + grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + EPSILON)


class RMSprop:
    r"""RMSprop: AdaGrad with an exponential moving average in place of the sum.

    Notes
    -----
    State ``h`` (zeros on the first call). For every key, with :math:`\rho` = ``decay_rate``:
    :math:`h \leftarrow \rho h + (1 - \rho)\, g \odot g`, then
    :math:`W \leftarrow W - \mathrm{lr}\, g / (\sqrt{h} + \epsilon)`, :math:`\epsilon = 10^{-7}`.
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        self.lr = lr
        self.decay_rate = decay_rate
        self.h: dict[str, np.ndarray] | None = None

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.h is None:
            self.h = _zeros_like_all(params)
        rho = self.decay_rate
        for key in params:
            self.h[key] = rho * self.h[key] + (1 - rho) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + EPSILON)


class Adam:
    r"""Adam (Kingma and Ba, arXiv:1412.6980) with the bias corrections folded into the step.

    Notes
    -----
    State ``m``, ``v`` (zeros on the first call) and the call counter ``iter`` (0 before the
    first call, incremented once per call, before the step: the first step uses :math:`t = 1`).
    :math:`\mathrm{lr}_t = \mathrm{lr}\,\sqrt{1 - \beta_2^t} / (1 - \beta_1^t)`; for every key:
    :math:`m \leftarrow \beta_1 m + (1 - \beta_1)\, g`,
    :math:`v \leftarrow \beta_2 v + (1 - \beta_2)\, g \odot g`,
    :math:`W \leftarrow W - \mathrm{lr}_t\, m / (\sqrt{v} + \epsilon)`, :math:`\epsilon = 10^{-7}`.

    The textbook form :math:`W \leftarrow W - \mathrm{lr}\,\hat m / (\sqrt{\hat v} + \epsilon)`
    with :math:`\hat m = m / (1 - \beta_1^t)`, :math:`\hat v = v / (1 - \beta_2^t)` differs only
    in where epsilon sits (it equals the above with :math:`\epsilon\sqrt{1-\beta_2^t}`); both
    are accepted.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m: dict[str, np.ndarray] | None = None
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.m is None or self.v is None:
            self.m, self.v = _zeros_like_all(params), _zeros_like_all(params)
        self.iter += 1
        t = self.iter
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + EPSILON)


class NesterovBook(Nesterov):
    r"""Nesterov as the book's repository writes it: the velocity first, then the step with it.

    Notes
    -----
    For every key: :math:`v \leftarrow \alpha v - \mathrm{lr}\, g`, then
    :math:`W \leftarrow W + \alpha^2 v - (1 + \alpha)\,\mathrm{lr}\, g` with the new :math:`v`
    (:func:`nesterov_book_step`). Not Bengio et al.'s rule (see :class:`Nesterov`), but what the
    book prints: an accepted variant.
    """

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.v is None:
            self.v = _zeros_like_all(params)
        for key in params:
            new, self.v[key] = nesterov_book_step(params[key], self.v[key], grads[key], self.lr, self.momentum)
            params[key][...] = new  # in place: the caller's arrays change


class AdamTextbook(Adam):
    r"""Adam with explicitly bias-corrected moments (Kingma and Ba's Algorithm 1).

    Notes
    -----
    :math:`m` and :math:`v` as in :class:`Adam`; :math:`\hat m = m / (1 - \beta_1^t)`,
    :math:`\hat v = v / (1 - \beta_2^t)`, :math:`W \leftarrow W - \mathrm{lr}\,\hat m /
    (\sqrt{\hat v} + \epsilon)`. It equals the book's form with epsilon scaled by
    :math:`\sqrt{1 - \beta_2^t}`: an accepted variant.
    """

    def update(self, params: Arrays, grads: Arrays) -> None:
        if self.m is None or self.v is None:
            self.m, self.v = _zeros_like_all(params), _zeros_like_all(params)
        self.iter += 1
        t = self.iter
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1**t)
            v_hat = self.v[key] / (1 - self.beta2**t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + EPSILON)
