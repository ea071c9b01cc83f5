r"""Cases for the *Deep Learning from Scratch* optimizer classes (``common/optimizer.py``).

Every case is a script of the book's own calls::

    opt = Adam(lr=lr, beta1=beta1, beta2=beta2)     # or Adam(): the book's defaults
    opt.update(params, grads1)                      # params compared after each update
    opt.update(params, grads2)
    opt.update(params, grads3)

``params`` is one dict for the whole script, so only updates made in place reach the caller (a
class that rebinds ``params`` inside ``update`` changes nothing the caller sees). What the cases
are built to show:

* two or three arrays of different shapes (``W1`` (a, b), ``b1`` (b,), sometimes ``W2``): state
  shared between keys, or created for one key only, shows; edge cases with all arrays of one
  shape show a state array shared by every key;
* two to four updates with fresh gradients: state that is reset at every call (not lazy), a
  step counter counted per key, and bias corrections at the wrong ``t`` show; so does a
  ``return`` inside the loop over keys (only the first key is updated);
* gradient entries of both signs spread log-uniformly over :math:`[10^{-3}, 2]` (each rounded
  to three significant digits): where :math:`\sqrt{h}` is small, epsilon moved inside the
  square root changes the step by 5 % (AdaGrad) to 10x (RMSprop, Adam); edge cases hold exact
  zeros (a missing epsilon divides 0 by 0);
* explicit hyperparameters in two cases of three (``lr`` log-uniform over
  :math:`[10^{-3}, 0.5]`, ``momentum`` and ``beta1`` in :math:`[0.5, 0.95]`, ``decay_rate`` in
  :math:`[0.8, 0.999]`, ``beta2`` in :math:`[0.9, 0.9999]`), the book's defaults in the third:
  an ignored or renamed keyword shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.strategies import composite, learning_rates, matrices, st
from dnn_autograder.grader.model import Case, Step, Var

__all__ = [
    "EDGE_CASES",
    "HYPERPARAMETERS",
    "script",
    "SGD_cases",
    "Momentum_cases",
    "Nesterov_cases",
    "AdaGrad_cases",
    "RMSprop_cases",
    "Adam_cases",
]

#: each class's constructor keywords, in the book's order
HYPERPARAMETERS: dict[str, tuple[str, ...]] = {
    "SGD": ("lr",),
    "Momentum": ("lr", "momentum"),
    "Nesterov": ("lr", "momentum"),
    "AdaGrad": ("lr",),
    "RMSprop": ("lr", "decay_rate"),
    "Adam": ("lr", "beta1", "beta2"),
}


def script(name: str, hyper: Mapping[str, float] | None, params: Mapping[str, np.ndarray],
           grads: Sequence[Mapping[str, np.ndarray]], *, label: str = "generated") -> Case:
    """The case ``opt = name(**hyper); opt.update(params, grads1); ...`` comparing ``params``
    after each update. ``hyper`` None (or empty) constructs with the book's defaults."""
    hyper = dict(hyper or {})
    args: dict[str, Any] = {**hyper, "params": dict(params)}
    steps = [Step(name, kwargs={key: Var(key) for key in hyper}, returns=("opt",))]
    for index, grad in enumerate(grads, start=1):
        args[f"grads{index}"] = dict(grad)
        steps.append(Step("opt.update", args=(Var("params"), Var(f"grads{index}")), compare=("params",)))
    return Case(args, label=label, steps=tuple(steps))


def _significant(value: float, digits: int = 3) -> float:
    return float(f"{value:.{digits - 1}e}")


@composite
def _gradient_entries(draw: st.DrawFn, shape: tuple[int, ...]) -> np.ndarray:
    """Entries ``+-10**u``, ``u`` uniform on ``[-3, 0.3]``, three significant digits."""
    count = int(np.prod(shape))
    exponents = draw(st.lists(st.floats(-3.0, 0.3), min_size=count, max_size=count))
    signs = draw(st.lists(st.sampled_from((-1.0, 1.0)), min_size=count, max_size=count))
    values = [_significant(sign * 10.0**u) for sign, u in zip(signs, exponents, strict=True)]
    return np.array(values, dtype=float).reshape(shape)


def _param_shapes(draw: st.DrawFn) -> dict[str, tuple[int, ...]]:
    a, b, c = (draw(st.integers(1, 3)) for _ in range(3))
    shapes: dict[str, tuple[int, ...]] = {"W1": (a, b), "b1": (b,)}
    if draw(st.booleans()):
        shapes["W2"] = (b, c)
    return shapes


