"""Hand grades back: the library twin of ``grade export`` (the gradebook's final grades out).

``export("canvas", "gradebook.sqlite", "canvas.csv", roster="roster.csv")`` and likewise
``moodle``; ``feedback`` writes a folder of reports and results; ``grades`` writes
``grades_final.csv`` and ``grades_final_wide.csv`` into a folder. Every format carries the final
score (:mod:`dnn_autograder.grader.classes.finals`); the CSVs of the grader's own format also show the raw
score, override and penalty (:mod:`dnn_autograder.grader.outputs.exports.lms_csv`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dnn_autograder.grader.classes.finals import final_grades
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.errors import UsageError
from dnn_autograder.grader.lms.roster_csv import read_roster_csv
from dnn_autograder.grader.outputs.exports import lms_csv
from dnn_autograder.grader.outputs.exports.feedback import write_feedback_folder

FORMATS = ("canvas", "moodle", "feedback", "grades")


@dataclass(frozen=True)
class ExportSummary:
    """What was written, and who could not be: ``left_out`` (students not in the roster),
    ``problems`` (reports not written), ``needs_review`` (``student/assignment`` whose override
    awaits a look after a re-grade)."""

    paths: tuple[Path, ...]
    rows: int
    left_out: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    needs_review: tuple[str, ...] = ()


def export(kind: str, db: str | Path, out: str | Path, *, roster: str | Path | None = None,
           columns: Mapping[str, str] | None = None) -> ExportSummary:
    """Write the ``kind`` export of the gradebook ``db`` to ``out`` (a file, or a folder for
    ``feedback`` and ``grades``)."""
    if kind not in FORMATS:
        raise UsageError(f"the format must be one of {', '.join(FORMATS)}, not {kind!r}")
    if not Path(db).is_file():
        raise UsageError(f"no gradebook at {db}")
    if kind in ("canvas", "moodle") and roster is None:
        raise UsageError(f"a {kind} export needs the roster (--roster R.csv) for the LMS's ids")
    out = Path(out)
    with Gradebook(db, readonly=True) as book:
        grades = final_grades(book)
        review = tuple(f"{g.student}/{g.assignment}" for g in grades if g.needs_review)
        if kind == "feedback":
            problems = write_feedback_folder(book, out, grades)
            return ExportSummary((out,), len(grades), problems=tuple(problems), needs_review=review)
    if kind == "grades":
        paths = (out / "grades_final.csv", out / "grades_final_wide.csv")
        lms_csv.write_final_long(paths[0], grades)
        lms_csv.write_final_wide(paths[1], grades)
        return ExportSummary(paths, len(grades), needs_review=review)
    class_roster = read_roster_csv(roster or "")
    writer = lms_csv.write_canvas if kind == "canvas" else lms_csv.write_moodle
    left_out = writer(out, grades, class_roster, columns)
    return ExportSummary((out,), len(grades), left_out=tuple(left_out), needs_review=review)
