r"""Cases for the *Deep Learning from Scratch* layer classes (``common/layers.py``).

Every case is a script of the book's own calls on one layer object, for example::

    layer = Affine(W, b)
    out = layer.forward(x)            # out compared (and x: a forward must not change it)
    dx = layer.backward(dout)         # dx, layer.dW, layer.db compared

What the cases are built to show:

* batches of 2 to 4 rows (one example per row) and 2 to 4 columns, so that summing over the
  wrong axis, a transposed product or a missing division by the batch size shows; ``Affine`` and
  ``BatchNormalization`` also get 4-D image batches ``(N, C, H, W)``, whose gradient must come
  back in that shape;
* inputs with entries in :math:`[-3, 3]` away from 0 (ReLU's kink is not graded; the book's mask
  ``x <= 0`` and ``x < 0`` agree there), upstream gradients ``dout`` of both signs, so a
  backward that ignores ``dout`` or builds its mask from ``dout`` shows;
* ``SoftmaxWithLoss``: labels as class indices and as one-hot rows (the book's MNIST loader
  gives either), scores of both signs (cross-entropy taken of raw scores shows), the backward
  called as the book calls it, ``backward(1)``;
* ``Dropout``: batches of 12 x 25 so the share of dropped units is measurable, ratios other
  than 0.5 (a mask that keeps ``ratio`` instead of ``1 - ratio`` shows), and a test-mode call
  after training (the book scales by ``1 - ratio`` there);
* ``BatchNormalization``: batches of 3 to 5 rows (with 2 rows the normalised output is +-1
  whatever x is, and dx is 0) whose columns have variance at least 1 (the epsilon each learner
  picks, 1e-5 to 1e-8, does not matter at the spec's tolerance), momentum other than 0.9 (swapped
  running-average weights show), given running statistics or None, and a test-mode call after
  training (running statistics updated at test time show).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.strategies import composite, matrices, st
from dnn_autograder.grader.model import Case, Step, Var

__all__ = [
    "EDGE_CASES",
    "Relu_cases",
    "Sigmoid_cases",
    "Affine_cases",
    "SoftmaxWithLoss_cases",
    "Dropout_cases",
    "BatchNormalization_cases",
    "DROPOUT_SHAPE",
]

#: Dropout's batch: 300 units, enough to measure the share dropped
DROPOUT_SHAPE = (12, 25)


def _away_from_zero(array: np.ndarray, floor: float = 0.05) -> np.ndarray:
    """``array`` with entries closer to 0 than ``floor`` moved to ``+-floor``."""
    return np.where(np.abs(array) < floor, np.where(array < 0, -floor, floor), array)


@composite
def _batch(draw: st.DrawFn, rows: int, cols: int, bound: float = 3.0) -> np.ndarray:
    return _away_from_zero(draw(matrices(rows, cols, min_value=-bound, max_value=bound, places=2)))


def _activation(name: str) -> st.SearchStrategy[Case]:
    @composite
    def cases(draw: st.DrawFn) -> Case:
        n, d = draw(st.integers(2, 4)), draw(st.integers(2, 4))
        return activation_script(name, draw(_batch(n, d)), draw(_batch(n, d)))

    return cases()


def activation_script(name: str, x: np.ndarray, dout: np.ndarray, *, label: str = "generated") -> Case:
    """``layer = name(); out = layer.forward(x); dx = layer.backward(dout)``."""
    return Case({"x": x, "dout": dout}, label=label, steps=(
        Step(name, returns=("layer",)),
        Step("layer.forward", args=(Var("x"),), returns=("out",), compare=("out", "x")),
        Step("layer.backward", args=(Var("dout"),), returns=("dx",), compare=("dx",)),
    ))


def Relu_cases() -> st.SearchStrategy[Case]:  # noqa: N802 - named after the graded class
    return _activation("Relu")


def Sigmoid_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _activation("Sigmoid")


def affine_script(W: np.ndarray, b: np.ndarray, x: np.ndarray, dout: np.ndarray, *,
                  label: str = "generated") -> Case:
    """``layer = Affine(W, b); out = layer.forward(x); dx = layer.backward(dout)``."""
    return Case({"W": W, "b": b, "x": x, "dout": dout}, label=label, steps=(
        Step("Affine", args=(Var("W"), Var("b")), returns=("layer",)),
        Step("layer.forward", args=(Var("x"),), returns=("out",), compare=("out", "x")),
        Step("layer.backward", args=(Var("dout"),), returns=("dx",), compare=("dx", "layer.dW", "layer.db")),
    ))


@composite
def _affine_cases(draw: st.DrawFn) -> Case:
    n, m = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    shape: tuple[int, ...]
    if draw(st.integers(0, 3)) == 0:  # an image batch (N, C, H, W)
        shape = (n, draw(st.integers(1, 2)), 2, draw(st.integers(1, 2)))
    else:
        shape = (n, draw(st.integers(2, 4)))
    d = int(np.prod(shape[1:]))
    x = draw(_batch(n, d)).reshape(shape)
    W = draw(matrices(d, m, min_value=-2.0, max_value=2.0, places=2))
    b = draw(matrices(1, m, min_value=-1.0, max_value=1.0, places=2)).reshape(m)
    return affine_script(W, b, x, draw(_batch(n, m)))


def Affine_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _affine_cases()


def softmax_script(x: np.ndarray, t: np.ndarray, *, label: str = "generated") -> Case:
    """``layer = SoftmaxWithLoss(); loss = layer.forward(x, t); dx = layer.backward(dout)`` with
    ``dout = 1``, as the book's network calls it."""
    return Case({"x": x, "t": t, "dout": 1.0}, label=label, steps=(
        Step("SoftmaxWithLoss", returns=("layer",)),
        Step("layer.forward", args=(Var("x"), Var("t")), returns=("loss",), compare=("loss",)),
        Step("layer.backward", args=(Var("dout"),), returns=("dx",), compare=("dx",)),
    ))


