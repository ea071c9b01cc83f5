"""A results JSON object (DESIGN.md section 2) back into a :class:`SubmissionResult`.

Used for stored grades (the gradebook keeps each grade's JSON): the exports and the class
summary of a resumed batch cover the students it skipped too. Counterexample values stay in
their JSON form (nested lists with shapes); figures are not part of the JSON and come back empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dnn_autograder.grader.model import (
    AssignmentResult,
    Counterexample,
    FunctionResult,
    IgnoredFile,
    Mismatch,
    SubmissionResult,
)

_SUBMISSION_KEYS = frozenset({
    "schema", "submission", "student", "score", "max_score", "assignments", "error", "notes",
    "protections", "grader_version", "case_seed", "graded_at", "duration_s", "ignored",
})


def submission_from_dict(data: Mapping[str, Any]) -> SubmissionResult:
    """The inverse of :func:`~dnn_autograder.grader.outputs.results_json.submission_dict` (extra keys: ``extra``)."""
    return SubmissionResult(
        submission=str(data.get("submission", "")),
        score=float(data.get("score", 0.0)),
        max_score=float(data.get("max_score", 0.0)),
        assignments=tuple(_assignment(a) for a in data.get("assignments", ())),
        student=data.get("student"),
        error=data.get("error"),
        notes=tuple(data.get("notes", ())),
        protections=tuple(data.get("protections", ())),
        grader_version=str(data.get("grader_version", "")),
        case_seed=int(data.get("case_seed", 0)),
        graded_at=str(data.get("graded_at", "")),
        duration_s=float(data.get("duration_s", 0.0)),
        extra={k: v for k, v in data.items() if k not in _SUBMISSION_KEYS},
        ignored=_ignored(data.get("ignored", ())),
    )


def _assignment(data: Mapping[str, Any]) -> AssignmentResult:
    return AssignmentResult(
        assignment=str(data["assignment"]),
        title=str(data.get("title", data["assignment"])),
        score=float(data.get("score", 0.0)),
        max_score=float(data.get("max_score", 0.0)),
        functions=tuple(_function(f) for f in data.get("functions", ())),
        source=str(data.get("source", "")),
        notes=tuple(data.get("notes", ())),
        ignored=_ignored(data.get("ignored", ())),
    )


def _ignored(items: Any) -> tuple[IgnoredFile, ...]:
    return tuple(IgnoredFile(str(i.get("file", "")), str(i.get("reason", ""))) for i in items or ()
                 if isinstance(i, Mapping))


def _function(data: Mapping[str, Any]) -> FunctionResult:
    return FunctionResult(
        name=str(data["name"]),
        score=float(data.get("score", 0.0)),
        max_score=float(data.get("max_score", 0.0)),
        status=data.get("status", "error"),
        diagnoses=tuple(data.get("diagnoses", ())),
        message=str(data.get("message", "")),
        counterexample=_counterexample(data.get("counterexample")),
        cases_run=int(data.get("cases_run", 0)),
        cases_passed=int(data.get("cases_passed", 0)),
        duration_s=float(data.get("duration_s", 0.0)),
        output=str(data.get("output", "")),
        traceback=tuple(data.get("traceback", ())),
        checks=tuple(data.get("checks", ())),
    )


def _counterexample(data: Mapping[str, Any] | None) -> Counterexample | None:
    if not data:
        return None
    mismatches = tuple(
        Mismatch(m["where"], m["kind"], m["summary"], tuple(tuple(r) for r in m.get("rows", ())))
        for m in data.get("mismatches", ())
    )
    return Counterexample(
        inputs=data.get("inputs", {}),
        expected=data.get("expected", {}),
        got=data.get("got", {}),
        mismatches=mismatches,
        label=str(data.get("label", "")),
        hidden=bool(data.get("hidden", False)),
        script=tuple(str(line) for line in data.get("script", ())),
        step=int(data.get("step", 0) or 0),
    )
