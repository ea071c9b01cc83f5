r"""Cases for the *Deep Learning from Scratch* multi-layer network (``common/multi_layer_net.py``)
and ``shuffle_dataset`` (``common/util.py``).

A ``MultiLayerNet`` case is the script::

    net = MultiLayerNet(input_size=D, hidden_size_list=[h1, ...], output_size=C, ...)  # seeded
    params = net.__getattribute__('params')      # net.params compared after construction
    b1 = params.__getitem__('b1')
    b1.__iadd__(shift)                           # b1 += shift, in place, as a training step does
    y = net.predict(x)                           # y compared
    loss = net.loss(x, t)                        # loss and net.params compared
    grads = net.gradient(x, t)                   # grads compared

What the cases are built to show:

* the first layer has at least ``MIN_ENTRIES`` (1,200) weights, so its distribution is measurable
  (``properties.py``), and its fan-in (60 to 80 inputs) is at least twice its own size (20 to
  30 units): a scale from the layer's own size is off by a factor of at least sqrt(2);
* every name the book accepts for ``weight_init_std`` (``'relu'``, ``'he'``, ``'sigmoid'``,
  ``'xavier'``, the default) and numbers (0.05, 0.1), with either activation, so swapped
  names and a fixed 0.01 show;
* one or two hidden layers (two or three weight matrices), so decay summed over the last layer
  only shows; ``weight_decay_lambda`` 0.1 to 1 in most cases (the default 0 in some);
* ``b1`` shifted in place before the loss (biases start at 0, and decay applied to biases only
  shows on non-zero biases); the book's layers hold the very arrays of ``params``;
* labels as class indices or one-hot rows, batches of 3 to 5.

A ``shuffle_dataset`` case is ``x_s, t_s = shuffle_dataset(x, t)`` (seeded) on 12 to 16
examples with distinct rows (2-D or image batches ``(N, 1, 2, 2)``) and labels with many
values, so a permutation is recoverable and one that differs between x and t shows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.strategies import composite, matrices, st
from dnn_autograder.grader.model import Case, Step, Var

__all__ = ["EDGE_CASES", "MultiLayerNet_cases", "shuffle_dataset_cases", "network_script", "shuffle_script",
           "INIT_NAMES"]

#: ``weight_init_std`` values the cases use (None: the book's default, left out of the call)
INIT_NAMES: tuple[Any, ...] = (None, "relu", "he", "sigmoid", "xavier", "ReLU", 0.05, 0.1)


def network_script(input_size: int, hidden_size_list: list[int], output_size: int, x: np.ndarray,
                   t: np.ndarray, shift: np.ndarray, *, activation: str | None = None,
                   weight_init_std: Any = None, weight_decay_lambda: float | None = None, seed: int = 0,
                   label: str = "generated") -> Case:
    """The script of the module doc; keywords left as None are left out of the constructor call."""
    args: dict[str, Any] = {"input_size": input_size, "hidden_size_list": list(hidden_size_list),
                            "output_size": output_size}
    optional = {"activation": activation, "weight_init_std": weight_init_std,
                "weight_decay_lambda": weight_decay_lambda}
    args.update({key: value for key, value in optional.items() if value is not None})
    kwargs = {key: Var(key) for key in args}
    args.update({"x": x, "t": t, "shift": shift})
    return Case(args, label=label, seed=seed, steps=(
        Step("MultiLayerNet", kwargs=kwargs, returns=("net",), compare=("net.params",), seed=seed),
        Step("net.__getattribute__", args=("params",), returns=("params",)),
        Step("params.__getitem__", args=("b1",), returns=("b1",)),
        Step("b1.__iadd__", args=(Var("shift"),)),
        Step("net.predict", args=(Var("x"),), returns=("y",), compare=("y",)),
        Step("net.loss", args=(Var("x"), Var("t")), returns=("loss",), compare=("loss", "net.params")),
        Step("net.gradient", args=(Var("x"), Var("t")), returns=("grads",), compare=("grads",)),
    ))


def _labels(classes: int, n: int, rng_labels: list[int], one_hot: bool) -> np.ndarray:
    labels = np.array(rng_labels[:n]) % classes
    return np.eye(classes, dtype=int)[labels] if one_hot else labels


@composite
def _network_cases(draw: st.DrawFn) -> Case:
    input_size, h1 = draw(st.integers(60, 80)), draw(st.integers(20, 30))
    hidden = [h1] + ([draw(st.integers(8, 15))] if draw(st.booleans()) else [])
    output_size, n = draw(st.integers(3, 5)), draw(st.integers(3, 5))
    x = draw(matrices(n, input_size, min_value=-1.0, max_value=1.0, places=2))
    t = _labels(output_size, n, draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), draw(st.booleans()))
    shift = draw(matrices(1, h1, min_value=-0.5, max_value=0.5, places=2)).reshape(h1)
    return network_script(
        input_size, hidden, output_size, x, t, shift,
        activation=draw(st.sampled_from((None, "relu", "sigmoid"))),
        weight_init_std=draw(st.sampled_from(INIT_NAMES)),
        weight_decay_lambda=draw(st.sampled_from((None, 0.1, 0.3, 1.0, 1.0))),
        seed=draw(st.integers(0, 2**16)))


def MultiLayerNet_cases() -> st.SearchStrategy[Case]:  # noqa: N802 - named after the graded class
    return _network_cases()


def shuffle_script(x: np.ndarray, t: np.ndarray, seed: int, *, label: str = "generated") -> Case:
    """``x_s, t_s = shuffle_dataset(x, t)`` after ``np.random.seed(seed)``."""
    return Case({"x": x, "t": t}, label=label, seed=seed, steps=(
        Step("shuffle_dataset", args=(Var("x"), Var("t")), returns=("x_s", "t_s"), compare=("x_s", "t_s"),
             seed=seed),
    ))


@composite
def _shuffle_cases(draw: st.DrawFn) -> Case:
    n = draw(st.integers(12, 16))
    image = draw(st.integers(0, 3)) == 0
    x = draw(matrices(n, 4 if image else 3, min_value=-1.0, max_value=1.0, places=2))
    x[:, 0] = np.arange(n) / 10  # distinct rows: the permutation can be read back
    if image:
        x = x.reshape(n, 1, 2, 2)
    labels = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)))
    t = np.eye(10, dtype=int)[labels] if draw(st.booleans()) else labels
    return shuffle_script(x, t, draw(st.integers(0, 2**16)))


def shuffle_dataset_cases() -> st.SearchStrategy[Case]:
    return _shuffle_cases()


def _grid(rows: int, cols: int, scale: float) -> np.ndarray:
    return np.round(np.sin(np.arange(rows * cols, dtype=float) * 0.7).reshape(rows, cols) * scale, 2)


EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "MultiLayerNet": (
        network_script(64, [24, 10], 4, _grid(3, 64, 1.0), np.array([0, 3, 1]), _grid(1, 24, 0.5).reshape(24),
                       weight_decay_lambda=0.1, seed=3,
                       label="edge: the book's defaults (ReLU, He scale) with weight decay 0.1"),
        network_script(70, [25], 3, _grid(4, 70, 0.8), np.eye(3, dtype=int)[[2, 0, 1, 2]],
                       _grid(1, 25, 0.3).reshape(25), activation="sigmoid", weight_init_std="sigmoid",
                       weight_decay_lambda=0.5, seed=4,
                       label="edge: sigmoid with Xavier scale, one-hot labels, weight decay 0.5"),
    ),
    "shuffle_dataset": (
        shuffle_script(np.arange(36, dtype=float).reshape(12, 3), np.arange(12) % 10, 1,
                       label="edge: 12 examples, labels 0 to 9"),
    ),
}
