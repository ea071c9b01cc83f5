"""Gradescope's autograder ``results.json`` for one submission.

The format is Gradescope's "Autograder Specifications": a top-level ``score`` (the total, which
Gradescope then uses), ``execution_time`` (whole seconds), ``output`` (text for the whole
submission), ``visibility`` and ``stdout_visibility``, and ``tests``: one per graded function,
with ``name``, ``number``, ``score``, ``max_score``, ``status`` (``passed``/``failed``),
``output`` (the feedback paragraph, diagnoses and smallest counterexample) and ``visibility``.
A submission that could not be graded at all gets one test saying why.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dnn_autograder.grader.assignment.catalogue_data import read_catalogue
from dnn_autograder.grader.grading.messages import example_heading, lead
from dnn_autograder.grader.grading.scripts import step_line
from dnn_autograder.grader.model import FunctionResult, SubmissionResult
from dnn_autograder.grader.outputs.exports.files import write_json_atomic
from dnn_autograder.grader.outputs.exports.text import unsurrogate

VISIBILITY = "visible"


def results_dict(result: SubmissionResult) -> dict[str, Any]:
    """The ``results.json`` object for ``result`` (see the module doc)."""
    tests = list(_tests(result))
    return {
        "score": _points(result.score),
        "execution_time": max(0, math.ceil(result.duration_s)),
        "output": _overview(result),
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "tests": tests,
        "extra_data": {
            "grader_version": result.grader_version,
            "max_score": _points(result.max_score),
        },
    }


def write_results(path: str | Path, result: SubmissionResult) -> None:
    """Write Gradescope's ``results.json`` for one submission (atomically)."""
    write_json_atomic(path, results_dict(result))


def _tests(result: SubmissionResult) -> Iterator[dict[str, Any]]:
    if not result.assignments:
        yield {
            "name": "Submission",
            "number": "0",
            "score": 0.0,
            "max_score": _points(result.max_score),
            "status": "failed",
            "output": unsurrogate(result.error or "nothing could be graded"),
            "visibility": VISIBILITY,
        }
    for a_index, assignment in enumerate(result.assignments, 1):
        for f_index, function in enumerate(assignment.functions, 1):
            yield {
                "name": f"{assignment.title}: {function.name}",
                "number": f"{a_index}.{f_index}",
                "score": _points(function.score),
                "max_score": _points(function.max_score),
                "status": "passed" if function.status == "passed" else "failed",
                "output": function_output(function, assignment.assignment),
                "visibility": VISIBILITY,
            }


def function_output(function: FunctionResult, assignment: str = "") -> str:
    """Plain-text feedback for one function, in the HTML report's words: status, what happened,
    each recognised mistake's title and explanation (once), the example case. Without the
    ``assignment`` (its name) mistakes are shown by id, and the message keeps their explanations."""
    catalogue = read_catalogue(assignment) if assignment else {}
    known = [catalogue[d] for d in function.diagnoses if d in catalogue]
    lines = [f"{function.status}: {function.score:g} / {function.max_score:g} points"]
    if function.message:
        lines += ["", lead(function.message, known)]
    if function.diagnoses:
        lines += ["", "What went wrong:"]
        for mistake_id in function.diagnoses:
            entry = catalogue.get(mistake_id)
            lines += [f"  {mistake_id}"] if entry is None else [
                f"  {entry.title} ({mistake_id})", f"  {entry.explanation}"]
    example = function.counterexample
    if example is not None and (example.mismatches or function.status == "error"):
        label = f" ({example.label})" if example.label else ""
        lines += ["", f"{example_heading(function.status, bool(known))}{label}:"]
        if example.inputs:
            lines += ["  inputs: " + "; ".join(f"{name} = {_short(value)}"
                                              for name, value in list(example.inputs.items())[:12])]
        if example.script:  # a script unit: its calls, the first diverging one marked
            lines.append("  the calls" + (f" (yours first differ at step {example.step}):" if example.step else ":"))
            marked = step_line(example.script, example.step) if example.step else ""
            lines += [f"  {'>' if line == marked else ' '} {line}" for line in example.script[:40]]
        lines += [f"  {m.where}: {m.summary}" for m in example.mismatches]
    if function.traceback:
        lines += ["", *function.traceback]
    if function.output:
        lines += ["", "Your function printed:", function.output[:2000]]
    return unsurrogate("\n".join(lines).strip())


def _short(value: Any) -> str:
    """An input for one line: numbers as they are, anything larger by its type (and shape)."""
    if isinstance(value, bool | int | float | str):
        return repr(value)[:60]
    if isinstance(value, dict):
        keys = ", ".join(str(k) for k in list(value)[:8])
        return f"{{{keys}{', ...' if len(value) > 8 else ''}}}"
    shape = getattr(value, "shape", None)
    return f"array of shape {tuple(shape)}" if shape is not None else type(value).__name__


def _overview(result: SubmissionResult) -> str:
    lines = [f"Total: {result.score:g} / {result.max_score:g}"]
    for assignment in result.assignments:
        lines.append(f"{assignment.title}: {assignment.score:g} / {assignment.max_score:g}")
        if assignment.source:
            lines.append(f"  graded file: {Path(assignment.source).name}")
        lines += [f"  not graded: {item.file} ({item.reason})" for item in assignment.ignored]
        lines += [f"  note: {note}" for note in assignment.notes]
    if result.error and result.assignments:  # without assignments the one test says it
        lines.append(f"Not graded: {result.error}")
    lines += [f"left out: {item.file} ({item.reason})" for item in result.ignored
              if f"{item.file}: {item.reason}" not in (result.error or "")]  # each reason once
    lines += [f"note: {note}" for note in result.notes]
    return unsurrogate("\n".join(lines))


def _points(value: float) -> float:
    return round(float(value), 6)
