"""Rendering of results for people: the student's HTML report and the class summary.

- :func:`render_report` / :func:`write_report`: one submission as a self-contained HTML page.
- :func:`render_class_summary` / :func:`write_class_summary`: a class at a glance, linking to
  each student's report.
"""

from __future__ import annotations

from dnn_autograder.grader.outputs.render.html import render_report, write_report
from dnn_autograder.grader.outputs.render.summary import render_class_summary, write_class_summary

__all__ = ["render_report", "write_report", "render_class_summary", "write_class_summary"]
