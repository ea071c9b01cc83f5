"""normalise(): returned or in-place updates, accepted tuple prefixes."""

from __future__ import annotations

import numpy as np

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.normalise import normalise


def adam():
    return load_assignment("optimization").function("update_parameters_with_adam")


def test_full_tuple_is_named():
    spec = adam()
    out = normalise(spec, (1, 2, 3, 4, 5), {})
    assert out.problem is None
    assert out.outputs == {"parameters": 1, "v": 2, "s": 3, "v_corrected": 4, "s_corrected": 5}


def test_older_three_tuple_is_accepted():
    out = normalise(adam(), (1, 2, 3), {})
    assert out.problem is None
    assert set(out.outputs) == {"parameters", "v", "s"}


def test_two_tuple_is_rejected_with_the_expected_forms():
    out = normalise(adam(), (1, 2), {})
    assert out.problem is not None
    assert "3 or 5" in out.problem.summary


def test_in_place_update_without_return_uses_arguments_after_the_call():
    spec = load_assignment("optimization").function("update_parameters_with_gd")
    params = {"W1": np.ones((1, 1))}
    out = normalise(spec, None, {"parameters": params, "grads": {}})
    assert out.outputs == {"parameters": params}


def test_a_dict_where_a_tuple_is_expected_is_a_type_problem():
    out = normalise(adam(), {"W1": 1}, {})
    assert out.problem is not None and out.problem.kind == "type"
