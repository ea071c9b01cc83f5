"""A graded file is completed with the graded functions the student wrote in their other files
(a course that spreads one file's functions over several notebooks), never from a copy of it."""

from __future__ import annotations

from pathlib import Path

import nbformat

from dnn_autograder.grader.assignment.combine import complete_from
from dnn_autograder.grader.extract import extract_source
from dnn_autograder.grader.grading.pipeline import grade_submission

LR = """
def update_lr(learning_rate0, epoch_num, decay_rate):
    return learning_rate0 / (1 + decay_rate * epoch_num)
"""
SCHEDULE = """
import numpy as np

def _floor(a, b):
    return np.floor(a / b)

def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    return learning_rate0 / (1 + decay_rate * _floor(epoch_num, time_interval))
"""
PLACEHOLDER = """
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    # YOUR CODE HERE
    raise NotImplementedError()
"""
GRADED = ("update_lr", "schedule_lr_decay")


def test_a_function_the_chosen_file_lacks_is_taken_from_another_file() -> None:
    chosen = extract_source(LR + PLACEHOLDER, "decay.ipynb")
    other = extract_source(SCHEDULE, "schedule.ipynb")
    completed = complete_from(chosen, "decay.ipynb", [(other, "schedule.ipynb")], GRADED)
    assert completed.taken == (("schedule.ipynb", ("schedule_lr_decay",)),)
    assert completed.file.functions["schedule_lr_decay"].filename == "schedule.ipynb"
    sources = [u.source for u in completed.file.units]
    assert not any("NotImplementedError" in s for s in sources)  # the placeholder does not replace it
    assert any("def _floor" in s for s in sources) and any("import numpy" in s for s in sources)
    assert "`schedule_lr_decay` from schedule.ipynb" in completed.note()


def test_nothing_is_taken_when_the_chosen_file_fills_everything_or_from_a_copy() -> None:
    chosen = extract_source(LR + PLACEHOLDER, "decay.ipynb")
    full = extract_source(LR + SCHEDULE, "decay.ipynb")
    other = extract_source(SCHEDULE, "decay-Copy1.ipynb")
    assert complete_from(full, "decay.ipynb", [(other, "schedule.ipynb")], GRADED).taken == ()
    assert complete_from(chosen, "decay.ipynb", [(other, "decay-Copy1.ipynb")], GRADED).taken == ()


def test_two_notebooks_of_one_student_are_graded_together(sandbox, tmp_path: Path) -> None:
    for name, source in (("decay.ipynb", LR), ("schedule.ipynb", SCHEDULE)):
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source)]
        nbformat.write(nb, tmp_path / name)
    result = grade_submission(tmp_path, assignment="optimization", sandbox=sandbox)
    (graded,) = result.assignments
    status = {f.name: f.status for f in graded.functions}
    assert status["update_lr"] == status["schedule_lr_decay"] == "passed", status
    assert not graded.ignored
    assert any("from decay.ipynb" in n or "from schedule.ipynb" in n for n in graded.notes), graded.notes
