"""The case bank and the suites do not import each other: both draw with ``grader.sampling``."""

from __future__ import annotations

import ast
from pathlib import Path

import dnn_autograder.grader as grader

GRADER = Path(grader.__file__).resolve().parent


def _imports(module: str) -> set[str]:
    """Every module ``grader/assignment/<module>.py`` imports, at any depth of its code (lazy imports too)."""
    tree = ast.parse((GRADER / "assignment" / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_casebank_does_not_import_suite() -> None:
    assert "dnn_autograder.grader.grading.suite" not in _imports("casebank")
    assert "dnn_autograder.grader.assignment.sampling.draw_cases" in _imports("casebank")


def test_sampling_imports_neither() -> None:
    imported = _imports("sampling")
    assert not {"dnn_autograder.grader.grading.suite", "dnn_autograder.grader.assignment.casebank"} & imported


def test_draw_cases_has_one_home() -> None:
    from dnn_autograder.grader.assignment import casebank, sampling
    from dnn_autograder.grader.grading import suite

    assert suite.draw_cases is sampling.draw_cases
    assert casebank.draw_cases is sampling.draw_cases
