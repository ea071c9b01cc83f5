"""Complete the graded file with the graded functions a student wrote in their other files.

A course may spread one graded file's functions over several notebooks (the student pastes
dropout into one notebook and batch norm into another). :mod:`dnn_autograder.grader.assignment.choose` picks
the file that holds the assignment best; :func:`complete_from` then takes each graded function
that file does not fill (missing, or a starter placeholder) from the first other file, in the
chooser's order, that fills it. Copies of the chosen file (``work-Copy1.ipynb``) are never
used: they are versions of the same work, not parts of it.

The combined file runs the other file's units first and the chosen file's after them, so the
chosen file's own definitions and imports win wherever both bind a name; the taken function
keeps its file's helpers and imports, and its ``filename`` (tracebacks name the right notebook).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dnn_autograder.grader.assignment.choose import are_copies, filled_functions
from dnn_autograder.grader.extract import ExtractedFile


@dataclasses.dataclass(frozen=True)
class Completed:
    """The graded file completed from others.

    Attributes:
        file: the combined extraction (the chosen file's ``path`` and hints).
        taken: ``(other file's name, graded functions taken from it)``, in order.
    """

    file: ExtractedFile
    taken: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def note(self) -> str:
        """One sentence for the report, empty when nothing was taken."""
        parts = [f"{', '.join(f'`{n}`' for n in names)} from {name}" for name, names in self.taken]
        return f"graded together with the student's other files: {'; '.join(parts)}" if parts else ""


def complete_from(chosen: ExtractedFile, chosen_name: str, others: Sequence[tuple[ExtractedFile, str]],
                  graded: Sequence[str]) -> Completed:
    """``chosen`` with the graded functions it does not fill taken from ``others`` (see the module doc).

    Args:
        chosen: the file chosen to grade; ``chosen_name`` its name for people.
        others: the other files holding the assignment, ``(extraction, name)``, best first.
        graded: the assignment's graded names.
    """
    filled = filled_functions(chosen, graded)
    wanted = [name for name in graded if name not in filled]
    units: list = []
    functions: dict = {}
    taken: list[tuple[str, tuple[str, ...]]] = []
    for other, name in others:
        if not wanted or are_copies(chosen_name, name):
            continue
        filled_other = filled_functions(other, wanted)
        found = [n for n in wanted if n in filled_other]
        if not found:
            continue
        units.extend(other.units)
        functions.update({n: other.functions[n] for n in found})
        taken.append((name, tuple(found)))
        wanted = [n for n in wanted if n not in found]
    if not taken:
        return Completed(chosen)
    # the chosen file's placeholders of the taken functions must not run after (and replace) them
    kept = [u for u in chosen.units if not (u.kind == "definition" and set(u.names) & set(functions))]
    used = {name for name, _ in taken}
    combined = dataclasses.replace(
        chosen,
        units=(*units, *kept),
        functions={**functions, **{n: u for n, u in chosen.functions.items() if n not in functions}},
        broken_functions={n: why for n, why in chosen.broken_functions.items() if n not in functions},
        imports=tuple(dict.fromkeys((*chosen.imports, *(m for o, n in others if n in used for m in o.imports)))),
    )
    return Completed(combined, tuple(taken))
