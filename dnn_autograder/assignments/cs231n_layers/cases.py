r"""Cases for CS231n's ``layers.py``: dropout, batch norm and layer norm, as scripts of calls.

* Forward units are one call (batch norm: two training calls that thread ``bn_param``'s running
  averages, or a test-mode call, or training then ``bn_param.update({"mode": "test"})`` and a
  test-mode call). ``bn_param`` is one dict for the whole script and is compared after each step:
  the template stores the running averages back into it.
* Backward units call the forward pass first and hand its ``cache`` to the backward pass, so the
  student's backward reads the student's own cache. Their gradients are compared with the
  reference's and, failing that, with central differences of the student's own forward pass
  (``[functions.numerical_gradient]`` in the spec): a wrong forward costs once.
* Dropout draws random numbers: each forward step is seeded (the case's ``seed``; some cases also
  carry ``dropout_param["seed"]``, which the template's given code uses), and a solution that
  draws differently is judged by :mod:`.properties`. Every ``x`` is nonzero everywhere (``|x| >=
  0.5``), so the output shows which units were kept. Three explicit cases have 2,000 to 6,000
  elements and 40 to 60 rows, for the kept-fraction and per-element tests; their keep
  probabilities (0.3, 0.75, 0.2 under the 2018+ contract) are never 0.5, where keep and drop
  probabilities would agree.

Shapes: ``x`` is ``(N, D)`` with ``N`` in 1..5 and ``D`` in 1..4 for the norms (``N = 1``: a
batch of one, whose variance is 0); dropout also gets 3-D inputs ("any shape").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.strategies import composite, hnp, st
from dnn_autograder.grader.model import Case, Step, Var

__all__ = [
    "EDGE_CASES",
    "batchnorm_backward_alt_cases",
    "batchnorm_backward_cases",
    "batchnorm_forward_cases",
    "dropout_backward_cases",
    "dropout_forward_cases",
    "layernorm_backward_cases",
    "layernorm_forward_cases",
]


def _rounded(low: float, high: float, places: int = 2) -> st.SearchStrategy[float]:
    return st.integers(round(low * 10**places), round(high * 10**places)).map(lambda k: k / 10**places)


def _arrays(shape: tuple[int, ...], low: float, high: float) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=_rounded(low, high))


def _nonzero(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Entries with ``0.5 <= |x| <= 5``."""
    return st.builds(lambda mag, sign: mag * np.where(sign, 1.0, -1.0), _arrays(shape, 0.5, 5.0),
                     hnp.arrays(np.bool_, shape))


def _data(n: int, d: int) -> st.SearchStrategy[np.ndarray]:
    """A batch ``(n, d)``: values in ``[-3, 3]`` times a scale, plus an offset, per case."""
    return st.builds(lambda base, scale, shift: base * scale + shift, _arrays((n, d), -3.0, 3.0),
                     st.sampled_from((1.0, 0.1, 10.0)), st.sampled_from((0.0, 5.0, -20.0)))


# --- dropout ----------------------------------------------------------------------------------

_DROPOUT_SHAPES = ((1, 1), (2, 3), (4, 2), (3, 5), (2, 2, 3), (5,))


def _forward_step(seed: int) -> Step:
    """``out, cache = dropout_forward(x, dropout_param)``, with ``np.random.seed(seed)`` right before."""
    return Step("dropout_forward", args=(Var("x"), Var("dropout_param")), returns=("out", "cache"),
                compare=("out",), seed=seed)


def _backward_steps(seed: int) -> tuple[Step, ...]:
    return (_forward_step(seed),
            Step("dropout_backward", args=(Var("dout"), Var("cache")), returns=("dx",), compare=("dx",)))


@composite
def _dropout_params(draw: Callable[..., Any]) -> dict[str, Any]:
    param: dict[str, Any] = {"mode": draw(st.sampled_from(("train", "train", "test"))),
                             "p": draw(st.sampled_from((0.3, 0.75, 0.6, 0.1, 0.9)))}
    if draw(st.booleans()):
        param["seed"] = draw(st.integers(0, 1000))
    return param


@composite
def _dropout_case(draw: Callable[..., Any], *, backward: bool) -> Case:
    shape = draw(st.sampled_from(_DROPOUT_SHAPES))
    args: dict[str, Any] = {"x": draw(_nonzero(shape)), "dropout_param": draw(_dropout_params())}
    if backward:
        args["dout"] = draw(_arrays(shape, -2.0, 2.0))
    seed = draw(st.integers(0, 1000))
    steps = _backward_steps(seed) if backward else (_forward_step(seed),)
    return Case(args=args, steps=steps, seed=seed, label="generated")


