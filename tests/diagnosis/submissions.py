"""Turn Python source into the two forms students hand in: a .py file and a notebook."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat


def write_py(folder: Path, stem: str, source: str) -> Path:
    path = folder / f"{stem}.py"
    path.write_text(source, encoding="utf-8")
    return path


def write_notebook(folder: Path, stem: str, source: str) -> Path:
    """One cell per top-level statement group, as a learner's notebook would have, with a
    magic and a test call thrown in."""
    tree = ast.parse(source)
    lines = source.splitlines()
    cells = [nbformat.v4.new_code_cell("%matplotlib inline\n%load_ext autoreload")]
    for node in tree.body:
        start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
        chunk = "\n".join(lines[start:node.end_lineno])
        if isinstance(node, ast.FunctionDef):
            chunk = f"# GRADED FUNCTION: {node.name}\n\n{chunk}"
        cells.append(nbformat.v4.new_code_cell(chunk))
        if isinstance(node, ast.FunctionDef):
            cells.append(nbformat.v4.new_code_cell(f"{node.name}_test({node.name})"))
    notebook = nbformat.v4.new_notebook(cells=cells)
    path = folder / f"{stem}.ipynb"
    nbformat.write(notebook, path)
    return path
