r"""Known mistakes in the *Optimization Methods* exercises.

Mutants keep the reference's exact signatures and, like the reference, return new dictionaries
without touching their inputs. ``random_mini_batches`` mutants seed the global generator the
course's way, so they reproduce a student who made the same mistake with the same calls;
students who draw differently are recognised by the structural checks, which read the batches
(:func:`dnn_autograder.assignments.optimization.properties.read_batches`). Those checks fire only on outputs a
correct function cannot produce, except "not shuffled", which a correct function produces with
probability :math:`1/m! \le 1/12!` (it needs ``m >= 12``).

Adam's structural checks compare whatever the student returned with the mutant's, skipping
``v_corrected`` / ``s_corrected`` when absent or empty (the older 3-tuple), and fire only when no
other Adam mutant fits as well. On a 3-tuple, "no bias correction" and "corrected moments not
used in the step" cannot be told apart (same parameters, v and s) and both are named.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from dnn_autograder.assignments.optimization.properties import (
    MIN_SHUFFLED_COLUMNS,
    expected_sizes,
    read_batches,
)
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.compare import compare
from dnn_autograder.reference import update_parameters_with_adam as _reference_adam
from dnn_autograder.reference.optimizers import layer_names

__all__ = ["MISTAKES"]


def _tolerances(function: str) -> tuple[float, float]:
    spec = load_assignment("optimization").function(function)
    return spec.rtol, spec.atol


def _agrees(expected: Any, got: Any, function: str) -> bool:
    rtol, atol = _tolerances(function)
    return not compare(expected, got, rtol=rtol, atol=atol)


# --- gradient descent -----------------------------------------------------------------------


def _gd_sign_error(parameters, grads, learning_rate):
    new = dict(parameters)
    for name in layer_names(parameters):
        new[name] = parameters[name] + learning_rate * grads["d" + name]
    return new


def _gd_skips_bias(parameters, grads, learning_rate):
    new = dict(parameters)
    for name in layer_names(parameters):
        if name.startswith("W"):
            new[name] = parameters[name] - learning_rate * grads["d" + name]
    return new


# --- mini-batches ---------------------------------------------------------------------------


def _cut(X, Y, size: int, *, keep_last: bool = True, empty_last: bool = False):
    m = X.shape[1]
    full = m // size
    batches = [(X[:, k * size:(k + 1) * size], Y[:, k * size:(k + 1) * size])
               for k in range(full)]
    if (m % size and keep_last) or empty_last:
        batches.append((X[:, full * size:m], Y[:, full * size:m]))
    return batches


def _course_shuffle(X, Y, seed):
    np.random.seed(seed)
    permutation = list(np.random.permutation(X.shape[1]))
    return X[:, permutation], Y[:, permutation]


def _batches_not_shuffled(X, Y, mini_batch_size=64, seed=0):
    return _cut(X, Y, mini_batch_size)


def _batches_unpaired(X, Y, mini_batch_size=64, seed=0):
    np.random.seed(seed)
    m = X.shape[1]
    shuffled_X = X[:, list(np.random.permutation(m))]
    shuffled_Y = Y[:, list(np.random.permutation(m))]
    return _cut(shuffled_X, shuffled_Y, mini_batch_size)


def _batches_drop_last(X, Y, mini_batch_size=64, seed=0):
    return _cut(*_course_shuffle(X, Y, seed), mini_batch_size, keep_last=False)


def _batches_empty_last(X, Y, mini_batch_size=64, seed=0):
    return _cut(*_course_shuffle(X, Y, seed), mini_batch_size, empty_last=True)


def _mini_batch_facts(inputs: Mapping[str, Any], output: Mapping[str, Any]):
    layout = read_batches(inputs, output)
    m = int(np.shape(inputs["X"])[1])
    size = int(inputs.get("mini_batch_size", 64))
    return layout, m, size


def _looks_unshuffled(inputs, output, observation) -> bool:
    """Every example present and kept in its original order, with ``m >= 12``."""
    layout, m, _ = _mini_batch_facts(inputs, output)
    order = layout.order
    return (not layout.problems and order is not None and len(order) >= MIN_SHUFFLED_COLUMNS
            and order == tuple(range(len(order))))


def _looks_unpaired(inputs, output, observation) -> bool:
    """X's columns all there, Y's columns all there, but not side by side."""
    layout, _, _ = _mini_batch_facts(inputs, output)
    return not layout.problems and layout.x_exact and layout.y_exact and not layout.pairs_exact


def _looks_last_dropped(inputs, output, observation) -> bool:
    """Only the full batches, when ``m`` leaves a remainder."""
    layout, m, size = _mini_batch_facts(inputs, output)
    return (not layout.problems and m % size != 0 and layout.x_subset
            and layout.sizes == (size,) * (m // size))


def _looks_empty_last(inputs, output, observation) -> bool:
    """The right batches plus an empty one, when ``size`` divides ``m``."""
    layout, m, size = _mini_batch_facts(inputs, output)
    return (not layout.problems and m % size == 0
            and layout.sizes == expected_sizes(m, size) + (0,))


# --- initialisers ---------------------------------------------------------------------------


def _zeros_skipping_last(parameters):
    L = len(parameters) // 2
    return {f"d{kind}{l}": np.zeros_like(parameters[f"{kind}{l}"])
            for l in range(1, L) for kind in ("W", "b")}


def _velocity_skips_last(parameters):
    return _zeros_skipping_last(parameters)


def _adam_init_skips_last(parameters):
    return _zeros_skipping_last(parameters), _zeros_skipping_last(parameters)


def _layer_keys_off_by_one(parameters, state) -> bool:
    """The state's keys run 0..L-1 or 1..L-1 instead of 1..L (an empty state is no evidence:
    with L = 1 it is also what a function that never fills the dict returns)."""
    if not isinstance(state, Mapping) or not state:
        return False
    L = len(parameters) // 2
    lower = all(f"d{kind}{l}" in state for l in range(1, L) for kind in ("W", "b"))
    return ("dW0" in state or "db0" in state) or (lower and f"dW{L}" not in state)


def _velocity_keys_off(inputs, output, observation) -> bool:
    return _layer_keys_off_by_one(inputs["parameters"], output.get("v"))


def _adam_keys_off(inputs, output, observation) -> bool:
    return any(_layer_keys_off_by_one(inputs["parameters"], output.get(name))
               for name in ("v", "s"))


# --- momentum -------------------------------------------------------------------------------


def _momentum(parameters, grads, v, beta, learning_rate, *, damped: bool = True,
              step_with: str = "velocity", store: bool = True, history: bool = True):
    new_params, new_v = dict(parameters), dict(v)
    for name in layer_names(parameters):
        key = "d" + name
        velocity = (beta * v[key] if history else 0.0) + (1 - beta if damped else 1) * grads[key]
        if store:
            new_v[key] = velocity
        direction = velocity if step_with == "velocity" else grads[key]
        new_params[name] = parameters[name] - learning_rate * direction
    return new_params, new_v


def _momentum_undamped(parameters, grads, v, beta, learning_rate):
    return _momentum(parameters, grads, v, beta, learning_rate, damped=False)


def _momentum_steps_with_gradient(parameters, grads, v, beta, learning_rate):
    return _momentum(parameters, grads, v, beta, learning_rate, step_with="gradient")


def _momentum_velocity_not_stored(parameters, grads, v, beta, learning_rate):
    return _momentum(parameters, grads, v, beta, learning_rate, store=False)


def _momentum_forgets_velocity(parameters, grads, v, beta, learning_rate):
    return _momentum(parameters, grads, v, beta, learning_rate, history=False)


# --- Adam -----------------------------------------------------------------------------------


def _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon, *,
          corrected: bool = True, step_shift: int = 0, squared: bool = True,
          numerator: str = "corrected", denominator: str = "corrected",
          epsilon_inside: bool = False, frozen_v: bool = False):
    new_params, new_v, new_s = dict(parameters), dict(v), dict(s)
    v_corrected, s_corrected = {}, {}
    for name in layer_names(parameters):
        key = "d" + name
        g = grads[key]
        new_v[key] = beta1 * v[key] + (1 - beta1) * (v[key] if frozen_v else g)
        new_s[key] = beta2 * s[key] + (1 - beta2) * (np.square(g) if squared else g)
        power = t + step_shift
        v_corrected[key] = new_v[key] / (1 - beta1**power) if corrected else new_v[key]
        s_corrected[key] = new_s[key] / (1 - beta2**power) if corrected else new_s[key]
        top = {"corrected": v_corrected[key], "raw": new_v[key], "gradient": g}[numerator]
        bottom = {"corrected": s_corrected[key], "raw": new_s[key]}[denominator]
        with np.errstate(invalid="ignore", divide="ignore"):
            root = np.sqrt(bottom + epsilon) if epsilon_inside else np.sqrt(bottom) + epsilon
            new_params[name] = parameters[name] - learning_rate * top / root
    return new_params, new_v, new_s, v_corrected, s_corrected


def _adam_variant(**switches: Any) -> Callable[..., Any]:
    def mutant(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
               epsilon=1e-8):
        return _adam(parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon,
                     **switches)
    return mutant


def _adam_betas_swapped(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
                        epsilon=1e-8):
    return _adam(parameters, grads, v, s, t, learning_rate, beta2, beta1, epsilon)


_adam_uncorrected = _adam_variant(corrected=False)
_adam_step_off_by_one = _adam_variant(step_shift=1)
_adam_not_squared = _adam_variant(squared=False)
_adam_raw_moments_in_step = _adam_variant(numerator="raw", denominator="raw")
_adam_epsilon_inside = _adam_variant(epsilon_inside=True)
_adam_steps_with_gradient = _adam_variant(numerator="gradient")
_adam_first_moment_frozen = _adam_variant(frozen_v=True)

#: Adam's mutants by mistake id: a structural check must match its own and no other's.
_ADAM_MUTANTS: dict[str, Callable[..., Any]] = {
    "adam-no-bias-correction": _adam_uncorrected,
    "adam-bias-correction-wrong-step": _adam_step_off_by_one,
    "adam-second-moment-not-squared": _adam_not_squared,
    "adam-betas-swapped": _adam_betas_swapped,
    "adam-update-uses-uncorrected-moments": _adam_raw_moments_in_step,
    "adam-epsilon-inside-sqrt": _adam_epsilon_inside,
    "adam-update-uses-gradient": _adam_steps_with_gradient,
    "adam-first-moment-frozen": _adam_first_moment_frozen,
}
#: Mistakes whose parameters, v and s are always identical (only v_corrected tells them apart).
_ADAM_TWINS = frozenset({"adam-no-bias-correction", "adam-update-uses-uncorrected-moments"})
_ADAM_FIELDS = ("parameters", "v", "s", "v_corrected", "s_corrected")
_ADAM = "update_parameters_with_adam"


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, Mapping) and not value)


def _adam_matches(mutant: Callable[..., Any], args: list, output: Mapping[str, Any]) -> bool:
    """Every output the student returned agrees with the mutant's (``v_corrected`` and
    ``s_corrected`` skipped when absent, as in the older 3-tuple, or left empty)."""
    predicted = dict(zip(_ADAM_FIELDS, mutant(*args), strict=True))
    compared = [f for f in _ADAM_FIELDS
                if f in output and not (f.endswith("corrected") and _empty(output[f]))]
    return all(_agrees(predicted[f], output[f], _ADAM) for f in compared)


def _adam_evidence(mistake_id: str) -> Callable[..., bool]:
    """Structural check: the parameters disagree with the reference's, the outputs agree with
    this mistake's mutant and with no other Adam mutant's (bar its twin, see _ADAM_TWINS), so a
    case where two mistakes happen to coincide is no evidence for either."""

    def check(inputs, output, observation) -> bool:
        if "parameters" not in output:
            return False
        args = list(inputs.values())
        if _agrees(_reference_adam(*args)[0], output["parameters"], _ADAM):
            return False
        twins = _ADAM_TWINS if mistake_id in _ADAM_TWINS else {mistake_id}
        with np.errstate(invalid="ignore", divide="ignore"):
            if not _adam_matches(_ADAM_MUTANTS[mistake_id], args, output):
                return False
            return not any(_adam_matches(mutant, args, output)
                           for other, mutant in _ADAM_MUTANTS.items() if other not in twins)

    return check


# --- learning-rate decay --------------------------------------------------------------------


def _decay_precedence_slip(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / 1 + decay_rate * epoch_num


def _other_decay_formulas(lr0: float, epoch: float, rate: float) -> list[float]:
    """Formulas students write instead of ``lr0 / (1 + rate * epoch)``."""
    found = [
        lr0 / 1 + rate * epoch,          # parentheses left out
        lr0 / (1 + rate) * epoch,        # parentheses around the wrong part
        lr0 * (1 - rate * epoch),        # linear decay
        lr0 * math.exp(-rate * epoch),   # exponential decay
    ]
    with np.errstate(over="ignore"):
        found.append(lr0 * float(np.power(rate, epoch)))  # exponential, rate as the base
    if rate * epoch != 0:
        found.append(lr0 / (rate * epoch))  # the 1 left out
    return found


def _decay_formula_evidence(inputs, output, observation) -> bool:
    value = float(np.asarray(output["learning_rate"], dtype=float).reshape(()))
    lr0, epoch, rate = (float(inputs[k]) for k in ("learning_rate0", "epoch_num", "decay_rate"))
    if _agrees(lr0 / (1 + rate * epoch), value, "update_lr"):
        return False
    return any(_agrees(candidate, value, "update_lr")
               for candidate in _other_decay_formulas(lr0, epoch, rate))


def _schedule_without_floor(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * (epoch_num / time_interval))


def _schedule_every_epoch(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * epoch_num)


def _schedule_only_at_multiples(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    learning_rate = learning_rate0
    if epoch_num % time_interval == 0:
        learning_rate = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))
    return learning_rate


def _schedule_rounded(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * np.round(epoch_num / time_interval))


def _correction_large(inputs: Mapping[str, Any]) -> bool:
    """An early step (``t <= 3``) where the first moment's correction ``1 / (1 - beta1**t)`` at
    least doubles it (``beta1**t >= 1/2``; the second moment's is then larger still), with an
    epsilon too small to matter (so the example is about the correction, nothing else)."""
    t, beta1 = int(inputs["t"]), float(inputs.get("beta1", 0.9))
    return t <= 3 and beta1**t >= 0.5 and float(inputs.get("epsilon", 1e-8)) <= 1e-6


def _epsilon_shows(inputs: Mapping[str, Any]) -> bool:
    """epsilon is large, or some second moment is tiny: where its placement matters."""
    tiniest = min(float(np.max(np.abs(value))) for value in inputs["s"].values())
    return float(inputs["epsilon"]) >= 1e-3 or tiniest <= 1e-6


def _between_multiples(inputs: Mapping[str, Any]) -> bool:
    """An epoch past the first interval and not a multiple of it."""
    interval = int(inputs.get("time_interval", 1000))
    return inputs["epoch_num"] > interval and inputs["epoch_num"] % interval != 0


# --- the catalogue --------------------------------------------------------------------------

_KEYS_OFF_BY_ONE = (
    "Your loop over the layers is off by one: the state has keys for layers 0..L-1, or stops "
    "before layer L, so the last layer has no entry. With L = len(parameters) // 2, loop "
    "for l in range(1, L + 1) and create the keys 'dW' + str(l) and 'db' + str(l)."
)

MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        id="gd-sign-error",
        function="update_parameters_with_gd",
        title="Parameters moved up the gradient",
        explanation=(
            "Your update added the gradient step (W + learning_rate * dW). The gradient points "
            "in the direction the cost grows, so this climbs the cost instead of descending. "
            "Use W = W - learning_rate * dW and b = b - learning_rate * db."
        ),
        mutant=_gd_sign_error,
    ),
    Mistake(
        id="gd-skips-bias",
        function="update_parameters_with_gd",
        title="Biases not updated",
        explanation=(
            "Your update changed the weights W but left the biases b as they were. The biases "
            "are parameters too and need the same step. Add "
            "b = b - learning_rate * db for every layer."
        ),
        mutant=_gd_skips_bias,
    ),
    Mistake(
        id="minibatch-no-shuffle",
        function="random_mini_batches",
        title="Examples not shuffled before batching",
        explanation=(
            "Your mini-batches keep the examples in their original order. If the data is sorted "
            "(all of one class first, say) every batch is biased, and each epoch sees the same "
            "batches. Shuffle the columns first: permutation = list(np.random.permutation(m)), "
            "then shuffled_X = X[:, permutation] and shuffled_Y = Y[:, permutation]."
        ),
        mutant=_batches_not_shuffled,
        structural=_looks_unshuffled,
    ),
    Mistake(
        id="minibatch-unpaired-shuffle",
        function="random_mini_batches",
        title="X and Y shuffled with different permutations",
        explanation=(
            "Your code shuffled the columns of X and of Y separately (or only one of them), so "
            "examples ended up next to other examples' labels. A label belongs to its example. "
            "Draw one permutation and apply it to both: X[:, permutation] and "
            "Y[:, permutation]."
        ),
        mutant=_batches_unpaired,
        structural=_looks_unpaired,
    ),
    Mistake(
        id="minibatch-drops-last",
        function="random_mini_batches",
        title="The last, smaller mini-batch is missing",
        explanation=(
            "Your code returned only the full mini-batches, so when mini_batch_size does not "
            "divide m the last m % mini_batch_size examples are never trained on. After the "
            "floor(m / mini_batch_size) full batches, add one batch with the remaining columns, "
            "shuffled_X[:, num_complete * mini_batch_size : m] (and the same for Y)."
        ),
        mutant=_batches_drop_last,
        structural=_looks_last_dropped,
    ),
    Mistake(
        id="minibatch-empty-last",
        function="random_mini_batches",
        title="An empty mini-batch added when the size divides m",
        explanation=(
            "Your code always appended a last batch for the remainder, and when "
            "mini_batch_size divides m that batch is empty (zero columns). An empty batch "
            "breaks the cost (division by zero examples). Only add the last batch when "
            "m % mini_batch_size != 0."
        ),
        mutant=_batches_empty_last,
        structural=_looks_empty_last,
    ),
    Mistake(
        id="init-velocity-layer-off-by-one",
        function="initialize_velocity",
        title="Velocity keys off by one layer",
        explanation=_KEYS_OFF_BY_ONE,
        mutant=_velocity_skips_last,
        structural=_velocity_keys_off,
    ),
    Mistake(
        id="momentum-missing-one-minus-beta",
        function="update_parameters_with_momentum",
        title="Velocity update without the (1 - beta) factor",
        explanation=(
            "Your velocity was updated as v = beta * v + dW. Without the factor (1 - beta) it is "
            "not an average of past gradients but a sum that grows up to 1 / (1 - beta) times "
            "larger, so the steps are too big. Use v = beta * v + (1 - beta) * dW."
        ),
        mutant=_momentum_undamped,
    ),
    Mistake(
        id="momentum-update-uses-gradient",
        function="update_parameters_with_momentum",
        title="Parameters stepped with the gradient instead of the velocity",
        explanation=(
            "Your code computed the velocity but then updated W = W - learning_rate * dW, which "
            "is plain gradient descent: the velocity has no effect. The step must use the "
            "velocity: W = W - learning_rate * v['dW' + str(l)], and likewise for b."
        ),
        mutant=_momentum_steps_with_gradient,
    ),
    Mistake(
        id="momentum-velocity-not-stored",
        function="update_parameters_with_momentum",
        title="New velocity not stored in v",
        explanation=(
            "Your code stepped the parameters with the new velocity but returned v unchanged, "
            "so the next step starts again from the old velocity and the momentum never builds "
            "up. Assign the new value back: v['dW' + str(l)] = beta * v['dW' + str(l)] + "
            "(1 - beta) * grads['dW' + str(l)]."
        ),
        mutant=_momentum_velocity_not_stored,
    ),
    Mistake(
        id="momentum-forgets-velocity",
        function="update_parameters_with_momentum",
        title="Velocity computed from the gradient alone, without beta * v",
        explanation=(
            "Your velocity was set to v = (1 - beta) * dW, leaving out the previous velocity "
            "beta * v. The notebook's check passed because it starts from v = 0, where beta * v "
            "is zero anyway; from the second step on, your update is plain gradient descent with "
            "a smaller learning rate and no momentum at all. Keep the history: "
            "v = beta * v + (1 - beta) * dW."
        ),
        mutant=_momentum_forgets_velocity,
    ),
    Mistake(
        id="init-adam-layer-off-by-one",
        function="initialize_adam",
        title="Adam state keys off by one layer",
        explanation=_KEYS_OFF_BY_ONE,
        mutant=_adam_init_skips_last,
        structural=_adam_keys_off,
    ),
    Mistake(
        id="adam-no-bias-correction",
        function="update_parameters_with_adam",
        title="Adam without bias correction",
        explanation=(
            "Your update used the moving averages v and s directly. They start at zero, so "
            "during the first steps they are biased towards zero. Divide by the correction: "
            "v_corrected = v / (1 - beta1**t), s_corrected = s / (1 - beta2**t), and step with "
            "v_corrected / (np.sqrt(s_corrected) + epsilon)."
        ),
        mutant=_adam_uncorrected,
        structural=_adam_evidence("adam-no-bias-correction"),
        shows_on=_correction_large,
    ),
    Mistake(
        id="adam-bias-correction-wrong-step",
        function="update_parameters_with_adam",
        title="Bias correction uses t + 1 instead of t",
        explanation=(
            "Your bias correction used the power t + 1 (for example by counting the step again "
            "inside the function). The t passed in is already the number of the current step, "
            "counted from 1. Use 1 - beta1**t and 1 - beta2**t."
        ),
        mutant=_adam_step_off_by_one,
        structural=_adam_evidence("adam-bias-correction-wrong-step"),
    ),
    Mistake(
        id="adam-second-moment-not-squared",
        function="update_parameters_with_adam",
        title="Second moment averages the gradient, not its square",
        explanation=(
            "Your s was updated with the gradient itself, s = beta2 * s + (1 - beta2) * dW. s is "
            "meant to track the squared size of the gradient (it can go negative otherwise, and "
            "its square root becomes NaN). Use s = beta2 * s + (1 - beta2) * np.square(dW)."
        ),
        mutant=_adam_not_squared,
        structural=_adam_evidence("adam-second-moment-not-squared"),
    ),
    Mistake(
        id="adam-betas-swapped",
        function="update_parameters_with_adam",
        title="beta1 and beta2 swapped",
        explanation=(
            "Your code used beta2 for the first moment v and beta1 for the second moment s. "
            "beta1 (about 0.9) belongs to the average of gradients, beta2 (about 0.999) to the "
            "average of squared gradients. Use v = beta1 * v + (1 - beta1) * dW and "
            "s = beta2 * s + (1 - beta2) * dW**2, with the matching corrections."
        ),
        mutant=_adam_betas_swapped,
        structural=_adam_evidence("adam-betas-swapped"),
    ),
    Mistake(
        id="adam-update-uses-uncorrected-moments",
        function="update_parameters_with_adam",
        title="Corrected moments computed but not used in the step",
        explanation=(
            "Your code computed v_corrected and s_corrected but stepped with the uncorrected v "
            "and s, so the correction has no effect on the parameters. The step is "
            "W = W - learning_rate * v_corrected / (np.sqrt(s_corrected) + epsilon)."
        ),
        mutant=_adam_raw_moments_in_step,
        structural=_adam_evidence("adam-update-uses-uncorrected-moments"),
    ),
    Mistake(
        id="adam-epsilon-inside-sqrt",
        function="update_parameters_with_adam",
        title="epsilon added inside the square root",
        explanation=(
            "Your step divided by np.sqrt(s_corrected + epsilon). The course's Adam adds epsilon "
            "after the root, and the two differ a lot when s_corrected is small "
            "(sqrt(1e-8) = 1e-4, not 1e-8). Use "
            "v_corrected / (np.sqrt(s_corrected) + epsilon)."
        ),
        mutant=_adam_epsilon_inside,
        structural=_adam_evidence("adam-epsilon-inside-sqrt"),
        shows_on=_epsilon_shows,
    ),
    Mistake(
        id="adam-update-uses-gradient",
        function="update_parameters_with_adam",
        title="Step uses the gradient instead of the first moment",
        explanation=(
            "Your step used the raw gradient in the numerator, dW / (np.sqrt(s_corrected) + "
            "epsilon), which drops the momentum half of Adam. The numerator is the corrected "
            "first moment: W = W - learning_rate * v_corrected / (np.sqrt(s_corrected) + "
            "epsilon)."
        ),
        mutant=_adam_steps_with_gradient,
        structural=_adam_evidence("adam-update-uses-gradient"),
    ),
    Mistake(
        id="adam-first-moment-frozen",
        function="update_parameters_with_adam",
        title="First moment averaged with itself instead of the gradient",
        explanation=(
            "Your first moment was updated as v = beta1 * v + (1 - beta1) * v, which is just v: "
            "the gradient never enters it. Starting from v = 0 it stays 0, the step "
            "v_corrected / (np.sqrt(s_corrected) + epsilon) is 0 and the parameters never move. "
            "If a notebook check passed, it looked at too little (s, or the shapes and keys of "
            "v): v keeps its shape and keys, it just never moves, so training with it stalls. "
            "Average in the gradient: v = beta1 * v + (1 - beta1) * grads['dW' + str(l)]."
        ),
        mutant=_adam_first_moment_frozen,
        structural=_adam_evidence("adam-first-moment-frozen"),
    ),
    Mistake(
        id="lr-decay-wrong-formula",
        function="update_lr",
        title="Not the inverse-time decay formula",
        explanation=(
            "Your learning rate does not follow learning_rate0 / (1 + decay_rate * epoch_num): "
            "it matches another formula, such as the same one with the parentheses left out "
            "(learning_rate0 / 1 + decay_rate * epoch_num) or an exponential decay. Write the "
            "denominator in parentheses: learning_rate0 / (1 + decay_rate * epoch_num)."
        ),
        mutant=_decay_precedence_slip,
        structural=_decay_formula_evidence,
    ),
    Mistake(
        id="lr-schedule-missing-floor",
        function="schedule_lr_decay",
        title="Epochs divided by the interval without rounding down",
        explanation=(
            "Your schedule used epoch_num / time_interval as is, so the rate still changes "
            "every epoch, only more slowly. The scheduled decay keeps the rate constant within "
            "each interval: learning_rate0 / (1 + decay_rate * np.floor(epoch_num / "
            "time_interval))."
        ),
        mutant=_schedule_without_floor,
        shows_on=_between_multiples,
    ),
    Mistake(
        id="lr-schedule-ignores-interval",
        function="schedule_lr_decay",
        title="time_interval ignored",
        explanation=(
            "Your schedule decayed with the epoch number itself, "
            "learning_rate0 / (1 + decay_rate * epoch_num), which is update_lr and decays every "
            "epoch. The schedule only counts whole intervals: "
            "learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."
        ),
        mutant=_schedule_every_epoch,
    ),
    Mistake(
        id="lr-schedule-only-at-multiples",
        function="schedule_lr_decay",
        title="Rate decayed only at exact multiples of the interval",
        explanation=(
            "Your schedule computes the decayed rate only when epoch_num % time_interval == 0 "
            "and returns learning_rate0 at every other epoch. The notebook's check passed "
            "because it asks at epochs 100 (still the first interval, where the rate is "
            "learning_rate0 anyway) and 1000 (an exact multiple). But the rate must stay "
            "decayed for the whole interval: at epoch 1500 with time_interval 1000 it is "
            "learning_rate0 / (1 + decay_rate), not learning_rate0. Compute it at every epoch: "
            "learning_rate = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."
        ),
        mutant=_schedule_only_at_multiples,
        shows_on=_between_multiples,
    ),
    Mistake(
        id="lr-schedule-rounds",
        function="schedule_lr_decay",
        title="Interval count rounded instead of rounded down",
        explanation=(
            "Your schedule rounds epoch_num / time_interval to the nearest whole number "
            "(round or np.round), so the rate drops halfway through an interval. The notebook's "
            "check passed because its epochs (100 and 1000 with an interval of 1000) round and "
            "floor alike. At epoch 600 with time_interval 1000 the rate must still be "
            "learning_rate0. Count only completed intervals: "
            "learning_rate = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))."
        ),
        mutant=_schedule_rounded,
    ),
)
