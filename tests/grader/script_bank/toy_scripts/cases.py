"""Scripts for the toy units: three steps of state, a class over three updates, forward then backward."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dnn_autograder.grader.model import Case, Step, Var

_small = st.floats(-2, 2, allow_nan=False, width=64)


def _array(shape):
    return arrays("float64", shape, elements=_small)


@st.composite
def momentum_cases(draw):
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    args = {"w": draw(_array(shape)), "config": {"learning_rate": 0.1}}
    steps = []
    for k in range(3):
        args[f"dw{k + 1}"] = draw(_array(shape))
        w = "w" if k == 0 else "next_w"
        steps.append(Step("momentum", args=(Var(w), Var(f"dw{k + 1}"), Var("config")),
                          returns=("next_w", "config"), compare=("next_w", "config")))
    return Case(args=args, steps=tuple(steps))


@st.composite
def Momentum_cases(draw):  # noqa: N802 - the strategy of the class `Momentum`
    shape = (draw(st.integers(1, 3)),)
    args = {"params": {"W": draw(_array(shape)), "b": draw(_array(shape))}}
    steps = [Step("Momentum", kwargs={"lr": 0.1}, returns=("opt",))]
    for k in range(3):
        args[f"grads{k + 1}"] = {"W": draw(_array(shape)), "b": draw(_array(shape))}
        steps.append(Step("opt.update", args=(Var("params"), Var(f"grads{k + 1}")), compare=("params",)))
    return Case(args=args, steps=tuple(steps))


@st.composite
def scale_forward_cases(draw):
    n, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    args = {"x": draw(_array((n, d))), "gamma": draw(_array((d,)))}
    return Case(args=args, steps=(Step("scale_forward", args=(Var("x"), Var("gamma")),
                                       returns=("out", "cache"), compare=("out",)),))


@st.composite
def scale_backward_cases(draw):
    n, d = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    args = {"x": draw(_array((n, d))), "gamma": draw(_array((d,))), "dout": draw(_array((n, d)))}
    return Case(args=args, steps=(
        Step("scale_forward", args=(Var("x"), Var("gamma")), returns=("out", "cache")),
        Step("scale_backward", args=(Var("dout"), Var("cache")), returns=("dx", "dgamma"), compare=("dx", "dgamma")),
    ))
