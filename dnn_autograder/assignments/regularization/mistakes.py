r"""Misconception catalogue of the *Regularization* assignment (L2 and inverted dropout).

Mutants have the reference's exact signatures (``compute_cost_with_regularization`` keeps its
keyword-only ``compute_cost`` hook) and, for the dropout forward pass, the course's seeding
(``np.random.seed(1)``, ``D1`` drawn before ``D2``), so a student who seeds like the course
matches a mutant exactly. Structural checks cover what a single mutant cannot:

* deterministic functions: "some constant other than lambd/m", "any one layer left out";
  they compare with the spec's ``rtol`` / ``atol`` and fire only when the rest of the output is
  right, so they never fire on a correct function;
* the dropout forward pass: the relations and the kept-fraction test of :mod:`properties` at
  the same level (``1e-8`` per test). A statistical mistake is named only when every testable
  mask fits the mistaken keep probability *and* some mask rejects the correct one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from statistics import NormalDist
from typing import Any

import numpy as np

from dnn_autograder.assignments.regularization.properties import (
    RELATION_ATOL,
    RELATION_RTOL,
    DropoutPass,
    feeds_forward,
    kept_fraction_fits,
    masked_relation,
    read_dropout_pass,
)
from dnn_autograder.course_helpers.common import relu, sigmoid
from dnn_autograder.course_helpers.reg_utils import compute_cost as course_compute_cost
from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]

COST = "compute_cost_with_regularization"
L2_BACKWARD = "backward_propagation_with_regularization"
FORWARD = "forward_propagation_with_dropout"
DROP_BACKWARD = "backward_propagation_with_dropout"

#: The seed the course passes to ``np.random.seed`` at the start of the dropout forward pass.
COURSE_SEED = 1
GRADIENT_KEYS = ("dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1")
Inputs = Mapping[str, Any]  #: a case's arguments, or the grader's observation of a call
Structural = Callable[[Inputs, Any, Inputs], bool]


@cache
def _tolerances(function: str) -> tuple[float, float]:
    from dnn_autograder.grader.assignment.spec import load_assignment  # the spec imports the references; load lazily

    spec = load_assignment("regularization").function(function)
    return spec.rtol, spec.atol


def _agree(got: Any, expected: Any, function: str) -> bool:
    rtol, atol = _tolerances(function)
    try:
        got_array = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected_array = np.asarray(expected, dtype=np.float64)
    if got_array.shape != expected_array.shape:
        return False
    return bool(np.allclose(got_array, expected_array, rtol=rtol, atol=atol))


# --- L2 cost ----------------------------------------------------------------------------------


def _squares(parameters: Mapping[str, np.ndarray], layers=(1, 2, 3)) -> float:
    return sum(float(np.sum(np.square(parameters[f"W{l}"]))) for l in layers)


def cost_lambd_over_m(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    m = Y.shape[1]
    return compute_cost(A3, Y) + lambd / m * _squares(parameters)


def cost_lambd_over_2(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    return compute_cost(A3, Y) + lambd / 2 * _squares(parameters)


def cost_precedence(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    m = Y.shape[1]
    return compute_cost(A3, Y) + lambd / 2 * m * _squares(parameters)


def cost_l1(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    m = Y.shape[1]
    total = sum(float(np.sum(np.abs(parameters[f"W{l}"]))) for l in (1, 2, 3))
    return compute_cost(A3, Y) + lambd / (2 * m) * total


def cost_without_W3(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    m = Y.shape[1]
    return compute_cost(A3, Y) + lambd / (2 * m) * _squares(parameters, (1, 2))


def cost_with_biases(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    m = Y.shape[1]
    biases = sum(float(np.sum(np.square(parameters[f"b{l}"]))) for l in (1, 2, 3))
    return compute_cost(A3, Y) + lambd / (2 * m) * (_squares(parameters) + biases)


def cost_norms(A3, Y, parameters, lambd, *, compute_cost=course_compute_cost):
    m = Y.shape[1]
    total = sum(float(np.linalg.norm(parameters[f"W{l}"])) for l in (1, 2, 3))
    return compute_cost(A3, Y) + lambd / (2 * m) * total


def cost_one_layer_missing(inputs: Inputs, output: Any, observation: Inputs) -> bool:
    """The cost equals the right one with exactly one ``||W_l||^2`` left out."""
    A3, Y, parameters, lambd = (inputs[k] for k in ("A3", "Y", "parameters", "lambd"))
    m = Y.shape[1]
    base = course_compute_cost(A3, Y)
    right = base + lambd / (2 * m) * _squares(parameters)
    got = output.get("cost")
    if lambd <= 0 or _agree(got, right, COST):
        return False
    partial = [
        base + lambd / (2 * m) * _squares(parameters, tuple({1, 2, 3} - {l})) for l in (1, 2, 3)
    ]
    return sum(_agree(got, value, COST) for value in partial) == 1


# --- L2 backward ------------------------------------------------------------------------------


def _l2_backward(X, Y, cache, weight_terms, bias_terms=(0.0, 0.0, 0.0)):
    """Backpropagation of the three-layer net; ``dW_l += weight_terms[l-1] * W_l`` and
    ``db_l += bias_terms[l-1] * b_l`` (the reference has ``lambd / m`` and 0)."""
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m + weight_terms[2] * W3
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m + bias_terms[2] * b3
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (A2 > 0)
    dW2 = dZ2 @ A1.T / m + weight_terms[1] * W2
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m + bias_terms[1] * b2
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (A1 > 0)
    dW1 = dZ1 @ X.T / m + weight_terms[0] * W1
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m + bias_terms[0] * b1
    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    return dict(zip(GRADIENT_KEYS, values, strict=True))


def l2_grad_half_factor(X, Y, cache, lambd):
    return _l2_backward(X, Y, cache, (lambd / (2 * X.shape[1]),) * 3)


def l2_grad_on_bias(X, Y, cache, lambd):
    term = lambd / X.shape[1]
    return _l2_backward(X, Y, cache, (term,) * 3, (term,) * 3)


def l2_grad_on_db3(X, Y, cache, lambd):
    """The penalty's term copied into db3 only (written with dW3, the first lines of the pass)."""
    term = lambd / X.shape[1]
    return _l2_backward(X, Y, cache, (term,) * 3, (0.0, 0.0, term))


