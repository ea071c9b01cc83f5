"""The course-style fixture submissions keep the promises other tests rely on.

Nothing here runs student code: the fixtures are parsed, not executed.
"""

from __future__ import annotations

import ast

import nbformat
import pytest
from release_support import FIXTURES, NAMES, spec_functions

LEARNER_FILE_NAMES = {
    "initialization": "Initialization.ipynb",
    "regularization": "Regularization_v2a.ipynb",
    "gradient_checking": "Gradient+Checking.ipynb",
    "optimization": "Optimization_methods.ipynb",
}
MAGIC_PREFIXES = ("%", "!")


def course_style_paths(name):
    return [FIXTURES / f"course_style_{name}.ipynb",
            FIXTURES / "course_style_all" / LEARNER_FILE_NAMES[name]]


def without_magics(source):
    return "\n".join(
        "" if line.lstrip().startswith(MAGIC_PREFIXES) else line for line in source.splitlines()
    )


def top_level_definitions(source):
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)]


def test_course_style_all_holds_the_four_learner_notebooks():
    names = sorted(path.name for path in (FIXTURES / "course_style_all").iterdir())
    assert names == sorted(LEARNER_FILE_NAMES.values())


@pytest.mark.parametrize("name", NAMES)
def test_course_style_notebooks_are_messy_but_valid(name):
    for path in course_style_paths(name):
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert "grader" not in notebook.metadata, f"{path.name}: learners' notebooks carry none"
        code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
        assert any(line.lstrip().startswith(MAGIC_PREFIXES)
                   for source in code for line in source.splitlines()), "no magics"
        assert any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")

        defined: list[str] = []
        unparsable = []
        for source in code:
            try:
                defined.extend(top_level_definitions(without_magics(source)))
            except SyntaxError:
                unparsable.append(source)
        assert unparsable, f"{path.name}: no cell with a syntax error"
        for source in unparsable:
            assert "# GRADED FUNCTION" not in source and "def " not in source

        functions = spec_functions(name)
        missing = set(functions) - set(defined)
        assert not missing, f"{path.name}: {sorted(missing)} not defined"
        duplicated = [function for function in functions if defined.count(function) > 1]
        assert duplicated, f"{path.name}: no graded function is defined twice"
        headers = sum(source.lstrip().startswith("# GRADED FUNCTION") for source in code)
        assert headers < len(functions) + len(duplicated), "no GRADED FUNCTION header deleted"


@pytest.mark.parametrize("name", NAMES)
def test_plain_solution_defines_every_graded_function(name):
    source = (FIXTURES / f"solution_{name}.py").read_text(encoding="utf-8")
    assert set(spec_functions(name)) <= set(top_level_definitions(source))
