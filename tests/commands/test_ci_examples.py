"""The GitHub Actions and Gradescope examples work as their comments and README say: their commands
run here (offline, with GitHub's expressions and Gradescope's folders mapped to test values), so
they cannot rot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SUBMISSION = EXAMPLES / "submission"
BASH = shutil.which("bash")
PASSPHRASE = "test-passphrase-not-a-secret"
#: Steps that need the network or grade the whole bank (.ci/run runs `grade selfcheck` itself).
OFFLINE_SKIPPED = ("Install the grader", "Check the assignment bank")

needs_bash = pytest.mark.skipif(BASH is None, reason="no bash here")


def _bin_env(extra: Mapping[str, str] = ()) -> dict[str, str]:
    """This interpreter's ``grade`` first on PATH; no repository on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


# --- GitHub Actions ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    import yaml  # a test dependency (pyproject's test extras): never skipped

    return yaml.safe_load((EXAMPLES / "github-actions" / "grade.yml").read_text())


def _steps(workflow: Mapping[str, Any]) -> list[dict[str, Any]]:
    return workflow["jobs"]["grade"]["steps"]


def _uses(step: Mapping[str, Any]) -> str:
    return str(step.get("uses", "")).split("@")[0]


def test_workflow_needs_no_project_files_in_the_course_repository(workflow: dict[str, Any]) -> None:
    text = (EXAMPLES / "github-actions" / "grade.yml").read_text()
    setup = next(s for s in _steps(workflow) if _uses(s) == "actions/setup-python")
    assert "cache" not in (setup.get("with") or {}), "a pip cache is keyed on requirements files the repo lacks"
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert "hashFiles" not in code and "requirements.txt" not in code and "pyproject.toml" not in code


def test_workflow_installs_a_pinned_release_not_editable(workflow: dict[str, Any]) -> None:
    install = next(s for s in _steps(workflow) if s.get("name") == "Install the grader")["run"]
    assert re.search(r"pip install \"dnn-autograder @ git\+https://\S+@v\d[\w.]*\"", install), install
    assert " -e " not in install and "--editable" not in install


