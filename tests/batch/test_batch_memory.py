"""A big batch keeps the main process's memory flat: results are streamed to the gradebook and
the output files, not accumulated (measured with tracemalloc, never with a clock)."""

from __future__ import annotations

import json
from pathlib import Path

from class_builder import GOOD, peak_traced_mb

from dnn_autograder.grader.classes.batch import grade_batch

FAKE = "batch_fake_engine:FakeEngine"
PAYLOAD = 12_000  #: floats of figure data per student: ~0.4 MB held in the parent if kept


def _build(root: Path, students: int) -> Path:
    root.mkdir(parents=True)
    for index in range(students):
        (root / f"s{index:04d}.py").write_text(GOOD + f"# BIG={PAYLOAD}\n", encoding="utf-8")
    return root


def test_parent_memory_does_not_grow_with_the_class(tmp_path: Path) -> None:
    peak_traced_mb(_build(tmp_path / "warm", 2), tmp_path / "out_warm")  # imports are not the batch's
    small = peak_traced_mb(_build(tmp_path / "small", 10), tmp_path / "out_small")
    large = peak_traced_mb(_build(tmp_path / "large", 50), tmp_path / "out_large")
    # 40 more students of ~0.4 MB each would add ~16 MB if their results were kept; a few
    # kilobytes each (ids, scores, diagnoses) is what a flat parent may keep
    assert large - small < 5, (small, large)


def test_the_class_results_file_still_holds_every_submission_in_full(tmp_path: Path) -> None:
    class_dir = _build(tmp_path / "class", 3)
    grade_batch(class_dir, tmp_path / "out", engine=FAKE, jobs=1, progress=None, reports=False)
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert [s["student"] for s in data["submissions"]] == ["s0000", "s0001", "s0002"]
    for submission in data["submissions"]:
        assert len(submission["assignments"][0]["figures"]["payload"]) == PAYLOAD
        assert submission["score"] == 3.0


def test_the_json_of_a_class_keeps_the_counterexamples(tmp_path: Path) -> None:
    """``grade CLASS --out OUT --json FILE``: the batch keeps slim results, FILE still has them
    in full (the counterexample of a wrong function)."""
    from dnn_autograder.grader.assignment.spec import load_assignment
    from dnn_autograder.grader.cli import main
    from dnn_autograder.grader.handouts.mutant_submissions import mutants_by_id, write_mutant_submission

    spec = load_assignment("optimization")
    mistake = next(iter(mutants_by_id(spec).values()))
    write_mutant_submission(spec, mistake, tmp_path / "class")
    assert main([str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--json", str(tmp_path / "all.json"),
                 "--jobs", "1", "--layout", "class", "--quiet"]) == 0
    (student,) = json.loads((tmp_path / "all.json").read_text())["submissions"]
    wrong = next(f for a in student["assignments"] for f in a["functions"] if f["name"] == mistake.function)
    assert wrong["status"] == "failed" and wrong["counterexample"]["inputs"]
