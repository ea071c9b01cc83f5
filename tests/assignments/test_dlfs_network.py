"""What is specific to the ``dlfs_network`` assignment: the property checks of the book's
``MultiLayerNet`` and ``shuffle_dataset`` (a right answer with other random draws passes, the
catalogued mistakes do not), the false-failure budget of the bank, and learners' files graded."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.assignments.dlfs_network import cases as C
from dnn_autograder.assignments.dlfs_network import mistakes as M
from dnn_autograder.assignments.dlfs_network import properties as P
from dnn_autograder.assignments.initialization.properties import spread_band
from dnn_autograder.course_helpers.dlfs_common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.grading.scripts import run_trusted
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.sandbox import Sandbox
from dnn_autograder.reference.dlfs_training import MultiLayerNet, shuffle_dataset

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dlfs" / "network"
SPEC = load_assignment("dlfs_network")


class _OtherDraws:
    """A right network that draws differently from the book: biases first, the last layer's
    weights first, np.random.normal with the scale as its argument; layers built by hand."""

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0):
        sizes = [input_size, *hidden_size_list, output_size]
        self.count, self.lam = len(sizes) - 1, weight_decay_lambda
        self.params = {f"b{l}": np.zeros(sizes[l]) for l in range(1, len(sizes))}
        for l in reversed(range(1, len(sizes))):
            name = str(weight_init_std).lower()
            std = {"relu": 2.0, "he": 2.0, "sigmoid": 1.0, "xavier": 1.0}.get(name)
            std = math.sqrt(std / sizes[l - 1]) if std else float(weight_init_std)
            self.params[f"W{l}"] = np.random.normal(0.0, std, (sizes[l - 1], sizes[l]))
        self.layers = []
        for l in range(1, self.count + 1):
            self.layers.append(Affine(self.params[f"W{l}"], self.params[f"b{l}"]))
            if l < self.count:
                self.layers.append({"relu": Relu, "sigmoid": Sigmoid}[activation]())
        self.last = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        decay = sum(np.sum(self.params[f"W{l}"] ** 2) for l in range(1, self.count + 1))
        return self.last.forward(self.predict(x), t) + 0.5 * self.lam * decay

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last.backward(1)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        affines = self.layers[::2]
        return {key: value for l in range(1, self.count + 1)
                for key, value in ((f"W{l}", affines[l - 1].dW + self.lam * self.params[f"W{l}"]),
                                   (f"b{l}", affines[l - 1].db))}


@pytest.fixture(scope="module")
def network_cases():
    return [item.case for item in build_suites(SPEC)["MultiLayerNet"].expected]


def _check(case, cls):
    return P.check_network(case.args, run_trusted(case, {"MultiLayerNet": cls}))


def test_a_right_network_passes_with_the_books_draws_and_with_its_own(network_cases):
    for case in network_cases:
        assert _check(case, MultiLayerNet) == (), case.label
        assert _check(case, _OtherDraws) == (), case.label


@pytest.mark.parametrize("mutant", [M._InitNamesSwapped, M._InitOwnSize, M._InitFixed])
def test_every_initialisation_mistake_fails_every_case_it_can_show_on(network_cases, mutant):
    for case in network_cases:
        name = str(case.args.get("weight_init_std", "relu")).lower()
        if mutant is not M._InitFixed and name not in ("relu", "he", "sigmoid", "xavier"):
            continue  # a number is used as it is
        problems = _check(case, mutant)
        assert any("W1 (" in p and "standard deviation" in p for p in problems), (case.label, problems)


@pytest.mark.parametrize("mutant", [M._DecayMissingInLoss, M._DecayWithoutHalf, M._DecayOnBiases,
                                    M._DecayLastLayerOnly, M._DecayMissingInGradient])
def test_every_weight_decay_mistake_fails_when_lambda_is_not_zero(network_cases, mutant):
    decayed = [case for case in network_cases if case.args.get("weight_decay_lambda", 0)]
    assert len(decayed) >= 5
    for case in decayed:
        problems = _check(case, mutant)
        assert any(p.startswith(("loss(x, t)", "gradient(x, t)")) for p in problems), (case.label, problems)


def test_the_bank_keeps_the_false_failure_budget(network_cases):
    """One statistically tested matrix per case (two tests at 1e-8 each), at most MAX_CASES cases;
    the smallest tested matrix still tells every catalogued scale from the right one."""
    assert len(network_cases) <= P.MAX_CASES
    smallest = math.inf
    for case in network_cases:
        sizes = P.layer_sizes(case.args)
        tested = [sizes[l - 1] * sizes[l] for l in range(1, len(sizes)) if sizes[l - 1] * sizes[l] >= P.MIN_ENTRIES]
        assert len(tested) == 1 and sizes[0] * sizes[1] == tested[0], sizes
        assert sizes[0] >= 2 * sizes[1], sizes  # the layer's own size gives a scale sqrt(2) or more off
        smallest = min(smallest, tested[0])
    low, high = spread_band(int(smallest), P.TEST_LEVEL)
    assert high < math.sqrt(2) and low > 1 / math.sqrt(2)  # He vs Xavier, own size; 0.01 is 5x or more off
    assert 2 * P.MAX_CASES * P.TEST_LEVEL <= 1e-6


def test_shuffle_properties():
    x, t = np.arange(42, dtype=float).reshape(14, 3), np.arange(14) % 10
    case = C.shuffle_script(x, t, 4)
    assert P.check_shuffle(case.args, run_trusted(case, {"shuffle_dataset": shuffle_dataset})) == ()

    def other_generator(x, t):
        order = np.random.default_rng(9).permutation(len(x))
        return x[order], t[order]

    assert P.check_shuffle(case.args, run_trusted(case, {"shuffle_dataset": other_generator})) == ()
    separate = P.check_shuffle(case.args, run_trusted(case, {"shuffle_dataset": M._shuffle_separately}))
    assert any("SAME permutation" in p for p in separate)
    unchanged = P.check_shuffle(case.args, run_trusted(case, {"shuffle_dataset": lambda x, t: (x, t)}))
    assert any("original order" in p for p in unchanged)
    dropped = P.check_shuffle(case.args, run_trusted(case, {"shuffle_dataset": lambda x, t: (x[[0] * 14], t)}))
    assert dropped and "exactly once" in dropped[0]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


def _units(path, sandbox):
    result = grade_submission(path, assignment="dlfs_network", sandbox=sandbox)
    graded = result.assignments[0]
    return graded.score, {f.name: f for f in graded.functions}


def test_a_learners_folder_with_other_draws_and_util_py_gets_full_marks(sandbox):
    score, units = _units(FIXTURES / "hana", sandbox)
    assert score == 5, {name: unit.message for name, unit in units.items()}


def test_a_learners_file_with_two_mistakes_is_diagnosed(sandbox):
    score, units = _units(FIXTURES / "multi_layer_net_decay_grad.py", sandbox)
    assert score == 0
    assert "dlfs-net-decay-missing-in-gradient" in units["MultiLayerNet"].diagnoses
    assert "dlfs-shuffle-separately" in units["shuffle_dataset"].diagnoses


def _redrawn(cls):
    """``cls`` with every weight matrix redrawn (another generator, the same standard deviation):
    a learner making the same mistake whose draws differ from the book's."""

    class Redrawn(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            count = len(self.params) // 2
            sizes = [self.params["W1"].shape[0]] + [self.params[f"W{l}"].shape[1] for l in range(1, count + 1)]
            rng = np.random.default_rng(sizes[0])
            for l in range(1, count + 1):
                scale = cls._scale(self, kwargs.get("weight_init_std", "relu"), sizes, l)
                self.params[f"W{l}"][...] = rng.normal(0.0, scale, self.params[f"W{l}"].shape)

    return Redrawn


def test_structural_checks_name_the_mistakes_of_learners_with_other_draws(network_cases):
    for mistake in (m for m in M.MISTAKES if m.function == "MultiLayerNet"):
        recognised = 0
        for case in network_cases:
            learner = run_trusted(case, {"MultiLayerNet": _redrawn(mistake.mutant)})
            seeded = run_trusted(case, {"MultiLayerNet": mistake.mutant})
            assert not np.allclose(learner[P.PARAMS_AFTER_INIT]["W1"], seeded[P.PARAMS_AFTER_INIT]["W1"])
            recognised += bool(mistake.structural(case.args, learner, {}))
            right = run_trusted(case, {"MultiLayerNet": _OtherDraws})
            assert not mistake.structural(case.args, right, {}), (mistake.id, case.label)
        assert recognised >= 2, mistake.id


def test_a_learner_with_other_draws_gets_the_mistake_named_by_its_structure(sandbox):
    score, units = _units(FIXTURES / "multi_layer_net_no_half_other_draws.py", sandbox)
    assert score == 0  # no shuffle_dataset in this file, and the network's penalty lacks the 0.5
    assert units["MultiLayerNet"].diagnoses == ("dlfs-net-decay-no-half",), units["MultiLayerNet"].message
