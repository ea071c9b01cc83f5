r"""Known mistakes in the book's ``MultiLayerNet`` (weight decay, initialization by name) and
``shuffle_dataset``.

Each network mutant is the book's class with one method written as learners write it wrong
(:class:`_BookNet` holds the book's version of each: ``_scale`` picks the initial standard
deviation, ``_decay_loss`` the penalty added to the loss, ``_decay_grad`` what is added to a
parameter's gradient); it replaces the graded class in the trusted run of the same script. The
layers are the ones the grader gives a learner's ``from common.layers import *``. A learner whose
random draws differ from the book's cannot match a mutant; the structural checks recognise the
same mistakes from the learner's own parameters (``_same_arithmetic``: loss and gradients
recomputed by the mutant on them; ``_same_scale``: the first weight matrix's spread).
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.assignments.dlfs_network.properties import (
    GRADS,
    LOSS,
    MIN_ENTRIES,
    PARAMS_AFTER_INIT,
    PARAMS_AT_LOSS,
    TEST_LEVEL,
    layer_sizes,
)
from dnn_autograder.assignments.initialization.properties import fits_gaussian
from dnn_autograder.course_helpers.dlfs_common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]


class _BookNet:
    """The book's network; the subclasses below each change one hook."""

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0):
        self.hidden_layer_num = len(hidden_size_list)
        self.weight_decay_lambda = weight_decay_lambda
        self.params = {}
        sizes = [input_size, *hidden_size_list, output_size]
        for idx in range(1, len(sizes)):
            scale = self._scale(weight_init_std, sizes, idx)
            self.params["W" + str(idx)] = scale * np.random.randn(sizes[idx - 1], sizes[idx])
            self.params["b" + str(idx)] = np.zeros(sizes[idx])
        layer = {"sigmoid": Sigmoid, "relu": Relu}[activation]
        self.layers = {}
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)], self.params["b" + str(idx)])
            self.layers["Activation_function" + str(idx)] = layer()
        idx = self.hidden_layer_num + 1
        self.layers["Affine" + str(idx)] = Affine(self.params["W" + str(idx)], self.params["b" + str(idx)])
        self.last_layer = SoftmaxWithLoss()

    def _scale(self, weight_init_std, sizes, idx):
        if str(weight_init_std).lower() in ("relu", "he"):
            return np.sqrt(2.0 / sizes[idx - 1])
        if str(weight_init_std).lower() in ("sigmoid", "xavier"):
            return np.sqrt(1.0 / sizes[idx - 1])
        return weight_init_std

    def _decay_loss(self):
        weight_decay = 0
        for idx in range(1, self.hidden_layer_num + 2):
            W = self.params["W" + str(idx)]
            weight_decay += 0.5 * self.weight_decay_lambda * np.sum(W**2)
        return weight_decay

    def _decay_grad(self, key):
        return self.weight_decay_lambda * self.params[key] if key.startswith("W") else 0

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.last_layer.forward(y, t) + self._decay_loss()

    def accuracy(self, x, t):
        y = np.argmax(self.predict(x), axis=1)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers["Affine" + str(idx)]
            grads["W" + str(idx)] = affine.dW + self._decay_grad("W" + str(idx))
            grads["b" + str(idx)] = affine.db + self._decay_grad("b" + str(idx))
        return grads


class _DecayMissingInLoss(_BookNet):
    def _decay_loss(self):
        return 0


class _DecayMissingInGradient(_BookNet):
    def _decay_grad(self, key):
        return 0


class _DecayWithoutHalf(_BookNet):
    def _decay_loss(self):
        return sum(self.weight_decay_lambda * np.sum(self.params["W" + str(idx)] ** 2)
                   for idx in range(1, self.hidden_layer_num + 2))


class _DecayOnBiases(_BookNet):
    def _decay_loss(self):
        return sum(0.5 * self.weight_decay_lambda * np.sum(value**2) for value in self.params.values())

    def _decay_grad(self, key):
        return self.weight_decay_lambda * self.params[key]


class _DecayLastLayerOnly(_BookNet):
    def _decay_loss(self):
        for idx in range(1, self.hidden_layer_num + 2):
            W = self.params["W" + str(idx)]
            weight_decay = 0.5 * self.weight_decay_lambda * np.sum(W**2)  # = instead of +=
        return weight_decay