def test_workflow_keeps_grades_from_readers_of_the_repository(workflow: dict[str, Any]) -> None:
    assert workflow["permissions"] == {"contents": "read"}
    steps = _steps(workflow)
    uploads = [s for s in steps if _uses(s) == "actions/upload-artifact"]
    assert uploads and all(s["with"]["path"].endswith(".enc") for s in uploads), "grades uploaded in clear"
    assert all(int(s["with"]["retention-days"]) <= 7 for s in uploads)
    assert not [s for s in steps if "junit" in _uses(s) or _uses(s) == "actions/cache"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "git commit" not in runs and "git push" not in runs


def _expression(match: re.Match[str]) -> str:
    values = {"inputs.fail_under": "", "secrets.GRADES_PASSPHRASE": PASSPHRASE, "github.ref": "refs/heads/main"}
    return values[match.group(1).strip()]


def _run_steps(workflow: Mapping[str, Any], repo: Path, extra: Mapping[str, str] = (),
               only: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    """Run the workflow's ``run:`` steps in ``repo`` as GitHub's bash shell does (``-eo pipefail``),
    honouring ``if: always()``; returns (step name, exit status) for each step run (``only``:
    just the steps of these names)."""
    ran: list[tuple[str, int]] = []
    failed = False
    for step in _steps(workflow):
        if "run" not in step or step.get("name") in OFFLINE_SKIPPED or (only and step.get("name") not in only):
            continue
        if failed and "always()" not in str(step.get("if", "")):
            continue
        env = {k: re.sub(r"\$\{\{(.*?)\}\}", _expression, str(v)) for k, v in (step.get("env") or {}).items()}
        env.update(extra)
        done = subprocess.run([BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=repo, env=_bin_env({**env, "GITHUB_STEP_SUMMARY": str(repo / "summary.md")}),
                              capture_output=True, text=True, timeout=300)
        ran.append((step["name"], done.returncode))
        failed = failed or done.returncode != 0
    return ran


@pytest.fixture
def class_repo(tmp_path: Path) -> Path:
    """A course repository as the workflow expects it: nothing but submissions/."""
    repo = tmp_path / "course"
    (repo / "submissions" / "alice").mkdir(parents=True)
    shutil.copy2(SUBMISSION / "Optimization_methods.ipynb", repo / "submissions" / "alice")
    shutil.copy2(SUBMISSION / "Initialization.ipynb", repo / "submissions" / "bob.ipynb")
    return repo


@needs_bash
def test_workflow_steps_grade_a_class_and_upload_only_encrypted_grades(
        workflow: dict[str, Any], class_repo: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl here")
    ran = _run_steps(workflow, class_repo)
    assert [name for name, _ in ran] == ["Grade", "Count the students graded", "Encrypt the grades"]
    assert all(status == 0 for _, status in ran), ran
    assert not (class_repo / "out").exists(), "the clear grades must not stay beside the artifact"
    summary = (class_repo / "summary.md").read_text()
    assert "Graded 2 student(s)" in summary and "alice" not in summary and "bob" not in summary
    opened = subprocess.run(
        "openssl enc -d -aes-256-cbc -pbkdf2 -iter 600000 -pass env:GRADES_PASSPHRASE -in grades.tar.gz.enc"
        " | tar xzf - -O out/grades.csv", shell=True, cwd=class_repo, capture_output=True, text=True,
        env=_bin_env({"GRADES_PASSPHRASE": PASSPHRASE}), check=True)
    rows = opened.stdout.splitlines()
    assert any(row.startswith("alice,optimization,8") for row in rows), rows
    assert any(row.startswith("bob,initialization,4") for row in rows), rows


@needs_bash
def test_workflow_refuses_to_upload_without_a_passphrase(workflow: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "grades.csv").write_text("student,assignment,score,max_score,status\n")
    ran = _run_steps(workflow, tmp_path, {"GRADES_PASSPHRASE": ""}, only=("Encrypt the grades",))
    assert ran and ran[0][1] != 0
    assert not (tmp_path / "grades.tar.gz.enc").exists()


# --- Gradescope -------------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["run_autograder", "setup.sh"])
def test_gradescope_scripts_are_executable_bash(script: str) -> None:
    path = EXAMPLES / "gradescope" / script
    assert path.stat().st_mode & 0o111, "must be executable"
    if BASH is None:
        pytest.skip("no bash here")
    subprocess.run([BASH, "-n", str(path)], check=True)


def _mapped(script: str, root: Path, grader: Path) -> Path:
    """The script with Gradescope's folders mapped under ``root`` and the grader's environment
    at ``grader``; the apt-get lines (root and network) are left out."""
    text = (EXAMPLES / "gradescope" / script).read_text()
    text = text.replace("/autograder/", f"{root}/autograder/").replace("/opt/grader", str(grader))
    text = re.sub(r"^apt-get update\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"^DEBIAN_FRONTEND=\S+ apt-get install [^\n]*\\\n[^\n]*\n", "", text, flags=re.MULTILINE)
    assert "apt-get" not in text, "the test's mapping of setup.sh is out of date"
    # An environment that sees this interpreter's packages (numpy & co.) and builds offline.
    text = text.replace("python3.11 -m venv", f"{sys.executable} -m venv --system-site-packages --without-pip")
    path = root / script
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def gradescope(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """An autograder built by setup.sh, as Gradescope does: (root, grader environment, its output)."""
    if BASH is None:
        pytest.skip("no bash here")
    root = tmp_path_factory.mktemp("gradescope")
    source = root / "autograder" / "source"
    (source / "dnn-autograder").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / "dnn-autograder" / name)
    shutil.copytree(REPO / "dnn_autograder", source / "dnn-autograder" / "dnn_autograder",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (source / "ASSIGNMENT").write_text("optimization\n")
    grader = root / "opt" / "grader"
    setup = _mapped("setup.sh", root, grader)
    done = subprocess.run([BASH, str(setup)], capture_output=True, text=True, timeout=600, cwd=root,
                          env=_bin_env({"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}))
    assert done.returncode == 0, f"setup.sh failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    yield root, grader, done.stdout


def test_gradescope_setup_installs_a_complete_grader_and_prints_what_its_readme_says(
        gradescope: tuple[Path, Path, str]) -> None:
    root, grader, output = gradescope
    assert "selfcheck: 1 assignment(s), 4 submissions graded\nselfcheck: ok" in output
    readme = (EXAMPLES / "gradescope" / "README.md").read_text()
    assert "selfcheck: 1 assignment(s), 4 submissions graded\nselfcheck: ok" in readme
    where = subprocess.run([str(grader / "bin" / "python"), "-c",
                            "import dnn_autograder; print(dnn_autograder.__file__)"],
                           capture_output=True, text=True, cwd=root, env=_bin_env(), check=True)
    assert Path(where.stdout.strip()).is_relative_to(grader), "setup.sh must install the grader, not find the repo"


def test_gradescope_readme_names_the_real_assignments() -> None:
    from dnn_autograder.grader.assignment.spec import available_assignments

    readme = (EXAMPLES / "gradescope" / "README.md").read_text()
    for name in ("initialization", "regularization", "gradient_checking", "optimization"):
        assert name in available_assignments() and f"`{name}`" in readme


def _run_autograder(root: Path, grader: Path, submission: Path) -> dict[str, Any]:
    target = root / "autograder" / "submission"
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(root / "autograder" / "results", ignore_errors=True)
    shutil.copytree(submission, target)
    script = _mapped("run_autograder", root, grader)
    done = subprocess.run([BASH, str(script)], capture_output=True, text=True, timeout=300, cwd=root, env=_bin_env())
    assert done.returncode == 0, done.stderr
    return json.loads((root / "autograder" / "results" / "results.json").read_text())


def test_gradescope_run_autograder_grades_a_submission(gradescope: tuple[Path, Path, str], tmp_path: Path) -> None:
    root, grader, _ = gradescope
    only = tmp_path / "sub"
    only.mkdir()
    shutil.copy2(SUBMISSION / "Optimization_methods.ipynb", only)
    results = _run_autograder(root, grader, only)
    assert results["score"] == 8
    adam = next(t for t in results["tests"] if "update_parameters_with_adam" in t["name"])
    assert adam["score"] == 0 and adam["max_score"] == 2 and "adam-no-bias-correction" in adam["output"]


def test_gradescope_run_autograder_explains_a_grader_failure_without_false_promises(
        gradescope: tuple[Path, Path, str], tmp_path: Path) -> None:
    root, _, _ = gradescope
    broken = tmp_path / "broken-grader"
    (broken / "bin").mkdir(parents=True)
    (broken / "bin" / "grade").write_text("#!/bin/sh\necho 'grade: internal error: boom' >&2\nexit 1\n")
    (broken / "bin" / "grade").chmod(0o755)
    only = tmp_path / "sub"
    only.mkdir()
    shutil.copy2(SUBMISSION / "Initialization.ipynb", only)
    results = _run_autograder(root, broken, only)
    assert results["score"] == 0 and results["tests"] == []
    assert "exit status 1" in results["output"] and "tell your instructor" in results["output"]
    assert "has been notified" not in results["output"]
