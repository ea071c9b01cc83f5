"""The results JSON (DESIGN.md section 2): schema 1, stable keys, extra keys welcome."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dnn_autograder.grader.model import (
    AssignmentResult,
    Counterexample,
    FunctionResult,
    IgnoredFile,
    SubmissionResult,
)
from dnn_autograder.grader.values import to_jsonable

SCHEMA = 1


def submission_dict(result: SubmissionResult) -> dict[str, Any]:
    """One submission as the JSON object of DESIGN.md section 2."""
    out: dict[str, Any] = {"schema": SCHEMA, "submission": result.submission}
    if result.student is not None:
        out["student"] = result.student
    out.update(
        score=result.score,
        max_score=result.max_score,
        assignments=[_assignment(a) for a in result.assignments],
        error=result.error,
        notes=list(result.notes),
        ignored=_ignored(result.ignored),
        protections=list(result.protections),
        grader_version=result.grader_version,
        case_seed=result.case_seed,
        graded_at=result.graded_at,
        duration_s=result.duration_s,
        **{k: to_jsonable(v) for k, v in result.extra.items()},
    )
    return out


def class_dict(results: Sequence[SubmissionResult]) -> dict[str, Any]:
    """A class: ``{"schema": 1, "submissions": [...]}`` with a ``student`` key in each."""
    return {"schema": SCHEMA, "submissions": [submission_dict(r) for r in results]}


def write_json(path: str | Path, results: Sequence[SubmissionResult], *, as_class: bool) -> None:
    data = class_dict(results) if as_class else submission_dict(results[0])
    Path(path).write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")


def _assignment(result: AssignmentResult) -> dict[str, Any]:
    return {
        "assignment": result.assignment,
        "title": result.title,
        "score": result.score,
        "max_score": result.max_score,
        "source": result.source,
        "notes": list(result.notes),
        "ignored": _ignored(result.ignored),
        "functions": [_function(f) for f in result.functions],
        "figures": to_jsonable(result.figures),
    }


def _ignored(ignored: Sequence[IgnoredFile]) -> list[dict[str, str]]:
    """Files left out, as ``[{"file": name, "reason": why}]`` (extra key, schema 1)."""
    return [{"file": item.file, "reason": item.reason} for item in ignored]


def _function(result: FunctionResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "score": result.score,
        "max_score": result.max_score,
        "status": result.status,
        "diagnoses": list(result.diagnoses),
        "message": result.message,
        "counterexample": _counterexample(result.counterexample),
        "cases_run": result.cases_run,
        "cases_passed": result.cases_passed,
        "duration_s": result.duration_s,
        "checks": list(result.checks),
        "output": result.output,
        "traceback": list(result.traceback),
    }


def _counterexample(example: Counterexample | None) -> dict[str, Any] | None:
    if example is None:
        return None
    return {
        "inputs": to_jsonable(example.inputs),
        "expected": to_jsonable(example.expected),
        "got": to_jsonable(example.got),
        "label": example.label,
        "hidden": example.hidden,
        "script": list(example.script),
        "step": example.step,
        "mismatches": [
            {"where": m.where, "kind": m.kind, "summary": m.summary, "rows": [list(r) for r in m.rows]}
            for m in example.mismatches
        ],
    }
