"""Which assignment(s) a submission file is: from the graded functions it defines, then hints.

Everything assignment-specific comes from each spec's ``[recognise]`` table
(:class:`~dnn_autograder.grader.assignment.spec.Recognition`). A file is recognised as an assignment when it
defines one of that assignment's *distinctive* graded functions (graded names not listed in its
``shared_names``, the names course helper modules define too) and either at least half of its
graded functions or more of them than of any other assignment. When several recognised
assignments grade the same names the file defines, the file is one of them, not all: those whose
``markers`` match the file's code win, else those that declare no markers (the default version of
the template), else the one matching most names. Notebook metadata
(``{"grader": {"assignment": ...}}``) and then the spec's ``file_names`` patterns, searched in the
file's name and notebook title, decide only when no graded function is defined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from dnn_autograder.grader.assignment.spec import AssignmentSpec
from dnn_autograder.grader.extract import ExtractedFile


def recognise(
    defined: Iterable[str], specs: Sequence[AssignmentSpec], hints: Mapping[str, str] | None = None,
    source: str = "",
) -> tuple[str, ...]:
    """Names of the assignments this file is, best match first; empty when nothing fits.

    Args:
        defined: the function names the file defines.
        specs: the candidate assignments.
        hints: the extraction's hints (``assignment``, ``file_stem``, ``title``).
        source: the file's code, searched for the specs' ``markers``.
    """
    names = set(defined)
    hints = hints or {}
    counts = {s.name: len(names & set(s.function_names)) for s in specs}
    best = max(counts.values(), default=0)
    found = [
        s
        for s in specs
        if names & (set(s.function_names) - set(s.recognise.shared_names))
        and (counts[s.name] * 2 >= len(s.function_names) or counts[s.name] == best)
    ]
    found.sort(key=lambda s: -counts[s.name])
    if found:
        return tuple(s.name for s in _one_per_clash(found, names, source))
    return tuple(n for n in _hinted(hints, specs) if n in counts)[:1]


def recognise_file(file: ExtractedFile, specs: Sequence[AssignmentSpec]) -> tuple[str, ...]:
    """:func:`recognise` for an extracted file: the functions it defines (broken ones included),
    its hints, and its code (its program units, where recognition markers are searched)."""
    defined = set(file.functions) | set(file.broken_functions)
    return recognise(defined, specs, file.hints, "\n".join(unit.source for unit in file.units))


def marked(spec: AssignmentSpec, source: str) -> bool:
    """True when one of the spec's ``markers`` matches ``source``."""
    return any(re.search(pattern, source, re.M) for pattern in spec.recognise.markers)


def _one_per_clash(found: Sequence[AssignmentSpec], names: set[str], source: str) -> list[AssignmentSpec]:
    """``found`` without the assignments that grade the same defined names as a better one
    (see the module doc); order kept."""
    def preference(spec: AssignmentSpec) -> tuple[bool, bool]:
        return marked(spec, source), not spec.recognise.markers

    kept: list[AssignmentSpec] = []
    for spec in found:
        rivals = [k for k in kept if names & set(k.function_names) & set(spec.function_names)]
        if not rivals:
            kept.append(spec)
        elif preference(spec) > max(preference(r) for r in rivals):
            kept = [spec if k is rivals[0] else k for k in kept if k is rivals[0] or k not in rivals]
    return kept


def _hinted(hints: Mapping[str, str], specs: Sequence[AssignmentSpec]) -> list[str]:
    out = []
    declared = hints.get("assignment", "")
    if declared:
        out.append(declared)
    for key in ("file_stem", "title"):
        text = hints.get(key, "")
        out.extend(s.name for s in specs
                   if text and any(re.search(pattern, text, re.I) for pattern in s.recognise.file_names))
    return out
