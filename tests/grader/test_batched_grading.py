"""Grading a function's cases as one batch (``Session.call_each``) gives the results of grading
them one call at a time: the same verdicts, cases run, diagnoses, messages and evidence."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.outputs.results_json import submission_dict
from dnn_autograder.grader.sandbox import Limits, Sandbox
from dnn_autograder.grader.sandbox.session import Session

REPO = Path(__file__).resolve().parents[2]

#: raises on most cases (the grader stops after a few), loops on every case (a timeout stops it),
#: and a correct one, so the batch's stop rules meet the one-at-a-time loop's
STUDENT = '''\
import numpy as np


def update_lr(learning_rate0, epoch_num, decay_rate):
    if epoch_num > 1:
        raise ValueError("epoch_num too large")
    return learning_rate0 / (1 + decay_rate * epoch_num)


def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    while True:
        pass


def update_parameters_with_gd(parameters, grads, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * grads["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * grads["db" + str(l)]
    return parameters
'''


def _comparable(result: Any) -> str:
    """A submission's result as JSON (arrays written out), without its timings."""
    assignments = []
    for assignment in result.assignments:
        functions = tuple(dataclasses.replace(f, duration_s=0.0) for f in assignment.functions)
        assignments.append(dataclasses.replace(assignment, functions=functions))
    plain = dataclasses.replace(result, assignments=tuple(assignments), duration_s=0.0, graded_at="")
    return json.dumps(submission_dict(plain), sort_keys=True, default=str)


@pytest.fixture(scope="module")
def box() -> Any:
    with Sandbox(Limits(call_timeout_s=0.5)) as sandbox:
        yield sandbox


@pytest.mark.parametrize("submission", ["example", "hostile"])
def test_batched_and_one_at_a_time_agree(submission: str, box: Any, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if submission == "example":
        path = REPO / "examples" / "submission" / "Optimization_methods.ipynb"
    else:
        path = tmp_path / "optimization.py"
        path.write_text(STUDENT)
    batched = grade_submission(path, assignment="optimization", sandbox=box)
    sent: list[str] = []
    original = Session.call

    def counted(self: Session, function: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(function)
        return original(self, function, *args, **kwargs)

    monkeypatch.setattr(Session, "call", counted)
    monkeypatch.delattr(Session, "call_each")  # grade_function falls back to one call per case
    single = grade_submission(path, assignment="optimization", sandbox=box)
    assert sent, "the fallback made no single calls"
    assert _comparable(batched) == _comparable(single)
    functions = {f.name: f for a in batched.assignments for f in a.functions}
    if submission == "hostile":
        assert functions["update_lr"].status == "error" and functions["update_lr"].cases_run < 10
        assert functions["schedule_lr_decay"].cases_run == 1
        assert "timed out" in functions["schedule_lr_decay"].message
        assert functions["update_parameters_with_gd"].status == "passed"
    else:
        assert functions["update_parameters_with_adam"].diagnoses == ("adam-no-bias-correction",)
