"""What is specific to the gradient_checking bank (the contract every assignment keeps is in
``test_assignment_contract.py``):

* every graded function has edge cases; the worlds give the verdicts they promise (correct
  gradients pass the course threshold, planted wrong ones fail it) and the generated cases cover
  every world and a wide range of epsilons;
* correct checks written differently agree with the reference;
* every structural check fires on its mistake and on nothing else we know of, and never on the
  reference or on correct variants written differently.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest

from dnn_autograder.assignments.gradient_checking import cases as bank_cases
from dnn_autograder.assignments.gradient_checking.mistakes import MISTAKES
from dnn_autograder.course_helpers.gc_utils import dictionary_to_vector, gradients_to_vector, vector_to_dictionary
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.suite import FunctionSuite, build_suites
from dnn_autograder.grader.model import Case
from dnn_autograder.reference import relative_difference

SPEC = load_assignment("gradient_checking")


SUITES = build_suites(SPEC)


def cases_of(function: str) -> tuple[Case, ...]:
    return tuple(item.case for item in SUITES[function].expected)


def observe(impl: Callable[..., Any], suite: FunctionSuite, case: Case):
    """Run ``impl`` on ``case`` with recording stand-ins, as the grader's parent would."""
    calls: list[tuple[str, tuple]] = []

    def recorder(name: str, helper: Callable[..., Any]) -> Callable[..., Any]:
        def answer(*args: Any) -> Any:
            calls.append((name, copy.deepcopy(args)))
            return helper(*args)
        return answer

    world = {name: recorder(name, helper) for name, helper in suite.world(case).items()}
    args = copy.deepcopy(dict(case.args))
    value = impl(*args.values(), **world)
    output = {suite.spec.returns[0]: value}
    return output, {"stand_in_calls": tuple(calls), "args_after": args}


# --- correct checks written differently (must never be diagnosed) ---------------------------


def restoring_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                      forward_propagation_n):
    """Correct: perturbs one shared vector in place and restores it after each entry."""
    theta, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        theta[i] += epsilon
        J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta))
        theta[i] -= 2 * epsilon
        J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(theta))
        theta[i] += epsilon
        approx[i] = (J_plus - J_minus) / (2 * epsilon)
    return relative_difference(grad, approx)


def minus_first_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                        forward_propagation_n):
    """Correct: evaluates J(theta) once for a printout, then every minus point, then plus."""
    theta, _ = dictionary_to_vector(parameters)
    forward_propagation_n(X, Y, parameters)
    n = theta.shape[0]
    J = {}
    for sign in (-1, 1):
        for i in range(n):
            point = theta.copy()
            point[i] += sign * epsilon
            J[sign, i] = forward_propagation_n(X, Y, vector_to_dictionary(point))[0]
    approx = np.array([[(J[1, i] - J[-1, i]) / (2 * epsilon)] for i in range(n)])
    return relative_difference(gradients_to_vector(gradients), approx)


def chatty_check(x, theta, epsilon=1e-7, print_msg=False, *, forward_propagation,
                 backward_propagation):
    """Correct: also evaluates J(theta) (to print it), minus point first."""
    forward_propagation(x, theta)
    J_minus = forward_propagation(x, theta - epsilon)
    J_plus = forward_propagation(x, theta + epsilon)
    approx = (J_plus - J_minus) / (2 * epsilon)
    return relative_difference(backward_propagation(x, theta), approx)


# --- the same mistakes written the other way (recognised only by structure) -----------------


def drifting_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False, *,
                     forward_propagation_n):
    """gradcheck-mutates-theta, drift form: thetaplus aliases the vector, thetaminus copies."""
    parameters_values, _ = dictionary_to_vector(parameters)
    n = parameters_values.shape[0]
    approx = np.zeros((n, 1))
    for i in range(n):
        thetaplus = parameters_values
        thetaplus[i] = thetaplus[i] + epsilon
        J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaplus))
        thetaminus = np.copy(parameters_values)
        thetaminus[i] = thetaminus[i] - epsilon
        J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(thetaminus))
        approx[i] = (J_plus - J_minus) / (2 * epsilon)
    return relative_difference(gradients_to_vector(gradients), approx)


def backward_one_sided_check(x, theta, epsilon=1e-7, print_msg=False, *, forward_propagation,
                             backward_propagation):
    """gradcheck-one-sided, backward form: (J(theta) - J(theta - eps)) / eps."""
    approx = (forward_propagation(x, theta) - forward_propagation(x, theta - epsilon)) / epsilon
    return relative_difference(backward_propagation(x, theta), approx)


