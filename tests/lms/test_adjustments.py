"""Overrides, excusals and comments in the gradebook: kept with who and when, surviving re-grades
(flagged for review when the autograded score moves), and how they make the final grade."""

from __future__ import annotations

from pathlib import Path

import pytest
from lms_samples import KEY, graded

from dnn_autograder.grader.classes import adjust
from dnn_autograder.grader.classes.finals import final_grades
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.classes.gradebook_tables import SubmissionTime, adjustments, record_times, store_policies
from dnn_autograder.grader.commands import comment as comment_command
from dnn_autograder.grader.commands import override as override_command
from dnn_autograder.grader.errors import ExitCode, UsageError


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        for student, he in (("ana", 0.0), ("bob", 2.0), ("cy", 1.0)):
            book.record(graded(student, he=he), KEY)
    return path


def finals(path: Path) -> dict[str, tuple]:
    with Gradebook(path) as book:
        return {g.student: (g.raw_score, g.override, g.excused, g.penalty, g.final_score, g.needs_review)
                for g in final_grades(book)}


def test_an_override_is_kept_with_who_and_when_and_makes_the_final_score(book_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "ta-mo")
    adjust.override(book_path, "ana", "initialization", 2.5, comment="graded by hand")
    adjust.override(book_path, "bob", "initialization", 1.5, function="he", comment="copied", by="prof")
    adjust.excuse(book_path, "cy", "initialization", comment="medical")
    adjust.add_comment(book_path, "bob", "initialization", "see me")
    with Gradebook(book_path) as book:
        rows = adjustments(book.connection)
    assert [(r.student, r.kind, r.by, r.basis) for r in rows] == [
        ("ana", "override", "ta-mo", 1.0), ("bob", "override", "prof", 2.0),
        ("cy", "excuse", "ta-mo", None), ("bob", "comment", "ta-mo", None)]
    assert all(r.at.startswith("20") and r.at.endswith("+00:00") for r in rows)
    assert finals(book_path) == {
        "ana": (1.0, 2.5, False, 0.0, 2.5, False),
        "bob": (3.0, 2.5, False, 0.0, 2.5, False),  # he: 2 -> 1.5, zeros kept: 1 + 1.5
        "cy": (2.0, None, True, 0.0, None, False),
    }


def test_a_regrade_keeps_overrides_and_flags_only_those_whose_autograded_score_moved(book_path: Path) -> None:
    adjust.override(book_path, "ana", "initialization", 2.5)
    adjust.override(book_path, "bob", "initialization", 0.5, function="zeros")
    with Gradebook(book_path) as book:
        book.record(graded("ana", he=2.0), KEY)  # the assignment's score moves: 1 -> 3
        book.record(graded("bob", he=1.0), KEY)  # "he" moves, "zeros" (the overridden one) does not
    assert finals(book_path)["ana"] == (3.0, 2.5, False, 0.0, 2.5, True)
    assert finals(book_path)["bob"] == (2.0, 1.5, False, 0.0, 1.5, False)
    with Gradebook(book_path) as book:
        book.record(graded("bob", zeros=0.0, he=1.0), KEY)
    assert finals(book_path)["bob"][-1] is True
    [ana] = [r for r in _rows(book_path) if r.student == "ana"]
    adjust.review(book_path, ana.id)
    assert finals(book_path)["ana"][-1] is False
    with Gradebook(book_path) as book:
        book.record(graded("ana", he=2.0), KEY)  # unchanged since the review: no flag
    assert finals(book_path)["ana"][-1] is False


def test_a_newer_override_supersedes_the_older_which_stays_as_history(book_path: Path) -> None:
    first = adjust.override(book_path, "ana", "initialization", 2.0)
    adjust.override(book_path, "ana", "initialization", 3.0)
    assert finals(book_path)["ana"][1] == 3.0
    with Gradebook(book_path) as book:
        history = adjustments(book.connection, student="ana", active_only=False)
    assert [(r.id == first, r.score, r.active) for r in history] == [(True, 2.0, False), (False, 3.0, True)]


@pytest.mark.parametrize(("call", "message"), [
    (lambda p: adjust.override(p, "nobody", "initialization", 1.0), "no student"),
    (lambda p: adjust.override(p, "ana", "no_such_assignment", 1.0), "no grade for an assignment"),
    (lambda p: adjust.override(p, "ana", "initialization", 1.0, function="nope"), "no graded function"),
    (lambda p: adjust.override(p, "ana", "initialization", 3.5), "between 0 and 3"),
    (lambda p: adjust.override(p, "ana", "initialization", 2.5, function="he"), "between 0 and 2"),
    (lambda p: adjust.add_comment(p, "ana", "initialization", "  "), "needs some text"),
], ids=["unknown-student", "unknown-assignment", "unknown-function", "above-max", "above-function-max", "empty"])
def test_a_typo_cannot_create_a_grade(book_path: Path, call: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call(book_path)  # type: ignore[operator]
    assert _rows(book_path) == []


def test_the_late_penalty_applies_after_the_override_and_not_to_excused_or_unknown_times(book_path: Path) -> None:
    policy = {"initialization": {"deadline": "2026-12-04T23:00:00+00:00", "penalty_per_day": 0.25}}
    with Gradebook(book_path) as book, book.transaction():
        store_policies(book.connection, policy, "2026-12-05T00:00:00+00:00")
        record_times(book.connection, [
            SubmissionTime("ana", "initialization", "2026-12-06T12:00:00+00:00", "times.csv"),  # 2 days
            SubmissionTime("bob", "initialization", None, "unknown", lms_late=True),
            SubmissionTime("cy", "initialization", "2026-12-05T00:00:00+00:00", "times.csv")])
    adjust.override(book_path, "ana", "initialization", 2.0)
    adjust.excuse(book_path, "cy", "initialization")
    with Gradebook(book_path) as book:
        by_student = {g.student: g for g in final_grades(book)}
    assert (by_student["ana"].days_late, by_student["ana"].penalty, by_student["ana"].final_score) == (2, 1.0, 1.0)
    assert (by_student["bob"].penalty, by_student["bob"].final_score) == (0.0, 3.0)
    assert "marked this submission late but gave no time" in by_student["bob"].late_note
    assert (by_student["cy"].penalty, by_student["cy"].final_score) == (0.0, None)


def test_the_commands_write_the_same_rows_and_report_usage_errors(book_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = str(book_path)
    assert override_command.main(["ana", "initialization", "he", "--score", "2", "--comment", "ok",
                                  "--by", "ta", "--db", db]) == ExitCode.OK
    assert comment_command.main(["ana", "initialization", "--comment", "well done", "--db", db]) == ExitCode.OK
    assert override_command.main(["ana", "initialization", "--score", "9", "--db", db]) == ExitCode.USAGE
    assert "between 0 and 3" in capsys.readouterr().err
    assert [(r.kind, r.function, r.score, r.by) for r in _rows(book_path)][0] == ("override", "he", 2.0, "ta")
    assert finals(book_path)["ana"][4] == 3.0


def _rows(path: Path) -> list:
    with Gradebook(path) as book:
        return adjustments(book.connection)


def test_a_mistyped_gradebook_path_is_refused_and_no_empty_gradebook_is_made(tmp_path: Path) -> None:
    missing = tmp_path / "gradbook.sqlite"
    with pytest.raises(UsageError, match="no gradebook"):
        adjust.override(missing, "ana", "initialization", 1.0)
    assert not missing.exists()
