"""The student kit (``selfcheck.py`` of a handout), run in-process on the handouts of the bank.

The kit must judge the public cases exactly as the final grade does, name catalogued mistakes
from data alone, and never call a pass more than "public checks passed".
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest
from handout_support import handout_kit, master_cells, run_in_namespace
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dnn_autograder.grader.assignment.spec import available_assignments, load_assignment
from dnn_autograder.grader.grading.normalise import compare_outputs, normalise
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.handouts.handout_data import encode, public_items
from dnn_autograder.grader.handouts.mutant_submissions import MutantSourceError, mistakes_of, mutant_source
from dnn_autograder.grader.values import deep_copy, identical
from dnn_autograder.student_kit.selfcheck import decode

BANK = available_assignments()
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _master_namespace(spec) -> dict:
    return run_in_namespace("\n\n".join(master_cells(spec).values()))


def _imports(spec) -> str:
    """The import lines of the master's first code cells (helpers the functions use)."""
    import nbformat

    master = nbformat.read(spec.folder / "master.ipynb", as_version=4)
    lines = [line for cell in master.cells if cell.cell_type == "code"
             for line in cell.source.splitlines() if line.startswith(("import ", "from "))]
    return "\n".join(lines)


@pytest.mark.parametrize("name", BANK)
def test_master_code_passes_every_public_check(handouts, name: str) -> None:
    spec = load_assignment(name)
    with handout_kit(handouts[name].folder) as kit:
        namespace = run_in_namespace(_imports(spec) + "\n\n" + "\n\n".join(master_cells(spec).values()))
        for function in spec.function_names:
            verdict = kit.run_check(function, namespace)
            assert verdict.status == "passed", verdict.text
            assert "public checks passed" in verdict.text and "hidden" in verdict.text
            assert "all tests passed" not in verdict.text.lower()


@pytest.mark.parametrize("name", BANK)
def test_an_untouched_starter_is_not_implemented_and_a_missing_function_is_named(handouts, name: str) -> None:
    spec = load_assignment(name)
    function = spec.function_names[0]
    with handout_kit(handouts[name].folder) as kit:
        namespace = run_in_namespace(f"def {function}(*args, **kwargs):\n    raise NotImplementedError()\n")
        verdict = kit.run_check(function, namespace)
        assert verdict.status == "not implemented" and "NotImplementedError" in verdict.text
        missing = kit.run_check(function, {})
        assert missing.status == "missing" and "not defined" in missing.text


def _grader_says_wrong(spec, function: str, mutant) -> bool:
    """Does the grader's own comparison (public cases, its tolerances and output rules) find the
    mutant's outputs wrong somewhere?"""
    suite = build_suites(spec)[function]
    for item in public_items(suite):
        args = deep_copy(dict(item.case.args))
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if item.case.steps:  # a script unit: the script run on the mutant (and the references)
                    outputs, problem = suite.run(mutant, item.case), None
                else:
                    normalised = normalise(suite.spec, mutant(*args.values(), **suite.world(item.case)), args)
                    outputs, problem = normalised.outputs, normalised.problem
        except Exception:  # noqa: BLE001 - a mutant that raises is wrong on that case
            return True
        if problem or compare_outputs(item.outputs, outputs, rtol=suite.spec.rtol, atol=suite.spec.atol):
            return True
        if any(not identical(item.case.args[name], args[name]) for name in suite.spec.immutable if name in args):
            return True  # an argument it must leave unchanged was modified
    return False


@pytest.mark.parametrize("name", BANK)
def test_the_kit_agrees_with_the_grader_and_names_catalogued_mistakes(handouts, name: str) -> None:
    """Every catalogued mutant, written as a student would: the kit fails it exactly when the
    grader's comparison fails it on the public cases, and names at least one mistake per
    assignment (a named mistake is always the right one)."""
    spec = load_assignment(name)
    named = []
    with handout_kit(handouts[name].folder) as kit:
        for mistake in mistakes_of(spec):
            try:
                source = mutant_source(spec, mistake)
            except MutantSourceError:
                continue
            verdict = kit.run_check(mistake.function, run_in_namespace(source))
            wrong = _grader_says_wrong(spec, mistake.function, mistake.mutant)
            if spec.function(mistake.function).kind == "deterministic":
                assert (verdict.status != "passed") == wrong, (mistake.id, verdict.text)
            assert set(verdict.mistakes) <= {m.id for m in mistakes_of(spec) if m.function == mistake.function}
            if mistake.id in verdict.mistakes:
                named.append(mistake.id)
                assert mistake.title in verdict.text
    assert named, f"{name}: the self-check named none of the catalogued mistakes"


