"""Grades as CSV: ``grades.csv`` (long) and ``grades_wide.csv`` (one column per assignment).

Long format, the contract of DESIGN.md section 2b plus one column: header
``student,assignment,score,max_score,status`` and one row per student and assignment being
graded. ``status`` tells an LMS why a score is what it is:

- ``graded``: the assignment was graded (a 0 here is a real 0);
- ``not_submitted``: none of the student's files holds the assignment (no file was recognised
  as it, or, with ``--assignment``, none of its graded functions is defined); the score is 0;
- ``error``: the student's submission could not be graded at all (unreadable, nothing
  recognisable, or the grader failed on it): see the reason in its results JSON; the score is 0.

The assignments being graded are the ones named (``--assignment``), else every assignment
graded for some student of the class. A class in which none was graded gets one row per
student with an empty assignment.

Wide format: ``student,<assignment>...,total,max_total``, one row per student; ``max_total``
is the sum of the maxima of the assignments being graded (the same for every student).

A batch passes the final grades of its gradebook (``finals``, :mod:`dnn_autograder.grader.classes.finals`):
the long file then has :data:`FINAL_COLUMNS` after the contract's columns (``override`` and
``penalty`` empty when there is none, ``final_score`` always filled, ``EX`` when excused,
``needs_review`` ``1`` or empty) and the wide file a last ``final_total`` column (excused
assignments count 0). ``score`` stays the autograded score.

Numbers are written exactly (``17.5``, ``2``); text cells that a spreadsheet would run as a
formula are prefixed with an apostrophe (:func:`dnn_autograder.grader.outputs.exports.text.csv_cell`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from dnn_autograder.grader.model import AssignmentResult, SubmissionResult
from dnn_autograder.grader.outputs.exports.files import write_atomic
from dnn_autograder.grader.outputs.exports.text import csv_cell

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dnn_autograder.grader.classes.finals import FinalGrade

    Finals = Mapping[tuple[str, str], FinalGrade]

LONG_HEADER = ("student", "assignment", "score", "max_score", "status")
FINAL_COLUMNS = ("override", "penalty", "final_score", "needs_review")  #: after LONG_HEADER, with finals
EXCUSED = "EX"
STATUSES = ("graded", "not_submitted", "error")


class LongRow(NamedTuple):
    """One row of ``grades.csv``."""

    student: str
    assignment: str
    score: float
    max_score: float
    status: str


def assignment_max_scores(results: Iterable[SubmissionResult],
                          assignments: Sequence[str] | None = None) -> dict[str, float]:
    """``{assignment: max_score}`` of the assignments being graded, sorted by name: those named
    in ``assignments``, else every assignment graded in ``results``. A named assignment no
    result holds takes its maximum from its spec (0 when there is none)."""
    found: dict[str, float] = {}
    for result in results:
        for assignment in result.assignments:
            found.setdefault(assignment.assignment, assignment.max_score)
    if assignments is None:
        return dict(sorted(found.items()))
    return {name: found[name] if name in found else _spec_max_score(name) for name in sorted(set(assignments))}


def row_status(result: SubmissionResult, graded: AssignmentResult | None) -> str:
    """The ``status`` of a student's row for one assignment (see the module doc)."""
    if result.error is not None:
        return "error"
    if graded is None or all(f.status == "missing" for f in graded.functions):
        return "not_submitted"
    return "graded"


def long_rows(results: Sequence[SubmissionResult], assignments: Sequence[str] | None = None) -> list[LongRow]:
    """One :class:`LongRow` for every student and every assignment being graded."""
    maxima = assignment_max_scores(results, assignments)
    rows = []
    for result in results:
        graded = {a.assignment: a for a in result.assignments}
        if not maxima:
            rows.append(LongRow(student_of(result), "", 0.0, 0.0, row_status(result, None)))
        for name, max_score in maxima.items():
            found = graded.get(name)
            status = row_status(result, found)
            score = found.score if found is not None and status == "graded" else 0.0
            rows.append(LongRow(student_of(result), name, score, found.max_score if found else max_score, status))
    return rows


def write_long(path: str | Path, results: Sequence[SubmissionResult],
               assignments: Sequence[str] | None = None, finals: Finals | None = None) -> None:
    """Write ``grades.csv``: ``student,assignment,score,max_score,status`` (then
    :data:`FINAL_COLUMNS` when ``finals``, ``{(student, assignment): FinalGrade}``, is given)."""

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(LONG_HEADER if finals is None else (*LONG_HEADER, *FINAL_COLUMNS))
        for row in long_rows(results, assignments):
            cells: tuple[str, ...] = (csv_cell(row.student), csv_cell(row.assignment),
                                      number(row.score), number(row.max_score), row.status)
            if finals is not None:
                cells += final_cells(row, finals.get((row.student, row.assignment)))
            writer.writerow(cells)

    write_atomic(path, write, newline="")


def final_cells(row: LongRow, grade: FinalGrade | None) -> tuple[str, str, str, str]:
    """``override, penalty, final_score, needs_review`` of one row (the raw score without a grade)."""
    if grade is None:
        return "", "", number(row.score), ""
    return ("" if grade.override is None else number(grade.override),
            number(grade.penalty) if grade.penalty else "",
            EXCUSED if grade.excused or grade.final_score is None else number(grade.final_score),
            "1" if grade.needs_review else "")


def final_score_of(row: LongRow, grade: FinalGrade | None) -> float:
    """The points a row adds to ``final_total`` (0 when excused)."""
    if grade is None:
        return row.score
    return grade.final_score or 0.0


def write_wide(path: str | Path, results: Sequence[SubmissionResult],
               assignments: Sequence[str] | None = None, finals: Finals | None = None) -> None:
    """Write ``grades_wide.csv``: ``student,<assignment>...,total,max_total`` (then
    ``final_total`` when ``finals`` is given)."""
    maxima = assignment_max_scores(results, assignments)

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(("student", *(csv_cell(name) for name in maxima), "total", "max_total",
                         *(() if finals is None else ("final_total",))))
        for result in results:
            graded = {a.assignment: a.score for a in result.assignments}
            scores = [graded.get(name, 0.0) for name in maxima]
            cells = (csv_cell(student_of(result)), *(number(s) for s in scores),
                     number(sum(scores)), number(sum(maxima.values())))
            if finals is not None:
                rows = long_rows([result], list(maxima))
                cells += (number(sum(final_score_of(r, finals.get((r.student, r.assignment))) for r in rows)),)
            writer.writerow(cells)

    write_atomic(path, write, newline="")


def _spec_max_score(name: str) -> float:
    try:
        from dnn_autograder.grader.assignment.spec import load_assignment

        return load_assignment(name).max_score
    except Exception:  # noqa: BLE001 - an export must not fail on an unknown name
        return 0.0


def student_of(result: SubmissionResult) -> str:
    """The student id of a result (its submission path when it has none)."""
    return result.student if result.student is not None else result.submission


def number(value: float) -> str:
    """``2.0`` as ``2``, ``17.5`` as ``17.5``: exact, and short for whole points."""
    value = round(float(value), 6)
    return str(int(value)) if value.is_integer() else repr(value)
