"""What a class batch costs before and between its students: the workers are forked from a fork
server that imported the engine's modules once, the batch's own process never imports the
grading machinery (Hypothesis), and a worker gets its next student before the batch writes the
files of the last one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from class_builder import GOOD

from dnn_autograder.grader.classes.batch import GradeTask, grade_many

HERE = Path(__file__).resolve().parent


def _run(code: str) -> str:
    """``code`` in a fresh interpreter (a fresh fork server: it is one per process), run in this
    folder: the fork server imports from its default path (not the parent's ``sys.path``), where
    the fake engines then are."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=300, check=False, cwd=HERE)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_workers_are_forked_with_the_engines_modules_already_imported(tmp_path: Path) -> None:
    for name in ("a", "b", "c"):
        (tmp_path / "class").mkdir(exist_ok=True)
        (tmp_path / "class" / f"{name}.py").write_text(GOOD, encoding="utf-8")
    out = _run(f"""
        import json, sys
        sys.path.insert(0, {str(HERE)!r})
        from dnn_autograder.grader.classes.batch import grade_batch
        summary = grade_batch({str(tmp_path / "class")!r}, {str(tmp_path / "out")!r},
                              engine="batch_fake_engine:PreloadingEngine", jobs=2, progress=None)
        print(json.dumps([[r.extra["probe_pid"], r.extra["worker_pid"]] for r in summary.results]))
    """)
    pids = json.loads(out)
    assert len(pids) == 3
    probes = {probe for probe, _ in pids}
    assert len(probes) == 1  # imported once, by the fork server, before any worker was forked
    assert not probes & {worker for _, worker in pids}


def test_the_batch_process_never_imports_hypothesis(tmp_path: Path) -> None:
    """``grade CLASS --out OUT``'s own process decides the layout, checks the banks and runs the
    batch without importing what only grading needs (Hypothesis: ~0.2 s of CPU)."""
    for name in ("alice", "bob"):
        (tmp_path / "class" / name).mkdir(parents=True)
        (tmp_path / "class" / name / "work.py").write_text(GOOD, encoding="utf-8")
    out = _run(f"""
        import sys
        from pathlib import Path
        sys.path.insert(0, {str(HERE)!r})
        from dnn_autograder.grader.cli import _is_class
        from dnn_autograder.grader.assignment.casebank import check_banks_at_startup
        from dnn_autograder.grader.classes.batch import grade_batch
        assert _is_class(Path({str(tmp_path / "class")!r}), "auto")
        check_banks_at_startup("optimization", draw_cases=False, writes_results=True)
        summary = grade_batch({str(tmp_path / "class")!r}, {str(tmp_path / "out")!r},
                              engine="batch_fake_engine:FakeEngine", jobs=1, progress=None)
        assert [r.score for r in summary.results] == [3.0, 3.0]
        print(sorted(name for name in sys.modules if name.split(".")[0] == "hypothesis"))
    """)
    assert out.strip() == "[]"


def test_a_worker_gets_its_next_student_before_the_last_result_is_handled(tmp_path: Path) -> None:
    """The batch writes each result's files (with fsync) and gradebook row between two results;
    the worker must not sit idle meanwhile: its next student is sent before the result is handed
    over."""
    marks = tmp_path / "marks"
    marks.mkdir()
    tasks = []
    for name in ("first", "second"):
        path = tmp_path / f"{name}.py"
        path.write_text(GOOD + f"# MARK={marks}\n", encoding="utf-8")
        tasks.append(GradeTask(str(path), name))
    results = grade_many(tasks, jobs=1, engine="batch_fake_engine:FakeEngine")
    try:
        first = next(results)
        assert first.task.student == "first"
        deadline = time.monotonic() + 30  # the caller is still "handling" the first result
        while not any(m.name.startswith("second.") for m in marks.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert any(m.name.startswith("second.") for m in marks.iterdir())
        assert [g.task.student for g in results] == ["second"]
    finally:
        results.close()


def _warmed(tmp_path: Path, engine: str, assignment: str | None, names: tuple[str, ...] = ("a", "b", "c")) -> list:
    (tmp_path / "class").mkdir()
    for name in names:
        (tmp_path / "class" / f"{name}.py").write_text(GOOD, encoding="utf-8")
    out = _run(f"""
        import json, sys
        sys.path.insert(0, {str(HERE)!r})
        from dnn_autograder.grader.classes.batch import grade_batch
        summary = grade_batch({str(tmp_path / "class")!r}, {str(tmp_path / "out")!r}, assignment={assignment!r},
                              engine="batch_fake_engine:{engine}", jobs=2, progress=None)
        print(json.dumps([[r.score, r.extra["warmed"], r.extra["worker_pid"], r.extra["warm_variable"]]
                          for r in summary.results]))
    """)
    return json.loads(out)


def test_the_fork_server_warms_the_engine_once_for_the_class_assignment(tmp_path: Path) -> None:
    """The engine class's ``warm(assignment)`` runs once, in the fork server, before any worker
    is forked: every worker starts with what it computed (for the named assignment), and none
    inherits the variable that carried the request."""
    rows = _warmed(tmp_path, "WarmingEngine", "fake")
    assert [score for score, *_ in rows] == [3.0, 3.0, 3.0]
    warmed = {tuple(w) if w else None for _, w, _, _ in rows}
    assert len(warmed) == 1 and None not in warmed
    (pid, assignment), = warmed
    assert assignment == "fake"
    assert pid not in {worker for _, _, worker, _ in rows}  # not a worker: the process they were forked from
    assert {variable for *_, variable in rows} == {None}


def test_without_a_named_assignment_warm_is_told_none(tmp_path: Path) -> None:
    rows = _warmed(tmp_path, "WarmingEngine", None, names=("a", "b"))
    assert {w[1] for _, w, _, _ in rows} == {None}
    assert all(w is not None for _, w, _, _ in rows)


def test_a_warm_that_fails_costs_nothing_but_the_warming(tmp_path: Path) -> None:
    rows = _warmed(tmp_path, "FailingWarmEngine", "fake")
    assert [score for score, *_ in rows] == [3.0, 3.0, 3.0]  # the fork server served all the same


def test_the_class_assignment_is_the_one_every_task_names() -> None:
    from dnn_autograder.grader.classes.batch import _common_assignment

    assert _common_assignment([GradeTask("x", "a", "optimization"), GradeTask("y", "b", "optimization")]) \
        == "optimization"
    assert _common_assignment([GradeTask("x", "a", "optimization"), GradeTask("y", "b", "regularization")]) is None
    assert _common_assignment([GradeTask("x", "a", "optimization"), GradeTask("y", "b")]) is None
    assert _common_assignment([GradeTask("x", "a")]) is None
