"""A batch through the real pipeline and sandbox (skipped where they do not work): correct,
wrong and broken submissions of one assignment, graded on two workers."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.classes.batch import grade_batch
from dnn_autograder.grader.classes.gradebook import Gradebook

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "submissions"
NAME = "regularization"


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory: pytest.TempPathFactory):
    try:
        from dnn_autograder.grader.grading.pipeline import grade_submission  # noqa: F401
        from dnn_autograder.grader.sandbox import Limits, Sandbox

        with Sandbox(Limits()) as sandbox:
            sandbox.protections  # noqa: B018 - starts one child
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"the real pipeline does not work here: {exc}")
    solution = FIXTURES / f"solution_{NAME}.py"
    if not solution.is_file():
        pytest.skip(f"no fixture {solution.name}")
    from dnn_autograder.grader.handouts.mutant_submissions import mutant_source, mutants_by_id

    root = tmp_path_factory.mktemp("real")
    cls = root / "class"
    (cls / "folder_student").mkdir(parents=True)
    shutil.copy(solution, cls / "alice.py")
    shutil.copy(solution, cls / "folder_student" / "work.py")
    shutil.copy(solution, cls / os.fsdecode(b"b\xe9a.py"))
    (cls / "python_as_notebook.ipynb").write_text(solution.read_text(), encoding="utf-8")
    spec = load_assignment(NAME)
    mutant = mutants_by_id(spec)["l2-grad-wrong-factor"]
    (cls / "wrong.py").write_text(mutant_source(spec, mutant), encoding="utf-8")
    (cls / "invalid.ipynb").write_text('{"cells": [', encoding="utf-8")
    (cls / "garbage.py").write_bytes(b"\x00\xff\xfe" * 300)
    (cls / "empty.py").write_text("", encoding="utf-8")
    summary = grade_batch(cls, root / "out", assignment=NAME, jobs=2, progress=None)
    return root, {r.student: r for r in summary.results}, summary


def test_correct_submissions_score_full_marks(real_batch) -> None:
    _, results, _ = real_batch
    for student in ("alice", "folder_student", "b\\xe9a", "python_as_notebook"):
        assert results[student].score == results[student].max_score == 10.0, student


def test_a_wrong_submission_is_diagnosed(real_batch) -> None:
    _, results, _ = real_batch
    functions = {f.name: f for f in results["wrong"].assignments[0].functions}
    wrong = functions["backward_propagation_with_regularization"]
    assert wrong.score < wrong.max_score and "l2-grad-wrong-factor" in wrong.diagnoses


@pytest.mark.parametrize("student", ["invalid", "garbage", "empty"])
def test_broken_submissions_score_zero_with_a_reason(real_batch, student: str) -> None:
    _, results, summary = real_batch
    result = results[student]
    assert result.score == 0
    assert result.error or result.notes or all(f.status == "missing"
                                               for a in result.assignments for f in a.functions)
    assert summary.internal == 0


def test_outputs_and_gradebook(real_batch) -> None:
    root, results, _ = real_batch
    out = root / "out"
    assert (out / "summary.html").is_file() and (out / "junit.xml").is_file()
    for folder in (p for p in out.iterdir() if p.is_dir()):
        data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
        assert data["student"] in results
        assert (folder / "report.html").is_file()
    with Gradebook(out / "gradebook.sqlite") as book:
        assert book.students() == sorted(results)
        assert book.integrity_problems() == []
