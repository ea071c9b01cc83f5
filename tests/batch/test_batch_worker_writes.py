"""The worker makes each student's results JSON and writes ``result.json`` itself; the batch's
process only records the text it is handed (it alone writes the gradebook)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from class_builder import GOOD

from dnn_autograder.grader.classes.batch import GradeTask, grade_batch, grade_many
from dnn_autograder.grader.classes.dask_backend import _with_note
from dnn_autograder.grader.classes.gradebook import Gradebook
from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.exports.class_outputs import result_text

FAKE = "batch_fake_engine:FakeEngine"


def _file(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_worker_writes_result_json_and_sends_the_text(tmp_path: Path) -> None:
    folder = tmp_path / "out" / "alice"
    task = GradeTask(str(_file(tmp_path, "alice.py", GOOD + "# BIG=50\n")), "alice", result_dir=os.fspath(folder))
    (done,) = grade_many([task], jobs=1, engine=FAKE)
    written = (folder / "result.json").read_text(encoding="utf-8")
    assert done.text is not None and done.text.pretty is None  # nothing left for the parent to write
    assert written.startswith('{\n  "schema": 1,') and written.endswith("}\n")  # indented, as before
    data = json.loads(written)
    assert json.loads(done.text.compact) == data and "\n" not in done.text.compact
    assert data["student"] == "alice" and data["score"] == 3.0
    assert data["assignments"][0]["figures"]["payload"] == [float(i) for i in range(50)]
    assert done.result.assignments[0].figures == {}  # only the slim view crossed the pipe
    assert done.result.extra["worker_pid"] != os.getpid()


def test_without_result_dir_the_full_result_comes_back(tmp_path: Path) -> None:
    task = GradeTask(str(_file(tmp_path, "bob.py", GOOD + "# BIG=5\n")), "bob")
    (done,) = grade_many([task], jobs=1, engine=FAKE)
    assert done.text is None
    assert done.result.assignments[0].figures == {"payload": [0.0, 1.0, 2.0, 3.0, 4.0]}
    assert not list(tmp_path.rglob("result.json"))


def test_gradebook_holds_what_the_worker_wrote(tmp_path: Path) -> None:
    klass = tmp_path / "class"
    klass.mkdir()
    _file(klass, "carol.py", GOOD + "# BIG=20\n")
    _file(klass, "dave.py", GOOD + "# CRASH\n")  # a failure: made and written by the parent
    grade_batch(klass, tmp_path / "out", engine=FAKE, jobs=1, progress=None)
    with Gradebook(tmp_path / "out" / "gradebook.sqlite") as book:
        for student in ("carol", "dave"):
            on_disk = json.loads((tmp_path / "out" / student / "result.json").read_text(encoding="utf-8"))
            assert book.stored_json(student) == on_disk, student
        assert book.stored_json("carol")["assignments"][0]["figures"]["payload"][-1] == 19.0
        assert "died" in book.stored_json("dave")["error"]
    submissions = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["submissions"]
    assert [s["student"] for s in submissions] == ["carol", "dave"]


def test_a_note_added_after_the_worker_reaches_both_texts() -> None:
    result = SubmissionResult(submission="s.py", score=1.0, max_score=2.0, assignments=(), student="s",
                              notes=("first",))
    text = _with_note(result_text(result), "the HTML report could not be written (OSError: full)")
    for form in (text.compact, text.pretty):
        assert json.loads(form)["notes"] == ["first", "the HTML report could not be written (OSError: full)"]
    assert text.pretty.endswith("}\n") and text.pretty.startswith("{\n")
