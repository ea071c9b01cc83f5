"""A batch's outputs agree with each other and clean up after themselves: grades.csv and the
gradebook hold the same grades, the end summary's counts add up, a terminal shows every
student's score after the progress bar, and a closed gradebook leaves no -wal/-shm files."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from class_builder import GOOD, PARTIAL, build_class

from dnn_autograder.grader.classes.batch import grade_batch
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.commands import gradebook as gradebook_command

FAKE = "batch_fake_engine:FakeEngine"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("agree")
    build_class(root / "class", good=4, huge=False, extra={"raises.py": GOOD + "# RAISE\n"})
    summary = grade_batch(root / "class", root / "out", engine=FAKE, jobs=2, progress=None)
    return root, summary


def _sidecars(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(("-wal", "-shm", "-journal")))


def test_closed_gradebook_leaves_no_wal_or_shm_files(batch, capsys: pytest.CaptureFixture[str]) -> None:
    root, _ = batch
    out = root / "out"
    assert _sidecars(out) == []
    # reading it afterwards (`grade gradebook`, read-only) must not leave any either
    assert gradebook_command.main(["--db", str(out / "gradebook.sqlite"), "--csv"]) == 0
    capsys.readouterr()
    assert _sidecars(out) == []


def test_gradebook_is_still_written_ahead_while_open(tmp_path: Path) -> None:
    with Gradebook(tmp_path / "g.sqlite") as book:
        assert book._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert _sidecars(tmp_path) == []


def test_grades_csv_and_gradebook_agree(batch) -> None:
    root, summary = batch
    with open(root / "out" / "grades.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    with Gradebook(root / "out" / "gradebook.sqlite") as book:
        recorded = {(g.student, g.assignment): g for g in book.grades()}
        totals = {s: book.stored_result(s).score for s in book.students()}
    assert {r["student"] for r in rows} == {s for s, _ in recorded} == {r.student for r in summary.results}
    for row in rows:
        key = (row["student"], row["assignment"])
        if row["status"] == "graded":
            grade = recorded[key]
            assert (float(row["score"]), float(row["max_score"])) == (grade.score, grade.max_score), key
            assert grade.status == "graded"
        else:
            assert float(row["score"]) == 0.0, key
            assert key not in recorded or recorded[key].score == 0.0
            statuses = {g.status for (s, _), g in recorded.items() if s == row["student"]}
            assert statuses <= ({"unreadable", "internal"} if row["status"] == "error" else {"graded"}), key
    for student, total in totals.items():
        assert sum(float(r["score"]) for r in rows if r["student"] == student) == total, student


def test_summary_counts_add_up(batch) -> None:
    _, summary = batch
    first = summary.lines()[0]
    total, _, rest = first.partition(" students: ")
    parts = [p.strip() for p in rest.split(",")]
    numbers = [int(p.split()[0]) for p in parts]
    assert sum(numbers) == int(total) == len(summary.results), first
    assert summary.graded_ok + summary.unreadable + summary.internal + summary.skipped == len(summary.results)


def test_summary_counts_add_up_after_a_resume(tmp_path: Path) -> None:
    build_class(tmp_path / "class", good=2, huge=False)
    grade_batch(tmp_path / "class", tmp_path / "out", engine=FAKE, jobs=1, progress=None)
    (tmp_path / "class" / "student01.py").write_text(PARTIAL, encoding="utf-8")
    summary = grade_batch(tmp_path / "class", tmp_path / "out", engine=FAKE, jobs=1, progress=None)
    assert summary.skipped == len(summary.results) - 1
    first = summary.lines()[0]
    total, _, rest = first.partition(" students: ")
    assert sum(int(p.split()[0]) for p in rest.split(",")) == int(total), first


def test_terminal_shows_every_students_score_after_the_bar(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    (class_dir / "alice.py").write_text(GOOD, encoding="utf-8")
    (class_dir / "bob.py").write_text(PARTIAL, encoding="utf-8")
    grade_batch(class_dir, tmp_path / "out", engine=FAKE, jobs=1, progress="bar")
    lines = capsys.readouterr().out.splitlines()
    bar_end = max(i for i, line in enumerate(lines) if "grading" in line)
    after = lines[bar_end + 1:]
    assert any("alice" in line and re.search(r"\b3 ?/ ?3\b", line) for line in after), after
    assert any("bob" in line and re.search(r"\b1 ?/ ?3\b", line) for line in after), after
