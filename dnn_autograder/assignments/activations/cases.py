r"""Cases of the *Activation Functions* assignment.

Every ``Z`` has the courses' layout ``(n, m)``: entries in ``[-5, 5]`` on a grid of two decimals (readable
counterexamples; exact zeros occur, so the ReLU kink is drawn too), plus one offset per case drawn from
:data:`OFFSETS`. Between a quarter and three quarters of each function's drawn cases (in the
bank) are thus shifted to ``|Z| >= 795``, beyond the ``|z| = 710`` where a
naive ``exp`` overflows in float64 (softmax is shift-invariant, so its expected output is unchanged by the
offset; only unstable code notices). Upstream gradients ``dA`` lie in ``[-3, 3]``
and are drawn independently of ``Z``, so their signs differ from ``Z``'s. Leaky ReLU's ``alpha`` is drawn
from :data:`ALPHAS`, never its default 0.01, so a function that ignores its argument shows; one edge case
leaves ``alpha`` out to check the default.

``sigmoid_backward`` and ``tanh_backward`` have a stand-in for their forward function: a call the student's
code makes to ``sigmoid`` (or ``tanh``) is answered by the reference through the world of the same name, so
a wrong forward function costs points once.

After every change: ``python -m dnn_autograder.grader.assignment.casebank activations``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dnn_autograder.grader.assignment.strategies import composite, matrices, st
from dnn_autograder.grader.model import Case
from dnn_autograder.reference.activations import sigmoid, tanh

__all__ = [
    "ALPHAS",
    "EDGE_CASES",
    "OFFSETS",
    "WORLDS",
    "leaky_relu_backward_cases",
    "leaky_relu_cases",
    "log_softmax_cases",
    "relu_backward_cases",
    "relu_cases",
    "sigmoid_backward_cases",
    "sigmoid_cases",
    "softmax_cases",
    "tanh_backward_cases",
    "tanh_cases",
]

#: shift added to every entry of a drawn ``Z`` (800 is beyond where naive exponentials overflow)
OFFSETS = (0.0, 800.0, -800.0)
#: leaky ReLU slopes drawn (the default 0.01 is left to an edge case)
ALPHAS = (0.02, 0.05, 0.1, 0.2, 0.3)

#: World name -> ``{stand-in name: callable}``: the forward function a backward function may call.
WORLDS: dict[str, dict[str, Callable]] = {
    "sigmoid": {"sigmoid": sigmoid},
    "tanh": {"tanh": tanh},
}


# --- strategies -----------------------------------------------------------------------------


def _shapes(min_rows: int = 1) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(min_rows, 4), st.integers(1, 4))


def _zs(shape: tuple[int, int]) -> st.SearchStrategy[np.ndarray]:
    """``Z`` of ``shape``: entries in ``[-5, 5]`` plus an offset drawn from :data:`OFFSETS`."""
    return st.builds(lambda base, offset: base + offset,
                     matrices(*shape, min_value=-5.0, max_value=5.0, places=2), st.sampled_from(OFFSETS))


def _forward_cases(min_rows: int = 1) -> st.SearchStrategy[Case]:
    return _shapes(min_rows).flatmap(_zs).map(lambda Z: Case({"Z": Z}))


@composite
def _backward_cases(draw: st.DrawFn, world: str = "", alphas: tuple[float, ...] = ()) -> Case:
    shape = draw(_shapes())
    Z = draw(_zs(shape))
    dA = draw(matrices(*shape, min_value=-3.0, max_value=3.0, places=2))
    args: dict[str, object] = {"dA": dA, "Z": Z}
    if alphas:
        args["alpha"] = draw(st.sampled_from(alphas))
    return Case(args, world=world, label=f"generated ({world} world)" if world else "generated")


def sigmoid_cases() -> st.SearchStrategy[Case]:
    """``Z`` of any small shape, some far beyond the overflow of ``exp``."""
    return _forward_cases()


def sigmoid_backward_cases() -> st.SearchStrategy[Case]:
    """``(dA, Z)``; calls to ``sigmoid`` answered by the reference."""
    return _backward_cases("sigmoid")


def tanh_cases() -> st.SearchStrategy[Case]:
    """``Z`` of any small shape, some far beyond the overflow of ``exp``."""
    return _forward_cases()


def tanh_backward_cases() -> st.SearchStrategy[Case]:
    """``(dA, Z)``; calls to ``tanh`` answered by the reference."""
    return _backward_cases("tanh")


def relu_cases() -> st.SearchStrategy[Case]:
    """``Z`` of any small shape (zeros included)."""
    return _forward_cases()


def relu_backward_cases() -> st.SearchStrategy[Case]:
    """``(dA, Z)`` with independent signs."""
    return _backward_cases()


def leaky_relu_cases() -> st.SearchStrategy[Case]:
    """``(Z, alpha)`` with ``alpha`` from :data:`ALPHAS`."""
    return st.builds(lambda case, alpha: Case({"Z": case.args["Z"], "alpha": alpha}),
                     _forward_cases(), st.sampled_from(ALPHAS))


def leaky_relu_backward_cases() -> st.SearchStrategy[Case]:
    """``(dA, Z, alpha)`` with ``alpha`` from :data:`ALPHAS`."""
    return _backward_cases(alphas=ALPHAS)


def softmax_cases() -> st.SearchStrategy[Case]:
    """Scores ``Z`` with at least two classes (rows), some far beyond the overflow of ``exp``."""
    return _forward_cases(min_rows=2)


def log_softmax_cases() -> st.SearchStrategy[Case]:
    """Scores ``Z`` with at least two classes (rows), some far beyond the overflow of ``exp``."""
    return _forward_cases(min_rows=2)


# --- explicit edge cases --------------------------------------------------------------------


def _a(rows: list[list[float]]) -> np.ndarray:
    return np.array(rows, dtype=float)


#: a row through the kink and both saturated ends
_KINK = _a([[-1000.0, -2.5, 0.0, 1.5, 1000.0]])
#: upstream gradients whose signs disagree with ``_KINK``'s
_KINK_DA = _a([[2.0, 1.0, -3.0, -0.5, 1.0]])

EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "sigmoid": (
        Case({"Z": _a([[0.0]])}, label="edge: Z = 0 gives 0.5"),
        Case({"Z": _a([[-1000.0, 1000.0], [-710.0, 710.0]])}, label="edge: |Z| = 1000, exp would overflow"),
        Case({"Z": _a([[-3.0, -1.0, 0.5], [1.0, 2.0, 4.0]])}, label="edge: shape (2, 3)"),
    ),
    "sigmoid_backward": (
        Case({"dA": _a([[1.0, -2.0]]), "Z": _a([[0.0, 0.0]])}, world="sigmoid",
             label="edge: Z = 0, slope 1/4"),
        Case({"dA": _a([[1.0, 1.0, 2.0]]), "Z": _a([[-1000.0, 1000.0, 3.0]])}, world="sigmoid",
             label="edge: saturated |Z| = 1000, slope 0"),
        Case({"dA": _a([[0.5, -1.5], [2.0, 0.25]]), "Z": _a([[0.8, -1.2], [2.5, -0.3]])}, world="sigmoid",
             label="edge: shape (2, 2)"),
        Case({"dA": _a([[3.0, -3.0], [1.0, 2.0]]), "Z": _a([[-800.0, 800.0], [750.0, -745.5]])}, world="sigmoid",
             label="edge: |Z| near 800, exp(-Z) overflows"),
    ),
    "tanh": (
        Case({"Z": _a([[0.0, 0.5, -0.5]])}, label="edge: small Z"),
        Case({"Z": _a([[-1000.0, 1000.0], [-800.0, 800.0]])}, label="edge: |Z| = 1000, exp would overflow"),
    ),
    "tanh_backward": (
        Case({"dA": _a([[1.0, -2.0, 0.5]]), "Z": _a([[0.0, 0.7, -1.3]])}, world="tanh",
             label="edge: Z = 0, slope 1"),
        Case({"dA": _a([[1.0, 1.0]]), "Z": _a([[-1000.0, 1000.0]])}, world="tanh",
             label="edge: saturated |Z| = 1000, slope 0"),
    ),
    "relu": (
        Case({"Z": _KINK}, label="edge: Z = 0 and both signs"),
        Case({"Z": _a([[-1.0, -2.0], [-0.5, -3.0]])}, label="edge: all negative"),
        Case({"Z": _a([[1.5, -0.5, 2.0], [-1.0, 3.0, 0.0]])}, label="edge: shape (2, 3)"),
    ),
    "relu_backward": (
        Case({"dA": _KINK_DA, "Z": _KINK},
             label="edge: Z = 0 (either one-sided derivative is accepted there), signs of dA and Z differ"),
        Case({"dA": _a([[-1.0, 2.0], [3.0, -4.0]]), "Z": _a([[1.0, -1.0], [-2.0, 2.0]])},
             label="edge: dA and Z of opposite signs"),
    ),
    "leaky_relu": (
        Case({"Z": _KINK}, label="edge: default alpha = 0.01"),
        Case({"Z": _a([[-2.0, 3.0], [0.0, -0.5]]), "alpha": 0.2}, label="edge: alpha = 0.2"),
    ),
    "leaky_relu_backward": (
        Case({"dA": _KINK_DA, "Z": _KINK}, label="edge: default alpha = 0.01, Z = 0 (either side accepted)"),
        Case({"dA": _a([[1.0, -2.0], [0.5, 3.0]]), "Z": _a([[-1.0, 2.0], [-3.0, 0.0]]), "alpha": 0.3},
             label="edge: alpha = 0.3"),
    ),
    "softmax": (
        Case({"Z": _a([[1000.0], [999.0]])}, label="edge: scores near 1000, exp would overflow"),
        Case({"Z": _a([[1000.0, -1000.0], [999.0, -999.0]])},
             label="edge: columns 2000 apart (a max over the whole matrix underflows)"),
        Case({"Z": _a([[1.0, 2.0, 0.0], [1.0, 0.0, 0.0], [1.0, -1.0, 0.0]])},
             label="edge: shape (3, 3), equal scores give equal probabilities"),
        Case({"Z": _a([[2.0, -1.0, 0.5], [0.5, 3.0, -2.0]])}, label="edge: 2 classes, 3 examples"),
    ),
    "log_softmax": (
        Case({"Z": _a([[0.0], [-1000.0]])}, label="edge: a probability below 1e-300 (its log is -1000)"),
        Case({"Z": _a([[1000.0, 3.0], [999.0, 1.0]])}, label="edge: scores near 1000, exp would overflow"),
        Case({"Z": _a([[-1000.0], [-1001.0]])}, label="edge: scores near -1000, exp underflows to 0"),
        Case({"Z": _a([[2.0, -1.0, 0.5], [0.5, 3.0, -2.0]])}, label="edge: 2 classes, 3 examples"),
    ),
}