@composite
def _softmax_cases(draw: st.DrawFn) -> Case:
    n, c = draw(st.integers(2, 4)), draw(st.integers(2, 4))
    x = draw(_batch(n, c, bound=4.0))
    labels = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    t = np.eye(c, dtype=int)[labels] if draw(st.booleans()) else labels
    return softmax_script(x, t)


def SoftmaxWithLoss_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _softmax_cases()


def dropout_script(x: np.ndarray, dout: np.ndarray, ratio: float | None, seed: int, *,
                   label: str = "generated") -> Case:
    """``layer = Dropout(dropout_ratio=ratio)`` (or ``Dropout()``), a training forward (seeded),
    its backward, then a test-mode forward."""
    args: dict[str, Any] = {"x": x, "dout": dout, "train": True, "test": False}
    kwargs = {}
    if ratio is not None:
        args["dropout_ratio"] = ratio
        kwargs = {"dropout_ratio": Var("dropout_ratio")}
    return Case(args, label=label, seed=seed, steps=(
        Step("Dropout", kwargs=kwargs, returns=("layer",)),
        Step("layer.forward", args=(Var("x"), Var("train")), returns=("out",), compare=("out",), seed=seed),
        Step("layer.backward", args=(Var("dout"),), returns=("dx",), compare=("dx",)),
        Step("layer.forward", args=(Var("x"), Var("test")), returns=("out_test",), compare=("out_test",)),
    ))


@composite
def _dropout_cases(draw: st.DrawFn) -> Case:
    x = draw(_batch(*DROPOUT_SHAPE, bound=2.0))
    dout = draw(_batch(*DROPOUT_SHAPE, bound=2.0))
    ratio = draw(st.sampled_from((None, 0.2, 0.3, 0.6, 0.75)))
    return dropout_script(x, dout, ratio, draw(st.integers(0, 2**16)))


def Dropout_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _dropout_cases()


def batchnorm_script(gamma: np.ndarray, beta: np.ndarray, x: np.ndarray, dout: np.ndarray, x_test: np.ndarray, *,
                     momentum: float | None = None, running: tuple[np.ndarray, np.ndarray] | None = None,
                     label: str = "generated") -> Case:
    """``bn = BatchNormalization(gamma, beta[, momentum, running_mean, running_var])``, a training
    forward, its backward, then a test-mode forward on ``x_test``."""
    args: dict[str, Any] = {"gamma": gamma, "beta": beta}
    kwargs: dict[str, Any] = {}
    if momentum is not None:
        args["momentum"] = momentum
        kwargs["momentum"] = Var("momentum")
    if running is not None:
        args["running_mean"], args["running_var"] = running
        kwargs.update(running_mean=Var("running_mean"), running_var=Var("running_var"))
    args.update({"x": x, "dout": dout, "x_test": x_test, "train": True, "test": False})
    return Case(args, label=label, steps=(
        Step("BatchNormalization", args=(Var("gamma"), Var("beta")), kwargs=kwargs, returns=("bn",)),
        Step("bn.forward", args=(Var("x"), Var("train")), returns=("out",),
             compare=("out", "bn.running_mean", "bn.running_var")),
        Step("bn.backward", args=(Var("dout"),), returns=("dx",), compare=("dx", "bn.dgamma", "bn.dbeta")),
        Step("bn.forward", args=(Var("x_test"), Var("test")), returns=("out_test",),
             compare=("out_test", "bn.running_mean", "bn.running_var")),
    ))


@composite
def _spread_batch(draw: st.DrawFn, n: int, d: int) -> np.ndarray:
    """A batch whose every column has variance at least 1: alternating +-2 plus entries in [-1, 1]."""
    base = draw(matrices(n, d, min_value=-1.0, max_value=1.0, places=2))
    signs = np.where(np.arange(n) % 2 == 0, 2.0, -2.0)[:, None]
    if n % 2:  # an odd batch: the last row goes the other way from its neighbour's mean
        signs[-1] = 0.0
        base[-1] = np.round(base[-1] * 0.5 + 3.0, 2)
    return base + signs


