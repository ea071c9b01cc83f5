"""The student's feedback report: one self-contained HTML file (inline CSS and SVG, no scripts).

``render_report(result)`` returns the page; ``write_report(path, result)`` writes it. Pictures
are drawn with matplotlib, imported on first use. Pass ``catalogue`` to use given mistake
titles and explanations instead of loading each assignment's ``mistakes.py``.
"""

from __future__ import annotations

from pathlib import Path

from dnn_autograder.grader.model import SubmissionResult
from dnn_autograder.grader.outputs.render.context import Catalogue, report_context
from dnn_autograder.grader.outputs.render.env import render
from dnn_autograder.grader.outputs.render.summary import render_class_summary, write_class_summary

__all__ = ["render_report", "write_report", "render_class_summary", "write_class_summary"]


def render_report(result: SubmissionResult, *, catalogue: Catalogue | None = None,
                  draw: bool = True) -> str:
    """The HTML report of one submission (``draw=False`` leaves the pictures out)."""
    report = report_context(result, catalogue=catalogue, draw=draw)
    return render("report.html.j2", report=report, grader_version=report["grader_version"])


def write_report(path: str | Path, result: SubmissionResult, *,
                 catalogue: Catalogue | None = None) -> None:
    """Write :func:`render_report` to ``path`` (UTF-8), creating its folder."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(result, catalogue=catalogue), encoding="utf-8")

