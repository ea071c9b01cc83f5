"""The grader on the independent bank of student solutions (``tests/fixtures/bank/``).

* every ``correct/`` file gets full marks on each graded function it defines;
* every ``wrong/`` file loses points on the function named by its ``# BUG:`` line, and when its
  ``# EXPECT:`` names a catalogued id, that id is among the diagnoses. Diagnoses given on
  ``EXPECT: none`` files are only recorded (``benchmarks/accuracy.py`` reports precision).

Known grader gaps found with this bank are marked ``xfail(strict=True)`` in
:data:`KNOWN_GAPS`, so the suite stays green while they exist and turns red when one is fixed
(then delete its entry).

Counterexample shrinking is switched off here: it only chooses which failing case is *shown*,
never a score or a diagnosis, and it is most of the grading time of a wrong file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.sandbox import Limits, Sandbox

ROOT = Path(__file__).resolve().parents[2]


def _load_benchmark():
    spec = importlib.util.spec_from_file_location(
        "bank_accuracy", ROOT / "benchmarks" / "accuracy.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


accuracy = _load_benchmark()
BANK = accuracy.load_bank()
CORRECT = [f for f in BANK if f.kind == "correct"]
WRONG = [f for f in BANK if f.kind == "wrong"]

#: file name -> why the grader currently gets it wrong (see the report in benchmarks/accuracy.py)
KNOWN_GAPS: dict[str, str] = {
}


@pytest.fixture(scope="module")
def bank_sandbox():
    """One sandbox for the whole bank (and no shrinking while it is graded)."""
    with accuracy.shrinking(False), Sandbox(Limits()) as box:
        yield box


def _grade(sandbox: Sandbox, file) -> dict:
    result = grade_submission(file.path, assignment=file.assignment, sandbox=sandbox)
    return {f.name: f for a in result.assignments for f in a.functions}


def _param(file):
    marks = []
    if file.name in KNOWN_GAPS:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[file.name]))
    return pytest.param(file, id=file.name, marks=marks)


def test_bank_is_big_enough():
    assert len(CORRECT) >= 24
    assert len(WRONG) >= 30
    for file in CORRECT:
        assert file.defines, f"{file.name} defines no graded function"


@pytest.mark.parametrize("file", [_param(f) for f in CORRECT])
def test_correct_solution_gets_full_marks(bank_sandbox, file):
    functions = _grade(bank_sandbox, file)
    problems = []
    for name in file.defines:
        f = functions.get(name)
        if f is None:
            problems.append(f"{name}: not graded")
        elif f.status != "passed" or f.score < f.max_score:
            problems.append(
                f"{name}: {f.status} {f.score}/{f.max_score} {list(f.diagnoses)}: {f.message}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("file", [_param(f) for f in WRONG])
def test_wrong_solution_loses_points(bank_sandbox, file, record_property):
    functions = _grade(bank_sandbox, file)
    f = functions.get(file.bug_function)
    assert f is not None, f"{file.bug_function} was not graded"
    assert f.score < f.max_score, (
        f"bug not detected ({file.bug}): {f.status} {f.score}/{f.max_score}"
    )
    record_property("diagnoses", ",".join(f.diagnoses))
    if file.expect == "none":
        # recorded (junit property, and printed under -s); precision is the benchmark's job
        if f.diagnoses:
            print(
                f"{file.name}: diagnosed {list(f.diagnoses)}"
                f" (EXPECT none, ACCEPT {list(file.accept)})"
            )
        return
    assert any(accuracy.same_mistake(d, file.expect) for d in f.diagnoses), (
        f"expected diagnosis {file.expect}, got {list(f.diagnoses)} [{f.status}]: {f.message}"
    )
