"""A readable summary in the terminal (rich): one table per graded assignment."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dnn_autograder.grader.model import SubmissionResult

_STATUS_STYLE = {
    "passed": ("\u2713 passed", "green"),
    "failed": ("\u2717 failed", "red"),
    "error": ("! error", "bold red"),
    "missing": ("- missing", "yellow"),
}


def print_submission(result: SubmissionResult, console: Console, *, report: str | None = None) -> None:
    """Print one submission: header, a table per assignment, notes, where the report is."""
    who = result.student or result.submission
    console.print(Text(f"{who}: {_points(result.score)} / {_points(result.max_score)}", style="bold"))
    if result.error:
        console.print(Text(f"  not graded: {result.error}", style="red"))
    for assignment in result.assignments:
        table = Table(title=f"{assignment.title} ({_points(assignment.score)} / {_points(assignment.max_score)})",
                      title_justify="left", expand=False)
        table.add_column("function")
        table.add_column("status")
        table.add_column("points", justify="right")
        table.add_column("reason", overflow="fold", max_width=70)
        for f in assignment.functions:
            label, style = _STATUS_STYLE[f.status]
            reason = ", ".join(f.diagnoses) if f.diagnoses else _first_sentence(f.message)
            table.add_row(f.name, Text(label, style=style), f"{_points(f.score)}/{_points(f.max_score)}",
                          "" if f.status == "passed" else reason)
        console.print(table)
        for note in assignment.notes:
            console.print(Text(f"  note: {note}", style="dim"))
    if report:
        console.print(f"report: {report}")


def print_class_summary(results: Sequence[SubmissionResult], console: Console, seconds: float) -> None:
    graded = sum(1 for r in results if r.error is None)
    console.print(Text(f"{len(results)} submissions: {graded} graded, {len(results) - graded} could not be"
                       f" graded, in {seconds:.1f} s", style="bold"))


def _points(value: float) -> str:
    return f"{value:g}"


def _first_sentence(message: str) -> str:
    head, _, _ = message.partition(". ")
    return head.rstrip(".")
