from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.sandbox import Limits, Sandbox

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = ROOT / "tests" / "fixtures" / "submissions"
ASSIGNMENTS = ROOT / "assignments"


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One warm sandbox for the whole test session, as a grading process would use."""
    with Sandbox(Limits()) as box:
        yield box