class _InitNamesSwapped(_BookNet):
    def _scale(self, weight_init_std, sizes, idx):
        if str(weight_init_std).lower() in ("relu", "he"):
            return np.sqrt(1.0 / sizes[idx - 1])
        if str(weight_init_std).lower() in ("sigmoid", "xavier"):
            return np.sqrt(2.0 / sizes[idx - 1])
        return weight_init_std


class _InitOwnSize(_BookNet):
    def _scale(self, weight_init_std, sizes, idx):
        if str(weight_init_std).lower() in ("relu", "he"):
            return np.sqrt(2.0 / sizes[idx])
        if str(weight_init_std).lower() in ("sigmoid", "xavier"):
            return np.sqrt(1.0 / sizes[idx])
        return weight_init_std


class _InitFixed(_BookNet):
    def _scale(self, weight_init_std, sizes, idx):
        return 0.01


def _shuffle_separately(x, t):
    x = x[np.random.permutation(x.shape[0])]
    t = t[np.random.permutation(t.shape[0])]
    return x, t


def _close(got, expected):
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and bool(np.allclose(got, expected, rtol=1e-6, atol=1e-8))


def _constructed(cls, inputs):
    """``cls`` built with the case's constructor arguments, the global generator left as it was."""
    keys = ("input_size", "hidden_size_list", "output_size", "activation", "weight_init_std", "weight_decay_lambda")
    state = np.random.get_state()
    try:
        return cls(**{key: inputs[key] for key in keys if key in inputs})
    finally:
        np.random.set_state(state)


def _computes_like(cls, inputs, got):
    """``cls``, given the learner's own parameters (read after the loss), returns the learner's
    loss and gradients."""
    params, grads = got.get(PARAMS_AT_LOSS), got.get(GRADS)
    net = _constructed(cls, inputs)
    for key, array in net.params.items():
        array[...] = np.asarray(params[key], dtype=float).reshape(array.shape)
    x, t = np.asarray(inputs["x"]), np.asarray(inputs["t"])
    if not _close(got.get(LOSS), net.loss(x, t)):
        return False
    expected = net.gradient(x, t)
    return all(_close(grads[key], value) for key, value in expected.items())


def _same_arithmetic(cls):
    """Structural check: the learner's loss and gradients, on their own parameters, are those of
    ``cls`` and not the book's (the learner's random draws may differ from the book's)."""
    def check(inputs, got, observation):
        return _computes_like(cls, inputs, got) and not _computes_like(_BookNet, inputs, got)

    return check


def _same_scale(cls):
    """Structural check: the learner's first weight matrix (large enough to measure) has the
    standard deviation ``cls`` picks, and not the right one."""
    def check(inputs, got, observation):
        sizes = layer_sizes(inputs)
        W1 = np.asarray(got[PARAMS_AFTER_INIT]["W1"], dtype=float)
        if W1.size < MIN_ENTRIES:
            return False
        name = inputs.get("weight_init_std", "relu")
        return (fits_gaussian(W1, float(cls._scale(None, name, sizes, 1)), TEST_LEVEL)
                and not fits_gaussian(W1, float(_BookNet._scale(None, name, sizes, 1)), TEST_LEVEL))

    return check


_DECAY = ("The book's network adds L2 weight decay: loss = data loss + 0.5 * weight_decay_lambda * (sum of W**2 "
          "over the weight matrices of every layer); gradient: grads['W%d'] = dW + weight_decay_lambda * W, "
          "grads['b%d'] = db.")

MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        id="dlfs-net-decay-missing-in-loss", function="MultiLayerNet",
        title="weight decay missing from the loss",
        explanation=("Your loss is the data loss alone, while the gradient includes weight decay: the loss you "
                     "report is not the function you minimise. " + _DECAY),
        mutant=_DecayMissingInLoss, structural=_same_arithmetic(_DecayMissingInLoss),
    ),
    Mistake(
        id="dlfs-net-decay-missing-in-gradient", function="MultiLayerNet",
        title="weight decay missing from the gradient",
        explanation=("Your loss includes weight decay but gradient() returns the plain backpropagated dW, so the "
                     "penalty never shrinks the weights. Add its derivative: grads['W%d'] = dW + "
                     "weight_decay_lambda * W. " + _DECAY),
        mutant=_DecayMissingInGradient, structural=_same_arithmetic(_DecayMissingInGradient),
    ),
    Mistake(
        id="dlfs-net-decay-no-half", function="MultiLayerNet",
        title="weight decay penalty without the 0.5",
        explanation=("Your penalty is weight_decay_lambda * sum(W**2). The book's is 0.5 * weight_decay_lambda * "
                     "sum(W**2), whose derivative is exactly weight_decay_lambda * W, the term the gradient adds; "
                     "without the 0.5 the loss and the gradient disagree by a factor 2."),
        mutant=_DecayWithoutHalf, structural=_same_arithmetic(_DecayWithoutHalf),
    ),
    Mistake(
        id="dlfs-net-decay-on-biases", function="MultiLayerNet",
        title="weight decay applied to the biases",
        explanation=("Your penalty sums over every entry of params, biases included, and the gradient adds "
                     "weight_decay_lambda * b to db. Weight decay limits the weights only: loop over the layers "
                     "and use params['W%d'] (the biases do not make the network's function more complex)."),
        mutant=_DecayOnBiases, structural=_same_arithmetic(_DecayOnBiases),
    ),
    Mistake(
        id="dlfs-net-decay-last-layer-only", function="MultiLayerNet",
        title="weight decay of the last layer only",
        explanation=("Your penalty keeps only the last layer's term: the loop assigns weight_decay = ... instead "
                     "of adding to it (weight_decay += ...). Sum 0.5 * weight_decay_lambda * np.sum(W**2) over "
                     "every layer's W."),
        mutant=_DecayLastLayerOnly, structural=_same_arithmetic(_DecayLastLayerOnly),
    ),
    Mistake(
        id="dlfs-net-init-names-swapped", function="MultiLayerNet",
        title="He and Xavier scales swapped",
        explanation=("Your network uses sqrt(1 / n) for 'relu'/'he' and sqrt(2 / n) for 'sigmoid'/'xavier'. He "
                     "initialization for ReLU is sqrt(2 / n) (ReLU zeroes half of its inputs, so the variance is "
                     "doubled to keep the signal's scale); Xavier for sigmoid is sqrt(1 / n); n = the previous "
                     "layer's size."),
        mutant=_InitNamesSwapped, structural=_same_scale(_InitNamesSwapped),
    ),
    Mistake(
        id="dlfs-net-init-own-size", function="MultiLayerNet",
        title="initial scale from the layer's own size, not the previous layer's",
        explanation=("Your scale uses all_size_list[idx], the layer's own number of units. Each unit of layer "
                     "idx sums over the n = all_size_list[idx - 1] outputs of the previous layer: the scale is "
                     "sqrt(2 / n) ('relu'/'he') or sqrt(1 / n) ('sigmoid'/'xavier') with that n."),
        mutant=_InitOwnSize, structural=_same_scale(_InitOwnSize),
    ),
    Mistake(
        id="dlfs-net-init-fixed-scale", function="MultiLayerNet",
        title="weight_init_std ignored: 0.01 for every layer",
        explanation=("Your weights are 0.01 * np.random.randn(...) whatever weight_init_std says. Read it: "
                     "'relu'/'he' means sqrt(2 / n), 'sigmoid'/'xavier' sqrt(1 / n) with n the previous layer's "
                     "size, and a number is the standard deviation itself. With 0.01 the activations of a deep "
                     "network shrink towards 0 layer after layer."),
        mutant=_InitFixed, structural=_same_scale(_InitFixed),
    ),
    Mistake(
        id="dlfs-shuffle-separately", function="shuffle_dataset",
        title="x and t shuffled by two different permutations",
        explanation=("Your function draws one permutation for x and another for t, so the labels no longer "
                     "belong to their examples. Draw one: permutation = np.random.permutation(x.shape[0]), then "
                     "x = x[permutation], t = t[permutation]."),
        mutant=_shuffle_separately,
    ),
)
