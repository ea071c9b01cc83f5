"""Which assignment(s) a submission file is: from the graded functions it defines, then hints.

A file is recognised as an assignment when it defines one of that assignment's *distinctive*
graded functions (names that are not also course helper names, e.g. ``gradient_check`` rather
than ``forward_propagation``) and either at least half of its graded functions or more of them
than of any other assignment. Notebook metadata (``{"grader": {"assignment": ...}}``) and the file
name decide when no graded function is defined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from dnn_autograder.grader.spec import AssignmentSpec

#: names that graded functions share with course helper modules, so they prove nothing alone
HELPER_NAMES = frozenset({"forward_propagation", "backward_propagation", "compute_cost", "sigmoid", "relu"})

_STEM_HINTS = (
    ("gradient_checking", re.compile(r"grad(ient)?[\W_]*check", re.I)),
    ("initialization", re.compile(r"initiali[sz]", re.I)),
    ("regularization", re.compile(r"regulari[sz]|dropout", re.I)),
    ("optimization", re.compile(r"optimi[sz]", re.I)),
)


def recognise(
    defined: Iterable[str], specs: Sequence[AssignmentSpec], hints: Mapping[str, str] | None = None
) -> tuple[str, ...]:
    """Names of the assignments this file is, best match first; empty when nothing fits."""
    names = set(defined)
    hints = hints or {}
    counts = {s.name: len(names & set(s.function_names)) for s in specs}
    best = max(counts.values(), default=0)
    found = [
        s.name
        for s in specs
        if names & (set(s.function_names) - HELPER_NAMES)
        and (counts[s.name] * 2 >= len(s.function_names) or counts[s.name] == best)
    ]
    found.sort(key=lambda n: -counts[n])
    if found:
        return tuple(found)
    return tuple(n for n in _hinted(hints) if n in counts)[:1]


def _hinted(hints: Mapping[str, str]) -> list[str]:
    out = []
    declared = hints.get("assignment", "")
    if declared:
        out.append(declared)
    for key in ("file_stem", "title"):
        text = hints.get(key, "")
        out.extend(name for name, pattern in _STEM_HINTS if pattern.search(text))
    return out
