"""Find a submission's files, read them safely, and tell notebooks from Python by content.

Files are recognised by what they hold, not only by their name: a ``.ipynb`` holding Python is
read as Python and a ``.py`` holding notebook JSON as a notebook, each with a ``note`` hint.
Anything that cannot be read at all raises ``SubmissionError`` with what to do next.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import os
import tokenize
from pathlib import Path

from dnn_autograder.grader.errors import SubmissionError, UsageError
from dnn_autograder.grader.extract.assemble import extract_python
from dnn_autograder.grader.extract.model import ExtractedFile
from dnn_autograder.grader.extract.notebook import extract_notebook, is_notebook_json, load_json, parse_notebook
from dnn_autograder.grader.extract.parse import safe_parse
from dnn_autograder.grader.extract.walk import SUBMISSION_SUFFIXES, list_submission, read_submission_file
from dnn_autograder.grader.grading.untrusted import visible

_BLANK = " \t\r\n\ufeff"
_SUBMIT_SOURCE = "submit the notebook (.ipynb) or the .py file itself"
_SIGNATURES = (
    (b"PK\x03\x04", f"a zip archive: unzip it and {_SUBMIT_SOURCE}"),
    (b"%PDF", f"a PDF document: {_SUBMIT_SOURCE}"),
    (b"\x89PNG", f"a PNG image: {_SUBMIT_SOURCE}"),
    (b"\xff\xd8\xff", f"a JPEG image: {_SUBMIT_SOURCE}"),
    (b"\x1f\x8b", f"a gzip archive: decompress it and {_SUBMIT_SOURCE}"),
    (b"\xd0\xcf\x11\xe0", f"a Microsoft Office document: {_SUBMIT_SOURCE}"),
)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _declared_encoding(data: bytes) -> str | None:
    """A PEP 263 ``coding:`` declaration other than UTF-8, if the file has one."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return None
    return None if encoding in ("utf-8", "utf-8-sig") else encoding


