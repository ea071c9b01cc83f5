"""Parse a cell (or a ``.py`` file) with ``ast``, salvaging what parses when the whole does not.

When the text does not parse it is split into top-level chunks, each parsed alone: a syntax error
then costs only the statements of its chunk. A chunk starts at an unindented line that is not a
comment, a blank, a closing bracket, an ``else``/``elif``/``except``/``finally``, or the line after
a decorator; inside an open bracket only a line that plainly starts a new definition or import
starts a chunk (an unclosed bracket is the most common syntax error and must not swallow the rest
of the cell). Nothing is ever executed.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from dataclasses import dataclass

from dnn_autograder.grader.extract.scan import LineScanner
from dnn_autograder.grader.membudget import PARSE_BUDGET_BYTES, memory_budget

#: The longest text (one cell, one file, one top-level chunk) given to the parser; no exercise
#: cell comes near. ``ast.parse`` needs up to ~470 bytes of memory per character (a literal list
#: of small numbers), so parsing also runs within ``PARSE_BUDGET_BYTES`` (192 MiB: ~400 Ki such
#: characters). A longer file is split into top-level chunks, each parsed alone; a longer chunk
#: is reported, not parsed.
MAX_SOURCE_CHARS = 512 * 1024
#: ``ast.parse`` raises MemoryError for nesting past its stack as well as for memory: a text this
#: short cannot need the memory budget, so its MemoryError is reported as nesting.
_NESTING_SCALE = 128 * 1024

_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b|[)\]}]")
_STRONG_START = re.compile(
    r"(?:async\s+def|def|class)\s|@|import\s|from\s+[\w.]+\s+import\b|if\s+__name__\b"
)
#: a ``def`` or a ``class`` at column 0 (a class is a graded unit too: a script unit's name)
_TOP_LEVEL_DEF = re.compile(
    r"^(?:(?:async[ \t]+)?def[ \t]+([^\W\d]\w*)[ \t]*\(|class[ \t]+([^\W\d]\w*)[ \t]*[(:])", re.MULTILINE
)


@dataclass(frozen=True)
class Chunk:
    """Lines ``first_line``..``last_line`` (1-based, inclusive) of the parsed text.

    ``tree`` is the parsed module with line numbers of the whole text, or None when the chunk
    does not parse; ``error`` then says why (``syntax error at line 4: invalid syntax``) and
    ``functions`` names the functions defined in it.
    """

    first_line: int
    last_line: int
    tree: ast.Module | None
    error: str = ""
    functions: tuple[str, ...] = ()


def defined_functions(text: str) -> tuple[str, ...]:
    """Names of the functions and classes a text defines at column 0, found without parsing it
    (a class's methods are indented: they are its, not the text's)."""
    return tuple(dict.fromkeys(function or cls for function, cls in _TOP_LEVEL_DEF.findall(text)))


def too_large(text: str) -> str:
    """Why ``text`` is not given to the parser ("" when it may be)."""
    if len(text) <= MAX_SOURCE_CHARS:
        return ""
    return (f"too large to parse: {len(text)} characters in one piece of top-level code, over the"
            f" {MAX_SOURCE_CHARS // 1024} KiB limit (MAX_SOURCE_CHARS)")


def safe_parse(text: str) -> tuple[ast.Module | None, str]:
    """``(tree, "")``, or ``(None, reason)`` when the text does not parse, is longer than
    ``MAX_SOURCE_CHARS`` or would take the parser over its memory budget; never raises."""
    refused = too_large(text)
    if refused:
        return None, refused
    try:
        with warnings.catch_warnings(), memory_budget(PARSE_BUDGET_BYTES):
            warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning of student code
            return ast.parse(text), ""
    except SyntaxError as error:
        return None, f"syntax error at line {error.lineno or 1}: {error.msg}"
    except MemoryError:  # the parser's own nesting limit, or the memory budget
        if len(text) <= _NESTING_SCALE:  # too short to need the budget: the parser's stack
            return None, "too deeply nested for the parser"
        return None, (f"too large to parse: it needs more than the parser's "
                      f"{PARSE_BUDGET_BYTES >> 20} MiB memory budget")
    except RecursionError:
        return None, "too deeply nested for the parser"
    except ValueError as error:  # e.g. NUL characters in the source
        return None, f"cannot be parsed: {error}"


def _shift(reason: str, offset: int) -> str:
    prefix = "syntax error at line "
    if not reason.startswith(prefix) or offset == 0:
        return reason
    number, _, rest = reason[len(prefix) :].partition(":")
    return f"{prefix}{int(number) + offset}:{rest}"


def split_chunks(lines: list[str]) -> list[tuple[int, int]]:
    """0-based half-open ``(start, stop)`` line ranges of the top-level chunks of ``lines``."""
    starts = [0]
    scanner = LineScanner()
    after_decorator = False
    for index, line in enumerate(lines):
        code_at_column_0 = line[:1] not in ("", " ", "\t", "#", "\f")
        if index and code_at_column_0 and not scanner.in_string():
            starts_chunk = not after_decorator and not _CONTINUATION.match(line)
            if starts_chunk and not scanner.at_statement_start():
                starts_chunk = bool(_STRONG_START.match(line))
                if starts_chunk:
                    scanner.reset()
            if starts_chunk:
                starts.append(index)
        if code_at_column_0 and not scanner.in_string():
            after_decorator = line.startswith("@")
        scanner.feed(line)
    return list(zip(starts, [*starts[1:], len(lines)], strict=True))


def parse_text(text: str) -> tuple[str, list[Chunk]]:
    """Parse ``text``; returns the text the chunks' line and column numbers refer to (the
    dedented text when the whole text was indented) and the chunks in order. All the trees of one
    text share one memory budget: a chunk that would exceed it is reported, not parsed."""
    with memory_budget(PARSE_BUDGET_BYTES):
        return _parse_text(text)


def _parse_text(text: str) -> tuple[str, list[Chunk]]:
    tree, reason = safe_parse(text)
    line_count = text.count("\n") + 1
    if tree is not None:
        return text, [Chunk(1, line_count, tree)]
    dedented = textwrap.dedent(text)
    if dedented != text:
        text = dedented
        tree, _ = safe_parse(text)
        if tree is not None:
            return text, [Chunk(1, line_count, tree)]
    lines = text.split("\n")
    ranges = split_chunks(lines)
    if len(ranges) == 1:
        return text, [Chunk(1, line_count, None, reason, defined_functions(text))]
    chunks = []
    for start, stop in ranges:
        source = "\n".join(lines[start:stop])
        tree, reason = safe_parse(source)
        if tree is not None:
            ast.increment_lineno(tree, start)
            chunks.append(Chunk(start + 1, stop, tree))
        else:
            chunks.append(
                Chunk(start + 1, stop, None, _shift(reason, start), defined_functions(source))
            )
    return text, _merge_trailing_blanks(chunks, lines)


def _merge_trailing_blanks(chunks: list[Chunk], lines: list[str]) -> list[Chunk]:
    """Report a chunk's extent without its trailing blank and comment lines."""
    trimmed = []
    for chunk in chunks:
        last = chunk.last_line
        while last > chunk.first_line and lines[last - 1].strip()[:1] in ("", "#"):
            last -= 1
        trimmed.append(Chunk(chunk.first_line, last, chunk.tree, chunk.error, chunk.functions))
    return trimmed
