"""Builders of submission notebooks for the extract tests (imported by the test modules)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"

PYTHON_KERNEL = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python", "version": "3.11.7"},
}


def code(source: str, *, output: str | None = None) -> nbformat.NotebookNode:
    """A code cell, optionally with a (stale) stream output."""
    cell = new_code_cell(source)
    if output is not None:
        cell.outputs = [new_output("stream", name="stdout", text=output)]
        cell.execution_count = 1
    return cell


def markdown(source: str) -> nbformat.NotebookNode:
    return new_markdown_cell(source)


def notebook_json(*cells: Any, minor: int = 5, metadata: dict | None = None) -> str:
    """Notebook JSON (nbformat 4.``minor``) holding ``cells``; a str is a code cell."""
    nb = new_notebook(cells=[code(cell) if isinstance(cell, str) else cell for cell in cells])
    nb.metadata = PYTHON_KERNEL if metadata is None else metadata  # unvalidated, as in the wild
    nb.nbformat_minor = minor
    if minor < 5:
        for cell in nb.cells:
            cell.pop("id", None)
    return json.dumps(nb, indent=1, ensure_ascii=False)  # as Jupyter writes, without validation


def raw_notebook(cells: list[Any], **top: Any) -> str:
    """Hand-made notebook JSON, for shapes nbformat would not write."""
    return json.dumps({"cells": cells, **top})
