"""Sample results for the export tests, built in code: every function status, a submission
that could not be read, and hostile text (markup, control characters, lone surrogates,
spreadsheet formulas) wherever students control it."""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.model import (
    AssignmentResult,
    Counterexample,
    FunctionResult,
    Mismatch,
    SubmissionResult,
)

HOSTILE = "<b>&amp;</b> \"quoted\" 'single' ]]> \x00\x07\x1b[31m \ufffe \ud800 =1+2 \u2713"


def function(name: str, status: str, score: float, max_score: float = 2.0,
             **extra: object) -> FunctionResult:
    return FunctionResult(name, score, max_score, status, duration_s=0.25, **extra)


def optimization(score_adam: float = 0.0) -> AssignmentResult:
    example = Counterexample(
        inputs={"t": 2, "v": {"dW1": np.array([[1.0, 2.0]])}},
        expected={"W1": np.array([[0.5, 0.25]])},
        got={"W1": np.array([[0.5, np.nan]])},
        mismatches=(Mismatch('parameters["W1"]', "value", "1 of 2 elements differ",
                             (("(0, 1)", "nan", "0.25"),)),),
        label="generated",
    )
    functions = (
        function("update_parameters_with_gd", "passed", 2.0),
        function("update_parameters_with_adam", "failed", score_adam, 3.0,
                 diagnoses=("adam-no-bias-correction",), message="Your Adam update forgot"
                 " the bias correction.\nSecond line.", counterexample=example,
                 output="printed " + HOSTILE),
        function("random_mini_batches", "error", 0.0, message="raised ValueError: " + HOSTILE,
                 traceback=("Traceback (most recent call last):", "ValueError: bad")),
        function("initialize_velocity", "missing", 0.0, 1.0, message="not defined"),
    )
    score = sum(f.score for f in functions)
    return AssignmentResult("optimization", "Optimization", score, 8.0, functions, source="x.ipynb")


def regularization(score: float = 10.0) -> AssignmentResult:
    functions = (function("compute_cost_with_regularization", "passed", 2.0),
                 function("backward_propagation_with_regularization", "passed", 2.0),
                 function("forward_propagation_with_dropout", "passed", 3.0, 3.0),
                 function("backward_propagation_with_dropout",
                          "passed" if score == 10.0 else "failed", score - 7.0, 3.0))
    return AssignmentResult("regularization", "Regularization", score, 10.0, functions)


def submission(student: str, *assignments: AssignmentResult,
               error: str | None = None) -> SubmissionResult:
    return SubmissionResult(
        submission=f"class/{student}", student=student,
        score=sum(a.score for a in assignments), max_score=sum(a.max_score for a in assignments),
        assignments=assignments, error=error, grader_version="0.1.0",
        graded_at="2024-05-06T07:08:09+00:00", duration_s=1.5, notes=("a note " + HOSTILE,),
    )


def class_results() -> list[SubmissionResult]:
    """Four students: two assignments, one assignment, hostile id, unreadable."""
    return [
        submission("alice", optimization(1.5), regularization()),
        submission("bob", regularization(8.0)),
        submission("=HYPERLINK(\"x\") <evil> \x1b caf\udce9", optimization(3.0)),
        submission("dave.ipynb", error="dave.ipynb is not valid notebook JSON " + HOSTILE),
    ]
