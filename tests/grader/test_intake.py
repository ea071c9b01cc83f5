"""Submission intake: which of a student's files is graded, what is said about the others, and
whether a folder is one student or a class.

The fixtures are the course's own notebooks: the finished ``master.ipynb`` saved as the student's
``Optimization_methods.ipynb`` and the untouched ``starter.ipynb`` left beside it as Jupyter's
``Optimization_methods-Copy1.ipynb``, plus a checkpoint folder.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dnn_autograder.grader.assignment.spec import load_assignment
from dnn_autograder.grader.cli import main
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.grading.pipeline import grade_submission, is_class_folder
from dnn_autograder.grader.outputs.exports.from_json import submission_from_dict
from dnn_autograder.grader.outputs.render.html import write_report

ASSIGNMENTS = Path(__file__).resolve().parents[2] / "dnn_autograder" / "assignments"
MASTER = ASSIGNMENTS / "optimization" / "master.ipynb"
STARTER = ASSIGNMENTS / "optimization" / "starter.ipynb"
#: exactly the options of examples/gradescope/run_autograder (but --draw-cases: see below)
GRADESCOPE_FLAGS = ["--assignment", "optimization", "--layout", "student"]


def _draw_flag() -> list[str]:
    """``--draw-cases`` where this version has it (the case banks may be rewritten concurrently);
    the choice of file does not depend on the cases."""
    from dnn_autograder.grader.cli import build_parser

    return ["--draw-cases"] if "--draw-cases" in build_parser().format_help() else []


def student_with_copy(root: Path) -> Path:
    folder = root / "student"
    folder.mkdir()
    shutil.copy(MASTER, folder / "Optimization_methods.ipynb")
    shutil.copy(STARTER, folder / "Optimization_methods-Copy1.ipynb")
    (folder / ".ipynb_checkpoints").mkdir()
    shutil.copy(STARTER, folder / ".ipynb_checkpoints" / "Optimization_methods-checkpoint.ipynb")
    return folder


def test_starter_functions_are_placeholders_and_master_functions_are_filled() -> None:
    from dnn_autograder.grader.assignment.choose import filled_functions

    names = load_assignment("optimization").function_names
    assert filled_functions(extract_file(STARTER), names) == set()
    assert filled_functions(extract_file(MASTER), names) == set(names)


@pytest.mark.parametrize(("first", "second", "copies"), [
    ("Optimization_methods.ipynb", "Optimization_methods-Copy1.ipynb", True),
    ("work.ipynb", "work (1).ipynb", True),
    ("work.ipynb", "Untitled2.ipynb", True),
    ("alice.py", "bob.py", False),
    ("alice_optimization.ipynb", "bob_optimization.ipynb", False),
])
def test_copy_names(first: str, second: str, copies: bool) -> None:
    from dnn_autograder.grader.assignment.choose import are_copies

    assert are_copies(first, second) is copies


def test_the_finished_notebook_is_graded_not_the_leftover_copy(tmp_path: Path, capsys) -> None:
    folder = student_with_copy(tmp_path)
    results, gradescope = tmp_path / "grader-results.json", tmp_path / "results.json"
    code = main([str(folder), *GRADESCOPE_FLAGS, "--gradescope", str(gradescope), "--json", str(results),
                 *_draw_flag()])
    shown = capsys.readouterr().out
    assert code == 0
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == data["max_score"] == 10
    (assignment,) = data["assignments"]
    assert Path(assignment["source"]).name == "Optimization_methods.ipynb"
    assert [i["file"] for i in assignment["ignored"]] == ["Optimization_methods-Copy1.ipynb"]
    assert "placeholder" in assignment["ignored"][0]["reason"]
    assert {i["file"]: i["reason"] for i in data["ignored"]}[".ipynb_checkpoints/"].startswith("Jupyter checkpoint")
    output = json.loads(gradescope.read_text(encoding="utf-8"))["output"]
    html = tmp_path / "report.html"
    write_report(html, submission_from_dict(data))
    page = html.read_text(encoding="utf-8")
    assert "Optimization_methods-Copy1.ipynb" in page and ".ipynb_checkpoints" in page
    for text in (output, shown):
        assert "Optimization_methods-Copy1.ipynb" in text and ".ipynb_checkpoints" in text
        assert "graded file: Optimization_methods.ipynb" in text


def test_the_choice_does_not_depend_on_listing_order_or_times(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    shutil.copy(STARTER, folder / "a_first_by_name.ipynb")  # sorts first, newer, but a starter
    shutil.copy(MASTER, folder / "b_work.ipynb")
    from dnn_autograder.grader.extract.walk import list_submission
    from dnn_autograder.grader.grading.pipeline import _extract_all, _plan

    extracted, _ = _extract_all(list_submission(folder))
    for order in (extracted, extracted[::-1]):
        ((_, chosen, passed_over),) = _plan(order, (load_assignment("optimization"),), forced=True, notes=[])
        assert chosen.name == "b_work.ipynb" and [i.file for i in passed_over] == ["a_first_by_name.ipynb"]


def test_a_folder_with_copies_of_one_notebook_is_one_student(tmp_path: Path) -> None:
    assert not is_class_folder(student_with_copy(tmp_path))


def test_a_folder_of_different_students_files_is_a_class(tmp_path: Path) -> None:
    for name in ("alice.ipynb", "bob.ipynb"):
        shutil.copy(MASTER, tmp_path / name)
    assert is_class_folder(tmp_path)


def test_an_empty_file_says_empty_once(tmp_path: Path) -> None:
    (tmp_path / "work.py").write_text("", encoding="utf-8")
    gradescope = tmp_path / "results.json"
    assert main([str(tmp_path / "work.py"), "--gradescope", str(gradescope), "--quiet", *_draw_flag()]) == 0
    data = json.loads(gradescope.read_text(encoding="utf-8"))
    whole = data["output"] + "".join(t["output"] for t in data["tests"])
    assert "empty" in whole and whole.count("empty") == 1


def test_a_txt_file_is_refused_with_the_reason(tmp_path: Path, sandbox) -> None:
    (tmp_path / "notes.txt").write_text("def update_lr(a, b, c):\n    return a\n", encoding="utf-8")
    result = grade_submission(tmp_path / "notes.txt", sandbox=sandbox)
    assert "not a .py or .ipynb file" in (result.error or "")
    assert result.notes == ()  # said once: the error, not a note too
