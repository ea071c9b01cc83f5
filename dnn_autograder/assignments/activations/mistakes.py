r"""Known mistakes in the *Activation Functions* exercises.

Mutants keep the reference's exact signatures. The backward functions with a stand-in keep its keyword-only
hook (``*, sigmoid=...``, ``*, tanh=...``), so the grader calls them like the reference, with the forward
function of the case's world. The stability mistakes (no max shift, naive exponentials, the log of a
probability) agree with the reference on moderate inputs and show only on the bank's cases with ``|Z|`` up
to 1000, which is why those cases exist.
"""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.reference.activations import sigmoid as _sigmoid
from dnn_autograder.reference.activations import tanh as _tanh

__all__ = ["MISTAKES"]


# --- mutants: sigmoid and tanh --------------------------------------------------------------


def _sigmoid_sign_error(Z):
    return 1 / (1 + np.exp(Z))


def _sigmoid_precedence(Z):
    return 1 / 1 + np.exp(-Z)


def _sigmoid_backward_returns_sigmoid(dA, Z, *, sigmoid=_sigmoid):
    return dA * sigmoid(Z)


def _sigmoid_backward_z_as_activation(dA, Z, *, sigmoid=_sigmoid):
    return dA * Z * (1 - Z)


def _sigmoid_backward_missing_da(dA, Z, *, sigmoid=_sigmoid):
    s = sigmoid(Z)
    return s * (1 - s)


def _tanh_naive(Z):
    return (np.exp(Z) - np.exp(-Z)) / (np.exp(Z) + np.exp(-Z))


def _tanh_as_sigmoid_of_z(Z):
    return 2 / (1 + np.exp(-Z)) - 1


def _tanh_backward_no_square(dA, Z, *, tanh=_tanh):
    return dA * (1 - tanh(Z))


def _tanh_backward_z_as_activation(dA, Z, *, tanh=_tanh):
    return dA * (1 - Z**2)


def _tanh_backward_missing_da(dA, Z, *, tanh=_tanh):
    return 1 - tanh(Z) ** 2


# --- mutants: ReLU and leaky ReLU -----------------------------------------------------------


def _relu_max_reduces(Z):
    return np.max(Z, 0)


def _relu_returns_mask(Z):
    return (Z > 0).astype(float)


def _relu_backward_mask_on_da(dA, Z):
    return dA * (dA > 0)


def _relu_backward_missing_da(dA, Z):
    return (Z > 0).astype(float)


def _relu_backward_mutates_da(dA, Z):
    dZ = dA
    dZ[Z <= 0] = 0
    return dZ


def _leaky_relu_ignores_alpha(Z, alpha=0.01):
    return np.where(Z > 0, Z, 0.01 * Z)


def _leaky_relu_max_with_alpha(Z, alpha=0.01):
    return np.maximum(alpha, Z)


def _leaky_relu_backward_zero_for_negatives(dA, Z, alpha=0.01):
    return np.where(Z > 0, dA, 0.0)


def _leaky_relu_backward_ignores_alpha(dA, Z, alpha=0.01):
    return np.where(Z > 0, dA, 0.01 * dA)


def _leaky_relu_backward_missing_da(dA, Z, alpha=0.01):
    return np.where(Z > 0, 1.0, alpha)


# --- mutants: softmax and log-softmax -------------------------------------------------------


def _softmax_no_shift(Z):
    exps = np.exp(Z)
    return exps / np.sum(exps, axis=0, keepdims=True)


def _softmax_wrong_axis(Z):
    exps = np.exp(Z - np.max(Z, axis=1, keepdims=True))
    return exps / np.sum(exps, axis=1, keepdims=True)


def _softmax_global_sum(Z):
    exps = np.exp(Z - np.max(Z))
    return exps / np.sum(exps)


def _softmax_global_max(Z):
    exps = np.exp(Z - np.max(Z))
    return exps / np.sum(exps, axis=0, keepdims=True)


def _log_softmax_log_of_softmax(Z):
    exps = np.exp(Z - np.max(Z, axis=0, keepdims=True))
    return np.log(exps / np.sum(exps, axis=0, keepdims=True))


def _log_softmax_no_shift(Z):
    return Z - np.log(np.sum(np.exp(Z), axis=0, keepdims=True))


def _log_softmax_max_not_added_back(Z):
    shifted = Z - np.max(Z, axis=0, keepdims=True)
    return Z - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))


def _log_softmax_wrong_axis(Z):
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))


