"""The handout cannot reproduce the grade: no reference code, no hidden case's answer (issue 16).

The searches here are the tests' own: reference lines are read with ``inspect`` and compared
without spaces; hidden answers are the grader's expected outputs for the hidden cases, looked
for among every number of the released data read as plain JSON (not through the kit).
"""

from __future__ import annotations

import inspect
import json
import shutil
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

from dnn_autograder.grader.assignment.catalogue_index import mistakes_by_function
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR, available_assignments, load_assignment, resolve
from dnn_autograder.grader.commands import release as command
from dnn_autograder.grader.grading.suite import build_suites
from dnn_autograder.grader.handouts.handout import DATA_FILE
from dnn_autograder.grader.handouts.handout_leaks import handout_problems

BANK = available_assignments()
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")
#: files a student reads as code: not one line of a reference may be in them
CODE_FILES = ("selfcheck.py", "public_tests.py", "testCases.py")


def _compact(line: str) -> str:
    return "".join(line.split("#", 1)[0].split())


def _reference_lines(name: str) -> dict[str, set[str]]:
    """Substantial body lines of each graded function's reference (no docstring lines, no
    ``def``/``return``), minus lines the master notebook gives outside its solutions."""
    spec = load_assignment(name)
    master = nbformat.read(spec.folder / "master.ipynb", as_version=4)
    given, inside = set(), False
    for cell in master.cells:
        for line in cell.source.splitlines() if cell.cell_type == "code" else ():
            if "START CODE HERE" in line or "END CODE HERE" in line:
                inside = "START" in line
            elif not inside:
                given.add(_compact(line))
    found = {}
    for function in spec.functions:
        source = textwrap.dedent(inspect.getsource(resolve(function.reference)))
        body = source.split('"""')[-1] if source.count('"""') >= 2 else source
        found[function.name] = {
            code for line in body.splitlines()
            if len(code := _compact(line)) >= 12 and not code.startswith(("return", "def")) and code not in given}
    return found


def _lines_of(path: Path) -> set[str]:
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    else:
        text = path.read_text(encoding="utf-8")
    return {_compact(line) for line in text.splitlines()}


@pytest.mark.parametrize("name", BANK)
def test_no_reference_code_in_the_handout(handouts, name: str) -> None:
    handout = handouts[name]
    references = _reference_lines(name)
    assert any(references.values())
    for path in handout.folder.iterdir():
        if path.suffix not in (".py", ".ipynb"):
            continue
        lines = _lines_of(path)
        for function, body in references.items():
            shared = body & lines
            if path.suffix == ".ipynb" or path.name in CODE_FILES:
                assert not shared, f"{path.name} holds lines of the reference's {function}: {sorted(shared)[:3]}"
            else:  # a course helper shares the course's own unpacking lines with some references, no more
                assert len(shared) <= len(body) / 2, f"{path.name} holds most of the reference's {function}"


def _numbers(value: Any) -> Iterator[tuple[Any, ...]]:
    """Every array (as shape and flat values) and every number of plain JSON data."""
    if isinstance(value, dict):
        if "__ndarray__" in value:
            spec = value["__ndarray__"]
            yield (tuple(spec["shape"]), *spec["data"])
            return
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, float):
        yield ((), value)


def _leaves(value: Any) -> Iterator[tuple[Any, ...]]:
    """Non-trivial numbers of a grader value: arrays that are not constant, non-whole floats."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, np.ndarray | float | np.floating):
        array = np.asarray(value, dtype=np.float64)
        flat = array.ravel()
        if flat.size and np.all(np.isfinite(flat)) and not np.all(flat == flat[0]) or (
                flat.size == 1 and np.isfinite(flat[0]) and not float(flat[0]).is_integer()):
            yield (array.shape, *flat.tolist())


def _public_values(spec) -> set[tuple[Any, ...]]:
    """What the public cases give away by design: their inputs and the reference's and every
    mutant's outputs on them."""
    found: set[tuple[Any, ...]] = set()
    mistakes = mistakes_by_function(spec)
    for name, suite in build_suites(spec).items():
        for item in suite.expected[: suite.spec.public_cases]:
            found.update(_leaves(dict(item.case.args)))
            found.update(_leaves(dict(item.outputs)))
            for mistake in mistakes[name]:
                if mistake.mutant is not None:
                    try:
                        with np.errstate(all="ignore"), warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            found.update(_leaves(dict(suite.run(mistake.mutant, item.case))))
                    except Exception:  # noqa: BLE001
                        pass
    return found


