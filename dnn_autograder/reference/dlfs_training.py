r"""Reference answers for *Deep Learning from Scratch* (Saito), chapter 6: weight decay, weight
initialization by name, shuffling, the validation split and random hyperparameter search.

The book writes these inside ``common/multi_layer_net.py``, ``common/util.py`` and
``ch06/hyperparameter_optimization.py``; here each is one function with the book's formulas.
Weights have shape ``(fan_in, fan_out)`` (rows are inputs, the book's ``x @ W`` layout).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["weight_decay_loss", "weight_decay_gradients", "init_scale", "init_weights",
           "shuffle_dataset", "split_validation", "sample_hyperparameters",
           "WEIGHT_DECAY_EXPONENTS", "LR_EXPONENTS"]

#: The book's search ranges: ``weight_decay = 10 ** uniform(-8, -4)``, ``lr = 10 ** uniform(-6, -2)``.
WEIGHT_DECAY_EXPONENTS = (-8.0, -4.0)
LR_EXPONENTS = (-6.0, -2.0)


def weight_decay_loss(weights: Sequence[np.ndarray], weight_decay_lambda: float) -> float:
    r"""The L2 penalty the book's multi-layer network adds to its loss.

    Notes
    -----
    :math:`\frac{\lambda}{2}\sum_l \sum_{ij} (W_l)_{ij}^2` over the weight matrices only
    (biases are not decayed).
    """
    return float(sum(0.5 * weight_decay_lambda * np.sum(np.asarray(W, dtype=float) ** 2) for W in weights))


def weight_decay_gradients(dWs: Sequence[np.ndarray], weights: Sequence[np.ndarray],
                           weight_decay_lambda: float) -> list[np.ndarray]:
    r"""Backpropagated weight gradients with the penalty's gradient added.

    Notes
    -----
    :math:`dW_l + \lambda W_l` for every layer :math:`l` (the derivative of the penalty of
    :func:`weight_decay_loss`).
    """
    return [np.asarray(dW, dtype=float) + weight_decay_lambda * np.asarray(W, dtype=float)
            for dW, W in zip(dWs, weights, strict=True)]


def init_scale(weight_init_std: str | float, fan_in: int) -> float:
    r"""The standard deviation of a layer's initial weights, as the book's network chooses it.

    Notes
    -----
    ``'relu'`` or ``'he'``: :math:`\sqrt{2/n}`; ``'sigmoid'`` or ``'xavier'``: :math:`\sqrt{1/n}`
    (:math:`n` = ``fan_in``, the previous layer's size; names are case-insensitive); a number is
    the standard deviation itself.
    """
    if isinstance(weight_init_std, str):
        name = weight_init_std.lower()
        if name in ("relu", "he"):
            return float(np.sqrt(2.0 / fan_in))
        if name in ("sigmoid", "xavier"):
            return float(np.sqrt(1.0 / fan_in))
        raise ValueError(f"unknown weight_init_std {weight_init_std!r}")
    return float(weight_init_std)


def init_weights(sizes: Sequence[int], weight_init_std: str | float) -> dict[str, np.ndarray]:
    r"""Initial parameters ``W1, b1, ..., WL, bL`` of a network with layer sizes ``sizes``.

    Notes
    -----
    :math:`W_l = s_l\,Z` with :math:`Z` standard normal of shape ``(sizes[l-1], sizes[l])``
    drawn by ``np.random.randn`` layer by layer, :math:`s_l` = :func:`init_scale`
    ``(weight_init_std, sizes[l-1])``; :math:`b_l = 0` of length ``sizes[l]``.
    """
    params = {}
    for index in range(1, len(sizes)):
        scale = init_scale(weight_init_std, sizes[index - 1])
        params[f"W{index}"] = scale * np.random.randn(sizes[index - 1], sizes[index])
        params[f"b{index}"] = np.zeros(sizes[index])
    return params


def shuffle_dataset(x: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""``x`` and ``t`` reordered by one random permutation of the examples (pairs kept).

    Notes
    -----
    :math:`p` = ``np.random.permutation(N)``; returns :math:`(x_{p}, t_{p})` along axis 0. A
    2-D ``x`` stays 2-D and a 4-D image batch stays 4-D.
    """
    permutation = np.random.permutation(np.asarray(x).shape[0])
    return np.asarray(x)[permutation], np.asarray(t)[permutation]


def split_validation(x: np.ndarray, t: np.ndarray, validation_rate: float = 0.2
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    r"""``(x_val, t_val, x_train, t_train)``: the first ``int(N * validation_rate)`` examples of a
    shuffled copy are the validation data, as the book's chapter 6 script does.

    Notes
    -----
    :math:`n_v = \lfloor N r \rfloor`; after :func:`shuffle_dataset`, rows :math:`0..n_v-1` are the
    validation set and the rest the training set.
    """
    x, t = shuffle_dataset(x, t)
    count = int(x.shape[0] * validation_rate)
    return x[:count], t[:count], x[count:], t[count:]


def sample_hyperparameters(rng: np.random.Generator | None = None,
                           ranges: Mapping[str, tuple[float, float]] | None = None) -> dict[str, float]:
    r"""One draw of the book's random search: each hyperparameter log-uniform in its range.

    Notes
    -----
    For each name with exponent range :math:`(a, b)`: :math:`10^{u}`, :math:`u \sim U(a, b)`.
    Defaults: ``weight_decay`` with :math:`(-8, -4)`, ``lr`` with :math:`(-6, -2)`.
    """
    draw = rng.uniform if rng is not None else np.random.uniform
    ranges = ranges or {"weight_decay": WEIGHT_DECAY_EXPONENTS, "lr": LR_EXPONENTS}
    return {name: float(10 ** draw(low, high)) for name, (low, high) in ranges.items()}
