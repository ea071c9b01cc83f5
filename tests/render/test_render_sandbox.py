"""dnn_autograder.grader.grading.figures against the real sandbox session (stand-ins, injected helpers, decoding).

Skipped when the sandbox cannot be started here; the other figure tests use an in-process
double."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import result_fixtures as rf

from dnn_autograder.grader.grading.figures import compute_figures

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    try:
        from dnn_autograder.grader.sandbox import Limits, Sandbox, units_from_source
    except ImportError as exc:
        pytest.skip(f"no sandbox: {exc}")
    try:
        box = Sandbox(Limits())
    except Exception as exc:  # noqa: BLE001 - any start-up failure means "not here"
        pytest.skip(f"the sandbox did not start: {exc}")
    try:
        with box.session(units_from_source("import numpy as np\n" + rf.STUDENT_CORRECT)) as live:
            yield live
    finally:
        box.close()


@pytest.mark.parametrize("assignment", ["optimization", "initialization", "regularization",
                                        "gradient_checking"])
def test_pictures_from_the_real_sandbox(session: Any, assignment: str) -> None:
    figures = compute_figures(session, assignment, session.defined, budget_s=5.0)
    (data,) = figures.values()
    assert data["notes"] == []
    if assignment == "gradient_checking":  # stand-ins answered by this process
        for case in data["cases"]:
            assert case["yours"] == pytest.approx(case["reference"], rel=1e-6, abs=1e-12)
    elif assignment == "optimization":
        for series in data["series"]:
            assert series["yours"]["x"] == pytest.approx(series["reference"]["x"], rel=1e-9)
    elif assignment == "regularization":  # relu and sigmoid injected from reg_utils
        assert data["yours"] == data["reference"]
