"""Generic engine additions made for the *Deep Learning from Scratch* assignments: course-helper
copies left out of a submission, the numerical-gradient judgement limited to gradients, and the
message for a renamed keyword."""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.helper_copies import helper_copy
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.messages import error_message
from dnn_autograder.grader.grading.numerical_gradient import only_gradients_differ
from dnn_autograder.grader.model import Case, Mismatch, Step, Var


def test_copies_of_course_helper_modules_are_recognised_by_their_path():
    modules = frozenset({"reg_utils", "common", "common.functions", "common.util"})
    assert helper_copy("common/functions.py", modules) == "common.functions"
    assert helper_copy("ch06/common/util.py", modules) == "common.util"
    assert helper_copy("reg_utils.py", modules) == "reg_utils"
    assert helper_copy("common/__init__.py", modules) is None
    assert helper_copy("common/layers.py", modules) is None
    assert helper_copy("functions.py", modules) is None  # not under common/: the learner's own
    assert helper_copy("my_reg_utils.py", modules) is None
    assert helper_copy("common/functions.ipynb", modules) is None
    assert helper_copy("common\\functions.py", modules) == "common.functions"


def _affine_case() -> Case:
    return Case({"W": np.eye(2), "b": np.zeros(2), "x": np.ones((2, 2)), "dout": np.ones((2, 2))}, steps=(
        Step("Affine", args=(Var("W"), Var("b")), returns=("layer",)),
        Step("layer.forward", args=(Var("x"),), returns=("out",), compare=("out",)),
        Step("layer.backward", args=(Var("dout"),), returns=("dx",), compare=("dx", "layer.dW", "layer.db")),
    ))


def test_the_numerical_gradient_excuses_gradients_only():
    spec = load_assignment("dlfs_layers").function("Affine")
    case = _affine_case()
    gradients = [Mismatch("step 3: dx", "value", "differs"), Mismatch("step 3: layer.dW[0, 1]", "value", "differs")]
    assert only_gradients_differ(spec, case, gradients)
    assert not only_gradients_differ(spec, case, [*gradients, Mismatch("step 2: out", "value", "differs")])
    plain = load_assignment("dlfs_optimizers").function("SGD")  # no numerical_gradient table
    assert not only_gradients_differ(plain, case, gradients)


class _Record:
    outcome = "raised"
    error_type = "TypeError"
    message = "raised TypeError: SGD.__init__() got an unexpected keyword argument 'lr', at step 1: `opt = SGD(lr=lr)`"


class _Outcome:
    record = _Record()


def test_a_renamed_keyword_is_explained():
    text = error_message("SGD", _Outcome())
    assert "with the keyword `lr=`" in text and "Name the parameter `lr`." in text
    _Record.error_type = "ValueError"
    try:
        assert "Name the parameter" not in error_message("SGD", _Outcome())
    finally:
        _Record.error_type = "TypeError"
