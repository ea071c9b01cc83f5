"""A graded function's ``calls`` request is encoded once per process (``FunctionSuite.calls``)
and sent as it is to every student: that is only right while nothing writes into the cases'
arguments. Grade students who write into their arguments, get a catalogued mistake (diagnosis,
showcase), an unknown bug (shrinking: more calls of the function) and a report, then check that
every case's arguments would still be encoded to the very bytes that were kept."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.outputs.exports.class_outputs import write_student_report
from dnn_autograder.grader.sandbox import Limits, Sandbox
from dnn_autograder.grader.sandbox import session as session_module
from dnn_autograder.grader.sandbox.requests import encode_run

REPO = Path(__file__).resolve().parents[2]
COMMON = {"op": "calls", "fn": "f"}

#: gd writes into its arguments (in the child) and gets the biases' step backwards; momentum has
#: an unknown bug (shrunk: more calls of the function in the parent's session)
STUDENT = '''\
import numpy as np


def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] -= -learning_rate * grads["db" + str(l)]
    return parameters


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            key = p + str(l)
            v["d" + key] = beta * v["d" + key] + (1 - beta) * grads["d" + key] * 1.01
            parameters[key] = parameters[key] - learning_rate * v["d" + key]
    return parameters, v
'''


def _fresh_frames(suites: Any) -> dict[str, bytes]:
    """Every batched function's cases, encoded now from the suite's argument objects."""
    return {name: encode_run(list(suite.calls), 0, 1 << 40, 1 << 30).frame(COMMON)
            for name, suite in suites.items() if not any(item.case.steps for item in suite.expected)}


@pytest.fixture(scope="module")
def box() -> Any:
    with Sandbox(Limits(call_timeout_s=2.0)) as sandbox:
        yield sandbox


def test_kept_requests_match_the_arguments_after_grading(box: Any, tmp_path: Path) -> None:
    suites = build_suites(load_assignment("optimization"))
    before = _fresh_frames(suites)
    assert before, "no batched function to check"
    student = tmp_path / "optimization.py"
    student.write_text(STUDENT)
    example = REPO / "examples" / "submission" / "Optimization_methods.ipynb"
    results = [grade_submission(path, assignment="optimization", sandbox=box) for path in (student, example, student)]
    for result in results:
        write_student_report(Path(tempfile.mkdtemp(dir=tmp_path)), result)
    functions = {f.name: f for f in results[0].assignments[0].functions}
    assert functions["update_parameters_with_momentum"].status == "failed"
    assert functions["update_parameters_with_gd"].status == "failed"
    assert _fresh_frames(suites) == before  # no argument object changed
    caps = (session_module.BATCH_BYTES, session_module.BATCH_CALLS)
    for name, frame in before.items():  # and the kept requests are what the arguments encode to
        assert (0, *caps) in suites[name].calls.kept  # grading sent the kept request
        kept = suites[name].calls.run(0, *caps)
        assert kept.end == len(suites[name].expected)  # one request per function here
        assert kept.frame(COMMON) == frame
        assert suites[name].calls.run(0, *caps) is kept