def l2_grad_without_W3(X, Y, cache, lambd):
    term = lambd / X.shape[1]
    return _l2_backward(X, Y, cache, (term, term, 0.0))


def l2_grad_no_penalty(X, Y, cache, lambd):
    return _l2_backward(X, Y, cache, (0.0, 0.0, 0.0))


def _student_gradients(output: Any) -> Mapping[str, Any] | None:
    grads = output.get("gradients")
    if not isinstance(grads, Mapping) or any(k not in grads for k in GRADIENT_KEYS):
        return None
    return grads


def grad_some_other_factor(inputs: Inputs, output: Any, observation: Inputs) -> bool:
    """Every ``dW_l`` is the plain gradient plus ``c * W_l`` for one constant ``c`` that is
    neither ``lambd / m`` nor 0, and all other gradients are right."""
    X, Y, cache_, lambd = (inputs[k] for k in ("X", "Y", "cache", "lambd"))
    grads = _student_gradients(output)
    if grads is None or lambd <= 0:
        return False
    plain = _l2_backward(X, Y, cache_, (0.0, 0.0, 0.0))
    if not all(_agree(grads[k], plain[k], L2_BACKWARD) for k in GRADIENT_KEYS if k[:2] != "dW"):
        return False
    weights = {l: cache_[4 * l - 2] for l in (1, 2, 3)}
    try:
        residual = {
            l: np.asarray(grads[f"dW{l}"], dtype=np.float64) - plain[f"dW{l}"] for l in weights
        }
    except (TypeError, ValueError):
        return False
    norm = sum(float(np.sum(W * W)) for W in weights.values())
    if norm == 0.0 or any(residual[l].shape != W.shape for l, W in weights.items()):
        return False
    c = sum(float(np.sum(residual[l] * W)) for l, W in weights.items()) / norm
    right = lambd / X.shape[1]
    if abs(c - right) <= 1e-3 * right or abs(c) <= 1e-3 * right:
        return False
    return all(
        _agree(grads[f"dW{l}"], plain[f"dW{l}"] + c * W, L2_BACKWARD) for l, W in weights.items()
    )