def test_an_in_place_update_counts_like_a_return(handouts) -> None:
    """The course's update may return nothing and change ``parameters`` in place: accepted, as
    by the grader."""
    source = (
        "def update_parameters_with_gd(parameters, grads, learning_rate):\n"
        "    for key in list(parameters):\n"
        "        parameters[key] -= learning_rate * grads['d' + key]\n"
    )
    with handout_kit(handouts["optimization"].folder) as kit:
        verdict = kit.run_check("update_parameters_with_gd", run_in_namespace(source))
    assert verdict.status == "passed", verdict.text


def test_a_modified_input_fails_with_its_name(handouts) -> None:
    source = (
        "def update_parameters_with_gd(parameters, grads, learning_rate):\n"
        "    for key in list(parameters):\n"
        "        grads['d' + key] *= learning_rate\n"
        "        parameters[key] = parameters[key] - grads['d' + key]\n"
        "    return parameters\n"
    )
    with handout_kit(handouts["optimization"].folder) as kit:
        verdict = kit.run_check("update_parameters_with_gd", run_in_namespace(source))
    assert verdict.status == "failed" and "`grads`" in verdict.text


def test_a_failure_shows_the_smallest_public_case_with_expected_and_yours(handouts) -> None:
    source = "def update_lr(learning_rate0, epoch_num, decay_rate):\n    return learning_rate0 * 0.37 + 0.01\n"
    spec = load_assignment("optimization")
    items = public_items(build_suites(spec)["update_lr"])
    with handout_kit(handouts["optimization"].folder) as kit:
        verdict = kit.run_check("update_lr", run_in_namespace(source))
    assert verdict.status == "failed"
    assert "expected:" in verdict.text and "yours:" in verdict.text
    shown = [item for item in items if item.case.label in verdict.text]
    assert shown, verdict.text
    args = shown[0].case.args
    right = args["learning_rate0"] / (1 + args["decay_rate"] * args["epoch_num"])
    assert f"{right!r}"[:8] in verdict.text


def test_checking_leaves_the_random_state_and_the_notebook_as_they_were(handouts) -> None:
    spec = load_assignment("gradient_checking")
    with handout_kit(handouts["gradient_checking"].folder) as kit:
        namespace = run_in_namespace(_imports(spec) + "\n\n" + "\n\n".join(master_cells(spec).values()))
        before = dict(namespace)
        np.random.seed(123)
        random.seed(5)
        expected_np, expected_py = np.random.rand(), random.random()
        np.random.seed(123)
        random.seed(5)
        for function in spec.function_names:
            assert kit.run_check(function, namespace).passed
        assert np.random.rand() == expected_np and random.random() == expected_py
        assert namespace == before  # stand-ins answered during the check are put back


arrays = hnp.arrays(st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
                    hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=5) | arrays,
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(values)
def test_data_round_trips_through_json(value) -> None:
    import json

    back = decode(json.loads(json.dumps(encode(value))))
    _assert_same(back, value)


