"""``grader.assignment.strategies``: valid, bounded values; arguments validated when a strategy is built."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnn_autograder.grader.assignment import strategies as gs
from dnn_autograder.grader.assignment.strategies import StrategyArgumentError

SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
PARAMS = {"W1": np.zeros((3, 2)), "b1": np.zeros((3, 1)), "W2": np.zeros((1, 3)),
          "b2": np.zeros((1, 1))}


# --- argument validation ----------------------------------------------------------------------

BAD_ARGUMENTS = {
    "layer_dims min_layers < 2": lambda: gs.layer_dims(min_layers=1),
    "layer_dims min_layers > max_layers": lambda: gs.layer_dims(min_layers=5, max_layers=3),
    "layer_dims min_units 0": lambda: gs.layer_dims(min_units=0),
    "layer_dims float units": lambda: gs.layer_dims(max_units=2.5),
    "layer_dims bool units": lambda: gs.layer_dims(max_units=True),
    "matrices rows 0": lambda: gs.matrices(0, 3),
    "matrices NaN bound": lambda: gs.matrices(2, 2, min_value=math.nan),
    "matrices infinite bound": lambda: gs.matrices(2, 2, max_value=math.inf),
    "matrices reversed bounds": lambda: gs.matrices(2, 2, min_value=1.0, max_value=-1.0),
    "matrices empty grid": lambda: gs.matrices(2, 2, min_value=0.01, max_value=0.02, places=1),
    "probabilities include 0": lambda: gs.probabilities(1, 3, min_value=0.0),
    "probabilities include 1": lambda: gs.probabilities(1, 3, max_value=1.0),
    "binary_labels m 0": lambda: gs.binary_labels(0),
    "parameter_dicts one size": lambda: gs.parameter_dicts([3]),
    "parameter_dicts zero units": lambda: gs.parameter_dicts([3, 0, 1]),
    "parameter_dicts string": lambda: gs.parameter_dicts("321"),
    "parameter_dicts scale 0": lambda: gs.parameter_dicts([3, 1], scale=0.0),
    "gradients_like empty": lambda: gs.gradients_like({}),
    "gradients_like 1-D array": lambda: gs.gradients_like({"W1": np.zeros(3)}),
    "moments_like negative scale": lambda: gs.moments_like(PARAMS, scale=-1.0),
    "keep_probs 0": lambda: gs.keep_probs(min_value=0.0),
    "keep_probs above 1": lambda: gs.keep_probs(max_value=1.5),
    "keep_probs negative places": lambda: gs.keep_probs(places=-1),
    "lambdas negative": lambda: gs.lambdas(min_value=-1.0),
    "lambdas min_positive 0": lambda: gs.lambdas(min_positive=0.0),
    "learning_rates 0": lambda: gs.learning_rates(min_value=0.0),
    "epsilons reversed": lambda: gs.epsilons(min_value=1e-3, max_value=1e-8),
    "example_counts 0": lambda: gs.example_counts(min_value=0),
    "unit_counts reversed": lambda: gs.unit_counts(min_value=4, max_value=2),
}


@pytest.mark.parametrize("build", BAD_ARGUMENTS.values(), ids=BAD_ARGUMENTS.keys())
def test_bad_arguments_raise_when_the_strategy_is_built(build):
    with pytest.raises(StrategyArgumentError):
        build()
    assert issubclass(StrategyArgumentError, ValueError)


def test_bounds_are_keyword_only():
    with pytest.raises(TypeError):
        gs.layer_dims(2, 4)  # type: ignore[misc]
    with pytest.raises(TypeError):
        gs.matrices(2, 2, -1.0, 1.0)  # type: ignore[misc]


# --- values -----------------------------------------------------------------------------------


@SETTINGS
@given(gs.layer_dims(min_layers=3, max_layers=5, min_units=2, max_units=6))
def test_layer_dims_are_within_bounds(dims):
    assert 3 <= len(dims) <= 5
    assert all(isinstance(n, int) and 2 <= n <= 6 for n in dims)


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_matrices_are_bounded_finite_float64(rows, cols, data):
    a = data.draw(gs.matrices(rows, cols, min_value=-2.5, max_value=0.5))
    assert a.shape == (rows, cols) and a.dtype == np.float64
    assert np.all(np.isfinite(a)) and np.all((a >= -2.5) & (a <= 0.5))
    rounded = data.draw(gs.matrices(rows, cols, min_value=-1.0, max_value=1.0, places=2))
    assert np.all(np.abs(rounded * 100 - np.round(rounded * 100)) < 1e-9)
    assert np.all(np.abs(rounded) <= 1.0)


@SETTINGS
@given(st.integers(1, 8), st.data())
def test_probabilities_and_labels(m, data):
    A3 = data.draw(gs.probabilities(1, m, min_value=0.05, max_value=0.95))
    assert A3.shape == (1, m) and np.all((A3 >= 0.05) & (A3 <= 0.95))
    assert np.all(np.isfinite(np.log(A3))) and np.all(np.isfinite(np.log(1 - A3)))
    Y = data.draw(gs.binary_labels(m))
    assert Y.shape == (1, m) and set(np.unique(Y)) <= {0, 1}


@SETTINGS
@given(gs.layer_dims(max_layers=5), st.booleans(), st.data())
def test_parameter_dicts_follow_the_course_shapes(dims, zero_biases, data):
    parameters = data.draw(gs.parameter_dicts(dims, scale=0.5, zero_biases=zero_biases))
    L = len(dims) - 1
    assert list(parameters) == [k for l in range(1, L + 1) for k in (f"W{l}", f"b{l}")]
    for l in range(1, L + 1):
        assert parameters[f"W{l}"].shape == (dims[l], dims[l - 1])
        assert parameters[f"b{l}"].shape == (dims[l], 1)
        assert np.all(np.abs(parameters[f"W{l}"]) <= 0.5)
        if zero_biases:
            assert not np.any(parameters[f"b{l}"])


@SETTINGS
@given(gs.gradients_like(PARAMS, scale=3.0), gs.moments_like(PARAMS, nonnegative=True))
def test_gradients_and_moments_like_the_parameters(grads, s):
    for state in (grads, s):
        assert list(state) == ["dW1", "db1", "dW2", "db2"]
        for key, value in state.items():
            assert value.shape == PARAMS[key[1:]].shape and np.all(np.isfinite(value))
    assert all(np.all(np.abs(v) <= 3.0) for v in grads.values())
    assert all(np.all((v >= 0) & (v <= 1.0)) for v in s.values())


@SETTINGS
@given(gs.keep_probs(), gs.keep_probs(min_value=0.5, max_value=0.9, places=1))
def test_keep_probs_are_in_the_unit_interval_on_a_grid(p, coarse):
    assert 0.05 <= p <= 1.0 and round(p, 2) == p
    assert coarse in (0.5, 0.6, 0.7, 0.8, 0.9)


@SETTINGS
@given(gs.lambdas(), gs.lambdas(min_value=0.01, max_value=0.5), gs.learning_rates(),
       gs.epsilons(), gs.example_counts(max_value=5), gs.seeds())
def test_scalars_are_within_bounds(lambd, positive, rate, eps, m, seed):
    assert lambd == 0.0 or 1e-3 <= lambd <= 10.0
    assert 0.01 <= positive <= 0.5
    assert 1e-4 <= rate <= 1.0
    assert 1e-10 <= eps <= 1e-3
    assert 1 <= m <= 5
    np.random.RandomState(seed)  # a valid legacy seed


def test_log_uniform_scalars_span_orders_of_magnitude():
    drawn: list[float] = []

    @settings(SETTINGS, max_examples=200)
    @given(gs.lambdas(), gs.epsilons())
    def collect(lambd, eps):
        drawn.append(lambd)
        drawn.append(-eps)

    collect()
    lambdas = [x for x in drawn if x >= 0]
    epsilons = [-x for x in drawn if x < 0]
    assert 0.0 in lambdas
    assert max(lambdas) / min(x for x in lambdas if x > 0) >= 100
    assert max(epsilons) / min(epsilons) >= 1e3
    assert all(len(f"{x:.3g}") <= 9 for x in lambdas)  # three significant digits
