"""Whether the real grading pipeline (with its sandbox) works here; tests that need it skip
otherwise, saying why."""

from __future__ import annotations

from functools import cache


@cache
def pipeline_problem() -> str | None:
    try:
        from dnn_autograder.grader.grading.pipeline import grade_submission  # noqa: F401
        from dnn_autograder.grader.sandbox import Limits, Sandbox
    except ImportError as exc:
        return f"the grading pipeline cannot be imported: {exc}"
    try:
        with Sandbox(Limits()) as sandbox:
            sandbox.protections  # noqa: B018 - starts one child
    except Exception as exc:  # noqa: BLE001
        return f"the sandbox does not start here: {exc}"
    return None
