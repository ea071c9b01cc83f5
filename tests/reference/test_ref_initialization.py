"""Initialisers: published values, shapes, scales and the seeding convention."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from reference_testkit import PROPERTY_SETTINGS, assert_close

from dnn_autograder.reference import (
    initialize_parameters_he,
    initialize_parameters_random,
    initialize_parameters_xavier,
    initialize_parameters_zeros,
)

INITIALISERS = {
    "zeros": initialize_parameters_zeros,
    "random": initialize_parameters_random,
    "he": initialize_parameters_he,
    "xavier": initialize_parameters_xavier,
}

#: Expected standard deviation of W_l as a function of n_{l-1}.
SCALES = {
    "random": lambda n_prev: 10.0,
    "he": lambda n_prev: np.sqrt(2.0 / n_prev),
    "xavier": lambda n_prev: np.sqrt(1.0 / n_prev),
}


def test_random_published_values():
    params = initialize_parameters_random([3, 2, 1])
    assert_close('initialize_parameters_random([3, 2, 1])["W1"]', params["W1"],
                 [[17.88628473, 4.36509851, 0.96497468],
                  [-18.63492703, -2.77388203, -3.54758979]], rtol=0, atol=5e-9)
    assert_close('initialize_parameters_random([3, 2, 1])["W2"]', params["W2"],
                 [[-0.82741481, -6.27000677]], rtol=0, atol=5e-9)
    assert_close('["b1"]', params["b1"], np.zeros((2, 1)), atol=0)
    assert_close('["b2"]', params["b2"], np.zeros((1, 1)), atol=0)


def test_he_published_values():
    params = initialize_parameters_he([2, 4, 1])
    assert_close('initialize_parameters_he([2, 4, 1])["W1"]', params["W1"],
                 [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                  [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]], rtol=0, atol=5e-9)
    assert_close('initialize_parameters_he([2, 4, 1])["W2"]', params["W2"],
                 [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]], rtol=0, atol=5e-9)
    assert_close('["b1"]', params["b1"], np.zeros((4, 1)), atol=0)


@pytest.mark.parametrize("name", ["random", "he", "xavier"])
def test_draw_order_is_seed3_then_one_randn_per_layer(name):
    dims = [5, 4, 3, 1]
    params = INITIALISERS[name](dims)
    rng = np.random.RandomState(3)  # same legacy stream as np.random.seed(3)
    for l in range(1, len(dims)):
        expected = rng.standard_normal((dims[l], dims[l - 1])) * SCALES[name](dims[l - 1])
        assert_close(f'{name}["W{l}"]', params[f"W{l}"], expected, rtol=1e-14)


@pytest.mark.parametrize("name", sorted(INITIALISERS))
@given(dims=st.lists(st.integers(1, 6), min_size=2, max_size=5))
@PROPERTY_SETTINGS
def test_shapes_and_zero_biases(name, dims):
    params = INITIALISERS[name](dims)
    assert sorted(params) == sorted(
        [f"W{l}" for l in range(1, len(dims))] + [f"b{l}" for l in range(1, len(dims))]
    )
    for l in range(1, len(dims)):
        assert params[f"W{l}"].shape == (dims[l], dims[l - 1]), f'{name}["W{l}"] shape'
        assert params[f"b{l}"].shape == (dims[l], 1), f'{name}["b{l}"] shape'
        assert_close(f'{name}["b{l}"]', params[f"b{l}"], np.zeros((dims[l], 1)), atol=0)


def test_zeros_are_zero_and_draw_nothing():
    np.random.seed(123)
    expected_next = np.random.RandomState(123).rand()
    params = initialize_parameters_zeros([4, 3, 2])
    assert not any(np.any(v) for v in params.values())
    assert np.random.rand() == expected_next, "zeros initialiser must not touch the generator"


@pytest.mark.parametrize("name", ["random", "he", "xavier"])
def test_empirical_standard_deviation(name):
    n_prev = 400
    W = INITIALISERS[name]([n_prev, 300])["W1"]
    expected_std = SCALES[name](n_prev)
    # 120000 draws: the sample std is within 1% of the true one with overwhelming probability.
    assert abs(W.std() / expected_std - 1) < 0.01, f"{name}: std {W.std()} vs {expected_std}"
    assert abs(W.mean()) < 5 * expected_std / np.sqrt(W.size)


def test_scales_relate_exactly():
    dims = [6, 5, 2]
    he, xavier, rand = (INITIALISERS[k](dims) for k in ("he", "xavier", "random"))
    for l, n_prev in ((1, 6), (2, 5)):
        assert_close(f'he["W{l}"] / sqrt(2)', he[f"W{l}"] / np.sqrt(2), xavier[f"W{l}"],
                     rtol=1e-14)
        assert_close(f'random["W{l}"] / 10', rand[f"W{l}"] / 10,
                     xavier[f"W{l}"] * np.sqrt(n_prev), rtol=1e-14)


def test_repeatable_regardless_of_prior_global_state():
    np.random.seed(99)
    np.random.rand(17)
    first = initialize_parameters_he([3, 4, 1])
    second = initialize_parameters_he([3, 4, 1])
    for key in first:
        assert_close(f'he["{key}"] (second call)', second[key], first[key], atol=0, rtol=0)
