"""grade_submission end to end, through the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from dnn_autograder.grader.assignment.spec import available_assignments
from dnn_autograder.grader.cli import main
from dnn_autograder.grader.grading.pipeline import grade_submission
from dnn_autograder.grader.outputs.results_json import submission_dict

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = ROOT / "tests" / "fixtures" / "submissions"
ASSIGNMENTS = ROOT / "dnn_autograder" / "assignments"
NAMES = available_assignments()
#: the assignments with a learner notebook from the course in course_style_all/
COURSE_NAMES = ("gradient_checking", "initialization", "optimization", "regularization")


def statuses(result):
    return {f.name: f.status for a in result.assignments for f in a.functions}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("kind", ["master", "course_style", "solution_py"])
def test_correct_submissions_get_full_marks(sandbox, name, kind):
    path = {
        "master": ASSIGNMENTS / name / "master.ipynb",
        "course_style": SUBMISSIONS / f"course_style_{name}.ipynb",
        "solution_py": SUBMISSIONS / f"solution_{name}.py",
    }[kind]
    result = grade_submission(path, sandbox=sandbox)
    assert [a.assignment for a in result.assignments] == [name]
    assert result.score == result.max_score > 0, statuses(result)


@pytest.mark.parametrize("name", NAMES)
def test_untouched_starter_scores_zero_with_clear_errors(sandbox, name):
    result = grade_submission(ASSIGNMENTS / name / "starter.ipynb", sandbox=sandbox)
    assert result.score == 0
    functions = [f for a in result.assignments for f in a.functions]
    assert functions and all(f.status == "error" for f in functions)
    assert all("not implemented yet" in f.message for f in functions)


def test_folder_of_four_notebooks_is_graded_whole(sandbox):
    result = grade_submission(SUBMISSIONS / "course_style_all", sandbox=sandbox)
    assert sorted(a.assignment for a in result.assignments) == sorted(COURSE_NAMES)
    assert result.score == result.max_score


def test_forced_assignment_reports_missing_functions(sandbox, tmp_path):
    path = tmp_path / "partial.py"
    path.write_text("def update_lr(learning_rate0, epoch_num, decay_rate):\n"
                    "    return learning_rate0 / (1 + decay_rate * epoch_num)\n")
    result = grade_submission(path, assignment="optimization", sandbox=sandbox)
    status = statuses(result)
    assert status.pop("update_lr") == "passed"
    assert set(status.values()) == {"missing"}


def test_syntax_error_costs_only_the_functions_in_that_cell(sandbox, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("import numpy as np\n%matplotlib inline"),
        nbformat.v4.new_code_cell("def update_lr(learning_rate0, epoch_num, decay_rate):\n"
                                  "    return learning_rate0 / (1 + decay_rate * epoch_num\n"),
        nbformat.v4.new_code_cell(
            "def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):\n"
            "    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))\n"
        ),
    ]
    path = tmp_path / "opt.ipynb"
    nbformat.write(nb, path)
    result = grade_submission(path, sandbox=sandbox)
    (update_lr,) = [f for a in result.assignments for f in a.functions if f.name == "update_lr"]
    assert update_lr.status == "error" and "syntax error" in update_lr.message
    assert statuses(result)["schedule_lr_decay"] == "passed"


def test_missing_module_fails_only_the_function_that_uses_it(sandbox, tmp_path):
    path = tmp_path / "sol.py"
    path.write_text(
        "import numpy as np\nimport sklearn.datasets as skd\n"
        "def update_lr(learning_rate0, epoch_num, decay_rate):\n"
        "    skd.make_moons()\n    return learning_rate0 / (1 + decay_rate * epoch_num)\n"
        "def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):\n"
        "    return learning_rate0 / (1 + decay_rate * np.floor(epoch_num / time_interval))\n"
    )
    result = grade_submission(path, sandbox=sandbox)
    by_name = {f.name: f for a in result.assignments for f in a.functions}
    assert by_name["update_lr"].status == "error"
    assert "sklearn" in by_name["update_lr"].message
    assert by_name["schedule_lr_decay"].status == "passed"


def _stable(data):
    for key in ("graded_at", "duration_s"):
        data.pop(key, None)
    for assignment in data["assignments"]:
        for function in assignment["functions"]:
            function.pop("duration_s")
    return data


def test_grading_is_deterministic(tmp_path):
    wrong = tmp_path / "wrong.py"
    wrong.write_text((SUBMISSIONS / "solution_optimization.py").read_text().replace(
        "(1 - beta2) * np.square", "(1 - beta2) * np.abs") + "\n")
    outputs = []
    for run in range(2):
        target = tmp_path / f"run{run}.json"
        assert main([str(wrong), str(SUBMISSIONS / "course_style_regularization.ipynb"),
                     "--json", str(target), "--quiet"]) == 0
        outputs.append(json.loads(target.read_text()))
    first, second = ([_stable(s) for s in o["submissions"]] for o in outputs)
    assert first == second
    assert first[0]["score"] < first[0]["max_score"]  # the wrong Adam really failed


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        pytest.param(["/no/such/path"], 2, id="no-such-path"),
        pytest.param([str(SUBMISSIONS / "solution_optimization.py"), "--assignment", "nope"], 2,
                     id="unknown-assignment"),
        pytest.param(["--bogus-option", "x"], 2, id="bad-option"),
        pytest.param([str(ASSIGNMENTS / "optimization" / "starter.ipynb"), "--quiet"], 0, id="zero-score-is-ok"),
        pytest.param([str(ASSIGNMENTS / "optimization" / "starter.ipynb"), "--quiet", "--fail-under", "1"], 3,
                     id="fail-under-gate"),
    ],
)
def test_exit_codes(argv, code):
    assert main(argv) == code


def test_results_json_has_the_contract_keys(sandbox):
    data = submission_dict(grade_submission(ASSIGNMENTS / "optimization" / "starter.ipynb", sandbox=sandbox))
    assert data["schema"] == 1
    assert {"submission", "score", "max_score", "assignments"} <= data.keys()
    function = data["assignments"][0]["functions"][0]
    assert {"name", "score", "max_score", "status", "diagnoses", "message", "counterexample"} <= function.keys()
    json.dumps(data, allow_nan=False)
