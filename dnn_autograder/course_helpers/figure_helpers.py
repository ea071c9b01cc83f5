r"""Trusted steps of the report's pictures, run beside the learner's code in the sandbox child.

Not one of the course's modules: a picture injects these functions into a script of calls
(``Student.run_script`` with ``helpers``), so that a whole optimizer path, where each step needs
the gradient at the point the learner's previous step reached, is one request to the child
instead of one request per step. numpy and the stdlib only, as the other modules here.

The elongated bowl with a logistic regression riding along (the optimization assignment's
picture): parameters ``W1`` (1, 2) holding the point :math:`(x, y)`, ``b1`` (1, 1) unused, and
``W2`` (1, 2), ``b2`` (1, 1) of a logistic regression on a fixed data set of 64 points.

The dlfs bowl (the book's figure 6-8): parameters ``{"x": x, "y": y}``.

Every value a learner's step returned is checked strictly here (plain dicts of small numeric
arrays, tuples of the expected length). Anything else raises :class:`Refused`; the picture then
falls back to one guarded call per step, which says what was wrong exactly as it always did.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

#: the parameters of the bowl picture and their shapes
BOWL_SHAPES = {"W1": (1, 2), "b1": (1, 1), "W2": (1, 2), "b2": (1, 1)}
#: the largest array a learner's step may hand on here (the real ones hold at most 2 numbers)
MAX_ITEMS = 64
#: a path further than this from the minimum has diverged
FAR = 1e6
#: the logistic cost keeps :math:`\log(a + \epsilon)` finite
EPSILON = 1e-12


class Refused(Exception):
    """A learner's step returned something these steps do not follow (the picture then calls
    the learner's function one step at a time, which reports it)."""


