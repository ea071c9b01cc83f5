"""Final grades: the autograded score, then overrides, excusals and the late penalty.

For each student and assignment (the rows of ``grades.csv``, :func:`~.exports.csv_export.long_rows`):

1. ``raw_score``: the autograder's score.
2. ``override``: a person's score for the whole assignment replaces it; overrides of single
   functions replace those functions' points (the sum is kept within 0 and the maximum). An
   assignment override wins over function overrides.
3. ``penalty``: points taken by the late policy, the policy's fraction of the score after step 2
   (:mod:`dnn_autograder.grader.classes.late_policy`).
4. ``final_score`` = score after step 2 minus the penalty; ``excused`` rows have no final score.

The gradebook is the only input: grades, adjustments, submission times and policies all come
from it (:func:`final_grades`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dnn_autograder.grader.classes.gradebook import Gradebook, iter_current_results
from dnn_autograder.grader.classes.gradebook_tables import (
    Adjustment,
    SubmissionTime,
    adjustments,
    autograded_score,
    stored_policies,
    submission_times,
)
from dnn_autograder.grader.classes.late_policy import LatePolicy, lateness, parse_policies
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.exports.csv_export import long_rows


@dataclass(frozen=True)
class FinalGrade:
    """One student's grade for one assignment, every step shown (see the module doc)."""

    student: str
    assignment: str
    raw_score: float
    max_score: float
    status: str  #: ``graded``, ``not_submitted`` or ``error`` (as in grades.csv)
    override: float | None  #: the score after overrides, None when there is none
    excused: bool
    submitted_at: str | None
    days_late: int
    penalty: float  #: points
    final_score: float | None  #: None when excused
    needs_review: bool
    comments: tuple[str, ...]
    late_note: str  #: "" or why no penalty could be worked out ("submission time unknown")

    @property
    def adjusted(self) -> bool:
        """Whether the course staff or the late policy changed or annotated this grade (an
        override, an excusal, a comment or a penalty): a batch's report then shows the block."""
        return self.override is not None or self.excused or bool(self.comments) or self.penalty > 0


def final_grades(book: Gradebook, assignments: Sequence[str] | None = None,
                 students: Iterable[str] | None = None) -> list[FinalGrade]:
    """Every student's final grade for every assignment being graded (``assignments``, else every
    assignment some student was graded on), by student then assignment; only ``students`` when
    given (a batch's class). Results are read one student at a time, so a large class is never
    held in memory at once."""
    names = sorted(set(assignments) if assignments is not None
                   else {row.assignment for row in book.grades() if row.assignment})
    notes = adjustments(book.connection)
    times = submission_times(book.connection)
    policies = parse_policies(stored_policies(book.connection))
    grades = []
    results = iter_current_results(book) if students is None else (
        r for r in map(book.stored_result, sorted(set(students))) if r is not None)
    for result in results:
        for row in long_rows([result], names):
            if row.assignment:
                grades.append(final_grade(row.student, row.assignment, row.score, row.max_score, row.status,
                                          result, notes, times, policies))
    return grades


def final_grade(student: str, assignment: str, raw: float, max_score: float, status: str,
                result: SubmissionResult | None, notes: Sequence[Adjustment],
                times: dict[tuple[str, str], SubmissionTime], policies: dict[str, LatePolicy]) -> FinalGrade:
    """One :class:`FinalGrade` from its inputs (pure: the tests call it directly)."""
    mine = [n for n in notes if n.student == student and n.assignment == assignment and n.active]
    overrides = [n for n in mine if n.kind == "override"]
    score, overridden = _after_overrides(raw, max_score, result, assignment, overrides)
    excused = any(n.kind == "excuse" for n in mine)
    when = times.get((student, assignment))
    submitted_at = when.submitted_at if when else None
    policy = policies.get(assignment)
    days, penalty, note = 0, 0.0, ""
    if policy is not None and status == "graded" and not excused:
        late = lateness(policy, student, submitted_at)
        days, penalty = late.days, round(score * late.fraction, 6)
        note = "" if late.known else "submission time unknown: no late penalty applied"
        if not late.known and when is not None and when.lms_late:
            note = "the LMS marked this submission late but gave no time: no late penalty applied"
    return FinalGrade(
        student=student, assignment=assignment, raw_score=raw, max_score=max_score, status=status,
        override=score if overridden else None, excused=excused, submitted_at=submitted_at,
        days_late=days, penalty=penalty, final_score=None if excused else round(score - penalty, 6),
        needs_review=any(n.needs_review for n in overrides),
        comments=tuple(n.comment for n in mine if n.comment), late_note=note)


def _after_overrides(raw: float, max_score: float, result: SubmissionResult | None, assignment: str,
                     overrides: Sequence[Adjustment]) -> tuple[float, bool]:
    whole = [n for n in overrides if not n.function]
    if whole:
        return float(whole[-1].score or 0.0), True
    score = raw
    for note in overrides:
        graded = autograded_score(result, assignment, note.function) or 0.0
        score += float(note.score or 0.0) - graded
    return min(max(score, 0.0), max_score), bool(overrides)
