"""Running the master notebooks reproduces the numbers published with the course exercises.

The inputs are rebuilt here from the course's seeds; each expected value is the one printed in
the course's notebooks (to their 8 significant digits).
"""

from __future__ import annotations

import numpy as np
import pytest
from release_support import run_master

PUBLISHED = {"rtol": 0, "atol": 5e-8}


@pytest.fixture(scope="module")
def init():
    return run_master("initialization")


@pytest.fixture(scope="module")
def reg():
    return run_master("regularization")


@pytest.fixture(scope="module")
def gc():
    return run_master("gradient_checking")


@pytest.fixture(scope="module")
def opt():
    return run_master("optimization")


def assert_published(label, yours, expected):
    yours = np.asarray(yours)
    expected = np.asarray(expected)
    assert yours.shape == expected.shape, (
        f"{label}: shape {yours.shape} vs expected {expected.shape}"
    )
    assert np.allclose(yours, expected, **PUBLISHED), (
        f"{label}:\nyours    {yours.tolist()}\nexpected {expected.tolist()}"
    )


# --- initialization -------------------------------------------------------------------------

def test_zeros(init):
    parameters = init["initialize_parameters_zeros"]([3, 2, 1])
    assert sorted(parameters) == ["W1", "W2", "b1", "b2"]
    for key, shape in {"W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}.items():
        assert_published(f'parameters["{key}"]', parameters[key], np.zeros(shape))


def test_random(init):
    parameters = init["initialize_parameters_random"]([3, 2, 1])
    assert_published('parameters["W1"]', parameters["W1"],
                     [[17.88628473, 4.36509851, 0.96497468],
                      [-18.63492703, -2.77388203, -3.54758979]])
    assert_published('parameters["b1"]', parameters["b1"], [[0.0], [0.0]])
    assert_published('parameters["W2"]', parameters["W2"], [[-0.82741481, -6.27000677]])
    assert_published('parameters["b2"]', parameters["b2"], [[0.0]])


def test_he(init):
    parameters = init["initialize_parameters_he"]([2, 4, 1])
    assert_published('parameters["W1"]', parameters["W1"],
                     [[1.78862847, 0.43650985], [0.09649747, -1.8634927],
                      [-0.2773882, -0.35475898], [-0.08274148, -0.62700068]])
    assert_published('parameters["b1"]', parameters["b1"], np.zeros((4, 1)))
    assert_published('parameters["W2"]', parameters["W2"],
                     [[-0.03098412, -0.33744411, -0.92904268, 0.62552248]])
    assert_published('parameters["b2"]', parameters["b2"], [[0.0]])


# --- regularization -------------------------------------------------------------------------

def three_layer_case(draw_X=True):
    """X (3, 5) and a 3-2-3-1 network drawn after ``np.random.seed(1)``, as in the course (whose
    cost case draws no X)."""
    np.random.seed(1)
    X = np.random.randn(3, 5) if draw_X else None
    parameters = {}
    for key, shape in (("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 2)), ("b2", (3, 1)),
                       ("W3", (1, 3)), ("b3", (1, 1))):
        parameters[key] = np.random.randn(*shape)
    return X, np.array([[1, 1, 0, 1, 0]]), parameters


def plain_forward(X, p):
    """LINEAR->RELU->LINEAR->RELU->LINEAR->SIGMOID, the course's cache layout."""
    Z1 = p["W1"] @ X + p["b1"]
    A1 = np.maximum(0, Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = np.maximum(0, Z2)
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])


def test_cost_with_regularization(reg):
    _, Y, parameters = three_layer_case(draw_X=False)
    A3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    cost = reg["compute_cost_with_regularization"](A3, Y, parameters, 0.1)
    assert_published("cost", cost, 1.78648594516)


def test_backward_with_regularization(reg):
    X, Y, parameters = three_layer_case()
    cache = plain_forward(X, parameters)
    assert_published("A3", cache[9], [[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    grads = reg["backward_propagation_with_regularization"](X, Y, cache, 0.7)
    assert sorted(grads) == sorted(["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2",
                                    "dA1", "dZ1", "dW1", "db1"])
    assert_published('gradients["dW1"]', grads["dW1"],
                     [[-0.25604646, 0.12298827, -0.28297129],
                      [-0.17706303, 0.34536094, -0.4410571]])
    assert_published('gradients["dW2"]', grads["dW2"],
                     [[0.79276486, 0.85133918], [-0.0957219, -0.01720463],
                      [-0.13100772, -0.03750433]])
    assert_published('gradients["dW3"]', grads["dW3"], [[-1.77691347, -0.11832879, -0.09397446]])


def test_forward_with_dropout(reg):
    X, _, parameters = three_layer_case()
    A3, cache = reg["forward_propagation_with_dropout"](X, parameters, 0.7)
    assert_published("A3", A3, [[0.36974721, 0.00305176, 0.04565099, 0.49683389, 0.36974721]])
    assert len(cache) == 14
    D1, D2 = cache[1], cache[6]
    assert set(np.unique(D1)) <= {0, 1} and set(np.unique(D2)) <= {0, 1}


def test_backward_with_dropout_matches_forward_and_plain_backprop(reg):
    X, Y, parameters = three_layer_case()
    # With keep_prob = 1 every mask is all ones: the same gradients as without dropout.
    _, cache = reg["forward_propagation_with_dropout"](X, parameters, 1.0)
    grads = reg["backward_propagation_with_dropout"](X, Y, cache, 1.0)
    plain = reg["backward_propagation_with_regularization"](X, Y, plain_forward(X, parameters), 0)
    for key in plain:
        assert_published(f'gradients["{key}"]', grads[key], plain[key])
    # With keep_prob < 1 the dropped units get no gradient.
    _, cache = reg["forward_propagation_with_dropout"](X, parameters, 0.7)
    grads = reg["backward_propagation_with_dropout"](X, Y, cache, 0.7)
    assert np.all(grads["dA1"][cache[1] == 0] == 0)
    assert np.all(grads["dA2"][cache[6] == 0] == 0)


# --- gradient checking ----------------------------------------------------------------------

def gc_case():
    """The course's 4-5-3-1 network case, drawn after ``np.random.seed(1)``."""
    np.random.seed(1)
    X = np.random.randn(4, 3)
    Y = np.array([1, 1, 0])
    parameters = {}
    for key, shape in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
                       ("W3", (1, 3)), ("b3", (1, 1))):
        parameters[key] = np.random.randn(*shape)
    return X, Y, parameters


def test_one_dimensional_check(gc, capsys):
    assert gc["forward_propagation"](2, 4) == 8
    assert gc["backward_propagation"](2, 4) == 2
    difference = gc["gradient_check"](2, 4, print_msg=True)
    assert_published("difference", difference / 1e-10, 2.919335883291695)
    assert "2.91933588" in capsys.readouterr().out


def test_n_dimensional_check(gc):
    X, Y, parameters = gc_case()
    cost, cache = gc["forward_propagation_n"](X, Y, parameters)
    gradients = gc["backward_propagation_n"](X, Y, cache)
    difference = gc["gradient_check_n"](parameters, gradients, X, Y, 1e-7, False)
    assert_published("difference (correct backward pass)", difference / 1e-7, 1.1890913)


def test_n_dimensional_check_finds_the_course_bugs(gc, capsys):
    X, Y, parameters = gc_case()
    _, cache = gc["forward_propagation_n"](X, Y, parameters)
    gradients = gc["backward_propagation_n"](X, Y, cache)
    # The course's deliberately broken backward pass doubles dW2 and uses 4/m in db1.
    gradients["dW2"] = 2 * gradients["dW2"]
    gradients["db1"] = 4 * gradients["db1"]
    difference = gc["gradient_check_n"](parameters, gradients, X, Y, 1e-7, True)
    assert_published("difference (broken backward pass)", difference, 0.2850931567761623)
    assert "disagrees" in capsys.readouterr().out


# --- optimization ---------------------------------------------------------------------------

def update_case():
    """Parameters and gradients of a 3-2-3 network drawn after ``np.random.seed(1)``."""
    np.random.seed(1)
    shapes = (("W1", (2, 3)), ("b1", (2, 1)), ("W2", (3, 3)), ("b2", (3, 1)))
    parameters = {key: np.random.randn(*shape) for key, shape in shapes}
    grads = {"d" + key: np.random.randn(*shape) for key, shape in shapes}
    return parameters, grads


def test_gradient_descent(opt):
    parameters, grads = update_case()
    parameters = opt["update_parameters_with_gd"](parameters, grads, 0.01)
    assert_published('parameters["W1"]', parameters["W1"],
                     [[1.63535156, -0.62320365, -0.53718766],
                      [-1.07799357, 0.85639907, -2.29470142]])
    assert_published('parameters["b1"]', parameters["b1"], [[1.74604067], [-0.75184921]])
    assert_published('parameters["W2"]', parameters["W2"],
                     [[0.32171798, -0.25467393, 1.46902454],
                      [-2.05617317, -0.31554548, -0.3756023],
                      [1.1404819, -1.09976462, -0.1612551]])
    assert_published('parameters["b2"]', parameters["b2"],
                     [[-0.88020257], [0.02561572], [0.57539477]])


def test_mini_batches(opt):
    np.random.seed(1)
    X = np.random.randn(12288, 148)
    Y = np.random.randn(1, 148) < 0.5
    batches = opt["random_mini_batches"](X, Y, 64)
    assert [b[0].shape for b in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [b[1].shape for b in batches] == [(1, 64), (1, 64), (1, 20)]
    assert_published("mini_batches[0][0][0][0:3]", batches[0][0][0][0:3],
                     [0.90085595, -0.7612069, 0.2344157])


def test_momentum(opt):
    parameters, grads = update_case()
    v = opt["initialize_velocity"](parameters)
    for key in v:
        assert_published(f'v["{key}"]', v[key], np.zeros_like(parameters[key[1:]]))
    parameters, v = opt["update_parameters_with_momentum"](parameters, grads, v, 0.9, 0.01)
    assert_published('parameters["W1"]', parameters["W1"],
                     [[1.62544598, -0.61290114, -0.52907334],
                      [-1.07347112, 0.86450677, -2.30085497]])
    assert_published('parameters["b2"]', parameters["b2"],
                     [[-0.87809283], [0.04055394], [0.58207317]])
    assert_published('v["dW1"]', v["dW1"],
                     [[-0.11006192, 0.11447237, 0.09015907],
                      [0.05024943, 0.09008559, -0.06837279]])


def test_adam(opt):
    parameters, grads = update_case()
    v, s = opt["initialize_adam"](parameters)
    assert sorted(v) == sorted(s) == ["dW1", "dW2", "db1", "db2"]
    result = opt["update_parameters_with_adam"](parameters, grads, v, s, 2, 0.01, 0.9, 0.999, 1e-8)
    assert len(result) == 5
    parameters, v, s, v_corrected, s_corrected = result
    assert_published('parameters["W1"]', parameters["W1"],
                     [[1.63178673, -0.61919778, -0.53561312],
                      [-1.08040999, 0.85796626, -2.29409733]])
    # After one step from zero at t = 2: v = 0.1 g, s = 0.001 g^2, corrected by 1 - beta^2.
    assert_published('v_corrected["dW1"]', v_corrected["dW1"], 0.1 * grads["dW1"] / (1 - 0.9**2))
    assert_published('s_corrected["db2"]', s_corrected["db2"],
                     0.001 * grads["db2"] ** 2 / (1 - 0.999**2))


def test_learning_rate_decay(opt):
    assert opt["update_lr"](0.5, 2, 1) == pytest.approx(0.5 / 3)
    assert opt["update_lr"](0.5, 0, 1) == 0.5
    assert opt["schedule_lr_decay"](0.5, 100, 0.3) == pytest.approx(0.5)
    assert opt["schedule_lr_decay"](0.5, 1000, 0.3) == pytest.approx(0.38461538461538464)
    assert opt["schedule_lr_decay"](0.5, 2500, 0.3, time_interval=1000) == pytest.approx(0.5 / 1.6)
