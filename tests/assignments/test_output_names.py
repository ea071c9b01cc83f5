"""Tuple items are labelled with the course's names (issue 12): ``A1 (in cache)``, not ``cache[2]``."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.evaluate import evaluate_case
from dnn_autograder.grader.grading.labels import named_path
from dnn_autograder.grader.grading.suite import build_suites

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grader"))
from inprocess import InProcessSandbox  # noqa: E402

COURSE_ASSIGNMENTS = ("initialization", "regularization", "gradient_checking", "optimization")
#: the course's docstring: cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
DROPOUT_CACHE = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
#: the course's forward_propagation (reg_utils): cache = (z1, a1, W1, b1, z2, a2, W2, b2, z3, a3, W3, b3)
L2_CACHE = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")


def test_the_dropout_cache_is_named_as_in_the_course():
    names = load_assignment("regularization").function("forward_propagation_with_dropout").item_names
    assert tuple(names["cache"]) == DROPOUT_CACHE


@pytest.mark.parametrize(("function", "expected"), [
    ("backward_propagation_with_regularization", L2_CACHE),
    ("backward_propagation_with_dropout", DROPOUT_CACHE),
])
def test_the_backward_caches_are_named_as_in_the_course(function, expected):
    assert tuple(load_assignment("regularization").function(function).item_names["cache"]) == expected


def test_mini_batch_pairs_are_named():
    names = load_assignment("optimization").function("random_mini_batches").item_names
    assert named_path("mini_batches[3][1]", names) == "mini_batch_Y (in mini_batches[3])"


def test_named_tuples_match_the_reference_outputs():
    """Every named tuple output has exactly as many names as the reference returns items."""
    for assignment in map(load_assignment, COURSE_ASSIGNMENTS):
        suites = build_suites(assignment)
        for spec in assignment.functions:
            for name in (n for n in spec.item_names if n in spec.returns):
                value = suites[spec.name].expected[0].outputs[name]
                assert len(value) == len(spec.item_names[name]), (spec.name, name)


def test_paths_without_names_are_unchanged():
    assert named_path('parameters["W1"]', {"cache": ("Z1",)}) == 'parameters["W1"]'
    assert named_path("cache[5]", {"cache": ("Z1",)}) == "cache[5]"


STUDENT_WRONG_A1 = '''
import numpy as np

def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    np.random.seed(1)
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    A1 = np.maximum(Z1, 0)
    D1 = (np.random.rand(*A1.shape) < keep_prob).astype(int)
    A1 = A1 * D1 / keep_prob
    Z2 = W2 @ A1 + b2
    A2 = np.maximum(Z2, 0)
    D2 = (np.random.rand(*A2.shape) < keep_prob).astype(int)
    A2 = A2 * D2 / keep_prob
    Z3 = W3 @ A2 + b3
    A3 = 1 / (1 + np.exp(-Z3))
    cache = (Z1, D1, A1 + 1.0, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache
'''


def test_a_dropout_forward_mismatch_is_labelled_with_the_course_name():
    """Compared exactly (no property check), the wrong cached A1 is reported as ``A1``."""
    suite = build_suites(load_assignment("regularization"))["forward_propagation_with_dropout"]
    session = InProcessSandbox().session([STUDENT_WRONG_A1])
    item = next(i for i in suite.expected if np.size(i.case.args["X"]) > 0)
    outcome = evaluate_case(session, suite, item, properties=None)
    labels = [m.where for m in outcome.mismatches]
    assert labels and all("cache[" not in where for where in labels), labels
    assert any(where.startswith("A1") for where in labels), labels


def _graded_dropout(properties):
    from dnn_autograder.grader.grading.grade_function import grade_function
    from dnn_autograder.grader.model import AssignmentResult, SubmissionResult

    spec = load_assignment("regularization")
    suite = build_suites(spec)["forward_propagation_with_dropout"]
    session = InProcessSandbox().session([STUDENT_WRONG_A1])
    function = grade_function(session, suite, (), properties)
    assignment = AssignmentResult("regularization", "Regularization", 0.0, 3.0, (function,))
    return function, SubmissionResult("bob.py", 0.0, 3.0, (assignment,))


def test_the_report_json_and_gradescope_use_the_course_names():
    import json

    from dnn_autograder.grader.assignment.catalogue_index import property_check
    from dnn_autograder.grader.outputs.exports.gradescope import function_output
    from dnn_autograder.grader.outputs.render.html import render_report
    from dnn_autograder.grader.outputs.results_json import submission_dict

    spec = load_assignment("regularization")
    function, result = _graded_dropout(property_check(spec, "forward_propagation_with_dropout"))
    assert function.status == "failed"
    html = render_report(result, draw=False)
    assert "A1 (in cache)" in html and "D1 (in cache)" in html
    assert "cache[2]" not in html and "cache[1]" not in html

    function, result = _graded_dropout(None)  # compared exactly: the mismatches themselves are labelled
    text = json.dumps(submission_dict(result))
    assert "A1 (in cache)" in text and "cache[2]" not in text
    assert "A1 (in cache)" in function_output(function)
