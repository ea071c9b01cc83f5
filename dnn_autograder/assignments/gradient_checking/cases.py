r"""Cases and helper worlds for the *Gradient Checking* assignment.

The two checks are graded through stand-ins: whatever ``J`` and ``dJ`` a student's check calls
is answered by the trusted grader from the *world* the case names (``Case.world``), and the
calls are recorded. A world is ``{stand-in name: callable}``, so the reference and the mutants are
called as ``gradient_check(*case.args.values(), **WORLDS[case.world])``.

Worlds of ``gradient_check`` (hooks ``forward_propagation``, ``backward_propagation``):

* ``course``: the notebook's :math:`J = \theta x`, :math:`dJ = x`. Linear, so a one-sided
  difference is exact here; only the divisor and the normalisation show.
* ``cubic``: :math:`J = x\theta^3`, :math:`dJ = 3x\theta^2`. Curved: a one-sided difference is
  off by :math:`\approx 3x\theta\varepsilon`, visible for :math:`\varepsilon \gtrsim 10^{-4}`.
* ``wrong-gradient``: the cubic :math:`J` with :math:`dJ = x\theta^2` (the factor 3 dropped),
  so the check must report a large difference, and the norms in the formula matter.

Worlds of ``gradient_check_n`` (hook ``forward_propagation_n``):

* ``course-net``: the notebook's three-layer net and mean cross-entropy (nonlinear), the course
  helper ``gc_utils.forward_propagation_n`` itself: after the first call, the sandbox answers
  and records its calls (spec key ``observed``).
* ``cubic-net``: :math:`J = \sum_k \theta_k^3 / 3 + c\,\theta_k` with
  :math:`c = 1 + \mathrm{mean}(X^2)`, gradient :math:`\theta_k^2 + c > 0` (never zero, no kinks):
  ``gc_worlds.cubic_net_cost``, a module the sandbox loads, so it is observed like the course's
  helper (answered in the sandbox, every answer recomputed by the grader afterwards).

Every ``gradient_check_n`` case passes either the world's correct gradients or the same
gradients with the notebook's planted bugs (``dW2`` doubled, ``db1`` times four).

Ranges: ``epsilon`` log-uniform over :math:`[10^{-7}, 10^{-2}]` (every case passes it, so a
check that ignores its argument shows); ``x`` and ``theta`` bounded away from 0 (a zero
derivative makes the relative difference 0/0); the net's parameters in :math:`[-0.5, 0.5]`
and ``X`` in :math:`[-1, 1]`, which keeps :math:`|Z3| < 11` so the sigmoid never saturates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from dnn_autograder.course_helpers.gc_utils import PARAMETER_SHAPES
from dnn_autograder.course_helpers.gc_worlds import cubic_net_cost, cubic_net_slope
from dnn_autograder.grader.assignment.strategies import (
    assume,
    binary_labels,
    composite,
    epsilons,
    example_counts,
    matrices,
    parameter_dicts,
    st,
)
from dnn_autograder.grader.model import Case
from dnn_autograder.reference import backward_propagation_n, forward_propagation_n

__all__ = [
    "WORLDS",
    "EDGE_CASES",
    "NET_DIMS",
    "forward_propagation_cases",
    "backward_propagation_cases",
    "gradient_check_cases",
    "gradient_check_n_cases",
    "net_gradients",
    "nonzero_scalars",
]

#: ``layers_dims`` of the notebook's fixed net: W1 (5, 4), b1 (5, 1), ..., b3 (1, 1).
NET_DIMS = (4, 5, 3, 1)

#: The notebook's planted bugs in ``backward_propagation_n``: gradient name -> factor.
PLANTED_BUGS = {"dW2": 2.0, "db1": 4.0}

#: Finite-difference steps drawn for the checks.
MIN_EPSILON, MAX_EPSILON = 1e-7, 1e-2


# --- worlds ---------------------------------------------------------------------------------


def _course_cost(x, theta):
    return theta * x


def _course_derivative(x, theta):
    return x


def _cubic_cost(x, theta):
    return x * theta**3


def _cubic_derivative(x, theta):
    return 3 * x * theta**2


def _cubic_derivative_without_factor(x, theta):
    return x * theta**2


#: World name -> ``{stand-in name: callable}`` (each world holds exactly its function's hooks).
WORLDS: dict[str, dict[str, Callable]] = {
    "course": {"forward_propagation": _course_cost, "backward_propagation": _course_derivative},
    "cubic": {"forward_propagation": _cubic_cost, "backward_propagation": _cubic_derivative},
    "wrong-gradient": {
        "forward_propagation": _cubic_cost,
        "backward_propagation": _cubic_derivative_without_factor,
    },
    "course-net": {"forward_propagation_n": forward_propagation_n},
    "cubic-net": {"forward_propagation_n": cubic_net_cost},
}

SCALAR_WORLDS = ("course", "cubic", "wrong-gradient")
NET_WORLDS = ("course-net", "cubic-net")


def net_gradients(
    world: str,
    parameters: Mapping[str, np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    *,
    planted_bugs: bool = False,
) -> dict[str, np.ndarray]:
    """The gradients dict the notebook passes: every key ``backward_propagation_n`` returns, in
    its order (``dZ3, dW3, db3, dA2, ..., db1``), so a check that flattens ``gradients.values()``
    instead of calling ``gradients_to_vector`` shows; optionally with the notebook's planted bugs
    (:data:`PLANTED_BUGS`)."""
    if world == "course-net":
        _, cache = forward_propagation_n(X, Y, parameters)
        gradients = dict(backward_propagation_n(X, Y, cache))
    elif world == "cubic-net":
        slope = cubic_net_slope(X)
        m = X.shape[1]
        rows = {"Z3": 1, "A2": 3, "Z2": 3, "A1": 5, "Z1": 5}
        gradients = {}
        for key in COURSE_GRADIENT_ORDER:
            name = key[1:]
            if name in parameters:
                gradients[key] = np.square(parameters[name]) + slope
            else:  # activations' gradients: present like the notebook's, unused by the check
                gradients[key] = np.full((rows[name], m), 0.25)
    else:
        raise ValueError(f"unknown net world {world!r} (known: {', '.join(NET_WORLDS)})")
    if planted_bugs:
        for key, factor in PLANTED_BUGS.items():
            gradients[key] = factor * gradients[key]
    return gradients


#: the keys of ``backward_propagation_n``'s dict, in the notebook's order
COURSE_GRADIENT_ORDER = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")


# --- strategies -----------------------------------------------------------------------------


def nonzero_scalars(
    *, min_magnitude: float = 0.1, max_magnitude: float = 5.0, places: int = 2
) -> st.SearchStrategy[float]:
    """Floats with ``min_magnitude <= |value| <= max_magnitude``, either sign, on a grid of
    ``places`` decimals (``-1.25``); ``0 < min_magnitude <= max_magnitude``."""
    if not 0 < min_magnitude <= max_magnitude:
        raise ValueError(
            f"need 0 < min_magnitude <= max_magnitude, got {min_magnitude!r}, {max_magnitude!r}"
        )
    if not isinstance(places, int) or places < 0:
        raise ValueError(f"places must be an int >= 0, got {places!r}")
    step = 10**places
    low, high = int(np.ceil(min_magnitude * step)), int(np.floor(max_magnitude * step))
    if low > high:
        raise ValueError(f"no multiple of 10**-{places} in [{min_magnitude}, {max_magnitude}]")
    magnitudes = st.integers(low, high).map(lambda k: k / step)
    return st.tuples(st.sampled_from((1.0, -1.0)), magnitudes).map(lambda p: p[0] * p[1])


def _scalars() -> st.SearchStrategy[float]:
    """x and theta of the warm-up, zero included (the warm-up functions are graded alone)."""
    return st.integers(-1000, 1000).map(lambda k: k / 100)


def forward_propagation_cases() -> st.SearchStrategy[Case]:
    """``(x, theta)`` pairs for :math:`J = \\theta x`."""
    return st.builds(lambda x, theta: Case({"x": x, "theta": theta}), _scalars(), _scalars())


def backward_propagation_cases() -> st.SearchStrategy[Case]:
    """``(x, theta)`` pairs for :math:`dJ/d\\theta = x`."""
    return st.builds(lambda x, theta: Case({"x": x, "theta": theta}), _scalars(), _scalars())


def _check_epsilons() -> st.SearchStrategy[float]:
    return epsilons(min_value=MIN_EPSILON, max_value=MAX_EPSILON)


def gradient_check_cases() -> st.SearchStrategy[Case]:
    """Warm-up checks in every scalar world, ``x`` and ``theta`` nonzero, epsilon drawn."""

    def build(world: str, x: float, theta: float, epsilon: float) -> Case:
        args = {"x": x, "theta": theta, "epsilon": epsilon}
        return Case(args, world=world, label=f"generated ({world} world)")

    return st.builds(
        build, st.sampled_from(SCALAR_WORLDS), nonzero_scalars(), nonzero_scalars(),
        _check_epsilons(),
    )


def _kink_margin(parameters: Mapping[str, np.ndarray], X: np.ndarray) -> float:
    """How far the hidden pre-activations are from the ReLU kink, relative to how much one
    parameter step can move them (``max(1, |input|)``)."""
    Z1 = parameters["W1"] @ X + parameters["b1"]
    A1 = np.maximum(Z1, 0.0)
    Z2 = parameters["W2"] @ A1 + parameters["b2"]
    reach = max(1.0, float(np.max(np.abs(X))), float(np.max(A1, initial=0.0)))
    return float(min(np.min(np.abs(Z1)), np.min(np.abs(Z2)))) / reach


@composite
def _net_cases(draw: st.DrawFn) -> Case:
    world = draw(st.sampled_from(NET_WORLDS))
    parameters = draw(parameter_dicts(list(NET_DIMS), scale=0.5))
    m = draw(example_counts(min_value=1, max_value=5))
    X = draw(matrices(NET_DIMS[0], m, min_value=-1.0, max_value=1.0))
    Y = draw(binary_labels(m))
    planted = draw(st.booleans())
    epsilon = draw(_check_epsilons())
    if world == "course-net":
        # a ReLU kink within epsilon of the evaluation point makes even correct gradients disagree
        # with the two-sided difference; such a case would teach nothing
        assume(_kink_margin(parameters, X) > 4 * epsilon)
    gradients = net_gradients(world, parameters, X, Y, planted_bugs=planted)
    args = {"parameters": parameters, "gradients": gradients, "X": X, "Y": Y, "epsilon": epsilon}
    which = "planted bugs" if planted else "correct gradients"
    return Case(args, world=world, label=f"generated ({world} world, {which})")


def gradient_check_n_cases() -> st.SearchStrategy[Case]:
    """N-dimensional checks on the fixed net's shapes, in every net world, with correct or
    planted-bug gradients and a drawn epsilon."""
    return _net_cases()


# --- explicit edge cases --------------------------------------------------------------------


def _course_net_data(seed: int, m: int, *, scale: float) -> tuple[dict, np.ndarray, np.ndarray]:
    """Parameters and data drawn like the notebook's test case (``randn``), scaled down."""
    rng = np.random.RandomState(seed)
    X = rng.randn(NET_DIMS[0], m)
    Y = (rng.rand(1, m) > 0.5).astype(np.int64)
    parameters = {name: scale * rng.randn(*shape) for name, shape in PARAMETER_SHAPES}
    return parameters, X, Y


