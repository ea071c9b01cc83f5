"""The extract stage: turn a messy submission file into the units of source the grader runs.

``extract_file(path)`` reads a ``.py`` or ``.ipynb`` file (``extract_source(text, filename)`` a
string of Python) and returns an ``ExtractedFile``: the imports, definitions and simple
constants of the file as ``ProgramUnit``s in execution order, the function each graded name
resolves to (the last definition wins, as when a notebook runs top to bottom), and what was left
out and why (magics, shell lines, top-level calls, cells with syntax errors). A syntax error
costs only the functions in the chunk of text that does not parse. ``submission_files(path)``
lists the files of a submission folder.

Nothing is executed or evaluated here: this runs in the trusted grader process. A file that
cannot be read at all (invalid notebook JSON, binary data, over 20 MB) raises
``SubmissionError`` with what to do next.
"""

from __future__ import annotations

from dnn_autograder.grader.extract.assemble import extract_source
from dnn_autograder.grader.extract.files import extract_file, submission_files
from dnn_autograder.grader.extract.model import MAX_FILE_BYTES, ExtractedFile, ProgramUnit, Skipped

__all__ = [
    "MAX_FILE_BYTES",
    "ExtractedFile",
    "ProgramUnit",
    "Skipped",
    "extract_file",
    "extract_source",
    "submission_files",
]
