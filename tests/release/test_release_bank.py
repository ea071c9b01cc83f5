"""The committed master and starter notebooks of the assignment bank."""

from __future__ import annotations

import ast

import nbformat
import pytest
from release_support import BANK, code_cells, read_master, read_starter, spec_functions

from dnn_autograder.grader.handouts.release import (
    END_MARKER,
    START_MARKER,
    check_no_leak,
    graded_function_name,
    make_starter,
)

pytestmark = pytest.mark.parametrize("name", BANK)


def graded_cells(notebook):
    """``{function name: [cells headed # GRADED FUNCTION: name]}``."""
    found: dict[str, list] = {}
    for cell in code_cells(notebook):
        function = graded_function_name(cell.source)
        if function:
            found.setdefault(function, []).append(cell)
    return found


def test_notebooks_are_valid_nbformat_4(name):
    for notebook in (read_master(name), read_starter(name)):
        nbformat.validate(notebook)
        assert notebook.nbformat == 4
        assert notebook.metadata.kernelspec.name == "python3"
        assert notebook.metadata.grader.assignment == name


def test_committed_starter_is_make_starter_of_master(name):
    expected = make_starter(read_master(name))
    assert read_starter(name) == expected, (
        f"assignments/{name}/starter.ipynb is stale: run `python -m dnn_autograder.grader.handouts.release`"
    )


def test_committed_starter_leaks_nothing(name):
    assert check_no_leak(read_master(name), read_starter(name)) == []


def test_each_graded_function_has_exactly_one_cell(name):
    cells = graded_cells(read_master(name))
    assert sorted(cells) == sorted(spec_functions(name)), "graded cells vs spec.toml functions"
    for function, found in cells.items():
        assert len(found) == 1, f"{function}: {len(found)} graded cells"
        definitions = [
            node.name for node in ast.parse(found[0].source).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef)  # a script unit may be a class
        ]
        assert definitions == [function], f"{function}: the cell defines {definitions}"


def test_master_code_has_no_magics_and_compiles(name):
    for cell in code_cells(read_master(name)):
        ast.parse(cell.source)
        assert not cell.outputs and cell.execution_count is None


def test_every_graded_master_cell_has_a_marked_region(name):
    for function, (cell,) in graded_cells(read_master(name)).items():
        assert START_MARKER in cell.source and END_MARKER in cell.source, function


def test_starter_graded_cells_raise_not_implemented(name):
    cells = graded_cells(read_starter(name))
    assert sorted(cells) == sorted(spec_functions(name))
    for function, (cell,) in cells.items():
        assert "raise NotImplementedError()" in cell.source, function
        assert cell.metadata.grader.graded_function == function
        ast.parse(cell.source)


def test_starter_keeps_the_given_cells(name):
    master, starter = read_master(name), read_starter(name)
    assert [cell.id for cell in starter.cells] == [cell.id for cell in master.cells]
    for before, after in zip(master.cells, starter.cells, strict=True):
        if before.cell_type == "markdown" or START_MARKER not in before.source:
            assert after.source == before.source, f"cell {before.id} changed"
