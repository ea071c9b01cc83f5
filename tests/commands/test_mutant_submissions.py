"""The mutant submission builder: every catalogued mutant becomes a plain student file that
behaves like the mutant, with hooks turned into course imports or stand-ins."""

from __future__ import annotations

import ast
import copy
import importlib
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import load_all, load_assignment
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.pipeline import grade_assignment
from dnn_autograder.grader.handouts.mutant_submissions import MutantSourceError, mistakes_of, mutant_source

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader" / "script_bank"))
import toy_support  # noqa: E402 - the toy script assignment with a master notebook

BANK = [(spec, mistake) for spec in load_all() for mistake in mistakes_of(spec)
        if mistake.mutant is not None]


@pytest.mark.parametrize(("spec", "mistake"), BANK, ids=[m.id for _, m in BANK])
def test_every_mutant_builds_a_plain_submission(spec, mistake: Mistake) -> None:
    source = mutant_source(spec, mistake)
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    graded = functions[mistake.function]
    if isinstance(graded, ast.ClassDef):  # a class unit: its constructor takes the graded parameters
        init = next((n for n in graded.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if init is not None:
            assert [a.arg for a in init.args.args][1:] == list(spec.function(mistake.function).params)
        else:  # inherited: the base classes are carried over as definitions
            assert {b.id for b in graded.bases if isinstance(b, ast.Name)} <= set(functions)
    else:
        assert [a.arg for a in graded.args.args] == list(spec.function(mistake.function).params)
        assert graded.args.kwonlyargs == []  # no grader hooks in a student's signature
    assert set(spec.function_names) <= set(functions)  # the master's other functions too
    imported = {a.name.partition(".")[0] for n in ast.walk(tree)
                if isinstance(n, ast.Import | ast.ImportFrom)
                for a in ([n] if isinstance(n, ast.ImportFrom) else n.names)
                if isinstance(a, ast.alias)}
    modules = {n.module.partition(".")[0] for n in tree.body
               if isinstance(n, ast.ImportFrom) and n.module}
    assert not ({"reference", "assignments", "grader", "course_helpers"} & (imported | modules))
    assert f"# selfcheck mutant: {spec.name} {mistake.function} {mistake.id}" in source


@pytest.fixture
def course_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``reg_utils`` & co. and the course's test modules importable, as the sandbox does."""
    from dnn_autograder.course_helpers import COURSE_MODULES, TEST_MODULES

    for course, target in COURSE_MODULES.items():
        monkeypatch.setitem(sys.modules, course, importlib.import_module(target, "dnn_autograder.course_helpers"))
    for name in TEST_MODULES:
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))


def _run(source: str, function: str, args: tuple, **globals_: object) -> object:
    namespace: dict[str, object] = {"__name__": "student", **globals_}
    exec(compile(source, "<mutant>", "exec"), namespace)  # noqa: S102 - our own test code
    return namespace[function](*copy.deepcopy(args))


def _by_id(assignment: str, mistake_id: str) -> Mistake:
    return next(m for m in mistakes_of(load_assignment(assignment)) if m.id == mistake_id)


@pytest.mark.usefixtures("course_modules")
def test_a_cost_mutant_behaves_like_the_catalogue_entry() -> None:
    spec = load_assignment("regularization")
    mistake = _by_id("regularization", "l2-cost-missing-half")
    rng = np.random.default_rng(0)
    parameters = {f"W{i}": rng.normal(size=(3, 3)) for i in (1, 2, 3)}
    args = (rng.uniform(0.1, 0.9, size=(1, 5)), (rng.uniform(size=(1, 5)) > 0.5) * 1.0,
            parameters, 0.7)
    got = _run(mutant_source(spec, mistake), mistake.function, args)
    assert got == pytest.approx(mistake.mutant(*copy.deepcopy(args)))


