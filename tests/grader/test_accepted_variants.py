"""Spec-level accepted variants (``accept``): another right answer passes, a near miss does not."""

from __future__ import annotations

import numpy as np
import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.pipeline import grade_assignment
from dnn_autograder.grader.grading.suite import build_suites

BODY = '''
import numpy as np

def relu_backward(dA, Z):
    return np.where(Z {op} 0, dA, 0.0)

def leaky_relu_backward(dA, Z, alpha=0.01):
    return np.where(Z {op} 0, dA, alpha * dA)
'''


@pytest.fixture(scope="module")
def spec():
    return load_assignment("activations")


def test_the_bank_reaches_the_kink(spec):
    """Without a case at Z == 0 exactly the variant would be accepted vacuously."""
    suite = build_suites(spec)["relu_backward"]
    assert any(np.any(np.asarray(item.case.args["Z"]) == 0) for item in suite.expected)


@pytest.mark.parametrize("op, status", [(">", "passed"), (">=", "passed"), ("<", "failed")])
def test_either_one_sided_derivative_passes(spec, sandbox, tmp_path, op, status):
    path = tmp_path / "activations.py"
    path.write_text(BODY.format(op=op), encoding="utf-8")
    result = grade_assignment(spec, extract_file(path), sandbox)
    graded = {f.name: f for f in result.functions}
    for name in ("relu_backward", "leaky_relu_backward"):
        assert graded[name].status == status, graded[name].message
    if op == ">=":
        assert "accepted variant" in graded["relu_backward"].checks
