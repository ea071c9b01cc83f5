"""Split plain Python source into :class:`ProgramUnit` objects, one per top-level statement.

For tests, benchmarks and simple callers; submissions go through ``dnn_autograder.grader.extract``, which also
handles notebooks and leaves out top-level code the grader does not need.
"""

from __future__ import annotations

import ast

from dnn_autograder.grader.sandbox.records import ProgramUnit


def units_from_source(source: str, filename: str = "submission.py") -> tuple[ProgramUnit, ...]:
    """Every top-level statement of ``source`` as a unit (imports, definitions, the rest as
    constants). Raises SyntaxError for source that does not parse."""
    tree = ast.parse(source, filename)
    lines = source.splitlines(keepends=True)
    units = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "".join(lines[first - 1:node.end_lineno])
        units.append(ProgramUnit(_kind(node), text, _names(node), filename, first))
    return tuple(units)


def _kind(node: ast.stmt) -> str:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "import"
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return "definition"
    return "constant"


def _names(node: ast.stmt) -> tuple[str, ...]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        return tuple((alias.asname or alias.name).partition(".")[0] for alias in node.names)
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return (node.name,)
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return tuple(n.id for t in targets if t is not None for n in ast.walk(t)
                 if isinstance(n, ast.Name))
