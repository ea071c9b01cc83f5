"""The numpy-only stand-ins for the course's helper modules."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from reference_testkit import (
    PROPERTY_SETTINGS,
    assert_close,
    assert_unchanged,
    labels,
    numerical_gradient,
    snapshot,
    three_layer_parameters,
)

from dnn_autograder import course_helpers
from dnn_autograder.course_helpers import common, gc_utils, init_utils, opt_utils, opt_utils_v1a, reg_utils
from dnn_autograder.reference import initialize_parameters_he

ROOT = Path(__file__).resolve().parents[2]
LOADERS = {
    "init_utils.load_dataset": (init_utils.load_dataset, [(2, 300), (1, 300), (2, 100), (1, 100)]),
    "reg_utils.load_2D_dataset": (reg_utils.load_2D_dataset,
                                  [(2, 211), (1, 211), (2, 200), (1, 200)]),
    "opt_utils_v1a.load_dataset": (opt_utils_v1a.load_dataset, [(2, 300), (1, 300)]),
}


def test_modules_import_only_numpy_and_stdlib():
    """Import and exercise every course module with all non-stdlib packages but numpy blocked."""
    script = textwrap.dedent(f"""
        import importlib.abc, sys
        allowed = set(sys.stdlib_module_names) | {{"numpy", "dnn_autograder"}}
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] not in allowed:
                    raise ImportError("blocked in sandbox: " + name)
        sys.meta_path.insert(0, Block())
        import numpy as np
        for name in {sorted(course_helpers.COURSE_MODULES.values())!r}:
            mod = importlib.import_module(name, "dnn_autograder.course_helpers")
            assert mod.plot_decision_boundary(None, None, None) is None if hasattr(
                mod, "plot_decision_boundary") else True
        from dnn_autograder.course_helpers import init_utils, opt_utils, reg_utils
        init_utils.load_dataset(); reg_utils.load_2D_dataset(); opt_utils.load_dataset()
        bad = [m for m in sys.modules if m.split(".")[:2][-1] in ("reference", "grader", "assignments")]
        assert not bad, bad
        print("ok")
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr


