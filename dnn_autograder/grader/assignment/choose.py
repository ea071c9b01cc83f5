"""Which of a student's files holding one assignment is their real work.

Jupyter leaves copies behind (``work-Copy1.ipynb``, ``work (1).ipynb``, ``Untitled.ipynb``), and
students keep the untouched starter next to their finished notebook. When several files hold
the same assignment, the graded one is chosen by content first, then by name, never by
modification time (which differs from machine to machine):

1. most graded functions that are defined *and filled* (a starter's placeholder body is not
   filled: one that raises ``NotImplementedError``, still holds nbgrader's ``YOUR CODE HERE``,
   is empty (``pass``/``...``/only a docstring) or only assigns ``None``);
2. then most graded functions defined at all;
3. then a name that is not a copy (no ``-Copy1``, `` (1)``, ``copy`` or ``Untitled``);
4. then the name itself, in sorted order.

Nothing here knows a particular assignment: it reads the source of the functions the spec names.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from dnn_autograder.grader.extract import ExtractedFile

_COPY_MARKERS = re.compile(r"(?:[-_ .]copy\d*|\s*\(\d+\))$", re.IGNORECASE)
_UNTITLED = re.compile(r"^untitled\d*$", re.IGNORECASE)
_PLACEHOLDER_MARK = "YOUR CODE HERE"


def base_stem(name: str) -> str:
    """A file name's stem without copy markers, lower case: ``Work-Copy1.ipynb`` -> ``work``."""
    stem = PurePosixPath(name).stem
    while True:
        shorter = _COPY_MARKERS.sub("", stem)
        if shorter == stem or not shorter:
            return stem.lower()
        stem = shorter


def is_copy_name(name: str) -> bool:
    """True for a name that marks a copy or a scratch notebook (``-Copy1``, `` (2)``, ``Untitled``)."""
    stem = PurePosixPath(name).stem
    return bool(_UNTITLED.match(stem)) or base_stem(name) != stem.lower()


def are_copies(first: str, second: str) -> bool:
    """True when two file names look like versions of one file rather than two students' files:
    the same stem once copy markers are removed, or either is an ``Untitled`` notebook."""
    untitled = any(_UNTITLED.match(PurePosixPath(n).stem) for n in (first, second))
    return untitled or base_stem(first) == base_stem(second)


def filled_functions(file: ExtractedFile, names: Iterable[str]) -> set[str]:
    """The functions among ``names`` that ``file`` defines with a body that is not a placeholder."""
    return {name for name in names if name in file.functions and not is_placeholder(file.functions[name].source)}


#: sources up to this many characters have their verdict remembered (:func:`is_placeholder`)
MEMO_SOURCE_CHARS = 1 << 15


def is_placeholder(source: str) -> bool:
    """True for a function whose body is a starter's placeholder (see the module doc).

    A pure function of the source text, remembered for sources up to :data:`MEMO_SOURCE_CHARS`
    (the chooser, the completion from other files and the students of a class who share a
    starter or an answer ask about the same sources)."""
    if len(source) <= MEMO_SOURCE_CHARS:
        return _remembered(source)
    return _placeholder(source)


def _placeholder(source: str) -> bool:
    if _PLACEHOLDER_MARK in source:
        return True
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    function = next((n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)), None)
    if function is None:
        return False
    assigns = computed = 0
    augmented = False
    for node in ast.walk(function):  # one walk for the three questions below
        if isinstance(node, ast.Raise):
            if _names_not_implemented(node.exc):
                return True
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            assigns += 1
            computed += not _is_none(node.value)
        elif isinstance(node, ast.AugAssign):
            augmented = True
    body = [s for s in function.body if not _is_docstring(s)]
    if all(isinstance(s, ast.Pass) or _is_docstring(s) or _is_ellipsis(s) for s in body):
        return True
    return bool(assigns) and not computed and not augmented


_remembered = functools.lru_cache(maxsize=512)(_placeholder)


def rank(file: ExtractedFile, names: Sequence[str], shown: str) -> tuple:
    """The sort key of a candidate file (smaller is better), see the module doc."""
    defined = set(file.functions) | set(file.broken_functions)
    return (-len(filled_functions(file, names)), -len(defined & set(names)), is_copy_name(shown), shown)


def why_not(chosen: ExtractedFile, other: ExtractedFile, names: Sequence[str], chosen_name: str,
            other_name: str) -> str:
    """Why ``other`` was not graded for an assignment ``chosen`` was graded for, in one sentence."""
    filled_chosen = len(filled_functions(chosen, names))
    filled_other = len(filled_functions(other, names))
    if filled_other < filled_chosen:
        detail = (f"it fills {filled_chosen} of the {len(names)} graded functions, this file"
                  f" {filled_other} (the rest are missing or starter placeholders)")
    elif rank(other, names, other_name)[1] > rank(chosen, names, chosen_name)[1]:
        detail = "it defines more of the graded functions"
    elif is_copy_name(other_name) and not is_copy_name(chosen_name):
        detail = "it holds as many of the graded functions and this file's name marks a copy"
    else:
        detail = "it holds as many of the graded functions and comes first by name"
    return f"same assignment as {chosen_name}, which was graded instead: {detail}"


def _names_not_implemented(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    return isinstance(node, ast.Name) and node.id == "NotImplementedError"


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _is_ellipsis(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and statement.value.value is ...)


def _is_none(value: ast.expr | None) -> bool:
    return value is None or (isinstance(value, ast.Constant) and value.value is None)
