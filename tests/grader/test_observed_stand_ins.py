"""Spec key ``observed``: which stand-ins may be handed to a course helper, in which cases, and how
the calls the child recorded join the ones the parent recorded."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, _no_graded_helpers, course_helper, load_assignment
from dnn_autograder.grader.errors import SpecError
from dnn_autograder.grader.grading.evaluate import STAND_IN_KEPT_BYTES, case_request, stand_in_calls
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.sandbox.records import CallRecord
from dnn_autograder.grader.sandbox.session import RECORDED_BYTES, Observed
from dnn_autograder.grader.values import retained_bytes


def test_only_course_provided_helpers() -> None:
    from dnn_autograder.course_helpers import gc_utils

    assert course_helper("gc_utils.forward_propagation_n") is gc_utils.forward_propagation_n
    for target in ("figure_helpers.bowl_next", "common.layers.Relu", "numpy.sum", "gc_utils.nothing_here",
                   "gc_utils.PARAMETER_SHAPES"):
        with pytest.raises(LookupError):
            course_helper(target)


def _spec_with(tmp_path: Path, old: str, new: str) -> Path:
    folder = tmp_path / "gradient_checking"
    shutil.copytree(ASSIGNMENTS_DIR / "gradient_checking", folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec = folder / "spec.toml"
    text = spec.read_text()
    assert old in text
    spec.write_text(text.replace(old, new))
    return tmp_path


@pytest.mark.parametrize("observed, why", [
    ('{ forward_propagation_n = "figure_helpers.bowl_next" }', "course-provided"),
    ('{ forward_propagation_n = ["gc_utils.forward_propagation_n", "figure_helpers.bowl_next"] }', "course-provided"),
    ('{ forward_propagation_n = [] }', "must map"),
    ('{ forward_propagation_n = [3] }', "must map"),
    ('{ sigmoid = "gc_utils.sigmoid" }', "not one of the function's stand_ins"),
    ('["gc_utils.forward_propagation_n"]', "must map"),
])
def test_the_spec_refuses_what_may_not_be_observed(tmp_path: Path, observed: str, why: str) -> None:
    root = _spec_with(tmp_path, 'observed = { forward_propagation_n = ["gc_utils.forward_propagation_n", '
                      '"gc_worlds.cubic_net_cost"] }', f"observed = {observed}")
    with pytest.raises(SpecError, match=why):
        load_assignment("gradient_checking", root)


def test_a_graded_function_is_never_observed() -> None:
    spec = load_assignment("gradient_checking")
    check = spec.function("gradient_check_n")
    # a graded function whose reference is the very helper observed elsewhere
    graded = dataclasses.replace(check, name="dictionary_to_vector",
                                 reference="dnn_autograder.course_helpers.gc_utils:dictionary_to_vector")
    observing = dataclasses.replace(check, observed={"forward_propagation_n": ("gc_utils.dictionary_to_vector",)})
    with pytest.raises(SpecError, match="graded function"):
        _no_graded_helpers(Path("spec.toml"), (graded, observing))
    _no_graded_helpers(Path("spec.toml"), (check,))  # the real spec passes


def test_a_case_is_handed_over_only_when_its_world_uses_that_helper() -> None:
    suite = build_suites(load_assignment("gradient_checking"))["gradient_check_n"]
    worlds = {item.case.world: suite.observed(item.case) for item in suite.expected}
    assert worlds == {"course-net": {"forward_propagation_n": "gc_utils.forward_propagation_n"},
                      "cubic-net": {"forward_propagation_n": "gc_worlds.cubic_net_cost"}}
    assert STAND_IN_KEPT_BYTES <= RECORDED_BYTES  # the child may send all the parent keeps
    one = dataclasses.replace(suite.spec, observed={"forward_propagation_n": ("gc_utils.forward_propagation_n",)})
    narrower = dataclasses.replace(suite, spec=one)
    assert {item.case.world: narrower.observed(item.case) for item in suite.expected}["cubic-net"] == {}


def test_the_spec_takes_one_helper_or_a_list(tmp_path: Path) -> None:
    both = 'observed = { forward_propagation_n = ["gc_utils.forward_propagation_n", "gc_worlds.cubic_net_cost"] }'
    root = _spec_with(tmp_path, both, 'observed = { forward_propagation_n = "gc_utils.forward_propagation_n" }')
    spec = load_assignment("gradient_checking", root).function("gradient_check_n")
    assert spec.observed == {"forward_propagation_n": ("gc_utils.forward_propagation_n",)}
    spec = load_assignment("gradient_checking").function("gradient_check_n")
    assert spec.observed == {"forward_propagation_n": ("gc_utils.forward_propagation_n", "gc_worlds.cubic_net_cost")}


def test_the_first_call_is_recorded_here_then_handed_over() -> None:
    suite = build_suites(load_assignment("gradient_checking"))["gradient_check_n"]
    item = next(item for item in suite.expected if item.case.world == "course-net")
    request = case_request(suite, item)
    args = (item.case.args["X"], item.case.args["Y"], item.case.args["parameters"])
    first = request.on_stand_in("forward_propagation_n", args, {})
    assert isinstance(first, Observed) and first.helper == "gc_utils.forward_propagation_n"
    assert first.check is suite.world(item.case)["forward_propagation_n"]  # what the child's answers must be
    assert first.kept_bytes == STAND_IN_KEPT_BYTES - retained_bytes(args)
    request.on_stand_in("forward_propagation_n", args, {})  # answered, no longer recorded here
    assert [name for name, _ in request.calls] == ["forward_propagation_n"]


def _record(recorded: tuple | None) -> CallRecord:
    return CallRecord("returned", None, (), None, None, (), "", 0.0, "returned", stand_in_calls=recorded)


def test_recorded_calls_follow_the_parents_within_the_budget() -> None:
    small, big = np.ones(3), np.zeros(STAND_IN_KEPT_BYTES // 8)  # big alone is over the budget
    recorded = (("f", (small,)), ("f", (big,)), ("f", None), ("g", (small, 2.0)))
    calls = stand_in_calls([("f", (np.ones(1),))], _record(recorded))
    assert [name for name, _ in calls] == ["f", "f", "f", "f", "g"]
    assert [len(args) for _, args in calls] == [1, 1, 0, 0, 2]
    np.testing.assert_array_equal(calls[1][1][0], small)
    assert calls[1][1][0] is not small  # its own copy, not a view of the frame
    assert stand_in_calls([("f", (1,))], _record(None)) == (("f", (1,)),)


#: A check that forgets the factor 2 of the two-sided difference and halves the helpers that answer
#: its stand-in in the sandbox (the child undoes a patch made at load, so it patches in the call):
#: its answers would then come out right.
_HALVED_HELPERS = '''\
import numpy as np
import gc_utils
import gc_worlds
from gc_utils import dictionary_to_vector, gradients_to_vector, vector_to_dictionary

_course, _cubic = gc_utils.forward_propagation_n, gc_worlds.cubic_net_cost


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    gc_utils.forward_propagation_n = lambda X, Y, p: (0.5 * _course(X, Y, p)[0], ())
    gc_worlds.cubic_net_cost = lambda X, Y, p: (0.5 * _cubic(X, Y, p)[0], ())
    forward_propagation_n(X, Y, parameters)  # the grader answers this one, then hands the rest over
    theta, _ = dictionary_to_vector(parameters)
    grad = gradients_to_vector(gradients)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = np.copy(theta), np.copy(theta)
        plus[i] += epsilon
        minus[i] -= epsilon
        J_plus, _ = forward_propagation_n(X, Y, vector_to_dictionary(plus))
        J_minus, _ = forward_propagation_n(X, Y, vector_to_dictionary(minus))
        approx[i] = (J_plus - J_minus) / epsilon
    return np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))
'''


def test_patching_the_helpers_in_the_sandbox_gains_no_marks(tmp_path: Path) -> None:
    from dnn_autograder.grader.grading.pipeline import grade_submission

    path = tmp_path / "gradient_checking.py"
    path.write_text(_HALVED_HELPERS)
    result = grade_submission(path, assignment="gradient_checking")
    check = next(f for a in result.assignments for f in a.functions if f.name == "gradient_check_n")
    assert check.status != "passed" and check.score == 0, (check.status, check.message)
    assert "tamper" in check.message and "gc_" in check.message, check.message