def _hyperparameters(draw: st.DrawFn, name: str) -> dict[str, float] | None:
    if draw(st.integers(0, 2)) == 0:
        return None  # the book's defaults
    ranges = {"momentum": (0.5, 0.95), "beta1": (0.5, 0.95), "decay_rate": (0.8, 0.999), "beta2": (0.9, 0.9999)}
    hyper = {}
    for key in HYPERPARAMETERS[name]:
        if key == "lr":
            hyper[key] = _significant(draw(learning_rates(min_value=1e-3, max_value=0.5)), 2)
        else:
            low, high = ranges[key]
            hyper[key] = round(draw(st.floats(low, high)), 4)
    return hyper


def _optimizer_cases(name: str) -> st.SearchStrategy[Case]:
    @composite
    def cases(draw: st.DrawFn) -> Case:
        shapes = _param_shapes(draw)
        params = {key: draw(matrices(1, int(np.prod(shape)), min_value=-2.0, max_value=2.0, places=2)).reshape(shape)
                  for key, shape in shapes.items()}
        updates = draw(st.integers(2, 3))
        grads = [{key: draw(_gradient_entries(shape)) for key, shape in shapes.items()} for _ in range(updates)]
        return script(name, _hyperparameters(draw, name), params, grads)

    return cases()


def SGD_cases() -> st.SearchStrategy[Case]:  # noqa: N802 - named after the graded class
    return _optimizer_cases("SGD")


def Momentum_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _optimizer_cases("Momentum")


def Nesterov_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _optimizer_cases("Nesterov")


def AdaGrad_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _optimizer_cases("AdaGrad")


def RMSprop_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _optimizer_cases("RMSprop")


def Adam_cases() -> st.SearchStrategy[Case]:  # noqa: N802
    return _optimizer_cases("Adam")


def _a(values: Any) -> np.ndarray:
    return np.array(values, dtype=float)


#: the book's example: W (2, 3), b (3,), gradients with an exact zero
_PARAMS = {"W1": _a([[0.5, -1.2, 0.3], [2.0, 0.0, -0.7]]), "b1": _a([0.1, -0.2, 0.05])}
_GRADS = (
    {"W1": _a([[0.2, -0.001, 0.0], [1.5, 0.03, -0.4]]), "b1": _a([0.0, 0.002, -1.1])},
    {"W1": _a([[-0.1, 0.002, 0.0], [0.9, -0.05, 0.3]]), "b1": _a([0.0, 0.004, 0.8])},
    {"W1": _a([[0.3, -0.003, 0.0], [-1.2, 0.01, 0.2]]), "b1": _a([0.0, -0.001, 0.5])},
)
#: every array of one shape: a state array shared by all keys changes every key's step
_SAME_SHAPE = {"W1": _a([[1.0, -0.5], [0.25, 2.0]]), "W2": _a([[-1.0, 0.75], [0.5, -0.25]])}
_SAME_SHAPE_GRADS = (
    {"W1": _a([[0.5, -0.02], [0.003, 1.0]]), "W2": _a([[-0.7, 0.01], [0.2, -0.004]])},
    {"W1": _a([[0.4, 0.01], [-0.002, 0.9]]), "W2": _a([[0.6, -0.03], [0.1, 0.005]])},
)
_EXPLICIT = {"SGD": {"lr": 0.1}, "Momentum": {"lr": 0.1, "momentum": 0.8}, "Nesterov": {"lr": 0.1, "momentum": 0.8},
             "AdaGrad": {"lr": 0.1}, "RMSprop": {"lr": 0.05, "decay_rate": 0.9},
             "Adam": {"lr": 0.05, "beta1": 0.8, "beta2": 0.99}}

EDGE_CASES: dict[str, tuple[Case, ...]] = {
    name: (
        script(name, None, _PARAMS, _GRADS, label="edge: the book's defaults, three updates, exact zero gradients"),
        script(name, _EXPLICIT[name], _PARAMS, _GRADS[:2], label="edge: explicit hyperparameters as keywords"),
        script(name, _EXPLICIT[name], _SAME_SHAPE, _SAME_SHAPE_GRADS,
               label="edge: every parameter of one shape (state must be one array per key)"),
    )
    for name in HYPERPARAMETERS
}
