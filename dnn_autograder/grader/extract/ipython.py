"""Remove IPython-only syntax from a cell so that ``ast`` can parse the rest.

Handled: line magics (``%matplotlib inline``), shell lines (``!pip install``), help requests
(``np.random?``, ``??f``), magics and shell commands on the right of an assignment
(``files = !ls``), and cell magics (``%%time`` keeps its body, ``%%bash`` skips the cell).
Dropped lines become empty lines, or ``pass`` at the same indentation inside a block, so that
line numbers and blocks stay intact. ``get_ipython()`` calls are valid Python and are dropped
later, as statements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dnn_autograder.grader.extract.scan import LineScanner

#: Cell magics whose body is ordinary Python that runs in the notebook's namespace.
BODY_KEEPING_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "memit"})

_HELP = re.compile(r"\s*(\?{1,2}[\w.*]+|[\w.*]+\?{1,2})\s*$")
_ASSIGNED = re.compile(
    r"\s*[^\W\d][\w.]*(?:\s*,\s*[^\W\d][\w.]*)*\s*=\s*(?P<sigil>%{1,2}|!)(?!=)", re.UNICODE
)
_CELL_MAGIC = re.compile(r"\s*%%([\w-]*)")
_SNIPPET_LENGTH = 60


@dataclass(frozen=True)
class DroppedLine:
    """A line removed from a cell: ``line`` is 1-based; ``reason`` starts with its kind
    (``magic``, ``shell command``, ``help request``, ``cell magic``)."""

    line: int
    reason: str


@dataclass(frozen=True)
class CleanedCell:
    """A cell's text ready for ``ast.parse``; ``skip_cell`` is set when the whole cell is not
    Python (a cell magic such as ``%%bash``), and ``text`` is then empty."""

    text: str
    dropped: tuple[DroppedLine, ...]
    skip_cell: DroppedLine | None = None


def _snippet(line: str) -> str:
    text = line.strip()
    return text if len(text) <= _SNIPPET_LENGTH else text[: _SNIPPET_LENGTH - 1] + "…"


def ipython_kind(line: str) -> str | None:
    """The kind of IPython-only syntax a logical line starts with, or None for Python."""
    stripped = line.lstrip()
    if not stripped:
        return None
    if stripped[0] == "%":
        return "magic"
    if stripped[0] == "!":
        return "shell command"
    if stripped[0] == "?" or stripped.rstrip().endswith("?"):
        return "help request" if _HELP.match(line) else None
    assigned = _ASSIGNED.match(line)
    if assigned:
        return "shell command" if assigned.group("sigil") == "!" else "magic"
    return None


def _cell_magic(lines: list[str]) -> tuple[int, str] | None:
    """(index, name) of a ``%%magic`` on the cell's first non-blank line, if any."""
    for index, line in enumerate(lines):
        if line.strip():
            match = _CELL_MAGIC.match(line)
            return (index, match.group(1)) if match else None
    return None


def clean_cell(text: str, *, cell_magics: bool = True) -> CleanedCell:
    """Blank out IPython-only lines of ``text`` (newlines already normalised to ``\\n``).

    With ``cell_magics`` (notebook cells), a ``%%`` magic on the first line either keeps the
    body or skips the whole cell; in a ``.py`` file a ``%%`` line is dropped like a line magic.
    """
    lines = text.split("\n")
    dropped: list[DroppedLine] = []
    magic = _cell_magic(lines) if cell_magics else None
    if magic is not None:
        index, name = magic
        if name not in BODY_KEEPING_CELL_MAGICS:
            reason = f"cell magic: %%{name} (the cell is not Python code the grader runs)"
            return CleanedCell("", (), DroppedLine(index + 1, reason))
        dropped.append(DroppedLine(index + 1, f"magic: {_snippet(lines[index])}"))
        lines[index] = ""
    scanner = LineScanner()
    for index, line in enumerate(lines):
        if scanner.at_statement_start():
            kind = ipython_kind(line)
            if kind is not None:
                dropped.append(DroppedLine(index + 1, f"{kind}: {_snippet(line)}"))
                indent = line[: len(line) - len(line.lstrip())]
                lines[index] = indent + "pass" if indent else ""
                continue
        scanner.feed(line)
    return CleanedCell("\n".join(lines), tuple(dropped))
