r"""Known mistakes in the *Gradient Checking* exercises.

Mutants keep the reference's exact signatures, keyword-only stand-in hooks included, so the
grader calls them like the reference: ``mutant(*case.args.values(), **WORLDS[case.world])``.

Structural checks read the evaluation points of a check from the recorded stand-in calls
(``observation["stand_in_calls"]``, positional arguments as sent): for ``gradient_check`` the
``theta`` passed to ``forward_propagation``, for ``gradient_check_n`` the parameter vector
rebuilt from the dictionary passed to ``forward_propagation_n``. An offset
:math:`d = \theta_{call} - \theta` counts as nonzero in a coordinate when
:math:`|d_j| > 10^{-10}(1 + |\theta_j|)`: far above the rounding a correct check can leave
behind (a few ulps) and far below the smallest step used (:math:`10^{-7}`). Each predicate
fires only on a pattern of evaluation points that no correct two-sided check produces, so a
correct function never triggers one (deterministically: no probability is involved).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.course_helpers.gc_utils import (
    dictionary_to_vector,
    gradients_to_vector,
    vector_to_dictionary,
)
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.reference import backward_propagation as _backward
from dnn_autograder.reference import forward_propagation as _forward
from dnn_autograder.reference import forward_propagation_n as _forward_n
from dnn_autograder.reference import relative_difference

__all__ = ["MISTAKES"]

#: The course's default step, which a check that ignores its ``epsilon`` argument uses.
COURSE_EPSILON = 1e-7
#: Relative tolerance when comparing a step size with an expected one.
STEP_RTOL = 1e-3


# --- scores ---------------------------------------------------------------------------------

Score = Callable[[Any, Any], float]


def _unnormalised(grad, gradapprox) -> float:
    return float(np.linalg.norm(np.asarray(grad, float) - np.asarray(gradapprox, float)))


def _squared_norms(grad, gradapprox) -> float:
    grad, gradapprox = np.asarray(grad, float), np.asarray(gradapprox, float)
    denominator = np.sum(np.square(grad)) + np.sum(np.square(gradapprox))
    numerator = np.sum(np.square(grad - gradapprox))
    return 0.0 if denominator == 0 else float(numerator / denominator)


# --- mutants: gradient_check ----------------------------------------------------------------


def _scalar_check(x, theta, epsilon, forward, backward, *, one_sided: bool = False,
                  divisor: float = 2.0, score: Score = relative_difference) -> float:
    J_plus = forward(x, theta + epsilon)
    if one_sided:
        gradapprox = (J_plus - forward(x, theta)) / epsilon
    else:
        gradapprox = (J_plus - forward(x, theta - epsilon)) / (divisor * epsilon)
    return score(backward(x, theta), gradapprox)


def _check_one_sided(x, theta, epsilon=1e-7, print_msg=False, *,
                     forward_propagation=_forward, backward_propagation=_backward):
    return _scalar_check(x, theta, epsilon, forward_propagation, backward_propagation,
                         one_sided=True)


def _check_wrong_divisor(x, theta, epsilon=1e-7, print_msg=False, *,
                         forward_propagation=_forward, backward_propagation=_backward):
    return _scalar_check(x, theta, epsilon, forward_propagation, backward_propagation,
                         divisor=1.0)


def _check_not_normalised(x, theta, epsilon=1e-7, print_msg=False, *,
                          forward_propagation=_forward, backward_propagation=_backward):
    return _scalar_check(x, theta, epsilon, forward_propagation, backward_propagation,
                         score=_unnormalised)


def _check_squared_norms(x, theta, epsilon=1e-7, print_msg=False, *,
                         forward_propagation=_forward, backward_propagation=_backward):
    return _scalar_check(x, theta, epsilon, forward_propagation, backward_propagation,
                         score=_squared_norms)


def _check_default_epsilon(x, theta, epsilon=1e-7, print_msg=False, *,
                           forward_propagation=_forward, backward_propagation=_backward):
    return _scalar_check(x, theta, COURSE_EPSILON, forward_propagation, backward_propagation)


def _check_hardcoded_model(x, theta, epsilon=1e-7, print_msg=False, *,
                           forward_propagation=_forward, backward_propagation=_backward):
    """The warm-up's J = theta * x and its derivative x written into the check instead of
    calling forward_propagation and backward_propagation."""
    J_plus = np.dot(theta + epsilon, x)
    J_minus = np.dot(theta - epsilon, x)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = x
    return relative_difference(grad, gradapprox)


def _forward_sum(x, theta):
    return theta + x


def _backward_wrong_variable(x, theta):
    return theta


# --- mutants: gradient_check_n --------------------------------------------------------------


def _cost(forward, X, Y, theta: np.ndarray) -> float:
    return float(np.squeeze(forward(X, Y, vector_to_dictionary(theta))[0]))


def _net_check(parameters, gradients, X, Y, epsilon, forward, *, one_sided: bool = False,
               divisor: float = 2.0, all_at_once: bool = False,
               score: Score = relative_difference) -> float:
    theta, _ = dictionary_to_vector(parameters)
    n = theta.shape[0]
    gradapprox = np.zeros((n, 1))
    J_theta = _cost(forward, X, Y, theta) if one_sided else 0.0
    for i in range(n):
        step = np.zeros_like(theta)
        if all_at_once:
            step[:] = epsilon
        else:
            step[i] = epsilon
        J_plus = _cost(forward, X, Y, theta + step)
        if one_sided:
            gradapprox[i] = (J_plus - J_theta) / epsilon
        else:
            gradapprox[i] = (J_plus - _cost(forward, X, Y, theta - step)) / (divisor * epsilon)
    return score(gradients_to_vector(gradients), gradapprox)


def _check_n_one_sided(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                       forward_propagation_n=_forward_n):
    return _net_check(parameters, gradients, X, Y, epsilon, forward_propagation_n,
                      one_sided=True)


def _check_n_wrong_divisor(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                           forward_propagation_n=_forward_n):
    return _net_check(parameters, gradients, X, Y, epsilon, forward_propagation_n, divisor=1.0)


def _check_n_not_normalised(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                            forward_propagation_n=_forward_n):
    return _net_check(parameters, gradients, X, Y, epsilon, forward_propagation_n,
                      score=_unnormalised)


def _check_n_squared_norms(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                           forward_propagation_n=_forward_n):
    return _net_check(parameters, gradients, X, Y, epsilon, forward_propagation_n,
                      score=_squared_norms)


def _check_n_default_epsilon(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                             forward_propagation_n=_forward_n):
    return _net_check(parameters, gradients, X, Y, COURSE_EPSILON, forward_propagation_n)


def _check_n_all_at_once(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                         forward_propagation_n=_forward_n):
    return _net_check(parameters, gradients, X, Y, epsilon, forward_propagation_n,
                      all_at_once=True)


def _check_n_aliased_theta(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                           forward_propagation_n=_forward_n):
    """``thetaplus = parameters_values`` and ``thetaminus = parameters_values`` (no copies):
    the minus step undoes the plus step, so J_minus is J(theta) and the quotient is about
    half the derivative."""
    parameters_values, _ = dictionary_to_vector(parameters)
    n = parameters_values.shape[0]
    gradapprox = np.zeros((n, 1))
    for i in range(n):
        thetaplus = parameters_values
        thetaplus[i] = thetaplus[i] + epsilon
        J_plus = _cost(forward_propagation_n, X, Y, thetaplus)
        thetaminus = parameters_values
        thetaminus[i] = thetaminus[i] - epsilon
        J_minus = _cost(forward_propagation_n, X, Y, thetaminus)
        gradapprox[i] = (J_plus - J_minus) / (2 * epsilon)
    return relative_difference(gradients_to_vector(gradients), gradapprox)


# --- structural checks: evaluation points ---------------------------------------------------


def _calls(observation: Mapping[str, Any], name: str) -> list[tuple]:
    return [tuple(args) for called, args in observation.get("stand_in_calls", ()) if called == name]


def _nonzero(offset: np.ndarray, theta: np.ndarray) -> np.ndarray:
    return np.abs(offset) > 1e-10 * (1.0 + np.abs(theta))


def _epsilon(inputs: Mapping[str, Any]) -> float:
    return float(inputs.get("epsilon", COURSE_EPSILON))


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= STEP_RTOL * abs(b)


def _ignores_epsilon(steps: np.ndarray, epsilon: float) -> bool:
    """Every step taken is the course default although the case asked for another one."""
    if steps.size == 0 or _close(epsilon, COURSE_EPSILON):
        return False
    return all(_close(float(step), COURSE_EPSILON) for step in steps)


def _scalar_offsets(inputs: Mapping[str, Any], observation: Mapping[str, Any]) -> np.ndarray:
    """``theta_call - theta`` of each ``forward_propagation(x, theta_call)`` call (calls whose
    ``theta`` is not a single number are left out)."""
    theta = float(inputs["theta"])
    offsets = []
    for args in _calls(observation, "forward_propagation"):
        if len(args) < 2:
            continue
        point = np.asarray(args[1], dtype=float)
        if point.size == 1:
            offsets.append(float(point.reshape(())) - theta)
    return np.asarray(offsets, dtype=float)


def _scalar_one_sided(inputs, output, observation) -> bool:
    """J evaluated at theta itself and on one side of it only."""
    offsets = _scalar_offsets(inputs, observation)
    moved = _nonzero(offsets, np.full_like(offsets, float(inputs["theta"])))
    steps = offsets[moved]
    if not moved.any() or moved.all():
        return False
    return bool(np.all(steps > 0) or np.all(steps < 0))


def _scalar_ignores_epsilon(inputs, output, observation) -> bool:
    offsets = _scalar_offsets(inputs, observation)
    moved = _nonzero(offsets, np.full_like(offsets, float(inputs["theta"])))
    return _ignores_epsilon(np.abs(offsets[moved]), _epsilon(inputs))


def _net_offsets(inputs: Mapping[str, Any], observation: Mapping[str, Any]):
    """``(theta, offsets, moved)``: the flattened parameters of the case, the offsets of the
    points ``forward_propagation_n`` was called at (rows), and which coordinates moved."""
    theta = dictionary_to_vector(inputs["parameters"])[0].astype(float).ravel()
    rows = []
    for args in _calls(observation, "forward_propagation_n"):
        if len(args) < 3 or not isinstance(args[2], Mapping):
            continue
        try:
            point = dictionary_to_vector(args[2])[0].astype(float).ravel()
        except (KeyError, ValueError, TypeError):
            continue
        if point.shape == theta.shape:
            rows.append(point - theta)
    offsets = np.asarray(rows, dtype=float).reshape(len(rows), theta.size)
    return theta, offsets, _nonzero(offsets, theta)


def _net_one_sided(inputs, output, observation) -> bool:
    """Single coordinates moved, all the same way; J(theta) evaluated, but not once per
    coordinate (that pattern is also left by the aliased-theta mistake, told apart by its
    output)."""
    _, offsets, moved = _net_offsets(inputs, observation)
    counts = moved.sum(axis=1)
    if counts.size == 0 or counts.max() != 1:
        return False
    at_theta = int(np.sum(counts == 0))
    steps = offsets[moved]
    one_side = bool(np.all(steps > 0) or np.all(steps < 0))
    return one_side and 0 < at_theta < int(np.sum(counts == 1))


def _net_all_at_once(inputs, output, observation) -> bool:
    """Some point moves every coordinate; none moves some but not all (that is drift)."""
    theta, _, moved = _net_offsets(inputs, observation)
    counts = moved.sum(axis=1)
    partial = (counts >= 2) & (counts < theta.size)
    return bool(np.any(counts == theta.size) and not partial.any())


def _net_drifts(inputs, output, observation) -> bool:
    """Some point moves several coordinates but not all: earlier steps were left in theta."""
    theta, _, moved = _net_offsets(inputs, observation)
    counts = moved.sum(axis=1)
    return bool(np.any((counts >= 2) & (counts < theta.size)))


def _net_ignores_epsilon(inputs, output, observation) -> bool:
    _, offsets, moved = _net_offsets(inputs, observation)
    return _ignores_epsilon(np.abs(offsets[moved]), _epsilon(inputs))


def _bypasses_helpers(inputs, output, observation) -> bool:
    """The check never called ``forward_propagation`` or never called ``backward_propagation``
    (a correct check calls each at least once: J at theta +- epsilon and the derivative)."""
    return not _calls(observation, "forward_propagation") or not _calls(observation, "backward_propagation")


# --- the catalogue --------------------------------------------------------------------------

_ONE_SIDED = (
    "Your check estimated the derivative with a one-sided difference, "
    "(J(theta + epsilon) - J(theta)) / epsilon. Its error shrinks only like epsilon, so on a "
    "curved cost it reports a difference even when the gradient is right. Use the two-sided "
    "difference gradapprox = (J(theta + epsilon) - J(theta - epsilon)) / (2 * epsilon), whose "
    "error shrinks like epsilon squared."
)
_WRONG_DIVISOR = (
    "Your check divided J(theta + epsilon) - J(theta - epsilon) by epsilon instead of "
    "2 * epsilon. The two points are 2 * epsilon apart, so the estimate came out twice the "
    "derivative and a correct gradient looks wrong (difference near 1/3). Use "
    "gradapprox = (J_plus - J_minus) / (2 * epsilon)."
)
_NOT_NORMALISED = (
    "Your check returned the plain distance ||grad - gradapprox|| without dividing by "
    "||grad|| + ||gradapprox||. That number depends on the size of the gradient, so a fixed "
    "threshold such as 2e-7 means nothing for it. Return "
    "difference = ||grad - gradapprox|| / (||grad|| + ||gradapprox||), using np.linalg.norm "
    "for each norm."
)
_SQUARED_NORMS = (
    "Your check used sums of squares where the formula has norms, e.g. "
    "np.sum((grad - gradapprox)**2) / (np.sum(grad**2) + np.sum(gradapprox**2)). A norm is "
    "the square root of such a sum, and the ratio of squares is a different number. Use "
    "np.linalg.norm(grad - gradapprox) / (np.linalg.norm(grad) + np.linalg.norm(gradapprox))."
)
_IGNORES_EPSILON = (
    "Your check stepped theta by 1e-7 although it was called with a different epsilon: the "
    "value is probably set inside the function, overriding the argument. The grader varies "
    "epsilon, and the result depends on it. Use the epsilon parameter for both the steps and "
    "the divisor 2 * epsilon."
)

MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        id="gradcheck-forward-sum",
        function="forward_propagation",
        title="J computed as theta + x instead of theta * x",
        explanation=(
            "Your forward_propagation added theta and x. The warm-up cost is the product "
            "J = theta * x, whose derivative with respect to theta is x; a sum would have "
            "derivative 1."
        ),
        mutant=_forward_sum,
    ),
    Mistake(
        id="gradcheck-backward-wrong-variable",
        function="backward_propagation",
        title="Derivative taken with respect to x instead of theta",
        explanation=(
            "Your backward_propagation returned theta, which is the derivative of J = theta * x "
            "with respect to x. The gradient check needs the derivative with respect to the "
            "parameter theta, and dJ/dtheta = x."
        ),
        mutant=_backward_wrong_variable,
    ),
    Mistake(
        id="gradcheck-one-sided",
        function="gradient_check",
        title="One-sided difference instead of a two-sided one",
        explanation=_ONE_SIDED,
        mutant=_check_one_sided,
        structural=_scalar_one_sided,
    ),
    Mistake(
        id="gradcheck-wrong-divisor",
        function="gradient_check",
        title="Two-sided difference divided by epsilon instead of 2 epsilon",
        explanation=_WRONG_DIVISOR,
        mutant=_check_wrong_divisor,
    ),
    Mistake(
        id="gradcheck-not-normalized",
        function="gradient_check",
        title="Difference not divided by ||grad|| + ||gradapprox||",
        explanation=_NOT_NORMALISED,
        mutant=_check_not_normalised,
    ),
    Mistake(
        id="gradcheck-squared-norms",
        function="gradient_check",
        title="Sums of squares used instead of norms",
        explanation=_SQUARED_NORMS,
        mutant=_check_squared_norms,
    ),
    Mistake(
        id="gradcheck-wrong-epsilon",
        function="gradient_check",
        title="The epsilon argument is ignored",
        explanation=_IGNORES_EPSILON,
        mutant=_check_default_epsilon,
        structural=_scalar_ignores_epsilon,
    ),
    Mistake(
        id="gradcheck-hardcoded-model",
        function="gradient_check",
        title="The check computes J and its derivative itself instead of calling the helpers",
        explanation=(
            "Your gradient_check works out J = theta * x inline (np.dot(theta, x) or theta * x) "
            "or sets grad = x, instead of calling forward_propagation(x, theta) and "
            "backward_propagation(x, theta). The notebook's test passed because it uses exactly "
            "J = theta * x, where your formulas and the helpers agree. But a gradient check "
            "exists to test backward_propagation, and yours never looks at it: with "
            "J = x * theta**3 and a backward_propagation that forgets the factor 3 (x = 2, "
            "theta = 4: grad = 32, while the two-sided difference of J is 96), the check must "
            "report a difference of 0.5, and yours reports about 0 (all is well). Call the "
            "helpers: J_plus = forward_propagation(x, theta + epsilon), J_minus = "
            "forward_propagation(x, theta - epsilon), grad = backward_propagation(x, theta)."
        ),
        mutant=_check_hardcoded_model,
        structural=_bypasses_helpers,
    ),
    Mistake(
        id="gradcheck-n-one-sided",
        function="gradient_check_n",
        title="One-sided differences instead of two-sided ones",
        explanation=_ONE_SIDED,
        mutant=_check_n_one_sided,
        structural=_net_one_sided,
    ),
    Mistake(
        id="gradcheck-n-wrong-divisor",
        function="gradient_check_n",
        title="Two-sided differences divided by epsilon instead of 2 epsilon",
        explanation=_WRONG_DIVISOR,
        mutant=_check_n_wrong_divisor,
    ),
    Mistake(
        id="gradcheck-n-not-normalized",
        function="gradient_check_n",
        title="Difference not divided by ||grad|| + ||gradapprox||",
        explanation=_NOT_NORMALISED,
        mutant=_check_n_not_normalised,
    ),
    Mistake(
        id="gradcheck-n-squared-norms",
        function="gradient_check_n",
        title="Sums of squares used instead of norms",
        explanation=_SQUARED_NORMS,
        mutant=_check_n_squared_norms,
    ),
    Mistake(
        id="gradcheck-n-wrong-epsilon",
        function="gradient_check_n",
        title="The epsilon argument is ignored",
        explanation=_IGNORES_EPSILON,
        mutant=_check_n_default_epsilon,
        structural=_net_ignores_epsilon,
    ),
    Mistake(
        id="gradcheck-mutates-theta",
        function="gradient_check_n",
        title="Parameter vector perturbed in place instead of a copy",
        explanation=(
            "Your check changed parameters_values itself (thetaplus = parameters_values makes "
            "a second name for the same array, not a copy). The steps then either undo each "
            "other, so J_minus is really J(theta), or pile up, so later evaluation points have "
            "several parameters moved. Start each step from a fresh copy: "
            "thetaplus = np.copy(parameters_values), and the same for thetaminus."
        ),
        mutant=_check_n_aliased_theta,
        structural=_net_drifts,
    ),
    Mistake(
        id="gradcheck-perturbs-all-at-once",
        function="gradient_check_n",
        title="All parameters perturbed at once",
        explanation=(
            "Your check added epsilon to every parameter at the same time "
            "(thetaplus = parameters_values + epsilon). That measures the slope along the "
            "all-ones direction, the sum of all partial derivatives, and gives every entry of "
            "gradapprox the same value. Perturb one entry per iteration: "
            "thetaplus[i] = thetaplus[i] + epsilon on a copy, and likewise for thetaminus."
        ),
        mutant=_check_n_all_at_once,
        structural=_net_all_at_once,
    ),
)
