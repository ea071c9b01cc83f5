"""The checks of ``grade selfcheck``: each returns the problems it found (empty: all good).

Static checks read the assignment bank; the others judge the results of grading the bank's own
notebooks and mutant submissions. Every problem is one line naming the assignment, what is
wrong, and where to look.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from dnn_autograder.grader.assignment.casebank import bank_status
from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import AssignmentSpec, assignment_module, resolve
from dnn_autograder.grader.model import FunctionResult, SubmissionResult
from dnn_autograder.grader.outputs.results_json import submission_dict

_NOTES = re.compile(r"^\s*Notes\s*\n\s*-{3,}\s*$", re.MULTILINE)
#: Keys that legitimately differ between two gradings of the same submission.
VOLATILE_KEYS = frozenset({"graded_at", "duration_s", "student", "submission",
                           "sandbox_restarted"})


def bank_problems(spec: AssignmentSpec, folder: Path | None = None) -> list[str]:
    """Completeness of one assignment: notebooks, and for every graded function a documented
    reference, a strategy, a property check when stochastic, and at least one mistake."""
    folder = folder or spec.folder
    problems = [f"{spec.name}: {folder / name} is missing"
                for name in ("master.ipynb", "starter.ipynb") if not (folder / name).is_file()]
    try:
        cases = assignment_module(spec, "cases")
        mistakes: Sequence[Mistake] = tuple(getattr(assignment_module(spec, "mistakes"),
                                                    "MISTAKES", ()))
    except Exception as exc:  # noqa: BLE001 - a broken bank module is a finding
        return [*problems, f"{spec.name}: cannot import cases.py / mistakes.py: {exc}"]
    for mistake in mistakes:
        if mistake.function not in spec.function_names:
            problems.append(f"{spec.name}: mistake {mistake.id} names unknown function "
                            f"{mistake.function!r} (mistakes.py)")
    for fspec in spec.functions:
        problems += _function_problems(spec, fspec.name, cases, mistakes)
    return problems


def case_bank_problems(spec: AssignmentSpec, folder: Path | None = None) -> list[str]:
    """The assignment's ``cases.bank`` must be current: a missing or stale bank means grading
    draws other cases than every other install (see :mod:`dnn_autograder.grader.assignment.casebank`)."""
    status = bank_status(spec, folder)
    return [] if status.ok else [status.describe()]


def _function_problems(spec: AssignmentSpec, name: str, cases: Any,
                       mistakes: Sequence[Mistake]) -> list[str]:
    fspec = spec.function(name)
    where = f"{spec.name}: {name}"
    problems = []
    try:
        reference = resolve(fspec.reference)
        if not _NOTES.search(inspect.getdoc(reference) or ""):
            problems.append(f"{where}: the reference {fspec.reference} has no Notes section "
                            "stating its equations (numpydoc docstring)")
    except (ImportError, AttributeError):
        problems.append(f"{where}: no reference {fspec.reference}")
    if not callable(getattr(cases, fspec.strategy, None)):
        problems.append(f"{where}: no strategy {fspec.strategy}() in cases.py")
    if fspec.kind == "stochastic":
        try:
            check = getattr(assignment_module(spec, "properties"), fspec.properties or "-", None)
        except Exception:  # noqa: BLE001
            check = None
        if not callable(check):
            problems.append(f"{where}: stochastic, but no property check "
                            f"{fspec.properties or '(spec key properties)'} in properties.py")
    if not any(m.function == name for m in mistakes):
        problems.append(f"{where}: no catalogued mistake in mistakes.py")
    return problems


def duplicate_ids(mistakes: Iterable[Mistake]) -> list[str]:
    """Mistake ids used for more than one mistake across the bank (ids must be unique and stable).
    One entry shared by two assignments (two template years importing one catalogue) is one mistake."""
    seen: dict[str, set[tuple[str, str, str]]] = {}
    for mistake in mistakes:
        seen.setdefault(mistake.id, set()).add((mistake.function, mistake.title, mistake.explanation))
    return [f"mistake id {key!r} is used {len(meanings)} times" for key, meanings in seen.items() if len(meanings) > 1]


def internal_problem(label: str, result: SubmissionResult) -> list[str]:
    """The grader itself failed on this submission (crash, time limit, exception)."""
    if result.extra.get("internal_error"):
        return [f"{label}: the grader failed: {result.error}"]
    return []


def master_problems(spec: AssignmentSpec, label: str, result: SubmissionResult) -> list[str]:
    """A master solution must score full marks on every function."""
    problems = internal_problem(label, result)
    if problems:
        return problems
    graded = _assignment(result, spec.name)
    if graded is None:
        reason = result.error or "graded as " + ", ".join(a.assignment for a in result.assignments)
        return [f"{label}: {spec.name} was not graded ({reason})"]
    return [f"{label}: {f.name} scores {f.score:g}/{f.max_score:g} ({_why(f)})"
            for f in graded.functions if f.status != "passed" or f.score < f.max_score]


def starter_problems(spec: AssignmentSpec, label: str, result: SubmissionResult) -> list[str]:
    """A starter must score zero, define every graded function, and not break the grader."""
    problems = internal_problem(label, result)
    if problems:
        return problems
    if result.score != 0:
        problems.append(f"{label}: scores {result.score:g}, not 0: a starter function passes")
    graded = _assignment(result, spec.name)
    for function in graded.functions if graded else ():
        if function.status == "missing":
            problems.append(f"{label}: {function.name} is not defined in the starter")
    return problems


def mutant_problems(spec: AssignmentSpec, mistake: Mistake, label: str,
                    result: SubmissionResult) -> list[str]:
    """A mutant submission must lose points on its function, diagnosed with the mistake's id,
    and on no other function (a mistake costs points once), apart from the units its
    ``also_costs`` names."""
    problems = internal_problem(label, result)
    if problems:
        return problems
    graded = _assignment(result, spec.name)
    functions = {f.name: f for f in graded.functions} if graded else {}
    target = functions.get(mistake.function)
    if target is None:
        return [f"{label}: {mistake.function} was not graded ({result.error or 'no result'})"]
    if target.score >= target.max_score:
        problems.append(f"{label}: slipped through: {mistake.function} still scores "
                        f"{target.score:g}/{target.max_score:g}")
    elif mistake.id not in target.diagnoses:
        found = ", ".join(target.diagnoses) or "nothing"
        problems.append(f"{label}: caught but not diagnosed: {mistake.function} lost points "
                        f"({target.status}) but the diagnoses are {found}")
    for name, function in functions.items():
        if name != mistake.function and name not in mistake.also_costs and function.score < function.max_score:
            problems.append(f"{label}: the mistake in {mistake.function} also costs points in "
                            f"{name} ({_why(function)})")
    return problems


def determinism_problems(label: str, first: SubmissionResult,
                         second: SubmissionResult) -> list[str]:
    """Two gradings of one submission must give the same JSON, timestamps and durations aside."""
    a, b = _stable(submission_dict(first)), _stable(submission_dict(second))
    where = _first_difference(a, b, "result")
    return [] if where is None else [f"{label}: grading is not deterministic: {where} differs"]


def _stable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    return value


def _first_difference(a: Any, b: Any, path: str) -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            found = _first_difference(a.get(key), b.get(key), f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{index}]")
            if found:
                return found
        return None
    return None if a == b else path


def _assignment(result: SubmissionResult, name: str) -> Any:
    return next((a for a in result.assignments if a.assignment == name), None)


def _why(function: FunctionResult) -> str:
    first = function.message.strip().splitlines()[0] if function.message.strip() else ""
    diagnosed = f"; diagnosed {', '.join(function.diagnoses)}" if function.diagnoses else ""
    return f"{function.status}{': ' + first[:150] if first else ''}{diagnosed}"
