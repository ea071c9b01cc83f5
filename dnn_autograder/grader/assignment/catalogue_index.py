"""Load an assignment's catalogue and property checks, grouped by graded function."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

from dnn_autograder.grader.assignment.catalogue import Mistake
from dnn_autograder.grader.assignment.spec import AssignmentSpec, assignment_module
from dnn_autograder.grader.errors import SpecError
from dnn_autograder.grader.grading.evaluate import PropertyCheck


@cache
def mistakes_by_function(assignment: AssignmentSpec) -> Mapping[str, tuple[Mistake, ...]]:
    """``{function name: its catalogued mistakes}`` (every graded function has an entry)."""
    mistakes: tuple[Mistake, ...] = tuple(getattr(assignment_module(assignment, "mistakes"), "MISTAKES", ()))
    grouped: dict[str, list[Mistake]] = {f.name: [] for f in assignment.functions}
    for mistake in mistakes:
        if mistake.function not in grouped:
            raise SpecError(
                f"{assignment.folder}/mistakes.py: {mistake.id} names unknown function {mistake.function!r}"
            )
        grouped[mistake.function].append(mistake)
    return {name: tuple(items) for name, items in grouped.items()}


@cache
def all_mistakes(assignment: AssignmentSpec) -> Mapping[str, Mistake]:
    """``{mistake id: mistake}`` for the whole assignment."""
    return {m.id: m for items in mistakes_by_function(assignment).values() for m in items}


def property_check(assignment: AssignmentSpec, function: str) -> PropertyCheck | None:
    """The stochastic function's property check, or None for deterministic functions."""
    spec = assignment.function(function)
    if spec.kind != "stochastic":
        return None
    if not spec.properties:
        raise SpecError(f"{assignment.folder}/spec.toml: stochastic {function!r} needs `properties`")
    check = getattr(assignment_module(assignment, "properties"), spec.properties, None)
    if check is None:
        raise SpecError(f"{assignment.folder}/properties.py: no check {spec.properties!r}")
    return check