def _changed_da(inputs, output, observation) -> bool:
    """The call changed its argument ``dA`` (seen in ``observation["args_after"]``)."""
    return not np.array_equal(np.asarray(inputs["dA"]), np.asarray(observation["args_after"]["dA"]))


# --- explanations shared by several functions -----------------------------------------------

_MISSING_DA = (
    "Your function returned the local derivative g'(Z) alone. A backward function applies the chain rule: "
    "the gradient with respect to Z is the upstream gradient times the local one, dZ = dA * g'(Z), "
    "elementwise. Multiply by dA."
)
_Z_AS_ACTIVATION = (
    "Your function applied the derivative formula to Z itself, as if Z were the activation A. The formula "
    "{formula} is written in terms of the activation A = {g}(Z): compute A = {g}(Z) first, then "
    "dZ = dA * {formula_a}."
)
_WRONG_AXIS = (
    "Your function normalised each row (axis=1) instead of each column. In the course's layout Z has shape "
    "(n_classes, m): each column is one example, so the sums and maxima run over axis 0 "
    "(np.sum(..., axis=0, keepdims=True)) and every column of the result sums to 1."
)

MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        id="sigmoid-sign-error",
        function="sigmoid",
        title="exp(Z) instead of exp(-Z)",
        explanation=(
            "Your function computed 1 / (1 + exp(Z)), which is sigmoid(-Z): large inputs give values near 0 "
            "instead of near 1. The sigmoid is 1 / (1 + exp(-Z)), with a minus sign in the exponent."
        ),
        mutant=_sigmoid_sign_error,
    ),
    Mistake(
        id="sigmoid-operator-precedence",
        function="sigmoid",
        title="1 / 1 + exp(-Z): missing parentheses",
        explanation=(
            "Your function computed 1 / 1 + exp(-Z), which Python reads as (1 / 1) + exp(-Z) = 1 + exp(-Z): "
            "values above 1, and infinite for very negative Z. Put the denominator in parentheses: "
            "1 / (1 + np.exp(-Z))."
        ),
        mutant=_sigmoid_precedence,
    ),
    Mistake(
        id="sigmoid-backward-returns-sigmoid",
        function="sigmoid_backward",
        title="The sigmoid used as its own derivative",
        explanation=(
            "Your function returned dA * sigmoid(Z). The derivative of the sigmoid is not the sigmoid: it is "
            "sigmoid(Z) * (1 - sigmoid(Z)), largest (1/4) at Z = 0 and near 0 when the unit saturates. "
            "Compute s = sigmoid(Z), then dZ = dA * s * (1 - s)."
        ),
        mutant=_sigmoid_backward_returns_sigmoid,
    ),
    Mistake(
        id="sigmoid-backward-z-as-activation",
        function="sigmoid_backward",
        title="Z * (1 - Z) instead of s * (1 - s)",
        explanation=_Z_AS_ACTIVATION.format(formula="A * (1 - A)", g="sigmoid", formula_a="A * (1 - A)"),
        mutant=_sigmoid_backward_z_as_activation,
    ),
    Mistake(
        id="sigmoid-backward-missing-da",
        function="sigmoid_backward",
        title="Upstream gradient dA not multiplied in",
        explanation=_MISSING_DA,
        mutant=_sigmoid_backward_missing_da,
    ),
    Mistake(
        id="tanh-naive-overflow",
        function="tanh",
        title="tanh from exponentials overflows for large |Z|",
        explanation=(
            "Your function computed (exp(Z) - exp(-Z)) / (exp(Z) + exp(-Z)). The formula is right, but in "
            "float64 exp(Z) overflows to inf once Z exceeds about 710, and inf / inf is NaN, so saturated "
            "units give NaN instead of +1 or -1. Use np.tanh(Z), which is stable, or rewrite the quotient "
            "with exp(-2|Z|) only."
        ),
        mutant=_tanh_naive,
    ),
    Mistake(
        id="tanh-as-sigmoid-of-z",
        function="tanh",
        title="2 sigmoid(Z) - 1 instead of 2 sigmoid(2Z) - 1",
        explanation=(
            "Your function computed 2 * sigmoid(Z) - 1, which is tanh(Z / 2). The identity relating the two "
            "is tanh(Z) = 2 * sigmoid(2 * Z) - 1: the argument is doubled. Simplest is np.tanh(Z)."
        ),
        mutant=_tanh_as_sigmoid_of_z,
    ),
    Mistake(
        id="tanh-backward-no-square",
        function="tanh_backward",
        title="1 - tanh(Z) instead of 1 - tanh(Z)**2",
        explanation=(
            "Your function used 1 - tanh(Z) as the derivative. The derivative of tanh is 1 - tanh(Z)**2: "
            "the tanh is squared, so the slope is 1 at Z = 0 and falls to 0 on both sides (without the square "
            "it would reach 2 for very negative Z). Compute t = np.tanh(Z), then dZ = dA * (1 - t**2)."
        ),
        mutant=_tanh_backward_no_square,
    ),
    Mistake(
        id="tanh-backward-z-as-activation",
        function="tanh_backward",
        title="1 - Z**2 instead of 1 - tanh(Z)**2",
        explanation=_Z_AS_ACTIVATION.format(formula="1 - A**2", g="tanh", formula_a="(1 - A**2)"),
        mutant=_tanh_backward_z_as_activation,
    ),
    Mistake(
        id="tanh-backward-missing-da",
        function="tanh_backward",
        title="Upstream gradient dA not multiplied in",
        explanation=_MISSING_DA,
        mutant=_tanh_backward_missing_da,
    ),
    Mistake(
        id="relu-max-reduces-axis",
        function="relu",
        title="np.max (a reduction) instead of np.maximum (elementwise)",
        explanation=(
            "Your function called np.max(Z, 0). np.max reduces an array: its second argument is an axis, so "
            "this returns the largest entry of each column, with the wrong shape. The elementwise maximum of Z "
            "and 0 is np.maximum(0, Z)."
        ),
        mutant=_relu_max_reduces,
    ),
    Mistake(
        id="relu-returns-mask",
        function="relu",
        title="The mask Z > 0 returned instead of max(0, Z)",
        explanation=(
            "Your function returned 1 where Z > 0 and 0 elsewhere: that is the derivative of ReLU, not ReLU. "
            "ReLU keeps positive values as they are: A = np.maximum(0, Z)."
        ),
        mutant=_relu_returns_mask,
    ),
    Mistake(
        id="relu-backward-mask-from-da",
        function="relu_backward",
        title="Mask built from dA > 0 instead of Z > 0",
        explanation=(
            "Your function zeroed the gradient where dA <= 0. Whether the gradient flows through a ReLU "
            "depends on the unit's input Z, not on the sign of the upstream gradient: dZ = dA where Z > 0 "
            "and 0 where Z < 0, e.g. dZ = dA * (Z > 0)."
        ),
        mutant=_relu_backward_mask_on_da,
    ),
    Mistake(
        id="relu-backward-missing-da",
        function="relu_backward",
        title="Upstream gradient dA not multiplied in",
        explanation=_MISSING_DA,
        mutant=_relu_backward_missing_da,
    ),
    Mistake(
        id="relu-backward-mutates-da",
        function="relu_backward",
        title="dA modified in place (dZ = dA is not a copy)",
        explanation=(
            "Your function wrote zeros into dA itself: dZ = dA makes a second name for the same array, so "
            "dZ[Z <= 0] = 0 also changes the caller's dA, which other parts of backpropagation still use. "
            "Copy first, dZ = np.array(dA, copy=True), or build a new array: dZ = dA * (Z > 0)."
        ),
        mutant=_relu_backward_mutates_da,
        structural=_changed_da,
    ),
    Mistake(
        id="leaky-relu-ignores-alpha",
        function="leaky_relu",
        title="The alpha argument is ignored (0.01 hard-coded)",
        explanation=(
            "Your function used the slope 0.01 for negative inputs whatever alpha it was given. The slope "
            "is the argument alpha (0.01 is only its default): A = np.where(Z > 0, Z, alpha * Z)."
        ),
        mutant=_leaky_relu_ignores_alpha,
    ),
    Mistake(
        id="leaky-relu-max-with-alpha",
        function="leaky_relu",
        title="max(alpha, Z) instead of max(alpha * Z, Z)",
        explanation=(
            "Your function computed np.maximum(alpha, Z), which clips Z from below at the constant alpha. "
            "Leaky ReLU scales negative inputs by alpha instead: A = Z where Z > 0 and alpha * Z elsewhere, "
            "np.where(Z > 0, Z, alpha * Z) (or np.maximum(alpha * Z, Z) for alpha < 1)."
        ),
        mutant=_leaky_relu_max_with_alpha,
    ),
    Mistake(
        id="leaky-relu-backward-zero-for-negatives",
        function="leaky_relu_backward",
        title="Derivative 0 for negative Z (the ReLU derivative)",
        explanation=(
            "Your function let no gradient through where Z < 0, as for ReLU. Leaky ReLU has slope alpha "
            "there, and passing that small gradient is its whole point (units cannot die): "
            "dZ = np.where(Z > 0, dA, alpha * dA)."
        ),
        mutant=_leaky_relu_backward_zero_for_negatives,
    ),
    Mistake(
        id="leaky-relu-backward-ignores-alpha",
        function="leaky_relu_backward",
        title="The alpha argument is ignored (0.01 hard-coded)",
        explanation=(
            "Your function used the slope 0.01 for negative inputs whatever alpha it was given. Use the "
            "argument: dZ = np.where(Z > 0, dA, alpha * dA)."
        ),
        mutant=_leaky_relu_backward_ignores_alpha,
    ),
    Mistake(
        id="leaky-relu-backward-missing-da",
        function="leaky_relu_backward",
        title="Upstream gradient dA not multiplied in",
        explanation=_MISSING_DA,
        mutant=_leaky_relu_backward_missing_da,
    ),
    Mistake(
        id="softmax-no-max-shift",
        function="softmax",
        title="exp(Z) without subtracting the column maximum: overflow",
        explanation=(
            "Your function computed np.exp(Z) directly. For scores above about 710 exp overflows to inf and "
            "inf / inf gives NaN. Softmax does not change when the same constant is subtracted from a column, "
            "so subtract each column's maximum first: E = np.exp(Z - np.max(Z, axis=0, keepdims=True)), then "
            "A = E / np.sum(E, axis=0, keepdims=True). Every exponent is then <= 0 and the largest term is 1."
        ),
        mutant=_softmax_no_shift,
    ),
    Mistake(
        id="softmax-wrong-axis",
        function="softmax",
        title="Rows normalised instead of columns (axis=1)",
        explanation=_WRONG_AXIS,
        mutant=_softmax_wrong_axis,
    ),
    Mistake(
        id="softmax-global-sum",
        function="softmax",
        title="One sum over the whole matrix instead of one per column",
        explanation=(
            "Your function divided by np.sum(E) without an axis, the sum over all examples at once, so the "
            "probabilities of the whole batch sum to 1 instead of those of each example. Sum each column: "
            "np.sum(E, axis=0, keepdims=True)."
        ),
        mutant=_softmax_global_sum,
    ),
    Mistake(
        id="softmax-global-max",
        function="softmax",
        title="Maximum of the whole matrix subtracted instead of each column's",
        explanation=(
            "Your function subtracted np.max(Z), the largest score of the whole batch. That is allowed "
            "mathematically but not numerically: a column whose scores lie far below that maximum has every "
            "exp underflow to 0, and 0 / 0 gives NaN. Subtract each column's own maximum: "
            "np.max(Z, axis=0, keepdims=True)."
        ),
        mutant=_softmax_global_max,
    ),
    Mistake(
        id="log-softmax-log-of-softmax",
        function="log_softmax",
        title="np.log(softmax(Z)): -inf where a probability underflows",
        explanation=(
            "Your function took the log of the probabilities. A probability below about 1e-308 is stored as 0, "
            "and log(0) = -inf, although the true value (for instance -1000) is an ordinary number. Compute "
            "the log directly: with c = np.max(Z, axis=0, keepdims=True), "
            "logA = (Z - c) - np.log(np.sum(np.exp(Z - c), axis=0, keepdims=True))."
        ),
        mutant=_log_softmax_log_of_softmax,
    ),
    Mistake(
        id="log-softmax-no-max-shift",
        function="log_softmax",
        title="Log-sum-exp without subtracting the column maximum: overflow",
        explanation=(
            "Your function computed np.log(np.sum(np.exp(Z), axis=0)). For scores above about 710 exp "
            "overflows to inf and the result is -inf or NaN. Use the log-sum-exp trick: "
            "log sum exp(Z) = c + log sum exp(Z - c) with c the column maximum."
        ),
        mutant=_log_softmax_no_shift,
    ),
    Mistake(
        id="log-softmax-max-not-added-back",
        function="log_softmax",
        title="Shifted log-sum-exp used without adding the maximum back",
        explanation=(
            "Your function computed Z - log(sum(exp(Z - c))): the maximum c was subtracted inside the "
            "log-sum-exp but not added back, so every entry is off by c. Either use the shifted scores on both "
            "sides, (Z - c) - log(sum(exp(Z - c))), or add c: Z - (c + log(sum(exp(Z - c))))."
        ),
        mutant=_log_softmax_max_not_added_back,
    ),
    Mistake(
        id="log-softmax-wrong-axis",
        function="log_softmax",
        title="Rows normalised instead of columns (axis=1)",
        explanation=_WRONG_AXIS,
        mutant=_log_softmax_wrong_axis,
    ),
)
