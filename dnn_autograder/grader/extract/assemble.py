"""Turn the texts of a file (one per notebook code cell, or one ``.py``) into an ExtractedFile."""

from __future__ import annotations

import ast
import re
from pathlib import PurePath

from dnn_autograder.grader.extract.classify import Scope, classify, misplaced_statements, statement_start
from dnn_autograder.grader.extract.ipython import clean_cell
from dnn_autograder.grader.extract.model import ExtractedFile, ProgramUnit, Skipped
from dnn_autograder.grader.extract.parse import Chunk, defined_functions, parse_text, safe_parse

_GRADED_MARKER = re.compile(
    r"^[ \t]*#[ \t]*GRADED[ \t_]+FUNCTION[ \t]*:?[ \t]*([^\W\d]\w*)", re.IGNORECASE | re.MULTILINE
)


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` become ``\\n``, as Python's tokenizer counts lines."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _where(place: str, first: int, last: int | None = None) -> str:
    lines = f"line {first}" if last is None or last == first else f"lines {first}-{last}"
    return f"{place}, {lines}" if place else lines


def _cut(line: str, start: int, stop: int | None) -> str:
    """``line[start:stop]`` with ``ast``'s UTF-8 byte columns."""
    if line.isascii():
        return line[start:stop]
    return line.encode("utf-8")[start:stop].decode("utf-8", errors="replace")


def _segment(lines: list[str], node: ast.stmt) -> tuple[int, str]:
    """(first line, source) of a top-level statement."""
    first, column = statement_start(node)
    last, stop = node.end_lineno or first, node.end_col_offset
    if stop is not None and _cut(lines[last - 1], stop, None).lstrip().startswith("#"):
        stop = None  # keep a trailing comment
    if first == last:
        return first, _cut(lines[first - 1], column, stop)
    body = [_cut(lines[first - 1], column, None), *lines[first : last - 1]]
    return first, "\n".join([*body, _cut(lines[last - 1], 0, stop)])


class Extraction:
    """Accumulates units and diagnostics over the texts of one file, in execution order."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.scope = Scope()
        self.units: list[ProgramUnit] = []
        self.skipped: list[Skipped] = []
        self.functions: dict[str, ProgramUnit] = {}
        self.lost: dict[str, str] = {}
        self.imports: dict[str, None] = {}
        self.graded: dict[str, None] = {}
        self.future: dict[str, None] = {}  # `from __future__` features: not units, but hints
        self._pending: list[tuple[int, Skipped]] = []  # the current text's, sorted by line

    def add_text(self, text: str, *, label: str, place: str = "", cell: bool = False) -> None:
        """Extract from one cell (``cell``, ``place`` = ``"cell 7"``) or one ``.py`` text;
        ``label`` names the units' source in tracebacks."""
        text = normalise_newlines(text)
        self.graded.update(dict.fromkeys(_GRADED_MARKER.findall(text)))
        tree, _ = safe_parse(text)
        if tree is not None:
            chunks, whole = [Chunk(1, text.count("\n") + 1, tree)], True
        else:
            cleaned = clean_cell(text, cell_magics=cell)
            for dropped in cleaned.dropped:
                self._skip(dropped.line, Skipped(_where(place, dropped.line), dropped.reason))
            if cleaned.skip_cell is not None:
                functions = defined_functions(text)
                self._lose(functions, label, cleaned.skip_cell.reason)
                self._skip(0, Skipped(place, cleaned.skip_cell.reason, functions))
                chunks, whole = [], True
            else:
                text, chunks = parse_text(cleaned.text)
                whole = len(chunks) == 1
        self._add_chunks(text, chunks, label, place, whole=whole)
        self.skipped.extend(item for _, item in sorted(self._pending, key=lambda p: p[0]))
        self._pending.clear()

    def _skip(self, line: int, item: Skipped) -> None:
        self._pending.append((line, item))

    def _add_chunks(
        self, text: str, chunks: list[Chunk], label: str, place: str, *, whole: bool
    ) -> None:
        lines = text.split("\n")
        for chunk in chunks:
            if chunk.tree is not None:
                self._add_statements(chunk.tree.body, lines, label, place)
                continue
            reason = chunk.error
            if chunk.functions:
                reason += f" (the functions in it cannot be graded: {', '.join(chunk.functions)})"
            where = place if whole and place else _where(place, chunk.first_line, chunk.last_line)
            self._skip(chunk.first_line, Skipped(where, reason, chunk.functions))
            self._lose(chunk.functions, label, chunk.error)

    def _add_statements(
        self, body: list[ast.stmt], lines: list[str], label: str, place: str
    ) -> None:
        consumed = self._add_misplaced(body, label, place)
        run: tuple[str, int, int] | None = None  # consecutive dropped statements: reported once
        for index, node in enumerate(body):
            if index in consumed:
                self._flush(run, place)
                run = None
                continue
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                self.future.update(dict.fromkeys(alias.name for alias in node.names))
            decision = classify(node, self.scope)
            last = node.end_lineno or node.lineno
            if decision.kind is None and not decision.reason:
                continue
            if decision.kind is None and not decision.functions:
                if run is not None and run[0] == decision.reason:
                    run = (run[0], run[1], last)
                else:
                    self._flush(run, place)
                    run = (decision.reason, node.lineno, last)
                continue
            self._flush(run, place)
            run = None
            if decision.kind is None:
                where = _where(place, node.lineno, last)
                self._skip(node.lineno, Skipped(where, decision.reason, decision.functions))
                self._lose(decision.functions, label, decision.reason)
                continue
            first, source = _segment(lines, node)
            unit = ProgramUnit(decision.kind, source, decision.names, label, first)
            self.units.append(unit)
            self.imports.update(dict.fromkeys(decision.modules))
            if decision.kind == "definition":  # def, lambda, or class (a script unit's name)
                self.functions.update(dict.fromkeys(decision.names, unit))
        self._flush(run, place)

    def _add_misplaced(self, body: list[ast.stmt], label: str, place: str) -> set[int]:
        """Report statements that only compile inside a function (a dedented ``return``): the
        function they follow is broken from its ``def`` to them. Returns the indices used."""
        consumed: set[int] = set()
        for index, message in misplaced_statements(body).items():
            stray = body[index]
            owner = _owner(body, index, consumed)
            error = f"syntax error at line {stray.lineno}: {message}"
            last = stray.end_lineno or stray.lineno
            if owner is None:
                consumed.add(index)
                self._skip(stray.lineno, Skipped(_where(place, stray.lineno, last), error))
                continue
            function = body[owner]
            assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
            consumed.update(range(owner, index + 1))
            first = statement_start(function)[0]
            error += f" (is it indented like the body of {function.name}?)"
            reason = f"{error} (the functions in it cannot be graded: {function.name})"
            self._skip(first, Skipped(_where(place, first, last), reason, (function.name,)))
            self._lose((function.name,), label, error)
        return consumed

    def _flush(self, run: tuple[str, int, int] | None, place: str) -> None:
        if run is not None:
            reason, first, last = run
            self._skip(first, Skipped(_where(place, first, last), reason))

    def _lose(self, functions: tuple[str, ...], label: str, reason: str) -> None:
        for name in functions:
            self.lost[name] = f"{label}: {reason}"

    def result(self, hints: dict[str, str], *, language_ok: bool = True) -> ExtractedFile:
        if self.graded:
            hints["graded_functions"] = ", ".join(self.graded)
        if self.future:
            hints["future"] = ", ".join(self.future)
        broken = {name: why for name, why in self.lost.items() if name not in self.functions}
        return ExtractedFile(
            path=self.path,
            units=tuple(self.units),
            functions=dict(self.functions),
            skipped=tuple(self.skipped),
            broken_functions=broken,
            imports=tuple(self.imports),
            hints=hints,
            language_ok=language_ok,
        )


def _owner(body: list[ast.stmt], index: int, consumed: set[int]) -> int | None:
    """The function a misplaced statement most likely belongs to: the nearest ``def`` before
    it, unless a class or an already broken function comes first."""
    for j in range(index - 1, -1, -1):
        if j in consumed or isinstance(body[j], ast.ClassDef):
            return None
        if isinstance(body[j], ast.FunctionDef | ast.AsyncFunctionDef):
            return j
    return None


def extract_python(text: str, path: str, name: str, hints: dict[str, str]) -> ExtractedFile:
    """Extract ``text`` (Python source of file ``path``, shown as ``name``) with ``hints``."""
    extraction = Extraction(path)
    text = text.removeprefix("\ufeff")
    if text.strip():
        extraction.add_text(text, label=name)
    return extraction.result(hints)


def extract_source(text: str, filename: str) -> ExtractedFile:
    """Extract the program units of a string of Python (a ``.py`` file's text)."""
    name = PurePath(filename).name or filename
    hints = {"file_stem": PurePath(filename).stem, "format": "python"}
    return extract_python(text, filename, name, hints)
