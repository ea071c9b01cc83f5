"""The course's names for the items of tuple values: ``cache[2]`` is shown as ``A1 (in cache)``.

A function's spec may name the items of the tuples it returns or receives (``names`` in
``spec.toml``): ``names.cache = ["Z1", "D1", "A1", ...]`` names the items of ``cache``, and
``names."mini_batches[*]" = ["mini_batch_X", "mini_batch_Y"]`` the items of every pair in the list
``mini_batches`` (``[*]`` stands for any position). A path such as ``cache[2]``, as written by
:mod:`~dnn_autograder.grader.grading.compare`, is then relabelled with the name the course's docstring uses,
so the student does not have to count into a 14-tuple.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from dnn_autograder.grader.model import Mismatch

#: ``{path pattern: names of its items, in order}``
ItemNames = Mapping[str, Sequence[str]]

_INDEX = re.compile(r"\[(\d+)\]")


def pattern_of(path: str) -> str:
    """The path with every position replaced by ``[*]`` (``mini_batches[3]`` -> ``mini_batches[*]``)."""
    return _INDEX.sub("[*]", path)


def named_path(path: str, names: ItemNames) -> str:
    """``path`` with its outermost named tuple item replaced by the item's name:
    ``cache[2]`` -> ``A1 (in cache)``, ``mini_batches[0][1]`` -> ``mini_batch_Y (in mini_batches[0])``;
    unchanged when no prefix of ``path`` is named (or the position is beyond the names)."""
    if not names:
        return path
    for match in _INDEX.finditer(path):
        owner = path[:match.start()]
        items = names.get(pattern_of(owner))
        position = int(match.group(1))
        if items is not None and position < len(items):
            rest = path[match.end():]
            return f"{items[position]}{rest} (in {owner})"
    return path


def named_mismatches(mismatches: Iterable[Mismatch], names: ItemNames) -> tuple[Mismatch, ...]:
    """The mismatches with their ``where`` relabelled by :func:`named_path`."""
    if not names:
        return tuple(mismatches)
    return tuple(replace(m, where=named_path(m.where, names)) for m in mismatches)