def grad_some_bias_penalised(inputs: Inputs, output: Any, observation: Inputs) -> bool:
    """Some ``db_l`` carry ``+ lambd / m * b_l`` and some other ``db_l`` is plain, both among the
    layers whose term would show (``b_l`` not negligible); all other gradients are right. (All
    biases penalised is ``l2-grad-on-bias``.)"""
    X, Y, cache_, lambd = (inputs[k] for k in ("X", "Y", "cache", "lambd"))
    grads = _student_gradients(output)
    if grads is None or lambd <= 0:
        return False
    term = lambd / X.shape[1]
    right = _l2_backward(X, Y, cache_, (term,) * 3)
    if not all(_agree(grads[k], right[k], L2_BACKWARD) for k in GRADIENT_KEYS if k[:2] != "db"):
        return False
    biases = {1: cache_[3], 2: cache_[7], 3: cache_[11]}
    penalised = plain = 0
    for l, b in biases.items():
        key = f"db{l}"
        with_term = right[key] + term * b
        if _agree(with_term, right[key], L2_BACKWARD):
            continue  # b_l too small for the term to show: no evidence either way
        if _agree(grads[key], right[key], L2_BACKWARD):
            plain += 1
        elif _agree(grads[key], with_term, L2_BACKWARD):
            penalised += 1
        else:
            return False
    return penalised > 0 and plain > 0


def grad_one_layer_missing(inputs: Inputs, output: Any, observation: Inputs) -> bool:
    """Exactly one ``dW_l`` lacks its ``lambd / m * W_l`` term; everything else is right."""
    X, Y, cache_, lambd = (inputs[k] for k in ("X", "Y", "cache", "lambd"))
    grads = _student_gradients(output)
    if grads is None or lambd <= 0:
        return False
    term = lambd / X.shape[1]
    right = _l2_backward(X, Y, cache_, (term,) * 3)
    plain = _l2_backward(X, Y, cache_, (0.0, 0.0, 0.0))
    if not all(_agree(grads[k], right[k], L2_BACKWARD) for k in GRADIENT_KEYS if k[:2] != "dW"):
        return False
    missing = 0
    for l in (1, 2, 3):
        key = f"dW{l}"
        if _agree(grads[key], right[key], L2_BACKWARD):
            continue
        if not _agree(grads[key], plain[key], L2_BACKWARD):
            return False
        missing += 1
    return missing == 1


# Mutants and their helpers are plain ``def`` functions without lambdas: ``grade selfcheck``
# turns each mutant into a student submission from its source.

# --- dropout forward --------------------------------------------------------------------------


def _course_mask(shape, keep_prob):
    return (np.random.rand(*shape) < keep_prob).astype(int)


def _forward_mutant(X, parameters, keep_prob, *, draw=_course_mask, factor=None, drop_output=False):
    """The course's forward pass (seed 1, ``D1`` before ``D2``) with one thing changed:
    ``draw(shape, keep_prob)`` makes the masks, kept units are multiplied by
    ``factor(keep_prob)`` (``1 / keep_prob`` when None), and the output may be dropped too."""
    scale = 1.0 / keep_prob if factor is None else factor(keep_prob)
    np.random.seed(COURSE_SEED)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    D1 = draw(Z1.shape, keep_prob)
    A1 = relu(Z1) * D1 * scale
    Z2 = W2 @ A1 + b2
    D2 = draw(Z2.shape, keep_prob)
    A2 = relu(Z2) * D2 * scale
    Z3 = W3 @ A2 + b3
    A3 = sigmoid(Z3)
    if drop_output:
        A3 = A3 * draw(A3.shape, keep_prob) * scale
    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)


def _unscaled(keep_prob):
    return 1.0


def _times_keep_prob(keep_prob):
    return keep_prob


def _drop_probability(keep_prob):
    return 1.0 - keep_prob


