"""Grades as CSV: ``grades.csv`` (long) and ``grades_wide.csv`` (one column per assignment).

Long format, the contract of DESIGN.md section 2b: header ``student,assignment,score,max_score``
and one row per student and assignment. Every student gets a row for every assignment seen in
the class: one the submission did not include (or could not be read for) scores 0. A class in
which no assignment was recognised at all gets one row per student with an empty assignment.

Wide format: ``student,<assignment>...,total,max_total``, one row per student.

Numbers are written exactly (``17.5``, ``2``); text cells that a spreadsheet would run as a
formula are prefixed with an apostrophe (:func:`dnn_autograder.grader.exports.text.csv_cell`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from dnn_autograder.grader.exports.files import write_atomic
from dnn_autograder.grader.exports.text import csv_cell
from dnn_autograder.grader.model import SubmissionResult

LONG_HEADER = ("student", "assignment", "score", "max_score")


def assignment_max_scores(results: Iterable[SubmissionResult]) -> dict[str, float]:
    """``{assignment: max_score}`` over every assignment graded in ``results``, sorted by name."""
    found: dict[str, float] = {}
    for result in results:
        for assignment in result.assignments:
            found.setdefault(assignment.assignment, assignment.max_score)
    return dict(sorted(found.items()))


def long_rows(results: Sequence[SubmissionResult]) -> list[tuple[str, str, float, float]]:
    """``(student, assignment, score, max_score)`` for every student and class assignment."""
    maxima = assignment_max_scores(results)
    rows = []
    for result in results:
        graded = {a.assignment: a for a in result.assignments}
        if not maxima:
            rows.append((student_of(result), "", 0.0, 0.0))
        for name, max_score in maxima.items():
            found = graded.get(name)
            score = found.score if found else 0.0
            rows.append((student_of(result), name, score, found.max_score if found else max_score))
    return rows


def write_long(path: str | Path, results: Sequence[SubmissionResult]) -> None:
    """Write ``grades.csv``: ``student,assignment,score,max_score``."""

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(LONG_HEADER)
        for student, assignment, score, max_score in long_rows(results):
            writer.writerow((csv_cell(student), csv_cell(assignment), number(score),
                             number(max_score)))

    write_atomic(path, write, newline="")


def write_wide(path: str | Path, results: Sequence[SubmissionResult]) -> None:
    """Write ``grades_wide.csv``: ``student,<assignment>...,total,max_total``."""
    maxima = assignment_max_scores(results)

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(("student", *(csv_cell(name) for name in maxima), "total", "max_total"))
        for result in results:
            graded = {a.assignment: a.score for a in result.assignments}
            scores = [graded.get(name, 0.0) for name in maxima]
            writer.writerow((csv_cell(student_of(result)), *(number(s) for s in scores),
                             number(sum(scores)), number(sum(maxima.values()))))

    write_atomic(path, write, newline="")


def student_of(result: SubmissionResult) -> str:
    """The student id of a result (its submission path when it has none)."""
    return result.student if result.student is not None else result.submission


def number(value: float) -> str:
    """``2.0`` as ``2``, ``17.5`` as ``17.5``: exact, and short for whole points."""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)
