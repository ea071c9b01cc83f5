"""The contract on script units (a stateful function, a class, a forward and its backward): the toy
assignment of ``tests/grader/script_bank`` keeps it, and a copy whose class mutant is the reference
class breaks it. The copy gets a master notebook holding the toy answer key, so its mutants can be
written as submissions."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from assignment_contract import (
    case_problems,
    catalogue_problems,
    diagnosis_problems,
    edge_case_problems,
    exposure_problems,
    signature_problems,
    submission_problems,
)

from dnn_autograder.grader.assignment.spec import AssignmentSpec, load_assignment
from dnn_autograder.grader.handouts.mutant_submissions import mistakes_of

SCRIPT_BANK = Path(__file__).resolve().parent.parent / "grader" / "script_bank"
CLASS_MISTAKE = "toy-params-rebound"


@pytest.fixture(scope="module", autouse=True)
def toy_reference():
    """The toy answer key is imported as ``toy_reference`` (its spec's ``reference`` entries)."""
    sys.path.insert(0, str(SCRIPT_BANK))
    yield
    sys.path.remove(str(SCRIPT_BANK))


def toy_copy(tmp_path: Path, name: str, mistakes: str = "", cases: str = "") -> AssignmentSpec:
    """A copy of the toy assignment under ``name``, with a master notebook holding the answer key and
    ``mistakes``/``cases`` appended to its mistakes.py/cases.py."""
    folder = tmp_path / name
    shutil.copytree(SCRIPT_BANK / "toy_scripts", folder, ignore=shutil.ignore_patterns("__pycache__"))
    spec_file = folder / "spec.toml"
    spec_file.write_text(spec_file.read_text(encoding="utf-8").replace('name = "toy_scripts"', f'name = "{name}"'),
                         encoding="utf-8")
    notebook = nbformat.v4.new_notebook()
    answer_key = (SCRIPT_BANK / "toy_reference.py").read_text(encoding="utf-8")
    notebook.cells = [nbformat.v4.new_code_cell(answer_key.replace("from __future__ import annotations\n", ""))]
    nbformat.write(notebook, folder / "master.ipynb")
    for file, code in (("mistakes.py", mistakes), ("cases.py", cases)):
        if code:
            with (folder / file).open("a", encoding="utf-8") as handle:
                handle.write("\n\n" + textwrap.dedent(code))
    return load_assignment(name, tmp_path)


def test_the_toy_script_units_keep_the_contract(tmp_path):
    spec = toy_copy(tmp_path, "toy_contract")
    assert edge_case_problems(spec) == []
    assert catalogue_problems(spec) == []
    for unit in spec.function_names:
        assert case_problems(spec, unit) == [], unit
    mistakes = mistakes_of(spec)
    assert {m.function for m in mistakes} == {"momentum", "Momentum"}  # a stateful function and a class
    for mistake in mistakes:
        for check in (signature_problems, submission_problems, exposure_problems, diagnosis_problems):
            assert check(spec, mistake) == [], (mistake.id, check.__name__)


def test_a_class_mutant_equal_to_the_reference_class_breaks_the_contract(tmp_path):
    spec = toy_copy(tmp_path, "toy_contract_broken", mistakes=f"""
        import dataclasses as _dataclasses
        from toy_reference import Momentum as _Right
        MISTAKES = tuple(_dataclasses.replace(m, mutant=_Right) if m.id == "{CLASS_MISTAKE}" else m
                         for m in MISTAKES)
    """)
    (mistake,) = [m for m in mistakes_of(spec) if m.id == CLASS_MISTAKE]
    assert signature_problems(spec, mistake) == []
    assert exposure_problems(spec, mistake) == [
        f"{spec.name}: mistake {CLASS_MISTAKE}: no case of Momentum tells the mutant from the reference (6 cases)"]
    (problem,) = diagnosis_problems(spec, mistake)
    assert "slipped through: Momentum passes all 6 cases" in problem


def test_a_class_mutant_without_the_reference_methods_breaks_the_contract(tmp_path):
    spec = toy_copy(tmp_path, "toy_contract_methods", mistakes=f"""
        import dataclasses as _dataclasses

        class _Renamed:
            def __init__(self, lr=0.01, momentum=0.9):
                self.lr, self.momentum = lr, momentum

            def step(self, params, grads):
                pass

        MISTAKES = tuple(_dataclasses.replace(m, mutant=_Renamed) if m.id == "{CLASS_MISTAKE}" else m
                         for m in MISTAKES)
    """)
    (mistake,) = [m for m in mistakes_of(spec) if m.id == CLASS_MISTAKE]
    assert signature_problems(spec, mistake) == [
        f"{spec.name}: mistake {CLASS_MISTAKE}: no method update (the reference's public methods are update)"]


def test_a_script_that_never_calls_its_unit_breaks_the_contract(tmp_path):
    spec = toy_copy(tmp_path, "toy_contract_script", cases="""
        import numpy as _np
        _SCRIPT = (Step("scale_forward", args=(Var("x"), Var("gamma")), returns=("out", "cache"), compare=("out",)),)
        EDGE_CASES = {"momentum": (Case(args={"x": _np.ones((1, 1)), "gamma": _np.ones(1)}, label="edge: no momentum",
                                        steps=_SCRIPT),)}
    """)
    assert case_problems(spec, "momentum") == [
        f"{spec.name}: momentum: case 'edge: no momentum': the script never calls momentum"]
