"""The CI and Gradescope examples stay in step with the commands they call."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_github_workflow_grades_uploads_and_publishes() -> None:
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((EXAMPLES / "github-actions" / "grade.yml").read_text())
    steps = workflow["jobs"]["grade"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "grade submissions/ --out out --jobs 2" in runs and "grade selfcheck" in runs
    uses = {step.get("uses", "").split("@")[0]: step for step in steps}
    assert uses["actions/upload-artifact"]["with"]["path"] == "out/"
    assert uses["mikepenz/action-junit-report"]["with"]["report_paths"] == "out/junit.xml"


@pytest.mark.parametrize("script", ["run_autograder", "setup.sh"])
def test_gradescope_scripts_are_valid_bash(script: str) -> None:
    path = EXAMPLES / "gradescope" / script
    assert path.stat().st_mode & 0o111, "must be executable"
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("no bash here")
    subprocess.run([bash, "-n", str(path)], check=True)
    text = path.read_text()
    assert "/autograder/results" in text or "selfcheck" in text
