"""Hostile file shapes in a class folder cost only their owner (issue 11: files are data).

A class of honest students is graded twice through the real pipeline, once alone and once with
one hostile student of each kind beside them: a link to a classmate's file, a link to the
installed grader's master notebook, a link to ``/etc/shadow``, a FIFO named like a submission,
a ``.py`` linked to ``/dev/zero``, a folder 1100 levels deep, and a name full of terminal
escapes. The honest students must be graded exactly as without them, the whole batch within a
bounded time, and each hostile student gets a result naming the refusal. This module is also
re-run as the unprivileged user ``nobody`` (``test_unprivileged.py``).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import time
from pathlib import Path

import pytest

from dnn_autograder.grader.classes.batch import grade_batch

REPO = Path(__file__).resolve().parents[2]
SOLUTION = REPO / "tests" / "fixtures" / "submissions" / "solution_regularization.py"
MASTER = REPO / "dnn_autograder" / "assignments" / "regularization" / "master.ipynb"
ASSIGNMENT = "regularization"
DEEP = 1100
BATCH_SECONDS = 300  #: the hostile class, two workers; each refusal itself takes milliseconds
ESCAPES = "esc\x1b]52;c;cm0gLXJmIH4vKg==\x07\x1b[2J\u202e"

#: hostile student id -> a phrase its result must hold
REFUSALS = {
    "mallory": "symbolic link",
    "trudy": "symbolic link",
    "shadow": "symbolic link",
    "oscar": "FIFO",
    "zero": "symbolic link",
    "deep": "levels deep",
}


def _make_deep(root: Path, levels: int) -> None:
    """``levels`` nested folders ``d`` under ``root`` with a copy of the solution at the bottom
    (built relative to open folders: the full path is longer than PATH_MAX)."""
    here = os.open(root, os.O_RDONLY)
    try:
        for _ in range(levels):
            os.mkdir("d", dir_fd=here)
            inner = os.open("d", os.O_RDONLY, dir_fd=here)
            os.close(here)
            here = inner
        fd = os.open("work.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=here)
        os.write(fd, SOLUTION.read_bytes())
        os.close(fd)
    finally:
        os.close(here)


def _remove_deep(root: Path) -> None:
    """Remove what :func:`_make_deep` built, level by level (``shutil.rmtree`` recurses)."""
    if not root.is_dir():
        return
    levels = []
    here = os.open(root, os.O_RDONLY)
    while os.path.isdir(f"/proc/self/fd/{here}/d"):
        levels.append(here)
        here = os.open("d", os.O_RDONLY, dir_fd=here)
    while levels:
        for name in os.listdir(f"/proc/self/fd/{here}"):
            os.unlink(name, dir_fd=here)
        os.close(here)
        here = levels.pop()
        os.rmdir("d", dir_fd=here)
    os.close(here)


def _honest(cls: Path) -> None:
    (cls / "alice").mkdir(parents=True)
    shutil.copy(SOLUTION, cls / "alice" / "regularization.py")
    shutil.copy(SOLUTION, cls / "bob.py")


def _hostile(cls: Path) -> None:
    for name in ("mallory", "trudy", "shadow", "oscar", "deep"):
        (cls / name).mkdir()
    (cls / "mallory" / "regularization.py").symlink_to("../alice/regularization.py")
    (cls / "trudy" / "regularization.ipynb").symlink_to(MASTER)
    (cls / "shadow" / "regularization.py").symlink_to("/etc/shadow")
    os.mkfifo(cls / "oscar" / "notes.py")
    (cls / "zero.py").symlink_to("/dev/zero")
    _make_deep(cls / "deep", DEEP)
    shutil.copy(SOLUTION, cls / f"{ESCAPES}.py")


def _grades(results) -> dict[str, tuple]:
    return {r.student: (r.score, tuple((f.name, f.status, f.score) for a in r.assignments for f in a.functions))
            for r in results}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory):
    try:
        from dnn_autograder.grader.sandbox import Limits, Sandbox

        with Sandbox(Limits()) as box:
            box.protections  # noqa: B018 - starts one child
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"the real pipeline does not work here: {exc}")
    root = tmp_path_factory.mktemp("hostile_class")
    alone, mixed = root / "alone", root / "mixed"
    _honest(alone)
    _honest(mixed)
    _hostile(mixed)

    def expire(signum, frame):
        raise TimeoutError(f"the hostile class took more than {BATCH_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(BATCH_SECONDS)
    try:
        baseline = grade_batch(alone, root / "out_alone", assignment=ASSIGNMENT, jobs=2, progress=None,
                               reports=False)
        started = time.monotonic()
        summary = grade_batch(mixed, root / "out_mixed", assignment=ASSIGNMENT, jobs=2, progress=None,
                              reports=False, timeout_s=120)
        seconds = time.monotonic() - started
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    yield baseline, summary, seconds, peak_mib, root
    _remove_deep(mixed / "deep")


def test_honest_students_are_graded_exactly_as_without_the_hostile_ones(graded) -> None:
    baseline, summary, seconds, peak_mib, _ = graded
    honest = _grades(baseline.results)
    assert set(honest) == {"alice", "bob"} and all(score == 10 for score, _ in honest.values())
    mixed = _grades(summary.results)
    assert {k: mixed[k] for k in honest} == honest
    assert summary.internal == 0  # no worker died or timed out
    assert peak_mib < 1024, f"the grader's main process peaked at {peak_mib:.0f} MiB"


@pytest.mark.parametrize(("student", "phrase"), sorted(REFUSALS.items()))
def test_each_hostile_student_gets_a_result_naming_the_refusal(graded, student: str, phrase: str) -> None:
    _, summary, _, _, _ = graded
    result = {r.student: r for r in summary.results}[student]
    assert result.score == 0
    assert phrase in (result.error or ""), result.error
    assert any(phrase in item.reason for item in result.ignored)


def test_no_answer_key_or_secret_reaches_the_result(graded) -> None:
    _, summary, _, _, root = graded
    for student in ("trudy", "shadow", "mallory"):
        stored = (root / "out_mixed" / student / "result.json").read_text(encoding="utf-8")
        assert "root:" not in stored and '"passed"' not in stored


def test_a_name_with_terminal_escapes_is_graded_under_a_clean_id(graded) -> None:
    _, summary, _, _, root = graded
    (result,) = [r for r in summary.results if r.student.startswith("esc")]
    assert result.student == "esc\\x1b]52;c;cm0gLXJmIH4vKg==\\x07\\x1b[2J\\u202e"
    assert result.score == 10
    for path in (root / "out_mixed").rglob("*.json"):
        text = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
        assert "\x1b" not in text and "\u202e" not in text, path
