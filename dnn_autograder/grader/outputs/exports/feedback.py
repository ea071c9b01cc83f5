"""The feedback folder: what each student gets back, ready to upload or zip.

``OUT/<student folder>/result.json`` and ``OUT/<student folder>/report.html`` for every student of
the gradebook (folders named as in a batch's output, :func:`.class_outputs.student_folders`), and
``OUT/feedback.csv`` (``student,folder,final_total,max_total``) to find them. The result is the
stored one plus a ``final_grades`` key: per assignment the raw score, override, excusal, days
late, penalty, final score and the comments; the report shows the same in a "Final grade" block.
Whether an override awaits review is staff business and is left out.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from dnn_autograder.grader.classes.finals import FinalGrade
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.outputs.exports.class_outputs import (
    student_folders,
    write_student_report,
    write_student_result,
)
from dnn_autograder.grader.outputs.exports.csv_export import number
from dnn_autograder.grader.outputs.exports.files import write_atomic
from dnn_autograder.grader.outputs.exports.text import csv_cell

INDEX_NAME = "feedback.csv"


def final_dict(grade: FinalGrade) -> dict[str, Any]:
    """The student-facing plain data of one final grade."""
    return {"assignment": grade.assignment, "raw_score": grade.raw_score, "override": grade.override,
            "excused": grade.excused, "submitted_at": grade.submitted_at, "days_late": grade.days_late,
            "penalty": grade.penalty, "final_score": grade.final_score, "max_score": grade.max_score,
            "comments": list(grade.comments), "late_note": grade.late_note}


def write_feedback_folder(book: Gradebook, out_dir: str | Path, grades: Sequence[FinalGrade]) -> list[str]:
    """Write the folder (see the module doc); return the reasons of reports that could not be written."""
    out_dir = Path(out_dir)
    students = book.students()
    folders = student_folders(students)
    problems, index = [], []
    for student in students:
        result = book.stored_result(student)
        if result is None:
            continue
        mine = [g for g in grades if g.student == student]
        result = dataclasses.replace(result, extra={**result.extra, "final_grades": [final_dict(g) for g in mine]})
        folder = out_dir / folders[student]
        write_student_result(folder, result)
        reason = write_student_report(folder, result)
        if reason:
            problems.append(f"{student}: {reason}")
        counted = [g for g in mine if not g.excused]
        index.append((student, folders[student], sum(g.final_score or 0.0 for g in counted),
                      sum(g.max_score for g in counted)))

    def write(stream: TextIO) -> None:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(("student", "folder", "final_total", "max_total"))
        for student, folder, total, maximum in index:
            writer.writerow((csv_cell(student), folder, number(total), number(maximum)))

    write_atomic(out_dir / INDEX_NAME, write, newline="")
    return problems
