r"""Cases for CS231n's update rules: scripts of 3-4 calls that thread ``config`` through the steps.

A case is ``next_w, config = rule(w, dw1, config)``, then ``rule(next_w, dw2, config)``, ...: each
step is fed the ``next_w`` and the ``config`` the student's previous step *returned*, as the
course's ``Solver`` does, and both are compared after every step. The starting ``config`` is one of
the ways the course's code calls a rule:

* ``None`` (every default from the rule's ``setdefault`` lines),
* ``{"learning_rate": lr}`` only (what ``Solver`` passes: a learning rate overwritten in
  ``config`` compounds from step 2 on),
* every hyperparameter given, with values other than the defaults (a hard-coded ``0.9`` shows),
* hyperparameters *and* state (a velocity, cache, ``m``/``v`` and a step count ``t > 0``, as in
  the notebook's own check, where Adam starts from ``t = 5``).

Shapes vary (``(3,)``, ``(2, 3)``, ``(2, 2, 2)``, ...): the rules are elementwise, for any shape.
Gradients contain small entries (``|dw| <= 0.05``) next to large ones, so that epsilon's place
(inside or outside the square root) and the bias correction change the result beyond ``rtol``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.grader.assignment.strategies import composite, hnp, st
from dnn_autograder.grader.model import Case, Step, Var

__all__ = ["EDGE_CASES", "adam_cases", "rmsprop_cases", "script", "sgd_momentum_cases"]

SHAPES = ((3,), (2, 3), (1, 4), (2, 2, 2), (4, 1))


def script(rule: str, steps: int) -> tuple[Step, ...]:
    """``next_w, config = rule(w, dw1, config)`` then ``rule(next_w, dw<k>, config)`` up to ``steps``."""
    return tuple(
        Step(rule, args=(Var("w" if k == 0 else "next_w"), Var(f"dw{k + 1}"), Var("config")),
             returns=("next_w", "config"), compare=("next_w", "config"))
        for k in range(steps))


def _rounded(low: float, high: float, places: int = 3) -> st.SearchStrategy[float]:
    return st.integers(round(low * 10**places), round(high * 10**places)).map(lambda k: k / 10**places)


def _arrays(shape: tuple[int, ...], low: float, high: float) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, shape, elements=_rounded(low, high))


def _mixed(big: np.ndarray, small: np.ndarray, which: np.ndarray) -> np.ndarray:
    return np.asarray(np.where(which, small, big), dtype=np.float64)


def _gradients(shape: tuple[int, ...]) -> st.SearchStrategy[np.ndarray]:
    """Gradients with both scales in one array: entries in ``[-2, 2]``, some in ``[-0.05, 0.05]``."""
    return st.builds(_mixed, _arrays(shape, -2.0, 2.0), _arrays(shape, -0.05, 0.05), hnp.arrays(np.bool_, shape))


def _learning_rates() -> st.SearchStrategy[float]:
    return st.sampled_from((1e-1, 5e-2, 1e-2, 3e-3, 1e-3))


#: hyperparameters other than the defaults, per rule
_HYPER: dict[str, Callable[[], st.SearchStrategy[dict[str, Any]]]] = {
    "sgd_momentum": lambda: st.fixed_dictionaries({"learning_rate": _learning_rates(),
                                                   "momentum": st.sampled_from((0.5, 0.8, 0.95))}),
    "rmsprop": lambda: st.fixed_dictionaries({"learning_rate": _learning_rates(),
                                              "decay_rate": st.sampled_from((0.9, 0.5, 0.999)),
                                              "epsilon": st.sampled_from((1e-8, 1e-4, 1e-2))}),
    "adam": lambda: st.fixed_dictionaries({"learning_rate": _learning_rates(),
                                           "beta1": st.sampled_from((0.8, 0.5, 0.95)),
                                           "beta2": st.sampled_from((0.9, 0.99, 0.9999)),
                                           "epsilon": st.sampled_from((1e-8, 1e-4, 1e-2))}),
}


def _state(rule: str, shape: tuple[int, ...]) -> st.SearchStrategy[dict[str, Any]]:
    """Optimizer state as an earlier call would have left it."""
    if rule == "sgd_momentum":
        return st.fixed_dictionaries({"velocity": _arrays(shape, -0.5, 0.5)})
    if rule == "rmsprop":
        return st.fixed_dictionaries({"cache": _arrays(shape, 0.0, 1.0)})
    return st.fixed_dictionaries({"m": _arrays(shape, -0.5, 0.5), "v": _arrays(shape, 0.0, 1.0),
                                  "t": st.integers(1, 8)})


def _configs(rule: str, shape: tuple[int, ...]) -> st.SearchStrategy[dict[str, Any] | None]:
    hyper = _HYPER[rule]()
    with_state = st.builds(lambda h, s: {**h, **s}, hyper, _state(rule, shape))
    only_lr = _learning_rates().map(lambda lr: {"learning_rate": lr})
    return st.one_of(with_state, hyper, only_lr, st.none())


def _cases(rule: str) -> st.SearchStrategy[Case]:
    @composite
    def cases(draw: Callable[..., Any]) -> Case:
        shape = draw(st.sampled_from(SHAPES))
        steps = draw(st.integers(3, 4))
        args: dict[str, Any] = {"w": draw(_arrays(shape, -2.0, 2.0))}
        for k in range(steps):
            args[f"dw{k + 1}"] = draw(_gradients(shape))
        args["config"] = draw(_configs(rule, shape))
        return Case(args=args, steps=script(rule, steps), seed=0, label="generated")

    return cases()


def sgd_momentum_cases() -> st.SearchStrategy[Case]:
    return _cases("sgd_momentum")


def rmsprop_cases() -> st.SearchStrategy[Case]:
    return _cases("rmsprop")


def adam_cases() -> st.SearchStrategy[Case]:
    return _cases("adam")


# --- explicit cases ---------------------------------------------------------------------------

_N, _D = 4, 5


def _course(state: Mapping[str, Any]) -> Case:
    """The notebook's own check (its ``w``, ``dw`` and state), continued for two more steps
    with the gradients ``dw / 2`` and ``-dw``."""
    w = np.linspace(-0.4, 0.6, num=_N * _D).reshape(_N, _D)
    dw = np.linspace(-0.6, 0.4, num=_N * _D).reshape(_N, _D)
    rule = state["rule"]
    config = {k: v for k, v in state.items() if k != "rule"}
    args = {"w": w, "dw1": dw, "dw2": dw / 2, "dw3": -dw, "config": config}
    return Case(args=args, steps=script(rule, 3), seed=0, label=f"edge: the notebook's {rule} check, then 2 steps")


def _simple(rule: str, config: dict[str, Any] | None, label: str, *, zero: bool = False) -> Case:
    w = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -0.25]])
    grads = [np.array([[0.3, -1.2, 0.0], [2.0, 0.01, -0.5]]), np.array([[-0.1, 0.4, 0.02], [1.5, -0.03, 0.0]]),
             np.array([[0.2, 0.2, -0.2], [-2.0, 0.05, 1.0]])]
    if zero:
        grads = [np.zeros_like(w)] + grads[1:]
    args = {"w": w, **{f"dw{k + 1}": g for k, g in enumerate(grads)}, "config": config}
    return Case(args=args, steps=script(rule, 3), seed=0, label=label)


def _linspace(low: float, high: float) -> np.ndarray:
    return np.linspace(low, high, num=_N * _D).reshape(_N, _D)


EDGE_CASES = {
    "sgd_momentum": (
        _course({"rule": "sgd_momentum", "learning_rate": 1e-3, "velocity": _linspace(0.6, 0.9)}),
        _simple("sgd_momentum", None, "edge: config=None (all defaults)"),
        _simple("sgd_momentum", {"learning_rate": 0.1}, "edge: config has only learning_rate"),
        _simple("sgd_momentum", {"learning_rate": 0.1, "momentum": 0.5}, "edge: momentum 0.5, not the default"),
    ),
    "rmsprop": (
        _course({"rule": "rmsprop", "learning_rate": 1e-2, "cache": _linspace(0.6, 0.9)}),
        _simple("rmsprop", None, "edge: config=None (all defaults)"),
        _simple("rmsprop", {"learning_rate": 0.1}, "edge: config has only learning_rate"),
        _simple("rmsprop", {"learning_rate": 0.01, "decay_rate": 0.9, "epsilon": 1e-2},
                "edge: decay_rate 0.9, epsilon 1e-2 (epsilon's place shows)"),
    ),
    "adam": (
        _course({"rule": "adam", "learning_rate": 1e-2, "m": _linspace(0.6, 0.9), "v": _linspace(0.7, 0.5),
                 "t": 5}),
        _simple("adam", None, "edge: config=None (all defaults, t starts at 0)"),
        _simple("adam", {"learning_rate": 0.1}, "edge: config has only learning_rate"),
        _simple("adam", None, "edge: first gradient all zeros", zero=True),
        _simple("adam", {"learning_rate": 0.01, "beta1": 0.5, "beta2": 0.9, "epsilon": 1e-2},
                "edge: beta1 0.5, beta2 0.9, epsilon 1e-2"),
    ),
}
