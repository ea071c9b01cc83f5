"""*Deep Learning from Scratch* chapter 6 end to end: learners' own re-typed classes, graded.

``tests/fixtures/dlfs/class`` is a class of mixed submissions: a package folder
(``alice/common/optimizer.py`` and ``layers.py`` with her own ``functions.py`` and ``util.py``,
Japanese comments, ``sys.path.append(os.pardir)`` and ``from common.functions import *``), a
``ch06/`` folder with a plotting script beside the classes (``bob``, Korean comments), a
notebook with the classes in cells (``carol.ipynb``, Chinese comments), a file with a syntax
error in one class (``dave``), a layers file with three mistakes (``erin``) and a file with the
book's ``lr`` renamed ``learning_rate`` (``frank``). ``tests/fixtures/dlfs/mistakes`` holds one
learner-written defect per file, each expected to be named by its catalogue id.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dnn_autograder.grader.classes.batch import grade_batch
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.sandbox import Sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dlfs"

#: student -> {assignment: (score, {unit: (status, diagnosis id or "")})}
EXPECTED = {
    "alice": {"dlfs_optimizers": (7, {}), "dlfs_layers": (11, {})},
    "bob": {"dlfs_optimizers": (4, {"Momentum": ("failed", "dlfs-momentum-as-average"),
                                    "Adam": ("failed", "dlfs-adam-no-bias-correction")})},
    "carol": {"dlfs_optimizers": (6, {"AdaGrad": ("failed", "dlfs-adagrad-epsilon-inside-sqrt")})},
    "dave": {"dlfs_optimizers": (6, {"Momentum": ("error", "")})},
    "erin": {"dlfs_layers": (4, {"Affine": ("failed", "dlfs-affine-no-reshape"),
                                 "Dropout": ("failed", "dlfs-dropout-scaled-twice"),
                                 "BatchNormalization": ("failed", "dlfs-bn-running-updated-at-test")})},
    "frank": {"dlfs_optimizers": (0, {"SGD": ("error", "")})},
}

#: fixture file -> (assignment, unit, the mistake id it must be diagnosed as)
MISTAKES = {
    "momentum_ema.py": ("dlfs_optimizers", "Momentum", "dlfs-momentum-as-average"),
    "momentum_wrong_sign.py": ("dlfs_optimizers", "Momentum", "dlfs-momentum-wrong-sign"),
    "momentum_state_reset.py": ("dlfs_optimizers", "Momentum", "dlfs-momentum-state-reset"),
    "adagrad_state_shared.py": ("dlfs_optimizers", "AdaGrad", "dlfs-state-shared-between-keys"),
    "rmsprop_epsilon_inside_sqrt.py": ("dlfs_optimizers", "RMSprop", "dlfs-rmsprop-epsilon-inside-sqrt"),
    "sgd_params_rebound.py": ("dlfs_optimizers", "SGD", "dlfs-update-rebinds-params"),
    "adam_iter_per_key.py": ("dlfs_optimizers", "Adam", "dlfs-adam-iter-per-key"),
    "adam_epsilon_inside_sqrt.py": ("dlfs_optimizers", "Adam", "dlfs-adam-epsilon-inside-sqrt"),
    "dropout_test_returns_none.py": ("dlfs_layers", "Dropout", "dlfs-dropout-test-returns-none"),
    "bn_momentum_swapped.py": ("dlfs_layers", "BatchNormalization", "dlfs-bn-momentum-swapped"),
    "softmax_loss_without_softmax.py": ("dlfs_layers", "SoftmaxWithLoss", "dlfs-softmax-loss-without-softmax"),
    "relu_changes_input.py": ("dlfs_layers", "Relu", "dlfs-relu-changes-input"),
}


def _functions(result: dict, assignment: str) -> tuple[float, dict[str, dict]]:
    graded = next(a for a in result["assignments"] if a["assignment"] == assignment)
    return graded["score"], {f["name"]: f for f in graded["functions"]}


@pytest.mark.slow
def test_a_mixed_class_grades_end_to_end(tmp_path):
    summary = grade_batch(FIXTURES / "class", tmp_path / "out", jobs=2, progress=None, reports=False)
    assert summary is not None
    results = {}
    for path in (tmp_path / "out").rglob("result.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        results[path.parent.name.removesuffix(".ipynb")] = result
    assert set(results) == set(EXPECTED), sorted(results)
    for student, assignments in EXPECTED.items():
        graded = {a["assignment"] for a in results[student]["assignments"]}
        assert graded == set(assignments), (student, graded)  # copies of common/functions.py are not graded
        for assignment, (score, units) in assignments.items():
            got, functions = _functions(results[student], assignment)
            assert got == score, (student, assignment, {n: f["status"] for n, f in functions.items()})
            for unit, (status, mistake) in units.items():
                assert functions[unit]["status"] == status, (student, unit, functions[unit]["message"])
                if mistake:
                    assert mistake in functions[unit]["diagnoses"], (student, unit, functions[unit]["diagnoses"])
    _, dave = _functions(results["dave"], "dlfs_optimizers")
    assert "syntax error at line 24" in dave["Momentum"]["message"]
    assert all(f["status"] == "passed" for n, f in dave.items() if n != "Momentum")
    _, frank = _functions(results["frank"], "dlfs_optimizers")
    assert "Name the parameter `lr`" in frank["SGD"]["message"]
    _assert_pictures(results)


def _figure(result: dict, assignment: str, name: str) -> dict:
    graded = next(a for a in result["assignments"] if a["assignment"] == assignment)
    return graded["figures"][name]


def _assert_pictures(results: dict) -> None:
    """The book's figures from each learner's own classes: a right class retraces the reference's
    path (alice's Nesterov, the repository's other form, does not), a wrong one its own."""
    paths = {s["name"]: s for s in _figure(results["alice"], "dlfs_optimizers", "dlfs_optimizer_paths")["series"]}
    for name in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Adam"):
        for axis in ("x", "y"):
            assert paths[name]["yours"][axis] == pytest.approx(paths[name]["reference"][axis]), name
    assert len(paths["Nesterov"]["yours"]["x"]) == 31
    assert paths["Nesterov"]["yours"]["x"][-1] != pytest.approx(paths["Nesterov"]["reference"]["x"][-1])
    bob = {s["name"]: s for s in _figure(results["bob"], "dlfs_optimizers", "dlfs_optimizer_paths")["series"]}
    assert bob["Momentum"]["yours"]["x"][-1] != pytest.approx(bob["Momentum"]["reference"]["x"][-1])
    rows = _figure(results["alice"], "dlfs_layers", "dlfs_activation_histograms")["rows"]
    assert [row["label"].split(",")[0] for row in rows] == ["std 1", "std 0.01", "Xavier sqrt(1/n)", "He sqrt(2/n)"]
    assert all(row["yours"] == row["reference"] for row in rows)


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as box:
        yield box


@pytest.mark.parametrize("fixture", sorted(MISTAKES))
def test_each_learner_mistake_is_named(fixture, sandbox):
    assignment, unit, mistake = MISTAKES[fixture]
    result = grade_submission(FIXTURES / "mistakes" / fixture, assignment=assignment, sandbox=sandbox)
    graded = result.assignments[0]
    function = next(f for f in graded.functions if f.name == unit)
    assert function.score == 0 and function.status in ("failed", "error"), function.message
    assert mistake in function.diagnoses, (function.diagnoses, function.message)
