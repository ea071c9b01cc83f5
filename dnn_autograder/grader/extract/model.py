"""The extract stage's data: what a submission file holds that the grader will run.

Frozen dataclasses of plain values, JSON-serialisable through ``to_dict`` (``unit_to_dict`` for
``ProgramUnit``, which the sandbox defines: it is the type the sandbox executes). The mapping
fields are plain dicts built once by the extractor: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

# One statement the sandbox executes; the sandbox owns the type, the extractor fills it in:
#   kind: "import" (an import, or a `try:` of imports with its `except` branch), "definition"
#         (`def`/`async def`/`class` with its decorators, or a lambda assigned to a name) or
#         "constant" (a literal-like value assigned to plain names);
#   source: the statement's source, decorators included, magics removed, starting at column 0;
#   names: the names it binds at top level (("*",) for `from m import *`);
#   filename: "optimization.ipynb, cell 7" or "solution.py", for tracebacks and messages;
#   first_line: the line of the statement's first line in that cell or file (1-based).
from dnn_autograder.grader.sandbox import ProgramUnit

UnitKind = Literal["import", "definition", "constant"]

#: Files larger than this are refused (``SubmissionError``) rather than parsed.
MAX_FILE_BYTES = 20 * 1024 * 1024

#: The reason recorded for dropped top-level statements (calls, loops, prints, plots, tests).
TOP_LEVEL_REASON = "top-level statement (not needed for grading)"


def unit_to_dict(unit: ProgramUnit) -> dict[str, Any]:
    """A ``ProgramUnit`` as a JSON-ready dict."""
    return {
        "kind": unit.kind,
        "source": unit.source,
        "names": list(unit.names),
        "filename": unit.filename,
        "first_line": unit.first_line,
    }


@dataclass(frozen=True)
class Skipped:
    """Source the grader leaves out, and why.

    Attributes:
        where: ``"cell 12"``, ``"cell 5, lines 3-9"`` (notebooks) or ``"line 40"`` (``.py``).
        reason: a sentence for the student; it starts with a stable phrase: ``syntax error``,
            ``magic``, ``cell magic``, ``shell command``, ``help request``, ``IPython call``,
            ``top-level statement (not needed for grading)``, ``definition inside a top-level
            block``, ``too deeply nested``, ``cannot be parsed``.
        functions: names of the functions lost because of it (for unparsable text, found by
            looking for ``def name(`` at the start of a line).
    """

    where: str
    reason: str
    functions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"where": self.where, "reason": self.reason, "functions": list(self.functions)}


@dataclass(frozen=True)
class ExtractedFile:
    """Everything the grader takes from one submission file.

    Attributes:
        path: the file as given (or the ``filename`` passed to ``extract_source``).
        units: the program units in execution order (notebook cell order, then line order).
        functions: function name -> the unit that defines it last (a function defined twice: the
            last definition wins, as when the notebook runs top to bottom); ``def``, ``async def``,
            ``name = lambda ...`` and ``class`` (a class is graded as a script unit).
        skipped: what was left out, in file order.
        broken_functions: function name -> why it cannot be graded (``"optimization.ipynb, cell
            7: syntax error at line 4: '(' was never closed"``), for functions defined only in
            text that does not parse or that the grader does not run (a ``%%bash`` cell, a
            top-level ``if`` block, a function followed by a dedented ``return``).
        imports: the top-level modules imported by the units, in first-seen order.
        hints: facts that help recognise the assignment and explain the extraction. Keys, each
            present only when known: ``file_stem``, ``format`` (``notebook``/``python``),
            ``nbformat``, ``kernel``, ``language``, ``title``, ``graded_functions`` (names from
            ``# GRADED FUNCTION:`` markers, comma-separated), ``future`` (features of dropped
            ``from __future__`` imports, comma-separated: compile the units with them),
            ``encoding`` and ``note`` (how an unusual file was read), ``coursera.<key>``
            (Coursera notebook metadata).
        language_ok: False for a notebook whose kernel is clearly not Python.
    """

    path: str
    units: tuple[ProgramUnit, ...] = ()
    functions: Mapping[str, ProgramUnit] = field(default_factory=dict)
    skipped: tuple[Skipped, ...] = ()
    broken_functions: Mapping[str, str] = field(default_factory=dict)
    imports: tuple[str, ...] = ()
    hints: Mapping[str, str] = field(default_factory=dict)
    language_ok: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; ``functions`` maps each name to its unit's index in ``units``."""
        index = {id(unit): i for i, unit in enumerate(self.units)}
        return {
            "path": self.path,
            "units": [unit_to_dict(unit) for unit in self.units],
            "functions": {name: index[id(unit)] for name, unit in self.functions.items()},
            "skipped": [item.to_dict() for item in self.skipped],
            "broken_functions": dict(self.broken_functions),
            "imports": list(self.imports),
            "hints": dict(self.hints),
            "language_ok": self.language_ok,
        }