@pytest.mark.usefixtures("course_modules")
def test_a_stand_in_hook_becomes_a_global() -> None:
    from dnn_autograder import reference
    spec = load_assignment("gradient_checking")
    mistake = next(m for m in mistakes_of(spec)
                   if m.function == "gradient_check_n" and m.mutant is not None)
    rng = np.random.default_rng(1)
    shapes = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
    parameters = {k: rng.normal(size=s) for k, s in shapes.items()}
    X, Y = rng.normal(size=(4, 3)), np.array([[1, 0, 1]])
    _, cache = reference.forward_propagation_n(X, Y, parameters)
    gradients = reference.backward_propagation_n(X, Y, cache)
    args = (parameters, gradients, X, Y)
    got = _run(mutant_source(spec, mistake), "gradient_check_n", args,
               forward_propagation_n=reference.forward_propagation_n)
    assert got == pytest.approx(mistake.mutant(*copy.deepcopy(args)))


def test_a_lambda_mutant_is_refused_with_a_reason() -> None:
    spec = load_assignment("regularization")
    mistake = Mistake("x-lambda", "compute_cost_with_regularization", "t", "e",
                      mutant=lambda A3, Y, parameters, lambd: 0.0)
    with pytest.raises(MutantSourceError, match="lambda"):
        mutant_source(spec, mistake)


# --- script units: a stateful function and a class ------------------------------------------------


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory):
    return toy_support.load_toy(toy_support.toy_root(tmp_path_factory.mktemp("toy")))


@pytest.mark.parametrize("mistake_id", ["toy-momentum-sign", "toy-params-rebound"])
def test_a_script_unit_mutant_graded_as_a_submission_is_named(toy, sandbox, tmp_path, mistake_id: str) -> None:
    """The class mutant becomes a class named like the unit; graded, it loses the unit's point and
    the diagnosis names it; every other unit is the master's and passes."""
    mistake = next(m for m in mistakes_of(toy) if m.id == mistake_id)
    source = mutant_source(toy, mistake)
    tree = ast.parse(source)
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert sorted(defined) == sorted(toy.function_names)  # each unit once, the mistaken one as the mutant
    kinds = {n.name: type(n).__name__ for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    assert kinds["Momentum"] == "ClassDef"
    path = tmp_path / "submission.py"
    path.write_text(source, encoding="utf-8")
    result = grade_assignment(toy, extract_file(path), sandbox)
    by_name = {f.name: f for f in result.functions}
    assert by_name[mistake.function].status == "failed"
    assert mistake_id in by_name[mistake.function].diagnoses
    assert all(f.status == "passed" for name, f in by_name.items() if name != mistake.function)


_SHRINK = 0.5


def _shrunk(value):
    return value * _SHRINK


class _BaseOptimizer:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum


class _HalfStep(_BaseOptimizer):
    """A class mutant using a helper base class, a helper function and a module constant."""

    steps: int = 0

    def update(self, params, grads):
        for key in params:
            params[key] -= _shrunk(self.lr * grads[key])


def test_a_class_mutant_carries_its_base_class_helpers_and_constants(toy) -> None:
    mistake = Mistake("toy-half-step", "Momentum", "t", "e", mutant=_HalfStep)
    namespace = {"__name__": "student"}
    exec(compile(mutant_source(toy, mistake), "<mutant>", "exec"), namespace)  # noqa: S102 - our own test code
    params = {"W": np.array([1.0, -2.0])}
    namespace["Momentum"](lr=0.1).update(params, {"W": np.array([4.0, 8.0])})
    assert np.allclose(params["W"], [1.0 - 0.5 * 0.4, -2.0 - 0.5 * 0.8])  # w - lr * g / 2, by hand


def test_a_class_defined_in_a_function_is_refused_with_a_reason(toy) -> None:
    class Local:
        def update(self, params, grads):
            pass

    with pytest.raises(MutantSourceError, match="module level"):
        mutant_source(toy, Mistake("x-local", "Momentum", "t", "e", mutant=Local))