def _inverted_mask(shape, keep_prob):
    return (np.random.rand(*shape) > keep_prob).astype(int)


def _uniform_mask(shape, keep_prob):
    return np.random.rand(*shape)


def _randn_mask(shape, keep_prob):
    return (np.random.randn(*shape) < keep_prob).astype(int)


def dropout_no_rescale(X, parameters, keep_prob=0.5):
    return _forward_mutant(X, parameters, keep_prob, factor=_unscaled)


def dropout_times_keep_prob(X, parameters, keep_prob=0.5):
    return _forward_mutant(X, parameters, keep_prob, factor=_times_keep_prob)


def dropout_inverted_mask(X, parameters, keep_prob=0.5):
    return _forward_mutant(X, parameters, keep_prob, draw=_inverted_mask)


def dropout_unthresholded_mask(X, parameters, keep_prob=0.5):
    return _forward_mutant(X, parameters, keep_prob, draw=_uniform_mask)


def dropout_randn_mask(X, parameters, keep_prob=0.5):
    return _forward_mutant(X, parameters, keep_prob, draw=_randn_mask)


def dropout_output_layer(X, parameters, keep_prob=0.5):
    return _forward_mutant(X, parameters, keep_prob, drop_output=True)


def _binary(mask: np.ndarray) -> bool:
    return bool(np.all((mask == 0) | (mask == 1)))


def _read_binary(inputs: Mapping[str, Any], output: Any) -> DropoutPass | None:
    p, _ = read_dropout_pass(inputs, output)
    if p is None or not all(_binary(p.cache[f"D{l}"]) for l in (1, 2)):
        return None
    return p


def rescaled_by(factor: Callable[[float], float]) -> Structural:
    """Both hidden layers satisfy ``A_l = relu(Z_l) * D_l * factor(p)`` (binary masks) and not
    the correct ``A_l = relu(Z_l) * D_l / p``, and the next layers were computed from those
    cached activations (else the cache holds something other than what the network used)."""

    def structural(inputs: Inputs, output: Any, observation: Inputs) -> bool:
        p = _read_binary(inputs, output)
        if p is None or p.keep_prob >= 1.0 or not feeds_forward(p):
            return False
        wrong = all(masked_relation(p, l, factor(p.keep_prob)) for l in (1, 2))
        return wrong and not all(masked_relation(p, l, 1.0 / p.keep_prob) for l in (1, 2))

    return structural


def kept_with(probability: Callable[[float], float]) -> Structural:
    """Binary masks whose kept fractions all fit ``probability(p)`` (at least one of them
    testably so) while some mask rejects the correct ``p``."""

    def structural(inputs: Inputs, output: Any, observation: Inputs) -> bool:
        p = _read_binary(inputs, output)
        if p is None:
            return False
        masks = [p.cache[f"D{l}"] for l in (1, 2)]
        wrong = [kept_fraction_fits(D, probability(p.keep_prob)) for D in masks]
        right = [kept_fraction_fits(D, p.keep_prob) for D in masks]
        return False not in wrong and True in wrong and False in right

    return structural


def masks_not_binary(inputs: Inputs, output: Any, observation: Inputs) -> bool:
    """A mask holds values strictly between 0 and 1 (all within [0, 1]) and multiplies the
    activations (with or without the ``1 / keep_prob``)."""
    p, _ = read_dropout_pass(inputs, output)
    if p is None:
        return False
    for l in (1, 2):
        D = p.cache[f"D{l}"]
        fractional = np.any((D > 0) & (D < 1))
        if fractional and np.all((D >= 0) & (D <= 1)) and (
            masked_relation(p, l, 1.0 / p.keep_prob) or masked_relation(p, l, 1.0)
        ):
            return True
    return False