def _net_case(world: str, seed: int, m: int, epsilon: float, *, planted: bool, label: str,
              scale: float = 0.5) -> Case:
    parameters, X, Y = _course_net_data(seed, m, scale=scale)
    gradients = net_gradients(world, parameters, X, Y, planted_bugs=planted)
    args = {"parameters": parameters, "gradients": gradients, "X": X, "Y": Y, "epsilon": epsilon}
    return Case(args, world=world, label=f"edge: {label}")


def _scalar_case(world: str, x: float, theta: float, epsilon: float, label: str) -> Case:
    return Case({"x": x, "theta": theta, "epsilon": epsilon}, world=world, label=f"edge: {label}")


EDGE_CASES: dict[str, tuple[Case, ...]] = {
    "forward_propagation": (
        Case({"x": 2, "theta": 4}, label="edge: the notebook's x = 2, theta = 4"),
        Case({"x": -1.5, "theta": 0.0}, label="edge: theta = 0"),
        Case({"x": 3.0, "theta": -0.5}, label="edge: negative theta"),
    ),
    "backward_propagation": (
        Case({"x": 2, "theta": 4}, label="edge: the notebook's x = 2, theta = 4"),
        Case({"x": 0.0, "theta": 1.5}, label="edge: x = 0"),
        Case({"x": -2.5, "theta": 7.0}, label="edge: x and theta differ in sign"),
    ),
    "gradient_check": (
        _scalar_case("course", 2, 4, 1e-7, "the notebook's check, x = 2, theta = 4"),
        _scalar_case("cubic", 1.5, 2.0, 1e-2, "curved J, large epsilon (one-sided shows)"),
        _scalar_case("cubic", -3.0, 0.5, 1e-3, "curved J, epsilon = 1e-3"),
        _scalar_case("cubic", 0.8, -1.2, 1e-7, "curved J, default-sized epsilon"),
        _scalar_case("wrong-gradient", 2.0, 4.0, 1e-7, "derivative missing its factor 3"),
        _scalar_case("wrong-gradient", -0.5, 1.5, 1e-4, "wrong derivative, negative x"),
        _scalar_case("wrong-gradient", 2.0, 0.1, 1e-2,
                     "wrong derivative, small theta, large epsilon (the step size shows)"),
    ),
    "gradient_check_n": (
        _net_case("course-net", 1, 3, 1e-7, planted=True, scale=1.0,
                  label="the notebook's setting: randn parameters, planted bugs"),
        _net_case("course-net", 1, 3, 1e-7, planted=False, scale=1.0,
                  label="the notebook's setting, correct gradients"),
        _net_case("course-net", 2, 4, 1e-2, planted=False,
                  label="correct gradients, large epsilon (one-sided shows)"),
        _net_case("cubic-net", 3, 2, 1e-3, planted=False, label="smooth cubic cost"),
        _net_case("cubic-net", 4, 1, 1e-7, planted=True, label="smooth cost, planted bugs, m = 1"),
    ),
}
