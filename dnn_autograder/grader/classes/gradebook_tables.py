"""The gradebook's hand-kept tables: adjustments, submission times and late policies.

- ``adjustments``: what a person decided, one row each, never deleted: ``kind`` is ``override``
  (a score replacing the autograded one of a whole assignment, or of one function when
  ``function`` is set), ``excuse`` (the assignment does not count for the student) or ``comment``
  (words only). Each row keeps ``by`` (who), ``at`` (when, UTC ISO 8601), ``basis`` (the
  autograded score it was made against) and ``needs_review``: set when a later grading changes the
  autograded score under an override, so a person looks again (the override still applies). A newer
  override of the same target supersedes the older one (``active = 0``), which stays as history.
- ``submission_times``: when the LMS says a student submitted an assignment (``submitted_at``
  NULL when the LMS gave no time), where that came from (``source``) and the LMS's own late marker.
- ``late_policies``: the late policy of each assignment, as loaded from a policy TOML
  (:mod:`dnn_autograder.grader.classes.late_policy`), stored as JSON.

These functions take the gradebook's open connection; the caller owns the transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from dnn_autograder.grader.model import SubmissionResult

KINDS = ("override", "excuse", "comment")

ADJUSTMENT_SCHEMA = """;
CREATE TABLE IF NOT EXISTS adjustments (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    function TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL CHECK (kind IN ('override', 'excuse', 'comment')),
    score REAL,
    comment TEXT NOT NULL DEFAULT '',
    by TEXT NOT NULL,
    at TEXT NOT NULL,
    basis REAL,
    needs_review INTEGER NOT NULL DEFAULT 0 CHECK (needs_review IN (0, 1)),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX IF NOT EXISTS adjustments_by_student ON adjustments(student, assignment);
CREATE TABLE IF NOT EXISTS submission_times (
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    submitted_at TEXT,
    source TEXT NOT NULL,
    lms_id TEXT NOT NULL DEFAULT '',
    lms_late INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (student, assignment)
);
CREATE TABLE IF NOT EXISTS late_policies (
    assignment TEXT PRIMARY KEY,
    policy_json TEXT NOT NULL,
    loaded_at TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Adjustment:
    """One row of ``adjustments`` (see the module doc); ``function`` is "" for a whole assignment."""

    id: int
    student: str
    assignment: str
    function: str
    kind: str
    score: float | None
    comment: str
    by: str
    at: str
    basis: float | None
    needs_review: bool
    active: bool


@dataclass(frozen=True)
class SubmissionTime:
    """When a student submitted an assignment, as the LMS says (``submitted_at`` None: unknown)."""

    student: str
    assignment: str
    submitted_at: str | None
    source: str
    lms_id: str = ""
    lms_late: bool = False


def autograded_score(result: SubmissionResult | None, assignment: str, function: str = "") -> float | None:
    """The autograded score of one assignment (or one of its functions) in ``result``; None when
    the result does not hold it."""
    if result is None:
        return None
    for graded in result.assignments:
        if graded.assignment != assignment:
            continue
        if not function:
            return graded.score
        for item in graded.functions:
            if item.name == function:
                return item.score
    return None


def add_adjustment(db: sqlite3.Connection, row: Adjustment) -> int:
    """Insert ``row`` (its ``id`` is ignored); an override supersedes the student's earlier active
    override of the same target, an excusal the earlier excusal. Returns the new id."""
    if row.kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {row.kind!r}")
    if row.kind != "comment":
        db.execute("UPDATE adjustments SET active = 0 WHERE student = ? AND assignment = ? AND function = ?"
                   " AND kind = ? AND active = 1", (row.student, row.assignment, row.function, row.kind))
    cursor = db.execute(
        "INSERT INTO adjustments (student, assignment, function, kind, score, comment, by, at, basis,"
        " needs_review, active) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1)",
        (row.student, row.assignment, row.function, row.kind, row.score, row.comment, row.by, row.at,
         row.basis))
    return int(cursor.lastrowid or 0)


def adjustments(db: sqlite3.Connection, *, student: str | None = None, active_only: bool = True) -> list[Adjustment]:
    """Adjustments, oldest first (only active ones unless ``active_only`` is False)."""
    if not _has_table(db, "adjustments"):
        return []
    query = ("SELECT id, student, assignment, function, kind, score, comment, by, at, basis, needs_review,"
             " active FROM adjustments WHERE 1 = 1")
    params: list[object] = []
    if active_only:
        query += " AND active = 1"
    if student is not None:
        query += " AND student = ?"
        params.append(student)
    rows = db.execute(query + " ORDER BY id", params)
    return [Adjustment(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], bool(r[10]), bool(r[11]))
            for r in rows]


def mark_reviewed(db: sqlite3.Connection, adjustment_id: int, basis: float | None) -> None:
    """Clear an override's ``needs_review`` flag and take ``basis`` as its new autograded score."""
    db.execute("UPDATE adjustments SET needs_review = 0, basis = ? WHERE id = ?", (basis, adjustment_id))


def flag_changed_overrides(db: sqlite3.Connection, student: str, result: SubmissionResult) -> None:
    """Flag ``needs_review`` on each active override of ``student`` whose autograded score differs
    in the newly recorded ``result`` (an assignment no longer graded counts as a change)."""
    for row in adjustments(db, student=student):
        if row.kind != "override":
            continue
        now = autograded_score(result, row.assignment, row.function)
        if now is None or row.basis is None or abs(now - row.basis) > 1e-9:
            db.execute("UPDATE adjustments SET needs_review = 1 WHERE id = ?", (row.id,))


def record_times(db: sqlite3.Connection, times: Iterable[SubmissionTime]) -> int:
    """Store submission times (replacing earlier ones of the same student and assignment)."""
    count = 0
    for item in times:
        db.execute("INSERT OR REPLACE INTO submission_times (student, assignment, submitted_at, source, lms_id,"
                   " lms_late) VALUES (?, ?, ?, ?, ?, ?)",
                   (item.student, item.assignment, item.submitted_at, item.source, item.lms_id, int(item.lms_late)))
        count += 1
    return count


def submission_times(db: sqlite3.Connection) -> dict[tuple[str, str], SubmissionTime]:
    """``{(student, assignment): SubmissionTime}``."""
    if not _has_table(db, "submission_times"):
        return {}
    rows = db.execute("SELECT student, assignment, submitted_at, source, lms_id, lms_late FROM submission_times")
    return {(r[0], r[1]): SubmissionTime(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in rows}


def store_policies(db: sqlite3.Connection, policies: dict[str, dict], loaded_at: str) -> None:
    """Replace the stored late policies with ``policies`` (``{assignment: plain dict}``)."""
    db.execute("DELETE FROM late_policies")
    for name, data in sorted(policies.items()):
        db.execute("INSERT INTO late_policies (assignment, policy_json, loaded_at) VALUES (?, ?, ?)",
                   (name, json.dumps(data, sort_keys=True), loaded_at))


def stored_policies(db: sqlite3.Connection) -> dict[str, dict]:
    """The stored late policies, ``{assignment: plain dict}``."""
    if not _has_table(db, "late_policies"):
        return {}
    return {r[0]: json.loads(r[1]) for r in db.execute("SELECT assignment, policy_json FROM late_policies")}


def _has_table(db: sqlite3.Connection, name: str) -> bool:
    """False for a gradebook written before the table existed and opened read-only."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None
