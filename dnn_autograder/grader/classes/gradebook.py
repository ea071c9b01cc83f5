"""The gradebook: every grade a batch gives, kept in SQLite, with its history.

Only the batch's main process writes it (workers hand their results back). The database runs in
WAL mode with ``synchronous=FULL`` and records each grade in one transaction, so a batch killed
at any moment (``kill -9``, a power cut after the commit) loses no grade already recorded and
leaves nothing half-written. Closing switches the file back to a rollback journal, so a
gradebook at rest is a single file.

Tables:

- ``submissions``: one row per grading of one student's submission: the content hash of the
  files graded, the spec digests and grader version it was graded with, the total score,
  ``status`` (``graded``; ``unreadable`` when nothing could be graded; ``internal`` when the
  grader itself failed, which a re-run retries), ``current`` (1 for the latest row of each
  student, 0 for history) and the full results JSON.
- ``grades``: one row per assignment of each submission row (student, assignment, score,
  max_score, the assignment's spec digest, ``current``).
- ``adjustments``, ``submission_times``, ``late_policies``: what people add by hand (overrides,
  excusals, comments), when each student submitted, and the late policy
  (:mod:`dnn_autograder.grader.classes.gradebook_tables`). Recording a grade never drops an adjustment:
  an override whose autograded score changed underneath it is flagged ``needs_review``.

At most one row per student (and per student and assignment) is current: partial unique
indexes make any other state impossible.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dnn_autograder.grader.classes.gradebook_tables import ADJUSTMENT_SCHEMA, flag_changed_overrides
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.exports.files import dumps_json
from dnn_autograder.grader.outputs.exports.from_json import submission_from_dict
from dnn_autograder.grader.outputs.results_json import submission_dict

SCHEMA_VERSION = 1
STATUSES = ("graded", "unreadable", "internal")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    spec_digests TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    graded_at TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('graded', 'unreadable', 'internal')),
    error TEXT,
    current INTEGER NOT NULL CHECK (current IN (0, 1)),
    result_json TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS one_current_submission
    ON submissions(student) WHERE current = 1;
CREATE INDEX IF NOT EXISTS submissions_by_student ON submissions(student, id);
CREATE TABLE IF NOT EXISTS grades (
    id INTEGER PRIMARY KEY,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    spec_digest TEXT NOT NULL,
    current INTEGER NOT NULL CHECK (current IN (0, 1))
);
CREATE UNIQUE INDEX IF NOT EXISTS one_current_grade
    ON grades(student, assignment) WHERE current = 1;
""" + ADJUSTMENT_SCHEMA


@dataclass(frozen=True)
class GradeKey:
    """What a grade depends on: the files, the specs and the grader.

    A stored grade is still valid for a new key (:meth:`Gradebook.is_unchanged`) when the files
    and grader version are the same, the same assignments were candidates, and the specs of the
    assignments the grade actually covers are unchanged: editing one assignment's spec re-grades
    only the students graded on it.

    Attributes:
        content_hash: sha256 over the names and bytes of the submission's files.
        spec_digests: the specs it is graded against, ``name=digest,...`` (:func:`spec_key`).
        grader_version: ``dnn_autograder.grader.__version__``.
    """

    content_hash: str
    spec_digests: str
    grader_version: str

    @property
    def digests(self) -> dict[str, str]:
        """``{assignment: spec digest}`` parsed from :attr:`spec_digests`."""
        pairs = (item.partition("=") for item in self.spec_digests.split(",") if item)
        return {name: digest for name, _, digest in pairs}


@dataclass(frozen=True)
class GradeRow:
    """One row of a listing: a submission's grade for one assignment (``assignment`` is ""
    for a submission in which no assignment could be graded)."""

    student: str
    assignment: str
    score: float
    max_score: float
    status: str
    graded_at: str
    grader_version: str
    content_hash: str
    current: bool
    error: str | None


