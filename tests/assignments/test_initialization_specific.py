"""What is specific to the initialization bank (the contract every assignment keeps is in
``test_assignment_contract.py``):

* the cases hold valid layer sizes, and the statistical checks stay within their test budget;
* the properties accept the reference and correct initialisers written differently (other
  generators, float32, extra keys) under many global seeds, and reject every stochastic mistake;
* each structural check recognises its mistake, also drawn differently, and never fires on a
  correct initialiser.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from dnn_autograder import reference
from dnn_autograder.assignments.initialization import cases as bank
from dnn_autograder.assignments.initialization import properties
from dnn_autograder.assignments.initialization.mistakes import MISTAKES
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.model import Case

SPEC = load_assignment("initialization")
STOCHASTIC = {f.name: getattr(properties, f.properties) for f in SPEC.functions if f.properties}
FAST_SEEDS = range(200)
SLOW_SEEDS = range(1000, 2000)


CASES = {name: tuple(item.case for item in suite.expected) for name, suite in build_suites(SPEC).items()}


def run(impl: Callable[..., Any], case: Case) -> dict[str, Any]:
    """Call like the grader (global seed first, arguments positionally); normalised output."""
    np.random.seed(case.seed)
    return {"parameters": impl(*[list(v) for v in case.args.values()])}


# --- correct initialisers written differently -------------------------------------------------


def _variant(draw: Callable[[tuple[int, int], float, int], np.ndarray], dtype=np.float64,
             extra: bool = False) -> Callable[..., Callable[[list[int]], dict]]:
    def make(scale: Callable[[int, int], float], seed: int) -> Callable[[list[int]], dict]:
        def init(layers_dims):
            out: dict[str, Any] = {"L": len(layers_dims) - 1} if extra else {}
            for l in range(1, len(layers_dims)):
                n_l, n_prev = layers_dims[l], layers_dims[l - 1]
                out[f"W{l}"] = draw((n_l, n_prev), scale(n_l, n_prev), seed + l).astype(dtype)
                out[f"b{l}"] = np.zeros((n_l, 1), dtype=dtype)
            return out

        return init

    return make


VARIANTS = {
    "default_rng standard_normal": _variant(
        lambda shape, s, seed: np.random.default_rng(seed).standard_normal(shape) * s),
    "np.random.normal, float32, extra key": _variant(
        lambda shape, s, seed: np.random.normal(0.0, s, size=shape), np.float32, extra=True),
    "randn drawn transposed then .T": _variant(
        lambda shape, s, seed: np.random.randn(shape[1], shape[0]).T * s),
}
SCALES = {"initialize_parameters_random": properties.random_scale,
          "initialize_parameters_he": properties.he_scale}


def large_cases(function: str) -> tuple[Case, ...]:
    return tuple(c for c in CASES[function] if max(c.args["layers_dims"]) >= 200)


def structurals(function: str) -> list[tuple[str, Callable[..., bool]]]:
    return [(m.id, m.structural) for m in MISTAKES if m.function == function and m.structural]


# --- the bank's shape -------------------------------------------------------------------------


def test_the_layer_sizes_are_valid():
    for name in SPEC.function_names:
        for case in CASES[name]:
            dims = case.args["layers_dims"]
            assert len(dims) >= 2 and all(isinstance(n, int) and n >= 1 for n in dims), (name, case.label)


def test_statistical_tests_fit_the_budget():
    for name in STOCHASTIC:
        tests = 0
        for case in CASES[name]:
            dims = case.args["layers_dims"]
            sizes = [dims[l] * dims[l - 1] for l in range(1, len(dims))]
            tests += 2 * sum(size >= properties.MIN_ENTRIES for size in sizes)  # mean, spread
        assert 0 < tests <= properties.MAX_TESTS_PER_GRADE, (name, tests)
    assert properties.TEST_LEVEL * properties.MAX_TESTS_PER_GRADE <= 1e-6


# --- properties -------------------------------------------------------------------------------


@pytest.mark.parametrize("function", sorted(STOCHASTIC))
def test_the_reference_has_the_properties_and_no_structural_fires(function):
    check = STOCHASTIC[function]
    for case in CASES[function]:
        output = run(getattr(reference, function), case)
        assert check(case.args, output) == (), case.label
        for mistake_id, structural in structurals(function):
            assert not structural(case.args, output, {}), (mistake_id, case.label)


def _assert_variants_pass(function: str, cases: tuple[Case, ...], seeds: range) -> None:
    check, scale = STOCHASTIC[function], SCALES[function]
    for case in cases:
        for label, make in VARIANTS.items():
            for seed in seeds:
                np.random.seed(seed)
                output = {"parameters": make(scale, seed)(list(case.args["layers_dims"]))}
                assert check(case.args, output) == (), (label, seed, case.label)
                for mistake_id, structural in structurals(function):
                    assert not structural(case.args, output, {}), (mistake_id, label, seed)


def _weights(case: Case) -> int:
    dims = case.args["layers_dims"]
    return sum(dims[l] * dims[l - 1] for l in range(1, len(dims)))


@pytest.mark.parametrize("function", sorted(STOCHASTIC))
def test_correct_variants_pass_under_many_seeds(function):
    """200 seeds on the edge cases up to 10,000 weights (``[3000, 2, 1]`` included), 20 on the
    largest net (drawing its 180,000 weights dominates the run time) and the generated cases."""
    edges = bank.EDGE_CASES[function]
    _assert_variants_pass(function, tuple(c for c in edges if _weights(c) < 10_000), FAST_SEEDS)
    rest = tuple(c for c in CASES[function] if c not in edges or _weights(c) >= 10_000)
    _assert_variants_pass(function, rest, range(20))


@pytest.mark.slow
@pytest.mark.parametrize("function", sorted(STOCHASTIC))
def test_correct_variants_pass_under_a_thousand_seeds(function):
    """1000 further seeds on every large case (about a minute per function)."""
    _assert_variants_pass(function, large_cases(function), SLOW_SEEDS)


def test_the_tests_are_calibrated():
    """At a loose level the tests reject correct draws at most about that often: the Chernoff
    spread test is conservative, the location test exact."""
    rng = np.random.default_rng(0)
    alpha, trials = 0.2, 2000
    draws = rng.standard_normal((trials, properties.MIN_ENTRIES)) * 0.3
    spread = np.mean([not properties.spread_ok(w, 0.3, alpha) for w in draws])
    location = np.mean([not properties.location_ok(w, 0.3, alpha) for w in draws])
    assert spread <= alpha
    assert abs(location - alpha) < 4 * math.sqrt(alpha * (1 - alpha) / trials)


def test_properties_report_form_problems():
    case = {"layers_dims": [3, 2, 1]}
    good = reference.initialize_parameters_he([3, 2, 1])
    broken = {
        "missing b2": {k: v for k, v in good.items() if k != "b2"},
        "b1 of shape (2,)": {**good, "b1": np.zeros(2)},
        "W2 of zeros": {**good, "W2": np.zeros((1, 2))},
        "W1 constant": {**good, "W1": np.full((2, 3), 0.5)},
        "NaN in W1": {**good, "W1": np.full((2, 3), np.nan)},
        "b2 nonzero": {**good, "b2": np.ones((1, 1))},
    }
    for label, parameters in broken.items():
        assert properties.check_he_init(case, {"parameters": parameters}), label
    assert properties.check_he_init(case, {"parameters": [1, 2]})


# --- stochastic mistakes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "mistake", [m for m in MISTAKES if m.function in STOCHASTIC], ids=lambda m: m.id
)
def test_stochastic_mistakes_are_rejected_and_recognised(mistake):
    check = STOCHASTIC[mistake.function]
    failing = []
    for case in CASES[mistake.function]:
        output = run(mistake.mutant, case)
        if check(case.args, output):
            failing.append((case, output))
    assert failing, f"the properties accept {mistake.id}"
    fired = [c.label for c, out in failing if mistake.structural(c.args, out, {})]
    assert fired, f"{mistake.id}: its structural check never fires on its failing cases"
    for case, output in failing:
        others = [mid for mid, s in structurals(mistake.function)
                  if mid != mistake.id and s(case.args, output, {})]
        assert not others, (mistake.id, case.label, others)


def _drawn_differently(scale, shape_of=lambda n_l, n_prev: (n_l, n_prev), bias=False):
    def init(layers_dims):
        rng = np.random.default_rng(12345)
        out = {}
        for l in range(1, len(layers_dims)):
            n_l, n_prev = layers_dims[l], layers_dims[l - 1]
            out[f"W{l}"] = rng.normal(0.0, scale(n_l, n_prev), size=shape_of(n_l, n_prev))
            out[f"b{l}"] = rng.standard_normal((n_l, 1)) if bias else np.zeros((n_l, 1))
        return out

    return init


DIFFERENTLY_DRAWN = {
    "init-random-wrong-scale": _drawn_differently(lambda n_l, n_prev: 1.0),
    "init-random-weights-transposed": _drawn_differently(
        lambda n_l, n_prev: 10.0, shape_of=lambda n_l, n_prev: (n_prev, n_l)),
    "init-random-bias-not-zero": _drawn_differently(lambda n_l, n_prev: 10.0, bias=True),
    "init-he-xavier-scale": _drawn_differently(lambda n_l, n_prev: math.sqrt(1 / n_prev)),
    "init-he-wrong-fan": _drawn_differently(lambda n_l, n_prev: math.sqrt(2 / n_l)),
    "init-he-missing-sqrt": _drawn_differently(lambda n_l, n_prev: 2 / n_prev),
    "init-weights-transposed": _drawn_differently(
        lambda n_l, n_prev: math.sqrt(2 / n_prev), shape_of=lambda n_l, n_prev: (n_prev, n_l)),
    "init-bias-not-zero": _drawn_differently(lambda n_l, n_prev: math.sqrt(2 / n_prev), bias=True),
}


@pytest.mark.parametrize("mistake_id", sorted(DIFFERENTLY_DRAWN))
def test_structural_checks_recognise_mistakes_drawn_differently(mistake_id):
    mistake = next(m for m in MISTAKES if m.id == mistake_id)
    impl = DIFFERENTLY_DRAWN[mistake_id]
    hits = []
    for case in CASES[mistake.function]:
        output = run(impl, case)
        if not STOCHASTIC[mistake.function](case.args, output):
            continue
        if mistake.structural(case.args, output, {}):
            hits.append(case.label)
        others = [mid for mid, s in structurals(mistake.function)
                  if mid != mistake_id and s(case.args, output, {})]
        assert not others, (mistake_id, case.label, others)
    assert hits, mistake_id
