"""Shared helpers of the handout tests: notebooks as a student would fill them in.

* :func:`with_master_code`: the handout notebook with every graded cell replaced by the
  master's cell (the solution pasted in);
* :func:`with_mutant`: the same, with one graded cell replaced by a catalogued mistake's
  submission source (:func:`dnn_autograder.grader.handouts.mutant_submissions.mutant_source`), as a
  student making that mistake would write it;
* :func:`run_in_namespace`: a handout's code run in-process, in the handout folder, so the kit
  can be called directly (fast tests); the kernel tests run the same notebooks in Jupyter.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import numpy as np

from dnn_autograder.grader.assignment.spec import AssignmentSpec
from dnn_autograder.grader.handouts.release import graded_function_name


def graded(cell: nbformat.NotebookNode) -> str | None:
    return graded_function_name(cell.source) if cell.cell_type == "code" else None


def master_cells(spec: AssignmentSpec) -> dict[str, str]:
    master = nbformat.read(spec.folder / "master.ipynb", as_version=4)
    return {name: cell.source for cell in master.cells if (name := graded(cell))}


def with_master_code(notebook: nbformat.NotebookNode, spec: AssignmentSpec) -> nbformat.NotebookNode:
    solved = master_cells(spec)
    filled = copy.deepcopy(notebook)
    for cell in filled.cells:
        name = graded(cell)
        if name in solved:
            cell.source = solved[name]
    return filled


def with_mutant(notebook: nbformat.NotebookNode, spec: AssignmentSpec, function: str,
                source: str) -> nbformat.NotebookNode:
    """The solved notebook whose ``function`` cell holds ``source`` instead (a whole mutant
    submission: it defines every graded function, the mistaken one last wins)."""
    filled = with_master_code(notebook, spec)
    for cell in filled.cells:
        if graded(cell) == function:
            cell.source = source
    return filled


def check_outputs(notebook: nbformat.NotebookNode) -> dict[str, list[str]]:
    """``{what the self-check cell checks: [its outputs as text]}`` of an executed notebook
    (``all`` for the final ``check_all()``)."""
    found: dict[str, list[str]] = {}
    for cell in notebook.cells:
        what = cell.get("metadata", {}).get("grader", {}).get("self_check")
        if what and what != "import":
            found[what] = [output.get("text", "") if output.get("output_type") == "stream"
                           else f"{output.get('output_type')}: {output.get('ename', '')} {output.get('evalue', '')}"
                           for output in cell.get("outputs", [])]
    return found


KIT_MODULES = ("selfcheck", "public_tests", "testCases", "common", "common.functions", "common.util", "reg_utils",
               "gc_utils", "init_utils", "opt_utils", "opt_utils_v1a")


@contextmanager
def handout_kit(folder: Path) -> Iterator[ModuleType]:
    """The handout's own ``selfcheck`` module, imported from ``folder`` (its helpers importable
    too), removed again afterwards."""
    saved_path, saved_cwd = list(sys.path), os.getcwd()
    saved_modules = {name: sys.modules.pop(name) for name in KIT_MODULES if name in sys.modules}
    sys.path.insert(0, str(folder))
    os.chdir(folder)
    try:
        yield importlib.import_module("selfcheck")
    finally:
        for name in KIT_MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved_modules)
        sys.path[:] = saved_path
        os.chdir(saved_cwd)


def run_in_namespace(source: str) -> dict[str, Any]:
    """Run student-style ``source`` (with the handout's modules importable) as ``__main__`` would."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        exec(compile(source, "<student>", "exec"), namespace)  # noqa: S102 - trusted test code
    return namespace