class Gradebook:
    """A gradebook file, opened for reading and writing (use as a context manager)."""

    def __init__(
        self, path: str | Path, *, timeout_s: float = 30.0, readonly: bool = False
    ) -> None:
        self.path = Path(path)
        self._readonly = readonly
        if readonly:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=timeout_s, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._transaction():
            for statement in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file. A writer first checkpoints the write-ahead log and switches the file
        back to a rollback journal, so a closed gradebook is one file (no ``-wal``/``-shm``
        beside it, none made by later read-only readers); another connection still open keeps
        WAL mode, and the last writer to close switches it."""
        if not self._readonly:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA busy_timeout=200")  # never stall a close on another reader
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.execute("PRAGMA journal_mode=DELETE")
        self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    @property
    def connection(self) -> sqlite3.Connection:
        """The open SQLite connection (autocommit; use :meth:`transaction` to write)."""
        return self._db

    def transaction(self) -> _Transaction:
        """``with book.transaction():`` runs the statements inside as one transaction."""
        return self._transaction()

    def current_key(self, student: str) -> tuple[GradeKey, str] | None:
        """The key and status of the student's current grade, or None."""
        row = self._db.execute(
            "SELECT content_hash, spec_digests, grader_version, status FROM submissions"
            " WHERE student = ? AND current = 1", (student,)).fetchone()
        return None if row is None else (GradeKey(row[0], row[1], row[2]), row[3])

    def is_unchanged(self, student: str, key: GradeKey) -> bool:
        """True when the student's current grade still holds for ``key``: same files, same
        grader version, same candidate assignments, unchanged specs for the assignments it
        covers, and the grader did not fail on it (nothing to re-grade)."""
        row = self._db.execute(
            "SELECT id, content_hash, spec_digests, grader_version, status FROM submissions"
            " WHERE student = ? AND current = 1", (student,)).fetchone()
        if row is None or row[4] == "internal":
            return False
        stored = GradeKey(row[1], row[2], row[3])
        if (stored.content_hash, stored.grader_version) != (key.content_hash, key.grader_version):
            return False
        current = key.digests
        if set(stored.digests) != set(current):
            return False
        graded = self._db.execute("SELECT assignment, spec_digest FROM grades"
                                  " WHERE submission_id = ?", (row[0],))
        return all(current.get(name) == digest for name, digest in graded)

    def record(self, result: SubmissionResult, key: GradeKey, *, status: str | None = None,
               data: dict[str, Any] | None = None, text: str | None = None) -> int:
        """Record one grade as the student's current one, in one transaction; older rows of the
        student stay as history (``current = 0``). Returns the new submission row's id.
        ``data``: ``submission_dict(result)`` when the caller has already made it; ``text``: that
        as JSON text (``dumps_json``), stored as it is (``result`` may then be the slim view of the
        batch, :func:`dnn_autograder.grader.classes.batch.class_view`: only its scores are read)."""
        student = result.student if result.student is not None else result.submission
        status = status or ("graded" if result.error is None else "unreadable")
        if status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {status!r}")
        digests = key.digests
        if text is None:
            text = dumps_json(submission_dict(result) if data is None else data)
        graded_at = result.graded_at or datetime.now(UTC).isoformat(timespec="seconds")
        with self._transaction():
            for table in ("submissions", "grades"):
                self._db.execute(
                    f"UPDATE {table} SET current = 0 WHERE student = ? AND current = 1", (student,))
            cursor = self._db.execute(
                "INSERT INTO submissions (student, content_hash, spec_digests, grader_version,"
                " graded_at, score, max_score, status, error, current, result_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
                (student, key.content_hash, key.spec_digests, key.grader_version, graded_at,
                 result.score, result.max_score, status, result.error, text))
            row_id = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO grades (submission_id, student, assignment, score, max_score,"
                " spec_digest, current) VALUES (?, ?, ?, ?, ?, ?, 1)",
                [(row_id, student, a.assignment, a.score, a.max_score,
                  digests.get(a.assignment, "")) for a in result.assignments])
            flag_changed_overrides(self._db, student, result)
        return row_id

    def stored_result(self, student: str) -> SubmissionResult | None:
        """The student's current result, rebuilt from its stored JSON."""
        data = self.stored_json(student)
        return None if data is None else submission_from_dict(data)

    def stored_json(self, student: str) -> dict | None:
        """The student's current results JSON as stored."""
        row = self._db.execute(
            "SELECT result_json FROM submissions WHERE student = ? AND current = 1", (student,)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def grades(self, *, student: str | None = None, assignment: str | None = None,
               history: bool = False) -> list[GradeRow]:
        """Grades, one row per submission and assignment, newest first within a student;
        only current ones unless ``history``. Filters are exact matches."""
        query = (
            "SELECT s.student, COALESCE(g.assignment, ''), COALESCE(g.score, s.score),"
            " COALESCE(g.max_score, s.max_score), s.status, s.graded_at, s.grader_version,"
            " s.content_hash, s.current, s.error"
            " FROM submissions s LEFT JOIN grades g ON g.submission_id = s.id WHERE 1 = 1")
        params: list[object] = []
        if not history:
            query += " AND s.current = 1"
        if student is not None:
            query += " AND s.student = ?"
            params.append(student)
        if assignment is not None:
            query += " AND g.assignment = ?"
            params.append(assignment)
        query += " ORDER BY s.student, s.id DESC, g.assignment"
        return [GradeRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), r[9])
                for r in self._db.execute(query, params)]

    def students(self) -> list[str]:
        """Students with a current grade, sorted."""
        return [r[0] for r in self._db.execute(
            "SELECT student FROM submissions WHERE current = 1 ORDER BY student")]

    def integrity_problems(self) -> list[str]:
        """``PRAGMA integrity_check`` problems, plus students with more than one current row
        (empty when the database is sound)."""
        problems = [r[0] for r in self._db.execute("PRAGMA integrity_check") if r[0] != "ok"]
        problems += [f"{r[0]}: {r[1]} current grades" for r in self._db.execute(
            "SELECT student, COUNT(*) FROM submissions WHERE current = 1 GROUP BY student"
            " HAVING COUNT(*) > 1")]
        return problems


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self._db.execute("ROLLBACK" if exc_type is not None else "COMMIT")


def iter_current_results(book: Gradebook) -> Iterator[SubmissionResult]:
    """Every student's current result, by student."""
    for student in book.students():
        result = book.stored_result(student)
        if result is not None:
            yield result


def spec_key(names_and_digests: Sequence[tuple[str, str]]) -> str:
    """The canonical ``name=digest,...`` string of a set of specs (sorted by name)."""
    return ",".join(f"{name}={digest}" for name, digest in sorted(names_and_digests))
