"""Gradient checking: warm-up, the N-dimensional check and the correct backward pass."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference_testkit import (
    PROPERTY_SETTINGS,
    assert_close,
    assert_unchanged,
    numerical_gradient,
    snapshot,
)

from dnn_autograder.reference import (
    GRADIENT_CHECK_THRESHOLD,
    backward_propagation,
    backward_propagation_n,
    dictionary_to_vector,
    forward_propagation,
    forward_propagation_n,
    gradient_check,
    gradient_check_n,
    gradients_to_vector,
    relative_difference,
    vector_to_dictionary,
)


def course_case_n():
    """The notebook's N-dimensional case: seed 1, x (4, 3), y = [1, 1, 0], then parameters."""
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    shapes = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    return x, y, {k: np.random.randn(*shape) for k, shape in shapes.items()}


def buggy_course_gradients(gradients, m):
    """The notebook's planted bugs: dW2 doubled, db1 computed with 4/m instead of 1/m."""
    return {**gradients, "dW2": gradients["dW2"] * 2, "db1": 4.0 / m * np.sum(
        gradients["dZ1"], axis=1, keepdims=True)}


def test_warm_up_values():
    assert forward_propagation(2, 4) == 8
    assert backward_propagation(2, 4) == 2
    difference = gradient_check(2, 4)
    assert difference < 1e-9, f"warm-up difference {difference}"
    # Published: 2.919335883291695e-10 (the value depends on rounding of J(theta +- eps)).
    assert_close("gradient_check(2, 4) (published)", difference, 2.919335883291695e-10, rtol=1e-3)


def test_warm_up_hook_with_wrong_derivative_gives_one_third():
    # grad = 2x, gradapprox = x  =>  |2x - x| / (|2x| + |x|) = 1/3 exactly.
    difference = gradient_check(3.0, 1.5, backward_propagation=lambda x, theta: 2 * x)
    assert_close("difference with a doubled derivative", difference, 1 / 3, rtol=1e-6)


@pytest.mark.parametrize(("backward", "word"), [
    (backward_propagation, "perfectly"),
    (lambda x, theta: x + 1, "mistake"),
], ids=["correct", "off-by-one"])
def test_print_msg_verdict(capsys, backward, word):
    gradient_check(2.0, 4.0, print_msg=True, backward_propagation=backward)
    out = capsys.readouterr().out
    assert word in out and "difference" in out and out.count("\n") == 1, out
    gradient_check(2.0, 4.0, backward_propagation=backward)
    assert capsys.readouterr().out == "", "nothing printed without print_msg"


def test_backward_n_matches_central_differences():
    x, y, params = course_case_n()
    _, cache = forward_propagation_n(x, y, params)
    grads = backward_propagation_n(x, y, cache)
    for name in params:
        def cost_of(value, name=name):
            return forward_propagation_n(x, y, {**params, name: value})[0]
        assert_close(f'd{name} vs central differences of forward_propagation_n',
                     grads["d" + name], numerical_gradient(cost_of, params[name]),
                     rtol=1e-5, atol=1e-8)


def test_forward_n_cost_written_out():
    x, y, params = course_case_n()
    cost, cache = forward_propagation_n(x, y, params)
    a1 = np.maximum(params["W1"] @ x + params["b1"], 0)
    a2 = np.maximum(params["W2"] @ a1 + params["b2"], 0)
    a3 = 1 / (1 + np.exp(-(params["W3"] @ a2 + params["b3"])))
    expected = -np.mean(y * np.log(a3) + (1 - y) * np.log(1 - a3))
    assert_close("forward_propagation_n cost", cost, expected, rtol=1e-12)
    assert len(cache) == 12
    assert_close("cache A3", cache[9], a3, rtol=1e-12)


def test_gradient_check_n_correct_and_published_buggy_values():
    x, y, params = course_case_n()
    _, cache = forward_propagation_n(x, y, params)
    grads = backward_propagation_n(x, y, cache)
    difference = gradient_check_n(params, grads, x, y)
    assert difference < GRADIENT_CHECK_THRESHOLD, f"correct gradients gave {difference}"
    buggy = gradient_check_n(params, buggy_course_gradients(grads, x.shape[1]), x, y)
    # The notebook prints 0.2850931567761624 for its planted bugs.
    assert_close("gradient_check_n with the notebook's bugs (published)", buggy,
                 0.2850931567761624, rtol=1e-9)


def test_gradient_check_n_equals_independent_computation():
    x, y, params = course_case_n()
    _, cache = forward_propagation_n(x, y, params)
    grads = buggy_course_gradients(backward_propagation_n(x, y, cache), x.shape[1])
    theta, keys = dictionary_to_vector(params)
    assert len(keys) == 47 and keys[:20] == ["W1"] * 20 and keys[-1] == "b3"
    numeric = numerical_gradient(
        lambda t: forward_propagation_n(x, y, vector_to_dictionary(t))[0], theta, h=1e-7)
    grad = gradients_to_vector(grads)
    expected = np.linalg.norm(grad - numeric) / (np.linalg.norm(grad) + np.linalg.norm(numeric))
    assert_close("gradient_check_n", gradient_check_n(params, grads, x, y), expected, rtol=1e-6)


def test_gradient_check_n_uses_forward_hook_twice_per_parameter():
    x, y, params = course_case_n()
    calls = []

    def counting_forward(X, Y, parameters):
        calls.append(1)
        return forward_propagation_n(X, Y, parameters)

    _, cache = forward_propagation_n(x, y, params)
    gradient_check_n(params, backward_propagation_n(x, y, cache), x, y,
                     forward_propagation_n=counting_forward)
    assert len(calls) == 2 * 47


def test_gradient_check_n_print_msg(capsys):
    x, y, params = course_case_n()
    _, cache = forward_propagation_n(x, y, params)
    grads = buggy_course_gradients(backward_propagation_n(x, y, cache), x.shape[1])
    gradient_check_n(params, grads, x, y, print_msg=True)
    assert "mistake" in capsys.readouterr().out


@given(a=hnp.arrays(float, (6, 1), elements=st.floats(-1e3, 1e3)),
       b=hnp.arrays(float, (6, 1), elements=st.floats(-1e3, 1e3)),
       scale=st.floats(1e-3, 1e3))
@PROPERTY_SETTINGS
def test_relative_difference_properties(a, b, scale):
    d = relative_difference(a, b)
    assert 0.0 <= d <= 1.0 + 1e-12
    assert_close("symmetry", relative_difference(b, a), d, rtol=1e-12)
    assert relative_difference(a, a) == 0.0
    if np.linalg.norm(a) + np.linalg.norm(b) > 1e-6:
        assert_close("scale invariance", relative_difference(scale * a, scale * b), d,
                     rtol=1e-9, atol=1e-12)


def test_vector_round_trip_and_inputs_untouched():
    x, y, params = course_case_n()
    before = snapshot((x, y, params))
    theta, _ = dictionary_to_vector(params)
    assert theta.shape == (47, 1)
    back = vector_to_dictionary(theta)
    for key in params:
        assert_close(f'vector_to_dictionary(dictionary_to_vector(p))["{key}"]', back[key],
                     params[key], atol=0, rtol=0)
    _, cache = forward_propagation_n(x, y, params)
    grads = backward_propagation_n(x, y, cache)
    gradient_check_n(params, grads, x, y)
    assert_unchanged("(x, y, parameters)", before, (x, y, params))
