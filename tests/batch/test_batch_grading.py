"""Batch grading with a fake engine (real extraction, scripted scores and failures): every
student gets a result, broken ones score 0 with a reason, outputs and gradebook are complete,
re-runs resume, and a batch killed with SIGKILL loses nothing and corrupts nothing."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from class_builder import GOOD, build_class

from dnn_autograder.grader.classes.batch import (
    Graded,
    GradeTask,
    LineReporter,
    content_hash,
    grade_batch,
    grade_many,
    student_entries,
)
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.errors import SandboxUnavailable, UsageError
from dnn_autograder.grader.outputs.exports.from_json import submission_from_dict

FAKE = "batch_fake_engine:FakeEngine"
HERE = Path(__file__).resolve().parent


def run(class_dir: Path, out: Path, **options):
    options.setdefault("progress", None)
    options.setdefault("jobs", 2)
    return grade_batch(class_dir, out, engine=FAKE, **options)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("batch")
    expected = build_class(root / "class", extra={
        "crashes.py": GOOD + "# CRASH\n", "raises.py": GOOD + "# RAISE\n"})
    summary = run(root / "class", root / "out")
    return root, expected, summary


def test_every_student_gets_a_result(graded_class) -> None:
    _, expected, summary = graded_class
    scores = {r.student: r.score for r in summary.results}
    assert set(scores) == set(expected) | {"crashes", "raises"}
    for student, score in expected.items():
        assert scores[student] == score, student
    assert summary.ignored == ("roster.csv",)
    assert summary.graded == len(scores) and summary.skipped == 0


@pytest.mark.parametrize("student, reason", [
    ("invalid_json", "not valid notebook JSON"),
    ("binary_garbage", "binary data"),
    ("empty", "nothing to grade"),
    ("zip_archive", "zip archive"),
    ("huge", "MB limit"),
    ("nothing_here", "no .py or .ipynb file"),
    ("crashes", "worker process died (killed by SIGKILL)"),
    ("raises", "RuntimeError: scripted failure"),
], ids=lambda value: str(value)[:20])
def test_broken_submissions_score_zero_with_the_reason(graded_class, student, reason) -> None:
    _, _, summary = graded_class
    result = next(r for r in summary.results if r.student == student)
    assert result.score == 0 and result.error and reason in result.error


def test_outputs_per_student_and_for_the_class(graded_class) -> None:
    root, expected, summary = graded_class
    out = root / "out"
    for name in ("summary.html", "grades.csv", "grades_wide.csv", "junit.xml", "results.json"):
        assert (out / name).is_file(), name
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == len(summary.results)
    for folder in folders:
        data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        assert data["schema"] == 1 and data["student"] in {r.student for r in summary.results}
    assert any(p.name.startswith("caf_xe9") for p in folders)  # sanitised, real id kept
    lines = (out / "grades.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == ("student,assignment,score,max_score,status,override,penalty,final_score,needs_review"
                        ) and len(lines) == 1 + len(folders)
    assert "caf\\xe9,fake,3,3,graded,,,3," in lines  # no override or penalty: the final score is the score
    root_xml = ET.parse(out / "junit.xml").getroot()
    assert int(root_xml.get("tests", "0")) > len(expected)
    assert not list(out.glob("**/.*.tmp"))  # no temporary files left behind


def test_the_gradebook_holds_every_grade_once(graded_class) -> None:
    root, _, summary = graded_class
    with Gradebook(root / "out" / "gradebook.sqlite") as book:
        assert book.students() == sorted(r.student for r in summary.results)
        assert book.integrity_problems() == []
        statuses = {row.student: row.status for row in book.grades()}
    assert statuses["crashes"] == "internal" and statuses["invalid_json"] == "unreadable"
    assert statuses["student01"] == "graded"


def test_rerun_skips_unchanged_and_regrades_changed(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    build_class(class_dir, good=4, huge=False, extra={"crashes.py": GOOD + "# CRASH\n"})
    first = run(class_dir, tmp_path / "out")
    (class_dir / "student02.py").write_text(GOOD, encoding="utf-8")  # 1 point -> 3 points
    second = run(class_dir, tmp_path / "out")
    assert second.graded == 2  # the changed student, and the one the grader failed on
    assert second.skipped == len(first.results) - 2
    scores = {r.student: r.score for r in second.results}
    assert scores["student02"] == 3.0 and len(scores) == len(first.results)
    with Gradebook(tmp_path / "out" / "gradebook.sqlite") as book:
        history = book.grades(student="student02", history=True)
        assert [(r.score, r.current) for r in history] == [(3.0, True), (1.0, False)]
        assert book.integrity_problems() == []
    forced = run(class_dir, tmp_path / "out", force=True)
    assert forced.skipped == 0 and forced.graded == len(first.results)


def test_skipped_students_keep_their_outputs(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    build_class(class_dir, good=2, huge=False)
    run(class_dir, tmp_path / "out")
    run(class_dir, tmp_path / "out2", gradebook_path=tmp_path / "out" / "gradebook.sqlite")
    data = json.loads((tmp_path / "out2" / "student01" / "result.json").read_text())
    assert submission_from_dict(data).score == 3.0
    assert "student01" in (tmp_path / "out2" / "grades.csv").read_text()


def test_a_student_past_the_time_limit_is_stopped(tmp_path: Path) -> None:
    tasks = [GradeTask(str(_file(tmp_path, "hangs.py", GOOD + "# HANG\n")), "hangs.py"),
             GradeTask(str(_file(tmp_path, "fine.py", GOOD)), "fine.py")]
    done = {d.task.student: d for d in grade_many(tasks, jobs=1, timeout_s=3, engine=FAKE)}
    assert done["hangs.py"].status == "internal"
    assert "longer than 3 s" in (done["hangs.py"].result.error or "")
    assert done["fine.py"].status == "graded" and done["fine.py"].result.score == 3.0


def test_an_engine_that_cannot_start_stops_the_batch(tmp_path: Path) -> None:
    tasks = [GradeTask(str(_file(tmp_path, "a.py", GOOD)), "a.py")]
    with pytest.raises(SandboxUnavailable, match="could not start"):
        list(grade_many(tasks, jobs=1, engine="batch_fake_engine:NoSuchEngine"))


def test_line_progress(tmp_path: Path) -> None:
    stream = io.StringIO()
    reporter = LineReporter(stream)
    tasks = [GradeTask(str(_file(tmp_path, "alice.py", GOOD)), "alice.py")]
    reporter.start(total=1, skipped=3, jobs=1)
    for done in grade_many(tasks, jobs=1, engine=FAKE):
        assert isinstance(done, Graded)
        reporter.advance(done)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "grading 1 submissions on 1 worker(s); 3 unchanged, skipped"
    assert lines[1].startswith("[1/1] alice.py: 3/3 (") and lines[1].endswith(" s)")


def test_summary_lines_and_gate(graded_class) -> None:
    _, _, summary = graded_class
    text = "\n".join(summary.lines())
    assert "failed to load" in text and "submissions per minute" in text
    assert "empty" in summary.below(1.0) and "student01" not in summary.below(1.0)


def test_student_entries_and_content_hash(tmp_path: Path) -> None:
    build_class(tmp_path, good=3, huge=False)
    entries, ignored = student_entries(tmp_path)
    assert "caf\\xe9" in entries and ".hidden" not in entries and ignored == ("roster.csv",)
    before = content_hash(entries["student00"])
    (entries["student00"] / "notes.txt").write_text("not graded", encoding="utf-8")
    assert content_hash(entries["student00"]) == before  # only the files the grader reads
    (entries["student00"] / "work.ipynb").rename(entries["student00"] / "renamed.ipynb")
    assert content_hash(entries["student00"]) != before
    os.mkfifo(entries["student00"] / "fifo.py")
    content_hash(entries["student00"])  # does not block on a FIFO


def test_a_missing_class_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        run(tmp_path / "missing", tmp_path / "out")


KILLED_BATCH = """
import sys
sys.path.insert(0, {here!r})
from dnn_autograder.grader.classes.batch import grade_batch
grade_batch({cls!r}, {out!r}, jobs=2, engine={engine!r}, progress="lines")
"""


@pytest.mark.slow
def test_kill_9_in_the_middle_then_resume(tmp_path: Path) -> None:
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    students = [f"s{i:02d}.py" for i in range(16)]
    for name in students:
        (class_dir / name).write_text(GOOD + "# SLEEP=0.4\n", encoding="utf-8")
    out = tmp_path / "out"
    script = KILLED_BATCH.format(here=str(HERE), cls=str(class_dir), out=str(out), engine=FAKE)
    process = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)],
                               stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        recorded = _wait_for_rows(out / "gradebook.sqlite", 4, process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # leftover workers of the killed batch
    assert 4 <= recorded < len(students)
    raw = sqlite3.connect(out / "gradebook.sqlite")
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    summary = run(class_dir, out)
    assert summary.skipped >= 4 and summary.graded + summary.skipped == len(students)
    with Gradebook(out / "gradebook.sqlite") as book:
        assert book.integrity_problems() == []
        assert book.students() == [name.removesuffix(".py") for name in students]
        rows = book.grades(history=True)
    assert len(rows) == len(students)  # each grade recorded exactly once: no duplicates
    assert all(row.current and row.score == 3.0 for row in rows)


def _wait_for_rows(path: Path, count: int, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
            rows = raw.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            raw.close()
            if rows >= count:
                return rows
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError("the batch recorded too few grades before the deadline")


def _file(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def test_progress_bar_reporter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    (class_dir / "alice.py").write_text(GOOD, encoding="utf-8")
    (class_dir / "empty.py").write_text("", encoding="utf-8")
    summary = run(class_dir, tmp_path / "out", progress="bar")
    out = capsys.readouterr().out
    assert "grading 2 submissions" in out and "empty: 0/0" in out
    assert "submissions per minute" in out and summary.graded == 2
