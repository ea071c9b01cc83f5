"""What is specific to the activations bank (the contract every assignment keeps is in
``test_assignment_contract.py``: there every catalogued mistake is caught, so none is an accepted variant):

* at ReLU's and leaky ReLU's kink either one-sided derivative is accepted (the spec's ``accept``), and the
  cases do reach ``Z == 0`` with a nonzero ``dA``, where the two differ;
* the stability cases are reached: ``|Z| >= 710`` (where ``exp`` overflows) for every function with an
  exponential, and the reference stays finite there;
* a wrong forward function costs its own points only: ``sigmoid_backward`` and ``tanh_backward`` get the
  right forward function through their stand-ins.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.normalise import compare_outputs
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.handouts.mutant_submissions import master_parts

SPEC = load_assignment("activations")
SUITES = build_suites(SPEC)
KINKED = ("relu_backward", "leaky_relu_backward")
#: the right derivative at 0, as a student writing ``Z >= 0`` computes it
RIGHT_DERIVATIVE = {
    "relu_backward": lambda dA, Z, alpha=0.0: np.where(Z >= 0, dA, 0.0),
    "leaky_relu_backward": lambda dA, Z, alpha=0.01: np.where(Z >= 0, dA, alpha * dA),
}
OVERFLOW = 710.0  # np.exp(710) is inf in float64


@pytest.mark.parametrize("function", KINKED)
def test_the_right_derivative_at_the_kink_is_accepted_and_exercised(function):
    suite = SUITES[function]
    exercised = 0
    for item in suite.expected:
        got = {"dZ": RIGHT_DERIVATIVE[function](*item.case.args.values())}
        assert suite.accepted(item.case, got) or not compare_outputs(item.outputs, got, rtol=suite.spec.rtol,
                                                                      atol=suite.spec.atol), item.case.label
        Z, dA = item.case.args["Z"], item.case.args["dA"]
        exercised += bool(np.any((Z == 0) & (dA != 0)))
    assert exercised >= 1, "no case has Z == 0 with dA != 0: the variant is never tried"


@pytest.mark.parametrize("function", ["sigmoid", "sigmoid_backward", "tanh", "tanh_backward", "softmax",
                                      "log_softmax"])
def test_the_overflow_cases_are_reached_and_the_reference_is_finite_there(function):
    large = [item for item in SUITES[function].expected if np.max(np.abs(item.case.args["Z"])) >= OVERFLOW]
    assert len(large) >= 2, f"{function}: too few cases where exp overflows"
    for item in large:
        assert all(np.all(np.isfinite(value)) for value in item.outputs.values()), item.case.label


def submission(tmp_path: Path, replace: dict[str, str]) -> Path:
    """The master's functions as a .py submission, with some of them replaced by the given source."""
    imports, functions = master_parts(SPEC.folder / "master.ipynb", SPEC.function_names)
    functions.update(replace)
    path = tmp_path / "activations_submission.py"
    path.write_text("\n".join(imports) + "\n\n" + "\n\n".join(functions.values()) + "\n", encoding="utf-8")
    return path


def scores(result) -> dict[str, float]:
    (graded,) = [a for a in result.assignments if a.assignment == "activations"]
    return {f.name: f.score for f in graded.functions}


def test_variants_at_the_kink_score_full_marks_end_to_end(tmp_path, sandbox):
    path = submission(tmp_path, {
        "relu_backward": "def relu_backward(dA, Z):\n    dZ = np.array(dA, copy=True)\n    dZ[Z < 0] = 0\n"
                         "    return dZ\n",
        "leaky_relu_backward": "def leaky_relu_backward(dA, Z, alpha=0.01):\n"
                               "    return np.where(Z >= 0, dA, alpha * dA)\n",
    })
    result = grade_submission(path, assignment="activations", sandbox=sandbox)
    assert result.score == SPEC.max_score, scores(result)


def test_a_wrong_sigmoid_costs_once(tmp_path, sandbox):
    path = submission(tmp_path, {
        # not the sign error: sigmoid(-Z) has the same s * (1 - s), so it would not show
        "sigmoid": "def sigmoid(Z):\n    return 1 / (1 + np.exp(-2 * Z))\n",
        "tanh": "def tanh(Z):\n    return 2 / (1 + np.exp(-Z)) - 1\n",
    })
    got = scores(grade_submission(path, assignment="activations", sandbox=sandbox))
    assert got["sigmoid"] == 0 and got["tanh"] == 0
    assert got["sigmoid_backward"] == 1 and got["tanh_backward"] == 1