def _logistic_data() -> tuple[np.ndarray, np.ndarray]:
    """64 points in 2-D (``X``: (2, 64)) and labels ``Y`` (1, 64): ``Y = [x_0 - x_1/2 + 0.3 n > 0]``
    with standard normal ``x`` and noise ``n`` (``numpy.random.default_rng(7)``)."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((2, 64))
    Y = (X[0] - 0.5 * X[1] + 0.3 * rng.standard_normal(64) > 0).astype(float).reshape(1, -1)
    return X, Y


LOGISTIC = _logistic_data()


def bowl_gradients(params: Any) -> tuple[dict[str, np.ndarray], float]:
    r"""``(grads, cost)`` at ``params``: the bowl :math:`f(x, y) = x^2/20 + y^2` in ``W1``
    (``dW1 = [[x/10, 2y]]``, ``db1 = 0``) and the logistic regression in ``W2, b2``:
    :math:`A = \sigma(W_2 X + b_2)`, cost :math:`J = -\frac1m \sum Y \log(A + \epsilon) +
    (1 - Y) \log(1 - A + \epsilon)`, ``dW2 = (A - Y) X^T / m``, ``db2 = \sum (A - Y) / m``."""
    x, y = params["W1"][0]
    X, Y = LOGISTIC
    A = 1.0 / (1.0 + np.exp(-(params["W2"] @ X + params["b2"])))
    m = X.shape[1]
    cost = float(-np.mean(Y * np.log(A + EPSILON) + (1 - Y) * np.log(1 - A + EPSILON)))
    grads = {"dW1": np.array([[x / 10.0, 2.0 * y]]), "db1": np.zeros((1, 1)),
             "dW2": (A - Y) @ X.T / m, "db2": np.sum(A - Y, axis=1, keepdims=True) / m}
    return grads, cost


def bowl_next(out: Any, params: dict, grads: dict, v: dict, s: dict, returns: Sequence[str],
              accept_prefix: int, in_place: Sequence[str]) -> tuple[Any, ...]:
    """After a learner's optimizer step returned ``out`` (``params``, ``grads``, ``v``, ``s``:
    its arguments, as the call left them): ``(params, v, s, grads, cost, x, y)`` for the next
    step, where ``params`` are the returned parameters as float arrays (the four keys of
    :data:`BOWL_SHAPES` only), ``v`` and ``s`` the returned ones where returned as dicts (else
    the previous ones), all copied, ``grads, cost = bowl_gradients(params)`` and ``(x, y)`` the
    point ``params["W1"][0]``.

    ``out`` is read as the grader reads a return value: ``returns`` names its parts (one name:
    the whole value), a tuple may stop after ``accept_prefix`` parts, and ``None`` stands for
    the arguments of ``in_place`` updated in place. Raises :class:`Refused` for anything else.
    """
    after = {"parameters": params, "v": v, "s": s}
    outputs = _outputs(out, after, list(returns), int(accept_prefix), set(in_place))
    for value in outputs.values():
        _plain(value)
    _plain(grads)
    new = _checked(outputs.get("parameters"))
    v = _copy(outputs.get("v", v)) if isinstance(outputs.get("v", v), dict) else _copy(v)
    s = _copy(outputs.get("s", s)) if isinstance(outputs.get("s", s), dict) else _copy(s)
    grads, cost = bowl_gradients(new)
    x, y = new["W1"][0]
    return new, v, s, grads, cost, float(x), float(y)


def point_gradient(params: Any) -> dict[str, float]:
    """The dlfs bowl's gradient ``{"x": x / 10, "y": 2 y}`` at ``params`` (``{"x", "y"}`` numbers
    or arrays whose first item is the coordinate), as floats; zeros once the path has diverged
    (a coordinate not finite or beyond :data:`FAR`: the picture ends there, the steps after it
    only have to stay harmless). Raises :class:`Refused` when ``params`` holds no such numbers."""
    try:
        x = float(np.asarray(params["x"]).reshape(-1)[0])
        y = float(np.asarray(params["y"]).reshape(-1)[0])
    except (TypeError, KeyError, IndexError, ValueError):
        raise Refused("params hold no numbers at keys 'x' and 'y'") from None
    if not (math.isfinite(x) and math.isfinite(y)) or max(abs(x), abs(y)) > FAR:
        return {"x": 0.0, "y": 0.0}
    return {"x": x / 10.0, "y": 2.0 * y}


def _outputs(out: Any, after: dict[str, Any], returns: list[str], accept_prefix: int,
             in_place: set[str]) -> dict[str, Any]:
    if len(returns) == 1:
        if out is None and returns[0] in in_place and returns[0] in after:
            return {returns[0]: after[returns[0]]}
        return {returns[0]: out}
    if out is None:
        parts: Sequence[Any] = ()
    elif type(out) in (tuple, list):
        parts = out
    else:
        raise Refused("not a tuple")
    outputs = {}
    for index, name in enumerate(returns):
        if index < len(parts):
            outputs[name] = parts[index]
        elif name in in_place and name in after:
            outputs[name] = after[name]
    if len(parts) > len(returns) or len(outputs) < accept_prefix:
        raise Refused("a tuple of another length")
    return outputs


def _plain(value: Any) -> None:
    """Accept ``None`` or a plain dict of str -> small numeric ndarray; raise :class:`Refused`."""
    if value is None:
        return
    if type(value) is not dict:
        raise Refused("not a plain dict")
    for key, item in value.items():
        if type(key) is not str or type(item) is not np.ndarray or item.dtype.kind not in "biuf" \
                or item.size > MAX_ITEMS:
            raise Refused("not a dict of small numeric arrays")


def _checked(value: Any) -> dict[str, np.ndarray]:
    if type(value) is not dict:
        raise Refused("parameters are not a dict")
    out = {}
    for key, shape in BOWL_SHAPES.items():
        item = value.get(key)
        if type(item) is not np.ndarray or item.shape != shape:
            raise Refused(f"parameters[{key!r}] has another shape")
        out[key] = np.array(item, dtype=float, order="C")  # as the grader decodes it
    return out


def _copy(value: dict) -> dict:
    return {key: np.array(item, order="C") for key, item in value.items()}


def _softmax_problem() -> tuple[np.ndarray, np.ndarray]:
    """90 points of 3 classes in 2-D around (0, 2), (-2, -1), (2, -1) with noise of standard
    deviation 1.2 (``numpy.random.default_rng(231)``), with a bias column: ``X`` (90, 3), labels (90,)."""
    rng = np.random.default_rng(231)
    centres = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    labels = np.repeat(np.arange(3), 30)
    points = centres[labels] + 1.2 * rng.standard_normal((90, 2))
    return np.hstack([points, np.ones((90, 1))]), labels


SOFTMAX = _softmax_problem()


def softmax_loss(w: np.ndarray) -> tuple[float, np.ndarray]:
    r"""``(loss, dw)`` of the softmax classifier :math:`s = X w` (``w``: (3, 3)) on the fixed problem:
    :math:`L = -\frac1N \sum_i \log \mathrm{softmax}(s_i)_{y_i}`, :math:`dw = X^\top (\mathrm{softmax}(s) - Y) / N`."""
    X, labels = SOFTMAX
    scores = X @ w
    scores = scores - scores.max(axis=1, keepdims=True)
    probs = np.exp(scores)
    probs /= probs.sum(axis=1, keepdims=True)
    n = len(labels)
    loss = float(-np.log(probs[np.arange(n), labels]).mean())
    probs[np.arange(n), labels] -= 1.0
    return loss, X.T @ probs / n


def softmax_next(next_w: Any, config: Any) -> tuple[np.ndarray, Any, np.ndarray, float, float]:
    """After a learner's update rule returned ``next_w, config``: ``(w, config, dw, loss, size)``
    for the next step: ``w`` the returned weights as a float array, ``config`` a copy of the
    returned config, ``loss, dw = softmax_loss(w)`` and ``size`` :math:`\\max |w_{ij}|` (nan or
    inf when a weight is not finite). Raises :class:`Refused` unless ``next_w`` is a (3, 3)
    numeric array and ``config`` None or a plain dict of str -> number, str, None or small
    numeric array."""
    if type(next_w) is not np.ndarray or next_w.shape != (3, 3) or next_w.dtype.kind not in "biuf":
        raise Refused("not a (3, 3) array of numbers")
    if config is not None:
        if type(config) is not dict:
            raise Refused("config is not a plain dict")
        for key, item in config.items():
            if type(key) is not str or not (type(item) in (float, int, bool, str) or item is None or (
                    type(item) is np.ndarray and item.dtype.kind in "biuf" and item.size <= MAX_ITEMS)):
                raise Refused("config holds something else than numbers, strings and small arrays")
        config = {key: np.array(item, order="C") if type(item) is np.ndarray else item
                  for key, item in config.items()}
    w = np.array(next_w, dtype=float, order="C")
    loss, dw = softmax_loss(w)
    with np.errstate(invalid="ignore"):
        size = float(np.abs(w).max())
    return w, config, dw, loss, size


#: the dlfs activation histograms: a batch of EXAMPLES inputs through LAYERS layers of NODES units
EXAMPLES, NODES, LAYERS = 200, 100, 5
#: histogram bins on [0, 1]
BINS = 20


@cache
def activation_problem(seed: int = 0) -> tuple[np.ndarray, list[np.ndarray]]:
    """The input batch (EXAMPLES, NODES) and the LAYERS standard-normal (NODES, NODES) weight
    matrices (``numpy.random.default_rng(seed)``), to be scaled per initialization."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((EXAMPLES, NODES))
    return x, [rng.standard_normal((NODES, NODES)) for _ in range(LAYERS)]


