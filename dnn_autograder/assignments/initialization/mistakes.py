r"""Misconception catalogue of the *Initialization* assignment.

Mutants keep the course's seeding (``np.random.seed(3)``, then one ``np.random.randn`` call per
layer in order), so a student who seeds like the course and makes the mistake matches the mutant
exactly. Students who draw differently are recognised by the structural checks, which read the
weights' distribution with the tests of :mod:`properties` at the same level
(``TEST_LEVEL = 1e-8`` per test): a scale mistake is named only when every large layer fits the
mistaken scale *and* some large layer rejects the correct one, which a correct initialiser does
with probability at most ``TEST_LEVEL`` per test.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from dnn_autograder.assignments.initialization.properties import (
    Scale,
    fits_gaussian,
    he_scale,
    random_scale,
    read_parameters,
    statistical_layers,
)
from dnn_autograder.grader.assignment.catalogue import Mistake

__all__ = ["MISTAKES"]

#: The seed the course passes to ``np.random.seed`` inside the initialisers.
COURSE_SEED = 3


def _course_draws(
    layers_dims: Sequence[int],
    scale: Scale,
    *,
    transposed: bool = False,
    random_biases: bool = False,
) -> dict[str, np.ndarray]:
    """The course's drawing loop with one thing changed (a mistake's building block)."""
    np.random.seed(COURSE_SEED)
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_l, n_prev = layers_dims[l], layers_dims[l - 1]
        shape = (n_prev, n_l) if transposed else (n_l, n_prev)
        parameters[f"W{l}"] = np.random.randn(*shape) * scale(n_l, n_prev)
        if random_biases:
            parameters[f"b{l}"] = np.random.randn(n_l, 1) * scale(n_l, n_prev)
        else:
            parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters


# --- mutants: plain ``def`` functions (``grade selfcheck`` turns them into submissions) ---


def zeros_bias_vector(layers_dims):
    return {
        key: value
        for l in range(1, len(layers_dims))
        for key, value in (
            (f"W{l}", np.zeros((layers_dims[l], layers_dims[l - 1]))),
            (f"b{l}", np.zeros((layers_dims[l],))),
        )
    }


def zeros_transposed(layers_dims):
    return {
        key: value
        for l in range(1, len(layers_dims))
        for key, value in (
            (f"W{l}", np.zeros((layers_dims[l - 1], layers_dims[l]))),
            (f"b{l}", np.zeros((layers_dims[l], 1))),
        )
    }


def small_scale(n_l: int, n_prev: int) -> float:
    return 0.01


def random_small_scale(layers_dims):
    return _course_draws(layers_dims, small_scale)


def random_transposed(layers_dims):
    return _course_draws(layers_dims, random_scale, transposed=True)


def random_random_biases(layers_dims):
    return _course_draws(layers_dims, random_scale, random_biases=True)


def xavier_scale(n_l: int, n_prev: int) -> float:
    return math.sqrt(1.0 / n_prev)


def fan_out_scale(n_l: int, n_prev: int) -> float:
    return math.sqrt(2.0 / n_l)


def no_sqrt_scale(n_l: int, n_prev: int) -> float:
    return 2.0 / n_prev


def he_xavier(layers_dims):
    return _course_draws(layers_dims, xavier_scale)


def he_fan_out(layers_dims):
    return _course_draws(layers_dims, fan_out_scale)


def he_no_sqrt(layers_dims):
    return _course_draws(layers_dims, no_sqrt_scale)


def he_transposed(layers_dims):
    return _course_draws(layers_dims, he_scale, transposed=True)


def he_random_biases(layers_dims):
    return _course_draws(layers_dims, he_scale, random_biases=True)


# --- structural checks ------------------------------------------------------------------------

Structural = Callable[[Mapping[str, Any], Any, Mapping[str, Any]], bool]


def scale_fits(wrong: Scale, correct: Scale) -> Structural:
    """Every large layer fits ``N(0, wrong^2)`` and at least one rejects ``N(0, correct^2)``."""

    def structural(inputs: Mapping[str, Any], output: Any, observation: Mapping[str, Any]) -> bool:
        layers = statistical_layers(inputs, output)
        if not layers:
            return False
        fits_wrong = all(fits_gaussian(W, wrong(n_l, n_prev)) for _, n_l, n_prev, W in layers)
        return fits_wrong and any(
            not fits_gaussian(W, correct(n_l, n_prev)) for _, n_l, n_prev, W in layers
        )

    return structural


def common_wrong_scale(
    inputs: Mapping[str, Any], output: Any, observation: Mapping[str, Any]
) -> bool:
    """Large layers share one scale (pooled estimate), and it is not 10."""
    layers = statistical_layers(inputs, output)
    if not layers:
        return False
    total = sum(float(np.sum(np.square(W))) for *_, W in layers)
    sigma = math.sqrt(total / sum(W.size for *_, W in layers))
    if sigma == 0.0:
        return False
    return all(fits_gaussian(W, sigma) for *_, W in layers) and any(
        not fits_gaussian(W, random_scale(n_l, n_prev)) for _, n_l, n_prev, W in layers
    )


def weights_transposed(
    inputs: Mapping[str, Any], output: Any, observation: Mapping[str, Any]
) -> bool:
    """Every ``W{l}`` has shape ``(n_{l-1}, n_l)`` and at least one layer is not square."""
    dims = [int(n) for n in inputs["layers_dims"]]
    parameters = output.get("parameters")
    if not isinstance(parameters, Mapping):
        return False
    pairs = [(dims[l], dims[l - 1]) for l in range(1, len(dims))]
    shapes = [np.shape(parameters[f"W{l}"]) if f"W{l}" in parameters else None
              for l in range(1, len(dims))]
    return any(a != b for a, b in pairs) and all(
        shape == (n_prev, n_l) for shape, (n_l, n_prev) in zip(shapes, pairs, strict=True)
    )


def biases_not_zero(
    inputs: Mapping[str, Any], output: Any, observation: Mapping[str, Any]
) -> bool:
    """Some ``b{l}`` of the right shape holds a nonzero (finite) value."""
    arrays, _ = read_parameters(inputs, output)
    return any(np.any(value != 0) for key, value in arrays.items() if key.startswith("b"))


def only_biases_wrong(correct: Scale) -> Structural:
    """Nonzero biases while the weights fit ``N(0, correct^2)``: the biases are the mistake,
    not one symptom of an output that is wrong everywhere."""

    def structural(inputs: Mapping[str, Any], output: Any, observation: Mapping[str, Any]) -> bool:
        layers = statistical_layers(inputs, output)
        return bool(layers) and biases_not_zero(inputs, output, observation) and all(
            fits_gaussian(W, correct(n_l, n_prev)) for _, n_l, n_prev, W in layers or ())

    return structural


# --- the catalogue ----------------------------------------------------------------------------

ZEROS = "initialize_parameters_zeros"
RANDOM = "initialize_parameters_random"
HE = "initialize_parameters_he"

MISTAKES: tuple[Mistake, ...] = (
    Mistake(
        "init-zeros-wrong-bias-shape", ZEROS, "Biases are 1-D vectors instead of columns",
        "Your b{l} has shape (n_l,), a 1-D array. The course stores every bias as a column of "
        "shape (n_l, 1) so that W{l} A + b{l} broadcasts across the m examples (the columns); "
        "a 1-D bias broadcasts along the wrong axis as soon as n_l differs from m. Use "
        "np.zeros((layers_dims[l], 1)).",
        mutant=zeros_bias_vector,
    ),
    Mistake(
        "init-zeros-weights-transposed", ZEROS, "Weight matrices are transposed",
        "Your W{l} has shape (layers_dims[l-1], layers_dims[l]). Layer l maps the n_{l-1} "
        "activations of the previous layer to its own n_l units with Z = W A_prev + b, so W{l} "
        "must have shape (layers_dims[l], layers_dims[l-1]).",
        mutant=zeros_transposed,
    ),
    Mistake(
        "init-random-wrong-scale", RANDOM, "Random weights are not scaled by 10",
        "Your weights are Gaussian but not with standard deviation 10 (for instance "
        "randn(...) * 0.01 as in earlier courses, or randn(...) with no factor). This exercise "
        "deliberately initialises with large weights to show what goes wrong, so it asks for "
        "W{l} = np.random.randn(layers_dims[l], layers_dims[l-1]) * 10.",
        mutant=random_small_scale,
        structural=common_wrong_scale,
    ),
    Mistake(
        "init-random-weights-transposed", RANDOM, "Weight matrices are transposed",
        "Your W{l} has shape (layers_dims[l-1], layers_dims[l]). Since Z = W A_prev + b maps "
        "the previous layer's n_{l-1} activations to n_l units, W{l} must be drawn with "
        "np.random.randn(layers_dims[l], layers_dims[l-1]) * 10.",
        mutant=random_transposed,
        structural=weights_transposed,
    ),
    Mistake(
        "init-random-bias-not-zero", RANDOM, "Biases are random instead of zero",
        "Your biases are not zero. Random weights already break the symmetry between units, "
        "so the biases can (and in this exercise must) start at zero: "
        "b{l} = np.zeros((layers_dims[l], 1)). Drawing them also consumes random numbers, "
        "which changes every weight drawn after them.",
        mutant=random_random_biases,
        structural=only_biases_wrong(random_scale),
    ),
    Mistake(
        "init-he-xavier-scale", HE, "Xavier scale sqrt(1/n_prev) instead of He's sqrt(2/n_prev)",
        "Your weights have variance 1/n_{l-1} (the scale often called Xavier), half of what He "
        "initialisation uses. ReLU zeroes about half of its inputs, so He doubles the variance "
        "to keep the activations' scale constant from layer to layer: "
        "W{l} = randn(layers_dims[l], layers_dims[l-1]) * sqrt(2 / layers_dims[l-1]).",
        mutant=he_xavier,
        structural=scale_fits(xavier_scale, he_scale),
    ),
    Mistake(
        "init-he-wrong-fan", HE, "He scale uses the layer's own size instead of the previous one",
        "Your weights are scaled by sqrt(2 / layers_dims[l]), the number of units of layer l "
        "itself. He initialisation divides by the fan-in, the number of inputs each unit sums "
        "over, which is the previous layer's size: multiply by sqrt(2 / layers_dims[l-1]).",
        mutant=he_fan_out,
        structural=scale_fits(fan_out_scale, he_scale),
    ),
    Mistake(
        "init-he-missing-sqrt", HE, "He scale without the square root",
        "Your weights are multiplied by 2 / layers_dims[l-1], which is the variance He "
        "initialisation asks for, not the standard deviation. randn draws have standard "
        "deviation 1, so the factor must be the square root: "
        "np.sqrt(2 / layers_dims[l-1]).",
        mutant=he_no_sqrt,
        structural=scale_fits(no_sqrt_scale, he_scale),
    ),
    Mistake(
        "init-weights-transposed", HE, "Weight matrices are transposed",
        "Your W{l} has shape (layers_dims[l-1], layers_dims[l]). Layer l computes "
        "Z = W A_prev + b from the previous layer's n_{l-1} activations, so W{l} must be "
        "np.random.randn(layers_dims[l], layers_dims[l-1]) * sqrt(2 / layers_dims[l-1]).",
        mutant=he_transposed,
        structural=weights_transposed,
    ),
    Mistake(
        "init-bias-not-zero", HE, "Biases are random instead of zero",
        "Your biases are not zero. The random weights already break the symmetry between units; "
        "He initialisation sets b{l} = np.zeros((layers_dims[l], 1)). Drawing random biases "
        "also consumes random numbers, which changes every weight drawn after them.",
        mutant=he_random_biases,
        structural=only_biases_wrong(he_scale),
    ),
)