def dropout_forward_cases() -> st.SearchStrategy[Case]:
    return _dropout_case(backward=False)


def dropout_backward_cases() -> st.SearchStrategy[Case]:
    return _dropout_case(backward=True)


def _big_dropout(rows: int, cols: int, p: float, seed: int, *, backward: bool, extra: dict | None = None) -> Case:
    rng = np.random.RandomState(seed)
    x = np.round(rng.uniform(0.5, 3.0, size=(rows, cols)) * rng.choice((-1.0, 1.0), size=(rows, cols)), 2)
    args: dict[str, Any] = {"x": x, "dropout_param": {"mode": "train", "p": p, **(extra or {})}}
    if backward:
        args["dout"] = np.round(rng.uniform(-2, 2, size=(rows, cols)), 2)
    return Case(args=args, steps=_backward_steps(seed) if backward else (_forward_step(seed),), seed=seed,
                label=f"edge: {rows}x{cols} input, p = {p} (kept fraction and one mask value per element)")


def _small_dropout(mode: str, p: float, *, backward: bool) -> Case:
    x = np.array([[1.5, -2.0, 0.5], [3.0, -1.0, 2.5]])
    args: dict[str, Any] = {"x": x, "dropout_param": {"mode": mode, "p": p}}
    if backward:
        args["dout"] = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -3.0]])
    return Case(args=args, steps=_backward_steps(3) if backward else (_forward_step(3),), seed=3,
                label=f"edge: {mode} mode, p = {p}")


def _dropout_edges(*, backward: bool) -> tuple[Case, ...]:
    return (
        _small_dropout("test", 0.3, backward=backward),
        _small_dropout("train", 0.75, backward=backward),
        _big_dropout(40, 50, 0.3, 11, backward=backward),
        _big_dropout(60, 100, 0.75, 12, backward=backward, extra={"seed": 123}),
        _big_dropout(50, 40, 0.2, 13, backward=backward),
    )


# --- batch norm -------------------------------------------------------------------------------


def _bn_forward_step(x: str, compare: tuple[str, ...] = ("out", "bn_param")) -> Step:
    return Step("batchnorm_forward", args=(Var(x), Var("gamma"), Var("beta"), Var("bn_param")),
                returns=("out", "cache"), compare=compare)


@composite
def _bn_params(draw: Callable[..., Any], d: int, mode: str) -> dict[str, Any]:
    param: dict[str, Any] = {"mode": mode}
    if mode == "test" or draw(st.booleans()):
        param["running_mean"] = draw(_arrays((d,), -2.0, 2.0))
        param["running_var"] = draw(_arrays((d,), 0.01, 4.0))
    if draw(st.booleans()):
        param["momentum"] = draw(st.sampled_from((0.5, 0.99)))
    if draw(st.booleans()):
        param["eps"] = draw(st.sampled_from((1e-3, 1e-1)))
    return param


@composite
def batchnorm_forward_cases(draw: Callable[..., Any]) -> Case:
    n, d = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    kind = draw(st.sampled_from(("train", "train then test", "test")))
    args = {"x": draw(_data(n, d)), "x2": draw(_data(n, d)), "gamma": draw(_arrays((d,), -2.0, 2.0)),
            "beta": draw(_arrays((d,), -2.0, 2.0)),
            "bn_param": draw(_bn_params(d, "test" if kind == "test" else "train"))}
    steps: tuple[Step, ...]
    if kind == "train":
        steps = (_bn_forward_step("x"), _bn_forward_step("x2"))
    elif kind == "test":
        steps = (_bn_forward_step("x"),)
    else:
        steps = (_bn_forward_step("x"), Step("bn_param.update", args=({"mode": "test"},)),
                 _bn_forward_step("x2"))
    return Case(args=args, steps=steps, seed=0, label="generated")


def _norm_backward_steps(forward: str, backward: str, param: str) -> tuple[Step, ...]:
    return (Step(forward, args=(Var("x"), Var("gamma"), Var("beta"), Var(param)), returns=("out", "cache")),
            Step(backward, args=(Var("dout"), Var("cache")), returns=("dx", "dgamma", "dbeta"),
                 compare=("dx", "dgamma", "dbeta")))


