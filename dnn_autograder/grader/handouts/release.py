r"""Release: turn an assignment's master notebook (the solution) into the starter students get.

A graded cell of a master notebook begins with ``# GRADED FUNCTION: <name>``. Inside it, the
solution sits between ``### START CODE HERE ###`` and ``### END CODE HERE ###`` marker lines; a
function may have several such regions. :func:`make_starter` keeps both marker lines and puts
``# YOUR CODE HERE`` and ``raise NotImplementedError()`` between them, at the region's
indentation, so every starter cell still compiles and an unfinished function fails loudly when
called. Everything else (markdown, given code, the notebook's metadata) is handed over unchanged,
apart from outputs and execution counts, which are cleared.

:func:`check_no_leak` looks for solution lines that survived into a starter, and
:func:`release` writes the starters of several assignments, refusing to write anything when one
of them leaks. ``python -m dnn_autograder.grader.handouts.release`` regenerates the committed
``assignments/<name>/starter.ipynb`` files.
"""

from __future__ import annotations

import ast
import copy
import io
import re
import sys
import tokenize
from collections.abc import Iterable, Iterator
from pathlib import Path

import nbformat

from dnn_autograder.grader.errors import ExitCode, SpecError

START_MARKER = "### START CODE HERE ###"
END_MARKER = "### END CODE HERE ###"
#: What a stripped region holds in the starter, one line each, at the region's indentation.
PLACEHOLDER = ("# YOUR CODE HERE", "raise NotImplementedError()")

ASSIGNMENTS_DIR = Path(__file__).resolve().parents[2] / "assignments"
MASTER_NAME = "master.ipynb"
STARTER_NAME = "starter.ipynb"

#: A solution line shorter than this (without whitespace and comments) is too generic to count
#: as a leak (``A1 = A1 * D1``, ``L = len(v)``).
MIN_LEAK_CHARS = 10

_GRADED_HEADER = re.compile(r"#\s*GRADED FUNCTION:\s*([A-Za-z_]\w*)\s*$")
#: ``return name`` / ``return a, b, c``: the end of nearly every function, never a leak.
_PLAIN_RETURN = re.compile(r"return[\w,()]*")
_SKIPPED_TOKENS = {
    tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
    tokenize.ENDMARKER,
}


class ReleaseError(SpecError):
    """Raised when a master notebook cannot be released: unbalanced or nested markers, a
    starter cell that would not compile, two masters for one assignment, or solution lines
    that would leak into the starter. The message names the notebook and the cell: fix the
    master and run the release again."""


def graded_function_name(source: str) -> str | None:
    """The name in a cell's ``# GRADED FUNCTION: <name>`` header (its first non-blank line)."""
    for line in source.splitlines():
        if line.strip():
            match = _GRADED_HEADER.fullmatch(line.strip())
            return match.group(1) if match else None
    return None


def _regions(source: str, where: str) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, line)`` for every line of ``source``; kind is ``given``, ``start``,
    ``solution`` or ``end``. Raises :class:`ReleaseError` on unbalanced or nested markers."""
    inside = False
    for number, line in enumerate(source.splitlines(), 1):
        text = line.strip()
        if text.startswith(START_MARKER):
            if inside:
                raise ReleaseError(f"{where}, line {number}: START marker inside a marked region")
            inside = True
            yield "start", line
        elif text.startswith(END_MARKER):
            if not inside:
                raise ReleaseError(f"{where}, line {number}: END marker without a START marker")
            inside = False
            yield "end", line
        else:
            yield ("solution" if inside else "given"), line
    if inside:
        raise ReleaseError(f"{where}: a START marker is never closed by an END marker")


def strip_solutions(source: str, where: str = "cell") -> str:
    """Replace the inside of every marked region of ``source`` by the placeholder lines."""
    out: list[str] = []
    for kind, line in _regions(source, where):
        if kind == "solution":
            continue
        out.append(line)
        if kind == "start":
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + text for text in PLACEHOLDER)
    return "\n".join(out) + ("\n" if source.endswith("\n") else "")


def _compiles(source: str) -> bool:
    try:
        ast.parse(source)
    except SyntaxError:
        return False
    return True


def _source(cell: nbformat.NotebookNode) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def make_starter(master: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The starter notebook for ``master``: solutions stripped, outputs cleared.

    Every code cell loses its outputs and execution count. Marked regions are replaced by the
    placeholder; a cell headed ``# GRADED FUNCTION: <name>`` keeps its header and gains the
    cell metadata ``{"grader": {"graded_function": "<name>"}}``. Markdown and unmarked code
    are copied as they are. ``master`` is not modified.
    """
    starter = nbformat.from_dict(copy.deepcopy(master))
    for index, cell in enumerate(starter.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        source = _source(cell)
        name = graded_function_name(source)
        where = f"cell {index}" + (f" ({name})" if name else "")
        stripped = strip_solutions(source, where)
        if stripped != source and _compiles(source) and not _compiles(stripped):
            raise ReleaseError(
                f"{where}: the starter code would not compile; check that each START marker is "
                "indented like the code it replaces"
            )
        cell.source = stripped
        if name:
            cell.metadata.setdefault("grader", {})["graded_function"] = name
    return starter


def _code_part(line: str) -> str:
    """A line's code without its comment and without any whitespace, for comparing lines."""
    pieces: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(line.strip() + "\n").readline):
            if token.type not in _SKIPPED_TOKENS:
                pieces.append(token.string)
    except (tokenize.TokenError, SyntaxError):
        # A line that does not tokenize alone (an open bracket, prose): drop the comment naively.
        return "".join(line.split("#", 1)[0].split())
    return "".join(pieces)


