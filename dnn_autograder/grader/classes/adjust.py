"""Adjust grades by hand: override a score, excuse a student, add a comment.

The library twins of ``grade override``, ``grade excuse`` and ``grade comment``
(:mod:`dnn_autograder.grader.commands.override`). Each call adds one row to the gradebook's
``adjustments`` table (:mod:`dnn_autograder.grader.classes.gradebook_tables`) with who (default:
``$USER``) and when; nothing is ever deleted. Overrides keep the autograded score they were made
against, so a later re-grade that changes it flags them ``needs_review``.

Targets are checked against the gradebook, so a typo cannot create a grade for nobody: the
student must have a current grade, the assignment must be one of theirs (or a known assignment),
a function must be one of the assignment's graded functions, and a score must lie within 0 and
the maximum.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from pathlib import Path

from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import Adjustment, add_adjustment, autograded_score, mark_reviewed
from dnn_autograder.grader.errors import UsageError


def current_user() -> str:
    """``$USER`` (or the login name), "unknown" when neither is set."""
    try:
        return os.environ.get("USER") or getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return "unknown"


def override(db: str | Path, student: str, assignment: str, score: float, *, function: str = "",
             comment: str = "", by: str | None = None) -> int:
    """Record ``score`` for a student's assignment (or one ``function`` of it); returns its id."""
    with _open(db) as book:
        result = book.stored_result(student)
        maximum = _max_points(book, student, assignment, function)
        if not 0 <= score <= maximum:
            raise UsageError(f"the score must be between 0 and {maximum:g}, not {score:g}")
        basis = autograded_score(result, assignment, function)
        row = Adjustment(0, student, assignment, function, "override", float(score), comment,
                         by or current_user(), _now(), basis, False, True)
        with book.transaction():
            return add_adjustment(book.connection, row)


def excuse(db: str | Path, student: str, assignment: str, *, comment: str = "", by: str | None = None) -> int:
    """Excuse a student from an assignment (it has no final score); returns the row's id."""
    return _note(db, student, assignment, "excuse", comment, by)


def add_comment(db: str | Path, student: str, assignment: str, comment: str, *, by: str | None = None) -> int:
    """A comment only (shown in the report and exports; no score changes); returns the row's id."""
    if not comment.strip():
        raise UsageError("a comment needs some text (--comment)")
    return _note(db, student, assignment, "comment", comment, by)


def review(db: str | Path, adjustment_id: int) -> None:
    """Mark a ``needs_review`` override as looked at: its basis becomes the current autograded score."""
    with _open(db) as book:
        row = book.connection.execute("SELECT student, assignment, function FROM adjustments WHERE id = ?"
                                      " AND kind = 'override'", (adjustment_id,)).fetchone()
        if row is None:
            raise UsageError(f"no override with id {adjustment_id}")
        basis = autograded_score(book.stored_result(row[0]), row[1], row[2])
        with book.transaction():
            mark_reviewed(book.connection, adjustment_id, basis)


def _note(db: str | Path, student: str, assignment: str, kind: str, comment: str, by: str | None) -> int:
    with _open(db) as book:
        _max_points(book, student, assignment, "")
        row = Adjustment(0, student, assignment, "", kind, None, comment, by or current_user(), _now(),
                         None, False, True)
        with book.transaction():
            return add_adjustment(book.connection, row)


def _max_points(book: Gradebook, student: str, assignment: str, function: str) -> float:
    """The maximum of the target, checking that it exists (see the module doc)."""
    if student not in book.students():
        raise UsageError(f"no student {student!r} in the gradebook {book.path} (see 'grade gradebook')")
    result = book.stored_result(student)
    graded = next((a for a in (result.assignments if result else ()) if a.assignment == assignment), None)
    spec = _spec(assignment)
    if graded is None and spec is None:
        raise UsageError(f"{student!r} has no grade for an assignment {assignment!r}")
    if not function:
        return graded.max_score if graded is not None else float(spec.max_score)
    names = {f.name: f.max_score for f in graded.functions} if graded is not None else {}
    if function not in names:
        raise UsageError(f"{assignment!r} has no graded function {function!r}"
                         + (f" (one of: {', '.join(sorted(names))})" if names else ""))
    return names[function]


def _spec(assignment: str):  # noqa: ANN202 - the spec type is the engine's
    try:
        from dnn_autograder.grader.assignment.spec import load_assignment

        return load_assignment(assignment)
    except Exception:  # noqa: BLE001 - unknown assignment: the caller says so
        return None


def _open(db: str | Path) -> Gradebook:
    """The gradebook at ``db``; never a new empty one made by a typo in the path."""
    if not Path(db).is_file():
        raise UsageError(f"no gradebook at {db}; give --db FILE (a batch writes OUT_DIR/gradebook.sqlite)")
    return Gradebook(db)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