def decode(data: bytes, name: str, *, python: bool) -> tuple[str, dict[str, str]]:
    """The text of a file and hints on how it was decoded.

    UTF-8 (with or without a BOM), UTF-16/32 with a BOM, a Python file's ``coding:``
    declaration, and for Python files a Latin-1 fallback with a ``note``. Binary data raises
    SubmissionError, as does a notebook that is not UTF-8.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), (
                    {} if encoding == "utf-8-sig" else {"encoding": encoding}
                )
            except UnicodeDecodeError:
                break
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise SubmissionError(f"{name} is {what}")
    if b"\x00" in data:
        raise SubmissionError(
            f"{name} is binary data (it contains NUL bytes), not a notebook or Python source: "
            f"{_SUBMIT_SOURCE}"
        )
    declared = _declared_encoding(data) if python else None
    if declared:
        try:
            return data.decode(declared), {"encoding": declared}
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), {}
    except UnicodeDecodeError as error:
        where = f"byte 0x{data[error.start]:02x} at offset {error.start}"
        if not python:
            raise SubmissionError(
                f"{name} is not UTF-8 text ({where}), as notebooks must be: open it in Jupyter "
                "and save it again, or submit your code as a .py file"
            ) from None
        note = f"not valid UTF-8 ({where}): read as Latin-1, so accented letters may be wrong"
        return data.decode("latin-1"), {"encoding": "latin-1", "note": note}


def extract_file(path: Path, name: str | None = None) -> ExtractedFile:
    """Extract the program units of one ``.py`` or ``.ipynb`` file (see the package doc).

    ``name`` is the file's name for people (default: its cleaned file name); the file's name
    is student-controlled, so it is cleaned here, where it enters, and the result's ``path``,
    unit file names and messages carry only the clean form. The file is read with
    :func:`~dnn_autograder.grader.extract.walk.read_submission_file` (no links, regular files only,
    size-capped). An empty file gives an empty extraction with the hint ``empty``.
    """
    path = Path(path)
    name = visible(name or path.name)
    shown = visible(str(path))
    if path.suffix.lower() not in SUBMISSION_SUFFIXES:
        raise SubmissionError(f"{name} is not a .py or .ipynb file: {_SUBMIT_SOURCE}")
    data = read_submission_file(path, name=name)
    return _cleaned(_extract(path, data, name, shown))


def _cleaned(extracted: ExtractedFile) -> ExtractedFile:
    """``extracted`` with the text it quotes from the file (skipped-source reasons, why a
    function is broken) cleaned of control and bidi characters, newlines kept."""
    skipped = tuple(dataclasses.replace(s, reason=visible(s.reason, lines=True)) for s in extracted.skipped)
    broken = {name: visible(why, lines=True) for name, why in extracted.broken_functions.items()}
    return dataclasses.replace(extracted, skipped=skipped, broken_functions=broken)


def _extract(path: Path, data: bytes, name: str, shown: str) -> ExtractedFile:
    named_notebook = path.suffix.lower() == ".ipynb"
    hints = {"file_stem": visible(path.stem), "format": "notebook" if named_notebook else "python"}
    if not data.strip():
        return ExtractedFile(path=shown, hints={**hints, "note": f"{name} is empty", "empty": "true"})
    text, decoding = decode(data, name, python=not named_notebook)
    hints.update(decoding)
    head = text.lstrip(_BLANK)[:1]
    if head in ("{", "["):
        notebook = _notebook_json(text, name, named_notebook=named_notebook)
        if notebook is not None:
            if not named_notebook:
                hints["note"] = f"{name} holds notebook JSON: it was read as a notebook"
            return extract_notebook(parse_notebook(notebook, text), shown, name, hints)
    if not named_notebook:
        return extract_python(text, shown, name, hints)
    return _python_named_notebook(text, shown, name, hints, html=head == "<")


def _notebook_json(text: str, name: str, *, named_notebook: bool) -> dict | None:
    """The notebook JSON in ``text``, or None when it holds none (then it may be Python).

    For a ``.ipynb``, text starting with ``{`` that is not valid JSON, and valid JSON that is not
    a notebook, raise SubmissionError: they cannot be Python a student meant to submit.
    """
    try:
        data = load_json(text, name)
    except SubmissionError:
        if named_notebook and text.lstrip(_BLANK)[:1] == "{":
            raise
        return None
    if is_notebook_json(data):
        return data
    if named_notebook:
        raise SubmissionError(
            f'{name} holds JSON but not a Jupyter notebook (no "cells" list): {_SUBMIT_SOURCE}'
        )
    return None


def _python_named_notebook(
    text: str, shown: str, name: str, hints: dict[str, str], *, html: bool
) -> ExtractedFile:
    """A ``.ipynb`` that is not JSON: Python source (a renamed ``.py``), or an error."""
    if html:
        raise SubmissionError(
            f"{name} is a web page (HTML), not a notebook: it was probably saved from the "
            "browser; download the notebook itself (File > Download > .ipynb) and submit that"
        )
    hints = {**hints, "format": "python", "note": f"{name} holds Python source, not "
             "notebook JSON: it was read as a .py file"}  # fmt: skip
    extracted = extract_python(text, shown, name, hints)
    if extracted.units or safe_parse(text)[0] is not None:
        return extracted
    raise SubmissionError(
        f"{name} is neither notebook JSON nor Python source: {_SUBMIT_SOURCE}"
    )


def submission_files(path: Path) -> tuple[Path, ...]:
    """A file: itself. A folder: its ``.py``/``.ipynb`` regular files, sorted, leaving out hidden
    files and folders, checkpoints, caches, virtual environments, links and special files (see
    :func:`~dnn_autograder.grader.extract.walk.list_submission`, which also says what it left out).
    Files over the size limit are listed: ``extract_file`` reports them."""
    path = Path(path)
    if not os.path.lexists(path):
        raise UsageError(f"{visible(str(path))}: no such file or folder; check the path")
    return list_submission(path).files