def histogram(values: Any) -> list[int]:
    """Counts of ``values`` in :data:`BINS` equal bins on [0, 1] (values outside are not counted)."""
    return [int(c) for c in np.histogram(np.asarray(values, dtype=float).ravel(), bins=BINS, range=(0.0, 1.0))[0]]


def activation_next(out: Any, layer: int, std: float, seed: int = 0) -> tuple[np.ndarray | None, list[int] | None]:
    """``(z, counts)`` around layer ``layer`` (0-based) of the histogram picture: ``a`` is the
    input batch for ``layer == 0`` (``counts`` None), else the learner's activations ``out`` of
    the layer before as floats (``counts``: their :func:`histogram`); ``z = a (std W_layer)``
    (None after the last layer). Raises :class:`Refused` unless ``out`` is an (EXAMPLES, NODES)
    numeric array."""
    x, weights = activation_problem(seed)
    if layer == 0:
        a, counts = x, None
    else:
        if type(out) is not np.ndarray or out.shape != (EXAMPLES, NODES) or out.dtype.kind not in "biuf":
            raise Refused("not an array of the batch's shape")
        a = np.array(out, dtype=float, order="C")  # as the grader decodes it
        counts = histogram(a)
    return (a @ (weights[layer] * std) if layer < LAYERS else None), counts
