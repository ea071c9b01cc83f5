"""Fixtures of the release tests: the handouts of the whole bank, written once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dnn_autograder.grader.assignment.spec import ASSIGNMENTS_DIR  # noqa: E402
from dnn_autograder.grader.handouts.handout import Handout  # noqa: E402
from dnn_autograder.grader.handouts.handout_release import release_handouts  # noqa: E402


@pytest.fixture(scope="session")
def handouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Handout]:
    """``{assignment: its handout}`` for every assignment of the bank, as ``grade release`` writes them."""
    out = tmp_path_factory.mktemp("handout")
    return {h.assignment: h for h in release_handouts(ASSIGNMENTS_DIR, out)}
