"""``grade selfcheck`` fails when an assignment's ``catalogue.toml`` (the words readers show) is not
what its ``mistakes.py`` generates."""

from __future__ import annotations

import shutil
from pathlib import Path

from dnn_autograder.grader.assignment.catalogue_data import catalogue_problems
from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR
from dnn_autograder.grader.commands import selfcheck

FAKE = "selfcheck_fake_engine:Engine"
NAME = "regularization"


def _copy(tmp_path: Path) -> Path:
    bank = tmp_path / "bank"
    shutil.copytree(ASSIGNMENTS_DIR / NAME, bank / NAME, ignore=shutil.ignore_patterns("__pycache__"))
    return bank


def test_the_installed_catalogue_is_current() -> None:
    assert catalogue_problems(NAME) == []


def test_a_stale_or_missing_catalogue_is_a_problem(tmp_path: Path) -> None:
    bank = _copy(tmp_path)
    path = bank / NAME / "catalogue.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("title = ", "title = \"changed\" #", 1),
                    encoding="utf-8")
    (problem,) = catalogue_problems(NAME, bank)
    assert "catalogue.toml is stale" in problem and "catalogue_data" in problem
    report = selfcheck.run_selfcheck([NAME], quick=True, bank=bank, engine=FAKE)
    assert problem in report.problems
    path.unlink()
    assert "catalogue.toml is missing" in catalogue_problems(NAME, bank)[0]
