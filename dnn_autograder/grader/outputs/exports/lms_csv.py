"""Final grades as CSV: the grader's own long and wide files, and the LMS import formats.

All of them take :class:`~dnn_autograder.grader.classes.finals.FinalGrade` rows (raw score, override,
late penalty, final score), so what the LMS receives is what the gradebook says.

- ``grades_final.csv`` (:data:`FINAL_HEADER`): one row per student and assignment with every step.
- ``grades_final_wide.csv``: ``student,<assignment>...,total,max_total`` of final scores (an
  excused assignment is ``EX`` and leaves the total and its maximum out).
- Canvas gradebook import (:data:`CANVAS_HEADER`): ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one column per assignment, headed ``Name (canvas assignment id)`` to update an
  existing Canvas assignment (``--column NAME=HEADER``; a header without an id makes Canvas create
  a new assignment). The second row is Canvas's ``Points Possible`` row; an excused grade is ``EX``.
  ``ID`` is the Canvas user id (the roster's ``lms_id``).
- Moodle grade import (:data:`MOODLE_HEADER`): ``Email address`` (when importing, map it to
  "useremail"; Moodle compares e-mail addresses case-sensitively, so they are written as the roster
  has them), ``ID number`` (the roster's ``idnumber``, empty when it has none; map it to
  "useridnumber"), ``Full name``, then one column per grade item and a ``Feedback: ...`` column with
  its comments (Moodle asks for a grade and its feedback to be imported together). Moodle has no
  "excused": an excused grade is left empty.

Students of the gradebook missing from the roster cannot be placed in an LMS file: the writers
return them, and ``grade export`` reports them (nothing is dropped silently).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TextIO

from dnn_autograder.grader.classes.finals import FinalGrade
from dnn_autograder.grader.lms.roster_csv import ClassRoster
from dnn_autograder.grader.outputs.exports.csv_export import number
from dnn_autograder.grader.outputs.exports.files import write_atomic
from dnn_autograder.grader.outputs.exports.text import csv_cell

FINAL_HEADER = ("student", "assignment", "raw_score", "override", "excused", "submitted_at", "days_late",
                "penalty", "final_score", "max_score", "status", "needs_review", "comments")
CANVAS_HEADER = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "    Points Possible"
MOODLE_HEADER = ("Email address", "ID number", "Full name")
EXCUSED = "EX"


def write_final_long(path: str | Path, grades: Sequence[FinalGrade]) -> None:
    """Write ``grades_final.csv`` (:data:`FINAL_HEADER`)."""

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(FINAL_HEADER)
        for g in grades:
            writer.writerow((csv_cell(g.student), csv_cell(g.assignment), number(g.raw_score),
                             "" if g.override is None else number(g.override), int(g.excused),
                             g.submitted_at or "", g.days_late, number(g.penalty),
                             "" if g.final_score is None else number(g.final_score), number(g.max_score),
                             g.status, int(g.needs_review), csv_cell(_comments(g))))

    write_atomic(path, write, newline="")


def write_final_wide(path: str | Path, grades: Sequence[FinalGrade]) -> None:
    """Write ``grades_final_wide.csv``: final scores, one row per student."""
    assignments, table = _table(grades)

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(("student", *(csv_cell(a) for a in assignments), "total", "max_total"))
        for student, row in table.items():
            counted = [g for g in row.values() if not g.excused]
            writer.writerow((csv_cell(student), *(_cell(row.get(a)) for a in assignments),
                             number(sum(g.final_score or 0.0 for g in counted)),
                             number(sum(g.max_score for g in counted))))

    write_atomic(path, write, newline="")


def write_canvas(path: str | Path, grades: Sequence[FinalGrade], roster: ClassRoster,
                 columns: Mapping[str, str] | None = None) -> list[str]:
    """Write a Canvas gradebook import CSV; return the students left out (not in the roster)."""
    assignments, table = _table(grades)
    headers = [(columns or {}).get(a, a) for a in assignments]
    maxima = {g.assignment: g.max_score for g in grades}
    missing = [s for s in table if roster.by_id(s) is None]

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow((*CANVAS_HEADER, *(csv_cell(h) for h in headers)))
        writer.writerow((CANVAS_POINTS_ROW, "", "", "", "", *(number(maxima[a]) for a in assignments)))
        for student in roster.students:
            if student.id not in table:
                continue
            row = table[student.id]
            writer.writerow((csv_cell(student.name), student.lms_id, csv_cell(student.sis_id),
                             csv_cell(student.login_id), csv_cell(student.section),
                             *(_cell(row.get(a)) for a in assignments)))

    write_atomic(path, write, newline="")
    return missing


def write_moodle(path: str | Path, grades: Sequence[FinalGrade], roster: ClassRoster,
                 columns: Mapping[str, str] | None = None) -> list[str]:
    """Write a Moodle grade import CSV; return the students left out (not in the roster)."""
    assignments, table = _table(grades)
    headers = [(columns or {}).get(a, a) for a in assignments]
    missing = [s for s in table if roster.by_id(s) is None]

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow((*MOODLE_HEADER, *(csv_cell(h) for h in headers),
                         *(csv_cell(f"Feedback: {h}") for h in headers)))
        for student in roster.students:
            if student.id not in table:
                continue
            row = table[student.id]
            cells = [_cell(row.get(a), excused="") for a in assignments]
            feedback = [csv_cell(_comments(row[a])) if a in row else "" for a in assignments]
            writer.writerow((csv_cell(student.email), csv_cell(student.idnumber),
                             csv_cell(student.name), *cells, *feedback))

    write_atomic(path, write, newline="")
    return missing



def _table(grades: Sequence[FinalGrade]) -> tuple[list[str], dict[str, dict[str, FinalGrade]]]:
    assignments = sorted({g.assignment for g in grades})
    table: dict[str, dict[str, FinalGrade]] = {}
    for g in grades:
        table.setdefault(g.student, {})[g.assignment] = g
    return assignments, dict(sorted(table.items()))


def _cell(grade: FinalGrade | None, *, excused: str = EXCUSED) -> str:
    if grade is None:
        return ""
    if grade.excused or grade.final_score is None:
        return excused
    return number(grade.final_score)


def _comments(grade: FinalGrade) -> str:
    parts = list(grade.comments)
    if grade.penalty:
        parts.append(f"late by {grade.days_late} day(s): -{number(grade.penalty)} points")
    if grade.late_note:
        parts.append(grade.late_note)
    return "; ".join(parts)
