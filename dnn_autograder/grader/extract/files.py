"""Find a submission's files, read them safely, and tell notebooks from Python by content.

Files are recognised by what they hold, not only by their name: a ``.ipynb`` holding Python is
read as Python and a ``.py`` holding notebook JSON as a notebook, each with a ``note`` hint.
Anything that cannot be read at all raises ``SubmissionError`` with what to do next.
"""

from __future__ import annotations

import codecs
import io
import os
import tokenize
from pathlib import Path

from dnn_autograder.grader.errors import SubmissionError, UsageError
from dnn_autograder.grader.extract.assemble import extract_python
from dnn_autograder.grader.extract.model import MAX_FILE_BYTES, ExtractedFile
from dnn_autograder.grader.extract.notebook import extract_notebook, is_notebook_json, load_json, parse_notebook
from dnn_autograder.grader.extract.parse import safe_parse

SUBMISSION_SUFFIXES = frozenset({".py", ".ipynb"})
#: Folders never searched for submission files (besides hidden ones and virtual environments).
SKIPPED_FOLDERS = frozenset(
    {"__pycache__", ".ipynb_checkpoints", "__MACOSX", "site-packages", "node_modules"}
)
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


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SubmissionError(
                f"{path.name} is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
                "limit: clear the notebook's outputs (Edit > Clear All Outputs), save it and "
                "submit it again, or submit your code as a .py file"
            )
        return path.read_bytes()
    except OSError as error:
        raise SubmissionError(
            f"{path} cannot be read ({error.strerror or error}): check that the file exists "
            "and is readable"
        ) from None


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


def extract_file(path: Path) -> ExtractedFile:
    """Extract the program units of one ``.py`` or ``.ipynb`` file (see the package doc)."""
    path = Path(path)
    data = _read(path)
    name, named_notebook = path.name, path.suffix.lower() == ".ipynb"
    hints = {"file_stem": path.stem, "format": "notebook" if named_notebook else "python"}
    if not data.strip():
        return ExtractedFile(path=str(path), hints={**hints, "note": f"{name} is empty"})
    text, decoding = decode(data, name, python=not named_notebook)
    hints.update(decoding)
    head = text.lstrip(_BLANK)[:1]
    if head in ("{", "["):
        notebook = _notebook_json(text, name, named_notebook=named_notebook)
        if notebook is not None:
            if not named_notebook:
                hints["note"] = f"{name} holds notebook JSON: it was read as a notebook"
            return extract_notebook(parse_notebook(notebook, text), str(path), name, hints)
    if not named_notebook:
        return extract_python(text, str(path), name, hints)
    return _python_named_notebook(text, path, hints, html=head == "<")


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
    text: str, path: Path, hints: dict[str, str], *, html: bool
) -> ExtractedFile:
    """A ``.ipynb`` that is not JSON: Python source (a renamed ``.py``), or an error."""
    if html:
        raise SubmissionError(
            f"{path.name} is a web page (HTML), not a notebook: it was probably saved from the "
            "browser; download the notebook itself (File > Download > .ipynb) and submit that"
        )
    hints = {**hints, "format": "python", "note": f"{path.name} holds Python source, not "
             "notebook JSON: it was read as a .py file"}  # fmt: skip
    extracted = extract_python(text, str(path), path.name, hints)
    if extracted.units or safe_parse(text)[0] is not None:
        return extracted
    raise SubmissionError(
        f"{path.name} is neither notebook JSON nor Python source: {_SUBMIT_SOURCE}"
    )


def _is_skipped_folder(parent: str, name: str) -> bool:
    return (
        name.startswith(".")
        or name in SKIPPED_FOLDERS
        or os.path.exists(os.path.join(parent, name, "pyvenv.cfg"))  # a virtual environment
    )


def submission_files(path: Path) -> tuple[Path, ...]:
    """A file: itself. A folder: its ``.py``/``.ipynb`` files, recursively, sorted, leaving out
    hidden files and folders, checkpoints, caches and virtual environments. Files over the size
    limit are listed: ``extract_file`` reports them."""
    path = Path(path)
    if path.is_file():
        return (path,)
    if not path.is_dir():
        raise UsageError(f"{path}: no such file or folder; check the path")
    found: list[Path] = []
    for parent, folders, files in os.walk(path):
        folders[:] = [name for name in folders if not _is_skipped_folder(parent, name)]
        found.extend(
            Path(parent, name)
            for name in files
            if not name.startswith(".") and Path(name).suffix.lower() in SUBMISSION_SUFFIXES
        )
    return tuple(sorted(found, key=lambda file: file.relative_to(path).parts))
