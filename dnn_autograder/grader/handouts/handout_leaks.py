"""Check a written handout: nothing in it may let a student reproduce the final grade.

Two searches over every file of a handout folder (:func:`handout_problems`):

* the reference's code: every substantial line of each graded function's reference (compared
  without comments and whitespace, as :func:`dnn_autograder.grader.handouts.release.check_no_leak` does),
  except lines the master notebook itself gives outside its solution regions;
* the hidden cases' answers: every non-trivial expected value of a hidden case (an array that is
  not constant, a number that is not a whole number) must be absent from the self-check's data,
  unless a public case has the very same value.
"""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function
from dnn_autograder.grader.assignment.spec import AssignmentSpec, resolve
from dnn_autograder.grader.grading.suite import FunctionSuite, build_suites
from dnn_autograder.grader.handouts.handout import DATA_FILE, HELPERS_DIR, course_packages, helper_modules
from dnn_autograder.grader.handouts.handout_data import hidden_items, public_items
from dnn_autograder.grader.handouts.release import _code_part, _is_trivial, _regions
from dnn_autograder.grader.values import numeric_leaves
from dnn_autograder.student_kit.selfcheck import decode

#: the share of a reference's lines a course helper module may also contain
HELPER_SHARE = 1 / 2
HELPERS_FILES = tuple(p.stem for p in HELPERS_DIR.glob("*.py") if p.stem != "__init__")


def reference_lines(spec: AssignmentSpec) -> dict[str, dict[str, str]]:
    """``{function: {code without comments and spaces: line}}`` of the references' bodies
    (docstrings left out); trivial lines and lines the master gives are left out."""
    given = _given_lines(spec)
    found: dict[str, dict[str, str]] = {}
    for function in spec.functions:
        source = textwrap.dedent(inspect.getsource(resolve(function.reference)))
        tree = ast.parse(source).body[0]
        assert isinstance(tree, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        # a class unit's reference (a script unit): the bodies of its methods
        bodies = [m.body for m in tree.body if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef)] \
            if isinstance(tree, ast.ClassDef) else [tree.body]
        lines = []
        for body in bodies:
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                body = body[1:]
            lines += source.splitlines()[body[0].lineno - 1: body[-1].end_lineno] if body else []
        codes = {_code_part(line): line.strip() for line in lines}
        found[function.name] = {code: line for code, line in codes.items()
                                if not _is_trivial(code) and code not in given}
    return found


def _given_lines(spec: AssignmentSpec) -> set[str]:
    master = spec.folder / "master.ipynb"
    if not master.is_file():
        return set()
    notebook = nbformat.read(master, as_version=4)
    given: set[str] = set()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            given.update(_code_part(line) for kind, line in _regions(cell.source, f"cell {index}") if kind == "given")
    return given


def _text_lines(path: Path) -> Iterator[str]:
    if path.suffix == ".ipynb":
        for cell in nbformat.read(path, as_version=4).cells:
            yield from cell.source.splitlines()
    elif path.suffix in (".py", ".txt", ".md"):
        yield from path.read_text(encoding="utf-8").splitlines()


def _key(leaf: Any) -> tuple[Any, ...] | None:
    """A hashable form of a non-trivial leaf, None for a trivial one (constant array, whole number)."""
    array = np.asarray(leaf, dtype=np.float64)
    flat = array.ravel()
    if flat.size == 0 or not np.all(np.isfinite(flat)):
        return None
    if flat.size == 1:
        return None if float(flat[0]).is_integer() else (array.shape, float(flat[0]))
    if np.all(flat == flat[0]):
        return None
    return (array.shape, *flat.tolist())


def _allowed_keys(suite: FunctionSuite, mistakes: tuple[Mistake, ...]) -> set[tuple[Any, ...]]:
    """Values the public cases legitimately give away: their inputs, and the outputs of the
    reference, of every accepted variant and of every mutant on them (recomputed here, not read
    from the handout)."""
    allowed: set[tuple[Any, ...]] = set()
    for item in public_items(suite):
        outputs = [dict(item.case.args), dict(item.outputs)]
        shipped = [m.mutant for m in mistakes if m.mutant is not None] + list(suite.variants.values())
        for implementation in shipped:
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    outputs.append(dict(suite.run(implementation, item.case)))
            except Exception:  # noqa: BLE001 - a mutant that cannot run gives nothing away
                pass
        allowed.update(key for leaf in numeric_leaves(outputs) if (key := _key(leaf)) is not None)
    return allowed


def hidden_values_in(spec: AssignmentSpec, shipped: Any) -> list[str]:
    """Problems: non-trivial expected values of hidden cases found among ``shipped``'s leaves
    (values that some public case of the assignment gives away too are not counted)."""
    keys = {key for leaf in numeric_leaves(shipped) if (key := _key(leaf)) is not None}
    problems = []
    mistakes = mistakes_by_function(spec)
    suites = build_suites(spec)
    # graded functions share inputs (the notebook's network), so any public case may give a value away
    allowed = set().union(*(_allowed_keys(suite, mistakes[name]) for name, suite in suites.items()))
    for name, suite in suites.items():
        for index, item in enumerate(hidden_items(suite)):
            for leaf in numeric_leaves(dict(item.outputs)):
                key = _key(leaf)
                if key is not None and key in keys and key not in allowed:
                    problems.append(f"{name}: an expected value of hidden case {index} ({item.case.label}) is in "
                                    "the self-check data")
                    break
    return problems


def handout_problems(spec: AssignmentSpec, folder: Path) -> list[str]:
    """Everything in the handout ``folder`` that would leak the reference or a hidden answer.

    The notebook and the kit may hold no line of a reference; a course helper module may share
    a few lines with one (``W1, b1 = parameters["W1"], parameters["b1"]`` is in the course's own
    forward pass) but not more than :data:`HELPER_SHARE` of any reference's lines.
    """
    references = reference_lines(spec)
    problems = []
    from dnn_autograder.course_helpers import COURSE_MODULES

    helpers = {f"{name}.py" for name in helper_modules(HELPERS_FILES)} | set(course_packages(COURSE_MODULES))
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):  # a course package is a folder
        codes = {_code_part(line) for line in _text_lines(path)}
        helper = path.relative_to(folder).as_posix() in helpers
        for function, lines in references.items():
            shared = sorted(line for code, line in lines.items() if code in codes)
            if shared and (not helper or len(shared) > HELPER_SHARE * len(lines)):
                problems.append(f"{path}: contains {len(shared)} of the {len(lines)} lines of the reference's "
                                f"{function} ({shared[0]!r} ...)")
    data_path = folder / DATA_FILE
    if data_path.is_file():
        shipped = decode(json.loads(data_path.read_text(encoding="utf-8"))["data"])
        problems += [f"{data_path}: {problem}" for problem in hidden_values_in(spec, shipped)]
    return problems
