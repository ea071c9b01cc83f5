"""Mistakes the course's own published checks let through are named (issue 12).

Each student below is written by hand the way learners write the mistake (not the catalogue's
mutant). For each: the notebook's own check passes (the student agrees with the reference on the
notebook's example, on the quantities the notebook checks), the grader still fails the function,
and names the catalogued mistake.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.assignments.gradient_checking.cases import WORLDS
from dnn_autograder.grader.assignment.catalogue_index import all_mistakes, mistakes_by_function, property_check
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.grade_function import grade_function
from dnn_autograder.grader.grading.suite import build_suites

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "grader"))
from inprocess import InProcessSandbox  # noqa: E402

CHECK_INLINE_J = '''
import numpy as np

def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    thetaplus = theta + epsilon
    thetaminus = theta - epsilon
    J_plus = np.dot(thetaplus, x)
    J_minus = np.dot(thetaminus, x)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = backward_propagation(x, theta)
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator
'''

CHECK_GRAD_IS_X = '''
import numpy as np

def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    J_plus = forward_propagation(x, theta + epsilon)
    J_minus = forward_propagation(x, theta - epsilon)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)
    grad = x
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator
'''

L2_ON_DB3 = '''
import numpy as np

def backward_propagation_with_regularization(X, Y, cache, lambd):
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    dZ3 = A3 - Y
    dW3 = 1. / m * np.dot(dZ3, A2.T) + (lambd / m) * W3
    db3 = 1. / m * np.sum(dZ3, axis=1, keepdims=True) + (lambd / m) * b3
    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1. / m * np.dot(dZ2, A1.T) + (lambd / m) * W2
    db2 = 1. / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1. / m * np.dot(dZ1, X.T) + (lambd / m) * W1
    db1 = 1. / m * np.sum(dZ1, axis=1, keepdims=True)
    return {"dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
            "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1}
'''

SCHEDULE_ONLY_AT_MULTIPLES = '''
import numpy as np

def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    learning_rate = learning_rate0
    if epoch_num % time_interval == 0:
        learning_rate = learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))
    return learning_rate
'''

SCHEDULE_ROUNDED = '''
import numpy as np

def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * np.round(epoch_num / time_interval))
'''

MOMENTUM_WITHOUT_HISTORY = '''
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        v["dW" + str(l)] = (1 - beta) * grads["dW" + str(l)]
        v["db" + str(l)] = (1 - beta) * grads["db" + str(l)]
        parameters["W" + str(l)] = parameters["W" + str(l)] - learning_rate * v["dW" + str(l)]
        parameters["b" + str(l)] = parameters["b" + str(l)] - learning_rate * v["db" + str(l)]
    return parameters, v
'''

ADAM_FROZEN_FIRST_MOMENT = '''
import numpy as np

def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9,
                                beta2=0.999, epsilon=1e-8):
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            k = "d" + p + str(l)
            v[k] = beta1 * v[k] + (1 - beta1) * v[k]
            s[k] = beta2 * s[k] + (1 - beta2) * np.power(grads[k], 2)
            v_corrected[k] = v[k] / (1 - beta1 ** t)
            s_corrected[k] = s[k] / (1 - beta2 ** t)
            parameters[p + str(l)] = parameters[p + str(l)] - learning_rate * v_corrected[k] / (
                np.sqrt(s_corrected[k]) + epsilon)
    return parameters, v, s, v_corrected, s_corrected
'''

#: (assignment, function, student source, the catalogued id, outputs the notebook's check looks at)
BLIND_SPOTS = [
    ("gradient_checking", "gradient_check", CHECK_INLINE_J, "gradcheck-hardcoded-model", None),
    ("gradient_checking", "gradient_check", CHECK_GRAD_IS_X, "gradcheck-hardcoded-model", None),
    ("regularization", "backward_propagation_with_regularization", L2_ON_DB3, "l2-grad-on-some-bias",
     ("dW1", "dW2", "dW3")),
    ("optimization", "schedule_lr_decay", SCHEDULE_ONLY_AT_MULTIPLES, "lr-schedule-only-at-multiples", None),
    ("optimization", "schedule_lr_decay", SCHEDULE_ROUNDED, "lr-schedule-rounds", None),
    ("optimization", "update_parameters_with_momentum", MOMENTUM_WITHOUT_HISTORY, "momentum-forgets-velocity",
     None),
]
IDS = ["inline-J", "grad-is-x", "l2-db3", "only-at-multiples", "rounded", "momentum-no-history"]


def _grade(assignment: str, function: str, source: str):
    spec = load_assignment(assignment)
    session = InProcessSandbox().session([source])
    suite = build_suites(spec)[function]
    return grade_function(session, suite, mistakes_by_function(spec)[function], property_check(spec, function))


def _notebook_case_agrees(assignment, function, source, checked) -> bool:
    """The student agrees with the reference on the notebook's own example (the bank's edge
    case labelled "the notebook's"), on the outputs the notebook checks."""
    suite = build_suites(load_assignment(assignment))[function]
    (item, *_) = [i for i in suite.expected if "the notebook's" in i.case.label]
    namespace: dict = {}
    exec(compile(source, "<student>", "exec"), namespace)  # noqa: S102 - the test's own code
    namespace.update(suite.world(item.case))
    got = namespace[function](*[np.copy(v) if isinstance(v, np.ndarray) else _copy(v)
                                for v in item.case.args.values()])
    expected = item.outputs[suite.spec.returns[0]]
    if isinstance(got, tuple):
        got = got[0]
        expected = item.outputs[suite.spec.returns[0]]
    if checked is None:
        return bool(np.allclose(np.asarray(got, float) if not isinstance(got, dict) else 0,
                                np.asarray(expected, float) if not isinstance(expected, dict) else 0,
                                rtol=1e-4, atol=1e-7)) and _dicts_agree(expected, got)
    return all(np.allclose(got[k], expected[k]) for k in checked)


def _copy(value):
    return {k: np.copy(v) for k, v in value.items()} if isinstance(value, dict) else value


def _dicts_agree(expected, got) -> bool:
    if not isinstance(expected, dict):
        return True
    return all(np.allclose(got[k], expected[k]) for k in expected)


@pytest.mark.parametrize(("assignment", "function", "source", "mistake_id", "checked"), BLIND_SPOTS, ids=IDS)
def test_the_notebook_check_passes_but_the_mistake_is_named(assignment, function, source, mistake_id, checked):
    assert _notebook_case_agrees(assignment, function, source, checked), "the premise: the course's check passes"
    result = _grade(assignment, function, source)
    assert result.score == 0.0
    assert mistake_id in result.diagnoses, (result.diagnoses, result.message)


def test_a_frozen_first_moment_is_named():
    result = _grade("optimization", "update_parameters_with_adam", ADAM_FROZEN_FIRST_MOMENT)
    assert "adam-first-moment-frozen" in result.diagnoses, (result.diagnoses, result.message)


@pytest.mark.parametrize("mistake_id", ["gradcheck-hardcoded-model", "l2-grad-on-some-bias",
                                        "lr-schedule-only-at-multiples", "lr-schedule-rounds",
                                        "momentum-forgets-velocity", "adam-first-moment-frozen"])
def test_the_explanation_says_why_the_course_check_did_not_catch_it(mistake_id):
    mistakes = {m_id: m for name in ("gradient_checking", "regularization", "optimization")
                for m_id, m in all_mistakes(load_assignment(name)).items()}
    text = mistakes[mistake_id].explanation.lower()
    assert "notebook" in text or "course" in text
    assert "pass" in text or "slip" in text


def test_the_worlds_include_one_where_a_hardcoded_check_is_wrong():
    """The premise of the gradient-check diagnosis: a world whose backward pass is wrong."""
    assert "wrong-gradient" in WORLDS
