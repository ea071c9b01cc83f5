"""The Dask backend (``grade_batch(..., scheduler=ADDRESS)``) on a local cluster: a scheduler and
two worker processes on 127.0.0.1. It gives the same grades as the local pool, the parent writes
every output and gradebook row (and a re-run resumes, also after kill -9 of the parent), a worker
that dies or hangs costs only its student, and the real engine (with its sandbox) runs on the
workers."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from class_builder import GOOD, build_class

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.classes.batch import BatchSummary, grade_batch
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.handouts.mutant_submissions import mutants_by_id, write_mutant_submission

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

FAKE = "batch_fake_engine:FakeEngine"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    # a death gives the task up at once (the backend then sends it once more); one task per worker
    # thread at a time, as the README advises, so a dying worker holds no other student
    with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                          "distributed.scheduler.worker-saturation": 1.0}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           host="127.0.0.1", dashboard_address=None)
        try:
            yield cluster.scheduler_address
        finally:
            cluster.close()


def _untimed(data: object) -> object:
    """A results JSON without what differs between two gradings of the same files (timings)."""
    if isinstance(data, dict):
        return {k: _untimed(v) for k, v in data.items() if k not in ("duration_s", "graded_at", "timings")}
    return [_untimed(v) for v in data] if isinstance(data, list) else data


def _scores(out: Path) -> dict[str, float]:
    data = json.loads((out / "results.json").read_text())
    return {s["student"]: s["score"] for s in data["submissions"]}


def test_a_class_on_dask_gets_the_local_pools_grades(tmp_path: Path, scheduler: str) -> None:
    build_class(tmp_path / "class", good=6, huge=False, extra={"crashes.py": GOOD + "# CRASH\n"})
    local = grade_batch(tmp_path / "class", tmp_path / "local", engine=FAKE, jobs=2, progress=None)
    remote = grade_batch(tmp_path / "class", tmp_path / "dask", engine=FAKE, scheduler=scheduler,
                         progress=None)
    assert _scores(tmp_path / "dask") == _scores(tmp_path / "local")
    assert remote.internal == local.internal == 1  # only the student whose worker died
    crashed = next(r for r in remote.results if r.student == "crashes")
    assert crashed.score == 0 and "worker" in (crashed.error or "")
    with sqlite3.connect(tmp_path / "dask" / "gradebook.sqlite") as book:
        (rows,) = book.execute("select count(*) from submissions where current = 1").fetchone()
    assert rows == len(remote.results)
    for result in remote.results:  # files named after the class folder, not the worker's copy
        assert "grade-" not in result.submission and result.submission.startswith(str(tmp_path / "class"))


def test_a_rerun_on_dask_resumes(tmp_path: Path, scheduler: str) -> None:
    build_class(tmp_path / "class", good=3, huge=False)
    grade_batch(tmp_path / "class", tmp_path / "out", engine=FAKE, scheduler=scheduler, progress=None)
    again = grade_batch(tmp_path / "class", tmp_path / "out", engine=FAKE, scheduler=scheduler,
                        progress=None)
    assert again.graded == 0 and again.skipped == len(again.results)


def test_the_real_engine_grades_on_the_workers_as_locally(tmp_path: Path, scheduler: str) -> None:
    spec = load_assignment("optimization")
    class_dir = tmp_path / "class"
    mistake = next(iter(mutants_by_id(spec).values()))
    write_mutant_submission(spec, mistake, class_dir)
    (class_dir / "right.ipynb").write_bytes((spec.folder / "master.ipynb").read_bytes())
    grade_batch(class_dir, tmp_path / "local", jobs=1, progress=None)
    grade_batch(class_dir, tmp_path / "dask", scheduler=scheduler, progress=None)
    local, remote = _scores(tmp_path / "local"), _scores(tmp_path / "dask")
    assert remote == local
    assert remote["right"] == spec.max_score > remote[f"optimization--{mistake.id}"]
    assert (tmp_path / "dask" / "right" / "report.html").is_file()
    for student in local:  # the results JSON made on a Dask worker, written here: the local pool's
        files = [_untimed(json.loads((tmp_path / out / student / "result.json").read_text()))
                 for out in ("local", "dask")]
        assert files[0] == files[1], student
        with Gradebook(tmp_path / "dask" / "gradebook.sqlite") as book:
            stored = book.stored_json(student)
        assert stored is not None and _untimed(stored) == files[1]


def test_a_hung_student_costs_only_that_student_on_dask(tmp_path: Path, scheduler: str) -> None:
    build_class(tmp_path / "class", good=3, huge=False, extra={"hangs.py": GOOD + "# HANG\n"})
    summary = grade_batch(tmp_path / "class", tmp_path / "out", engine=FAKE, scheduler=scheduler,
                          progress=None, timeout_s=3)
    hung = next(r for r in summary.results if r.student == "hangs")
    assert hung.score == 0 and "longer than 3 s" in (hung.error or "")
    assert summary.internal == 1
    assert {r.student: r.score for r in summary.results}["student01"] == 3.0


def test_a_worker_killed_mid_student_costs_nothing_on_dask(tmp_path: Path, scheduler: str) -> None:
    """kill -9 of a Dask worker process while it grades a student: its nanny starts a new one
    and the student is graded again in the same run (not given a zero); the others are untouched."""
    marks = tmp_path / "marks"
    marks.mkdir()
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    for index in range(3):
        (class_dir / f"s{index}.py").write_text(GOOD + f"# MARK={marks}\n# SLEEP=1\n", encoding="utf-8")
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["summary"] = grade_batch(class_dir, tmp_path / "out", engine=FAKE, scheduler=scheduler,
                                             progress=None)
        except BaseException as exc:  # noqa: BLE001 - re-raised by the test below
            outcome["error"] = exc

    batch = threading.Thread(target=run)
    batch.start()
    deadline = time.monotonic() + 60
    while not any(marks.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.02)
    first = next(marks.iterdir())  # "<student>.<pid>": that student is being graded by that process
    victim, pid = first.name.rsplit(".", 1)
    os.kill(int(pid), signal.SIGKILL)
    batch.join(timeout=120)
    assert not batch.is_alive() and "error" not in outcome, outcome
    summary = outcome["summary"]
    assert isinstance(summary, BatchSummary)
    assert summary.internal == 0 and summary.graded == 3
    assert {r.student: r.score for r in summary.results} == {f"s{i}": 3.0 for i in range(3)}
    regraded = next(r for r in summary.results if r.student == victim)
    assert regraded.extra["worker_pid"] != int(pid)  # graded again, by another process
    assert len([m for m in marks.iterdir() if m.name.startswith(victim + ".")]) == 2


KILLED_BATCH = """
import sys
sys.path.insert(0, {here!r})
from dnn_autograder.grader.classes.batch import grade_batch
grade_batch({cls!r}, {out!r}, engine={engine!r}, scheduler={scheduler!r}, progress="lines")
"""


def test_kill_9_of_the_parent_then_resume_on_dask(tmp_path: Path, scheduler: str) -> None:
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    students = [f"s{i:02d}.py" for i in range(12)]
    for name in students:
        (class_dir / name).write_text(GOOD + "# SLEEP=0.4\n", encoding="utf-8")
    out = tmp_path / "out"
    script = KILLED_BATCH.format(here=str(Path(__file__).resolve().parent), cls=str(class_dir), out=str(out),
                                 engine=FAKE, scheduler=scheduler)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.DEVNULL)
    try:
        recorded = _wait_for_rows(out / "gradebook.sqlite", 3, process)
    finally:
        process.kill()
        process.wait(timeout=10)
    assert 3 <= recorded < len(students)
    summary = grade_batch(class_dir, out, engine=FAKE, scheduler=scheduler, progress=None)
    assert summary.skipped >= 3 and summary.graded + summary.skipped == len(students)
    with Gradebook(out / "gradebook.sqlite") as book:
        assert book.integrity_problems() == []
        rows = book.grades(history=True)
    assert len(rows) == len(students) and all(row.current and row.score == 3.0 for row in rows)


def _wait_for_rows(path: Path, count: int, process: subprocess.Popen) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)) as raw:
                rows = raw.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            if rows >= count:
                return rows
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise AssertionError("the batch recorded too few grades before the deadline")