def test_package_init_is_constants_only():
    tree = ast.parse(Path(course_helpers.__file__).read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert set(course_helpers.COURSE_MODULES) == {
        "init_utils", "reg_utils", "gc_utils", "opt_utils", "opt_utils_v1a",
        "common", "common.functions", "common.util", "common.layers", "common.gradient",
        "figure_helpers",  # not the course's: the trusted steps of the report's pictures
        "gc_worlds"}  # nor this: the gradient checks' cubic cost, answered in the sandbox (spec key observed)
    for target in course_helpers.COURSE_MODULES.values():
        importlib.import_module(target, course_helpers.__name__)
    assert course_helpers.TEST_MODULES == ("testCases", "testCases_v2", "public_tests",
                                           "test_utils")


@given(x=hnp.arrays(float, st.integers(1, 8), elements=st.floats(-800, 800)))
@PROPERTY_SETTINGS
def test_sigmoid_and_relu(x):
    with np.errstate(over="ignore"):
        naive = 1 / (1 + np.exp(-x))
    assert_close("sigmoid", common.sigmoid(x), naive, rtol=1e-14, atol=1e-300)
    assert_close("relu", common.relu(x), np.where(x > 0, x, 0.0), atol=0)


def test_sigmoid_scalar_and_no_overflow_warning():
    assert common.sigmoid(0) == 0.5 and np.ndim(common.sigmoid(0.0)) == 0
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert_close("sigmoid(+-1000)", common.sigmoid(np.array([-1000.0, 1000.0])), [0, 1],
                     atol=0)


def test_costs_mean_sum_and_nan_handling():
    a3 = np.array([[0.8, 0.3, 1.0, 0.0]])
    Y = np.array([[1, 0, 1, 0]])
    expected_sum = -np.log(0.8) - np.log(0.7)  # saturated but correct terms contribute 0
    for label, f, expected in [("init_utils.compute_loss", init_utils.compute_loss, 0.25),
                               ("reg_utils.compute_cost", reg_utils.compute_cost, 0.25),
                               ("opt_utils.compute_cost", opt_utils.compute_cost, 0.25),
                               ("opt_utils_v1a.compute_cost", opt_utils_v1a.compute_cost, 1.0)]:
        assert_close(label, f(a3, Y), expected * expected_sum, rtol=1e-14)


@pytest.mark.parametrize("module", [init_utils, reg_utils, opt_utils_v1a, opt_utils],
                         ids=lambda m: m.__name__.split(".")[-1])
def test_forward_backward_against_central_differences(module):
    X = np.random.RandomState(8).randn(3, 5)
    Y = labels(5, 8)
    params = three_layer_parameters(3, 4, 2, seed=8)
    a3, cache = module.forward_propagation(X, params)
    assert len(cache) == 12 and a3.shape == (1, 5)
    grads = module.backward_propagation(X, Y, cache)
    assert list(grads) == list(common.THREE_LAYER_GRAD_KEYS)
    assert_close('grads["dz3"]', grads["dz3"], (a3 - Y) / 5)
    for name in params:
        def loss_of(value, name=name):
            out, _ = module.forward_propagation(X, {**params, name: value})
            return init_utils.compute_loss(out, Y)
        assert_close(f'{module.__name__}: grads["d{name}"] vs central differences',
                     grads["d" + name], numerical_gradient(loss_of, params[name]),
                     rtol=1e-5, atol=1e-8)


def test_update_parameters_is_a_pure_gd_step():
    params = three_layer_parameters(2, 3, 2, seed=1)
    grads = {"d" + k: np.ones_like(v) for k, v in params.items()}
    before = snapshot(params)
    for module in (init_utils, reg_utils):
        new = module.update_parameters(params, grads, 0.5)
        for k in params:
            assert_close(f'{module.__name__}.update_parameters["{k}"]', new[k], params[k] - 0.5)
    assert_unchanged("parameters", before, params)


def test_predict_and_predict_dec(capsys):
    X = np.random.RandomState(2).randn(3, 10)
    params = three_layer_parameters(3, 4, 2, seed=2)
    a3, _ = reg_utils.forward_propagation(X, params)
    y = (a3 > 0.5).astype(int)
    y[0, 0] = 1 - y[0, 0]
    p = reg_utils.predict(X, y, params)
    assert_close("predict", p, (a3 > 0.5).astype(int), atol=0)
    assert "Accuracy: 0.9" in capsys.readouterr().out
    assert_close("predict_dec", reg_utils.predict_dec(params, X), a3 > 0.5, atol=0)


@pytest.mark.parametrize("name", sorted(LOADERS))
def test_datasets_shapes_labels_determinism(name):
    loader, shapes = LOADERS[name]
    np.random.seed(5)
    expected_next = np.random.RandomState(5).rand()
    first, second = loader(), loader()
    assert np.random.rand() == expected_next, f"{name} must not touch the global generator"
    assert [a.shape for a in first] == shapes
    for a, b in zip(first, second, strict=True):
        assert_close(f"{name} (second call)", a, b, atol=0, rtol=0)
    for Y in first[1::2]:
        assert np.issubdtype(Y.dtype, np.integer) and set(np.unique(Y)) == {0, 1}
        assert 0.3 < Y.mean() < 0.7, f"{name}: classes unbalanced ({Y.mean()})"


def test_circles_have_the_two_radii():
    X, Y, _, _ = init_utils.load_dataset()
    radius = np.linalg.norm(X, axis=0)
    assert abs(radius[Y[0] == 0].mean() - 1.0) < 0.02
    assert abs(radius[Y[0] == 1].mean() - init_utils.CIRCLES_FACTOR) < 0.02


def test_course_initialisers():
    reg = reg_utils.initialize_parameters([4, 3, 1])
    rng = np.random.RandomState(3)
    assert_close('reg_utils W1', reg["W1"], rng.standard_normal((3, 4)) / 2.0, rtol=1e-14)
    assert_close('reg_utils W2', reg["W2"], rng.standard_normal((1, 3)) / np.sqrt(3), rtol=1e-14)
    he = opt_utils_v1a.initialize_parameters([5, 4, 2])
    ref = initialize_parameters_he([5, 4, 2])
    for k in ref:
        assert_close(f'opt_utils_v1a.initialize_parameters["{k}"] vs He', he[k], ref[k],
                     rtol=1e-15)


def test_load_params_and_grads():
    arrays = opt_utils_v1a.load_params_and_grads(seed=4)
    assert [a.shape for a in arrays] == [(2, 3), (2, 1), (3, 3), (3, 1)] * 2
    rng = np.random.RandomState(4)
    assert_close("W1", arrays[0], rng.standard_normal((2, 3)), atol=0)
    assert_close("b1", arrays[1], rng.standard_normal((2, 1)), atol=0)
    assert opt_utils.load_params_and_grads is opt_utils_v1a.load_params_and_grads


@given(theta=hnp.arrays(float, (47, 1), elements=st.floats(-1e6, 1e6)))
@PROPERTY_SETTINGS
def test_gc_vector_layout(theta):
    params = gc_utils.vector_to_dictionary(theta)
    slices = {"W1": (0, 20, (5, 4)), "b1": (20, 25, (5, 1)), "W2": (25, 40, (3, 5)),
              "b2": (40, 43, (3, 1)), "W3": (43, 46, (1, 3)), "b3": (46, 47, (1, 1))}
    for k, (start, stop, shape) in slices.items():
        assert_close(f'vector_to_dictionary["{k}"]', params[k], theta[start:stop].reshape(shape),
                     atol=0)
    back, keys = gc_utils.dictionary_to_vector(params)
    assert_close("dictionary_to_vector round trip", back, theta, atol=0)
    assert keys == [k for k, (a, b, _) in slices.items() for _ in range(b - a)]
    grads = {"d" + k: v * 2 for k, v in params.items()} | {"dZ1": np.zeros(3)}
    assert_close("gradients_to_vector", gc_utils.gradients_to_vector(grads), 2 * theta, atol=0)
    params["W1"][0, 0] += 1.0
    assert theta[0, 0] != params["W1"][0, 0], "vector_to_dictionary must copy"
