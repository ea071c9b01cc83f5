r"""Reference answers for *Deep Learning from Scratch* (Saito), chapter 6: weight decay, weight
initialization by name, shuffling, the validation split and random hyperparameter search.

The book writes these inside ``common/multi_layer_net.py``, ``common/util.py`` and
``ch06/hyperparameter_optimization.py``; here each is one function with the book's formulas.
Weights have shape ``(fan_in, fan_out)`` (rows are inputs, the book's ``x @ W`` layout).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dnn_autograder.reference.dlfs_layers import LOG_EPSILON, Affine, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["weight_decay_loss", "weight_decay_gradients", "init_scale", "init_weights",
           "shuffle_dataset", "split_validation", "sample_hyperparameters",
           "network_forward_backward", "NetworkPass", "MultiLayerNet",
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


@dataclass(frozen=True)
class NetworkPass:
    """What :func:`network_forward_backward` computes: the scores, the loss and the gradients."""

    scores: np.ndarray
    loss: float
    grads: dict[str, np.ndarray]


def _hidden_activation(name: str) -> tuple[Any, Any]:
    """``(f, f')`` with ``f'`` written in terms of ``(z, f(z))``; the book's Relu passes no
    gradient at ``z = 0`` (mask ``z <= 0``)."""
    if name.lower() == "relu":
        return (lambda z: np.where(z > 0, z, 0.0)), (lambda z, a: (z > 0).astype(float))
    if name.lower() == "sigmoid":
        return (lambda z: 1.0 / (1.0 + np.exp(-z))), (lambda z, a: a * (1.0 - a))
    raise ValueError(f"unknown activation {name!r}")


def network_forward_backward(params: Mapping[str, np.ndarray], x: np.ndarray, t: np.ndarray,
                             activation: str = "relu", weight_decay_lambda: float = 0.0) -> NetworkPass:
    r"""The book's multi-layer network on given parameters, written out as formulas.

    Notes
    -----
    With :math:`L` layers (``W1..WL``), :math:`a_0` = ``x`` flattened to ``(N, D)``,
    :math:`z_l = a_{l-1} W_l + b_l`, :math:`a_l = f(z_l)` for :math:`l < L` (``f`` = ReLU or the
    sigmoid), scores :math:`z_L`, :math:`y = \mathrm{softmax}(z_L)` row by row.
    Loss: :math:`-\frac1N \sum_i \log(y_{i c_i} + 10^{-7}) + \frac{\lambda}{2}\sum_l \sum W_l^2`
    (biases not decayed). Gradients: :math:`\delta_L = (y - T)/N` (``T`` one-hot),
    :math:`dW_l = a_{l-1}^T \delta_l + \lambda W_l`, :math:`db_l = \sum_i \delta_{l,i}`,
    :math:`\delta_{l-1} = (\delta_l W_l^T) \odot f'(z_{l-1})`.
    """
    f, f_prime = _hidden_activation(activation)
    count = sum(1 for key in params if key.startswith("W") and key[1:].isdigit())
    W = [np.asarray(params[f"W{l}"], dtype=float) for l in range(1, count + 1)]
    b = [np.asarray(params[f"b{l}"], dtype=float) for l in range(1, count + 1)]
    x = np.asarray(x, dtype=float)
    a = [x.reshape(x.shape[0], -1)]
    z: list[np.ndarray] = []
    for l in range(count):
        z.append(a[-1] @ W[l] + b[l])
        if l < count - 1:
            a.append(f(z[-1]))
    scores = z[-1]
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    y = shifted / shifted.sum(axis=1, keepdims=True)
    n = y.shape[0]
    t = np.asarray(t)
    classes = t.argmax(axis=1) if t.size == y.size else t.reshape(n).astype(int)
    data_loss = float(-np.sum(np.log(y[np.arange(n), classes] + LOG_EPSILON)) / n)
    onehot = np.zeros_like(y)
    onehot[np.arange(n), classes] = 1.0
    delta = (y - onehot) / n
    grads: dict[str, np.ndarray] = {}
    for l in reversed(range(count)):
        grads[f"W{l + 1}"] = a[l].T @ delta + weight_decay_lambda * W[l]
        grads[f"b{l + 1}"] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ W[l].T) * f_prime(z[l - 1], a[l])
    ordered = {key: grads[key] for l in range(1, count + 1) for key in (f"W{l}", f"b{l}")}
    return NetworkPass(scores, data_loss + weight_decay_loss(W, weight_decay_lambda), ordered)


class MultiLayerNet:
    r"""The book's fully connected network (``common/multi_layer_net.py``), built from the
    reference layers.

    Notes
    -----
    Layer sizes ``[input_size, *hidden_size_list, output_size]``; parameters from
    :func:`init_weights` (one ``np.random.randn`` per weight matrix, in layer order);
    ``Affine -> activation`` for each hidden layer, then ``Affine`` and ``SoftmaxWithLoss``.
    ``loss`` adds :func:`weight_decay_loss`; ``gradient`` backpropagates and adds
    :math:`\lambda W_l` to each ``dW`` (:func:`weight_decay_gradients`). The layers hold the very
    arrays of ``params``, so an in-place update of ``params`` changes the network.
    """

    def __init__(self, input_size: int, hidden_size_list: Sequence[int], output_size: int,
                 activation: str = "relu", weight_init_std: str | float = "relu",
                 weight_decay_lambda: float = 0) -> None:
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = init_weights([input_size, *self.hidden_size_list, output_size], weight_init_std)
        layer_class = {"sigmoid": Sigmoid, "relu": Relu}[activation.lower()]
        self.layers: OrderedDict[str, Any] = OrderedDict()
        for index in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{index}"] = Affine(self.params[f"W{index}"], self.params[f"b{index}"])
            self.layers[f"Activation_function{index}"] = layer_class()
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def _weights(self) -> list[np.ndarray]:
        return [self.params[f"W{index}"] for index in range(1, self.hidden_layer_num + 2)]

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        y = self.predict(x)
        return self.last_layer.forward(y, t) + weight_decay_loss(self._weights(), self.weight_decay_lambda)

    def accuracy(self, x: np.ndarray, t: np.ndarray) -> float:
        y = np.argmax(self.predict(x), axis=1)
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / float(x.shape[0]))

    def gradient(self, x: np.ndarray, t: np.ndarray) -> dict[str, np.ndarray]:
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        count = self.hidden_layer_num + 1
        dWs = weight_decay_gradients([self.layers[f"Affine{i}"].dW for i in range(1, count + 1)],
                                     self._weights(), self.weight_decay_lambda)
        grads = {}
        for index in range(1, count + 1):
            grads[f"W{index}"] = dWs[index - 1]
            grads[f"b{index}"] = self.layers[f"Affine{index}"].db
        return grads
