"""The files a batch writes into its output folder (DESIGN.md section 2b).

``<folder>/result.json`` and ``<folder>/report.html`` per student, ``summary.html``,
``grades.csv``, ``grades_wide.csv``, ``junit.xml`` and ``results.json`` (the class results
JSON). Student ids come from folder and file names, so the folder written for a student is a
sanitised form of the id (:func:`student_folders`); the real id stays in the data.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.exports import csv_export, junit
from dnn_autograder.grader.outputs.exports.files import (
    atomic_path,
    dumps_json_twice,
    write_atomic,
    write_json_atomic,
    write_text_atomic,
)
from dnn_autograder.grader.outputs.exports.text import unsurrogate
from dnn_autograder.grader.outputs.results_json import SCHEMA, class_dict, submission_dict

if TYPE_CHECKING:
    from dnn_autograder.grader.classes.finals import FinalGrade

RESULT_NAME = "result.json"
REPORT_NAME = "report.html"
#: Files of the output folder itself; a student folder never takes one of these names.
CLASS_FILES = ("summary.html", "grades.csv", "grades_wide.csv", "junit.xml", "results.json",
               "gradebook.sqlite", "gradebook.sqlite-wal", "gradebook.sqlite-shm")
_UNSAFE = re.compile(r"[^\w.-]+")
_MAX_NAME = 80


def student_folders(students: Iterable[str]) -> dict[str, str]:
    """``{student id: folder name}``: safe on every common file system, and one-to-one.

    A name that is already safe (letters, digits, ``_ . -``, not hidden, not one of
    :data:`CLASS_FILES`) is kept, unless another student's would equal it when case is ignored
    (macOS, Windows): those, and every unsafe name, get their unsafe characters replaced by
    ``_`` and a short hash of the real id appended.
    """
    unique = sorted(set(students))
    safe = {student: _safe_name(student) for student in unique}
    clashes = collections.Counter(name.casefold() for name in safe.values())
    return {
        student: name if name == student and clashes[name.casefold()] == 1
        else f"{name}-{_short_hash(student)}"
        for student, name in safe.items()
    }


def _safe_name(student: str) -> str:
    text = unicodedata.normalize("NFC", unsurrogate(student))
    text = _UNSAFE.sub("_", text).strip("._") or "student"
    if text in CLASS_FILES or text.casefold() in {n.casefold() for n in CLASS_FILES}:
        text += "_"
    return text[:_MAX_NAME]


def _short_hash(student: str) -> str:
    return hashlib.sha256(student.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def write_student_result(folder: Path, result: SubmissionResult) -> Path:
    """Write ``<folder>/result.json`` (the submission's results JSON); return its path."""
    path = folder / RESULT_NAME
    write_json_atomic(path, submission_dict(result))
    return path


@dataclass(frozen=True)
class ResultText:
    """A student's results JSON as text, made once, where the student was graded (a batch's
    worker), so that the batch's own process neither converts nor encodes it.

    ``compact``: what the gradebook stores (:func:`dumps_json` without indentation; the two
    texts are made in one pass: :func:`dumps_json_twice`).
    ``pretty``: the text of ``result.json`` (as :func:`write_json_atomic` writes it) still to be
    written, or None once the worker has written the file itself."""

    compact: str
    pretty: str | None


def result_text(result: SubmissionResult, folder: Path | None = None) -> ResultText:
    """``result``'s :class:`ResultText`; with ``folder``, ``<folder>/result.json`` is written here,
    atomically (``pretty`` is then None), unless that fails (``pretty`` then holds the text, for
    the caller to write or report)."""
    data = submission_dict(result)
    compact, pretty = dumps_json_twice(data, indent=2)
    pretty += "\n"
    if folder is None:
        return ResultText(compact, pretty)
    try:
        write_text_atomic(folder / RESULT_NAME, pretty)
    except OSError:
        return ResultText(compact, pretty)
    return ResultText(compact, None)


def write_student_report(folder: Path, result: SubmissionResult) -> str | None:
    """Write ``<folder>/report.html`` with :mod:`dnn_autograder.grader.outputs.render.html`.

    Returns None when it was written, else why not (the renderer is not installed, or failed).
    """
    try:
        from dnn_autograder.grader.outputs.render.html import write_report
    except ImportError:
        return "HTML reports are not available in this version"
    try:
        with atomic_path(folder / REPORT_NAME) as tmp:
            write_report(tmp, result)
    except Exception as exc:  # noqa: BLE001 - a report failure must not lose the grade
        return f"the HTML report could not be written ({type(exc).__name__}: {exc})"
    return None


def write_class_files(out_dir: Path, results: Sequence[SubmissionResult],
                      folders: Mapping[str, str], *, assignments: Sequence[str] | None = None,
                      result_files: Sequence[Path] | None = None,
                      finals: Mapping[tuple[str, str], FinalGrade] | None = None) -> list[Path]:
    """Write the class-level files of ``out_dir`` for ``results``; return their paths.

    ``assignments``: the assignments the class is graded on (``--assignment``); None: every
    assignment graded for some student (the CSVs' rows and maxima, :mod:`.csv_export`).
    ``result_files``: the students' ``result.json`` files, in ``results``' order: the class
    ``results.json`` is then streamed from them one at a time (a big batch passes slimmed
    ``results``, without figures and counterexamples, and never holds every result in full).
    ``finals``: ``{(student, assignment): FinalGrade}`` from the gradebook: ``grades.csv``,
    ``grades_wide.csv`` and ``junit.xml`` then show overrides, penalties and final scores."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / name for name in
             ("grades.csv", "grades_wide.csv", "junit.xml", "results.json", "summary.html")]
    csv_export.write_long(paths[0], results, assignments, finals)
    csv_export.write_wide(paths[1], results, assignments, finals)
    junit.write_junit(paths[2], results, finals=finals)
    if result_files is None:
        write_json_atomic(paths[3], class_dict(results))
    else:
        write_atomic(paths[3], lambda stream: _stream_class_json(stream, result_files))
    links = {csv_export.student_of(r): f"{folders[csv_export.student_of(r)]}/{REPORT_NAME}"
             for r in results if csv_export.student_of(r) in folders
             and (out_dir / folders[csv_export.student_of(r)] / REPORT_NAME).is_file()}
    write_text_atomic(paths[4], summary_html(results, links))
    return paths


def _stream_class_json(stream: IO[str], result_files: Sequence[Path]) -> None:
    """``{"schema": 1, "submissions": [...]}`` from the students' result files (already JSON)."""
    stream.write(f'{{\n  "schema": {SCHEMA},\n  "submissions": [')
    for index, path in enumerate(result_files):
        stream.write(("," if index else "") + "\n" + path.read_text(encoding="utf-8").strip())
    stream.write("\n  ]\n}\n")


def load_summary_renderer() -> None:
    """Import what :func:`summary_html` renders with (the HTML renderer, ~50 ms of CPU; its charts
    need no matplotlib) and compile the templates (the summary's own and the layout and macros it
    extends and imports, ~0.1 s of CPU): a batch does it in a thread while it waits on its
    workers, so its last step is shorter. Never raises: :func:`summary_html` reports (or works
    around) a renderer that cannot load."""
    with contextlib.suppress(Exception):
        from dnn_autograder.grader.outputs.render import html  # noqa: F401
        from dnn_autograder.grader.outputs.render.env import compile_templates

        compile_templates()


def summary_html(results: Sequence[SubmissionResult], links: Mapping[str, str]) -> str:
    """The class summary: :func:`dnn_autograder.grader.outputs.render.html.render_class_summary` when available,
    else a plain, escaped table (student, score, status, report link)."""
    try:
        from dnn_autograder.grader.outputs.render.html import render_class_summary
    except ImportError:
        return _plain_summary(results, links)
    return str(render_class_summary(results, links))


def _plain_summary(results: Sequence[SubmissionResult], links: Mapping[str, str]) -> str:
    rows = []
    for result in results:
        student = csv_export.student_of(result)
        name = html.escape(unsurrogate(student))
        if student in links:
            name = f'<a href="{html.escape(links[student])}">{name}</a>'
        status = html.escape(unsurrogate(result.error)) if result.error else "graded"
        rows.append(f"<tr><td>{name}</td><td>{result.score:g} / {result.max_score:g}</td>"
                    f"<td>{status}</td></tr>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Class summary</title></head><body>\n<h1>Class summary</h1>\n"
        f"<p>{len(results)} submissions</p>\n<table>\n"
        "<tr><th>student</th><th>score</th><th>status</th></tr>\n"
        + "\n".join(rows) + "\n</table>\n</body></html>\n"
    )
