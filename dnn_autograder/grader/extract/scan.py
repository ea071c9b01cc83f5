"""A line scanner that knows, without tokenizing, where logical statements may start.

Magics are recognised, and broken text is split, line by line; both must leave alone the lines
that continue a statement: the inside of a triple-quoted string, of brackets, or after a
backslash. The scanner follows just enough of Python's lexical rules for that (string quotes
with escapes, comments, bracket depth), and never fails on text that is not Python.
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\"\"\"|'''|[\"'#()\[\]{}]")
_CLOSERS = {
    delim: re.compile(r"\\.|" + re.escape(delim), re.DOTALL) for delim in ('"""', "'''", '"', "'")
}


def _closing(line: str, start: int, delim: str) -> int:
    """Index of the quote ending a string opened with ``delim``, or -1 if not on this line."""
    for match in _CLOSERS[delim].finditer(line, start):
        if match.group() == delim:
            return match.start()
    return -1


class LineScanner:
    """Feed physical lines in order with ``feed``; ``at_statement_start`` tells whether the next
    line begins a new logical line."""

    __slots__ = ("triple", "depth", "backslash")

    def __init__(self) -> None:
        self.triple: str | None = None  # the delimiter of an open triple-quoted string
        self.depth = 0  # open brackets
        self.backslash = False  # the last line ended with a line-continuation backslash

    def at_statement_start(self) -> bool:
        return self.triple is None and self.depth == 0 and not self.backslash

    def in_string(self) -> bool:
        return self.triple is not None

    def reset(self) -> None:
        self.triple, self.depth, self.backslash = None, 0, False

    def feed(self, line: str) -> None:
        pos, end = 0, len(line)
        continued = False
        while pos < end:
            if self.triple is not None:
                close = _closing(line, pos, self.triple)
                if close < 0:
                    return
                pos, self.triple = close + 3, None
                continue
            match = _TOKEN.search(line, pos)
            if match is None:
                break
            token = match.group()
            if token == "#":
                self.backslash = False
                return
            if token in ('"""', "'''"):
                self.triple, pos = token, match.end()
            elif token in ('"', "'"):
                close = _closing(line, match.end(), token)
                if close < 0:  # unterminated: a syntax error, or a backslash-continued string
                    continued = line.endswith("\\")
                    break
                pos = close + 1
            else:
                self.depth = self.depth + 1 if token in "([{" else max(0, self.depth - 1)
                pos = match.end()
        if self.triple is None:
            self.backslash = continued or line.rstrip(" \t").endswith("\\")
