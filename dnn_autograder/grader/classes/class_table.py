"""The class table a terminal shows after a batch: one row per student, with the score and,
when nothing could be graded, why (the per-function tables are :mod:`dnn_autograder.grader.outputs.terminal`'s)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from dnn_autograder.grader.model import SubmissionResult

_MAX_REASON = 90


def class_table(results: Sequence[SubmissionResult]) -> Table:
    """A rich table: student, score (``27/30``), status (``graded``, or ``not graded: why``)."""
    table = Table(title=f"{len(results)} students", title_justify="left", expand=False)
    table.add_column("student", overflow="fold")
    table.add_column("score", justify="right")
    table.add_column("status", overflow="fold", max_width=_MAX_REASON)
    for result in results:
        student = result.student if result.student is not None else result.submission
        if result.error:
            status = Text(f"not graded: {_shorten(result.error)}", style="red")
        else:
            status = Text("graded", style="green")
        table.add_row(Text(student), f"{result.score:g}/{result.max_score:g}", status)
    return table


def _shorten(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "\u2026"