def _is_trivial(code: str) -> bool:
    return len(code) < MIN_LEAK_CHARS or _PLAIN_RETURN.fullmatch(code) is not None


def check_no_leak(master: nbformat.NotebookNode, starter: nbformat.NotebookNode) -> list[str]:
    """Problems found: solution lines of ``master`` that appear anywhere in ``starter``.

    A solution line is a line inside a marked region of a master code cell, compared without
    comments and whitespace. Lines that are trivial (shorter than :data:`MIN_LEAK_CHARS`, or a
    plain ``return name``) or that the master also gives outside every region are not counted.
    Each problem names the master cell the line comes from and the starter cell it appears in.
    """
    solutions: dict[str, tuple[int, str]] = {}
    given: set[str] = set()
    for index, cell in enumerate(master.cells):
        if cell.cell_type != "code":
            continue
        for kind, line in _regions(_source(cell), f"master cell {index}"):
            code = _code_part(line)
            if kind == "solution" and not _is_trivial(code):
                solutions.setdefault(code, (index, line.strip()))
            elif kind == "given":
                given.add(code)
    for code in given:
        solutions.pop(code, None)

    problems = []
    for index, cell in enumerate(starter.cells):
        for line in _source(cell).splitlines():
            found = solutions.get(_code_part(line))
            if found:
                master_index, text = found
                problems.append(
                    f"starter cell {index} ({cell.cell_type}) contains the solution line "
                    f"{text!r} of master cell {master_index}"
                )
    return problems


def assignment_name(master: nbformat.NotebookNode, path: Path) -> str:
    """The assignment a master belongs to: its ``dnn_autograder.grader.assignment`` metadata, else the name of
    the folder holding it."""
    name = master.metadata.get("grader", {}).get("assignment")
    return str(name) if name else path.resolve().parent.name


def find_masters(source: Path | str | Iterable[Path | str]) -> list[Path]:
    """Master notebooks named by ``source``: one notebook, a folder holding ``master.ipynb``, a
    folder of assignment folders (``<dir>/*/master.ipynb``) or an iterable of notebook paths."""
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_file():
            return [path]
        if (path / MASTER_NAME).is_file():
            return [path / MASTER_NAME]
        found = sorted(path.glob(f"*/{MASTER_NAME}"))
        if not found:
            raise ReleaseError(f"no {MASTER_NAME} found in {path}: give an assignments folder")
        return found
    paths = [Path(p) for p in source]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise ReleaseError(f"master notebooks not found: {', '.join(missing)}")
    return paths


def build_starters(
    source: Path | str | Iterable[Path | str],
) -> dict[str, nbformat.NotebookNode]:
    """``{assignment name: starter}`` for every master in ``source``, after checking them all.

    Raises :class:`ReleaseError` listing every leak of every master, or naming an assignment
    that has two masters.
    """
    starters: dict[str, nbformat.NotebookNode] = {}
    problems: list[str] = []
    for path in find_masters(source):
        master = nbformat.read(path, as_version=4)
        name = assignment_name(master, path)
        if name in starters:
            raise ReleaseError(f"{path}: a second master notebook for assignment {name!r}")
        starter = make_starter(master)
        nbformat.validate(starter)
        problems.extend(f"{path}: {problem}" for problem in check_no_leak(master, starter))
        starters[name] = starter
    if problems:
        raise ReleaseError("solution lines would leak into the starters:\n" + "\n".join(problems))
    return starters


def release(source: Path | str | Iterable[Path | str], out_dir: Path | str) -> list[Path]:
    """Write ``<out_dir>/<assignment>.ipynb`` for every master in ``source``; return the paths.

    Nothing is written when any master fails its checks (:class:`ReleaseError`).
    """
    starters = build_starters(source)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, starter in starters.items():
        path = out / f"{name}.ipynb"
        nbformat.write(starter, path)
        written.append(path)
    return written


def update_starters(assignments_dir: Path | str = ASSIGNMENTS_DIR) -> list[Path]:
    """Regenerate ``<assignment folder>/starter.ipynb`` next to every ``master.ipynb``."""
    masters = find_masters(assignments_dir)
    starters = build_starters(masters)
    written = []
    for path, starter in zip(masters, starters.values(), strict=True):
        target = path.parent / STARTER_NAME
        nbformat.write(starter, target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m dnn_autograder.grader.handouts.release [OUT_DIR]``: write the starters to OUT_DIR, or next to the
    masters in ``assignments/`` when no folder is given."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m dnn_autograder.grader.handouts.release",
                                     description="Write each assignment's starter (the master with its"
                                                 " solutions removed) to OUT_DIR, or beside the master.")
    parser.add_argument("out_dir", nargs="?", metavar="OUT_DIR", help="folder for the starters")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        paths = release(ASSIGNMENTS_DIR, args.out_dir) if args.out_dir else update_starters()
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return ExitCode.SELFCHECK_FAILED
    for path in paths:
        print(path)
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
