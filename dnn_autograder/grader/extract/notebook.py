"""Read notebooks leniently: nbformat 4.x directly, older versions upgraded with nbformat.

Only code cells matter; markdown and raw cells give at most a title hint, and outputs are never
read (stale outputs must not change a grade). Hand-edited or tool-written notebooks often miss
keys nbformat's schema requires (``metadata``, ``outputs``) or hold ``source`` as a string rather
than a list of lines: any JSON object with a list of cells is accepted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dnn_autograder.grader.errors import SubmissionError
from dnn_autograder.grader.extract.assemble import Extraction
from dnn_autograder.grader.extract.model import ExtractedFile
from dnn_autograder.grader.membudget import PARSE_BUDGET_BYTES, memory_budget

_TITLE_LENGTH = 200
_RESAVE = "open it in Jupyter and save it again, or submit your code as a .py file"


@dataclass(frozen=True)
class NotebookCell:
    index: int  #: 1-based position among all the notebook's cells, as the user sees them
    cell_type: str
    source: str


@dataclass(frozen=True)
class Notebook:
    cells: tuple[NotebookCell, ...]
    metadata: Mapping[str, Any]
    version: str  #: the version the file was written in, e.g. "4.5" or "3.0"


def load_json(text: str, name: str) -> Any:
    """The JSON value of a notebook's text; SubmissionError with the position if invalid, or
    when it would take more than the parser's memory budget once loaded (JSON made of millions
    of empty lists is small as text, huge as objects) or nests too deeply."""
    try:
        with memory_budget(PARSE_BUDGET_BYTES):
            return json.loads(text)
    except MemoryError:
        raise SubmissionError(
            f"{name} is too large to read: its JSON needs more than the grader's "
            f"{PARSE_BUDGET_BYTES >> 20} MiB memory budget once loaded: {_RESAVE}"
        ) from None
    except json.JSONDecodeError as error:
        raise SubmissionError(
            f"{name} is not valid notebook JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg}); the file may be truncated or edited by hand: {_RESAVE}"
        ) from None
    except RecursionError:
        raise SubmissionError(f"{name} is JSON nested too deeply to read: {_RESAVE}") from None


def is_notebook_json(data: Any) -> bool:
    """True for a JSON object shaped like a notebook (a list of cells, or v3 worksheets)."""
    return isinstance(data, dict) and (
        isinstance(data.get("cells"), list) or isinstance(data.get("worksheets"), list)
    )


def _source(raw: Any) -> str:
    if isinstance(raw, list):
        return "".join(part for part in raw if isinstance(part, str))
    return raw if isinstance(raw, str) else ""


def _cell(index: int, raw: Any) -> NotebookCell | None:
    if not isinstance(raw, dict):
        return None
    kind = raw.get("cell_type")
    if not isinstance(kind, str):
        kind = "code" if "outputs" in raw or "execution_count" in raw else "unknown"
    if kind == "heading":  # nbformat 3: becomes markdown in version 4
        level = raw["level"] if isinstance(raw.get("level"), int) else 1
        return NotebookCell(index, "markdown", "#" * level + " " + _source(raw.get("source")))
    return NotebookCell(index, kind, _source(raw.get("source", raw.get("input", ""))))


def _old_cells(data: dict[str, Any], text: str) -> tuple[list[Any], Any]:
    """Cells and metadata of a pre-4 notebook, upgraded by nbformat, else read by hand."""
    import nbformat  # here: importing it (and jsonschema) costs ~0.3 s, and 4.x notebooks never need it

    try:
        with memory_budget(PARSE_BUDGET_BYTES):
            upgraded = nbformat.convert(nbformat.reader.reads(text), 4)
        return list(upgraded.cells), upgraded.metadata
    except Exception:  # noqa: BLE001 - any failure of the converter: fall back to reading by hand
        sheets = [sheet for sheet in data["worksheets"] if isinstance(sheet, dict)]
        cells = [cell for sheet in sheets if isinstance(sheet.get("cells"), list)
                 for cell in sheet["cells"]]  # fmt: skip
        return cells, data.get("metadata")


def parse_notebook(data: dict[str, Any], text: str) -> Notebook:
    """The cells of notebook JSON ``data`` (parsed from ``text``) that ``is_notebook_json``."""
    version = f"{data.get('nbformat', '?')}.{data.get('nbformat_minor', 0)}"
    if isinstance(data.get("cells"), list):
        raw_cells, metadata = data["cells"], data.get("metadata")
    else:
        raw_cells, metadata = _old_cells(data, text)
    cells = (_cell(index, raw) for index, raw in enumerate(raw_cells, start=1))
    return Notebook(
        cells=tuple(cell for cell in cells if cell is not None),
        metadata=metadata if isinstance(metadata, Mapping) else {},
        version=version,
    )


def _get(mapping: Any, *keys: str) -> str:
    for key in keys:
        mapping = mapping.get(key) if isinstance(mapping, Mapping) else None
    return mapping.strip() if isinstance(mapping, str) else ""


def _title(notebook: Notebook) -> str:
    title = _get(notebook.metadata, "title")
    if title:
        return title[:_TITLE_LENGTH]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()[:_TITLE_LENGTH]
    return ""


def notebook_hints(notebook: Notebook) -> dict[str, str]:
    """Hints from the metadata: kernel, language, title, version and Coursera item ids."""
    metadata = notebook.metadata
    hints = {
        "format": "notebook",
        "nbformat": notebook.version,
        "kernel": _get(metadata, "kernelspec", "name")
        or _get(metadata, "kernelspec", "display_name"),
        "language": _get(metadata, "language_info", "name")
        or _get(metadata, "kernelspec", "language"),
        "title": _title(notebook),
    }
    coursera = metadata.get("coursera")
    if isinstance(coursera, Mapping):
        for key, value in coursera.items():
            if isinstance(value, str | int | float):
                hints[f"coursera.{key}"] = str(value)
    return {key: value for key, value in hints.items() if value}


def is_python_language(hints: Mapping[str, str]) -> bool:
    """False only when the notebook says its language is something other than Python."""
    language = hints.get("language", "").lower()
    return not language or language.startswith(("python", "ipython", "pypy"))


def extract_notebook(
    notebook: Notebook, path: str, name: str, hints: dict[str, str]
) -> ExtractedFile:
    """Extract the code cells of ``notebook`` (file ``path``, shown as ``name``)."""
    extraction = Extraction(path)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.strip():
            place = f"cell {cell.index}"
            extraction.add_text(cell.source, label=f"{name}, {place}", place=place, cell=True)
    hints.update(notebook_hints(notebook))
    return extraction.result(hints, language_ok=is_python_language(hints))