CORRECT_VARIANTS = {
    "gradient_check": {"chatty": chatty_check},
    "gradient_check_n": {"restoring": restoring_check_n, "minus-first": minus_first_check_n},
}
#: Implementations that show a structural mistake: mutants plus the hand-written forms above.
#: For each structural mistake id, the implementations on which it must fire.
STRUCTURAL_EVIDENCE = {
    "gradcheck-one-sided": ("gradcheck-one-sided", "backward-one-sided"),
    "gradcheck-wrong-epsilon": ("gradcheck-wrong-epsilon",),
    "gradcheck-hardcoded-model": ("gradcheck-hardcoded-model",),
    "gradcheck-n-one-sided": ("gradcheck-n-one-sided",),
    "gradcheck-n-wrong-epsilon": ("gradcheck-n-wrong-epsilon",),
    "gradcheck-mutates-theta": ("drifting",),
    "gradcheck-perturbs-all-at-once": ("gradcheck-perturbs-all-at-once",),
}
EXTRA_FORMS = {
    "gradient_check": {"backward-one-sided": backward_one_sided_check},
    "gradient_check_n": {"drifting": drifting_check_n},
}


def implementations(function: str) -> dict[str, Callable[..., Any]]:
    """Every known mistaken implementation of ``function`` by name."""
    found = {m.id: m.mutant for m in MISTAKES if m.function == function and m.mutant}
    return {**found, **EXTRA_FORMS.get(function, {})}


# --- the bank's shape -----------------------------------------------------------------------


@pytest.mark.parametrize("function", SPEC.function_names)
def test_every_function_has_edge_cases(function):
    assert bank_cases.EDGE_CASES.get(function), f"no EDGE_CASES for {function}"


def test_worlds_give_the_verdicts_they_promise():
    """Correct gradients pass the course threshold at epsilon = 1e-7; wrong ones fail it."""
    for function in ("gradient_check", "gradient_check_n"):
        for item in SUITES[function].expected:
            case, difference = item.case, item.outputs["difference"]
            wrong = case.world == "wrong-gradient" or "planted" in case.label
            if wrong and case.world != "course-net":
                assert difference > 1e-2, (case.label, difference)
            elif not wrong and case.args["epsilon"] <= 1e-6:
                assert difference < 2e-7, (case.label, difference)


def test_generated_cases_cover_every_world_and_a_wide_epsilon_range():
    for function in ("gradient_check", "gradient_check_n"):
        drawn = [c for c in cases_of(function) if c.label.startswith("generated")]
        expected_worlds = {name for name, hooks in bank_cases.WORLDS.items()
                           if set(hooks) == set(SPEC.function(function).stand_ins)}
        assert {c.world for c in drawn} == expected_worlds
        steps = [c.args["epsilon"] for c in drawn]
        assert min(steps) < 1e-5 and max(steps) > 1e-3, steps


@pytest.mark.parametrize("function", ["gradient_check", "gradient_check_n"])
def test_correct_variants_agree_with_the_reference(function):
    suite = SUITES[function]
    for name, impl in CORRECT_VARIANTS[function].items():
        for item in suite.expected:
            got = suite.run(impl, item.case)
            assert not compare_outputs(item.outputs, got, rtol=suite.spec.rtol,
                                       atol=suite.spec.atol), (name, item.case.label)


# --- structural checks ----------------------------------------------------------------------

STRUCTURAL = [m for m in MISTAKES if m.structural]


def test_every_structural_check_has_evidence_listed():
    assert {m.id for m in STRUCTURAL} == set(STRUCTURAL_EVIDENCE)


@pytest.mark.parametrize("mistake", STRUCTURAL, ids=lambda m: m.id)
def test_structural_check_fires_on_its_mistake_only(mistake: Mistake):
    suite = SUITES[mistake.function]
    fired: dict[str, int] = {}
    for name, impl in implementations(mistake.function).items():
        for item in suite.expected:
            output, observation = observe(impl, suite, item.case)
            if mistake.structural(item.case.args, output, observation):
                fired[name] = fired.get(name, 0) + 1
    expected = set(STRUCTURAL_EVIDENCE[mistake.id])
    assert set(fired) == expected, f"{mistake.id} fired on {fired}, expected {expected}"


@pytest.mark.parametrize("mistake", STRUCTURAL, ids=lambda m: m.id)
def test_structural_check_never_fires_on_a_correct_check(mistake: Mistake):
    suite = SUITES[mistake.function]
    correct = {"reference": suite.reference, **CORRECT_VARIANTS[mistake.function]}
    for name, impl in correct.items():
        for item in suite.expected:
            output, observation = observe(impl, suite, item.case)
            assert not mistake.structural(item.case.args, output, observation), (
                name, item.case.label)


def test_structural_checks_ignore_unreadable_calls():
    case = bank_cases.EDGE_CASES["gradient_check_n"][0]
    observation: Mapping[str, Any] = {
        "stand_in_calls": (("forward_propagation_n", ()),
                           ("forward_propagation_n", (1, 2, "not a dict")),
                           ("something_else", (1,))),
        "args_after": {},
    }
    for mistake in STRUCTURAL:
        if mistake.function == "gradient_check_n":
            assert not mistake.structural(case.args, {"difference": 0.5}, observation)
