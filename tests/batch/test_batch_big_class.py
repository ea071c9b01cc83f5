"""A class too big to hold in memory (more than ``IN_MEMORY_STUDENTS``) is graded the same way,
but its class files are made from the students' result files read back one at a time: the same
bytes as from results held in memory, and a parent whose memory does not grow with the class."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from class_builder import GOOD, build_class, peak_traced_mb

from dnn_autograder.grader.classes import batch
from dnn_autograder.grader.classes.batch import StoredResults, grade_batch
from dnn_autograder.grader.model import AssignmentResult, FunctionResult, SubmissionResult
from dnn_autograder.grader.outputs.exports.class_outputs import write_student_result

FAKE = "batch_fake_engine:FakeEngine"
CLASS_FILES = ("grades.csv", "grades_wide.csv", "junit.xml", "summary.html", "results.json")
#: what differs between two gradings of one class: times, durations, the worker's pid
_VARYING = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00)?|"(?:duration_s|worker_pid)": [0-9.]+|'
                      r'time="[0-9.]+"')


def _class_files(out: Path) -> dict[str, str]:
    return {name: _VARYING.sub("#", (out / name).read_text(encoding="utf-8")) for name in CLASS_FILES}


def test_a_class_read_back_from_disk_gets_the_class_files_of_one_held_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_class(tmp_path / "class", good=5, huge=False,
                extra={"raises.py": GOOD + "# RAISE\n", "wrong.py": GOOD + "# WRONG\n"})
    held = grade_batch(tmp_path / "class", tmp_path / "memory", engine=FAKE, jobs=2, progress=None)
    monkeypatch.setattr(batch, "IN_MEMORY_STUDENTS", 3)
    read_back = grade_batch(tmp_path / "class", tmp_path / "disk", engine=FAKE, jobs=2, progress=None)
    assert isinstance(held.results, tuple) and isinstance(read_back.results, StoredResults)
    assert _class_files(tmp_path / "disk") == _class_files(tmp_path / "memory")
    assert [(r.student, r.score, r.error) for r in read_back.results] == [
        (r.student, r.score, r.error) for r in held.results]
    assert (read_back.graded, read_back.internal, read_back.skipped) == (held.graded, held.internal, 0)
    again = grade_batch(tmp_path / "class", tmp_path / "disk", engine=FAKE, jobs=2, progress=None)
    assert again.skipped == len(again.results) - again.internal  # a re-run resumes as usual
    assert _class_files(tmp_path / "disk")["grades.csv"] == _class_files(tmp_path / "memory")["grades.csv"]


def _wordy_result(path: Path) -> Path:
    """A result whose functions carry 20 kB messages (kept by ``class_view``): ~60 kB a student
    held in memory."""
    functions = tuple(FunctionResult(name, 1.0, 1.0, "passed", message=name * 10_000)
                      for name in ("fw", "bw", "up"))
    result = SubmissionResult(submission="x.py", score=3.0, max_score=3.0, student="x",
                              assignments=(AssignmentResult("fake", "Fake", 3.0, 3.0, functions),))
    return write_student_result(path, result)


def _build(root: Path, students: int, result: Path) -> Path:
    root.mkdir(parents=True)
    for index in range(students):
        (root / f"s{index:04d}.py").write_text(GOOD + f"# REAL={result}\n", encoding="utf-8")
    return root


def test_the_parent_of_a_big_class_keeps_no_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "IN_MEMORY_STUDENTS", 0)
    wordy = _wordy_result(tmp_path / "wordy")
    peak_traced_mb(_build(tmp_path / "warm", 2, wordy), tmp_path / "out_warm")  # imports are not the batch's
    small = peak_traced_mb(_build(tmp_path / "small", 10, wordy), tmp_path / "out_small")
    large = peak_traced_mb(_build(tmp_path / "large", 60, wordy), tmp_path / "out_large")
    # held in memory, 50 more such results would add ~3 MB; read back, only ids and scores remain
    assert large - small < 1.0, (small, large)
