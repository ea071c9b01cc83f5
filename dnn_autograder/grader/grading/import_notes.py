"""Notes for the student about statements that failed inside the grading sandbox.

A submission's ``import`` of a module that the sandbox does not provide (plotting, sklearn,
scipy) fails there even when the module is installed on the student's machine, or on the
grader's own: the note says *inside the grading sandbox* so nobody goes to install it. Such a
failure only matters when a graded function uses a name the statement would have bound,
directly or through the student's own helper functions (or is itself one of those names); then
one note per missing module (per assignment) names it and the graded functions affected. A failed import that no graded
function uses (a plotting import for the notebook's figures) gives no note: it costs nothing.

:func:`unavailable_notes` is pure: it reads the units' source and the sandbox's outcomes.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Iterable, Mapping, Sequence

from dnn_autograder.grader.sandbox import ProgramUnit, UnitOutcome

#: how a failed import of a missing module reads: the exception's own text, or the sandbox's
_MISSING_MODULE = re.compile(r"No module named '(?P<a>[^'.]+)|module '(?P<b>[^'.]+)[^']*' is not available")
_STAR = "*"
_BUILTINS = frozenset(dir(builtins))


def unavailable_notes(
    units: Sequence[ProgramUnit], outcomes: Sequence[UnitOutcome], graded: Iterable[str]
) -> tuple[str, ...]:
    """One sentence per module (or failed statement) that a graded function uses but that
    could not be set up in the sandbox, in file order; empty when none matters.

    Args:
        units: the submission file's program units, in order.
        outcomes: what the sandbox did with each unit (same order and length as ``units``).
        graded: the names of the assignment's graded functions.
    """
    if all(outcome.ok for outcome in outcomes):
        return ()  # nothing failed (the usual case): no note, and no need to parse the units
    references = _references(units)
    reach = {name: _reachable(name, references) for name in graded if name in references}
    # names the file binds anyway (a definition, a constant, an import that worked): a failed import
    # of such a name changes nothing (``from course_package.optim import adam`` beside the student's
    # own ``def adam``), and a failed ``import *`` matters only to a function needing a name
    # bound nowhere else
    bound = {name for unit, outcome in zip(units, outcomes, strict=False) if outcome.ok for name in unit.names}
    free = _free_references(units)
    unresolved = {name: _reachable(name, free) - bound - _BUILTINS for name in reach}
    failures: dict[str, tuple[set[str], str]] = {}
    for unit, outcome in zip(units, outcomes, strict=False):
        if outcome.ok:
            continue
        found = _MISSING_MODULE.search(outcome.message)
        key = (found.group("a") or found.group("b")) if found else ", ".join(unit.names)
        names, message = failures.setdefault(key, (set(), outcome.message))
        names.update(set(unit.names) - bound if unit.kind == "import" else unit.names)
    notes = []
    for key, (names, message) in failures.items():
        users = [g for g, used in reach.items()  # spec order
                 if (_STAR in names and unresolved[g]) or g in names or names & used]
        if users:
            notes.append(_sentence(key, message, users, module=bool(_MISSING_MODULE.search(message))))
    return tuple(notes)


def _sentence(key: str, message: str, users: Sequence[str], *, module: bool) -> str:
    who = ", ".join(f"`{name}`" for name in users)
    verb, they = ("uses", "it") if len(users) == 1 else ("use", "they")
    if module:
        return (f"`{key}` is not available inside the grading sandbox ({message}): {who} {verb} it,"
                f" so {they} cannot run here")
    return f"`{key}` could not be set up inside the grading sandbox ({message}); affected: {who}"


def _references(units: Sequence[ProgramUnit]) -> dict[str, frozenset[str]]:
    """``{defined name: names its definition refers to}`` for every definition unit."""
    found: dict[str, frozenset[str]] = {}
    for unit in units:
        if unit.kind != "definition":
            continue
        try:
            tree = ast.parse(unit.source)
        except (SyntaxError, ValueError):
            continue
        used = frozenset(node.id for node in ast.walk(tree) if isinstance(node, ast.Name))
        for name in unit.names:
            found[name] = used
    return found


def _free_references(units: Sequence[ProgramUnit]) -> dict[str, frozenset[str]]:
    """``{defined name: names its definition reads but does not bind itself}`` (parameters,
    assignments and inner imports left out): what it needs from the file or a module."""
    found: dict[str, frozenset[str]] = {}
    for unit in units:
        if unit.kind != "definition":
            continue
        try:
            tree = ast.parse(unit.source)
        except (SyntaxError, ValueError):
            continue
        loads: set[str] = set()
        local: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loads if isinstance(node.ctx, ast.Load) else local).add(node.id)
            elif isinstance(node, ast.arg):
                local.add(node.arg)
            elif isinstance(node, ast.alias):
                local.add((node.asname or node.name).partition(".")[0])
        for name in unit.names:
            found[name] = frozenset(loads - local)
    return found


def _reachable(start: str, references: Mapping[str, frozenset[str]]) -> frozenset[str]:
    """Every name ``start`` refers to, following the student's own definitions it calls."""
    seen: set[str] = set()
    pending = [start]
    while pending:
        for name in references.get(pending.pop(), ()):
            if name not in seen:
                seen.add(name)
                pending.append(name)
    return frozenset(seen)