@composite
def _batchnorm_cases(draw: st.DrawFn) -> Case:
    n, d = draw(st.integers(3, 5)), draw(st.integers(2, 3))  # with 2 rows batch norm's dx is 0
    image = draw(st.integers(0, 4)) == 0
    x = draw(_spread_batch(n, d * 2 if image else d))
    x_test = draw(_spread_batch(draw(st.integers(1, 3)), d * 2 if image else d))
    dout = draw(_batch(n, d * 2 if image else d))
    if image:  # (N, C, H, W) = (n, d, 2, 1), flattened to d * 2 columns
        x, x_test, dout = (a.reshape(a.shape[0], d, 2, 1) for a in (x, x_test, dout))
        d *= 2
    gamma = draw(matrices(1, d, min_value=0.5, max_value=2.0, places=2)).reshape(d)
    beta = draw(matrices(1, d, min_value=-1.0, max_value=1.0, places=2)).reshape(d)
    momentum = draw(st.sampled_from((None, 0.5, 0.8, 0.95)))
    running = None
    if draw(st.booleans()):
        running = (draw(matrices(1, d, min_value=-1.0, max_value=1.0, places=2)).reshape(d),
                   draw(matrices(1, d, min_value=1.0, max_value=4.0, places=2)).reshape(d))
    return batchnorm_script(gamma, beta, x, dout, x_test, momentum=momentum, running=running)


def BatchNormalization_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _batchnorm_cases()


def _a(values: Any) -> np.ndarray:
    return np.array(values, dtype=float)


_X = _a([[0.5, -1.5, 2.0], [-0.25, 1.0, -3.0]])
_DOUT = _a([[1.0, 2.0, -1.0], [-0.5, 0.75, 3.0]])
_BN_X = _a([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5], [-0.5, 1.0, 2.5], [0.2, 4.0, 1.0]])

EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "Relu": (activation_script("Relu", _X, _DOUT, label="edge: the book's example, dout of both signs"),),
    "Sigmoid": (activation_script("Sigmoid", _X, _DOUT, label="edge: the book's example, dout of both signs"),),
    "Affine": (
        affine_script(_a([[1.0, -0.5], [0.2, 0.3], [-1.0, 2.0]]), _a([0.1, -0.2]), _X, _a([[1.0, -2.0], [0.5, 3.0]]),
                      label="edge: a batch of 2 rows of 3 features"),
        affine_script(np.arange(12, dtype=float).reshape(6, 2) / 7 - 0.5, _a([0.3, -0.1]),
                      np.arange(1, 13, dtype=float).reshape(2, 1, 2, 3) / 10 - 0.55, _a([[1.0, -1.0], [0.5, 2.0]]),
                      label="edge: an image batch (N, C, H, W) = (2, 1, 2, 3): dx must have that shape"),
    ),
    "SoftmaxWithLoss": (
        softmax_script(_a([[0.3, 2.9, -4.0], [0.1, -0.2, 0.5]]), np.array([1, 2]), label="edge: labels as indices"),
        softmax_script(_a([[0.3, 2.9, -4.0], [0.1, -0.2, 0.5]]), np.array([[0, 1, 0], [0, 0, 1]]),
                       label="edge: labels one-hot"),
    ),
    "Dropout": (
        dropout_script(np.linspace(-2, 2, 300).reshape(DROPOUT_SHAPE) + 0.005, np.ones(DROPOUT_SHAPE), None, 1,
                       label="edge: the book's default ratio 0.5"),
        dropout_script(np.linspace(0.5, 2, 300).reshape(DROPOUT_SHAPE),
                       np.linspace(-1, 1.2, 300).reshape(DROPOUT_SHAPE), 0.2, 2, label="edge: ratio 0.2 (80 % kept)"),
    ),
    "BatchNormalization": (
        batchnorm_script(_a([1.5, -0.5, 2.0]), _a([0.1, 0.2, -0.3]), _BN_X,
                         _a([[1.0, 0.5, -1.0], [0.2, -2.0, 0.3], [-0.7, 1.0, 0.9], [0.4, 0.1, -0.2]]),
                         _a([[0.0, 1.0, 2.0]]),
                         label="edge: the book's defaults (momentum 0.9, no running statistics)"),
        batchnorm_script(_a([1.0, 1.0, 1.0]), _a([0.0, 0.0, 0.0]), _BN_X, _a(np.ones((4, 3))), _BN_X[:2],
                         momentum=0.5, running=(_a([1.0, -1.0, 0.5]), _a([2.0, 3.0, 1.5])),
                         label="edge: given running statistics, momentum 0.5"),
    ),
}
