"""The wheel (what `pip install .` installs, as both deployment examples do) is complete: built from
the package alone, installed into a fresh virtual environment and run from outside the repository,
it grades the example submission exactly as the editable install does, on the banked cases.

The environment reuses this interpreter's site-packages (numpy & co.; no network) but gets the
grader only from the wheel, which the test checks by asking where ``dnn_autograder`` was imported
from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "submission"
#: The README's numbers for the example submission (checked against the README too).
EXPECTED_TOTAL = (12.0, 14.0)
EXPECTED_FAILURE = ("optimization", "update_parameters_with_adam", "adam-no-bias-correction", 46, 36)
VOLATILE = {"graded_at", "duration_s"}


@dataclass(frozen=True)
class Installed:
    """A wheel built from the package, and a virtual environment it is installed in."""

    wheel: Path
    source: Path
    python: Path
    grade: Path
    outside: Path


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["CI"] = "true"  # a missing or stale bank is an error, not a warning, here
    return env


def _run(args: list[str], cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    source.mkdir()
    # Only what a source distribution holds: the project file, the README and the package.
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "dnn_autograder", source / "dnn_autograder",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.tmp"))
    dist = root / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                  "-w", str(dist), str(source)], cwd=root)
    assert built.returncode == 0, ("the wheel did not build (offline: needs the test extras' setuptools>=70.1):\n"
                                   f"{built.stdout[-3000:]}\n{built.stderr[-3000:]}")
    (wheel,) = dist.glob("dnn_autograder-*.whl")
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    # The wheel's dependencies are the ones this test runs with: the running environment's
    # site-packages, added by a .pth file (`--system-site-packages` would give the base
    # interpreter's instead when the tests run in a virtual environment). Paths added this way
    # are not scanned for .pth files, so the repository's editable install stays out.
    site = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root)
    parent = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site.stdout.strip()) / "_tested_environment.pth").write_text("\n".join(sorted(parent)) + "\n")
    # --ignore-installed: the running environment may hold a non-editable install of the grader
    # (`pip install '.[test]'`), which pip would otherwise take as already satisfied.
    done = _run([str(python), "-m", "pip", "install", "--ignore-installed", "--no-deps", "--no-index", str(wheel)],
                cwd=root)
    assert done.returncode == 0, f"the wheel did not install:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    outside = root / "elsewhere"
    outside.mkdir()
    yield Installed(wheel, source, python, venv / "bin" / "grade", outside)


def test_the_wheel_holds_one_top_level_package_and_every_file_of_it(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"dnn_autograder"}
    package = installed.source / "dnn_autograder"
    files = {p.relative_to(installed.source).as_posix() for p in package.rglob("*") if p.is_file()}
    missing = sorted(files - set(names))
    assert not missing, f"files of the package left out of the wheel (add them to package-data): {missing}"
    for needed in ("cases.bank", "master.ipynb", "starter.ipynb", "spec.toml"):
        assert any(name.endswith("/" + needed) for name in names), needed


def test_the_installed_grader_is_the_wheel_not_the_repository(installed: Installed) -> None:
    where = _run([str(installed.python), "-c", "import dnn_autograder; print(dnn_autograder.__file__)"],
                 cwd=installed.outside)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.python.parent.parent), where.stdout


def _grade(command: list[str], out: Path, cwd: Path) -> tuple[dict[str, Any], str]:
    done = _run([*command, str(EXAMPLE), "--json", str(out)], cwd=cwd)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return json.loads(out.read_text()), done.stderr


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_the_wheel_grades_the_example_as_the_readme_says_and_as_the_editable_install(
        installed: Installed) -> None:
    from_wheel, stderr = _grade([str(installed.grade)], installed.outside / "wheel.json", installed.outside)
    assert "case bank" not in stderr, stderr
    assert (from_wheel["score"], from_wheel["max_score"]) == EXPECTED_TOTAL
    assignment, function, mistake, cases, failing = EXPECTED_FAILURE
    graded = {a["assignment"]: a for a in from_wheel["assignments"]}
    adam = next(f for f in graded[assignment]["functions"] if f["name"] == function)
    assert adam["status"] == "failed" and mistake in adam["diagnoses"]
    assert (adam["cases_run"], adam["cases_run"] - adam["cases_passed"]) == (cases, failing)
    others = [f["name"] for a in graded.values() for f in a["functions"] if f["status"] != "passed"]
    assert others == [function]

    editable, _ = _grade([sys.executable, "-m", "dnn_autograder.grader.cli"], installed.outside / "editable.json",
                         installed.outside)
    assert _stable(from_wheel) == _stable(editable)


def test_the_readme_quotes_these_numbers() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assignment, function, mistake, cases, failing = EXPECTED_FAILURE
    assert "12 / 14" in readme and mistake in readme and function in readme
    assert f"{failing} of its {cases} cases" in readme
