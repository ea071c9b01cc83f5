"""Is a folder a class (many students) or one student's submission? (``grade PATH --layout auto``)

Kept apart from the grading pipeline so that the process of a class batch, which only hands
students to its workers, never imports the grading machinery (Hypothesis, the suites) to decide.
"""

from __future__ import annotations

from pathlib import Path

from dnn_autograder.grader.assignment.choose import are_copies
from dnn_autograder.grader.assignment.recognise import recognise_file
from dnn_autograder.grader.assignment.spec import load_all
from dnn_autograder.grader.errors import SubmissionError
from dnn_autograder.grader.extract import extract_file
from dnn_autograder.grader.extract.walk import list_submission


def is_class_folder(path: Path) -> bool:
    """True for a class folder, the guess ``--layout auto`` makes (README, usage).

    A class is a folder holding per-student folders (visible sub-folders with submission files
    in them), or holding files of one assignment whose names belong to different students: two
    files of the same assignment whose names are copies of one another (``work.ipynb`` and
    ``work-Copy1.ipynb``, or an ``Untitled`` notebook) are one student's versions, not two
    students. Links are never followed, here as everywhere.
    """
    if not path.is_dir() or path.is_symlink():
        return False
    subdirs = [p for p in path.iterdir()
               if not p.name.startswith((".", "_")) and _is_real_dir(p) and list_submission(p).files]
    if subdirs:
        return True
    listing = list_submission(path)
    if len(listing.files) < 2:
        return False
    by_assignment: dict[str, list[str]] = {}
    specs = load_all()
    for file, name in zip(listing.files, listing.names, strict=True):
        try:
            extracted = extract_file(file, name)
        except SubmissionError:
            continue
        for found in recognise_file(extracted, specs)[:1]:
            others = by_assignment.setdefault(found, [])
            if any(not are_copies(name, other) for other in others):
                return True
            others.append(name)
    return False


def _is_real_dir(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir()

