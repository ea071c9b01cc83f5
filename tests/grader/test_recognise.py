"""recognise(): the assignment of a file from the graded functions it defines."""

from __future__ import annotations

import pytest

from dnn_autograder.grader.assignment.recognise import recognise
from dnn_autograder.grader.assignment.spec import load_all


@pytest.mark.parametrize(
    ("defined", "hints", "expected"),
    [
        pytest.param({"update_parameters_with_adam", "update_lr"}, {}, ("optimization",), id="optimization"),
        pytest.param({"gradient_check_n"}, {}, ("gradient_checking",), id="one-distinctive-name"),
        pytest.param({"forward_propagation", "backward_propagation"}, {}, (), id="helper-names-alone-prove-nothing"),
        pytest.param({"forward_propagation", "compute_cost_with_regularization"}, {}, ("regularization",),
                     id="copied-helper-does-not-add-gradient-checking"),
        pytest.param(set(), {"file_stem": "Initialization_v3"}, ("initialization",), id="file-name-hint"),
        pytest.param(set(), {"assignment": "optimization"}, ("optimization",), id="metadata-hint"),
        pytest.param(set(), {"file_stem": "homework"}, (), id="nothing"),
        pytest.param({"initialize_parameters_he", "initialize_parameters_random", "update_lr", "schedule_lr_decay",
                      "initialize_adam"}, {},
                     ("optimization", "initialization"), id="two-assignments-in-one-file"),
    ],
)
def test_recognise(defined, hints, expected):
    assert recognise(defined, load_all(), hints) == expected