def _norm_backward_cases(forward: str, backward: str, param: str) -> st.SearchStrategy[Case]:
    @composite
    def cases(draw: Callable[..., Any]) -> Case:
        n, d = draw(st.integers(1, 5)), draw(st.integers(1, 4))
        extra = {"eps": draw(st.sampled_from((1e-3, 1e-1)))} if draw(st.booleans()) else {}
        args = {"x": draw(_data(n, d)), "gamma": draw(_arrays((d,), -2.0, 2.0)),
                "beta": draw(_arrays((d,), -2.0, 2.0)), "dout": draw(_arrays((n, d), -2.0, 2.0)),
                param: {"mode": "train", **extra} if param == "bn_param" else extra}
        return Case(args=args, steps=_norm_backward_steps(forward, backward, param), seed=0, label="generated")

    return cases()


def batchnorm_backward_cases() -> st.SearchStrategy[Case]:
    return _norm_backward_cases("batchnorm_forward", "batchnorm_backward", "bn_param")


def batchnorm_backward_alt_cases() -> st.SearchStrategy[Case]:
    return _norm_backward_cases("batchnorm_forward", "batchnorm_backward_alt", "bn_param")


# --- layer norm -------------------------------------------------------------------------------


@composite
def layernorm_forward_cases(draw: Callable[..., Any]) -> Case:
    n, d = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    ln_param = {"eps": draw(st.sampled_from((1e-3, 1e-1)))} if draw(st.booleans()) else {}
    args = {"x": draw(_data(n, d)), "gamma": draw(_arrays((d,), -2.0, 2.0)),
            "beta": draw(_arrays((d,), -2.0, 2.0)), "ln_param": ln_param}
    step = Step("layernorm_forward", args=(Var("x"), Var("gamma"), Var("beta"), Var("ln_param")),
                returns=("out", "cache"), compare=("out",))
    return Case(args=args, steps=(step,), seed=0, label="generated")


def layernorm_backward_cases() -> st.SearchStrategy[Case]:
    return _norm_backward_cases("layernorm_forward", "layernorm_backward", "ln_param")


# --- explicit cases ---------------------------------------------------------------------------

_X = np.array([[1.0, 2.0, -3.0], [4.0, -1.0, 0.5], [0.0, 3.0, 2.0], [-2.0, 1.0, 1.5]])
_GAMMA, _BETA = np.array([1.5, -0.5, 2.0]), np.array([0.1, 0.2, -0.3])
_DOUT = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [-1.5, 0.25, 1.0], [0.3, 0.7, -0.2]])


def _norm_edge(forward: str, backward: str, param: str, label: str, x: np.ndarray = _X) -> Case:
    args = {"x": x, "gamma": _GAMMA, "beta": _BETA, "dout": _DOUT[: len(x)],
            param: {"mode": "train"} if param == "bn_param" else {}}
    return Case(args=args, steps=_norm_backward_steps(forward, backward, param), seed=0, label=label)


def _bn_edges() -> tuple[Case, ...]:
    train = {"x": _X, "x2": _X[::-1] * 2 + 1, "gamma": _GAMMA, "beta": _BETA, "bn_param": {"mode": "train"}}
    test = {"x": _X, "gamma": _GAMMA, "beta": _BETA,
            "bn_param": {"mode": "test", "running_mean": np.array([0.5, 1.0, -1.0]),
                         "running_var": np.array([4.0, 0.04, 1.0])}}
    return (
        Case(train, steps=(_bn_forward_step("x"), _bn_forward_step("x2")), label="edge: two training steps "
             "from an empty bn_param (running averages start at zero)"),
        Case(test, steps=(_bn_forward_step("x"),), label="edge: test mode with given running statistics"),
        Case(train, steps=(_bn_forward_step("x"), Step("bn_param.update", args=({"mode": "test"},)),
                           _bn_forward_step("x2")), label="edge: train, then test with the running averages"),
    )


EDGE_CASES = {
    "dropout_forward": _dropout_edges(backward=False),
    "dropout_backward": _dropout_edges(backward=True),
    "batchnorm_forward": _bn_edges(),
    "batchnorm_backward": (_norm_edge("batchnorm_forward", "batchnorm_backward", "bn_param", "edge: 4 x 3 batch"),),
    "batchnorm_backward_alt": (
        _norm_edge("batchnorm_forward", "batchnorm_backward_alt", "bn_param", "edge: 4 x 3 batch"),),
    "layernorm_forward": (
        Case({"x": _X, "gamma": _GAMMA, "beta": _BETA, "ln_param": {}},
             steps=(Step("layernorm_forward", args=(Var("x"), Var("gamma"), Var("beta"), Var("ln_param")),
                         returns=("out", "cache"), compare=("out",)),), label="edge: 4 x 3 batch"),),
    "layernorm_backward": (_norm_edge("layernorm_forward", "layernorm_backward", "ln_param", "edge: 4 x 3 batch"),),
}
