"""A readable summary in the terminal (rich): one table per graded assignment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dnn_autograder.grader.assignment.catalogue_data import Entry, read_catalogue
from dnn_autograder.grader.grading.scripts import step_line
from dnn_autograder.grader.model import FunctionResult, SubmissionResult

#: narrower consoles print each function's reason below the table
WIDE_ENOUGH = 100

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
        # names are never cut (update_parameters_with_mo\u2026 vs ..._ad\u2026); on a narrow terminal
        # the reasons go below the table instead of into a column too thin to read
        table.add_column("function", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        inline = console.width >= WIDE_ENOUGH
        if inline:
            table.add_column("reason", overflow="fold", max_width=70)
        mistakes = read_catalogue(assignment.assignment)
        below = []
        for f in assignment.functions:
            label, style = _STATUS_STYLE[f.status]
            reason = "" if f.status == "passed" else _reason(f, mistakes)
            cells: list[str | Text] = [f.name, Text(label, style=style), f"{_points(f.score)}/{_points(f.max_score)}"]
            table.add_row(*cells, *([reason] if inline else []))
            if reason and not inline:
                below.append(Text(f"  {f.name}: {reason}"))
        console.print(table)
        for line in below:
            console.print(line)
        if assignment.source:
            console.print(Text(f"  graded file: {Path(assignment.source).name}", style="dim"))
        for item in assignment.ignored:
            console.print(Text(f"  not graded: {item.file} ({item.reason})", style="dim"))
        for note in assignment.notes:
            console.print(Text(f"  note: {note}", style="dim"))
    for item in result.ignored:  # each reason once: not again when it is the error
        if f"{item.file}: {item.reason}" not in (result.error or ""):
            console.print(Text(f"  left out: {item.file} ({item.reason})", style="dim"))
    if report:
        console.print(f"report: {report}")


def print_class_summary(results: Sequence[SubmissionResult], console: Console, seconds: float) -> None:
    graded = sum(1 for r in results if r.error is None)
    console.print(Text(f"{len(results)} submissions: {graded} graded, {len(results) - graded} could not be"
                       f" graded, in {seconds:.1f} s", style="bold"))


def _points(value: float) -> str:
    return f"{value:g}"


def _reason(function: FunctionResult, mistakes: Mapping[str, Entry]) -> str:
    """A recognised mistake by its title and one-line fix (its id only when the catalogue lacks
    it), else the message's first sentence."""
    example = function.counterexample
    where = ""
    if example is not None and example.script and example.step:  # a script unit: where its run diverges
        where = f"\nyours and the expected calls first differ at step {example.step}: " \
            f"`{step_line(example.script, example.step)}`"
    if not function.diagnoses:
        # the name is in its own column: "`update_lr` raised ..." reads "raised ..."
        return _first_sentence(function.message.removeprefix(f"`{function.name}` ")) + where
    named = [mistakes.get(d) for d in function.diagnoses]
    return "\n".join(f"{m.title}. Fix: {m.fix}" if m else d
                     for d, m in zip(function.diagnoses, named, strict=True)) + where


def _first_sentence(message: str) -> str:
    head, _, _ = message.partition(". ")
    return head.rstrip(".")
