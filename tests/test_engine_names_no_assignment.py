"""The engine (``dnn_autograder/grader/``) names no assignment, no graded function, no course helper module.

Adding an assignment is adding a folder: everything specific to one (figures, recognition hints,
helper modules, words of its catalogue) lives in ``assignments/<name>/``. This test reads the
source of every engine module (docstrings and comments excluded: they may give examples) and fails
on:

* any identifier, or identifier-like word inside a string literal, equal to an assignment's folder
  name or a graded unit of any spec;
* any reference to a course helper module (a key of ``course_helpers.COURSE_MODULES``, or a spec's
  ``helper_module``): an import of it, or a string literal that is the module's name or starts with
  it (``"reg_utils.compute_cost"``, ``"from reg_utils import ..."``). A course module name can be an
  ordinary word (``common``), so a variable of that name is not a reference.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

import dnn_autograder
from dnn_autograder.course_helpers import COURSE_MODULES
from dnn_autograder.grader.assignment.spec import load_all

ENGINE = Path(dnn_autograder.__file__).resolve().parent / "grader"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def forbidden_names() -> dict[str, str]:
    """``{name: why it is forbidden}``: assignments and graded units of the installed bank."""
    names: dict[str, str] = {}
    for spec in load_all():
        names[spec.name] = "an assignment's name"
        for function in spec.function_names:
            names[function] = f"a graded unit of {spec.name}"
    return names


def course_modules() -> dict[str, str]:
    """``{module name: why}``: the course helper modules."""
    modules = {module: "a course helper module" for module in COURSE_MODULES}
    for spec in load_all():
        if spec.helper_module:
            modules.setdefault(spec.helper_module, f"the helper module of {spec.name}")
    return modules


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings (of a module, class or function)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                found.add(id(first.value))
    return found


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """``(line, text)`` of every string literal that is not a docstring."""
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip]


def mentions(source: str) -> list[tuple[int, str]]:
    """``(line, word)`` for every identifier, and every identifier-like word inside a string
    literal, in ``source`` (comments and docstrings are not code and are left out)."""
    tree = ast.parse(source)
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name):
            out.append((line, node.id))
        elif isinstance(node, ast.Attribute):
            out.append((line, node.attr))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.append((line, node.name))
        elif isinstance(node, ast.arg):
            out.append((line, node.arg))
        elif isinstance(node, ast.keyword) and node.arg:
            out.append((line, node.arg))
        elif isinstance(node, ast.alias):
            out.extend((line, part) for part in node.name.split(".") + [node.asname or ""] if part)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.extend((line, part) for part in node.module.split("."))
    out.extend((line, word) for line, text in _strings(tree) for word in _WORD.findall(text))
    return out


def module_references(source: str, modules: Iterable[str]) -> list[tuple[int, str]]:
    """``(line, module)`` for every import of one of ``modules`` and every string literal that
    names one (the whole literal, its start before ``.``/``:``, or after ``from``/``import``)."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        imported = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        found += [(node.lineno, m) for name in imported for m in modules if name == m or name.startswith(m + ".")]
    for line, text in _strings(tree):
        for module in modules:
            pattern = rf"(?:^|\bfrom\s+|\bimport\s+)(?<![\w.]){re.escape(module)}(?=$|[.:\s])"
            if re.search(pattern, text.strip()):
                found.append((line, module))
    return found


def offences(source: str, forbidden: Mapping[str, str], modules: Mapping[str, str] | None = None) -> list[str]:
    words = [f"line {line}: {word!r} ({forbidden[word]})" for line, word in mentions(source) if word in forbidden]
    refs = [f"line {line}: {module!r} ({(modules or {})[module]})"
            for line, module in module_references(source, modules or {})]
    return words + refs


def test_the_bank_gives_names_to_look_for() -> None:
    forbidden = forbidden_names()
    assert sum(why == "an assignment's name" for why in forbidden.values()) >= 4
    assert sum(why.startswith("a graded unit") for why in forbidden.values()) >= 20
    assert len(course_modules()) >= 4


def test_the_scan_finds_names_in_code_and_strings_but_not_in_docstrings_or_comments() -> None:
    forbidden = {"adam": "x", "optimization": "z"}
    code = ('"""Module doc: adam, reg_utils."""\n'
            "import numpy  # adam\n"
            "def f(adam):\n"
            "    \'\'\'Doc: optimization.\'\'\'\n"
            "    return {'optimization': 1}\n"
            "x = obj.adam\n"
            "y = 'dnn_autograder.reference:other'\n")
    found = offences(code, forbidden)
    assert sorted({int(entry.split(":")[0].removeprefix("line ")) for entry in found}) == [3, 5, 6]
    assert {entry.split("'")[1] for entry in found} == {"adam", "optimization"}


@pytest.mark.parametrize(("code", "lines"), [
    ("import reg_utils\n", [1]),
    ("from reg_utils import relu\n", [1]),
    ("import common.functions as f\n", [1]),
    ("x = {'relu': 'reg_utils.relu'}\n", [1]),
    ("x = 'reg_utils'\n", [1]),
    ("x = f'from reg_utils import {name}'\n", [1]),
    ("x = 'common.util:im2col'\n", [1]),
    ("common = 1\nx = common + 2\n", []),        # an ordinary word as a variable
    ("x = 'the most common syntax error'\n", []),
    ("x = 'commonly'\nimport commonmark\n", []),
    ("from .common import y\n", []),               # a relative import of the engine's own module
])
def test_course_module_references(code: str, lines: list[int]) -> None:
    found = module_references(code, ["reg_utils", "common", "common.functions"])
    assert sorted({line for line, _ in found}) == lines


#: engine files allowed to name course things, and why; each must still need it (checked below)
KNOWN = {
    # a benchmark of the sandbox (python -m ...sandbox.bench) timing a course-like notebook, not
    # grading code; the architecture review proposes moving it out to benchmarks/
    "sandbox/bench.py": "a benchmark's sample notebook",
}


@pytest.mark.parametrize("path", sorted(ENGINE.rglob("*.py")), ids=lambda p: str(p.relative_to(ENGINE)))
def test_engine_module_names_no_assignment(path: Path) -> None:
    found = offences(path.read_text(encoding="utf-8"), forbidden_names(), course_modules())
    where = str(path.relative_to(ENGINE))
    if where in KNOWN:
        assert found, f"{where} no longer names course things: remove it from KNOWN"
        return
    assert not found, f"{path.relative_to(ENGINE.parent)} names what belongs in an assignment folder:\n  " + \
        "\n  ".join(found)