def _assert_same(a, b) -> None:
    assert type(a) is type(b) or (isinstance(a, np.ndarray) and isinstance(b, np.ndarray))
    if isinstance(b, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=b.dtype.kind == "f")
    elif isinstance(b, dict):
        assert list(a) == list(b)
        for key in b:
            _assert_same(a[key], b[key])
    elif isinstance(b, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    elif isinstance(b, float) and b != b:
        assert a != a
    else:
        assert a == b


def test_an_accepted_variant_passes_as_in_the_grade(handouts) -> None:
    """``relu_backward`` with the right derivative (1) at ``Z == 0``: the spec accepts either
    one-sided derivative there (``accept``, a variant implementation); the handout ships the
    variant's outputs on the public cases, so the kit passes it as the grade does. A third answer
    at the kink (0.5) is neither and fails."""
    source = "import numpy as np\ndef relu_backward(dA, Z):\n    return dA * (Z >= 0)\n"
    half = "import numpy as np\ndef relu_backward(dA, Z):\n    return dA * ((Z > 0) + 0.5 * (Z == 0))\n"
    with handout_kit(handouts["activations"].folder) as kit:
        verdict = kit.run_check("relu_backward", run_in_namespace(source))
        assert verdict.status == "passed", verdict.text
        assert kit.run_check("relu_backward", run_in_namespace(half)).status == "failed"


# --- random functions checked by their shipped properties ------------------------------------

HE_OTHER_ORDER = (
    "import numpy as np\n"
    "def initialize_parameters_he(layers_dims):\n"
    "    rng = np.random.default_rng(7)\n"
    "    parameters = {}\n"
    "    for l in range(1, len(layers_dims)):\n"
    "        parameters['W' + str(l)] = rng.standard_normal((layers_dims[l], layers_dims[l - 1])) * np.sqrt(\n"
    "            2 / layers_dims[l - 1])\n"
    "        parameters['b' + str(l)] = np.zeros((layers_dims[l], 1))\n"
    "    return parameters\n"
)
RANDOM_TIMES = (
    "import numpy as np\n"
    "def initialize_parameters_random(layers_dims):\n"
    "    np.random.randn()\n"
    "    parameters = {}\n"
    "    for l in range(1, len(layers_dims)):\n"
    "        parameters['W' + str(l)] = np.random.randn(layers_dims[l], layers_dims[l - 1]) * SCALE\n"
    "        parameters['b' + str(l)] = BIAS * np.ones((layers_dims[l], 1))\n"
    "    return parameters\n"
)
DROPOUT = (
    "import numpy as np\n"
    "def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):\n"
    "    rng = np.random.default_rng(11)\n"
    "    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ('W1', 'b1', 'W2', 'b2', 'W3', 'b3'))\n"
    "    Z1 = W1 @ X + b1\n"
    "    D1 = (rng.random(Z1.shape) < keep_prob).astype(int)\n"
    "    A1 = np.maximum(Z1, 0) * D1 / RESCALE\n"
    "    Z2 = W2 @ A1 + b2\n"
    "    D2 = (rng.random(Z2.shape) < keep_prob).astype(int)\n"
    "    A2 = np.maximum(Z2, 0) * D2 / RESCALE\n"
    "    Z3 = W3 @ A2 + b3\n"
    "    A3 = 1 / (1 + np.exp(-Z3))\n"
    "    return A3, (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)\n"
)
MINI_BATCHES = (
    "import math\n"
    "import numpy as np\n"
    "def random_mini_batches(X, Y, mini_batch_size=64, seed=0):\n"
    "    m = X.shape[1]\n"
    "    permutation = np.random.default_rng(seed + 99).permutation(m)\n"
    "    X, Y = X[:, permutation], Y[:, permutation]\n"
    "    count = LAST(m / mini_batch_size)\n"
    "    return [(X[:, k * mini_batch_size:(k + 1) * mini_batch_size],\n"
    "             Y[:, k * mini_batch_size:(k + 1) * mini_batch_size]) for k in range(count)]\n"
)


def _kit_verdict(handouts, assignment: str, function: str, source: str):
    with handout_kit(handouts[assignment].folder) as kit:
        return kit.run_check(function, run_in_namespace(source))


HE_EXTRA_DRAW = HE_OTHER_ORDER.replace("rng = np.random.default_rng(7)", "np.random.randn()").replace(
    "rng.standard_normal((layers_dims[l], layers_dims[l - 1]))", "np.random.randn(layers_dims[l], layers_dims[l - 1])")


@pytest.mark.parametrize(("assignment", "function", "source"), [
    ("initialization", "initialize_parameters_he", HE_OTHER_ORDER),
    ("initialization", "initialize_parameters_he", HE_EXTRA_DRAW),
    ("initialization", "initialize_parameters_random", RANDOM_TIMES.replace("SCALE", "10").replace("BIAS", "0")),
    ("regularization", "forward_propagation_with_dropout", DROPOUT.replace("RESCALE", "keep_prob")),
    ("optimization", "random_mini_batches", MINI_BATCHES.replace("LAST", "math.ceil")),
])
def test_a_right_answer_drawn_otherwise_passes_by_its_properties(handouts, assignment, function, source) -> None:
    verdict = _kit_verdict(handouts, assignment, function, source)
    assert verdict.status == "passed", verdict.text
    assert "public checks passed (properties" in verdict.text and "hidden" in verdict.text
    assert "all tests passed" not in verdict.text.lower()


@pytest.mark.parametrize(("assignment", "function", "source", "named"), [
    ("initialization", "initialize_parameters_he", HE_OTHER_ORDER.replace("np.sqrt(", "0.01 * np.sqrt("),
     "standard deviation"),
    ("initialization", "initialize_parameters_random",
     RANDOM_TIMES.replace("SCALE", "0.01").replace("BIAS", "0"), "standard deviation"),
    ("initialization", "initialize_parameters_random",
     RANDOM_TIMES.replace("SCALE", "10").replace("BIAS", "0.5"), "zeros"),
    ("regularization", "forward_propagation_with_dropout", DROPOUT.replace("RESCALE", "1"),
     "relu(Z1) * D1 / keep_prob"),
    ("optimization", "random_mini_batches", MINI_BATCHES.replace("LAST", "math.floor"), "mini-batch sizes"),
])
def test_a_wrong_random_answer_fails_with_the_property_named(handouts, assignment, function, source, named) -> None:
    verdict = _kit_verdict(handouts, assignment, function, source)
    assert verdict.status == "failed", verdict.text
    assert "property" in verdict.text and named in verdict.text, verdict.text
