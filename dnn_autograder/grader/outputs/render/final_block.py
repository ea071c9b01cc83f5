"""The report's "Final grade" block: what the course staff changed after the autograder.

Built from the ``final_grades`` key a feedback export adds to a result
(:mod:`dnn_autograder.grader.outputs.exports.feedback`); a result without it (any batch or single-file
report) gets no block. Every string goes through :func:`~dnn_autograder.grader.outputs.render.text.clean`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.render.text import clean, points


def final_grade_rows(result: SubmissionResult) -> list[dict[str, Any]]:
    """One plain dict per assignment with an adjusted or final grade (empty without ``final_grades``)."""
    rows = result.extra.get("final_grades") if isinstance(result.extra, Mapping) else None
    if not isinstance(rows, list):
        return []
    return [_row(r) for r in rows if isinstance(r, Mapping)]


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    maximum = points(float(row.get("max_score") or 0.0))
    final = row.get("final_score")
    override = row.get("override")
    lines = []
    if override is not None:
        lines.append(f"Score set by the course staff: {points(float(override))} / {maximum} "
                     f"(autograded: {points(float(row.get('raw_score') or 0.0))})")
    if row.get("penalty"):
        lines.append(f"Late by {int(row.get('days_late') or 0)} day(s): -{points(float(row['penalty']))} points")
    if row.get("late_note"):
        lines.append(str(row["late_note"]))
    lines += [f"Comment: {c}" for c in row.get("comments") or ()]
    return {
        "assignment": clean(str(row.get("assignment", "")), limit=200),
        "final": "excused" if row.get("excused") else f"{points(float(final or 0.0))} / {maximum}",
        "lines": [clean(line, limit=2000) for line in lines],
    }
