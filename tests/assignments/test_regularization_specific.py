"""What is specific to the regularization bank (the contract every assignment keeps is in
``test_assignment_contract.py``):

* the generated inputs are valid, backward-pass caches are consistent forward passes, and the
  dropout statistics stay within their test budget;
* ``check_dropout_forward`` accepts the reference and correct forward passes written
  differently (other generators, bool or float masks, a list cache) under many global seeds,
  and rejects every mistake of the forward pass;
* each structural check recognises its mistake, also written differently, and never fires on
  a correct function or on another catalogued mistake; the course's published cost example.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from dnn_autograder import reference
from dnn_autograder.assignments.regularization import cases as bank
from dnn_autograder.assignments.regularization import properties
from dnn_autograder.assignments.regularization.mistakes import MISTAKES
from dnn_autograder.course_helpers.common import forward_three_layer, relu, sigmoid
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.model import Case

SPEC = load_assignment("regularization")
FORWARD = "forward_propagation_with_dropout"
CHECK = properties.check_dropout_forward
FAST_SEEDS = range(200)
SLOW_SEEDS = range(1000, 2000)


CASES = {name: tuple(item.case for item in suite.expected) for name, suite in build_suites(SPEC).items()}


def run(impl: Callable[..., Any], function: str, case: Case) -> dict[str, Any]:
    """Call like the grader (global seed first, arguments positionally); named outputs."""
    np.random.seed(case.seed)
    value = impl(*case.args.values())
    names = SPEC.function(function).returns
    return {names[0]: value} if len(names) == 1 else dict(zip(names, value, strict=True))


def differs(got: Any, expected: Any, rtol: float, atol: float) -> bool:
    """Structure, shape or values (beyond ``atol + rtol * |expected|``) differ."""
    if isinstance(expected, Mapping):
        return (not isinstance(got, Mapping) or any(k not in got for k in expected)
                or any(differs(got[k], v, rtol, atol) for k, v in expected.items()))
    if isinstance(expected, list | tuple):
        return (not isinstance(got, list | tuple) or len(got) != len(expected)
                or any(differs(g, e, rtol, atol) for g, e in zip(got, expected, strict=True)))
    g, e = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    return g.shape != e.shape or not np.allclose(g, e, rtol=rtol, atol=atol)


def structurals(function: str) -> list[tuple[str, Callable[..., bool]]]:
    return [(m.id, m.structural) for m in MISTAKES if m.function == function and m.structural]


def fired(function: str, case: Case, output: Mapping[str, Any]) -> list[str]:
    return [mid for mid, check in structurals(function) if check(case.args, output, {})]


# --- correct forward passes written differently -----------------------------------------------


def forward_variant(draw: Callable[[tuple, float], np.ndarray], *, as_list: bool = False):
    """A correct inverted-dropout forward pass with its own mask generator (in-place style)."""

    def forward(X, parameters, keep_prob=0.5):
        W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        Z1 = np.dot(W1, X) + b1
        A1 = relu(Z1)
        D1 = draw(A1.shape, keep_prob)
        A1 = np.multiply(A1, D1)
        A1 /= keep_prob
        Z2 = np.dot(W2, A1) + b2
        D2 = draw(Z2.shape, keep_prob)
        A2 = relu(Z2) * D2 / keep_prob
        Z3 = np.dot(W3, A2) + b3
        A3 = 1 / (1 + np.exp(-Z3))
        cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
        return A3, list(cache) if as_list else cache

    return forward


def _rng() -> np.random.Generator:
    return np.random.default_rng(np.random.randint(2**31))


CORRECT_FORWARDS = {
    "default_rng bool masks": forward_variant(lambda shape, p: _rng().random(shape) < p),
    "binomial int masks, list cache": forward_variant(
        lambda shape, p: np.random.binomial(1, p, size=shape), as_list=True),
    "float masks": forward_variant(lambda shape, p: (np.random.rand(*shape) < p) * 1.0),
}


# --- the bank's shape -------------------------------------------------------------------------


def test_generated_inputs_are_valid():
    for name in SPEC.function_names:
        for case in CASES[name]:
            args = case.args
            arrays = [v for v in args.values() if isinstance(v, np.ndarray)]
            arrays += [v for v in args.get("parameters", {}).values()]
            arrays += [v for v in args.get("cache", ())]
            assert all(np.all(np.isfinite(a)) for a in arrays), (name, case.label)
            if "Y" in args:
                assert set(np.unique(args["Y"])) <= {0, 1}
            if "A3" in args:
                assert np.all((args["A3"] > 0) & (args["A3"] < 1))
            if "lambd" in args:
                assert 0.0 <= args["lambd"] <= 10.0
            if "keep_prob" in args:
                assert 0.0 < args["keep_prob"] <= 1.0


def test_backward_caches_are_consistent_forward_passes():
    for case in CASES["backward_propagation_with_regularization"]:
        X, cache = case.args["X"], case.args["cache"]
        params = {"W1": cache[2], "b1": cache[3], "W2": cache[6], "b2": cache[7],
                  "W3": cache[10], "b3": cache[11]}
        _, expected = forward_three_layer(X, params)
        assert not differs(cache, expected, 1e-12, 0.0), case.label
    for case in CASES["backward_propagation_with_dropout"]:
        X, cache, p = case.args["X"], case.args["cache"], case.args["keep_prob"]
        params = {"W1": cache[3], "b1": cache[4], "W2": cache[8], "b2": cache[9],
                  "W3": cache[12], "b3": cache[13]}
        output = {"A3": cache[11], "cache": cache}
        assert CHECK({"X": X, "parameters": params, "keep_prob": p}, output) == (), case.label
        assert set(np.unique(cache[1])) | set(np.unique(cache[6])) <= {0, 1}


def test_mask_tests_fit_the_budget():
    tests = 0
    for case in CASES[FORWARD]:
        X, params = case.args["X"], case.args["parameters"]
        for W in (params["W1"], params["W2"]):
            tests += W.shape[0] * X.shape[1] >= properties.MIN_MASK_ENTRIES
        keep_prob = case.args.get("keep_prob", 0.5)
        agree = keep_prob**2 + (1 - keep_prob) ** 2
        if agree < 1:
            needed = math.ceil(math.log(properties.TEST_LEVEL) / math.log(agree))
            tests += min(params["W1"].shape[0], params["W2"].shape[0]) * X.shape[1] >= needed
    assert 0 < tests <= properties.MAX_TESTS_PER_GRADE
    assert properties.TEST_LEVEL * properties.MAX_TESTS_PER_GRADE <= 1e-6


def test_statistical_cases_use_informative_keep_probs():
    large = [c for c in CASES[FORWARD] if c.args["X"].shape[1] >= 100]
    assert len(large) >= 2
    assert all(c.args["keep_prob"] not in (0.5, 1.0) for c in large)


# --- properties of the dropout forward pass ---------------------------------------------------


def test_the_reference_has_the_properties():
    for case in CASES[FORWARD]:
        output = run(reference.forward_propagation_with_dropout, FORWARD, case)
        assert CHECK(case.args, output) == (), case.label


def _assert_variants_pass(cases: tuple[Case, ...], seeds: range) -> None:
    for case in cases:
        for label, impl in CORRECT_FORWARDS.items():
            for seed in seeds:
                np.random.seed(seed)
                A3, cache = impl(*case.args.values())
                output = {"A3": A3, "cache": cache}
                assert CHECK(case.args, output) == (), (label, seed, case.label)
                assert fired(FORWARD, case, output) == [], (label, seed, case.label)


def test_correct_variants_pass_under_many_seeds():
    """200 seeds on the edge cases (the mask statistics live there), 20 on generated ones."""
    edges = bank.EDGE_CASES[FORWARD]
    _assert_variants_pass(edges, FAST_SEEDS)
    _assert_variants_pass(CASES[FORWARD][len(edges):], range(20))


@pytest.mark.slow
def test_correct_variants_pass_under_a_thousand_seeds():
    _assert_variants_pass(bank.EDGE_CASES[FORWARD], SLOW_SEEDS)


def test_the_kept_fraction_test_is_calibrated():
    """At a loose level the Chernoff test rejects correct masks at most that often."""
    rng = np.random.default_rng(0)
    alpha = 0.2
    for p in (0.3, 0.7, 0.86):
        masks = rng.random((2000, properties.MIN_MASK_ENTRIES)) < p
        rate = np.mean([properties.kept_fraction_fits(D, p, alpha) is False for D in masks])
        assert rate <= alpha, p
    assert properties.kept_fraction_fits(np.ones(10), 0.7) is None
    assert properties.kept_fraction_fits(np.ones(10), 1.0) is True
    assert properties.kept_fraction_fits(np.array([1, 0]), 1.0) is False


def _broken_outputs(case: Case) -> dict[str, dict[str, Any]]:
    A3, cache = reference.forward_propagation_with_dropout(*case.args.values())
    c = list(cache)
    return {
        "12-tuple cache": {"A3": A3, "cache": tuple(c[:12])},
        "A3 of the wrong shape": {"A3": A3.T, "cache": cache},
        "D1 with a 2": {"A3": A3, "cache": tuple(c[:1] + [c[1] * 2] + c[2:])},
        "Z1 shifted": {"A3": A3, "cache": tuple([c[0] + 1.0] + c[1:])},
        "A3 not sigmoid": {"A3": A3 * 0.5, "cache": cache},
        "W2 altered": {"A3": A3, "cache": tuple(c[:8] + [c[8] + 1.0] + c[9:])},
        "everything dropped": {"A3": A3, "cache": tuple(c[:1] + [0 * c[1]] + c[2:])},
    }


def test_properties_report_broken_outputs():
    case = next(c for c in bank.EDGE_CASES[FORWARD] if c.args["X"].shape[1] >= 100)
    for label, output in _broken_outputs(case).items():
        assert CHECK(case.args, output), label
    one = next(c for c in bank.EDGE_CASES[FORWARD] if c.args.get("keep_prob") == 1.0)
    A3, cache = reference.forward_propagation_with_dropout(*one.args.values())
    cache = list(cache)
    cache[6] = cache[6].copy()
    cache[6][0, 0] = 0
    cache[7] = relu(cache[5]) * cache[6]
    assert any("keep_prob = 1" in msg for msg in CHECK(one.args, {"A3": A3, "cache": cache}))


# --- stochastic mistakes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "mistake", [m for m in MISTAKES if m.function == FORWARD], ids=lambda m: m.id
)
def test_forward_mistakes_are_rejected_and_recognised(mistake):
    failing = []
    for case in CASES[FORWARD]:
        output = run(mistake.mutant, FORWARD, case)
        if CHECK(case.args, output):
            failing.append((case, output))
    assert failing, f"the properties accept {mistake.id}"
    hits = [c.label for c, out in failing if mistake.structural(c.args, out, {})]
    assert hits, f"{mistake.id}: its structural check never fires on its failing cases"
    for case, output in failing:
        assert set(fired(FORWARD, case, output)) <= {mistake.id}, (mistake.id, case.label)


def _mask_then(draw, factor=lambda p: 1 / p, drop_output=False):
    """A forward pass drawing masks with ``draw`` from a default_rng, scaling by ``factor``."""

    def forward(X, parameters, keep_prob=0.5):
        rng = np.random.default_rng(4321)
        W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
        Z1 = W1 @ X + b1
        D1 = draw(rng, Z1.shape, keep_prob)
        A1 = relu(Z1) * D1 * factor(keep_prob)
        Z2 = W2 @ A1 + b2
        D2 = draw(rng, Z2.shape, keep_prob)
        A2 = relu(Z2) * D2 * factor(keep_prob)
        Z3 = W3 @ A2 + b3
        A3 = sigmoid(Z3)
        if drop_output:
            A3 = A3 * (rng.random(A3.shape) < keep_prob) / keep_prob
        return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)

    return forward


def _uniform_below(rng, shape, p):
    return rng.random(shape) < p


DIFFERENTLY_WRITTEN = {
    "dropout-no-rescale": _mask_then(_uniform_below, factor=lambda p: 1.0),
    "dropout-wrong-rescale": _mask_then(_uniform_below, factor=lambda p: p),
    "dropout-inverted-mask": _mask_then(lambda rng, s, p: rng.binomial(1, 1 - p, size=s)),
    "dropout-mask-not-binary": _mask_then(lambda rng, s, p: rng.random(s), factor=lambda p: 1.0),
    "dropout-on-output-layer": _mask_then(_uniform_below, drop_output=True),
    "dropout-mask-uses-randn": _mask_then(lambda rng, s, p: rng.standard_normal(s) < p),
}


@pytest.mark.parametrize("mistake_id", sorted(DIFFERENTLY_WRITTEN))
def test_structural_checks_recognise_forward_mistakes_written_differently(mistake_id):
    mistake = next(m for m in MISTAKES if m.id == mistake_id)
    hits = []
    for case in CASES[FORWARD]:
        output = run(DIFFERENTLY_WRITTEN[mistake_id], FORWARD, case)
        if not CHECK(case.args, output):
            continue
        assert set(fired(FORWARD, case, output)) <= {mistake_id}, (mistake_id, case.label)
        if mistake.structural(case.args, output, {}):
            hits.append(case.label)
    assert hits, mistake_id


# --- deterministic structural checks ----------------------------------------------------------

DETERMINISTIC = [f for f in SPEC.function_names if f != FORWARD]


@pytest.mark.parametrize("function", DETERMINISTIC)
def test_structural_checks_never_fire_on_the_reference(function):
    for case in CASES[function]:
        output = run(getattr(reference, function), function, case)
        assert fired(function, case, output) == [], case.label


@pytest.mark.parametrize(
    "mistake",
    [m for m in MISTAKES if m.function in DETERMINISTIC and m.structural],
    ids=lambda m: m.id,
)
def test_deterministic_structural_checks_fire_on_their_mutant_only(mistake):
    hits = [c.label for c in CASES[mistake.function]
            if mistake.structural(c.args, run(mistake.mutant, mistake.function, c), {})]
    assert hits, mistake.id
    for other in MISTAKES:
        if other.function != mistake.function or other.mutant is None or other is mistake:
            continue
        for case in CASES[mistake.function]:
            output = run(other.mutant, other.function, case)
            assert not mistake.structural(case.args, output, {}), (mistake.id, other.id)


def _l2_grad_without(layer: int):
    def backward(X, Y, cache, lambd):
        grads = reference.backward_propagation_with_regularization(X, Y, cache, lambd)
        W = cache[4 * layer - 2]
        return {**grads, f"dW{layer}": grads[f"dW{layer}"] - lambd / X.shape[1] * W}

    return backward


def _l2_grad_times(factor: Callable[[float, int], float]):
    def backward(X, Y, cache, lambd):
        m = X.shape[1]
        grads = reference.backward_propagation_with_regularization(X, Y, cache, 0.0)
        return {**grads, **{f"dW{l}": grads[f"dW{l}"] + factor(lambd, m) * cache[4 * l - 2]
                            for l in (1, 2, 3)}}

    return backward


def _cost_without(layer: int):
    def cost(A3, Y, parameters, lambd):
        m = Y.shape[1]
        kept = [l for l in (1, 2, 3) if l != layer]
        squares = sum(np.sum(parameters[f"W{l}"] ** 2) for l in kept)
        return reference.compute_cost(A3, Y) + lambd / (2 * m) * squares

    return cost


OTHER_FORMS = {
    "l2-grad-missing-layer": [_l2_grad_without(1), _l2_grad_without(2)],
    "l2-grad-wrong-factor": [_l2_grad_times(lambda lambd, m: lambd),
                             _l2_grad_times(lambda lambd, m: 2 * lambd / m)],
    "l2-cost-missing-layer": [_cost_without(1), _cost_without(2)],
}


@pytest.mark.parametrize("mistake_id", sorted(OTHER_FORMS))
def test_deterministic_structural_checks_recognise_other_forms(mistake_id):
    mistake = next(m for m in MISTAKES if m.id == mistake_id)
    for impl in OTHER_FORMS[mistake_id]:
        outputs = [(c, run(impl, mistake.function, c)) for c in CASES[mistake.function]]
        assert any(mistake.structural(c.args, out, {}) for c, out in outputs), mistake_id
        for case, output in outputs:
            others = set(fired(mistake.function, case, output)) - {mistake_id}
            assert not others, (mistake_id, case.label, others)


def test_course_cost_example():
    case = bank.EDGE_CASES["compute_cost_with_regularization"][0]
    value = reference.compute_cost_with_regularization(*case.args.values())
    assert math.isclose(value, 1.78648594516, rel_tol=1e-10)
