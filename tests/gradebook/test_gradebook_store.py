"""The gradebook: current grades and history, resume keys, integrity, and `grade gradebook`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from dnn_autograder.grader.classes.gradebook import Gradebook, GradeKey, spec_key
from dnn_autograder.grader.commands import gradebook as command
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult

KEY = GradeKey("hash-1", spec_key([("regularization", "abc")]), "0.1.0")


def result(student: str, score: float, *, error: str | None = None,
           graded_at: str = "2024-01-01T00:00:00+00:00") -> SubmissionResult:
    assignments = () if error else (AssignmentResult(
        "regularization", "Regularization", score, 10.0,
        (FunctionResult("compute_cost_with_regularization", score, 10.0,
                        "passed" if score == 10 else "failed"),)),)
    return SubmissionResult(f"class/{student}", score, 0.0 if error else 10.0, assignments,
                            student=student, error=error, graded_at=graded_at)


@pytest.fixture
def book(tmp_path: Path):
    with Gradebook(tmp_path / "gradebook.sqlite") as opened:
        yield opened


def test_records_and_lists_current_grades(book: Gradebook) -> None:
    book.record(result("alice", 10.0), KEY)
    book.record(result("bob", 0.0, error="not valid notebook JSON"), KEY)
    rows = {row.student: row for row in book.grades()}
    assert rows["alice"].score == 10.0 and rows["alice"].assignment == "regularization"
    assert rows["alice"].status == "graded" and rows["alice"].current
    assert rows["bob"].status == "unreadable" and rows["bob"].error == "not valid notebook JSON"
    assert rows["bob"].assignment == ""
    assert book.students() == ["alice", "bob"]
    stored = book.stored_result("alice")
    assert stored is not None and stored.assignments[0].functions[0].status == "passed"


def test_regrading_keeps_history_and_one_current_grade(book: Gradebook) -> None:
    book.record(result("alice", 4.0, graded_at="2024-01-01T00:00:00+00:00"), KEY)
    changed = GradeKey("hash-2", KEY.spec_digests, KEY.grader_version)
    book.record(result("alice", 10.0, graded_at="2024-01-02T00:00:00+00:00"), changed)
    current = book.grades(student="alice")
    assert [(r.score, r.current) for r in current] == [(10.0, True)]
    history = book.grades(student="alice", history=True)
    assert [(r.score, r.current) for r in history] == [(10.0, True), (4.0, False)]
    assert book.integrity_problems() == []


def test_unchanged_only_for_the_same_files_specs_and_version(book: Gradebook) -> None:
    book.record(result("alice", 10.0), KEY)
    assert book.is_unchanged("alice", KEY)
    assert not book.is_unchanged("bob", KEY)
    for changed in (GradeKey("other", KEY.spec_digests, KEY.grader_version),
                    GradeKey(KEY.content_hash, "regularization=new", KEY.grader_version),
                    GradeKey(KEY.content_hash, KEY.spec_digests, "0.2.0"),
                    GradeKey(KEY.content_hash, KEY.spec_digests + ",optimization=o",
                             KEY.grader_version)):  # a new candidate assignment
        assert not book.is_unchanged("alice", changed)


def test_editing_another_assignment_keeps_the_grade(book: Gradebook) -> None:
    both = GradeKey("hash-1", spec_key([("regularization", "abc"), ("optimization", "o1")]), "v")
    book.record(result("alice", 10.0), both)  # graded on regularization only
    book.record(result("bob", 0.0, error="unreadable"), both)
    edited = GradeKey("hash-1", spec_key([("regularization", "abc"), ("optimization", "o2")]), "v")
    assert book.is_unchanged("alice", edited) and book.is_unchanged("bob", edited)
    edited_own = GradeKey("hash-1", spec_key([("regularization", "new"), ("optimization", "o1")]),
                          "v")
    assert not book.is_unchanged("alice", edited_own)


def test_internal_failures_are_retried(book: Gradebook) -> None:
    book.record(result("carol", 0.0, error="worker died"), KEY, status="internal")
    assert book.current_key("carol") == (KEY, "internal")
    assert not book.is_unchanged("carol", KEY)


def test_the_schema_forbids_two_current_grades(book: Gradebook, tmp_path: Path) -> None:
    book.record(result("alice", 10.0), KEY)
    raw = sqlite3.connect(tmp_path / "gradebook.sqlite")
    with pytest.raises(sqlite3.IntegrityError):
        raw.execute("INSERT INTO submissions (student, content_hash, spec_digests, grader_version,"
                    " graded_at, score, max_score, status, current, result_json)"
                    " VALUES ('alice', 'h', 's', 'v', 't', 1, 1, 'graded', 1, '{}')")
    raw.close()


def test_uses_wal_mode(book: Gradebook, tmp_path: Path) -> None:
    book.record(result("alice", 10.0), KEY)
    raw = sqlite3.connect(tmp_path / "gradebook.sqlite")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()


def test_rejects_unknown_status(book: Gradebook) -> None:
    with pytest.raises(ValueError, match="status"):
        book.record(result("alice", 1.0), KEY, status="bogus")
    assert book.grades() == []  # nothing half-recorded


def _filled(tmp_path: Path) -> Path:
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        book.record(result("alice", 4.0), KEY)
        book.record(result("alice", 10.0), GradeKey("hash-2", KEY.spec_digests, "0.1.0"))
        book.record(result("bob", 0.0, error="empty file"), KEY)
    return path


def test_command_lists_current_grades(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _filled(tmp_path)
    assert command.main(["--db", str(path), "--csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("student,assignment,score,max_score,status")
    assert len(lines) == 3 and lines[1].startswith("alice,regularization,10,10,graded")


def test_command_history_and_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _filled(tmp_path)
    assert command.main(["--db", str(path), "--csv", "--history", "--student", "alice"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert [line.split(",")[2] for line in lines] == ["10", "4"]
    assert [line.split(",")[7] for line in lines] == ["1", "0"]
    assert command.main(["--db", str(path), "--assignment", "regularization"]) == 0
    table = capsys.readouterr().out
    assert "alice" in table and "bob" not in table and "1 grade(s)" in table


def test_command_without_a_gradebook_is_a_usage_error(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert command.main(["--db", str(tmp_path / "missing.sqlite")]) == 2
    assert "no gradebook" in capsys.readouterr().err
    assert not (tmp_path / "missing.sqlite").exists()
