"""The mutant submission builder: every catalogued mutant becomes a plain student file that
behaves like the mutant, with hooks turned into course imports or stand-ins."""

from __future__ import annotations

import ast
import copy
import importlib
import sys
import types

import numpy as np
import pytest

from dnn_autograder.grader.catalogue import Mistake
from dnn_autograder.grader.mutant_submissions import MutantSourceError, mistakes_of, mutant_source
from dnn_autograder.grader.spec import load_all, load_assignment

BANK = [(spec, mistake) for spec in load_all() for mistake in mistakes_of(spec)
        if mistake.mutant is not None]


@pytest.mark.parametrize(("spec", "mistake"), BANK, ids=[m.id for _, m in BANK])
def test_every_mutant_builds_a_plain_submission(spec, mistake: Mistake) -> None:
    source = mutant_source(spec, mistake)
    tree = ast.parse(source)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    graded = functions[mistake.function]
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