def output_dropped(inputs: Inputs, output: Any, observation: Inputs) -> bool:
    """Each entry of the returned ``A3`` is 0 or ``sigmoid(Z3) / keep_prob``, and ``A3`` is not
    ``sigmoid(Z3)``: the output layer went through dropout too."""
    p, _ = read_dropout_pass(inputs, output)
    if p is None or p.keep_prob >= 1.0:
        return False
    sig = sigmoid(p.cache["Z3"])
    kept_value = sig / p.keep_prob
    kept = np.abs(p.A3 - kept_value) <= RELATION_RTOL * kept_value + RELATION_ATOL
    dropped = np.abs(p.A3) <= RELATION_ATOL
    correct = np.abs(p.A3 - sig) <= RELATION_RTOL * sig + RELATION_ATOL
    return bool(np.all(kept | dropped) and not np.all(correct))


# --- dropout backward -------------------------------------------------------------------------


def _dropout_backward(X, Y, cache, keep_prob, *, masked=True, factor=None):
    """Backpropagation through the dropout pass; ``dA_l = W^T dZ * D_l * factor`` (``factor``
    ``1 / keep_prob`` when None; masks left out when not ``masked``)."""
    m = X.shape[1]
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    scale = 1.0 / keep_prob if factor is None else factor(keep_prob)
    M1, M2 = (D1, D2) if masked else (1.0, 1.0)
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m
    db3 = np.sum(dZ3, axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3 * M2 * scale
    dZ2 = dA2 * (A2 > 0)
    dW2 = dZ2 @ A1.T / m
    db2 = np.sum(dZ2, axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2 * M1 * scale
    dZ1 = dA1 * (A1 > 0)
    dW1 = dZ1 @ X.T / m
    db1 = np.sum(dZ1, axis=1, keepdims=True) / m
    values = (dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1)
    return dict(zip(GRADIENT_KEYS, values, strict=True))


def dropout_backward_no_mask(X, Y, cache, keep_prob):
    return _dropout_backward(X, Y, cache, keep_prob, masked=False)


def dropout_backward_no_rescale(X, Y, cache, keep_prob):
    return _dropout_backward(X, Y, cache, keep_prob, factor=_unscaled)


def dropout_backward_times_keep_prob(X, Y, cache, keep_prob):
    return _dropout_backward(X, Y, cache, keep_prob, factor=_times_keep_prob)


def _randn_keep_share(p: float) -> float:
    return NormalDist().cdf(p)


# --- the catalogue ----------------------------------------------------------------------------

_COST_MISTAKES = (
    Mistake(
        "l2-cost-missing-half", COST, "L2 term without the 1/2: lambd/m instead of lambd/(2m)",
        "Your L2 term is lambd/m times the sum of squared weights. The course's penalty is "
        "lambd/(2m) * (sum(W1^2) + sum(W2^2) + sum(W3^2)); the 1/2 is there so that its "
        "derivative is exactly lambd/m * W, the term the backward pass adds.",
        mutant=cost_lambd_over_m,
    ),
    Mistake(
        "l2-cost-missing-m", COST, "L2 term not divided by m",
        "Your L2 term is lambd/2 times the sum of squared weights, without dividing by the "
        "number of examples m = Y.shape[1]. The cross-entropy part is an average over the m "
        "examples, so the penalty is scaled the same way: "
        "lambd/(2m) * (sum(W1^2) + sum(W2^2) + sum(W3^2)).",
        mutant=cost_lambd_over_2,
    ),
    Mistake(
        "l2-cost-operator-precedence", COST, "lambd/2*m multiplies by m instead of dividing",
        "Your L2 term is (lambd/2) * m times the sum of squared weights: in Python, lambd/2*m "
        "means (lambd/2)*m because / and * are applied left to right. The factor must be "
        "lambd/(2*m), with parentheses around the denominator (or 1/m * lambd/2).",
        mutant=cost_precedence,
    ),
    Mistake(
        "l2-cost-uses-l1", COST, "Absolute values instead of squares (L1, not L2)",
        "Your penalty sums the absolute values of the weights, which is L1 regularisation. "
        "L2 regularisation sums their squares: use np.sum(np.square(W1)) (and the same for W2 "
        "and W3), multiplied by lambd/(2m).",
        mutant=cost_l1,
    ),
    Mistake(
        "l2-cost-missing-layer", COST, "One weight matrix is left out of the penalty",
        "Your penalty includes the squared weights of only two of the three layers. L2 "
        "regularisation penalises every weight matrix: "
        "lambd/(2m) * (sum(W1^2) + sum(W2^2) + sum(W3^2)).",
        mutant=cost_without_W3,
        structural=cost_one_layer_missing,
    ),
    Mistake(
        "l2-cost-penalises-bias", COST, "Biases are included in the penalty",
        "Your penalty also adds the squared biases b1, b2, b3. The course (like most uses of "
        "weight decay) penalises only the weight matrices, since the few bias terms do not make "
        "the model overfit: lambd/(2m) * (sum(W1^2) + sum(W2^2) + sum(W3^2)).",
        mutant=cost_with_biases,
    ),
    Mistake(
        "l2-cost-norm-not-squared", COST, "Frobenius norms instead of squared norms",
        "Your penalty adds np.linalg.norm(W) for each layer, the square root of the sum of "
        "squares. The L2 penalty uses the squared norm, the plain sum of squares: "
        "np.sum(np.square(W)), or np.linalg.norm(W) ** 2.",
        mutant=cost_norms,
    ),
)

_L2_BACKWARD_MISTAKES = (
    Mistake(
        "l2-grad-wrong-factor", L2_BACKWARD, "Regularisation gradient scaled by the wrong factor",
        "Your weight gradients add c * W for a factor c other than lambd/m (for instance "
        "lambd/(2m), copying the 1/2 of the cost, or lambd without dividing by m). The "
        "derivative of lambd/(2m) * sum(W^2) with respect to W is lambd/m * W, so "
        "dW = 1/m * dZ A_prev^T + lambd/m * W.",
        mutant=l2_grad_half_factor,
        structural=grad_some_other_factor,
    ),
    Mistake(
        "l2-grad-on-bias", L2_BACKWARD, "Regularisation term added to the bias gradients",
        "Your db gradients include lambd/m * b. The cost only penalises the weights, so only "
        "dW1, dW2, dW3 gain the extra term; the bias gradients stay "
        "db = 1/m * np.sum(dZ, axis=1, keepdims=True).",
        mutant=l2_grad_on_bias,
    ),
    Mistake(
        "l2-grad-on-some-bias", L2_BACKWARD, "Regularisation term added to some bias gradients",
        "Some of your db gradients (db3, say) include lambd/m * b while the others do not. "
        "The notebook's check passed because it compares only dW1, dW2 and dW3, the gradients "
        "the penalty changes; but the gradients you return are used to update every "
        "parameter, and a penalised db pulls that layer's biases towards zero although the "
        "cost never penalises them. Only the weight gradients gain + lambd/m * W_l; every "
        "bias gradient stays db = 1/m * np.sum(dZ, axis=1, keepdims=True).",
        mutant=l2_grad_on_db3,
        structural=grad_some_bias_penalised,
    ),
    Mistake(
        "l2-grad-missing-layer", L2_BACKWARD, "One weight gradient lacks the regularisation term",
        "One of your weight gradients has no lambd/m * W term while the others do. Every "
        "weight matrix appears in the penalty, so each of dW1, dW2 and dW3 gets its own "
        "+ lambd/m * W_l.",
        mutant=l2_grad_without_W3,
        structural=grad_one_layer_missing,
    ),
    Mistake(
        "l2-grad-no-penalty", L2_BACKWARD, "No regularisation term in the gradients",
        "Your gradients are those of the unregularised cost: none of dW1, dW2, dW3 includes "
        "the derivative of the L2 penalty. Add lambd/m * W_l to each weight gradient: "
        "dW_l = 1/m * dZ_l A_{l-1}^T + lambd/m * W_l.",
        mutant=l2_grad_no_penalty,
    ),
)

_FORWARD_MISTAKES = (
    Mistake(
        "dropout-no-rescale", FORWARD, "Kept activations are not divided by keep_prob",
        "You multiply the activations by the mask but do not divide by keep_prob. With units "
        "kept with probability keep_prob, the layer's expected output shrinks by that factor; "
        "inverted dropout divides the survivors by keep_prob so the expected value is "
        "unchanged: A = A * D / keep_prob.",
        mutant=dropout_no_rescale,
        structural=rescaled_by(_unscaled),
    ),
    Mistake(
        "dropout-wrong-rescale", FORWARD, "Kept activations multiplied by keep_prob",
        "You multiply the surviving activations by keep_prob instead of dividing by it, which "
        "shrinks the layer's output even further. Dropping units already scales the expected "
        "activation by keep_prob, so inverted dropout undoes it with A = A * D / keep_prob.",
        mutant=dropout_times_keep_prob,
        structural=rescaled_by(_times_keep_prob),
    ),
    Mistake(
        "dropout-inverted-mask", FORWARD, "Mask keeps units with probability 1 - keep_prob",
        "Your mask keeps a unit when the random number is above keep_prob, so units survive "
        "with probability 1 - keep_prob (with keep_prob = 1, everything is dropped). A uniform "
        "number in [0, 1) is below keep_prob with probability keep_prob: "
        "D = (np.random.rand(*A.shape) < keep_prob).astype(int).",
        mutant=dropout_inverted_mask,
        structural=kept_with(_drop_probability),
    ),
    Mistake(
        "dropout-mask-not-binary", FORWARD, "The mask is not thresholded to 0/1",
        "Your mask D holds the raw random numbers in [0, 1), which scale every activation by a "
        "random amount instead of keeping or dropping it. Dropout needs a 0/1 mask: threshold "
        "it with D = (np.random.rand(*A.shape) < keep_prob).astype(int), then "
        "A = A * D / keep_prob.",
        mutant=dropout_unthresholded_mask,
        structural=masks_not_binary,
    ),
    Mistake(
        "dropout-on-output-layer", FORWARD, "Dropout applied to the output layer",
        "You also drop and rescale the output A3. Dropout only regularises the hidden layers "
        "(here the two ReLU layers); the output must stay A3 = sigmoid(Z3), a probability, and "
        "dropping it would zero some predictions outright.",
        mutant=dropout_output_layer,
        structural=output_dropped,
    ),
    Mistake(
        "dropout-mask-uses-randn", FORWARD, "Mask drawn with randn instead of rand",
        "Your mask compares np.random.randn numbers with keep_prob. randn draws from a "
        "standard normal, which is below keep_prob with probability Phi(keep_prob), not "
        "keep_prob (about 0.76 for keep_prob = 0.7). Use uniform numbers: "
        "D = (np.random.rand(*A.shape) < keep_prob).astype(int).",
        mutant=dropout_randn_mask,
        structural=kept_with(_randn_keep_share),
    ),
)

_DROP_BACKWARD_MISTAKES = (
    Mistake(
        "dropout-backward-no-mask", DROP_BACKWARD, "Backward pass does not apply the masks",
        "Your dA1 and dA2 are not multiplied by the masks D1 and D2. Units dropped in the "
        "forward pass did not contribute to the output, so no gradient may flow through them: "
        "dA2 = W3^T dZ3 * D2 / keep_prob and dA1 = W2^T dZ2 * D1 / keep_prob.",
        mutant=dropout_backward_no_mask,
    ),
    Mistake(
        "dropout-backward-no-rescale", DROP_BACKWARD, "Backward pass does not divide by keep_prob",
        "You mask dA1 and dA2 but do not divide them by keep_prob. The forward pass computed "
        "A = relu(Z) * D / keep_prob, so the derivative carries the same factor: "
        "dA = W^T dZ * D / keep_prob.",
        mutant=dropout_backward_no_rescale,
    ),
    Mistake(
        "dropout-backward-wrong-rescale", DROP_BACKWARD, "Backward pass multiplies by keep_prob",
        "You multiply the masked dA1 and dA2 by keep_prob. The forward pass divided the kept "
        "activations by keep_prob, and the chain rule applies the same factor on the way back: "
        "dA = W^T dZ * D / keep_prob.",
        mutant=dropout_backward_times_keep_prob,
    ),
)

MISTAKES: tuple[Mistake, ...] = (
    _COST_MISTAKES + _L2_BACKWARD_MISTAKES + _FORWARD_MISTAKES + _DROP_BACKWARD_MISTAKES
)