@pytest.mark.parametrize("name", BANK)
def test_no_hidden_answer_in_the_handout(handouts, name: str) -> None:
    spec = load_assignment(name)
    raw = json.loads((handouts[name].folder / DATA_FILE).read_text(encoding="utf-8"))
    shipped = {(tuple(shape), *data) for shape, *data in _numbers(raw)}
    public = _public_values(spec)
    hidden_total = 0
    for function, suite in build_suites(spec).items():
        hidden = suite.expected[suite.spec.public_cases:]
        hidden_total += len(hidden)
        for item in hidden:
            leaked = [leaf for leaf in _leaves(dict(item.outputs)) if leaf in shipped and leaf not in public]
            assert not leaked, f"{function}: hidden case {item.case.label!r} has its answer in the handout"
    assert hidden_total > 0


@pytest.mark.parametrize("name", BANK)
def test_public_cases_are_the_first_of_the_graded_ones_and_the_grade_keeps_them_all(handouts, name: str) -> None:
    spec = load_assignment(name)
    raw = json.loads((handouts[name].folder / DATA_FILE).read_text(encoding="utf-8"))
    from dnn_autograder.student_kit.selfcheck import decode

    data = decode(raw["data"])
    for function, suite in build_suites(spec).items():
        entry = data["functions"][function]
        n = suite.spec.public_cases
        assert [c["label"] for c in entry["cases"]] == [e.case.label for e in suite.expected[:n]]
        assert entry["hidden_cases"] == len(suite.expected) - n > 0


def test_a_hidden_answer_planted_in_the_data_is_found(handouts, tmp_path: Path) -> None:
    spec = load_assignment("optimization")
    folder = tmp_path / "optimization"
    shutil.copytree(handouts["optimization"].folder, folder)
    suite = build_suites(spec)["update_parameters_with_adam"]
    hidden = next(item for item in suite.expected[suite.spec.public_cases:] if any(_leaves(dict(item.outputs))))
    path = folder / DATA_FILE
    raw = json.loads(path.read_text(encoding="utf-8"))
    from dnn_autograder.grader.handouts.handout_data import encode

    raw["data"]["__dict__"].append(["planted", encode(dict(hidden.outputs))])
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert any("hidden case" in p for p in handout_problems(spec, folder))


def test_a_master_showing_reference_code_releases_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A line of the reference (one the master's solution does not have, so the starter's own
    leak check cannot see it) in a markdown cell of a master reaches the notebook: refused."""
    bank = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / "optimization", bank / "optimization")
    path = bank / "optimization" / "master.ipynb"
    master = nbformat.read(path, as_version=4)
    solution = {_compact(line) for cell in master.cells if cell.cell_type == "code"
                for line in cell.source.splitlines()}
    source = textwrap.dedent(inspect.getsource(resolve("dnn_autograder.reference:update_parameters_with_adam")))
    candidates = [line.strip() for line in source.split('"""')[-1].splitlines()
                  if _compact(line) in _reference_lines("optimization")["update_parameters_with_adam"]
                  and _compact(line) not in solution]
    if not candidates:
        pytest.skip("the master's solution has every line of the reference")
    master.cells.append(nbformat.v4.new_markdown_cell(f"A hint:\n\n    {candidates[0]}\n"))
    nbformat.write(master, path)
    out = tmp_path / "out"
    assert command.main([str(out), "--source", str(bank)]) == 4
    assert "reference" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())
