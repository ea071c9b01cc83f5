"""Shared fixtures of the render tests: the result fixtures live in tests/fixtures/results/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "results"
for folder in (FIXTURES, Path(__file__).resolve().parent):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import result_fixtures  # noqa: E402


@pytest.fixture(scope="session")
def catalogue() -> dict:
    return result_fixtures.catalogue()


@pytest.fixture(scope="session")
def all_figures() -> dict:
    """Figure data of every assignment, from the buggy course-style functions."""
    from render_session import LocalSession

    from dnn_autograder.grader.grading.figures import compute_figures

    session = LocalSession(result_fixtures.STUDENT_BUGGY)
    figures: dict = {}
    for name in ("optimization", "initialization", "regularization", "gradient_checking"):
        figures.update(compute_figures(session, name, session.defined, budget_s=5.0))
    return figures
