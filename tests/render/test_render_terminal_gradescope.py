"""The terminal table and the Gradescope text say what the report says (issue 12): a recognised
mistake by its title and one-line fix (never its bare id), each explanation once, and function
names whole."""

from __future__ import annotations

import io

from rich.console import Console

from dnn_autograder.grader.assignment.catalogue_data import read_catalogue
from dnn_autograder.grader.grading.messages import diagnosis_text
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult
from dnn_autograder.grader.outputs.exports.gradescope import function_output
from dnn_autograder.grader.outputs.terminal import print_submission

ADAM = "adam-no-bias-correction"


def _adam_entry():
    return read_catalogue("optimization")[ADAM]


def _result() -> SubmissionResult:
    entry = _adam_entry()
    functions = (
        FunctionResult("update_parameters_with_momentum", 0.0, 1.0, "failed", (),
                       "Wrong result on 3 of 40 test cases. On the smallest failing case, `v[\"dW1\"]` is wrong.",
                       cases_run=40, cases_passed=37, checks=("exact",)),
        FunctionResult("update_parameters_with_adam", 0.0, 2.0, "failed", (ADAM,),
                       "Wrong result on 36 of 46 test cases. " + diagnosis_text([entry]),
                       cases_run=46, cases_passed=10, checks=("exact",)),
    )
    assignment = AssignmentResult("optimization", "Optimization Methods", 0.0, 3.0, functions)
    return SubmissionResult("alice.ipynb", 0.0, 3.0, (assignment,))


def _printed(width: int) -> str:
    out = io.StringIO()
    print_submission(_result(), Console(file=out, width=width, no_color=True, legacy_windows=False))
    return out.getvalue()


def test_terminal_names_the_mistake_and_its_fix_not_its_id() -> None:
    entry = _adam_entry()
    narrow = " ".join(_printed(80).split())  # reasons printed below the table, as plain lines
    assert f"update_parameters_with_adam: {entry.title}. Fix: {' '.join(entry.fix.split())}" in narrow
    wide = _printed(160)  # reasons in the table's last column
    assert entry.title in wide and "Fix:" in wide
    for text in (narrow, wide):
        assert ADAM not in text


def test_terminal_never_cuts_function_names() -> None:
    for width in (80, 100):
        text = _printed(width)
        assert "\u2026" not in text
        for name in ("update_parameters_with_momentum", "update_parameters_with_adam"):
            assert name in text, (width, text)


def test_gradescope_says_each_explanation_once_with_the_title() -> None:
    entry = _adam_entry()
    adam = _result().assignments[0].functions[1]
    text = function_output(adam, "optimization")
    assert text.count(entry.explanation) == 1, text
    assert text.count(entry.title) == 1, text
    assert "Recognised mistakes:" not in text
    assert "Wrong result on 36 of 46 test cases." in text
