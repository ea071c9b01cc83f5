"""The students of a class folder and their ids.

A class folder holds one entry per student: a sub-folder, or a ``.py``/``.ipynb`` file. The
student id is the folder's name, or the file's name without ``.py``/``.ipynb`` (``bob.ipynb`` is
``bob``), cleaned by :func:`~dnn_autograder.grader.grading.untrusted.visible`. Names starting with ``.`` or
``_`` are not students. Links and special files named like submissions are students too: grading
them refuses them with the reason, so the student sees why. Two entries that give the same id
(``bob.ipynb`` and ``bob.py``, or ``bob/`` and ``bob.py``) are a *clash*: neither is graded, and
the id gets an error result naming both (never a silent merge). Any other file is listed as
ignored.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from dnn_autograder.grader.grading.untrusted import visible

SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Roster:
    """``students``: id -> entry path; ``clashes``: id -> the entry names that share it;
    ``ignored``: names of other files (cleaned)."""

    students: dict[str, Path]
    clashes: dict[str, tuple[str, ...]]
    ignored: tuple[str, ...]


def student_id(name: str, *, folder: bool) -> str:
    """The id of a class folder entry named ``name`` (see the module doc)."""
    if not folder:
        for suffix in SUFFIXES:
            if name.lower().endswith(suffix) and len(name) > len(suffix):
                name = name[: -len(suffix)]
                break
    return visible(name)


def read_roster(class_dir: Path) -> Roster:
    """The students of ``class_dir`` (see the module doc); entries are looked at with ``lstat``."""
    grouped: dict[str, list[tuple[str, Path]]] = {}
    ignored: list[str] = []
    for entry in sorted(Path(class_dir).iterdir(), key=lambda p: os.fsencode(p.name)):
        name = entry.name
        if name.startswith((".", "_")):
            continue
        try:
            mode = os.lstat(entry).st_mode
        except OSError:
            continue
        folder = stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and not Path(name).suffix)
        if not folder and not name.lower().endswith(SUFFIXES):
            ignored.append(visible(name))
            continue
        grouped.setdefault(student_id(name, folder=stat.S_ISDIR(mode)), []).append((visible(name), entry))
    students = {sid: found[0][1] for sid, found in grouped.items() if len(found) == 1}
    clashes = {sid: tuple(n for n, _ in found) for sid, found in grouped.items() if len(found) > 1}
    return Roster(students, clashes, tuple(ignored))


def clash_reason(student: str, names: tuple[str, ...]) -> str:
    """The error of a clashing id, for the student's result and the summary."""
    return (f"{len(names)} entries of the class folder give the student id {student!r} "
            f"({', '.join(names)}): none was graded; rename or remove all but one and grade again")
